"""Periods: a report may only name a period that has begun by its date, forms offer no row for
one, and `tasks` shows the next occurrence due (`next_due`) beside an older overdue one."""

from __future__ import annotations

import json

from conftest import obligation


def run(cli, data_dir, *args, as_of):
    return cli(*args, "--data", str(data_dir), "--as-of", as_of)


def test_a_report_for_a_period_not_yet_begun_is_refused(cli, data_dir):
    """On 09-20, 1.4's December meeting cannot be reported (its period begins 12-01); September's can."""
    result = run(cli, data_dir, "report", "add", "--task", "1.4", "--unit", "苏家湖村", "--status", "done",
                 "--period", "2020-12", "--no-commit", as_of="2020-09-20")
    assert result.exit_code == 2
    assert "周期“2020-12”自 2020-12-01 开始，报告日期 2020-09-20 时尚未开始" in result.stderr
    assert not list((data_dir / "reports").rglob("*.yaml"))
    ok = run(cli, data_dir, "report", "add", "--task", "1.4", "--unit", "苏家湖村", "--status", "done",
             "--period", "2020-09", "--date", "2020-10-02", "--no-commit", as_of="2020-10-05")
    assert ok.exit_code == 0, ok.output
    assert obligation(cli, data_dir, "苏家湖村", "1.4", "2020-10-05", "2020-09")["state"] == "late"


def test_check_names_a_report_file_for_a_period_not_begun(cli, data_dir):
    (data_dir / "reports" / "r.yaml").write_text(
        "task: '1.4'\nunit: 苏家湖村\ndate: 2020-09-20\nstatus: done\nperiod: 2020-11\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "r.yaml:5: period: 周期“2020-11”自 2020-11-01 开始" in result.stdout


def test_forms_offer_no_row_for_a_period_not_begun(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    made = run(cli, data_dir, "form", "make", "-o", str(tmp_path), "--unit", "苏家湖村", as_of="2020-09-15")
    assert made.exit_code == 0
    ws = load_workbook(tmp_path / "苏家湖村-填报表-2020-09-15.xlsx")["填报表"]
    rows = [(ws[f"B{r}"].value, ws[f"D{r}"].value) for r in range(5, ws.max_row + 1)]
    assert ("1.4", "2020-09") in rows and ("6.3", "2020-08") in rows
    assert not [r for r in rows if r[1] in ("2020-10", "2020-11", "2020-12", "2020-Q4")]
    assert ("3.1", "全程") in rows  # a one-off task's period is the whole campaign: begun


def test_next_due_beside_an_older_overdue_due(cli, data_dir):
    """On 10-10 every village's September 1.4 is overdue (due 09-25); the next one is due 10-25."""
    out = run(cli, data_dir, "tasks", "--format", "json", as_of="2020-10-10").stdout
    rows = {r["id"]: r for r in json.loads(out)}
    assert (rows["1.4"]["due"], rows["1.4"]["next_due"]) == ("2020-09-25", "2020-10-25")
    assert rows["1.4"]["state"] == "overdue"
    assert (rows["1.1"]["due"], rows["1.1"]["next_due"]) == ("2020-09-03", None)  # nothing more to come
    assert rows["3.1"]["next_due"] == rows["3.1"]["due"] == "2020-10-30"

    def within(days):
        out = run(cli, data_dir, "tasks", "--due-within", str(days), "--unit", "苏家湖村", "--format", "json",
                  as_of="2020-10-10")
        return {r["id"]: r["next_due"] for r in json.loads(out.stdout)}

    assert within(15)["1.4"] == "2020-10-25"
    assert "1.4" not in within(14) and "1.1" not in within(400)
    table = run(cli, data_dir, "tasks", "--unit", "苏家湖村", as_of="2020-10-10").stdout
    lines = table.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("1.4 "))
    assert "2020-09-25" in lines[at] and "下次" in lines[at + 1] and "2020-10-25" in lines[at + 2]
