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
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def cli_json(cli, data_dir, *args):
    result = cli(*args, "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_workbook_has_four_sheets(ledger):
    assert ledger.sheetnames == ["任务", "义务", "报告", "考核"]
    assert AS_OF in ledger.properties.title


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
    state_col = list(next(sheet.iter_rows(max_row=1, values_only=True))).index("状态") + 1

    def cell(task, unit, period=None):
        index = next(i for i, r in enumerate(rows) if (r["任务编号"], r["单位"], r["周期"]) == (task, unit, period))
        return rows[index], sheet.cell(row=index + 2, column=state_col)

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
    row, _ = cell("6.3", "中心校", "2020-08")
    assert row["状态"] == "已完成"


def test_reports_sheet_lists_every_report(ledger):
    rows = rows_of(ledger["报告"])
    assert len(rows) == len(REPORTS)
    assert sorted((r["任务编号"], r["单位"], r["日期"].date().isoformat()) for r in rows) == sorted(
        (task, unit, date) for task, unit, date, _status, _period in REPORTS
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
