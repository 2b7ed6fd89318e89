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


@pytest.mark.parametrize("name", NAMES)
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


PLAN_CASES = [n for n in NAMES if not (CASES / n / "reports").exists()]
REPORT_CASES = [n for n in NAMES if (CASES / n / "reports").exists()]


@pytest.mark.parametrize("command", ["tasks", "status", "units"])
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
