"""`lanxi report list`: filters, oldest first, json/csv/table."""

from __future__ import annotations

import csv
import io
import json

import pytest

AS_OF = "2020-10-31"
ADDS = [  # deliberately not in date order
    ("5.1", "派出所", "2020-10-02", "done", "第三份"),
    ("1.4", "苏家湖村", "2020-09-18", "progress", "第一份"),
    ("1.4", "黄湖村", "2020-09-25", "blocked", "第二份\n两行"),
    ("1.4", "苏家湖村", "2020-10-20", "done", "第四份"),
]


@pytest.fixture
def filed(cli, data_dir):
    for task, unit, date, status, note in ADDS:
        result = cli("report", "add", "--data", str(data_dir), "--as-of", AS_OF, "--task", task, "--unit", unit,
                     "--date", date, "--status", status, "--note", note, "--count", "1", "--no-commit")
        assert result.exit_code == 0, result.output
    return data_dir


def listing(cli, data_dir, *args):
    result = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_lists_every_report_oldest_first_with_the_contract_fields(cli, filed):
    rows = listing(cli, filed)
    assert [r["note"] for r in rows] == ["第一份", "第二份\n两行", "第三份", "第四份"]
    for row in rows:
        assert {"task", "unit", "date", "status", "count", "note", "file"} <= set(row)
    assert rows[2]["unit"] == "兰溪派出所"  # canonical, though typed as an alias
    assert rows[0]["period"] == "2020-09" and rows[0]["count"] == 1


@pytest.mark.parametrize(
    ("args", "notes"),
    [
        (["--unit", "苏家湖"], ["第一份", "第四份"]),
        (["--task", "1.4"], ["第一份", "第二份\n两行", "第四份"]),
        (["--since", "2020-09-25"], ["第二份\n两行", "第三份", "第四份"]),
        (["--until", "2020-10-02"], ["第一份", "第二份\n两行", "第三份"]),
        (["--since", "2020-09-19", "--until", "2020-10-19", "--task", "1.4"], ["第二份\n两行"]),
        (["--unit", "枫林社区"], []),
    ],
)
def test_filters(cli, filed, args, notes):
    assert [r["note"] for r in listing(cli, filed, *args)] == notes


@pytest.mark.parametrize("args", [["--since", "2020-13-01"], ["--unit", "火星村"], ["--task", "0.9"]])
def test_bad_filters_are_usage_errors(cli, filed, args):
    result = cli("report", "list", "--data", str(filed), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_file_paths_point_at_the_files(cli, filed, monkeypatch):
    monkeypatch.chdir(filed.parent)
    rows = listing(cli, filed)
    assert all((filed.parent / r["file"]).is_file() for r in rows)


def test_table_and_csv(cli, filed):
    from rich.cells import cell_len

    table = cli("report", "list", "--data", str(filed), "--as-of", AS_OF)
    assert table.exit_code == 0
    assert "日期" in table.stdout and "进行中" in table.stdout and "受阻" in table.stdout
    assert all(cell_len(line) <= 80 for line in table.stdout.splitlines())
    out = cli("report", "list", "--data", str(filed), "--as-of", AS_OF, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["单位"] for r in rows] == ["苏家湖村", "黄湖村", "兰溪派出所", "苏家湖村"]


def test_a_broken_report_is_named_and_left_out(cli, filed):
    bad = filed / "reports" / "broken.yaml"
    bad.write_text("task: '5.1'\nunit: 派出所\ndate: 2020-02-30\n", encoding="utf-8")
    result = cli("report", "list", "--data", str(filed), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    assert "broken.yaml:3" in result.stderr
    assert len(json.loads(result.stdout)) == 4
