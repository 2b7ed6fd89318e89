"""Tables, JSON and CSV through the CLI: aligned with wide characters, readable without colour."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.cells import cell_len

AS_OF = ("--data", "data", "--as-of", "2020-09-04")


def widths(text: str) -> list[int]:
    return [cell_len(line) for line in text.splitlines()]


def column_start(line: str, needle: str) -> int:
    return cell_len(line[: line.index(needle)])


@pytest.mark.parametrize("columns", ["80", "120"])
@pytest.mark.parametrize(
    "args", [("tasks",), ("tasks", "--overdue"), ("status",), ("status", "--unit", "派出所"), ("status", "--matrix"),
             ("units",)]
)
def test_tables_fit_the_terminal(cli, columns, args):
    result = cli(*args, *AS_OF, env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert max(widths(result.stdout)) <= int(columns)
    assert "\x1b[" not in result.stdout  # NO_COLOR: no escape codes


@pytest.mark.parametrize("columns", ["80", "120"])
def test_task_columns_stay_aligned(cli, columns):
    result = cli("tasks", *AS_OF, env={"COLUMNS": columns})
    rows = [line for line in result.stdout.splitlines() if "2020-" in line and line[:1].isdigit()]
    assert len(rows) == 29
    assert len({column_start(line, "2020-") for line in rows}) == 1
    states = ("已逾期", "未到期", "即将到期", "已完成")
    starts = {column_start(line, next(s for s in states if s in line)) for line in rows}
    assert len(starts) == 1


@pytest.mark.parametrize("columns", ["80", "120"])
def test_status_columns_stay_aligned(cli, columns):
    result = cli("status", *AS_OF, env={"COLUMNS": columns})
    rows = [line for line in result.stdout.splitlines() if line.endswith(("%", "—"))]
    assert len(rows) == 33  # every unit holding obligations: all but 禁毒协会, which only leads
    assert len({cell_len(line) for line in rows}) == 1  # the 完成率 column, right-aligned, ends in one place
    assert "社会治安和应急管理办" in result.stdout  # the widest name is not cut
    assert "全面推进阶段" in result.stdout and "距活动结束 118 天" in result.stdout


def test_overdue_lists_units_behind(cli):
    result = cli("tasks", "--overdue", *AS_OF)
    ids = [line.split()[0] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert ids == ["1.1", "1.2", "2.1", "2.2", "2.3", "4.1", "4.2", "6.3", "10.2"]
    assert "各村、社区全部" in result.stdout and "镇属各部门全部" in result.stdout


def test_matrix_marks_and_legend(cli):
    result = cli("status", "--matrix", *AS_OF)
    lines = result.stdout.splitlines()
    village = next(line for line in lines if line.startswith("苏家湖村"))
    marks = village[len("苏家湖村"):].split()
    assert marks[0] == "X" and "." in marks  # 1.1 overdue, later tasks open
    assert "图例" in result.stdout and "X 已逾期" in result.stdout
    grid = [line for line in lines if line.startswith(("苏家湖村", "黄湖村", "枫林社区"))]
    assert len({cell_len(line.rstrip()) for line in grid}) == 1


def test_tasks_json_has_every_contract_field(cli):
    result = cli("tasks", *AS_OF, "--format", "json")
    rows = json.loads(result.stdout)
    fields = {"id", "category", "text", "deadline", "lead", "units", "due", "state", "overdue_units"}
    assert all(fields <= set(row) for row in rows)
    first = rows[0]
    assert (first["id"], first["deadline"], first["state"]) == ("1.1", "9月03日前", "overdue")
    assert first["due"] == "2020-09-03"
    assert len(first["overdue_units"]) == 23
    assert "\\u" not in result.stdout  # UTF-8, not ASCII-escaped


def test_tasks_for_a_unit_are_its_own(cli, data_dir):
    """`tasks --unit 苏家湖村`: worked out from the village's own obligations, not the town's."""
    (data_dir / "reports" / "a.yaml").write_text("task: '9.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n",
                                                 encoding="utf-8")
    args = ("--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json")
    town = {r["id"]: r for r in json.loads(cli("tasks", *args).stdout)}
    mine = {r["id"]: r for r in json.loads(cli("tasks", "--unit", "苏家湖", *args).stdout)}
    assert (town["9.1"]["due"], town["9.1"]["state"]) == ("2020-09-30", "open")
    assert (mine["9.1"]["due"], mine["9.1"]["state"], mine["9.1"]["overdue_units"]) == ("2020-12-20", "open", [])
    assert (mine["1.1"]["state"], mine["1.1"]["overdue_units"]) == ("overdue", ["苏家湖村"])
    assert len(town["1.1"]["overdue_units"]) == 23
    assert "5.1" in mine and "9.2" not in mine  # responsible for 5.1; neither leads nor holds 9.2


def test_status_json(cli):
    overall = json.loads(cli("status", *AS_OF, "-f", "json").stdout)
    assert overall["as_of"] == "2020-09-04"
    row = overall["units"][0]
    assert set(row) >= {"unit", "kind", "total", "done", "late", "overdue", "due_soon", "open"}
    one = json.loads(cli("status", "--unit", "派出所", *AS_OF, "-f", "json").stdout)
    assert one["unit"] == "兰溪派出所"
    assert all(set(o) >= {"task", "period", "due", "state", "count", "target"} for o in one["obligations"])
    assert [lead["task"] for lead in one["leads"]] == ["5.1"]
    assert set(one["leads"][0]) >= {"task", "units_total", "units_done", "units_overdue"}
    assert one["leads"][0]["units_total"] == 23


def test_csv_is_parseable(cli):
    result = cli("tasks", *AS_OF, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 29 and rows[0]["编号"] == "1.1"
    assert list(rows[0])[:4] == ["编号", "类别", "任务内容", "完成时限"]  # headers in Chinese


def test_usage_errors_exit_2(cli):
    assert cli("status", "--unit", "金", *AS_OF).exit_code == 2
    assert cli("tasks", "--as-of", "2020-02-30", "--data", "data").exit_code == 2
    assert cli("tasks", "--due-within", "-1", *AS_OF).exit_code == 2
    assert cli("tasks", "--bogus").exit_code == 2


def test_every_command_has_help(cli):
    import typer.main

    from lanxi_cli.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help or command.short_help, name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tasks", "--bogus"), "错误：没有选项 --bogus"),
        (("tasks", "--unti", "x"), "错误：没有选项 --unti（是否想用 --unit？）"),
        (("tasks", "--due-within", "-1"), "错误：选项 --due-within 的值无效："),
        (("tasks", "--format", "xml"), "错误：选项 --format 的值无效：“xml”不是可选值之一"),
        (("report", "add", "--count", "x"), "错误：选项 --count 的值无效："),
        (("nosuch",), "错误：没有命令“nosuch”"),
    ],
)
def test_usage_errors_are_told_in_chinese(args, message):
    from conftest import run_lanxi

    result = run_lanxi(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Invalid value for '--due-within': -1 is not in the range 0<=x<=3660.",
         "选项 --due-within 的值无效：-1 应在 0 到 3660 之间"),
        ("Invalid value for '--due-within': Input should be greater than or equal to 0",
         "选项 --due-within 的值无效：应不小于 0"),
        ("Invalid value for '--count' / '-n': 'x' is not a valid integer.",
         "选项 --count 的值无效：“x”不是整数"),
        ("Invalid value for '--count' / '-n': Input should be a valid integer, unable to parse",
         "选项 --count 的值无效：应为整数"),
        ("Missing option '--by'.", "缺少选项 --by"),
        ("Got unexpected extra argument (x)", "多余的参数：x"),
        ("Something click may say one day", "Something click may say one day"),
    ],
)
def test_click_messages_translate_across_typer_versions(english, chinese):
    from lanxi_cli.cli.usage import translate

    assert translate(english) == chinese


def test_matrix_columns_widen_for_item_numbers_past_nine(cli, data_dir):
    tasks = data_dir / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    extra = "".join(
        f"\n- {{id: '10.{n}', category: 督导检查, text: 补充督导{n}。, deadline_text: 12月30日前,"
        f" deadline: {{rule: once, due: 2020-12-30}}, lead: 禁毒办, units: [各村、社区]}}\n"
        for n in range(3, 12)
    )
    tasks.write_text(text + extra, encoding="utf-8")
    result = cli("status", "--matrix", "--data", str(data_dir), "--as-of", "2020-09-04", env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    items = next(line for line in lines if line.startswith("单位")).split()[1:]
    assert items[-3:] == ["9", "10", "11"] and len(items) == 38
    village = next(line for line in lines if line.startswith("苏家湖村"))
    assert cell_len(village.rstrip()) == cell_len(next(ln for ln in lines if ln.startswith("单位")).rstrip()) - 1


@pytest.mark.parametrize("args", [("--help",), ("tasks", "-h"), ("report", "add", "--help")])
def test_help_screens_speak_chinese(args):
    from conftest import run_lanxi

    result = run_lanxi(*args)
    assert result.returncode == 0
    assert "选项" in result.stdout and "显示本帮助并退出" in result.stdout
    for english in ("Options", "Show this message and exit", "[default:", "[env var:"):
        assert english not in result.stdout


def test_every_state_has_a_word_a_mark_and_colours():
    """Every state the engine produces, `exempt` (不适用) too, has a word, a mark and colours."""
    import datetime as dt

    from lanxi_cli.core.overview import Campaign
    from lanxi_cli.render import words
    from lanxi_cli.render.tables import MatrixView

    states = ("done", "late", "overdue", "due_soon", "open", "exempt")
    for table in (words.STATE_NAMES, words.STATE_MARKS, words.STATE_STYLES, words.STATE_COLOURS):
        assert set(table) == set(states)
    assert words.STATE_NAMES["exempt"] == "不适用" and set(words.STATE_ORDER) == set(states)
    assert len(set(words.STATE_MARKS.values())) == len(states)  # each mark tells one state
    day = dt.date(2020, 9, 15)
    campaign = Campaign("兰溪镇", "方案", dt.date(2020, 8, 1), dt.date(2020, 12, 31), day, "全面推进阶段", "during")
    cells = {("苏家湖村", "3.1"): "exempt", ("苏家湖村", "3.2"): "open"}
    view = MatrixView(campaign, ["3.1", "3.2"], ["苏家湖村"], cells)
    lines = view.text(80, colour=False).splitlines()
    assert lines[4].split() == ["苏家湖村", "-", "."]
    assert "- 不适用" in lines[5]


def test_matrix_cell_of_a_recurring_task_is_its_current_occurrence_as_on_the_dashboard(cli, data_dir):
    """苏家湖村 did September's 1.4 and October's is not yet due: its cell says done, not open (the worst);
    黄湖村 missed September and did October: overdue. The dashboard's matrix holds the same cells."""
    import datetime as dt

    from lanxi_cli.core import overview
    from lanxi_cli.store import snapshot

    args = ("--data", str(data_dir), "--as-of", "2020-10-10")
    for unit, day, period in (("苏家湖村", "2020-09-20", "2020-09"), ("黄湖村", "2020-10-02", "2020-10")):
        added = cli("report", "add", "--task", "1.4", "--unit", unit, "--status", "done", "--date", day,
                    "--period", period, "--no-commit", *args)
        assert added.exit_code == 0, added.output
    rows = {r["unit"]: r for r in json.loads(cli("status", "--matrix", "--format", "json", *args).stdout)["rows"]}
    assert (rows["苏家湖村"]["1.4"], rows["黄湖村"]["1.4"], rows["罗湖村"]["1.4"]) == ("done", "overdue", "overdue")
    session = snapshot.load(data_dir, dt.date(2020, 10, 10))
    board = overview.compute(session.book, session.obligations(), session.as_of, session.measures).matrix[1]
    assert {(u, t): s for u, row in rows.items() for t, s in row.items() if t != "unit" and s} == board
    assert "每格为当前一期的状态" in cli("status", "--matrix", *args).stdout
