"""Every broken data file gets a clear FILE:LINE sentence and the contract's exit code.

Each case is a folder under tests/errors/ (in the way of hledger's test/errors/):
the data files it holds replace the shipped ones, and its `expected` file holds
exactly the lines `lanxi check` must print. A fault in plan.yaml or tasks.yaml
stops every command with exit 1; a broken report is named on stderr and skipped
by query commands (exit 0), and fails `check` (exit 1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "errors"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def expected_lines(case: Path) -> list[str]:
    text = (case / "expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture
def case_data(data_dir, monkeypatch):
    """Lay a case's files over the scratch data; run from its parent so paths read data/…"""

    def lay(name: str) -> Path:
        case = CASES / name
        for path in case.rglob("*"):
            if path.is_file() and path.name != "expected":
                target = data_dir / path.relative_to(case)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        monkeypatch.chdir(data_dir.parent)
        return case

    return lay


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_every_case_has_expectations():
    assert len(NAMES) >= 30
    for name in NAMES:
        assert expected_lines(CASES / name), f"{name}/expected lists no problem"


@pytest.mark.parametrize("name", NAMES)
def test_check_lists_every_problem(cli, case_data, name):
    case = case_data(name)
    result = cli("check")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected_lines(case)
    assert f"发现 {len(expected_lines(case))} 处问题" in result.stderr


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("many-")] + ["plan-yaml-syntax", "report-gbk"])
def test_check_json_lists_every_problem(cli, case_data, name):
    import json

    case = case_data(name)
    result = cli("check", "--format", "json")
    no_traceback(result)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    shown = [f"{p['file']}:{p['line']}: {p['message']}" for p in doc["problems"]]
    assert shown == expected_lines(case)


PLAN_CASES = [n for n in NAMES if not (CASES / n / "reports").exists() and not (CASES / n / "exemptions").exists()]
REPORT_CASES = [n for n in NAMES if (CASES / n / "reports").exists()]
EXEMPTION_CASES = [n for n in NAMES if (CASES / n / "exemptions").exists()]


@pytest.mark.parametrize("command", ["tasks", "status"])
@pytest.mark.parametrize("name", PLAN_CASES)
def test_broken_plan_or_tasks_stops_queries(cli, case_data, name, command):
    case = case_data(name)
    result = cli(command, "--as-of", "2020-09-04")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    for line in expected_lines(case):
        assert line in result.stderr.splitlines()


@pytest.mark.parametrize("name", REPORT_CASES)
def test_broken_report_is_named_and_skipped(cli, case_data, name):
    import json

    case = case_data(name)
    result = cli("status", "--unit", "苏家湖村", "--as-of", "2020-09-04", "--format", "json")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    for line in expected_lines(case):
        assert f"警告：{line}（已跳过此报告）" in warnings
    json.loads(result.stdout)  # the answer is still given, whole


@pytest.mark.parametrize("name", EXEMPTION_CASES)
def test_broken_exemption_is_named_and_skipped(cli, case_data, name):
    import json

    case = case_data(name)
    result = cli("status", "--unit", "苏家湖村", "--as-of", "2020-10-04", "--format", "json")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    for line in expected_lines(case):
        assert f"警告：{line}（已跳过此不适用申请）" in result.stderr.splitlines()
    assert "exempt" not in {o["state"] for o in json.loads(result.stdout)["obligations"]}


def test_good_report_beside_broken_ones_still_counts(cli, case_data):
    import json

    case_data("many-reports")  # c-good.yaml: 苏家湖村 did 1.1 on 2020-09-02
    result = cli("status", "--unit", "苏家湖村", "--as-of", "2020-09-04", "--format", "json")
    assert result.exit_code == 0
    states = {o["task"]: o["state"] for o in json.loads(result.stdout)["obligations"]}
    assert states["1.1"] == "done"
    assert "a-syntax.yaml" in result.stderr and "b-unknown.yaml" in result.stderr


