"""`lanxi init DIR --town NAME [--from FILE]`: a new data repository, from a task
table when one is given. The 兰溪 table is rebuilt from the published notice
(as the original Word table, with merged cells) and must give the hand-made
tasks.yaml's words exactly, and its readings or 待核实."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import SHIPPED
from towns_support import assert_golden, attachment_rows, git, write_docx, write_xlsx

from lanxi_cli.io.load import load_book

FIXTURES = Path(__file__).parent / "fixtures"
LANXI_PENDING = {"1.3": "每月25日前", "3.3": "10月30日前", "9.2": "每月30日前", "10.2": "11月30日前"}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_csv(rows, path: Path, encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(params=["xlsx", "docx", "csv"])
def lanxi_table(request, tmp_path) -> Path:
    """The 兰溪 attachment as the office would hand it over: xlsx or docx with
    merged cells, or a csv whose continued cells are blank."""
    rows = attachment_rows()
    path = tmp_path / f"兰溪镇任务清单.{request.param}"
    return {"xlsx": write_xlsx, "docx": write_docx, "csv": write_csv}[request.param](rows, path)


def test_the_lanxi_table_gives_the_hand_made_tasks_or_pending(cli, tmp_path, lanxi_table):
    result = cli("init", str(tmp_path / "new"), "--town", "兰溪镇", "--from", str(lanxi_table),
                 "--issued", "2020-09-01")
    assert result.exit_code == 0, result.output
    made, hand = load_book(tmp_path / "new" / "data"), load_book(SHIPPED)
    assert [t.id for t in made.tasks] == [t.id for t in hand.tasks]
    read = []
    for ours, theirs in zip(made.tasks, hand.tasks, strict=True):
        words = ("category", "text", "deadline_text", "lead", "units")
        assert [getattr(ours, w) for w in words] == [getattr(theirs, w) for w in words], ours.id
        if ours.deadline.pending:
            assert "待核实" in ours.note
        else:
            assert ours.deadline == theirs.deadline, ours.id
            read.append(ours.id)
    assert len(read) == 25  # of 29; the four below need a person (see the note)
    assert {t.id: t.deadline_text for t in made.tasks if t.deadline.pending} == LANXI_PENDING
    assert (made.plan.campaign.start, made.plan.campaign.end) == (hand.plan.campaign.start, hand.plan.campaign.end)
    assert made.plan.issued == hand.plan.issued
    # the 旬报 season starts on the notice's date, as the hand-made plan reads it
    assert made.plan.progress_reports.start == hand.plan.progress_reports.start == dt.date(2020, 9, 1)
    # lanxi's own assessment rules written out, each saying so, for the same units as 兰溪's
    rules = made.plan.assessment
    assert (rules.scoring.late, rules.scoring.punctual, rules.lights.red_above) == (0.6, 0.3, 0.2)
    assert rules.escalate.overdue_share == (0.2, 0.4, 0.6, 0.8)
    assert rules.escalate.kinds == hand.plan.assessment.escalate.kinds
    assert all(r.basis.startswith("本项目规则") for r in (rules.scoring, rules.lights, rules.escalate))
    # every unit the table names is known, 派出所 as 兰溪派出所's alias (as the contract names it)
    assert made.canonical("派出所") == "兰溪派出所"
    assert set(made.units) == {"禁毒办", "中心校", "文化综合服务站", "兰溪派出所", "邮政", "社会治安和应急管理办",
                               "司法所", "党建办", "禁毒协会", "镇妇联", "市场监管所"}
    assert "完成时限：25 项已识别，4 项待核实" in result.stdout


def test_a_blank_cell_says_it_continues_the_one_above(cli, tmp_path):
    table = write_csv(attachment_rows(), tmp_path / "t.csv")
    assert cli("init", str(tmp_path / "n"), "--town", "兰溪镇", "--from", str(table)).exit_code == 0
    tasks = {t.id: t for t in load_book(tmp_path / "n" / "data").tasks}
    assert tasks["1.2"].note == "完成时间栏空白，沿用上一行“9月03日前”。"
    assert tasks["9.2"].units == () and tasks["9.2"].note.startswith("责任单位栏空白，由牵头单位自行承担。")


def test_check_passes_and_lists_the_pending_rules(cli, tmp_path):
    table = write_xlsx(attachment_rows(), tmp_path / "t.xlsx")
    cli("init", str(tmp_path / "n"), "--town", "兰溪镇", "--from", str(table), "--issued", "2020-09-01")
    data = str(tmp_path / "n" / "data")
    check = cli("check", "--data", data)
    assert check.exit_code == 0, check.output
    assert check.stdout == "检查通过：29 项任务，11 个单位，0 份报告。\n"
    pending = cli("check", "--pending", "--data", data, "--format", "json")
    assert pending.exit_code == 0
    assert json.loads(pending.stdout) == [{"task": k, "deadline": v} for k, v in LANXI_PENDING.items()]
    # the shipped plan has none
    assert json.loads(cli("check", "--pending", "--data", str(SHIPPED), "--format", "json").stdout) == []


def test_the_new_repository_is_committed_with_a_chinese_subject(cli, tmp_path):
    table = write_docx(attachment_rows(), tmp_path / "t.docx")
    assert cli("init", str(tmp_path / "n"), "--town", "兰溪镇", "--from", str(table)).exit_code == 0
    repo = tmp_path / "n"
    assert git("log", "--format=%s", cwd=repo).splitlines() == ["新建兰溪镇的任务清单：29项任务，11个单位"]
    assert git("ls-files", cwd=repo).splitlines() == ["data/plan.yaml", "data/tasks.yaml"]
    assert git("status", "--porcelain", cwd=repo) == ""
    assert (repo / "data" / "reports").is_dir()


def test_an_invented_town_gets_a_plan_on_which_status_works(cli, tmp_path):
    """石门镇's table: a title row, 序号 and 配合单位 columns, items numbered 1.,
    a blank 时限 at a category's start, and every form of wording."""
    result = cli("init", str(tmp_path / "sm"), "--town", "石门镇", "--from", str(FIXTURES / "石门镇任务清单.csv"))
    assert result.exit_code == 0, result.output
    data = tmp_path / "sm" / "data"
    assert cli("check", "--data", str(data)).exit_code == 0
    book = load_book(data)
    assert book.plan.title == "石门镇2021年安全生产大排查大整治专项行动任务清单"
    assert (book.plan.campaign.start.isoformat(), book.plan.campaign.end.isoformat()) == ("2021-03-01", "2021-11-30")
    assert {t.id: t.deadline.rule for t in book.tasks if not t.deadline.pending} == {
        "1.1": "once", "1.2": "quarterly", "1.3": "monthly", "2.1": "window", "2.2": "once",
        "2.3": "milestones", "3.1": "window", "3.2": "quarterly"}
    assert json.loads(cli("check", "--pending", "--data", str(data), "-f", "json").stdout) == [
        {"task": "3.3", "deadline": "及时"}, {"task": "4.1", "deadline": ""}, {"task": "4.2", "deadline": "按上级要求"}]
    assert book.task_by_id["2.1"].note.startswith("配合单位：石门派出所（未列为责任单位）。")
    report = cli("report", "add", "--task", "2.3", "--unit", "双溪村", "--status", "done", "--date", "2021-06-20",
                 "--data", str(data), "--as-of", "2021-07-01")
    assert report.exit_code == 0, report.output
    status = cli("status", "--data", str(data), "--as-of", "2021-07-01")
    assert status.exit_code == 0, status.output
    assert_golden("init-shimen-status.txt", status.stdout)


