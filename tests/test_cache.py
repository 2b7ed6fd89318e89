"""The machine-local cache: the same answers as the files, whatever state it is in."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from lanxi_cli.core.domain import Layout, Report
from lanxi_cli.io import save
from lanxi_cli.store import cache, index_file

AS_OF = "2020-10-15"
HOUR_AGO = time.time() - 3600


def age(*paths) -> None:
    """Files written an hour ago: old enough for the cache to trust their stamps."""
    for path in paths:
        os.utime(path, (HOUR_AGO, HOUR_AGO))


def add(data_dir, task="6.3", unit="苏家湖村", day=dt.date(2020, 9, 5), **fields):
    path = save.save_report(data_dir, Report(task=task, unit=unit, date=day, **fields))
    age(path)
    return path


def write_bad(data_dir, name: str, text: str):
    path = data_dir / "reports" / name
    path.write_text(text, encoding="utf-8")
    age(path)
    return path


@pytest.fixture
def data(data_dir):
    age(data_dir / "plan.yaml", data_dir / "tasks.yaml")
    return data_dir


def status(cli, data_dir, unit="苏家湖村"):
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def uncached(cli, data_dir, monkeypatch, tmp_path, unit="苏家湖村"):
    """The answer from the files alone: a cache folder never used before."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"fresh-{time.monotonic_ns()}"))
    return status(cli, data_dir, unit)


def count_of(answer, task="6.3", period="2020-09"):
    return next(o["count"] for o in answer["obligations"] if o["task"] == task and o["period"] == period)


def test_warm_run_reads_no_report_file_and_builds_no_validator(cli, data, reads):
    add(data, count=2)
    add(data, status="done", day=dt.date(2020, 9, 6), count=1)
    cold = status(cli, data)
    assert cache.cache_file(data, "reports").is_file()
    assert reads.files["reports"] == 2 and reads.files["plan.yaml"] == 1 and reads.validations  # the control
    reads.reset()
    assert status(cli, data) == cold
    assert not reads.files and not reads.validations and not reads.builds  # no file, no pydantic, no build


def test_a_progress_report_without_a_task_is_kept_as_a_record(cli, data, reads):
    """A 旬报 alone has None as its task: the cache keeps it as a record (its `unit`
    marks a row as one, domain.Layout.key), not as a file with problems, so a warm
    run reads no file for it."""
    add(data, task=None, unit="黄湖村", day=dt.date(2020, 9, 15), note="本旬无新进展")
    add(data, count=1)
    query = ("report", "list", "--data", str(data), "--as-of", AS_OF, "--format", "json")
    cold = cli(*query)
    assert cold.exit_code == 0 and "黄湖村" in cold.stdout and not cold.stderr
    rels, _, columns, bad = cache.Cache(data).stored("reports")
    fields = Layout(Report).fields
    assert Layout(Report).key == fields.index("unit") and not bad
    assert sorted(columns[fields.index("task")], key=str) == ["6.3", None]
    reads.reset()
    warm = cli(*query)
    assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr)
    assert not reads.files and not reads.validations


