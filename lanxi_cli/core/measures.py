"""督办 measures actually taken (`lanxi measure record`): checked against the
plan, listed as of a day. Pure. What they change is core.assess's: a measure
proposed is at most one step above the last one recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from lanxi_cli.core.domain import MeasureTaken, record_order
from lanxi_cli.core.plan_index import Book


def kind_fault(book: Book, kind: str) -> str | None:
    """Why `kind` is not a measure of plan.yaml `assessment.escalation`, or None."""
    measures = book.plan.assessment.escalation
    if kind in measures:
        return None
    if not measures:
        return "plan.yaml 的 assessment.escalation 未列出督办措施，不能记录"
    return f"未知督办措施“{kind}”，应为：{'、'.join(measures)}"


def unit_fault(book: Book, unit: str) -> str | None:
    """Why no measure may be recorded for the canonical `unit`: the assessor is not assessed."""
    assessor = book.plan.assessment.assessor
    if assessor and unit == book.canonical(assessor):
        return f"{unit}是考核单位，不对其采取督办措施"
    return None


def measure_faults(book: Book, record: MeasureTaken) -> tuple[MeasureTaken, list[tuple[str, str]]]:
    faults: list[tuple[str, str]] = []
    unit = book.canonical(record.unit)
    if unit is None:
        faults.append(("unit", f"未知单位“{record.unit}”"))
    elif unit_fault(book, unit):
        faults.append(("unit", unit_fault(book, unit)))
    if kind_fault(book, record.kind):
        faults.append(("kind", kind_fault(book, record.kind)))
    if faults:
        return record, faults
    return replace(record, unit=unit), faults


def taken(measures, as_of: dt.date, unit: str | None = None) -> list[MeasureTaken]:
    """The measures recorded on or before the as-of day (of one unit, if given), oldest first."""
    return sorted((m for m in measures if m.date <= as_of and (unit is None or m.unit == unit)), key=record_order)
