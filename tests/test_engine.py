"""Obligations and states on the shipped plan, from reports built in memory."""

from __future__ import annotations

import datetime as dt

import pytest

from lanxi_cli.core import engine
from lanxi_cli.core.domain import Report
from lanxi_cli.errors import UsageError
from lanxi_cli.io import load, locate

D = dt.date


@pytest.fixture(scope="module")
def book():
    return load.load_book(locate.find_data_dir("data"))


def report(task, unit, day, status="progress", count=None, period=None, n=0):
    return Report(task=task, unit=unit, date=day, status=status, count=count, period=period, file=f"r{n}")


def obligations(book, reports, as_of, task=None, unit=None):
    return [
        o for o in engine.compute(book, reports, as_of)
        if (task is None or o.task.id == task) and (unit is None or o.named == unit)
    ]


def one(book, reports, as_of, task, unit, index=0):
    return obligations(book, reports, as_of, task, unit)[index]


# ---- state boundaries (1.1 is due 2020-09-03; the due-soon window is 7 days) ----


@pytest.mark.parametrize(
    ("as_of", "state"),
    [
        (D(2020, 8, 26), "open"),  # 8 days before
        (D(2020, 8, 27), "due_soon"),  # 7 days before: included
        (D(2020, 9, 3), "due_soon"),  # the due day itself is not overdue
        (D(2020, 9, 4), "overdue"),  # the day after is
    ],
)
def test_state_boundaries(book, as_of, state):
    assert one(book, [], as_of, "1.1", "苏家湖村").state == state


def test_done_on_the_due_day_and_late_after_it(book):
    on_time = [report("1.1", "苏家湖村", D(2020, 9, 3), "done")]
    late = [report("1.1", "苏家湖村", D(2020, 9, 4), "done")]
    assert one(book, on_time, D(2020, 10, 1), "1.1", "苏家湖村").state == "done"
    ob = one(book, late, D(2020, 10, 1), "1.1", "苏家湖村")
    assert (ob.state, ob.completed_on) == ("late", D(2020, 9, 4))


def test_progress_and_blocked_reports_do_not_complete(book):
    reports = [report("1.1", "苏家湖村", D(2020, 9, 1)), report("1.1", "苏家湖村", D(2020, 9, 2), "blocked")]
    ob = one(book, reports, D(2020, 9, 4), "1.1", "苏家湖村")
    assert (ob.state, ob.last_report) == ("overdue", D(2020, 9, 2))


def test_reports_after_the_as_of_day_are_not_yet_known(book):
    reports = [report("1.1", "苏家湖村", D(2020, 9, 2), "done")]
    assert one(book, reports, D(2020, 9, 1), "1.1", "苏家湖村").state == "due_soon"


def test_counts_add_up_to_the_target(book):
    reports = [report("5.1", "黄湖村", D(2020, 9, 10), count=1, n=1),
               report("5.1", "黄湖村", D(2020, 10, 20), count=1, n=2)]
    ob = one(book, reports, D(2020, 10, 26), "5.1", "黄湖村")
    assert (ob.count, ob.target, ob.state) == (2, 3, "overdue")
    reports.append(report("5.1", "黄湖村", D(2020, 10, 24), count=2, n=3))
    ob = one(book, reports, D(2020, 10, 26), "5.1", "黄湖村")
    assert (ob.count, ob.state, ob.completed_on) == (4, "done", D(2020, 10, 24))


def test_targets_differ_by_unit_on_7_1(book):
    reports = [report("7.1", "禁毒办", D(2020, 11, 1), count=2), report("7.1", "枫林社区", D(2020, 11, 1), count=1)]
    own = one(book, reports, D(2020, 12, 1), "7.1", "禁毒办")
    village = one(book, reports, D(2020, 12, 1), "7.1", "枫林社区")
    assert (own.count, own.target, own.state) == (2, 3, "open")
    assert (village.count, village.target, village.state) == (1, 1, "done")


def test_monthly_counts_stay_in_their_month(book):
    reports = [report("6.3", "金石村", D(2020, 9, 2), count=4, n=1)]
    aug, sep = obligations(book, reports, D(2020, 9, 5), "6.3", "金石村")[:2]
    assert (aug.state, sep.state, sep.count) == ("overdue", "done", 4)
    late = [report("6.3", "金石村", D(2020, 9, 2), count=4, period="2020-08")]
    aug, sep = obligations(book, late, D(2020, 9, 5), "6.3", "金石村")[:2]
    assert (aug.state, aug.count, sep.count) == ("late", 4, 0)


def test_milestones_add_up_from_the_campaign_start(book):
    first = report("10.2", "羊角村", D(2020, 8, 20), count=1, n=1)
    m1, m2 = obligations(book, [first], D(2020, 9, 1), "10.2", "羊角村")
    assert (m1.state, m2.count, m2.target, m2.state) == ("done", 1, 2, "open")
    second = report("10.2", "羊角村", D(2020, 10, 10), count=1, n=2)
    m1, m2 = obligations(book, [first, second], D(2020, 12, 1), "10.2", "羊角村")
    assert (m2.count, m2.state, m2.completed_on) == (2, "done", D(2020, 10, 10))