def test_shipped_data_has_no_problem(cli):
    """The other side of every case: without the fault, check is clean."""
    result = cli("check", "--data", str(Path(__file__).parent.parent / "data"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# ---- the command line: exit 2, nothing on stdout, nothing read or written ---------------


@pytest.mark.parametrize("args, says", [
    (("tasks", "--bogus"), "--bogus"),
    (("status", "--unit"), "--unit"),                       # option without its value
    (("tasks", "--due-within", "-1"), "--due-within"),
    (("tasks", "--due-within", "99999"), "--due-within"),
    (("tasks", "--due-within", "七"), "--due-within"),
    (("tasks", "--format", "xml"), "--format"),
    (("tasks", "--as-of", "2020-02-30"), "--as-of 的日期“2020-02-30”无效"),
    (("tasks", "--as-of", "tomorrow"), "--as-of 的日期“tomorrow”无效"),
    (("tasks", "--as-of", "2020-9"), "--as-of 的日期“2020-9”无效"),
    (("tasks", "--as-of", "9" * 5000 + "-1-1"), "--as-of 的日期"),
    (("status", "--unit", "火星村"), "未知单位“火星村”"),
    (("status", "--unit", "村"), "单位“村”不明确"),
    (("status", "--unit", "　"), "单位名称不能为空"),
    (("nonsense",), "nonsense"),
])
def test_usage_errors_exit_2(cli, data_dir, args, says):
    result = cli(args[0], "--data", str(data_dir), *args[1:])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_bad_date_from_environment_exits_2(cli, data_dir):
    result = cli("tasks", "--data", str(data_dir), env={"LANXI_TODAY": "2020-13-01"})
    assert result.exit_code == 2
    assert "--as-of 的日期“2020-13-01”无效" in result.stderr


def test_bad_date_wins_over_broken_data(cli, data_dir):
    """A usage error is found before any file is read."""
    (data_dir / "plan.yaml").write_text("town: [\n", encoding="utf-8")
    result = cli("tasks", "--data", str(data_dir), "--as-of", "2020-02-30")
    assert result.exit_code == 2


@pytest.mark.parametrize("setup, says", [
    (lambda d: (d / "plan.yaml").unlink(), "中没有 plan.yaml"),
    (lambda d: (d / "tasks.yaml").unlink(), "tasks.yaml: 无法读取"),
    (lambda d: (d / "plan.yaml").write_text("", encoding="utf-8"), "plan.yaml:"),
    (lambda d: (d / "tasks.yaml").write_text("{}\n", encoding="utf-8"), "tasks.yaml:1: （文件）: 应为列表"),
])
def test_missing_or_empty_data_files_exit_1(cli, data_dir, setup, says):
    setup(data_dir)
    result = cli("status", "--data", str(data_dir))
    assert result.exit_code == 1
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_no_data_folder_anywhere_exits_1(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("tasks")
    assert result.exit_code == 1
    assert "找不到含 plan.yaml 的 data/ 目录" in result.stderr


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate": float("nan")}, "rate: 应为有限的数"),
        ({"date": "20200901"}, "date: 应为日期 YYYY-MM-DD"),
        ({"status": "finished"}, "status: 应为以下之一"),
        ({"evidence": {"a": 1}}, "evidence: "),
    ],
)
def test_every_field_fault_is_told_in_chinese(fields, message):
    """Each pydantic fault becomes a Chinese sentence; an untranslated kind says 值无效 and keeps the detail."""
    import re

    from lanxi_cli.core.domain import Report
    from lanxi_cli.io import document

    report, problems = document.validate(Report, {"task": "1.1", "unit": "苏家湖村", "date": "2020-09-01", **fields},
                                         "r.yaml", None)
    assert report is None and len(problems) == 1
    assert problems[0].message.startswith(message)
    head = problems[0].message.split(": ", 1)[1]
    assert re.match(r"[\u4e00-\u9fff]", head), head  # begins in Chinese
