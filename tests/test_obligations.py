"""Obligations as the plan means them (issue 12), worked out by hand on the shipped plan:
cumulative milestones, quantity targets and their parts, 7.3, exemptions, what is
scored, reports after the campaign, a unit's own task rows, blocked reports, and
what report add says about a new report."""

from __future__ import annotations

import datetime as dt

import pytest

from lanxi_cli.core import assess, engine, reporting
from lanxi_cli.core.domain import Exemption, Report, Review, State
from lanxi_cli.core.plan_index import report_faults
from lanxi_cli.io import load, locate
from lanxi_cli.render import shapes

D = dt.date


@pytest.fixture(scope="module")
def book():
    return load.load_book(locate.find_data_dir("data"))


def report(task, unit, day, status="progress", count=None, rate=None, period=None, part=None, note="", n=None):
    file = f"r-{task}-{unit}-{day}-{n if n is not None else count}-{status}-{part}"
    return Report(task=task, unit=unit, date=day, status=status, count=count, rate=rate, period=period,
                  part=part, note=note, file=file)


def obs(book, reports, as_of, task, unit, **records):
    return [o for o in engine.compute(book, reports, as_of, **records) if o.task.id == task and o.named == unit]


def one(book, reports, as_of, task, unit, **records):
    [ob] = obs(book, reports, as_of, task, unit, **records)
    return ob


# ---- the State enum ------------------------------------------------------------------


def test_states_are_the_contracts_names_worst_first():
    assert [s.value for s in State] == ["overdue", "due_soon", "open", "late", "done", "exempt"]
    assert [s.order for s in State] == list(range(6))
    assert engine.worst(["done", "late", "due_soon"]) == State.due_soon
    assert engine.worst([State.exempt, State.done]) == State.done
    assert engine.worst([State.exempt]) == State.exempt
    assert State.done == "done"  # a str: JSON writes it as its name


# ---- one occurrence_for ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "period", "day", "label"),
    [
        ("9.1", None, D(2020, 9, 30), "2020-Q3"),
        ("9.1", None, D(2020, 10, 1), "2020-Q4"),  # the day after Q3 ends
        ("9.1", "2020-q3", D(2020, 10, 1), "2020-Q3"),  # a named period wins over the date
        ("9.1", None, D(2020, 8, 5), "2020-Q3"),  # before the first: the first
        ("9.1", None, D(2021, 1, 5), "2020-Q4"),  # after the campaign: the last
        ("1.4", "2020-9", None, "2020-09"),
        ("10.2", "2", None, "第2次"),
        ("1.1", None, D(2021, 3, 1), None),  # a one-off task has one occurrence
        ("1.1", None, None, None),
    ],
)
def test_occurrence_for(book, task, period, day, label):
    assert book.occurrence_for(book.task_by_id[task], period, day).label == label


def test_occurrence_for_names_none_it_cannot_find(book):
    assert book.occurrence_for(book.task_by_id["1.4"], "2021-01") is None
    assert book.occurrence_for(book.task_by_id["1.1"], "2020-09") is None
    assert book.occurrence_for(book.task_by_id["1.4"]) is None  # several, and neither period nor day


# ---- cumulative milestones (10.2: 1 by 08-30, 2 in all by 11-30) ---------------------------


def test_the_issues_late_first_inspection(book):
    """`report add -t 10.2 -u 黄湖村 -d 2020-09-03 -n 1`: 第1次 is completed late, 1 of 2 toward 第2次."""
    first = report("10.2", "黄湖村", D(2020, 9, 3), count=1)
    m1, m2 = obs(book, [first], D(2020, 9, 4), "10.2", "黄湖村")
    assert (m1.state, m1.completed_on, m1.count, m1.target) == (State.late, D(2020, 9, 3), 1, 1)
    assert (m2.state, m2.count, m2.target) == (State.open, 1, 2)
    m1, m2 = obs(book, [first], D(2020, 12, 1), "10.2", "黄湖村")
    assert (m1.state, m2.state) == (State.late, State.overdue)  # the late first stays completed
    second = report("10.2", "黄湖村", D(2020, 11, 30), count=1)
    m1, m2 = obs(book, [first, second], D(2020, 12, 1), "10.2", "黄湖村")
    assert (m1.state, m2.state, m2.completed_on, m2.count) == (State.late, State.done, D(2020, 11, 30), 2)


