"""Deadline shapes → dated occurrences."""

from __future__ import annotations

import datetime as dt

import pytest

from lanxi_cli.core.calendar import CalendarError, find_period, occurrences, period_of
from lanxi_cli.core.domain import Deadline, Milestone, Span

D = dt.date
CAMPAIGN = Span(D(2020, 1, 1), D(2021, 12, 31))


def dues(rule: Deadline, campaign: Span = CAMPAIGN) -> list[str]:
    return [o.due.isoformat() for o in occurrences(rule, campaign)]


def test_once():
    assert dues(Deadline("once", due=D(2020, 9, 3))) == ["2020-09-03"]


def test_window_is_due_at_its_end():
    (occ,) = occurrences(Deadline("window", start=D(2020, 8, 1), end=D(2020, 12, 31)), CAMPAIGN)
    assert (occ.start, occ.due, occ.label) == (D(2020, 8, 1), D(2020, 12, 31), None)


def test_monthly_day_30_becomes_the_last_day_of_february():
    rule = Deadline("monthly", day=30, first="2021-01", last="2021-03")
    assert dues(rule) == ["2021-01-30", "2021-02-28", "2021-03-30"]


def test_monthly_in_a_leap_year():
    assert dues(Deadline("monthly", day=30, first="2020-02", last="2020-02")) == ["2020-02-29"]
    assert dues(Deadline("monthly", day=29, first="2021-02", last="2021-02")) == ["2021-02-28"]


def test_monthly_day_31_is_every_month_end():
    rule = Deadline("monthly", day=31, first="2020-09", last="2021-01")
    assert dues(rule) == ["2020-09-30", "2020-10-31", "2020-11-30", "2020-12-31", "2021-01-31"]


def test_monthly_crosses_the_year_and_labels_months():
    occs = occurrences(Deadline("monthly", day=25, first="2020-12", last="2021-01"), CAMPAIGN)
    assert [o.label for o in occs] == ["2020-12", "2021-01"]
    assert (occs[0].start, occs[0].end) == (D(2020, 12, 1), D(2020, 12, 31))


def test_quarter_ends():
    rule = Deadline("quarterly", first="2020-Q1", last="2020-Q4")
    assert dues(rule) == ["2020-03-31", "2020-06-30", "2020-09-30", "2020-12-31"]


def test_quarterly_with_a_moved_due_day():
    rule = Deadline("quarterly", first="2020-Q3", last="2020-Q4", dues={"2020-Q4": D(2020, 12, 20)})
    occs = occurrences(rule, CAMPAIGN)
    assert [o.due.isoformat() for o in occs] == ["2020-09-30", "2020-12-20"]
    assert [o.label for o in occs] == ["2020-Q3", "2020-Q4"]
    assert occs[1].end == D(2020, 12, 31)  # the period still runs to the quarter's end


def test_milestones_count_from_the_campaign_start():
    campaign = Span(D(2020, 8, 1), D(2020, 12, 31))
    rule = Deadline("milestones", points=(Milestone(D(2020, 8, 30), 1), Milestone(D(2020, 11, 30), 2)))
    occs = occurrences(rule, campaign)
    assert [(o.start, o.due, o.count, o.label) for o in occs] == [
        (D(2020, 8, 1), D(2020, 8, 30), 1, "第1次"),
        (D(2020, 8, 1), D(2020, 11, 30), 2, "第2次"),
    ]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Deadline("once"), "due"),
        (Deadline("once", due=D(2022, 1, 1)), "rule"),  # outside the campaign
        (Deadline("monthly", first="2020-01", last="2020-02"), "day"),
        (Deadline("monthly", day=5, first="2020-13", last="2020-12"), "first"),
        (Deadline("monthly", day=5, first="2020-05", last="2020-02"), "last"),
        (Deadline("quarterly", first="2020-Q5", last="2020-Q4"), "first"),
        (Deadline("quarterly", first="2020-Q1", last="2020-Q2", dues={"2020-Q4": D(2020, 12, 1)}), "dues.2020-Q4"),
        (Deadline("window", start=D(2020, 5, 1)), "end"),
        (Deadline("milestones"), "points"),
        (Deadline("milestones", points=(Milestone(D(2020, 9, 1)), Milestone(D(2020, 8, 1)))), "points.1.due"),
        (Deadline("milestones", points=(Milestone(D(2020, 8, 1), 2), Milestone(D(2020, 9, 1), 1))), "points.1.count"),
    ],
)
def test_readings_that_cannot_be_placed(rule, field):
    with pytest.raises(CalendarError) as caught:
        occurrences(rule, CAMPAIGN)
    assert caught.value.field == field


def test_a_report_belongs_to_the_period_its_date_falls_in():
    occs = occurrences(Deadline("monthly", day=25, first="2020-09", last="2020-12"), CAMPAIGN)
    assert period_of(occs, D(2020, 9, 26)) == 0  # after the due day, same month
    assert period_of(occs, D(2020, 10, 1)) == 1
    assert period_of(occs, D(2020, 8, 15)) == 0  # before the first period: the first
    assert period_of(occs, D(2021, 1, 5)) == 3  # after the last period: the last


def test_milestone_periods_run_between_milestones():
    rule = Deadline("milestones", points=(Milestone(D(2020, 8, 30), 1), Milestone(D(2020, 11, 30), 2)))
    occs = occurrences(rule, CAMPAIGN)
    assert [period_of(occs, D(2020, m, d)) for m, d in ((8, 30), (8, 31), (11, 30), (12, 5))] == [0, 1, 1, 1]


def test_find_period_by_label_or_number():
    months = occurrences(Deadline("monthly", day=25, first="2020-09", last="2020-12"), CAMPAIGN)
    assert find_period(months, "2020-10") == 1
    assert find_period(months, "2020-1") is None
    assert find_period(months, "2020-9") == 0
    rule = Deadline("milestones", points=(Milestone(D(2020, 8, 30), 1), Milestone(D(2020, 11, 30), 2)))
    miles = occurrences(rule, CAMPAIGN)
    assert find_period(miles, "2") == find_period(miles, "第2次") == 1
    assert find_period(occurrences(Deadline("once", due=D(2020, 9, 3)), CAMPAIGN), "2020-09") is None
