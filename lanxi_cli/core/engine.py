"""Obligations and their states: (book, reports, as-of day) → who owes what. Pure.

An obligation is one (task, unit, occurrence). It is completed by a `done`
report for its period, or where a count target applies, on the day the
counts reported for that period add up to the target (a milestone's counts
add up from the campaign's start). States follow the contract:
done, late, overdue, due_soon, open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from lanxi_cli.core import reviews as review_rules
from lanxi_cli.core.calendar import Occurrence, find_period, period_of
from lanxi_cli.core.domain import COMPLETED, GROUP_OF_KIND, Report, Task, record_order
from lanxi_cli.core.plan_index import Book, fold

# Worst first: a task or a unit takes the state of its worst obligation.
SEVERITY = {"overdue": 0, "due_soon": 1, "open": 2, "late": 3, "done": 4}


@dataclass(slots=True)
class Obligation:
    task: Task
    unit: str
    occ: Occurrence
    due: dt.date
    state: str
    target: int | None = None  # count target, for quantity tasks
    count: int | None = None  # counts reported toward it
    completed_on: dt.date | None = None
    last_report: dt.date | None = None
    verification: str | None = None  # verified, claimed, rejected or None (see supervision)

    @property
    def completed(self) -> bool:
        return self.state in COMPLETED


def state_of(due: dt.date, completed_on: dt.date | None, as_of: dt.date, window: int) -> str:
    if completed_on is not None:
        return "done" if completed_on <= due else "late"
    if due < as_of:
        return "overdue"
    if (due - as_of).days <= window:
        return "due_soon"
    return "open"


def assign_period(book: Book, task: Task, report: Report) -> int:
    """The occurrence a report counts toward: its --period, else its date's."""
    occs = book.occurrences(task)
    if report.period:
        index = find_period(occs, report.period)
        if index is not None:
            return index
    return period_of(occs, report.date)


def _completion(
    own: list[Report], counted: list[Report], target: int | None
) -> tuple[dt.date | None, int]:
    """The day the obligation was completed (None if not yet), and the count.

    `own` are the reports of this period (a done one completes it); `counted`
    are those whose counts add up toward it, sorted by date."""
    done = min((r.date for r in own if r.status == "done"), default=None)
    total, reached = 0, None
    for report in counted:
        total += report.count or 0
        if reached is None and target is not None and total >= target:
            reached = report.date
    candidates = [d for d in (done, reached) if d is not None]
    return (min(candidates) if candidates else None), total


def compute(
    book: Book, reports: list[Report], as_of: dt.date, reviews=(), extensions=()
) -> list[Obligation]:
    """Every obligation of every task, in plan order, evaluated on `as_of`.

    `reviews` and `extensions` (see supervision): a rejected report is left out,
    an approved extension moves its obligation's due date."""
    decided = review_rules.decisions(reviews, as_of)
    dues = review_rules.extended_dues(extensions, decided, as_of)
    by_pair: dict[tuple[str, str], list[Report]] = defaultdict(list)
    rejected: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for report in reports:
        if report.date <= as_of:
            kept = decided.get(report.id) != "rejected"
            (by_pair if kept else rejected)[(report.task, report.unit)].append(report)
    window = book.plan.due_soon_days
    out: list[Obligation] = []
    for task in book.tasks:
        occs = book.occurrences(task)
        cumulative = task.deadline.rule == "milestones"
        for unit in book.task_units(task):
            target = book.target(task, unit)
            per_occ: list[list[Report]] = [[] for _ in occs]
            for report in sorted(by_pair.get((task.id, unit), ()), key=record_order):
                per_occ[assign_period(book, task, report)].append(report)
            reopened = {assign_period(book, task, r) for r in rejected.get((task.id, unit), ())}
            for occ in occs:
                counted = (
                    sorted((r for rs in per_occ[: occ.index + 1] for r in rs), key=record_order)
                    if cumulative
                    else per_occ[occ.index]
                )
                goal = occ.count if occ.count is not None else (target.count if target else None)
                own = per_occ[occ.index]
                completed_on, total = _completion(own, counted, goal)
                due = dues.get((task.id, unit, occ.label), occ.due)
                out.append(Obligation(
                    task=task, unit=unit, occ=occ, due=due,
                    state=state_of(due, completed_on, as_of, window),
                    target=goal,
                    count=total if goal is not None else None,
                    completed_on=completed_on,
                    last_report=own[-1].date if own else None,
                    verification=review_rules.verification(
                        completed_on is not None, own, occ.index in reopened, decided
                    ),
                ))
    return out


def worst(states) -> str:
    return min(states, key=SEVERITY.__getitem__, default="done")


# ---- task rows (lanxi tasks) ----------------------------------------------------


