"""Warm answers equal cold ones, seen from outside: the rules' code, the
reproductions of findings.md's "Warm against cold", each a test.

Cold = the same command with XDG_CACHE_HOME pointing at a folder never used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

AS_OF = "2020-10-15"
HOUR_AGO = time.time() - 3600


def lanxi(*args, cwd, cache, pythonpath=ROOT):
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "COLUMNS": "80", "NO_COLOR": "1",
           "XDG_CACHE_HOME": str(cache)}
    env.pop("LANXI_DATA", None)
    env.pop("LANXI_TODAY", None)
    return subprocess.run([sys.executable, "-m", "lanxi_cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def age(folder) -> None:
    """Every file an hour old: the caches trust only stamps older than a few seconds."""
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (HOUR_AGO, HOUR_AGO))


def test_a_changed_rule_changes_the_warm_answer(data_dir, tmp_path):
    """A cache file follows the code of the rules, not only the version
    number: a `git pull` of new rules under the same version gives the new
    answers on the next query (issue 23, item 3)."""
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "lanxi_cli", package / "lanxi_cli", ignore=shutil.ignore_patterns("__pycache__"))
    (data_dir / "reports" / "r1.yaml").write_text(
        "task: '3.3'\nunit: 苏家湖村\ndate: 2020-09-05\nstatus: done\n", encoding="utf-8"
    )  # 3.3 sets no quantity: a `done` completes it
    age(data_dir)
    cache = tmp_path / "cache"
    args = ("status", "--unit", "苏家湖村", "--as-of", AS_OF, "--format", "json",
            "--data", str(data_dir))

    def state():
        result = lanxi(*args, cwd=tmp_path, cache=cache, pythonpath=package)
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout)["obligations"]
        return [o["state"] for o in found if o["task"] == "3.3"]

    assert state() == ["done"]
    assert state() == ["done"]  # warm, from the cache files just written
    assert {p.name for p in cache.rglob("*.marshal")} >= {"book.marshal", "reports.marshal", "index.marshal"}
    engine = package / "lanxi_cli" / "core" / "engine.py"
    text = engine.read_text(encoding="utf-8")
    rule = 'if self.done is None and report.status == "done":'
    assert rule in text
    engine.write_text(text.replace(rule, 'if self.done is None and report.status == "never":'), encoding="utf-8")
    assert state() != ["done"]  # the new rule, warm: `done` no longer completes
    shutil.rmtree(cache)
    assert state() != ["done"]  # and cold alike


# ---- findings.md, "Warm against cold": each reproduction, in-process ----------------


def aged_all(data_dir) -> None:
    """The whole data folder an hour old, so that every cache keeps what it read."""
    for path in [data_dir, *data_dir.rglob("*")]:
        os.utime(path, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


def run(cli, *args):
    result = cli(*args)
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    return result.exit_code, result.stdout, result.stderr


def warm_and_cold(cli, monkeypatch, cache_home, tmp_path, *args):
    """(warm, cold): the command on the cache as it is (run once before, so
    that it is warm), and on a cache folder never used."""
    run(cli, *args)
    warm = run(cli, *args)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cold-{time.monotonic_ns()}"))
    cold = run(cli, *args)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    return warm, cold


def lead_report(cli, data_dir) -> str:
    """A report by 派出所 on 5.1, the task it leads: it holds no obligation of its own."""
    result = cli("report", "add", "--task", "5.1", "--unit", "派出所", "--status", "done", "--date", "2020-09-10",
                 "--as-of", "2020-09-20", "--by", "x", "--no-commit", "--data", str(data_dir))
    assert result.exit_code == 0, result.output
    return next((data_dir / "reports").rglob("*派出所-5.1-*.yaml")).stem


QUERIES = (
    ("bulletin", "--appendix", "--as-of", "2020-09-30"),  # the appendix names the reports behind it
    ("report", "list", "--all", "--format", "json", "--as-of", "2020-09-30"),
    ("report", "missing", "--as-of", "2020-09-30"),
    ("status", "--as-of", "2020-09-30", "--format", "json"),
)


def same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir, queries=QUERIES):
    aged_all(data_dir)
    run(cli, "status", "--as-of", "2020-09-21", "--format", "json", "--data", str(data_dir))  # the index built
    colds = []
    for query in queries:
        warm, cold = warm_and_cold(cli, monkeypatch, cache_home, tmp_path, *query, "--data", str(data_dir))
        assert warm == cold, query
        colds.append(cold)
    return colds  # each query's (exit code, stdout, stderr)


def test_a_review_of_a_leads_own_report_counts_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    subject = lead_report(cli, data_dir)
    result = cli("report", "review", subject, "--reject", "--by", "禁毒办", "--as-of", "2020-09-21",
                 "--no-commit", "--data", str(data_dir))
    assert result.exit_code == 0, result.output
    bulletin = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir)[0]
    assert "审核未通过" in bulletin[1] and "找不到被审核" not in bulletin[2]


def test_an_amendment_of_a_leads_own_report_counts_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    subject = lead_report(cli, data_dir)
    result = cli("report", "amend", subject, "--reason", "r", "--date", "2020-09-05", "--as-of", "2020-09-21",
                 "--no-commit", "--data", str(data_dir))
    assert result.exit_code == 0, result.output
    same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir)
    listed = json.loads(run(cli, *QUERIES[1], "--data", str(data_dir))[1])
    assert [r["superseded_by"] is not None for r in listed if r["id"] == subject] == [True]


def test_a_folder_named_through_a_symlink_shows_its_own_paths(cli, data_dir, monkeypatch, cache_home, tmp_path):
    for day, status in (("2020-09-05", "progress"), ("2020-09-06", "blocked")):
        result = cli("report", "add", "--task", "6.3", "--unit", "罗湖村", "--status", status, "--date", day,
                     "--count", "1", "--as-of", "2020-09-21", "--no-commit", "--data", str(data_dir))
        assert result.exit_code == 0, result.output
    (data_dir / "reports" / "broken.yaml").write_text("task: '6.3'\nunit: 罗湖村\ndate: 2020-09-31\n", encoding="utf-8")
    town = tmp_path / "town"
    town.symlink_to(data_dir)
    aged_all(data_dir)
    query = ("status", "--unit", "罗湖村", "--as-of", "2020-09-21", "--format", "json")
    run(cli, *query, "--data", str(data_dir))  # the caches of the folder as `data`
    warm, cold = warm_and_cold(cli, monkeypatch, cache_home, tmp_path, *query, "--data", str(town))
    assert warm == cold
    assert "town/reports/" in cold[1] and "data/reports/" not in cold[1] and "town/reports/broken.yaml" in cold[2]
    run(cli, *query, "--data", str(town))
    assert run(cli, *query, "--data", str(data_dir)) == warm_and_cold(
        cli, monkeypatch, cache_home, tmp_path, *query, "--data", str(data_dir))[1]


def test_a_broken_report_is_warned_once_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    (data_dir / "reports" / "r.yaml").write_text("task: '6.3'\nunit: 罗湖村\ndate: 2020-09-05\nstatus: 完成\n",
                                                 encoding="utf-8")
    cold = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir, queries=QUERIES[1:2])[0]
    assert cold[2].count("r.yaml") == 1


def test_a_review_dated_before_its_report_is_warned_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    result = cli("report", "add", "--task", "6.3", "--unit", "罗湖村", "--status", "done", "-n", "4",
                 "--date", "2020-09-10",
                 "--as-of", "2020-09-20", "--no-commit", "--data", str(data_dir))
    assert result.exit_code == 0, result.output
    subject = next((data_dir / "reports").rglob("*.yaml")).stem
    (data_dir / "reviews").mkdir()
    (data_dir / "reviews" / "early.yaml").write_text(
        f"subject: {subject}\ndecision: rejected\nby: 禁毒办\ndate: 2020-09-01\n", encoding="utf-8"
    )
    answers = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir)
    assert "early.yaml" in answers[3][2]  # status counts the reviews: warned; report missing, warm or cold, not


def test_two_files_with_one_id_resolve_alike_warm_and_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    for folder, day in (("a", "2020-09-15"), ("b", "2020-09-05")):  # the review is dated before a's, after b's
        (data_dir / "reports" / folder).mkdir()
        (data_dir / "reports" / folder / "twin.yaml").write_text(
            f"task: '6.3'\nunit: 罗湖村\ndate: {day}\nstatus: done\n", encoding="utf-8"
        )
    (data_dir / "reviews").mkdir()
    (data_dir / "reviews" / "r.yaml").write_text(
        "subject: twin\ndecision: approved\nby: 禁毒办\ndate: 2020-09-12\n", encoding="utf-8"
    )
    answers = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir)
    assert "早于被审核文件的日期 2020-09-15" in answers[3][2]  # the id names a/twin.yaml, the first by path


@pytest.mark.parametrize("change", ["removed", "edited in place, its mtime put back"])
def test_a_report_changed_while_a_cold_query_runs_leaves_no_wrong_answer(
    cli, data_dir, monkeypatch, cache_home, tmp_path, change
):
    """The race of findings.md: the report of 6.3 罗湖村 changes after a cold
    `report list --all` read it and before the index walked the folder;
    every later warm answer is still the files' answer."""
    from lanxi_cli.io import load

    for unit, status in (("罗湖村", "done"), ("苏家湖村", "progress")):
        result = cli("report", "add", "--task", "6.3", "--unit", unit, "--status", status, "--count", "1",
                     "--date", "2020-09-05", "--as-of", "2020-09-21", "--no-commit", "--data", str(data_dir))
        assert result.exit_code == 0, result.output
    aged_all(data_dir)
    target = next((data_dir / "reports").rglob("*罗湖村*.yaml"))
    real, changed = load.read_records, []

    def read_then_change(kind, files, *rest):
        found = real(kind, files, *rest)
        if kind == "reports" and not changed:
            changed.append(kind)
            if change == "removed":
                target.unlink()
            else:
                before = target.stat()
                text = target.read_text(encoding="utf-8").replace("status: done", "status: blocked")
                target.write_text(text, encoding="utf-8")  # the same size: done → blocked is not
                os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
        return found

    monkeypatch.setattr(load, "read_records", read_then_change)
    run(cli, "report", "list", "--all", "--format", "json", "--as-of", "2020-12-31", "--data", str(data_dir))
    assert changed
    monkeypatch.setattr(load, "read_records", real)
    query = ("status", "--unit", "罗湖村", "--format", "json", "--as-of", "2020-12-31", "--data", str(data_dir))
    warm, cold = warm_and_cold(cli, monkeypatch, cache_home, tmp_path, *query)
    assert warm == cold
    found = json.loads(cold[1])["obligations"]
    assert [o["state"] for o in found if o["task"] == "6.3" and o["period"] == "2020-09"] != ["done"]