def test_one_report_of_two_completes_both_milestones(book):
    both = report("10.2", "金河村", D(2020, 8, 20), count=2)
    m1, m2 = obs(book, [both], D(2020, 9, 1), "10.2", "金河村")
    assert (m1.state, m2.state, m1.completed_on, m2.completed_on) == (State.done, State.done, D(2020, 8, 20),
                                                                       D(2020, 8, 20))


def test_progress_without_a_count_adds_nothing_to_a_milestone(book):
    nothing = report("10.2", "龙荣村", D(2020, 8, 20))
    m1, _ = obs(book, [nothing], D(2020, 9, 1), "10.2", "龙荣村")
    assert (m1.state, m1.count, m1.last_report) == (State.overdue, 0, D(2020, 8, 20))


# ---- quantity targets (5.3: at least 3 trainings; 6.1: a rate of 50%) -----------------------


def test_a_bare_done_completes_nothing_where_a_quantity_is_set(book):
    """The issue's 0/2: 4.1 asks for 2 trainings; a `done` saying none is not 2 (a bare `done` used to
    complete it, while an honest "1 of 3" did not: the rule rewarded reporting less)."""
    claim = report("4.1", "黄湖村", D(2020, 9, 1), "done")
    ob = one(book, [claim], D(2020, 9, 2), "4.1", "黄湖村")
    assert (ob.state, ob.count, ob.target, ob.measured, ob.completed_on) == (State.due_soon, 0, 2, True, None)
    assert one(book, [claim], D(2020, 9, 4), "4.1", "黄湖村").state == State.overdue
    honest = report("4.1", "黄湖村", D(2020, 9, 1), "done", count=2)
    assert one(book, [claim, honest], D(2020, 9, 4), "4.1", "黄湖村").state == State.done
    # a rate: 6.1 asks for 50%; a `done` without a rate completes nothing
    assert one(book, [report("6.1", "黄湖村", D(2020, 10, 1), "done")], D(2020, 10, 2), "6.1", "黄湖村").state \
        == State.open


def test_a_count_target_of_1_takes_a_bare_done_as_1(book):
    """7.1 for a village (1 article) and 7.3 for 禁毒办 (1 作品展播): a `done` counts 1."""
    ob = one(book, [report("7.1", "枫林社区", D(2020, 11, 1), "done")], D(2020, 11, 2), "7.1", "枫林社区")
    assert (ob.state, ob.count, ob.target) == (State.done, 1, 1)
    ob = one(book, [report("7.3", "禁毒办", D(2020, 9, 28), "done")], D(2020, 9, 29), "7.3", "禁毒办")
    assert (ob.state, ob.count, ob.target) == (State.done, 1, 1)


def test_several_rates_are_parts_each_met_on_its_own(book):
    """2.3: 知晓率 and 竞赛参与率, each 100%; 3.1: three rates. Complete only when every one is met."""
    first = report("2.3", "金石村", D(2020, 9, 1), "done", rate=1.0, part="知晓率")
    ob = one(book, [first], D(2020, 9, 2), "2.3", "金石村")
    assert ob.state == State.due_soon
    assert [shapes.part(p) for p in ob.parts] == [
        {"name": "知晓率", "count": None, "target": None, "rate": 1.0, "rate_target": 1.0},
        {"name": "竞赛参与率", "count": None, "target": None, "rate": None, "rate_target": 1.0}]
    short = report("2.3", "金石村", D(2020, 9, 2), "done", rate=0.9, part="竞赛参与率")
    assert one(book, [first, short], D(2020, 9, 3), "2.3", "金石村").state == State.due_soon
    full = report("2.3", "金石村", D(2020, 9, 5), "progress", rate=1.0, part="竞赛参与率")
    ob = one(book, [first, short, full], D(2020, 9, 6), "2.3", "金石村")
    assert (ob.state, ob.completed_on) == (State.late, D(2020, 9, 5))
    # a rate without a part counts toward no part; a bare done toward none at all
    loose = [report("3.1", "金石村", D(2020, 9, 1), "done", rate=1.0), report("3.1", "金石村", D(2020, 9, 1), "done")]
    ob = one(book, loose, D(2020, 9, 2), "3.1", "金石村")
    assert ob.state == State.open and [p.rate for p in ob.parts] == [None, None, None]


