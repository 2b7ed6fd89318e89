"""完成率 and 按时完成率 mean one thing everywhere (the contract's "Rates"): status, assess,
the 通报, the 台账, the dashboard and the county give the same figures for one town and day,
worked out by hand here from the obligations `status --unit` lists; and `status` and
`assess` reconcile through `unscored`."""

from __future__ import annotations

import json
import re

import pytest
from scenario import complete_on_time, write_reports

DAY = "2020-09-30"


@pytest.fixture
def town(cli, data_dir):
    """The scenario's reports, and 苏家湖村 and 中心校 perfect by 09-30."""
    write_reports(data_dir)
    complete_on_time(cli, data_dir, "苏家湖村", DAY)
    complete_on_time(cli, data_dir, "中心校", DAY)
    return data_dir


def run_json(cli, data_dir, *args, as_of=DAY):
    data = ("--data", str(data_dir)) if data_dir else ()
    result = cli(*args, *data, "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_hand(cli, data_dir, unit):
    """(due, done, late) over the unit's scored obligations due by DAY, from status --unit."""
    obligations = run_json(cli, data_dir, "status", "--unit", unit)["obligations"]
    due = [o for o in obligations if o["scored"] and o["state"] != "exempt"
           and (o["due"] < DAY or (o["due"] == DAY and o["state"] in ("done", "late")))]
    return len(due), sum(o["state"] == "done" for o in due), sum(o["state"] == "late" for o in due)


def fraction(n, d):
    return round(n / d, 4) if d else None


def percent(n, d):
    return f"{100 * n / d:.1f}%"


def test_rates_agree_across_every_output(cli, town, tmp_path):
    from openpyxl import load_workbook

    status = {r["unit"]: r for r in run_json(cli, town, "status")["units"]}
    hand = {unit: by_hand(cli, town, unit) for unit in status}
    assert hand["苏家湖村"][0] == hand["苏家湖村"][1] > 0  # perfect: all due done on time
    for unit, (due, done, late) in hand.items():
        row = status[unit]
        assert (row["due"], row["rate"], row["on_time_rate"]) == (due, fraction(done + late, due), fraction(done, due))
    assert status["苏家湖村"]["rate"] == 1 and any(r["rate"] == 0 for r in status.values())

    assessed = run_json(cli, town, "assess")
    for row in assessed:
        assert (row["rate"], row["on_time_rate"]) == (status[row["unit"]]["rate"], status[row["unit"]]["on_time_rate"])

    # the town: every unit's scored obligations due, added up
    due = sum(h[0] for h in hand.values())
    done = sum(h[1] for h in hand.values())
    completed = done + sum(h[2] for h in hand.values())
    text = cli("bulletin", "--data", str(town), "--as-of", DAY).stdout
    said = f"完成率{percent(completed, due)}、按时完成率{percent(done, due)}（按截至当日已到期的{due}项计分事项计）"
    assert said in text

    page = tmp_path / "看板.html"
    assert cli("dashboard", "-o", str(page), "--data", str(town), "--as-of", DAY).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert f'完成率<b>{percent(completed, due)}</b>' in html and f'按时完成率<b>{percent(done, due)}</b>' in html

    ledger = tmp_path / "台账.xlsx"
    assert cli("export", "-o", str(ledger), "--data", str(town), "--as-of", DAY).exit_code == 0
    book = load_workbook(ledger)
    sheet = book["按单位"]
    head = [c.value for c in sheet[2]]
    rate, on_time = head.index("完成率"), head.index("按时完成率")
    for cells in sheet.iter_rows(min_row=3):
        unit = cells[0].value
        assert (cells[rate].value, cells[on_time].value) == (status[unit]["rate"], status[unit]["on_time_rate"])
        assert cells[rate].number_format == "0.0%"
    sheet = book["考核"]
    head = [c.value for c in sheet[2]]
    unit, rate = head.index("单位"), head.index("完成率")
    listed = {cells[unit].value: cells[rate].value for cells in sheet.iter_rows(min_row=3)}
    assert listed == {r["unit"]: r["rate"] for r in assessed} and "禁毒办" not in listed

    towns = tmp_path / "towns.yaml"
    towns.write_text(f"towns:\n  - {{name: 兰溪镇, data: '{town}'}}\n", encoding="utf-8")
    county = run_json(cli, None, "county", "status", "--towns", str(towns))["towns"][0]
    assert (county["rate"], county["on_time_rate"]) == (fraction(completed, due), fraction(done, due))
    table = cli("county", "status", "--towns", str(towns), "--as-of", DAY).stdout
    assert percent(completed, due) in table


def test_status_and_assess_reconcile_through_unscored(cli, town):
    """status counts every obligation; assess only the scored ones. Their difference is
    `unscored` (in all) and `unscored_overdue`, and status's table says so (不计分)."""
    status = {r["unit"]: r for r in run_json(cli, town, "status")["units"]}
    assessed = run_json(cli, town, "assess")
    assert assessed
    for row in assessed:
        mine = status[row["unit"]]
        assert mine["total"] - mine["unscored"] == row["total"]
        assert mine["overdue"] - mine["unscored_overdue"] == row["overdue"]
    village = status["黄湖村"]
    assert village["unscored"] > 0 and village["unscored_overdue"] > 0  # 6.3 for August, due before the notice
    table = cli("status", "--data", str(town), "--as-of", DAY).stdout
    line = next(line for line in table.splitlines() if line.startswith("黄湖村"))
    assert f"{village['unscored']}({village['unscored_overdue']})" in line.split()
    assert "不计分" in table


def test_nothing_due_means_no_rate(cli, data_dir):
    """On the campaign's first day nothing scored is due: every rate is null, shown as —."""
    status = run_json(cli, data_dir, "status", as_of="2020-08-01")["units"]
    assert {(r["due"], r["rate"], r["on_time_rate"]) for r in status} == {(0, None, None)}
    table = cli("status", "--data", str(data_dir), "--as-of", "2020-08-01").stdout
    rows = [line for line in table.splitlines() if re.match(r"^\S+村 ", line)]
    assert rows and all(line.endswith("—") for line in rows)


def test_the_issues_village_reconciles_by_hand(cli, data_dir):
    """Issue 22's case, 09-30 with nothing reported: 苏家湖村 has 13 overdue in status and 12 in
    assess. The 12 scored ones: 1.1, 1.2, 2.1, 2.2, 2.3, 4.1, 4.2 (due 09-03), 8.2 (09-15), 1.3,
    1.4, 5.4, 8.1 (09-25); the 13th is 6.3 for August, due before the notice: unscored."""
    status = {r["unit"]: r for r in run_json(cli, data_dir, "status")["units"]}["苏家湖村"]
    assessed = {r["unit"]: r for r in run_json(cli, data_dir, "assess")}["苏家湖村"]
    assert (status["overdue"], status["unscored"], status["unscored_overdue"]) == (13, 1, 1)
    assert (assessed["overdue"], assessed["due"], assessed["rate"], assessed["score"]) == (12, 12, 0, 0)
    mine = run_json(cli, data_dir, "status", "--unit", "苏家湖村")["obligations"]
    scored = sorted(o["task"] for o in mine if o["state"] == "overdue" and o["scored"])
    assert scored == sorted(["1.1", "1.2", "2.1", "2.2", "2.3", "4.1", "4.2", "8.2", "1.3", "1.4", "5.4", "8.1"])
