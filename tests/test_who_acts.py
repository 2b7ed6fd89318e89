"""Who acts (tasks.yaml `actor: lead`): 10.2 is 禁毒办's inspection of each village, owed by
禁毒办 once per inspected unit (the subject) and occurrence, never by the inspected village."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lanxi_cli.core import engine
from lanxi_cli.core.domain import Report
from lanxi_cli.io import load, locate

D = dt.date
VILLAGES = 23  # 22 villages and 1 community


@pytest.fixture(scope="module")
def book():
    return load.load_book(locate.find_data_dir("data"))


def inspection(unit, day, n=0, **fields):
    return Report(task="10.2", unit=unit, date=day, status="done", file=f"r{n}", **fields)


def test_the_lead_owes_one_inspection_per_village_and_occurrence(book):
    found = [o for o in engine.compute(book, [], D(2020, 9, 15)) if o.task.id == "10.2"]
    assert len(found) == 2 * VILLAGES
    assert {o.unit for o in found} == {o.owner for o in found} == {"禁毒办"}
    assert [(o.subject, o.occ.label) for o in found[:3]] == [("苏家湖村", "第1次"), ("苏家湖村", "第2次"),
                                                              ("黄湖村", "第1次")]
    assert {o.subject for o in found} == set(book.group("各村、社区"))
    # on 09-15, every 第1次 (due 08-30) is overdue for 禁毒办, every 第2次 (11-30) open
    assert {(o.occ.label, o.state) for o in found} == {("第1次", "overdue"), ("第2次", "open")}


def test_an_inspection_recorded_under_the_village_completes_the_leads_obligation(book):
    """Visited on 09-03, after 第1次's due day: 第1次 late, and 1 of 2 toward 第2次; only 苏家湖村's."""
    found = engine.compute(book, [inspection("苏家湖村", D(2020, 9, 3))], D(2020, 9, 15))
    mine = [o for o in found if o.task.id == "10.2" and o.subject == "苏家湖村"]
    assert [(o.unit, o.occ.label, o.state, o.count, o.target) for o in mine] == [
        ("禁毒办", "第1次", "late", 1, 1), ("禁毒办", "第2次", "open", 1, 2)]
    others = [o for o in found if o.task.id == "10.2" and o.subject != "苏家湖村"]
    assert all(o.completed_on is None for o in others)


def test_the_village_tallies_leave_the_inspections_out(book):
    """苏家湖村 holds 36 obligations (no 10.2); 禁毒办 holds its own 14 and the 46 inspections."""
    found = engine.compute(book, [], D(2020, 9, 15))
    tallies = {t.unit: t for t in engine.tally(book, found, D(2020, 9, 15))}
    own = {u: sum(1 for o in found if o.unit == u and o.task.id != "10.2") for u in ("苏家湖村", "禁毒办")}
    assert tallies["苏家湖村"].total == own["苏家湖村"] == 36
    assert tallies["禁毒办"].total == own["禁毒办"] + 2 * VILLAGES == 60
    assert tallies["禁毒办"].overdue - sum(
        1 for o in found if o.unit == "禁毒办" and o.task.id != "10.2" and o.state == "overdue") == VILLAGES


def test_task_rows_list_owners_and_subjects(book):
    found = engine.compute(book, [inspection("苏家湖村", D(2020, 8, 20))], D(2020, 9, 15))
    row = next(r for r in engine.task_rows(book, found) if r.task.id == "10.2")
    assert (row.units, row.overdue_units, row.state) == (("禁毒办",), ("禁毒办",), "overdue")
    assert row.subjects == book.group("各村、社区")
    assert row.unit_complete("苏家湖村") is False  # 第2次 still open
    # a village neither leads nor owes 10.2: it is not among its tasks
    assert "10.2" not in [r.task.id for r in engine.task_rows(book, found, "苏家湖村")]
    mine = next(r for r in engine.task_rows(book, found, "禁毒办") if r.task.id == "10.2")
    assert len(mine.obligations) == 2 * VILLAGES
    [summary] = [s for s in engine.lead_summaries(book, found, "禁毒办") if s.task.id == "10.2"]
    assert (summary.units_total, summary.units_done, summary.units_overdue) == (VILLAGES, 0, VILLAGES - 1)


# ---- through the command line ---------------------------------------------------------------


def run(cli, data_dir, *args, as_of="2020-09-15"):
    result = cli(*args, "--data", str(data_dir), "--as-of", as_of)
    return result


def status(cli, data_dir, unit, as_of="2020-09-15"):
    result = run(cli, data_dir, "status", "--unit", unit, "--format", "json", as_of=as_of)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_add_names_the_inspected_village(cli, git_data_dir):
    result = run(cli, git_data_dir, "report", "add", "--task", "10.2", "--unit", "苏家湖村", "--status", "done",
                 "--date", "2020-09-03")
    assert result.exit_code == 0, result.output
    assert "计入：任务 10.2 第1次（苏家湖村，截止 2020-08-30），现为逾期完成" in result.stderr
    lead = status(cli, git_data_dir, "禁毒办")
    visits = [o for o in lead["obligations"] if o["task"] == "10.2"]
    assert len(visits) == 2 * VILLAGES
    assert all(o["owner"] == "禁毒办" and o["unit"] == "禁毒办" for o in visits)
    first = next(o for o in visits if o["subject"] == "苏家湖村" and o["period"] == "第1次")
    assert (first["state"], first["completed_on"]) == ("late", "2020-09-03")
    village = status(cli, git_data_dir, "苏家湖村")
    assert [o["task"] for o in village["obligations"] if o["task"] == "10.2"] == []
    assert all(o["subject"] is None and o["owner"] == "苏家湖村" for o in village["obligations"])
    assert [(o["owner"], o["subject"], o["period"], o["state"]) for o in village["inspected"]] == [
        ("禁毒办", "苏家湖村", "第1次", "late"), ("禁毒办", "苏家湖村", "第2次", "open")]
    table = run(cli, git_data_dir, "status", "--unit", "苏家湖村").stdout
    assert "对本单位开展的任务" in table and "10.2" in table


def test_report_add_refuses_the_lead_itself(cli, git_data_dir):
    result = run(cli, git_data_dir, "report", "add", "--task", "10.2", "--unit", "禁毒办", "--status", "done",
                 "--date", "2020-09-03")
    assert result.exit_code == 2
    assert "任务 10.2 由禁毒办对各单位开展，单位应写被督导的单位（各村、社区：苏家湖村、黄湖村" in result.stderr
    assert "枫林社区）" in result.stderr
    assert not list((git_data_dir / "reports").rglob("*.yaml"))


def test_tasks_json_lists_owners_and_subjects(cli, data_dir):
    rows = json.loads(run(cli, data_dir, "tasks", "--format", "json").stdout)
    row = next(r for r in rows if r["id"] == "10.2")
    assert (row["units"], row["overdue_units"]) == (["禁毒办"], ["禁毒办"])
    assert len(row["subjects"]) == VILLAGES and row["subjects"][0] == "苏家湖村"
    assert next(r for r in rows if r["id"] == "1.1")["subjects"] == []
    village = json.loads(run(cli, data_dir, "tasks", "--unit", "苏家湖村", "--format", "json").stdout)
    assert "10.2" not in [r["id"] for r in village]


def test_status_table_counts_the_inspections_for_the_lead(cli, data_dir):
    rows = {r["unit"]: r for r in json.loads(run(cli, data_dir, "status", "--format", "json").stdout)["units"]}
    assert rows["苏家湖村"]["total"] == 36 and rows["禁毒办"]["total"] == 60


def test_a_form_for_the_lead_holds_a_row_per_village_and_imports_under_it(cli, git_data_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    assert run(cli, git_data_dir, "form", "make", "-o", str(out), "--unit", "禁毒办").exit_code == 0
    village = tmp_path / "v"
    assert run(cli, git_data_dir, "form", "make", "-o", str(village), "--unit", "苏家湖村").exit_code == 0
    ws = load_workbook(village / "苏家湖村-填报表-2020-09-15.xlsx")["填报表"]
    assert "10.2" not in [ws[f"B{r}"].value for r in range(5, ws.max_row + 1)]
    path = out / "禁毒办-填报表-2020-09-15.xlsx"
    wb = load_workbook(path)
    ws = wb["填报表"]
    rows = {(ws[f"B{r}"].value, ws[f"D{r}"].value): r for r in range(5, ws.max_row + 1)}
    assert sum(1 for task, _ in rows if task == "10.2") == 2 * VILLAGES
    r = rows[("10.2", "黄湖村 第1次")]
    ws[f"G{r}"], ws[f"J{r}"] = "完成", dt.datetime(2020, 9, 12)
    wb.save(path)
    result = run(cli, git_data_dir, "form", "import", str(path), "--by", "王五", "--format", "json")
    assert result.exit_code == 0, result.output
    [written] = json.loads(result.stdout)[0]["reports"]
    assert "黄湖村-10.2" in written
    visit = next(o for o in status(cli, git_data_dir, "禁毒办")["obligations"]
                 if o["task"] == "10.2" and o["subject"] == "黄湖村" and o["period"] == "第1次")
    assert visit["state"] == "late"


def test_check_wants_the_units_a_lead_acts_on(cli, data_dir):
    text = (data_dir / "tasks.yaml").read_text(encoding="utf-8")
    start = text.index("- id: '9.1'")
    block = text[start:text.index("\n- id:", start + 1)]
    assert "actor" not in block and "units:" in block
    changed = "\n".join(line for line in block.splitlines() if not line.startswith("  units:"))
    (data_dir / "tasks.yaml").write_text(text.replace(block, changed + "\n  actor: lead"), encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "actor: lead 表示由牵头单位对各责任单位开展，须写明责任单位" in result.stdout + result.stderr
