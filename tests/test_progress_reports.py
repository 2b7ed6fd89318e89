"""A 旬报 alone: `report add --unit X --note 本旬无新进展` without --task (issue 22, item 4).

It files the unit's 旬报 window and counts toward no obligation; whatever only a task's report
says (status, count, rate, period, part) is refused with it, as is a unit that owes no 旬报
(禁毒办 receives them). Every command that shows reports shows it; withdraw and amend work on it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import git, read_report

D = dt.date.fromisoformat
AS_OF = "2020-10-01"


def reports(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports").rglob("*.yaml"))


def alone(cli, data_dir, *args, as_of=AS_OF, input=None):
    return cli("report", "add", "--data", str(data_dir), "--as-of", as_of, *args, input=input)


def listed(cli, data_dir, *args, as_of=AS_OF):
    result = cli("report", "list", "--data", str(data_dir), "--as-of", as_of, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def missing(cli, data_dir, as_of):
    result = cli("report", "missing", "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["units"]


def status_rows(cli, data_dir, unit, as_of=AS_OF):
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["obligations"]


# ---- the window a day lies in ------------------------------------------------------------


@pytest.mark.parametrize(("day", "window"), [
    ("2020-09-01", ("2020-09-01", "2020-09-10")),  # the rule begins on the notice's date
    ("2020-09-10", ("2020-09-01", "2020-09-10")),  # a reporting day closes its own window
    ("2020-09-11", ("2020-09-11", "2020-09-20")),
    ("2020-09-26", ("2020-09-21", "2020-09-30")),
    ("2020-10-31", ("2020-10-31", "2020-11-10")),  # the 31st opens the next month's first window
    ("2020-12-30", ("2020-12-21", "2020-12-30")),
    ("2020-12-31", None),  # its window would end after the campaign
    ("2020-08-31", None),  # before the rule begins
    ("2021-01-05", None),
])
def test_the_window_a_day_lies_in(day, window):
    from lanxi_cli.io import load, locate

    book = load.load_book(locate.find_data_dir("data"))
    assert book.progress_window(D(day)) == (tuple(map(D, window)) if window else None)


# ---- report add without --task -----------------------------------------------------------


def test_a_progress_report_alone_files_its_window_and_no_obligation(cli, data_dir):
    """金石村 says 本旬无新进展 on 09-26: its window 09-21..09-30 is filed (from 10-01 it is checked),
    and its obligations read exactly as without it."""
    before = status_rows(cli, data_dir, "金石村")
    assert "金石村" in missing(cli, data_dir, AS_OF)
    result = alone(cli, data_dir, "--unit", "金石村", "--note", "本旬无新进展", "--date", "2020-09-26",
                   "--by", "王五", "--no-commit")
    assert result.exit_code == 0, result.output
    [path] = reports(data_dir)
    assert result.stdout.strip().endswith(path.name) and "-金石村-旬报-" in path.name
    assert "计入：金石村 的旬报（2020-09-21 至 2020-09-30），不计入任何任务。" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "task" not in text and "note: 本旬无新进展" in text
    assert "金石村" not in missing(cli, data_dir, AS_OF)
    assert status_rows(cli, data_dir, "金石村") == before
    [row] = listed(cli, data_dir)
    assert (row["task"], row["unit"], row["date"], row["note"], row["by"]) == (None, "金石村", "2020-09-26",
                                                                                "本旬无新进展", "王五")


def test_a_progress_report_outside_the_window_files_another(cli, data_dir):
    assert alone(cli, data_dir, "-u", "金石村", "--note", "本旬无新进展", "-d", "2020-09-20",
                 "--no-commit").exit_code == 0
    assert "金石村" in missing(cli, data_dir, AS_OF)  # 09-20 is the window before


@pytest.mark.parametrize(("args", "said"), [
    (("--status", "progress"), "不能写 --status"),  # any status, the default too
    (("--status", "done"), "不能写 --status"),
    (("--count", "2"), "不能写 --count"),
    (("--rate", "0.5"), "不能写 --rate"),
    (("--period", "2020-09"), "不能写 --period"),
    (("--part", "中央省级"), "不能写 --part"),
    (("--count", "1", "--period", "2020-09"), "不能写 --count、--period"),
    (("--unit", "禁毒办"), "禁毒办是旬报的接收方（plan.yaml progress_reports），无需报送旬报"),
    (("--unit", "邮政"), "邮政不在旬报报送单位之列"),
    (("--date", "2020-08-31"), "旬报日期 2020-08-31 不在任何旬报期内（2020-09-01 至 2020-12-30）"),
    (("--date", "2020-12-31"), "不在任何旬报期内"),
    (("--date", "2021-01-06"), "晚于今天"),
])
def test_what_a_progress_report_alone_cannot_say_is_refused(cli, git_data_dir, args, said):
    repo = git_data_dir.parent
    head = git("rev-parse", "HEAD", cwd=repo)
    unit = () if "--unit" in args else ("--unit", "苏家湖村")
    result = alone(cli, git_data_dir, *unit, "--note", "本旬无新进展", *args, as_of="2021-01-05")
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert "Traceback" not in result.output
    assert reports(git_data_dir) == [] and git("rev-parse", "HEAD", cwd=repo) == head


def test_without_task_or_note_the_task_is_asked_for(cli, data_dir):
    result = alone(cli, data_dir, "--unit", "苏家湖村")
    assert result.exit_code == 2
    assert "缺少选项 --task（只报旬报时不写 --task，写 --note）" in result.stderr
    result = alone(cli, data_dir, "--note", "本旬无新进展")
    assert result.exit_code == 2 and "缺少选项 --unit" in result.stderr and "--task" not in result.stderr


def test_a_group_files_one_report_each_in_one_commit(cli, git_data_dir):
    repo = git_data_dir.parent
    result = alone(cli, git_data_dir, "--unit", "镇属各部门", "--note", "本旬无新进展", "--date", "2020-09-15",
                   "--by", "党政办")
    assert result.exit_code == 0, result.output
    from lanxi_cli.io import load

    book = load.load_book(git_data_dir)
    departments = [u for u in book.owes_progress_reports() if book.units[u].kind == "department"]  # plan order
    files = reports(git_data_dir)
    assert sorted(row["unit"] for row in listed(cli, git_data_dir)) == sorted(departments)
    assert len(files) == len(departments) == len(result.stdout.split()) > 1
    assert "禁毒办" not in departments  # a group stands for its members that owe 旬报: not the receiver
    subjects = git("log", "--format=%s", cwd=repo).splitlines()
    together = f"（共 {len(files)} 个单位：{'、'.join(departments)}）"
    assert subjects[0] == f"报告：旬报 {departments[0]} 2020-09-15（党政办）{together}"
    assert len(subjects) == 2
    for unit in departments:
        assert unit not in missing(cli, git_data_dir, "2020-09-21")


def test_the_receiver_named_among_others_writes_nothing(cli, data_dir):
    result = alone(cli, data_dir, "--unit", "苏家湖村", "--unit", "禁毒办", "--note", "本旬无新进展",
                   "--no-commit")
    assert result.exit_code == 2
    assert "（禁毒办；没有为任何单位写入）" in result.stderr and reports(data_dir) == []


def test_a_group_that_owes_no_progress_report_is_refused(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "  exempt: [禁毒办]\n" in text
    plan.write_text(text.replace("  exempt: [禁毒办]\n", "  exempt: [镇属各部门]\n"), encoding="utf-8")
    result = alone(cli, data_dir, "--unit", "镇属各部门", "--note", "本旬无新进展", "--no-commit")
    assert result.exit_code == 2
    assert "“镇属各部门”中没有需要报送旬报的单位" in result.stderr and reports(data_dir) == []


# ---- every command that shows reports ------------------------------------------------------


def test_it_shows_in_the_report_table_and_report_show(cli, data_dir):
    assert alone(cli, data_dir, "-u", "黄湖村", "--note", "本旬无新进展", "-d", "2020-09-15",
                 "--no-commit").exit_code == 0
    table = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF)
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if line.startswith("2020-09-15"))
    assert row.split()[:4] == ["2020-09-15", "旬报", "黄湖村", "—"]
    [report_id] = [r["id"] for r in listed(cli, data_dir)]
    shown = cli("report", "show", report_id, "--data", str(data_dir), "--as-of", AS_OF)
    assert shown.exit_code == 0, shown.output
    assert "  任务：旬报（不属于任何任务）\n  单位：黄湖村\n  日期：2020-09-15\n  说明：本旬无新进展\n" in shown.stdout
    assert "状态" not in shown.stdout and "销号核验" not in shown.stdout
    data = json.loads(cli("report", "show", report_id, "--data", str(data_dir), "--as-of", AS_OF,
                          "--format", "json").stdout)
    assert data["task"] is None and data["unit"] == "黄湖村"


def test_withdraw_and_amend_work_on_it(cli, data_dir):
    day = ("--data", str(data_dir), "--as-of", AS_OF, "--no-commit")
    assert alone(cli, data_dir, "-u", "罗湖村", "--note", "本旬无新进展", "-d", "2020-09-25",
                 "--no-commit").exit_code == 0
    [first] = listed(cli, data_dir)
    refused = cli("report", "amend", first["id"], "--count", "3", "--reason", "补报", *day)
    assert refused.exit_code == 2 and "不能写 --count" in refused.stderr
    amended = cli("report", "amend", first["id"], "--note", "本旬召开动员会一次", "--reason", "补充", *day)
    assert amended.exit_code == 0, amended.output
    [second] = listed(cli, data_dir)
    assert (second["task"], second["note"], second["supersedes"]) == (None, "本旬召开动员会一次", first["id"])
    assert "罗湖村" not in missing(cli, data_dir, AS_OF)
    assert cli("report", "withdraw", second["id"], "--reason", "误报", *day).exit_code == 0
    assert [r["id"] for r in listed(cli, data_dir)] == [first["id"]]  # its amendment withdrawn, it stands again
    assert cli("report", "withdraw", first["id"], "--reason", "误报", *day).exit_code == 0
    assert listed(cli, data_dir) == []
    assert "罗湖村" in missing(cli, data_dir, AS_OF)  # withdrawn: it files nothing


def test_it_claims_nothing_to_review(cli, data_dir):
    assert alone(cli, data_dir, "-u", "罗湖村", "--note", "本旬无新进展", "-d", "2020-09-25",
                 "--no-commit").exit_code == 0
    [row] = listed(cli, data_dir)
    result = cli("report", "review", row["id"], "--approve", "--by", "禁毒办", "--data", str(data_dir),
                 "--as-of", AS_OF, "--no-commit")
    assert result.exit_code == 2 and "该报告是旬报" in result.stderr


def test_log_names_it_by_its_unit(cli, git_data_dir):
    assert alone(cli, git_data_dir, "-u", "罗湖村", "--note", "本旬无新进展", "-d", "2020-09-25").exit_code == 0
    result = cli("log", "--unit", "罗湖村", "--data", str(git_data_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    [change] = json.loads(result.stdout)
    assert change["subject"] == "报告：旬报 罗湖村 2020-09-25"
    other = cli("log", "--unit", "黄湖村", "--data", str(git_data_dir), "--format", "json")
    assert json.loads(other.stdout) == []
    by_task = cli("log", "--task", "1.1", "--data", str(git_data_dir), "--format", "json")
    assert json.loads(by_task.stdout) == []


def test_the_ledger_lists_it_among_the_reports(cli, data_dir, tmp_path):
    import openpyxl

    assert alone(cli, data_dir, "-u", "罗湖村", "--note", "本旬无新进展", "-d", "2020-09-25",
                 "--no-commit").exit_code == 0
    out = tmp_path / "台账.xlsx"
    result = cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["报告"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] and "-旬报-" in str(row[0])]
    assert [(r[1], r[2], r[4], r[9]) for r in rows] == [("旬报", "罗湖村", "—", "本旬无新进展")]


# ---- a file on disk ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "said"), [
    ("unit: 黄湖村\ndate: 2020-09-12\nnote: 本旬无新进展\n", None),
    ("task: null\nunit: 黄湖村\ndate: 2020-09-12\nnote: 本旬无新进展\n", None),
    ("unit: 黄湖村\ndate: 2020-09-12\nstatus: done\nnote: 完成\n", "不能写 status"),
    ("unit: 黄湖村\ndate: 2020-09-12\ncount: 2\nnote: 完成\n", "不能写 count"),
    ("unit: 黄湖村\ndate: 2020-09-12\n", "旬报应写明本旬进展（note）"),
    ("unit: 禁毒办\ndate: 2020-09-12\nnote: 本旬无新进展\n", "无需报送旬报"),
    ("task: ''\nunit: 黄湖村\ndate: 2020-09-12\nnote: 本旬无新进展\n", "task: 不能为空"),
])
def test_a_file_without_a_task_is_a_progress_report(data_dir, text, said):
    from lanxi_cli.io import load

    path = data_dir / "reports" / "r.yaml"
    path.write_text(text, encoding="utf-8")
    report, problems = read_report(path, load.load_book(data_dir))
    if said is None:
        assert problems == [] and report.task is None and report.unit == "黄湖村"
    else:
        assert report is None and said in " ".join(p.message for p in problems)


def test_check_names_a_bad_progress_report_file(cli, data_dir):
    (data_dir / "reports" / "r.yaml").write_text("unit: 黄湖村\ndate: 2020-09-12\nstatus: done\nnote: x\n",
                                                 encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "r.yaml" in result.stdout + result.stderr and "不能写 status" in result.stdout + result.stderr


def test_the_schema_makes_task_optional(cli):
    result = cli("schema", "report")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "task" not in schema["required"] and {"unit", "date"} <= set(schema["required"])
    assert {"type": "null"} in schema["properties"]["task"]["anyOf"]


def test_a_terminal_asks_only_for_the_unit(cli, data_dir, monkeypatch):
    """With --note and no --task on a terminal, the unit is asked (the units owing 旬报 shown),
    never a task or a status."""
    from lanxi_cli.cli import report

    monkeypatch.setattr(report, "_interactive", lambda: True)
    result = alone(cli, data_dir, "--note", "本旬无新进展", "-d", "2020-09-25", "--no-commit", input="火星村\n金石\n")
    assert result.exit_code == 0, result.output
    assert "报送旬报的单位：" in result.stderr and "禁毒办" not in result.stderr.split("报送旬报的单位：")[1]
    assert "未知单位“火星村”" in result.stderr and "任务编号" not in result.stderr and "状态" not in result.stderr
    [row] = listed(cli, data_dir)
    assert (row["task"], row["unit"]) == (None, "金石村")