def test_the_issues_done_short_of_its_count(book):
    """`-t 5.3 -u 黄湖 -s done -n 1`: a count was reported, so the target (3) decides: nothing completed."""
    short = report("5.3", "黄湖村", D(2020, 10, 1), "done", count=1)
    ob = one(book, [short], D(2020, 10, 2), "5.3", "黄湖村")
    assert (ob.state, ob.count, ob.measured, ob.completed_on) == (State.open, 1, True, None)
    assert one(book, [short], D(2020, 10, 26), "5.3", "黄湖村").state == State.overdue


def test_a_claim_without_a_count_adds_nothing_to_the_counts(book):
    claim = report("5.3", "黄湖村", D(2020, 9, 5), "done")
    count = report("5.3", "黄湖村", D(2020, 9, 10), count=1)
    assert one(book, [claim, count], D(2020, 9, 6), "5.3", "黄湖村").state == State.open
    ob = one(book, [claim, count], D(2020, 9, 11), "5.3", "黄湖村")
    assert (ob.state, ob.count) == (State.open, 1)


def test_counts_complete_on_the_day_they_add_up(book):
    reports = [report("5.3", "黄湖村", D(2020, 9, 10), count=1), report("5.3", "黄湖村", D(2020, 10, 30), count=2)]
    ob = one(book, reports, D(2020, 11, 1), "5.3", "黄湖村")
    assert (ob.state, ob.completed_on, ob.count) == (State.late, D(2020, 10, 30), 3)


def test_the_issues_rate_short_of_its_target(book):
    """`--rate 0.2` on 6.1 (target 50%) completes nothing, even with `done`; 0.6 completes it."""
    short = report("6.1", "黄湖村", D(2020, 10, 1), "done", rate=0.2)
    ob = one(book, [short], D(2020, 10, 2), "6.1", "黄湖村")
    assert (ob.state, ob.rate, ob.rate_target) == (State.open, 0.2, 0.5)
    enough = report("6.1", "黄湖村", D(2020, 11, 1), rate=0.6)
    ob = one(book, [short, enough], D(2020, 11, 2), "6.1", "黄湖村")
    assert (ob.state, ob.completed_on, ob.rate) == (State.done, D(2020, 11, 1), 0.6)


def test_a_measure_the_target_does_not_set_is_recorded_and_read_against_nothing(book):
    on_rate_task = report("6.1", "罗湖村", D(2020, 10, 1), "done", count=5)  # 6.1 sets a rate, not a count
    assert one(book, [on_rate_task], D(2020, 10, 2), "6.1", "罗湖村").state == State.open  # still no rate
    on_count_task = report("5.1", "罗湖村", D(2020, 10, 1), "done", rate=0.2)  # 5.1 sets a count, not a rate
    assert one(book, [on_count_task], D(2020, 10, 2), "5.1", "罗湖村").state == State.open  # still no count
    no_target = report("1.1", "罗湖村", D(2020, 9, 2), "done", count=2)  # 1.1 sets none
    ob = one(book, [no_target], D(2020, 9, 4), "1.1", "罗湖村")
    assert (ob.state, ob.count, ob.target) == (State.done, None, None)


# ---- parts (7.1, 禁毒办: 中央省级 1 and 省内其他 2) ------------------------------------------