@dataclass(slots=True)
class TaskRow:
    task: Task
    lead: str
    units: tuple[str, ...]
    due: dt.date | None
    state: str
    overdue_units: tuple[str, ...]
    obligations: list[Obligation]

    def as_dict(self) -> dict:
        return {
            "id": self.task.id,
            "category": self.task.category,
            "text": self.task.text,
            "deadline": self.task.deadline_text,
            "lead": self.lead,
            "units": list(self.units),
            "due": _iso(self.due),
            "state": self.state,
            "overdue_units": list(self.overdue_units),
            "units_done": sum(1 for u in self.units if self.unit_complete(u)),
            "units_verified": sum(1 for u in self.units if self.unit_complete(u, verified=True)),
        }

    @property
    def verification(self) -> str | None:
        """rejected if any claim on the task was rejected and reopened, else claimed
        while a completed obligation awaits review, else verified; None if nothing completed."""
        seen = {o.verification for o in self.obligations}
        return next((v for v in ("rejected", "claimed", "verified") if v in seen), None)

    def unit_complete(self, unit: str, verified: bool = False) -> bool:
        return all(
            o.completed and (not verified or o.verification == "verified")
            for o in self.obligations if o.unit == unit
        )


def task_rows(book: Book, obligations: list[Obligation]) -> list[TaskRow]:
    by_task: dict[str, list[Obligation]] = defaultdict(list)
    for ob in obligations:
        by_task[ob.task.id].append(ob)
    rows = []
    for task in book.tasks:
        obs = by_task.get(task.id, [])
        pending = [o for o in obs if not o.completed]
        first_open = min((o.occ.index for o in pending), default=None)
        # an approved extension moves one unit's due day: the task shows the earliest
        due = min((o.due for o in pending if o.occ.index == first_open), default=None)
        overdue = {o.unit for o in obs if o.state == "overdue"}
        state = worst(o.state for o in obs)
        rows.append(TaskRow(
            task=task,
            lead=book.lead(task),
            units=book.task_units(task),
            due=due,
            state="done" if state in COMPLETED else state,  # a task knows no "late"
            overdue_units=tuple(u for u in book.task_units(task) if u in overdue),
            obligations=obs,
        ))
    return rows


def filter_tasks(
    book: Book,
    rows: list[TaskRow],
    as_of: dt.date,
    overdue: bool = False,
    due_within: int | None = None,
    unit: str | None = None,
    category: str | None = None,
) -> list[TaskRow]:
    out = []
    for row in rows:
        if overdue and row.state != "overdue":
            continue
        if due_within is not None and not any(
            not o.completed and 0 <= (o.due - as_of).days <= due_within for o in row.obligations
        ):
            continue
        if unit is not None and unit != row.lead and unit not in row.units:
            continue
        if category is not None and fold(category) not in fold(row.task.category):
            continue
        out.append(row)
    return out


# ---- unit summaries (lanxi status) --------------------------------------------



@dataclass(slots=True)
class UnitSummary:
    unit: str
    kind: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    verified: int = 0  # completed obligations whose claim the lead approved

    def as_dict(self) -> dict:
        return {"unit": self.unit, "kind": self.kind, "total": self.total, **self.counts, "verified": self.verified}


def unit_order(book: Book, name: str) -> tuple[int, int]:
    """Villages and communities first, then departments, then the rest."""
    return GROUP_OF_KIND[book.units[name].kind], book.unit_order(name)


def unit_summaries(book: Book, obligations: list[Obligation]) -> list[UnitSummary]:
    counts: dict[str, dict[str, int]] = {}
    verified: dict[str, int] = defaultdict(int)
    for ob in obligations:
        row = counts.setdefault(ob.unit, dict.fromkeys(("done", "late", "overdue", "due_soon", "open"), 0))
        row[ob.state] += 1
        verified[ob.unit] += ob.verification == "verified"
    return [
        UnitSummary(name, book.units[name].kind, counts[name], verified[name])
        for name in sorted(counts, key=lambda n: unit_order(book, n))
    ]


@dataclass(slots=True)
class LeadSummary:
    task: Task
    units_total: int
    units_done: int
    overdue_units: tuple[str, ...]

    @property
    def units_overdue(self) -> int:
        return len(self.overdue_units)

    def as_dict(self) -> dict:
        return {
            "task": self.task.id,
            "units_total": self.units_total,
            "units_done": self.units_done,
            "units_overdue": self.units_overdue,
        }


def lead_summaries(book: Book, obligations: list[Obligation], unit: str) -> list[LeadSummary]:
    """How the units stand on each task that `unit` leads."""
    out = []
    for row in task_rows(book, obligations):
        if row.lead != unit:
            continue
        out.append(LeadSummary(
            task=row.task,
            units_total=len(row.units),
            units_done=sum(1 for u in row.units if row.unit_complete(u)),
            overdue_units=row.overdue_units,
        ))
    return out


def state_matrix(book: Book, obligations: list[Obligation]) -> tuple[list[str], dict[tuple[str, str], str]]:
    """Units × tasks for the whole town: the units in display order, and each
    (unit, task id)'s worst state (absent where the unit holds no obligation)."""
    states: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ob in obligations:
        states[(ob.unit, ob.task.id)].append(ob.state)
    units = sorted({unit for unit, _ in states}, key=lambda n: unit_order(book, n))
    return units, {key: worst(value) for key, value in states.items()}


def obligation_dict(ob: Obligation) -> dict:
    return {
        "task": ob.task.id,
        "unit": ob.unit,
        "period": ob.occ.label,
        "due": ob.due.isoformat(),
        "state": ob.state,
        "count": ob.count,
        "target": ob.target,
        "completed_on": _iso(ob.completed_on),
        "last_report": _iso(ob.last_report),
        "verification": ob.verification,
    }


def phase_on(book: Book, day: dt.date):
    return next((p for p in book.plan.phases if p.start <= day <= p.end), None)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