def test_a_table_without_deadlines_and_with_open_groups_gives_a_valid_plan(cli, tmp_path):
    """桃源区's table, saved by Excel as GBK: no 时限 column, no 类别, items
    numbered `1. `, groups 各街道 and 区直各部门."""
    table = tmp_path / "桃源区.csv"
    table.write_bytes((FIXTURES / "桃源区任务清单.csv").read_text(encoding="utf-8").encode("gb18030"))
    result = cli("init", str(tmp_path / "ty"), "--town", "桃源区", "--from", str(table), "--year", "2021")
    assert result.exit_code == 0, result.output
    data = tmp_path / "ty" / "data"
    assert cli("check", "--data", str(data)).exit_code == 0
    book = load_book(data)
    assert all(t.deadline.pending and t.deadline_text == "" for t in book.tasks)
    assert [t.category for t in book.tasks] == ["工作任务"] * 5
    assert book.task_by_id["1.1"].text == "健全区、街道两级禁毒工作领导机构，落实专人负责。"
    assert book.group("区直各部门") == ("区禁毒办", "区教育局", "区卫健局", "区公安分局", "区应急管理局",
                                       "区市场监管局", "区司法局")
    assert book.group("各街道") == ()
    assert "2 项任务（1.4、" not in result.stderr and "1 项任务（1.4）派给的单位组还没有成员" in result.stderr
    status = cli("status", "--data", str(data), "--as-of", "2021-07-01", "--format", "json")
    assert status.exit_code == 0
    assert [row["unit"] for row in json.loads(status.stdout)["units"]][:2] == ["区禁毒办", "区教育局"]