def test_measures_taken_answer_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    """Measures recorded, one withdrawn and one edited in place (its mtime put back): assess,
    measure list, status --unit and the 通报 answer warm as cold, and the edit is seen."""
    day = ("--as-of", "2020-09-30", "--data", str(data_dir))
    paths = [cli("measure", "record", "-u", unit, "-k", kind, "-d", date, "--no-commit", *day).stdout.strip()
             for unit, kind, date in (("苏家湖村", "提醒", "2020-09-04"), ("黄湖村", "提醒", "2020-09-10"),
                                      ("苏家湖村", "约谈", "2020-09-20"))]
    assert cli("withdraw", paths[1], "--reason", "记错", "--no-commit", *day).exit_code == 0
    queries = (("assess", "--format", "json", "--as-of", "2020-09-30"),
               ("measure", "list", "--format", "json", "--as-of", "2020-09-30"),
               ("status", "--unit", "苏家湖村", "--format", "json", "--as-of", "2020-09-30"),
               ("bulletin", "--as-of", "2020-09-30"))
    before = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir, queries)
    assert [m["kind"] for m in json.loads(before[1][1])] == ["提醒", "约谈"]
    path = data_dir.parent / paths[2]
    stamp = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("kind: 约谈", "kind: 述职"), encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    after = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir, queries)
    assert [m["kind"] for m in json.loads(after[1][1])] == ["提醒", "述职"]
    assessed = {r["unit"]: r for r in json.loads(after[0][1])}
    assert assessed["苏家湖村"]["measure"] == "通报" and assessed["黄湖村"]["measure"] == "提醒"