def test_every_part_must_be_met(book):
    unparted = report("7.1", "禁毒办", D(2020, 11, 1), count=3)
    ob = one(book, [unparted], D(2020, 11, 2), "7.1", "禁毒办")
    assert (ob.state, ob.count, [shapes.part(p) for p in ob.parts]) == (State.open, 3, [
        {"name": "中央省级", "count": 0, "target": 1, "rate": None, "rate_target": None},
        {"name": "省内其他", "count": 0, "target": 2, "rate": None, "rate_target": None}])
    wrong_mix = [report("7.1", "禁毒办", D(2020, 11, 1), count=3, part="中央省级")]
    assert one(book, wrong_mix, D(2020, 11, 2), "7.1", "禁毒办").state == State.open  # 3 + 0: 省内其他 unmet
    parts = [report("7.1", "禁毒办", D(2020, 11, 1), count=1, part="中央省级"),
             report("7.1", "禁毒办", D(2020, 11, 20), count=1, part="省内其他"),
             report("7.1", "禁毒办", D(2020, 12, 16), count=1, part="省内其他")]
    ob = one(book, parts, D(2020, 12, 20), "7.1", "禁毒办")
    assert (ob.state, ob.completed_on, [p.count for p in ob.parts]) == (State.late, D(2020, 12, 16), [1, 2])


def test_a_village_on_7_1_has_no_parts(book):
    ob = one(book, [report("7.1", "枫林社区", D(2020, 11, 1), count=1)], D(2020, 11, 2), "7.1", "枫林社区")
    assert (ob.state, ob.count, ob.target, ob.parts) == (State.done, 1, 1, ())


def test_a_part_the_target_lacks_is_a_fault(book):
    for unit, part in (("禁毒办", "中央"), ("苏家湖村", "中央省级")):
        _, faults = report_faults(book, report("7.1", unit, D(2020, 11, 1), count=1, part=part))
        assert [field for field, _ in faults] == ["part"], faults
    _, faults = report_faults(book, report("7.1", "禁毒办", D(2020, 11, 1), count=1, part="省内其他"))
    assert faults == []


def test_a_report_before_the_campaign_is_a_fault(book):
    _, faults = report_faults(book, report("1.1", "苏家湖村", D(2019, 9, 20), "done"))
    assert faults == [("date", "报告日期 2019-09-20 早于活动开始日期 2020-08-01")]


# ---- 7.3: 禁毒办's own work (at least one 作品展播) ----------------------------------------


def test_7_3_gives_the_office_its_own_obligation(book):
    assert "禁毒办" in book.task_units(book.task_by_id["7.3"])
    ob = one(book, [report("7.3", "禁毒办", D(2020, 9, 28), count=1)], D(2020, 9, 29), "7.3", "禁毒办")
    assert (ob.state, ob.count, ob.target) == (State.done, 1, 1)
    village = one(book, [], D(2020, 9, 29), "7.3", "苏家湖村")
    assert (village.target, village.state) == (None, State.due_soon)


# ---- exemptions ---------------------------------------------------------------------------


ASKED, DECIDED = D(2020, 9, 20), D(2020, 9, 21)


def exemption(task, unit, period=None, day=ASKED, name="x"):
    return Exemption(task=task, unit=unit, reason="本村无高中", date=day, period=period, file=f"exemptions/{name}")


def decision(subject, decision="approved", day=DECIDED, recorded=""):
    return Review(subject=subject.id, decision=decision, by="禁毒办", date=day, recorded=recorded,
                  file=f"reviews/{subject.file}-{day}-{recorded}")


def test_an_approved_exemption_holds_from_its_approval_s_date(book):
    ex = exemption("3.3", "苏家湖村")
    records = {"exemptions": [ex], "reviews": [decision(ex)]}
    for as_of in (D(2020, 8, 1), D(2020, 9, 20)):  # approved 09-21: before, as if it had not been made
        assert one(book, [], as_of, "3.3", "苏家湖村", **records).state != State.exempt
    for as_of in (D(2020, 9, 21), D(2020, 10, 5), D(2021, 1, 1)):
        assert one(book, [], as_of, "3.3", "苏家湖村", **records).state == State.exempt
    assert one(book, [], D(2020, 10, 5), "3.3", "黄湖村", **records).state == State.overdue  # only that unit


def test_pending_rejected_and_reversed_exemptions(book):
    ex = exemption("3.3", "苏家湖村")
    assert one(book, [], D(2020, 10, 5), "3.3", "苏家湖村", exemptions=[ex]).state == State.overdue
    rejected = {"exemptions": [ex], "reviews": [decision(ex, "rejected")]}
    assert one(book, [], D(2020, 10, 5), "3.3", "苏家湖村", **rejected).state == State.overdue
    reversed_ = {"exemptions": [ex], "reviews": [decision(ex), decision(ex, "rejected", D(2020, 9, 25))]}
    # each decision from its own date: exempt from 09-21, owed again from the reversal of 09-25
    assert one(book, [], D(2020, 9, 22), "3.3", "苏家湖村", **reversed_).state == State.exempt
    assert one(book, [], D(2020, 9, 25), "3.3", "苏家湖村", **reversed_).state == State.due_soon


