"""csv as Excel opens it: a byte-order mark in a file (none down a pipe), Chinese headers and values."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from conftest import ROOT, run_lanxi
from scenario import AS_OF, write_reports

BOM = b"\xef\xbb\xbf"


def to_file(tmp_path, *args: str) -> bytes:
    """lanxi's stdout redirected to a regular file, as `lanxi … > 状态.csv` does."""
    out = tmp_path / "out.csv"
    with out.open("wb") as handle:
        result = subprocess.run([sys.executable, "-m", "lanxi_cli", *args], stdout=handle, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return out.read_bytes()


def test_csv_into_a_file_starts_with_a_byte_order_mark_and_down_a_pipe_none(data_dir, tmp_path):
    write_reports(data_dir)
    for command in (["status"], ["remind"], ["assess"], ["units"]):
        args = [*command, "--data", str(data_dir), "--as-of", AS_OF, "--format", "csv"]
        written = to_file(tmp_path, *args)
        piped = run_lanxi(*args)
        assert piped.returncode == 0, piped.stderr
        assert written.startswith(BOM) and not written[3:].startswith(BOM), command
        assert written[3:].decode("utf-8") == piped.stdout, command  # the same csv, marked for Excel
        assert not piped.stdout.startswith("\ufeff"), command


def test_status_csv_says_the_kind_of_unit_in_chinese(data_dir):
    text = run_lanxi("status", "--data", str(data_dir), "--as-of", AS_OF, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    kinds = {row["单位"]: row["类型"] for row in rows}
    assert kinds["苏家湖村"] == "村" and kinds["枫林社区"] == "社区" and kinds["中心校"] == "部门"
    assert not {"village", "community", "department", "other"} & set(kinds.values())
    rows = list(csv.DictReader(io.StringIO(run_lanxi("assess", "--data", str(data_dir), "--as-of", AS_OF,
                                                      "--format", "csv").stdout)))
    assert {row["亮灯"] for row in rows} <= {"红灯", "黄灯", "绿灯"}


def test_a_missing_phone_is_said_in_the_message_list(data_dir, cli):
    result = cli("unit", "liaison", "罗湖村", "--name", "张三", "--no-commit", "--data", str(data_dir))
    assert result.exit_code == 0, result.output
    table = cli("remind", "--data", str(data_dir), "--as-of", AS_OF).stdout
    assert "罗湖村 · 联络员 张三，未登记电话，短信无法发送 ·" in table
    rows = list(csv.DictReader(io.StringIO(cli("remind", "--data", str(data_dir), "--as-of", AS_OF,
                                               "--format", "csv").stdout)))
    note = {row["单位"]: row["备注"] for row in rows}
    assert note["罗湖村"] == "未登记电话，短信无法发送（lanxi unit liaison 罗湖村 --name 张三 --phone 电话）"
    assert note["北岸新村"].startswith("联络员未备案（lanxi unit liaison 北岸新村")
