"""`lanxi report missing`: the 旬报 windows at their edges, and who filed nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from lanxi_cli.core.reporting import latest_window

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("as_of", "start", "end"),
    [
        ("2020-09-21", "2020-09-11", "2020-09-20"),
        ("2020-09-20", "2020-09-11", "2020-09-20"),  # a reporting day closes its own window
        ("2020-09-10", "2020-08-31", "2020-09-10"),  # the 31st opens the next window
        ("2020-09-11", "2020-08-31", "2020-09-10"),
        ("2020-09-30", "2020-09-21", "2020-09-30"),
        ("2020-08-31", "2020-08-21", "2020-08-30"),
        ("2020-10-31", "2020-10-21", "2020-10-30"),
        ("2021-01-05", "2020-12-21", "2020-12-30"),  # across the year
        ("2021-01-10", "2020-12-31", "2021-01-10"),
        ("2021-02-28", "2021-02-21", "2021-02-28"),  # February: the 30th is the 28th
        ("2021-03-01", "2021-02-21", "2021-02-28"),
        ("2021-03-10", "2021-03-01", "2021-03-10"),
        ("2020-02-28", "2020-02-11", "2020-02-20"),  # leap year: the 30th is the 29th
        ("2020-02-29", "2020-02-21", "2020-02-29"),
    ],
)
def test_window_edges(as_of, start, end):
    assert latest_window(D(as_of), (10, 20, 30)) == (D(start), D(end))


def test_windows_for_other_reporting_days():
    assert latest_window(D("2020-10-01"), (15, 31)) == (D("2020-09-16"), D("2020-09-30"))
    assert latest_window(D("2020-10-14"), (15, 31)) == (D("2020-09-16"), D("2020-09-30"))
    assert latest_window(D("2020-10-15"), (31,)) == (D("2020-09-01"), D("2020-09-30"))


def add(cli, data_dir, unit, date, task="6.1", as_of="2021-03-31"):
    result = cli("report", "add", "--data", str(data_dir), "--as-of", as_of,
                 "--task", task, "--unit", unit, "--date", date, "--no-commit")
    assert result.exit_code == 0, result.output


def missing(cli, data_dir, as_of, fmt="json"):
    result = cli("report", "missing", "--data", str(data_dir), "--as-of", as_of, "--format", fmt)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def owed(data_dir) -> list[str]:
    from lanxi_cli.io import load

    book = load.load_book(data_dir)
    return [u.name for u in book.units.values() if u.kind in ("village", "community", "department")
            and u.name != "禁毒办"]


def test_nobody_reported(cli, data_dir):
    found = missing(cli, data_dir, "2020-09-21")
    assert found["window"] == {"start": "2020-09-11", "end": "2020-09-20"}
    assert found["units"] == owed(data_dir)
    assert "禁毒办" not in found["units"] and "邮政" not in found["units"]  # receiver; not a town department


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        ("2020-09-21", ["2020-09-11", "2020-09-20"], ["2020-09-10", "2020-09-21"]),
        ("2020-09-11", ["2020-09-01", "2020-09-10"], ["2020-08-31", "2020-09-11"]),  # the first opens with the rule
        # a window's last day: that window is not yet missed, the one before it is checked
        ("2020-09-20", ["2020-09-01", "2020-09-10"], ["2020-09-11", "2020-09-20"]),
        ("2020-10-01", ["2020-09-21", "2020-09-30"], ["2020-09-20", "2020-10-01"]),
        ("2020-10-31", ["2020-10-21", "2020-10-30"], ["2020-10-20", "2020-10-31"]),
    ],
)
def test_reports_at_the_window_edges(cli, data_dir, as_of, inside, outside):
    villages = ["苏家湖村", "黄湖村", "罗湖村", "北岸新村"]
    dates = inside + outside
    for unit, date in zip(villages, dates, strict=False):
        add(cli, data_dir, unit, date, as_of="2020-12-31")
    units = missing(cli, data_dir, as_of)["units"]
    for unit, date in zip(villages, dates, strict=False):
        assert (unit in units) == (date not in inside), (unit, date)


@pytest.mark.parametrize(
    ("as_of", "window"),
    [
        ("2020-08-15", None),  # before the rule begins
        ("2020-09-01", None),  # the rule has begun, but no reporting day has come yet
        ("2020-09-09", None),
        ("2020-09-10", None),  # the first window's last day: not yet missed, as a task due that day is not overdue
        ("2020-09-11", ("2020-09-01", "2020-09-10")),  # the first window starts on the notice's date
        ("2020-12-30", ("2020-12-11", "2020-12-20")),
        ("2020-12-31", ("2020-12-21", "2020-12-30")),  # 12-31 would open a window ending after the campaign
        ("2021-01-15", ("2020-12-21", "2020-12-30")),  # after the campaign: the last window
        ("1900-01-05", None),  # the earliest year --as-of takes (0001 is refused: test_trust)
    ],
)
def test_windows_lie_inside_the_reporting_season(cli, data_dir, as_of, window):
    found = missing(cli, data_dir, as_of)
    if window is None:
        assert found == {"window": None, "units": [], "owed": 31}
    else:
        assert found["window"] == {"start": window[0], "end": window[1]}
        assert found["units"] == owed(data_dir)


def test_the_season_starts_where_plan_yaml_says(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    rule = "  days: [10, 20, 30]\n  start: 2020-09-01\n"
    assert rule in text
    plan.write_text(text.replace(rule, rule.replace("09-01", "09-15")), encoding="utf-8")
    assert missing(cli, data_dir, "2020-09-20")["window"] is None
    assert missing(cli, data_dir, "2020-09-21")["window"] == {"start": "2020-09-15", "end": "2020-09-20"}
    text = missing(cli, data_dir, "2020-09-20", fmt="table")
    assert text == "第一个旬报期尚未结束，还没有应报而未报的旬报。\n"


def test_season_bounds_of_the_pure_rule():
    days = (10, 20, 30)
    assert latest_window(D("2020-09-10"), days, D("2020-09-01"), D("2020-12-31")) == (D("2020-09-01"), D("2020-09-10"))
    assert latest_window(D("2020-09-05"), days, D("2020-09-01"), D("2020-12-31")) is None
    assert latest_window(D("2020-08-31"), days, D("2020-09-01"), D("2020-12-31")) is None
    assert latest_window(D("2022-06-01"), days, D("2020-09-01"), D("2020-12-31")) == (D("2020-12-21"), D("2020-12-30"))
    assert latest_window(D("2020-12-31"), days, D("2020-09-01"), D("2020-12-25")) == (D("2020-12-11"), D("2020-12-20"))


def test_february(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  end: 2020-12-31\n", "  end: 2021-03-31\n", 1), encoding="utf-8")
    add(cli, data_dir, "苏家湖村", "2021-02-21")
    add(cli, data_dir, "黄湖村", "2021-02-28")
    add(cli, data_dir, "罗湖村", "2021-02-20")
    add(cli, data_dir, "北岸新村", "2021-03-01")
    found = missing(cli, data_dir, "2021-03-01")
    assert found["window"] == {"start": "2021-02-21", "end": "2021-02-28"}
    assert {"罗湖村", "北岸新村"} <= set(found["units"])
    assert not {"苏家湖村", "黄湖村"} & set(found["units"])


def test_any_task_counts(cli, data_dir):
    add(cli, data_dir, "兰溪派出所", "2020-09-15", task="5.1", as_of="2020-09-21")
    assert "兰溪派出所" not in missing(cli, data_dir, "2020-09-21")["units"]


def test_an_inspection_is_not_the_village_s_report(cli, data_dir):
    """金石村 filed nothing in 09-21..09-30; 禁毒办 recorded its 10.2 visit there on 09-26. The window
    is missed (from 10-01, never on its last day 09-30); 罗湖村's own report files its window."""
    add(cli, data_dir, "金石村", "2020-09-26", task="10.2", as_of="2020-09-26")
    add(cli, data_dir, "罗湖村", "2020-09-26", task="1.4", as_of="2020-09-26")
    found = missing(cli, data_dir, "2020-10-01")
    assert found["window"] == {"start": "2020-09-21", "end": "2020-09-30"}
    assert "金石村" in found["units"] and "罗湖村" not in found["units"]
    assert missing(cli, data_dir, "2020-09-30")["window"] == {"start": "2020-09-11", "end": "2020-09-20"}


def test_table_names_each_missing_units_liaison(cli, data_dir):
    from rich.cells import cell_len

    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^  - \{name: 黄湖村, .*$",
                    "  - {name: 黄湖村, kind: village, liaison: {name: 李四, phone: '13800000000'}}", text)
    assert edited != text
    plan.write_text(edited, encoding="utf-8")
    add(cli, data_dir, "苏家湖村", "2020-09-15", as_of="2020-09-21")
    out = missing(cli, data_dir, "2020-09-21", fmt="table")
    assert "2020-09-11 至 2020-09-20" in out
    line = next(line for line in out.splitlines() if "黄湖村" in line)
    assert "李四" in line and "13800000000" in line
    assert "苏家湖村" not in out
    assert all(cell_len(line) <= 80 for line in out.splitlines())


def test_bad_as_of_is_a_usage_error(cli, data_dir):
    result = cli("report", "missing", "--data", str(data_dir), "--as-of", "2020-09-31")
    assert result.exit_code == 2