def test_an_exemption_for_one_period_or_for_all(book):
    month = exemption("6.3", "金石村", "2020-10", name="m")
    found = obs(book, [], D(2020, 12, 31), "6.3", "金石村", exemptions=[month], reviews=[decision(month)])
    assert [o.state for o in found] == ["overdue", "overdue", "exempt", "overdue", "due_soon"]
    every = exemption("6.3", "金石村", name="e")
    found = obs(book, [], D(2020, 12, 31), "6.3", "金石村", exemptions=[every], reviews=[decision(every)])
    assert {o.state for o in found} == {State.exempt}


def test_exempt_counts_in_no_total_tally_or_score(book):
    as_of = D(2020, 10, 5)
    ex = exemption("3.3", "苏家湖村")
    plain = engine.compute(book, [], as_of)
    exempted = engine.compute(book, [], as_of, exemptions=[ex], reviews=[decision(ex)])
    before = {t.unit: t for t in engine.tally(book, plain, as_of)}["苏家湖村"]
    after = {t.unit: t for t in engine.tally(book, exempted, as_of)}["苏家湖村"]
    assert (after.total, after.overdue, after.scored_due, after.exempt) == (
        before.total - 1, before.overdue - 1, before.scored_due - 1, 1)
    assert after.rates.rate == 0 and after.rates.due == before.rates.due - 1  # in no rate either
    # the same score as a unit that never held 3.3
    without = [o for o in plain if not (o.unit == "苏家湖村" and o.task.id == "3.3")]
    score = {s.unit: s.score for s in assess.assess(book, exempted, as_of)}
    assert score["苏家湖村"] == {s.unit: s.score for s in assess.assess(book, without, as_of)}["苏家湖村"]
    rows = {r.task.id: r for r in engine.task_rows(book, exempted, "苏家湖村")}
    assert (rows["3.3"].state, rows["3.3"].due, rows["3.3"].overdue_units) == (State.exempt, None, ())


# ---- what is scored ---------------------------------------------------------------------------


def test_obligations_due_before_the_notice_and_unscored_tasks_are_not_scored(book):
    found = engine.compute(book, [], D(2020, 9, 15))
    scored = {(o.task.id, o.named, o.occ.label): o.scored for o in found}
    assert scored[("6.3", "黄湖村", "2020-08")] is False  # due 08-31, the notice is dated 09-01
    assert scored[("6.3", "黄湖村", "2020-09")] is True
    assert scored[("10.2", "黄湖村", "第1次")] is scored[("10.2", "黄湖村", "第2次")] is False  # tasks.yaml: unscored
    assert scored[("1.1", "黄湖村", None)] is True
    (village,) = [t for t in assess.tallies(book, found, D(2020, 9, 15)) if t.unit == "黄湖村"]
    (shown,) = [t for t in engine.tally(book, found, D(2020, 9, 15)) if t.unit == "黄湖村"]
    # 6.3's August item; 10.2 is 禁毒办's (it inspects the village), in none of the village's tallies
    assert shown.total - village.total == 1 and shown.overdue - village.overdue == 1


def test_a_report_after_the_campaign_counts_toward_the_last_occurrence_late(book):
    after = report("1.4", "黄湖村", D(2021, 1, 5), "done")
    found = obs(book, [after], D(2021, 1, 10), "1.4", "黄湖村")
    assert [o.state for o in found] == ["overdue", "overdue", "overdue", "late"]
    assert found[-1].completed_on == D(2021, 1, 5)


# ---- a unit's own task rows -----------------------------------------------------------------