def test_without_a_table_the_skeleton_passes_check_and_shows_examples(cli, tmp_path):
    result = cli("init", str(tmp_path / "x"), "--town", "某镇", "--year", "2022")
    assert result.exit_code == 0, result.output
    data = tmp_path / "x" / "data"
    assert cli("check", "--data", str(data)).stdout == "检查通过：0 项任务，0 个单位，0 份报告。\n"
    plan = (data / "plan.yaml").read_text(encoding="utf-8")
    assert "#   - {name: 示例村, kind: village}" in plan and "units: []" in plan
    assert "  days: [10, 20, 30]" in plan
    book = load_book(data)
    assert (book.plan.campaign.start.isoformat(), book.plan.campaign.end.isoformat()) == ("2022-01-01", "2022-12-31")


@pytest.mark.parametrize(("issued", "season"), [("2022-03-15", "2022-03-15"), ("2022-02-20", "2022-03-01")])
def test_the_progress_report_season_starts_with_the_notice_never_before_the_campaign(cli, tmp_path, issued, season):
    result = cli("init", str(tmp_path / "x"), "--town", "某镇", "--start", "2022-03-01", "--end", "2022-12-31",
                 "--issued", issued)
    assert result.exit_code == 0, result.output
    data = tmp_path / "x" / "data"
    assert cli("check", "--data", str(data)).exit_code == 0
    assert load_book(data).plan.progress_reports.start == dt.date.fromisoformat(season)


def test_an_existing_plan_is_refused_and_nothing_changes(cli, tmp_path, data_dir):
    table = write_xlsx(attachment_rows(), tmp_path / "t.xlsx")
    before = tree(data_dir.parent)
    result = cli("init", str(data_dir.parent), "--town", "兰溪镇", "--from", str(table))
    assert result.exit_code == 2
    assert result.stderr == f"{data_dir / 'plan.yaml'} 已存在：lanxi init 不会覆盖已有的计划；请换一个目录\n"
    assert tree(data_dir.parent) == before


