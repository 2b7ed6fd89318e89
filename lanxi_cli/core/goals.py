"""Goals (工作目标): the plan's measures, the values recorded for them, and
whether each moved the way the plan wants. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from lanxi_cli.core.book import Book, name_key
from lanxi_cli.core.domain import IndicatorValue, Measure, record_order
from lanxi_cli.errors import UsageError


def resolve_measure(book: Book, text: str) -> Measure:
    """A measure by its name or a part of it (知晓率 → 公众对禁毒知识知晓率)."""
    key = name_key(text)
    measures = book.plan.goals.measures
    exact = [m for m in measures if name_key(m.name) == key]
    found = exact or [m for m in measures if key and key in name_key(m.name)]
    if len(found) == 1:
        return found[0]
    if found:
        raise UsageError(f"指标“{text}”不明确，可能是：{'、'.join(m.name for m in found)}")
    names = "、".join(m.name for m in measures) or "（plan.yaml 未列出任何指标）"
    raise UsageError(f"未知指标“{text}”；plan.yaml 的 goals.measures 有：{names}")


def value_fault(measure: Measure, value: float) -> str | None:
    """Why `value` cannot be a value of `measure`, by its kind; or None."""
    if measure.kind == "rate" and not 0 <= value <= 1:
        return f"{measure.name}是比率，应在 0 到 1 之间（或 0% 到 100%），而不是 {value:g}"
    if measure.kind == "count" and (value < 0 or value != int(value)):
        return f"{measure.name}是人数或件数，应为不小于 0 的整数，而不是 {value:g}"
    if measure.kind == "growth" and value < -1:
        return f"{measure.name}是增幅，不能低于 -100%（-1），而不是 {value:g}"
    return None


def indicator_faults(book: Book, value: IndicatorValue) -> tuple[IndicatorValue, list[tuple[str, str]]]:
    faults: list[tuple[str, str]] = []
    by_name = {name_key(m.name): m for m in book.plan.goals.measures}
    found = by_name.get(name_key(value.measure))
    measure = found.name if found else None
    by = book.canonical(value.by)
    if found is None:
        faults.append(("measure", f"未知指标“{value.measure}”（应为 plan.yaml goals.measures 中的名称）"))
    elif value_fault(found, value.value):
        faults.append(("value", value_fault(found, value.value)))
    if by is None:
        faults.append(("by", f"未知单位“{value.by}”"))
    if faults:
        return value, faults
    return replace(value, measure=measure, by=by), faults




@dataclass(slots=True)
class MeasureRow:
    measure: Measure
    baseline: float | None  # the plan's, else the earliest value when there are later ones
    latest: IndicatorValue | None
    values: int
    trend: str  # met: moved the way the goal says; unmet: did not; no_data: nothing to compare


def measure_rows(book: Book, values, as_of: dt.date) -> list[MeasureRow]:
    """Each measure of the plan, in plan order, against its direction from its baseline."""
    rows = []
    for measure in book.plan.goals.measures:
        mine = sorted((v for v in values if v.measure == measure.name and v.date <= as_of), key=record_order)
        latest = mine[-1] if mine else None
        baseline = measure.baseline
        if baseline is None and len(mine) > 1:
            baseline = mine[0].value
        if latest is None or baseline is None:
            trend = "no_data"
        elif measure.direction == "rise":
            trend = "met" if latest.value > baseline else "unmet"
        else:
            trend = "met" if latest.value < baseline else "unmet"
        rows.append(MeasureRow(measure, baseline, latest, len(mine), trend))
    return rows
