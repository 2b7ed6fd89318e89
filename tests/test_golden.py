"""The main screens, exactly: golden files at 80 and 120 columns on fixed data.

A changed header, column, width or wording fails here. After a deliberate
change, rewrite the files and review the diff:

    LANXI_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py && git diff tests/golden
"""

from __future__ import annotations

import pytest
from scenario import AS_OF, write_reports
from towns_support import GOLDEN, assert_golden

SCREENS = {
    "tasks": ("tasks",),
    "tasks-overdue": ("tasks", "--overdue"),
    "status": ("status",),
    "status-unit-village": ("status", "--unit", "苏家湖村"),
    "status-unit-lead": ("status", "--unit", "派出所"),
    "status-matrix": ("status", "--matrix"),
    "assess": ("assess",),
    "report-missing": ("report", "missing"),
}


@pytest.fixture(scope="module")
def scenario_data(tmp_path_factory):
    import shutil

    from conftest import SHIPPED

    data = tmp_path_factory.mktemp("golden") / "data"
    (data / "reports").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, data / name)
    write_reports(data)
    return data


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_matches_its_golden_file(cli, scenario_data, name, columns):
    result = cli(*SCREENS[name], "--data", str(scenario_data), "--as-of", AS_OF, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert_golden(f"{name}.{columns}.txt", result.stdout)


def test_every_golden_file_belongs_to_a_screen():
    """Every screen file here (NAME.COLUMNS.txt; test_remind keeps its own) is one of SCREENS."""
    expected = {f"{name}.{columns}.txt" for name in SCREENS for columns in (80, 120)}
    assert {p.name for p in GOLDEN.glob("*.txt") if p.stem.rsplit(".", 1)[-1].isdigit()} == expected