def test_an_edit_keeping_size_and_mtime_is_seen(cli, data, monkeypatch, tmp_path):
    path = add(data, count=1)
    assert count_of(status(cli, data)[0]) == 1
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("count: 1", "count: 3"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == before.st_size
    answer = status(cli, data)
    assert count_of(answer[0]) == 3
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


def test_an_edit_then_touch_is_seen(cli, data, monkeypatch, tmp_path):
    path = add(data, count=1)
    status(cli, data)
    path.write_text(path.read_text(encoding="utf-8").replace("count: 1", "count: 2"), encoding="utf-8")
    os.utime(path, (HOUR_AGO + 60, HOUR_AGO + 60))
    answer = status(cli, data)
    assert count_of(answer[0]) == 2
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


def test_a_deleted_report_is_gone_and_a_new_one_counted(cli, data, monkeypatch, tmp_path):
    first = add(data, count=1)
    status(cli, data)
    first.unlink()
    add(data, count=2, day=dt.date(2020, 9, 7))
    answer = status(cli, data)
    assert count_of(answer[0]) == 2
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "flipped", "truncated", "empty"])
def test_a_corrupt_cache_changes_nothing_and_is_rebuilt(cli, data, damage):
    add(data, count=1)
    add(data, status="done", day=dt.date(2020, 10, 2))
    write_bad(data, "broken.yaml", "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-31\n")
    cold = status(cli, data)
    path = cache.cache_file(data, "reports")
    blob = path.read_bytes()
    damaged = {
        "garbage": b"\x00not a cache" * 50,
        "flipped": blob[:-40] + bytes(b ^ 0xFF for b in blob[-40:]),
        "truncated": blob[: len(blob) // 2],
        "empty": b"",
    }[damage]
    path.write_bytes(damaged)
    index_file.index_path(data).unlink()  # so that the reports' cache is read
    assert status(cli, data) == cold
    assert path.read_bytes() != damaged  # written again, whole
    assert status(cli, data) == cold


def test_a_cache_deleted_midway_changes_nothing(cli, data, monkeypatch, tmp_path):
    from lanxi_cli.cli.common import open_session

    add(data, count=1)
    cold = status(cli, data)
    session = open_session(data, AS_OF)  # the cache is read here…
    cache.cache_file(data, "reports").unlink()  # …and gone before the reports are loaded
    assert [r.count for r in session.reports] == [1]
    assert status(cli, data) == cold == uncached(cli, data, monkeypatch, tmp_path)


def test_an_unwritable_cache_changes_nothing(cli, data, monkeypatch, tmp_path):
    add(data, count=1)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = status(cli, data)
    assert status(cli, data) == first == uncached(cli, data, monkeypatch, tmp_path)


def test_broken_reports_warn_on_every_run(cli, data):
    add(data, count=1)
    write_bad(data, "a-bad-date.yaml", "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-31\n")
    write_bad(data, "b-unknown-unit.yaml", "task: '6.3'\nunit: 火星村\ndate: 2020-09-03\n")
    write_bad(data, "c-escape.yaml", "task: '6.3'\nunit: 火星村\ndate: 2020-09-03\nnote: \"\\e[2J\"\n")
    for _ in range(3):
        _, stderr = status(cli, data)
        assert "a-bad-date.yaml:3" in stderr
        assert "b-unknown-unit.yaml:2" in stderr and "火星村" in stderr
        assert "c-escape.yaml:2: unit" in stderr and "c-escape.yaml:4: note: 含有控制字符 U+001B" in stderr


def test_a_changed_plan_is_read_again(cli, data, monkeypatch, tmp_path):
    add(data, count=1)
    status(cli, data)
    plan = data / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("苏家湖村", "苏家湖新村"), encoding="utf-8")
    age(plan)
    result = cli("status", "--unit", "苏家湖新村", "--data", str(data), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "未知单位“苏家湖村”" in result.stderr  # the old report's unit is unknown now


def test_check_reads_the_files_never_the_cache(cli, data):
    path = write_bad(data, "bad.yaml", "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-05\nstatus: finished\n")
    _, stderr = status(cli, data)
    assert "bad.yaml" in stderr
    # Forge a cache that calls the bad file a valid report: queries trust it (its stamp matches)…
    forged = cache.Cache(data)
    rels, stamps, columns, bad = entry = forged.stored("reports")
    i = rels.index("bad.yaml")
    row = {"task": "6.3", "unit": "苏家湖村", "date": dt.date(2020, 9, 5).toordinal(), "status": "done"}
    for column, name in zip(columns, Layout(Report).fields, strict=True):
        column[i] = row.get(name, Report.__dataclass_fields__[name].default)
    bad.pop(i)
    forged.store("reports", entry)
    index_file.index_path(data).unlink()  # built again, from the forged cache
    _, stderr = status(cli, data)
    assert "bad.yaml" not in stderr
    # …but check validates every file itself.
    result = cli("check", "--data", str(data))
    assert result.exit_code == 1
    assert f"{path.name}:4" in result.output + result.stderr


def test_a_well_formed_cache_holding_nonsense_changes_nothing(cli, data):
    add(data, count=1)
    cold = status(cli, data)
    forged = cache.Cache(data)
    rels, stamps, columns, bad = entry = forged.stored("reports")
    columns[2][0] = "not a day"  # a date ordinal that is not a number
    forged.store("reports", entry)
    assert status(cli, data) == cold


def test_a_cache_from_other_domain_classes_is_never_trusted(cli, data, monkeypatch):
    """Rows are rebuilt by position: a cache written when a record had other fields is ignored."""
    add(data, count=2)
    cold = status(cli, data)
    assert cache.Cache(data).stored("reports")
    monkeypatch.setattr(cache, "SCHEMA", (("Report", ("task", "unit", "count", "date")),))
    assert cache.Cache(data).stored("reports") is None and cache.Cache(data).stored("book") is None
    assert status(cli, data) == cold


def test_the_index_is_kept_and_a_damaged_one_changes_nothing(cli, data):
    add(data, count=1)
    add(data, task="1.1", status="done")
    cold = status(cli, data)
    kept = index_file.index_path(data)
    assert kept.is_file()  # the warm runs read it
    assert status(cli, data) == cold
    blob = bytearray(kept.read_bytes())
    for at in (len(index_file.HEADER) + 20, len(blob) // 2, len(blob) - 3):  # meta, a section, the last section
        damaged = blob.copy()
        damaged[at] ^= 0xFF
        kept.write_bytes(bytes(damaged))
        assert status(cli, data) == cold


def test_the_index_follows_every_change_of_a_report(cli, data, monkeypatch, tmp_path):
    first = add(data, count=1)
    status(cli, data)
    second = add(data, task="1.1", status="done")  # a new file
    assert status(cli, data) == uncached(cli, data, monkeypatch, tmp_path)
    first.write_text(first.read_text(encoding="utf-8").replace("count: 1", "count: 2"), encoding="utf-8")
    age(first)  # an edit in place, its mtime set back
    assert status(cli, data) == uncached(cli, data, monkeypatch, tmp_path)
    second.unlink()
    assert status(cli, data) == uncached(cli, data, monkeypatch, tmp_path)


def test_an_added_report_is_taken_without_building_the_index_again(cli, data, monkeypatch, tmp_path, reads):
    add(data, count=1)
    add(data, task="1.1", status="done", day=dt.date(2020, 9, 2))
    status(cli, data)
    assert reads.builds == 1  # the control: the first run builds it
    reads.reset()
    add(data, count=2, day=dt.date(2020, 9, 8))  # a new file: taken as it is
    answer = status(cli, data)
    assert count_of(answer[0]) == 3
    assert status(cli, data) == answer  # kept with it: still no build
    assert reads.builds == 0 and reads.files["reports"] == 1  # the new file read, once
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


def many(data, n: int, start: int = 0) -> None:
    """n more reports of 6.3 苏家湖村, written straight to files, an hour old."""
    for i in range(start, start + n):
        write_bad(data, f"many-{i:04d}.yaml", "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-10\ncount: 1\n")


def test_past_the_journal_the_index_is_built_again(cli, data, monkeypatch, tmp_path, reads):
    add(data, count=1)
    status(cli, data)
    reads.reset()
    many(data, index_file.JOURNAL)
    answer = status(cli, data)
    assert reads.builds == 0  # as many files added as the journal holds: taken as they are
    many(data, 1, start=index_file.JOURNAL)
    assert count_of(status(cli, data)[0]) == count_of(answer[0]) + 1
    assert reads.builds == 1  # one more: built again, once
    assert status(cli, data) == uncached(cli, data, monkeypatch, tmp_path)


def test_corrections_made_since_the_build_are_answered_then_built_in(cli, data, monkeypatch, tmp_path, reads):
    from lanxi_cli.core.domain import Withdrawal

    first = add(data, count=1)
    add(data, count=2, day=dt.date(2020, 9, 6))
    status(cli, data)
    reads.reset()
    withdrawal = Withdrawal(subject=first.stem, reason="误报", date=dt.date(2020, 9, 7))
    age(save.save_record(data, "withdrawals", withdrawal, "撤回", first.stem))
    answer = status(cli, data)  # one correction since: answered exactly, not built again
    assert count_of(answer[0]) == 2 and reads.builds == 0
    (data / "withdrawals" / "more").mkdir()
    for n in range(index_file.JOURNAL):  # as many again, of nothing known: past the journal
        write_bad(data, f"../withdrawals/more/w{n:04d}.yaml", f"subject: gone-{n}\nreason: 误报\ndate: 2020-09-07\n")
    assert status(cli, data) == answer and reads.builds == 1  # built anew, the withdrawals in it
    assert status(cli, data) == answer and reads.builds == 1
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


def test_a_damaged_list_of_indexed_files_changes_nothing(cli, data, monkeypatch, tmp_path):
    add(data, count=1)
    status(cli, data)
    listed = cache.cache_file(data, "index-files")
    blob = bytearray(listed.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    listed.write_bytes(bytes(blob))
    add(data, count=2, day=dt.date(2020, 9, 8))  # read only now, to see what was added
    answer = status(cli, data)
    assert count_of(answer[0]) == 3
    assert answer == uncached(cli, data, monkeypatch, tmp_path)


def test_report_add_never_reads_the_reports_cache_and_counts_what_is_there(cli, data, reads):
    """Issue 16, item 3: the book and the index serve report add; its word on
    stderr still counts the report already written."""
    add(data, count=1)
    status(cli, data)  # builds the index
    assert reads.files["reports"] == 1  # the control: a cold run reads the report
    index_file.index_path(data).unlink()
    reads.reset()
    status(cli, data)
    assert reads.cached["reports"] == 1  # and a run that builds the index, its cache
    reads.reset()
    result = cli("report", "add", "--task", "6.3", "--unit", "苏家湖村", "--count", "2", "--date", "2020-09-06",
                 "--no-commit", "--data", str(data), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "6.3 2020-09（苏家湖村" in result.stderr and "3/" in result.stderr  # 1 before, 2 now
    assert not reads.files["reports"] and not reads.cached["reports"] and not reads.builds