def test_a_first_inspection_after_its_milestone(book):
    """Milestones are cumulative, whatever period the report names: 第1次 completes late."""
    for period in (None, "1", "第2次"):
        late = report("10.2", "沙岭村", D(2020, 9, 5), count=1, period=period)
        m1, m2 = obligations(book, [late], D(2020, 9, 6), "10.2", "沙岭村")
        assert (m1.state, m1.completed_on, m2.state, m2.count, m2.target) == ("late", D(2020, 9, 5), "open", 1, 2)


def test_a_done_report_without_a_count_adds_one(book):
    done = report("10.2", "新月村", D(2020, 8, 25), "done")
    m1, m2 = obligations(book, [done], D(2020, 9, 1), "10.2", "新月村")
    assert (m1.state, m2.state, m2.count) == ("done", "open", 1)
    again = report("10.2", "新月村", D(2020, 10, 2), "done", n=1)
    m1, m2 = obligations(book, [done, again], D(2020, 10, 3), "10.2", "新月村")
    assert (m1.state, m2.state, m2.completed_on) == ("done", "done", D(2020, 10, 2))


# ---- task rows ----------------------------------------------------------------


def test_task_rows_before_anything_is_reported(book):
    rows = {r.task.id: r for r in engine.task_rows(book, engine.compute(book, [], D(2020, 9, 4)))}
    assert rows["1.1"].state == "overdue" and len(rows["1.1"].overdue_units) == 23
    assert rows["1.4"].due == D(2020, 9, 25) and rows["1.4"].state == "open"
    assert rows["10.2"].state == "overdue" and rows["10.2"].due == D(2020, 8, 30)
    assert rows["6.3"].state == "overdue" and "党建办" in rows["6.3"].overdue_units
    overdue = [r.task.id for r in rows.values() if r.state == "overdue"]
    assert overdue == ["1.1", "1.2", "2.1", "2.2", "2.3", "4.1", "4.2", "6.3", "10.2"]


def test_task_due_moves_on_when_every_unit_completes(book):
    reports = [report("9.2", "禁毒办", D(2020, 9, 28), "done")]
    (row,) = [r for r in engine.task_rows(book, engine.compute(book, reports, D(2020, 9, 29))) if r.task.id == "9.2"]
    assert row.due == D(2020, 10, 30)
    done_all = [report("9.2", "禁毒办", D(2020, m, 1), "done", period=f"2020-{m:02d}") for m in (9, 10, 11, 12)]
    (row,) = [r for r in engine.task_rows(book, engine.compute(book, done_all, D(2020, 12, 2))) if r.task.id == "9.2"]
    assert (row.due, row.state) == (None, "done")


def test_filters(book):
    as_of = D(2020, 9, 20)
    rows = engine.task_rows(book, engine.compute(book, [], as_of))
    soon = engine.filter_tasks(book, rows, as_of, due_within=7)
    assert [r.task.id for r in soon] == ["1.3", "1.4", "5.4", "8.1"]
    police = engine.task_rows(book, engine.compute(book, [], as_of), "兰溪派出所")
    assert [r.task.id for r in police] == ["5.1", "6.1", "6.2", "6.3"]
    media = engine.filter_tasks(book, rows, as_of, category="媒体")
    assert [r.task.id for r in media] == ["7.1", "7.2", "7.3"]


def test_tallies_put_villages_first(book):
    tallies = engine.tally(book, engine.compute(book, [], D(2020, 9, 4)), D(2020, 9, 4))
    kinds = [t.kind for t in tallies]
    assert kinds[:23] == ["village"] * 22 + ["community"]
    assert all(t.total == t.done + t.late + t.overdue + t.due_soon + t.open for t in tallies)


# ---- resolving units --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("兰溪派出所", "兰溪派出所"), ("派出所", "兰溪派出所"), ("镇禁毒办", "禁毒办"), ("苏家湖", "苏家湖村"),
     ("枫林", "枫林社区"), ("派出所　", "兰溪派出所"), ("兰溪禁毒协会", "禁毒协会")],
)
def test_resolve_unit(book, typed, unit):
    assert book.resolve_unit(typed) == unit


def test_an_ambiguous_part_lists_the_candidates(book):
    with pytest.raises(UsageError) as caught:
        book.resolve_unit("金")
    assert caught.value.exit_code == 2
    for name in ("金石村", "金河村", "金鸡山村"):
        assert name in caught.value.message


def test_an_unknown_unit(book):
    with pytest.raises(UsageError) as caught:
        book.resolve_unit("火星村")
    assert "未知单位" in caught.value.message


def test_a_task_completed_partly_late_is_done(book):
    """The contract's task states are overdue, due_soon, open and done: late counts as done."""
    reports = [report("6.2", "兰溪派出所", D(2020, 12, 1), "done", n=1),
               report("6.2", "司法所", D(2021, 1, 5), "done", period=None, n=2)]
    obs = engine.compute(book, reports, D(2021, 1, 10))
    assert {o.state for o in obs if o.task.id == "6.2"} == {"done", "late"}
    (row,) = [r for r in engine.task_rows(book, obs) if r.task.id == "6.2"]
    assert (row.state, row.due) == ("done", None)