@pytest.mark.parametrize(("name", "content", "code", "message"), [
    ("t.txt", b"x", 2, "任务清单“{path}”应为 .xlsx、.docx 或 .csv 文件"),
    ("missing.xlsx", None, 2, "找不到任务清单文件“{path}”"),
    ("t.xlsx", b"not a zip", 1, "{path}: 无法读取，文件可能已损坏或不是 .xlsx 格式（BadZipFile）"),
    ("t.csv", "名称,数量\n甲,1\n".encode(), 1,
     "{path}: 找不到任务清单的表头：表头行应写明“任务”（或 工作任务、任务内容、工作任务及要求），"
     "以及 类别、时限、牵头单位、责任单位 中的至少一项"),
])
def test_a_bad_table_is_named_and_nothing_is_written(cli, tmp_path, name, content, code, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = cli("init", str(tmp_path / "n"), "--town", "某镇", "--from", str(path))
    assert result.exit_code == code
    assert result.stderr == message.format(path=path) + "\n"
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize("town", ["", "../x", "a/b", ".hidden"])
def test_a_town_name_that_cannot_name_files_is_refused(cli, tmp_path, town):
    result = cli("init", str(tmp_path / "n"), "--town", town)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"镇名“{town}”无效")
    assert not (tmp_path / "n").exists()


def test_merged_cells_of_any_column_read_as_their_value_in_every_row(cli, tmp_path):
    """A 牵头单位 merged over two rows (no continuation rule covers it) leads both."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["类别", "任务", "时限", "牵头单位", "责任单位"])
    sheet.append(["宣传", "1、印发宣传资料。", "5月31日前", "宣传办", "甲村"])
    sheet.append([None, "2、开展宣传活动。", None, None, "乙村"])
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("C2:C3")
    book.save(tmp_path / "t.xlsx")
    assert cli("init", str(tmp_path / "n"), "--town", "某镇", "--from", str(tmp_path / "t.xlsx")).exit_code == 0
    tasks = load_book(tmp_path / "n" / "data").tasks
    assert [(t.lead, t.deadline_text, t.note) for t in tasks] == [("宣传办", "5月31日前", "")] * 2


def test_a_campaign_over_new_year_places_each_date_in_its_year(cli, tmp_path):
    table = write_csv([["类别", "任务", "完成时限", "牵头单位"],
                       ["冬季", "1、排查。", "12月20日前", "综治办"],
                       ["", "2、复查。", "1月15日前", "综治办"],
                       ["", "3、月报。", "每月5日前", "综治办"]], tmp_path / "t.csv")
    result = cli("init", str(tmp_path / "n"), "--town", "某镇", "--from", str(table),
                 "--start", "2020-11-01", "--end", "2021-03-31")
    assert result.exit_code == 0, result.output
    tasks = load_book(tmp_path / "n" / "data").tasks
    assert [t.deadline.due for t in tasks[:2]] == [dt.date(2020, 12, 20), dt.date(2021, 1, 15)]
    # 每月5日前 with no 每月 in the text: read monthly from the notice's month on, and pending
    assert (tasks[2].deadline.first, tasks[2].deadline.last, tasks[2].deadline.pending) == ("2020-11", "2021-03", True)
    bad = cli("init", str(tmp_path / "m"), "--town", "某镇", "--start", "2021-03-01", "--end", "2021-01-01")
    assert (bad.exit_code, bad.stderr) == (2, "--start 晚于 --end\n")
    assert not (tmp_path / "m").exists()


def test_the_pending_list_as_a_table(cli, tmp_path):
    cli("init", str(tmp_path / "sm"), "--town", "石门镇", "--from", str(FIXTURES / "石门镇任务清单.csv"))
    result = cli("check", "--pending", "--data", str(tmp_path / "sm" / "data"))
    assert result.exit_code == 0
    assert_golden("init-shimen-pending.txt", result.stdout)


def test_a_table_the_loader_would_refuse_writes_nothing_and_names_the_place(cli, tmp_path):
    table = write_csv([["任务", "牵头单位"], ["1、检查\x07设备。", "安监站"]], tmp_path / "t.csv")
    result = cli("init", str(tmp_path / "n"), "--town", "某镇", "--from", str(table))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "生成的计划未能通过检查，没有写入任何文件"
    assert result.stderr.splitlines()[1].startswith(f"{tmp_path / 'n' / 'data' / 'tasks.yaml'}:")
    assert not (tmp_path / "n").exists()
