"""A town sets lanxi up and speaks to it in its own words (issue 25): ids as the
table printed them, short names beside them, the set-up commands that change
one entry and nothing else, and the words a clerk types."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from towns_support import git, identify

from lanxi_cli.io.load import load_book

FIXTURES = Path(__file__).parent / "fixtures"
TABLE = FIXTURES / "白沙镇任务清单.csv"  # numbered 1 … 12 down the sheet, tasks given to 各村（社区）
UNITS = FIXTURES / "白沙镇单位名册.csv"


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a change took away (-) and put in (+), nothing else; sorted."""
    return sorted(line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-")


@pytest.fixture
def town(cli, tmp_path) -> Path:
    """白沙镇 as `init --from` makes it, committed, with no villages yet."""
    result = cli("init", str(tmp_path / "白沙镇台账"), "--town", "白沙镇", "--from", str(TABLE))
    assert result.exit_code == 0, result.output
    identify(tmp_path / "白沙镇台账")
    return tmp_path / "白沙镇台账" / "data"


def test_a_new_town_from_its_own_table_is_set_up_and_spoken_to_in_its_words(cli, town, tmp_path):
    data = str(town)
    book = load_book(town)
    assert [t.id for t in book.tasks] == [str(n) for n in range(1, 13)]  # as the villages see them printed
    # 各村（社区） has no members yet: init names it and the commands that fill it, check fails
    check = cli("check", "--data", data)
    assert check.exit_code == 1
    assert check.stdout.startswith("data/tasks.yaml:17: 0.units.0: 单位组“各村（社区）”还没有成员，"
                                   "7 项任务（1–2、4–5、8–9、11）无人承担："
                                   "用 lanxi unit add 名称 --kind 村 或 --kind 社区 添加它的成员\n")
    assert check.stdout.count("还没有成员") == 1
    # the villages, one by one
    assert cli("unit", "add", "花桥村", "--kind", "村", "--data", data).exit_code == 0
    assert cli("unit", "add", "东岸社区", "--kind", "社区", "--alias", "东岸", "--data", data).exit_code == 0
    assert cli("check", "--data", data).exit_code == 0
    # the two deadlines init could not read, fixed in Chinese
    pending = json.loads(cli("check", "--pending", "--data", data, "-f", "json").stdout)
    assert [p for p in pending if "deadline" in p] == [{"task": "6", "deadline": "及时"},
                                                       {"task": "8", "deadline": "按上级要求"}]
    assert cli("task", "deadline", "6", "每季度末", "--data", data).exit_code == 0
    assert cli("task", "deadline", "8", "6月30日前和11月30日前各一次", "--data", data).exit_code == 0
    assert cli("task", "short", "9", "服务管理台账", "--data", data).exit_code == 0
    pending = json.loads(cli("check", "--pending", "--data", data, "-f", "json").stdout)
    assert not [p for p in pending if "deadline" in p]
    assert {"task": "9", "short": "服务管理台账"} not in pending
    assert {"task": "1", "short": "制定年度禁毒工作实施"} in pending
    # a report in the clerk's words
    report = cli("report", "add", "-t", "9", "-u", "花桥", "-s", "已完成", "--date", "2021年7月1日",
                 "--data", data, "--as-of", "2021-07-02")
    assert report.exit_code == 0, report.output
    listed = json.loads(cli("report", "list", "--data", data, "--as-of", "2021-07-02", "-f", "json").stdout)
    assert [(r["task"], r["unit"], r["date"], r["status"]) for r in listed] == [("9", "花桥村", "2021-07-01", "done")]
    # 东岸社区 has done all else due by July (one report for every village: the group's name)
    done_by = (("1", "3月30日"), ("2", "3月30日"), ("4", "6月29日"), *(("5", f"{m}月20日") for m in range(3, 8)))
    for task, day in done_by:
        done = cli("report", "add", "-t", task, "-u", "各村（社区）", "-s", "完成", "--date", day, "--data", data,
                   "--as-of", "2021-07-28")
        assert done.exit_code == 0, done.output
    # 9 with its short name wherever 东岸社区's liaison reads it: SMS, form, 通报
    remind = cli("remind", "--unit", "东岸", "--data", data, "--as-of", "2021-07-28", "-f", "json")
    assert "即将到期1项：9 服务管理台账（7月31日）" in json.loads(remind.stdout)[0]["text"]
    made = cli("form", "make", "-o", str(tmp_path / "forms"), "--unit", "东岸社区", "--data", data,
               "--as-of", "2021-07-28")
    assert made.exit_code == 0, made.output
    from openpyxl import load_workbook

    sheet = load_workbook(next((tmp_path / "forms").glob("东岸社区*.xlsx"))).worksheets[0]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert any("9" in row and any(str(c).startswith("【服务管理台账】") for c in row) for row in rows), rows
    bulletin = cli("bulletin", "--data", data, "--as-of", "2021-08-02")
    behind = next(line for line in bulletin.stdout.splitlines() if line.startswith("- 东岸社区"))
    assert behind.endswith("、9 服务管理台账（7月31日到期）。"), behind
    # every set-up step was its own commit, with a Chinese subject
    subjects = git("log", "--format=%s", cwd=town.parent).splitlines()
    assert subjects[-6:] == ["任务9：简称改为“服务管理台账”", "任务8：完成时限改为“6月30日前和11月30日前各一次”",
                             "任务6：完成时限改为“每季度末”", "单位：添加东岸社区", "单位：添加花桥村",
                             "新建白沙镇的任务清单：12项任务，6个单位"]
    assert git("status", "--porcelain", cwd=town.parent) == ""


def test_init_takes_the_towns_units_and_then_check_passes(cli, tmp_path):
    result = cli("init", str(tmp_path / "t"), "--town", "白沙镇", "--from", str(TABLE), "--units", str(UNITS))
    assert result.exit_code == 0, result.output
    assert "还没有成员" not in result.stderr
    data = tmp_path / "t" / "data"
    book = load_book(data)
    assert book.group("各村（社区）") == ("花桥村", "东岸社区", "石桥村")  # 石桥村's blank 类型 read from its name
    assert cli("check", "--data", str(data)).exit_code == 0


def test_init_names_the_empty_group_and_the_commands_that_fill_it(cli, tmp_path):
    result = cli("init", str(tmp_path / "t"), "--town", "白沙镇", "--from", str(TABLE))
    assert "单位组“各村（社区）”还没有成员，7 项任务（1、2、4、5、8等）无人承担" in result.stderr
    assert "lanxi unit add" in result.stderr and "--units" in result.stderr


def test_set_up_commands_change_only_the_entry_they_name(cli, town):
    data = str(town)
    plan, tasks = (town / "plan.yaml").read_text(encoding="utf-8"), (town / "tasks.yaml").read_text(encoding="utf-8")
    assert cli("unit", "add", "花桥村", "--kind", "village", "--data", data).exit_code == 0
    after = (town / "plan.yaml").read_text(encoding="utf-8")
    assert changed_lines(plan, after) == ["+   - {name: 花桥村, kind: village}"]
    assert cli("task", "short", "1", "制定方案", "--data", data).exit_code == 0
    short = (town / "tasks.yaml").read_text(encoding="utf-8")
    assert changed_lines(tasks, short) == ["+   short: 制定方案", "-   short: 制定年度禁毒工作实施",
                                           "-   short_pending: true"]
    assert cli("task", "deadline", "6", "每季度末", "--data", data).exit_code == 0
    deadline = changed_lines(short, (town / "tasks.yaml").read_text(encoding="utf-8"))
    assert [line.split(":")[0] for line in deadline] == ["+   deadline", "+   note", "-   deadline", "-   note"]
    assert "+   deadline: {rule: quarterly, first: 2021-Q1, last: 2021-Q4}" in deadline
    assert cli("unit", "rename", "花桥村", "新花桥村", "--data", data).exit_code == 0
    renamed = changed_lines(after, (town / "plan.yaml").read_text(encoding="utf-8"))
    assert renamed == ["+   - {name: 新花桥村, kind: village, aliases: [花桥村]}",
                       "-   - {name: 花桥村, kind: village}"]


def test_the_shipped_plan_keeps_every_other_byte(cli, data_dir):
    """The hand-written 兰溪 files, comments and blank lines and all."""
    git("init", "-q", cwd=data_dir.parent)
    identify(data_dir.parent)
    git("add", "data", cwd=data_dir.parent)
    git("commit", "-qm", "兰溪", cwd=data_dir.parent)
    plan = (data_dir / "plan.yaml").read_text(encoding="utf-8")
    tasks = (data_dir / "tasks.yaml").read_text(encoding="utf-8")
    assert cli("unit", "add", "新村", "--kind", "村", "--data", str(data_dir)).exit_code == 0
    assert changed_lines(plan, (data_dir / "plan.yaml").read_text(encoding="utf-8")) == [
        "+   - {name: 新村, kind: village}"]
    assert cli("task", "short", "3.2", "知识竞赛", "--data", str(data_dir)).exit_code == 0
    assert changed_lines(tasks, (data_dir / "tasks.yaml").read_text(encoding="utf-8")) == [
        "+   short: 知识竞赛", "-   short: 禁毒知识竞赛"]
    assert cli("unit", "remove", "新村", "--data", str(data_dir)).exit_code == 0
    assert (data_dir / "plan.yaml").read_text(encoding="utf-8") == plan


@pytest.mark.parametrize(("args", "message"), [
    (("unit", "add", "苏家湖村", "--kind", "村"), "单位名称“苏家湖村”重复"),
    (("unit", "add", "a/b村", "--kind", "村"), "不能含有 / 或"),
    (("unit", "add", "新村", "--kind", "乡"), "单位类型“乡”无效"),
    (("unit", "remove", "禁毒办"), "未知牵头单位“禁毒办”"),
    (("unit", "rename", "苏家胡村", "苏家湖新村"), "是不是要找 苏家湖村"),
    (("task", "short", "1.1", "一二三四五六七八九十一"), "至多 10 个字"),
    (("task", "deadline", "1.1", "随时"), "读不出完成时限“随时”"),
    (("task", "deadline", "11.1", "每季度末"), "本方案的任务编号为 1.1–1.4、2.1–2.3"),
])
def test_a_set_up_command_refuses_as_check_would_and_writes_nothing(cli, data_dir, args, message):
    before = {p: p.read_bytes() for p in (data_dir / "plan.yaml", data_dir / "tasks.yaml")}
    result = cli(*args, "--data", str(data_dir))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_a_unit_a_report_names_cannot_be_removed(cli, data_dir):
    assert cli("report", "add", "-t", "1.1", "-u", "苏家湖", "-s", "完成", "--data", str(data_dir),
               "--as-of", "2020-09-02", "--no-commit").exit_code == 0
    result = cli("unit", "remove", "苏家湖村", "--data", str(data_dir))
    assert result.exit_code == 2 and "有 1 份记录写到它" in result.stderr


def test_a_hand_edit_left_uncommitted_is_named_with_the_command_that_commits_it(cli, town):
    plan = town / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("due_soon_days: 7", "due_soon_days: 5"), encoding="utf-8")
    check = cli("check", "--data", str(town))
    assert "data/plan.yaml 有尚未提交的修改" in check.stderr
    assert f"git -C {town.parent} commit -m 修改计划 -- data/plan.yaml" in check.stderr
    # a set-up command will not sweep the hand edit into its own commit
    refused = cli("unit", "add", "花桥村", "--kind", "村", "--data", str(town))
    assert refused.exit_code == 2 and "有尚未提交的修改" in refused.stderr
    git("-C", str(town.parent), "commit", "-qm", "修改计划", "--", "data/plan.yaml", cwd=town.parent)
    assert "尚未提交" not in cli("check", "--data", str(town)).stderr


