"""Correcting the record: `report withdraw`, `report amend`, `withdraw`, and one
report for many units. Nothing is ever edited or deleted."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import git, obligation
from rich.cells import cell_len

AS_OF = "2020-09-30"


def run(cli, data_dir, *args, as_of=AS_OF, env=None):
    return cli(*args, "--data", str(data_dir), "--as-of", as_of, env=env)


def add(cli, data_dir, *args, as_of=AS_OF) -> str:
    result = run(cli, data_dir, "report", "add", *args, "--no-commit", as_of=as_of)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def record_id(path: str) -> str:
    return Path(path).stem


def listed(cli, data_dir, *extra) -> dict[str, dict]:
    rows = json.loads(ok(run(cli, data_dir, "report", "list", "--format", "json", *extra)))
    return {r["id"]: r for r in rows}


def snapshot_files(data_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*.yaml"))}


# ---- withdraw ----------------------------------------------------------------------------------


def test_a_withdrawn_report_counts_nowhere_and_stays_on_disk(cli, data_dir):
    path = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    assert obligation(cli, data_dir, "苏家湖村", "1.1", AS_OF)["state"] == "done"
    before = snapshot_files(data_dir)
    out = ok(run(cli, data_dir, "report", "withdraw", record_id(path), "--reason", "报错了村", "--by", "张三",
                 "--no-commit"))
    assert snapshot_files(data_dir).items() >= before.items()  # nothing edited or deleted
    saved = yaml.safe_load((data_dir.parent / out).read_text(encoding="utf-8"))
    assert (saved["subject"], saved["reason"], saved["by"]) == (record_id(path), "报错了村", "张三")
    # On any as-of day, even one before the withdrawal was written.
    for day in ("2020-09-05", AS_OF, "2020-12-31"):
        assert obligation(cli, data_dir, "苏家湖村", "1.1", day)["state"] == "overdue"
    assert record_id(path) not in listed(cli, data_dir)
    assert listed(cli, data_dir, "--all")[record_id(path)]["withdrawn"] is True


def test_withdrawing_twice_or_an_unknown_id_is_refused_and_writes_nothing(cli, data_dir):
    path = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    ok(run(cli, data_dir, "report", "withdraw", path, "--reason", "重复", "--no-commit"))
    before = snapshot_files(data_dir)
    again = run(cli, data_dir, "report", "withdraw", record_id(path), "--reason", "再撤", "--no-commit")
    assert again.exit_code == 2 and "已于 2020-09-30 撤回" in again.stderr
    unknown = run(cli, data_dir, "report", "withdraw", "no-such-report", "--reason", "x", "--no-commit")
    assert unknown.exit_code == 2 and "找不到报告“no-such-report”" in unknown.stderr
    other = add(cli, data_dir, "-t", "1.2", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    before = snapshot_files(data_dir)
    empty = run(cli, data_dir, "report", "withdraw", record_id(other), "--reason", "  ", "--no-commit")
    assert empty.exit_code == 2 and "--reason 不能为空" in empty.stderr
    assert snapshot_files(data_dir) == before


# ---- amend -------------------------------------------------------------------------------------


def test_amend_copies_what_is_not_given_and_supersedes_the_old(cli, data_dir):
    old = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "-n", "1", "-d", "2020-09-10", "--note", "第一场",
              "-e", "photos/a.jpg", "--by", "李四")
    new = ok(run(cli, data_dir, "report", "amend", record_id(old), "-n", "3", "--reason", "数量填错", "--no-commit"))
    saved = yaml.safe_load((data_dir.parent / new).read_text(encoding="utf-8"))
    assert saved["count"] == 3 and saved["supersedes"] == record_id(old) and saved["reason"] == "数量填错"
    assert (saved["note"], saved["evidence"], saved["by"], str(saved["date"])) == (
        "第一场", ["photos/a.jpg"], "李四", "2020-09-10")
    rows = listed(cli, data_dir)
    assert list(rows) == [record_id(new)]
    assert listed(cli, data_dir, "--all")[record_id(old)]["superseded_by"] == record_id(new)
    ob = obligation(cli, data_dir, "黄湖村", "5.3", AS_OF)
    assert ob["count"] == 3  # the old count of 1 counts nowhere


def test_an_amendment_of_an_amendment_resolves_to_the_newest(cli, data_dir):
    first = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "-n", "1", "-d", "2020-09-10")
    second = ok(run(cli, data_dir, "report", "amend", first, "-n", "2", "--reason", "改一", "--no-commit"))
    third = ok(run(cli, data_dir, "report", "amend", record_id(second), "-n", "5", "--reason", "改二", "--no-commit"))
    assert list(listed(cli, data_dir)) == [record_id(third)]
    assert obligation(cli, data_dir, "黄湖村", "5.3", AS_OF)["count"] == 5
    # The old ones can be neither amended nor withdrawn: the message names the one in force.
    stale = run(cli, data_dir, "report", "amend", record_id(first), "-n", "9", "--reason", "x", "--no-commit")
    assert stale.exit_code == 2 and record_id(third) in stale.stderr
    stale = run(cli, data_dir, "report", "withdraw", record_id(second), "--reason", "x", "--no-commit")
    assert stale.exit_code == 2 and record_id(third) in stale.stderr


def test_withdrawing_an_amendment_brings_back_the_report_it_corrected(cli, data_dir):
    old = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "-n", "1", "-d", "2020-09-10")
    new = ok(run(cli, data_dir, "report", "amend", old, "-n", "3", "--reason", "改", "--no-commit"))
    ok(run(cli, data_dir, "report", "withdraw", new, "--reason", "改错了，原来的对", "--no-commit"))
    assert list(listed(cli, data_dir)) == [record_id(old)]
    assert obligation(cli, data_dir, "黄湖村", "5.3", AS_OF)["count"] == 1


def test_amended_values_are_checked_like_report_add(cli, data_dir):
    old = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "-n", "1", "-d", "2020-09-10")
    before = snapshot_files(data_dir)
    for args, words in (
        (("-n", "-1"), "--count 不能为负数"),
        (("--rate", "1.5"), "--rate 应在 0 到 1 之间"),
        (("-d", "2020-10-30"), "晚于今天"),
        (("-p", "2020-13"), "没有周期"),
        (("-s", "finished"), "--status 应为"),
    ):
        result = run(cli, data_dir, "report", "amend", old, *args, "--reason", "x", "--no-commit")
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)
    assert snapshot_files(data_dir) == before


def test_a_changed_date_moves_the_amendment_to_its_own_period(cli, data_dir):
    old = add(cli, data_dir, "-t", "1.4", "-u", "黄湖村", "-s", "done", "-d", "2020-09-10", as_of="2020-10-05")
    new = ok(run(cli, data_dir, "report", "amend", old, "-d", "2020-10-02", "--reason", "日期填错", "--no-commit",
                 as_of="2020-10-05"))
    saved = yaml.safe_load((data_dir.parent / new).read_text(encoding="utf-8"))
    assert saved["period"] == "2020-10"
    # unless --period names the old one
    again = ok(run(cli, data_dir, "report", "amend", new, "-d", "2020-10-02", "-p", "2020-09", "--reason", "补报上月",
                   "--no-commit", as_of="2020-10-05"))
    assert yaml.safe_load((data_dir.parent / again).read_text(encoding="utf-8"))["period"] == "2020-09"


# ---- concurrent amendments (after a sync) ----------------------------------------------------


def test_two_amendments_of_one_report_are_a_problem_and_the_later_counts(cli, data_dir):
    old = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "-n", "1", "-d", "2020-09-10")
    a = ok(run(cli, data_dir, "report", "amend", old, "-n", "2", "--reason", "甲改", "--no-commit"))
    # A second office amended the same report: written by hand as a sync would bring it.
    b_path = data_dir / "reports" / "2020" / "09" / "2020-09-10-黄湖村-5.3-bbbbbb.yaml"
    text = (data_dir.parent / a).read_text(encoding="utf-8")
    recorded = yaml.safe_load(text)["recorded"]
    b_path.write_text(text.replace("count: 2", "count: 3").replace(recorded, "2099-01-01T00:00:00+08:00"),
                      encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert f"报告 {record_id(old)} 有 2 份并存的更正" in result.stdout and b_path.stem in result.stdout
    assert obligation(cli, data_dir, "黄湖村", "5.3", AS_OF)["count"] == 3  # the later by recorded
    ok(run(cli, data_dir, "report", "withdraw", b_path.stem, "--reason", "重复更正", "--no-commit"))
    assert cli("check", "--data", str(data_dir)).exit_code == 0
    assert obligation(cli, data_dir, "黄湖村", "5.3", AS_OF)["count"] == 2


# ---- reviews and decisions ---------------------------------------------------------------------


def test_a_review_of_a_withdrawn_report_counts_nowhere_and_none_can_be_added(cli, data_dir):
    path = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    ok(run(cli, data_dir, "report", "review", record_id(path), "--approve", "--by", "禁毒办", "--no-commit"))
    assert obligation(cli, data_dir, "苏家湖村", "1.1", AS_OF)["verification"] == "verified"
    ok(run(cli, data_dir, "report", "withdraw", record_id(path), "--reason", "报错", "--no-commit"))
    ob = obligation(cli, data_dir, "苏家湖村", "1.1", AS_OF)
    assert (ob["state"], ob["verification"]) == ("overdue", None)
    assert cli("check", "--data", str(data_dir)).exit_code == 0  # the review is valid; it just counts nowhere


def test_withdrawing_a_decision_undoes_it(cli, data_dir):
    request = ok(run(cli, data_dir, "extension", "request", "-t", "1.4", "-u", "黄湖村", "--until", "2020-10-20",
                     "--reason", "换届", "-p", "2020-09", "--no-commit", as_of="2020-09-20"))
    decision = ok(run(cli, data_dir, "extension", "decide", record_id(request), "--approve", "--by", "禁毒办",
                      "--no-commit", as_of="2020-09-21"))
    assert obligation(cli, data_dir, "黄湖村", "1.4", AS_OF, "2020-09")["due"] == "2020-10-20"
    ok(run(cli, data_dir, "withdraw", record_id(decision), "--reason", "批错了", "--no-commit"))
    assert obligation(cli, data_dir, "黄湖村", "1.4", AS_OF, "2020-09")["due"] == "2020-09-25"
    extensions = json.loads(ok(run(cli, data_dir, "extension", "list", "--format", "json")))
    assert [(e["id"], e["decision"]) for e in extensions] == [(record_id(request), "pending")]
    # Withdrawing the request itself takes it off the list.
    ok(run(cli, data_dir, "withdraw", request, "--reason", "不再申请", "--no-commit"))
    assert json.loads(ok(run(cli, data_dir, "extension", "list", "--format", "json"))) == []
    # A withdrawal cannot itself be withdrawn.
    withdrawals = sorted((data_dir / "withdrawals").rglob("*.yaml"))
    again = run(cli, data_dir, "withdraw", withdrawals[0].stem, "--reason", "x", "--no-commit")
    assert again.exit_code == 2


# ---- many units at once -------------------------------------------------------------------------


def test_a_group_report_writes_one_file_per_unit_in_one_commit(cli, git_data_dir):
    repo = git_data_dir.parent
    result = run(cli, git_data_dir, "report", "add", "-t", "5.1", "-u", "各村、社区", "-s", "done", "-n", "3",
                 "-d", "2020-09-20", "--note", "全镇统一培训")
    assert result.exit_code == 0, result.output
    paths = result.stdout.splitlines()
    units = {yaml.safe_load((repo / p).read_text(encoding="utf-8"))["unit"] for p in paths}
    assert len(paths) == 23 and "苏家湖村" in units and "枫林社区" in units and "兰溪派出所" not in units
    assert git("status", "--porcelain", cwd=repo) == ""
    [subject] = git("log", "-1", "--format=%s", cwd=repo).splitlines()
    assert "共 23 个单位" in subject
    committed = git("-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD", cwd=repo)
    assert committed.split() == sorted(paths)


def test_repeated_units_and_a_group_with_a_bad_unit(cli, data_dir):
    paths = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-u", "黄湖村", "-u", "苏家湖村", "-s", "done")
    assert len(paths.splitlines()) == 2  # each unit once
    before = snapshot_files(data_dir)
    # 6.2 is the police's and the justice office's: a village among them is refused, so nothing is written.
    result = run(cli, data_dir, "report", "add", "-t", "6.2", "-u", "派出所", "-u", "黄湖村", "-u", "司法所",
                 "-s", "done", "--no-commit")
    assert result.exit_code == 2 and "黄湖村" in result.stderr and "没有为任何单位写入" in result.stderr
    assert snapshot_files(data_dir) == before


# ---- ids where paths were ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "path", "absolute", "yaml name"])
def test_every_id_form_is_accepted(cli, data_dir, form):
    path = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    given = {"id": record_id(path), "path": path, "absolute": str(data_dir.parent / path),
             "yaml name": Path(path).name}[form]
    ok(run(cli, data_dir, "report", "review", given, "--approve", "--by", "禁毒办", "--no-commit"))
    ok(run(cli, data_dir, "report", "amend", given, "--note", "补充说明", "--reason", "补", "--no-commit"))


# ---- the views agree -----------------------------------------------------------------------------


def test_status_assess_export_and_bulletin_agree_after_corrections(cli, data_dir, tmp_path):
    a = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    b = add(cli, data_dir, "-t", "1.2", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    ok(run(cli, data_dir, "report", "withdraw", a, "--reason", "报错", "--no-commit"))
    ok(run(cli, data_dir, "report", "amend", b, "-d", "2020-09-25", "--reason", "日期", "--no-commit"))
    summary = {r["unit"]: r for r in json.loads(ok(run(cli, data_dir, "status", "--format", "json")))["units"]}
    own = summary["苏家湖村"]
    ok(run(cli, data_dir, "export", "-o", str(tmp_path / "l.csv")))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "l.csv").read_text(encoding="utf-8-sig"))))
    mine = [r for r in rows if "苏家湖村" in r.values()]
    states = [r for r in mine if any(v in ("已完成", "逾期完成", "已逾期") for v in r.values())]
    assert sum("逾期完成" in r.values() for r in states) == own["late"] == 1  # 1.2 amended to a late day
    assert sum("已完成" in r.values() for r in states) == own["done"]
    assess = {r["unit"]: r for r in json.loads(ok(run(cli, data_dir, "assess", "--format", "json")))}
    assert "苏家湖村" in assess
    bulletin = ok(run(cli, data_dir, "bulletin"))
    assert ("苏家湖村" in bulletin) == (own["overdue"] > 0)


# ---- report list --all as a table -----------------------------------------------------------


def id_cells(table: str) -> dict[str, tuple[list[str], str]]:
    """Each report row of `report list`'s table (the id last, or first where the
    terminal is narrow): its 编号 column's lines, and its 状态 cell's lines joined."""

    def cut(line: str, start: int, end: int | None = None) -> str:
        out, used = "", 0
        for char in line:
            if used >= start and (end is None or used < end):
                out += char
            used += cell_len(char)
        return out.strip()

    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    head = lines[rule - 1]
    at = {name: cell_len(head[: head.index(name)]) for name in ("编号", "任务", "状态", "数量")}
    id_end = None if at["编号"] > at["任务"] else at["任务"]
    rows: list[tuple[list[str], list[str]]] = []
    for line in lines[rule + 1:]:
        if cut(line, at["任务"], at["状态"]):  # a row's first line: its task id
            rows.append(([], []))
        rows[-1][0].append(cut(line, at["编号"], id_end))
        rows[-1][1].append(cut(line, at["状态"], at["数量"]))
    return {"".join(ids): ([i for i in ids if i], "".join(states)) for ids, states in rows}


@pytest.mark.parametrize("columns", [80, 120])
def test_the_table_marks_what_counts_nowhere_and_never_splits_a_name_in_an_id(cli, data_dir, columns):
    kept = record_id(add(cli, data_dir, "-t", "6.1", "-u", "社会治安和应急管理办", "-s", "done", "--rate", "0.6",
                         "-d", "2020-09-10",
                         "--note", "第一场培训已完成，参训人员包括客运、货运、出租车司机共三十二人"))
    old = record_id(add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-d", "2020-09-02"))
    new = record_id(ok(run(cli, data_dir, "report", "amend", old, "-s", "完成", "--reason", "漏报完成", "--no-commit")))
    gone = record_id(add(cli, data_dir, "-t", "1.1", "-u", "黄湖村", "-d", "2020-09-02"))
    ok(run(cli, data_dir, "report", "withdraw", gone, "--reason", "报错了村", "--no-commit"))
    table = ok(run(cli, data_dir, "report", "list", "--all", env={"COLUMNS": str(columns)})) + "\n"
    assert max(cell_len(line) for line in table.splitlines()) <= columns
    assert table.splitlines()[1].startswith("编号" if columns == 80 else "日期")  # narrow: the id first
    rows = id_cells(table)
    assert set(rows) == {kept, old, new, gone}  # every id whole, read back from its column
    assert {i: state for i, (_, state) in rows.items()} == {
        kept: "完成", old: "进行中（已更正）", new: "完成", gone: "进行中（已撤回）"}
    for report_id, (lines, _) in rows.items():
        assert all(line.endswith("-") for line in lines[:-1]), lines  # broken only after a hyphen
        unit = report_id.split("-")[3]
        assert any(unit in line for line in lines), (unit, lines)  # the unit's name on one line
    # without --all the table leaves out what counts nowhere, and marks nothing
    plain = id_cells(ok(run(cli, data_dir, "report", "list", env={"COLUMNS": str(columns)})) + "\n")
    assert set(plain) == {kept, new} and all(state == "完成" for _, state in plain.values())


def test_withdraw_and_exemption_decide_complete_ids_of_their_records(cli, data_dir):
    from conftest import run_lanxi

    report = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖村", "-s", "done", "-d", "2020-09-02")
    request = ok(run(cli, data_dir, "exemption", "request", "-t", "3.3", "-u", "苏家湖村", "--reason", "本村无高中",
                     "--no-commit"))
    env = {"LANXI_DATA": str(data_dir), "_LANXI_COMPLETE": "complete_bash"}
    offered = run_lanxi(env={**env, "COMP_WORDS": "lanxi withdraw 苏家湖", "COMP_CWORD": "2"}).stdout.split()
    assert offered == sorted([record_id(report), record_id(request)])
    offered = run_lanxi(env={**env, "COMP_WORDS": "lanxi exemption decide 苏家湖", "COMP_CWORD": "3"}).stdout.split()
    assert offered == [record_id(request)]
