"""csv as Excel opens it: a byte-order mark in a file (none down a pipe), Chinese headers and values."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
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


# ---- -o FILE.csv on every command that takes --format csv (issue 26) ----------------------------------------


def test_every_command_taking_format_csv_takes_an_output_file():
    from test_chinese import COMMANDS

    def option(command, name):
        return next((p for p in command.params if name in getattr(p, "opts", ())), None)

    formats = [(path, command) for path, command in COMMANDS
               if option(command, "--format") and "csv" in getattr(option(command, "--format").type, "choices", ())]
    assert len(formats) >= 12, [p for p, _ in formats]  # a positive control: the commands are found
    lacking = [" ".join(path) for path, command in formats if option(command, "-o") is None]
    assert lacking == []


@pytest.mark.parametrize("command", [["status"], ["status", "--unit", "苏家湖"], ["status", "--matrix"], ["remind"],
                                     ["assess"], ["units"], ["tasks"], ["report", "list"], ["report", "missing"],
                                     ["exemption", "list"], ["extension", "list"], ["measure", "list"]],
                         ids=" ".join)
def test_output_file_holds_the_csv_with_a_byte_order_mark_and_stdout_its_name_alone(data_dir, tmp_path, command):
    write_reports(data_dir)
    args = [*command, "--data", str(data_dir), "--as-of", AS_OF]
    piped = run_lanxi(*args, "--format", "csv")
    assert piped.returncode == 0, piped.stderr
    for extra in (["--format", "csv"], []):  # the suffix names the format where --format is left out
        out = tmp_path / f"结果{len(extra)}.csv"
        result = run_lanxi(*args, *extra, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{out}\n"
        raw = out.read_bytes()
        assert raw.startswith(BOM) and raw[3:].decode("utf-8") == piped.stdout
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_output_file_takes_json_as_json(data_dir, tmp_path):
    out = tmp_path / "考核.json"
    args = ["assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json"]
    result = run_lanxi(*args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == run_lanxi(*args).stdout  # json as on stdout: no byte-order mark


@pytest.mark.parametrize(("extra", "name", "said"), [
    (["--format", "json"], "状态.csv", "扩展名与 --format json 不符，应为 .json"),
    (["--format", "csv"], "状态.json", "扩展名与 --format csv 不符，应为 .csv"),
    ([], "状态.txt", "扩展名应为 .csv、.json 之一"),
    (["--format", "csv"], "没有的目录/状态.csv", "所在的目录不存在"),
])
def test_an_output_file_that_does_not_fit_is_refused_and_nothing_written(data_dir, tmp_path, extra, name, said):
    out = tmp_path / name
    result = run_lanxi("status", "--data", str(data_dir), "--as-of", AS_OF, *extra, "-o", str(out))
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == [data_dir]


def test_an_output_file_is_replaced_whole(data_dir, tmp_path):
    out = tmp_path / "状态.csv"
    out.write_text("旧内容，比新的长得多" * 500, encoding="utf-8")
    assert run_lanxi("status", "--data", str(data_dir), "--as-of", AS_OF, "-o", str(out)).returncode == 0
    assert "旧内容" not in out.read_text(encoding="utf-8-sig")
