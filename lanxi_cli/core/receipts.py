"""签收: who has acknowledged receiving the notice, when, and who is late to.

A unit acknowledges with `lanxi ack` (a record under data/receipts/), or by
filing any report: a unit already at work has plainly received the notice, so
its first report's date stands as its 签收 date and it is never asked. The
days allowed run from the notice's date (plan.yaml `issued`, else the
campaign's start) and are set in plan.yaml `receipt.days` (default 2).
A 督办通知单 (`ack --of ID`) is acknowledged by that unit's record naming it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Ack:
    """A unit's 签收 of the notice: the day, and how it is known ("ack" or "report")."""

    date: dt.date
    by: str  # "ack": recorded with lanxi ack; "report": its first report


def receipt_faults(book, record):
    """An Acknowledgement made canonical (its unit), or its faults."""
    unit = book.canonical(record.unit)
    if unit is None:
        return record, [("unit", f"单位“{record.unit}”不在计划中")]
    return (replace(record, unit=unit) if unit != record.unit else record), []


def notice_day(book) -> dt.date:
    return book.plan.issued or book.plan.campaign.start


def deadline(book) -> dt.date:
    """The last day a unit may acknowledge the notice without being named."""
    return notice_day(book) + dt.timedelta(days=book.plan.receipt.days)


def acks(records, reports, as_of: dt.date, book=None) -> dict[str, Ack]:
    """Each unit's 签收 of the notice as of `as_of`: its earliest `ack` of the
    notice itself, or its earliest report, whichever came first. With `book`, a
    report the lead made under the unit's name (10.2's inspection, `actor: lead`)
    is not the unit's own."""
    found: dict[str, Ack] = {}

    def take(unit: str, day: dt.date, how: str) -> None:
        if day <= as_of and (unit not in found or day < found[unit].date):
            found[unit] = Ack(day, how)

    for record in records:
        if not record.of:
            take(record.unit, record.date, "ack")
    for report in reports:
        task = book.task_by_id.get(report.task) if book is not None and report.task else None
        if task is None or book.owner(task, report.unit)[0] == report.unit:
            take(report.unit, report.date, "report")
    return found


def notice_acks(records, notice_id: str, as_of: dt.date) -> dict[str, dt.date]:
    """Who acknowledged one 督办通知单, and when."""
    out: dict[str, dt.date] = {}
    for record in records:
        if record.of == notice_id and record.date <= as_of:
            out[record.unit] = min(out.get(record.unit, record.date), record.date)
    return out


def unacknowledged(book, units, found: dict[str, Ack], as_of: dt.date) -> list[str]:
    """Units (in the order given) that have not acknowledged the notice once the
    days allowed have passed; the assessing office, which collects the 签收, is never asked."""
    if as_of <= deadline(book):
        return []
    office = book.canonical(book.plan.assessment.assessor) if book.plan.assessment.assessor else None
    return [u for u in units if u not in found and u != office]


def state(book, records, reports, as_of: dt.date, units) -> tuple[dict[str, Ack], list[str]]:
    """(each unit's 签收 of the notice, the units among `units` late to acknowledge it)."""
    found = acks(records, reports, as_of, book)
    return found, unacknowledged(book, units, found, as_of)