@pytest.mark.parametrize("typed", ["2020-09-02", "2020/9/2", "2020.9.2", "2020年9月2日", "9月2日",
                                   "２０２０年９月２日"])
def test_every_way_an_office_writes_a_date_is_the_same_day(cli, data_dir, typed):
    result = cli("report", "add", "-t", "1.1", "-u", "苏家湖", "-s", "已完成", "--date", typed,
                 "--data", str(data_dir), "--as-of", "2020-09-15", "--no-commit")
    assert result.exit_code == 0, result.output
    assert "2020-09-02" in Path(result.stdout.strip()).name


def test_a_month_and_day_is_the_latest_such_day_not_after_the_as_of_day():
    import datetime as dt

    from lanxi_cli.core.typed import read_day

    assert read_day("12月31日", dt.date(2021, 1, 5)) == dt.date(2020, 12, 31)
    assert read_day("1月5日", dt.date(2021, 1, 5)) == dt.date(2021, 1, 5)
    assert read_day("2月29日", dt.date(2021, 3, 1)) == dt.date(2020, 2, 29)
    with pytest.raises(ValueError):
        read_day("2月30日", dt.date(2021, 3, 1))


@pytest.mark.parametrize(("typed", "offered"), [("花乔村", "花桥村"), ("华桥村", "花桥村"), ("东安社区", "东岸社区")])
def test_a_unit_name_that_matches_nothing_gets_the_closest_by_characters_or_sound(typed, offered):
    from lanxi_cli.core.typed import closest

    assert closest(typed, ["花桥村", "东岸社区", "石桥村", "禁毒办"])[0] == offered


def test_a_task_is_found_by_its_short_name_and_a_wrong_one_gets_offers(cli, data_dir):
    result = cli("report", "add", "-t", "制定方案", "-u", "苏家湖", "-s", "完成", "--data", str(data_dir),
                 "--as-of", "2020-09-02", "--no-commit")
    assert result.exit_code == 0, result.output
    wrong = cli("report", "add", "-t", "制订方案", "-u", "苏家湖", "--data", str(data_dir), "--as-of", "2020-09-02")
    assert wrong.exit_code == 2 and "是不是要找 1.1 制定方案" in wrong.stderr
    nine = cli("report", "add", "-t", "9", "-u", "苏家湖", "--data", str(data_dir), "--as-of", "2020-09-02")
    assert "是不是要找 9.1 季度专题培训、9.2 教育基地建设、9.3 宣传资源库" in nine.stderr