def test_every_cache_file_is_written_down_in_the_one_story(data_dir, tmp_path):
    """lanxi_cli/store's docstring names the key of each cache file: every file
    a cold run writes is one it names (book, index, index-files, one per
    record folder), and the queries below do write those (the test's control)."""
    from lanxi_cli import store
    from lanxi_cli.io.load import KINDS

    for task, unit in (("5.1", "兰溪派出所"), ("1.1", "苏家湖村")):
        added = lanxi("report", "add", "-t", task, "-u", unit, "--date", "2020-09-01", "--status", "done",
                      "--data", str(data_dir), cwd=tmp_path, cache=tmp_path / "scratch")
        assert added.returncode == 0, added.stderr
    age(data_dir)
    cache = tmp_path / "cache"
    for args in (("status",), ("report", "list", "--all"), ("tasks", "--overdue")):
        done = lanxi(*args, "--data", str(data_dir), "--as-of", AS_OF, cwd=tmp_path, cache=cache)
        assert done.returncode == 0, done.stderr
    written = {path.name.removesuffix(".marshal") for path in cache.rglob("*.marshal")}
    assert {"book", "reports", "index", "index-files"} <= written
    for name in ("book", "index", "index-files", "<folder>"):
        assert f"  {name}.marshal" in store.__doc__
    assert "io.load.KINDS" in store.__doc__
    assert written <= {"book", "index", "index-files", *KINDS}


