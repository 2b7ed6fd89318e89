"""Deadline readings → dated occurrences over the campaign. Pure.

Recurrence is expanded here, each time a view is computed; nothing is stored.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass

from lanxi_cli.core.domain import Deadline, Span

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


class CalendarError(ValueError):
    """A deadline reading that cannot be placed; `field` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated instance of a deadline.

    Reports count toward the occurrence from `start` to `end` (a milestone's
    counts run from the campaign's start, so they add up). `label` names the
    period: 2020-09, 2020-Q3, 第1次; None for a one-off task.
    """

    index: int
    label: str | None
    start: dt.date
    end: dt.date
    due: dt.date
    count: int | None = None  # a milestone's cumulative target


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, _cal.monthrange(year, month)[1])


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """Day N of the month, or the month's last day where the month is shorter."""
    return dt.date(year, month, min(day, _cal.monthrange(year, month)[1]))


def _month(text: str | None, field: str) -> tuple[int, int]:
    match = _MONTH.match(text or "")
    if not match or int(match[1]) < 1 or not 1 <= int(match[2]) <= 12:
        raise CalendarError(field, f"应为年月 YYYY-MM，而不是“{text}”")
    return int(match[1]), int(match[2])


def _quarter(text: str | None, field: str) -> tuple[int, int]:
    match = _QUARTER.match(text or "")
    if not match or int(match[1]) < 1:
        raise CalendarError(field, f"应为季度 YYYY-Qn，而不是“{text}”")
    return int(match[1]), int(match[2])


def _monthly(rule: Deadline) -> list[Occurrence]:
    if rule.day is None:
        raise CalendarError("day", "按月的截止规则需要 day（每月几日）")
    first, last = _month(rule.first, "first"), _month(rule.last, "last")
    if first > last:
        raise CalendarError("last", "last 早于 first")
    out, (year, month) = [], first
    while (year, month) <= last:
        label = f"{year}-{month:02d}"
        due = rule.dues.get(label) or day_in_month(year, month, rule.day)
        out.append(Occurrence(len(out), label, dt.date(year, month, 1), last_day(year, month), due))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _quarterly(rule: Deadline) -> list[Occurrence]:
    first, last = _quarter(rule.first, "first"), _quarter(rule.last, "last")
    if first > last:
        raise CalendarError("last", "last 早于 first")
    out, (year, quarter) = [], first
    while (year, quarter) <= last:
        label = f"{year}-Q{quarter}"
        start = dt.date(year, 3 * quarter - 2, 1)
        end = last_day(year, 3 * quarter)
        out.append(Occurrence(len(out), label, start, end, rule.dues.get(label) or end))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _milestones(rule: Deadline, campaign: Span) -> list[Occurrence]:
    if not rule.points:
        raise CalendarError("points", "里程碑规则需要至少一个 points 节点")
    out: list[Occurrence] = []
    for i, point in enumerate(rule.points):
        if out and point.due <= out[-1].due:
            raise CalendarError(f"points.{i}.due", "里程碑日期应逐个推后")
        if out and point.count is not None and (out[-1].count or 0) > point.count:
            raise CalendarError(f"points.{i}.count", "累计次数不应少于前一个节点")
        out.append(Occurrence(i, f"第{i + 1}次", campaign.start, point.due, point.due, point.count))
    return out


def occurrences(rule: Deadline, campaign: Span) -> tuple[Occurrence, ...]:
    """Expand a deadline reading; raise CalendarError if it cannot be placed."""
    if rule.rule == "once":
        if rule.due is None:
            raise CalendarError("due", "一次性截止规则需要 due（截止日期）")
        occs = [Occurrence(0, None, campaign.start, campaign.end, rule.due)]
    elif rule.rule == "window":
        if rule.start is None or rule.end is None:
            raise CalendarError("end" if rule.start else "start", "时段规则需要 start 和 end")
        if rule.start > rule.end:
            raise CalendarError("end", "end 早于 start")
        occs = [Occurrence(0, None, rule.start, rule.end, rule.end)]
    elif rule.rule == "monthly":
        occs = _monthly(rule)
    elif rule.rule == "quarterly":
        occs = _quarterly(rule)
    else:
        occs = _milestones(rule, campaign)
    labels = {occ.label for occ in occs}
    for label in rule.dues:
        if label not in labels:
            raise CalendarError(f"dues.{label}", f"“{label}”不是本规则的周期")
    for occ in occs:
        if not campaign.start <= occ.due <= campaign.end:
            where = f"（{occ.label}）" if occ.label else ""
            raise CalendarError(
                "rule",
                f"截止日期 {occ.due}{where} 不在活动期 {campaign.start} 至 {campaign.end} 之内",
            )
    return tuple(occs)


def period_of(occs: tuple[Occurrence, ...], day: dt.date) -> int:
    """The occurrence a report dated `day` belongs to: the first whose period
    ends on or after it; a day past every period goes to the last."""
    for occ in occs:
        if day <= occ.end:
            return occ.index
    return occs[-1].index


def find_period(occs: tuple[Occurrence, ...], text: str) -> int | None:
    """The occurrence a --period names: its label, or a milestone's number."""
    text = text.strip()
    if text.isdecimal() and len(text) < 10:
        text = f"第{int(text)}次"
    month = _MONTH.match(text)
    if month:  # 2020-9 → 2020-09; a month out of range (2020-13) simply matches nothing
        text = f"{month[1]}-{int(month[2]):02d}"
    for occ in occs:
        if occ.label is not None and occ.label.lower() == text.lower():
            return occ.index
    return None


# ---- 旬报 windows ---------------------------------------------------------------------


def reporting_days(year: int, month: int, days: tuple[int, ...]) -> list[dt.date]:
    """The month's reporting days; a day past the month's end is its last day."""
    return sorted({day_in_month(year, month, d) for d in days})


def latest_window(
    as_of: dt.date, days: tuple[int, ...], start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """The latest 旬报 window that has ended on or before `as_of`: from the day
    after one reporting day to the next reporting day, both included. Within
    a season: the first window starts on `start` (the day the rule begins),
    none ends after `end` (after the season: the last one), and before the
    first reporting day there is none (None).
    `days` is never empty (plan.yaml's schema requires one day at least)."""
    if not days:
        raise ValueError("no reporting days")
    if end is not None and as_of > end:
        as_of = end
    if start is not None and as_of < start:
        return None
    found: list[dt.date] = []
    year, month = as_of.year, as_of.month
    while len(found) < 2 and year >= 1:
        found = [d for d in reporting_days(year, month, days) if d <= as_of] + found
        found = found[-2:]
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    if not found or (start is not None and found[-1] < start):
        return None
    opens = found[0] + dt.timedelta(days=1) if len(found) == 2 else dt.date.min
    return (max(opens, start) if start is not None else opens), found[-1]


def window_holding(day: dt.date, days: tuple[int, ...], start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The 旬报 window of the season start..end that holds `day`, None outside every one."""
    if not start <= day <= end:
        return None
    nxt = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    closing = next(d for d in (*reporting_days(day.year, day.month, days), *reporting_days(*nxt, days))
                   if d >= day)  # the reporting day that ends day's window
    found = latest_window(closing, days, start, end)
    return found if found is not None and found[0] <= day <= found[1] else None