def test_tasks_for_a_unit_are_worked_out_from_its_own_obligations(book):
    """`tasks --unit 苏家湖村`: its own state and due date, not the town's worst."""
    as_of = D(2020, 9, 10)
    done = [report("1.1", "苏家湖村", D(2020, 9, 2), "done"),
            report("9.1", "苏家湖村", D(2020, 9, 8), "done")]
    found = engine.compute(book, done, as_of)
    town = {r.task.id: r for r in engine.task_rows(book, found)}
    mine = {r.task.id: r for r in engine.task_rows(book, found, "苏家湖村")}
    assert (town["1.1"].state, len(town["1.1"].overdue_units)) == (State.overdue, 22)
    assert (mine["1.1"].state, mine["1.1"].due, mine["1.1"].overdue_units) == (State.done, None, ())
    assert (town["9.1"].due, mine["9.1"].due, mine["9.1"].state) == (D(2020, 9, 30), D(2020, 12, 20), State.open)
    assert mine["1.2"].overdue_units == ("苏家湖村",)
    # a task it only leads is worked out from every unit's obligations
    police = {r.task.id: r for r in engine.task_rows(book, found, "兰溪派出所")}
    assert police["5.1"].state == town["5.1"].state and len(police["5.1"].obligations) == 23
    assert len(police["6.2"].obligations) == 1  # responsible there: its own only


# ---- blocked reports ---------------------------------------------------------------------------


def test_a_blocked_report_is_for_the_lead_until_something_follows(book):
    stuck = report("5.1", "黄湖村", D(2020, 9, 12), "blocked", note="辖区内无客运企业")
    ob = one(book, [stuck], D(2020, 9, 15), "5.1", "黄湖村")
    assert ob.blocked == stuck
    [lead] = [s for s in engine.lead_summaries(book, engine.compute(book, [stuck], D(2020, 9, 15)), "兰溪派出所")
              if s.task.id == "5.1"]
    assert shapes.lead(lead)["units_blocked"] == ["黄湖村"]
    later = report("5.1", "黄湖村", D(2020, 9, 14))
    assert one(book, [stuck, later], D(2020, 9, 15), "5.1", "黄湖村").blocked is None
    done = report("5.1", "黄湖村", D(2020, 9, 13), "done")
    assert one(book, [done, stuck], D(2020, 9, 15), "5.1", "黄湖村").blocked is None  # completed: nothing to act on


# ---- what report add says ---------------------------------------------------------------------


def said(book, reports, new, as_of):
    return reporting.feedback(book, new, engine.compute(book, [*reports, new], as_of))


def test_feedback_on_a_late_quarterly_report(book):
    """`-t 9.1 -u 罗湖村 -s done -d 2020-10-01` counts toward Q4 and leaves Q3 overdue: say so."""
    new = report("9.1", "罗湖村", D(2020, 10, 1), "done", period="2020-Q4")
    fb = said(book, [], new, D(2020, 10, 1))
    assert (fb.obligation.occ.label, fb.obligation.state, fb.lead_only, fb.short) == ("2020-Q4", "done", False, False)
    assert [o.occ.label for o in fb.overdue_before] == ["2020-Q3"]


def test_feedback_names_the_milestone_a_count_completes(book):
    new = report("10.2", "黄湖村", D(2020, 9, 3), count=1, period="第2次")
    fb = said(book, [], new, D(2020, 9, 3))
    assert (fb.obligation.occ.label, fb.obligation.state, fb.overdue_before) == ("第1次", "late", ())
    second = report("10.2", "黄湖村", D(2020, 10, 3), count=1, period="第2次")
    fb = said(book, [new], second, D(2020, 10, 3))
    assert (fb.obligation.occ.label, fb.obligation.state) == ("第2次", "done")


def test_feedback_for_a_lead_and_for_a_short_done(book):
    assert said(book, [], report("5.1", "兰溪派出所", D(2020, 9, 20), "done"), D(2020, 9, 20)).lead_only
    fb = said(book, [], report("5.3", "黄湖村", D(2020, 9, 20), "done", count=1), D(2020, 9, 20))
    assert (fb.short, fb.obligation.state, fb.obligation.count) == (True, "open", 1)
    fb = said(book, [], report("5.3", "黄湖村", D(2020, 9, 20), "done"), D(2020, 9, 20))  # a bare done: on disk only
    assert (fb.short, fb.obligation.state) == (True, "open")