def test_progress_reports_without_a_task_answer_warm_as_cold(cli, data_dir, monkeypatch, cache_home, tmp_path):
    """旬报 alone (no task) beside task reports: one amended, one withdrawn, one file that
    says a status it may not; report list, report missing, status and the 通报 answer warm as cold."""
    day = ("--as-of", "2020-09-30", "--no-commit", "--data", str(data_dir))
    for unit, date in (("苏家湖村", "2020-09-12"), ("黄湖村", "2020-09-15"), ("罗湖村", "2020-09-18")):
        result = cli("report", "add", "--unit", unit, "--note", "本旬无新进展", "--date", date, *day)
        assert result.exit_code == 0, result.output
    assert cli("report", "add", "--task", "1.4", "--unit", "罗湖村", "--status", "done", "--date", "2020-09-16",
               *day).exit_code == 0
    ids = {r["unit"]: r["id"] for r in json.loads(run(cli, *QUERIES[1], "--data", str(data_dir))[1])
           if r["task"] is None}
    assert cli("report", "amend", ids["苏家湖村"], "--note", "召开会议", "--reason", "补充", *day).exit_code == 0
    assert cli("report", "withdraw", ids["黄湖村"], "--reason", "误报", *day).exit_code == 0
    (data_dir / "reports" / "bad.yaml").write_text("unit: 金石村\ndate: 2020-09-15\nstatus: done\nnote: x\n",
                                                   encoding="utf-8")
    queries = (*QUERIES, ("report", "missing", "--as-of", "2020-09-21", "--format", "json"))
    answers = same_warm_and_cold(cli, monkeypatch, cache_home, tmp_path, data_dir, queries)
    listed = json.loads(answers[1][1])
    assert sorted((r["unit"], r["note"], r["withdrawn"]) for r in listed if r["task"] is None) == [
        ("罗湖村", "本旬无新进展", False), ("苏家湖村", "召开会议", False), ("苏家湖村", "本旬无新进展", False),
        ("黄湖村", "本旬无新进展", True)]
    assert answers[1][2].count("bad.yaml") == 1 and "不能写 status" in answers[1][2]
    units = json.loads(answers[4][1])["units"]
    assert "黄湖村" in units and "金石村" in units and not {"苏家湖村", "罗湖村"} & set(units)
