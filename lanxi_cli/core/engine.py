"""Obligations and their states: (book, records, as-of day) → who owes what. Pure.

An obligation is one (task, unit, occurrence). How it is completed (the
contract's "Obligation states"):

- A report counts toward one occurrence, `Book.occurrence_for` (its period,
  else the one its date falls in; after the campaign, the last).
- Milestones are cumulative: milestone k is completed on the first day the
  counts reported for the task and unit, summed from the campaign's start,
  reach its count (a `done` without a count adds 1); periods play no part.
- Elsewhere, where the unit's target needs a quantity (a count above 1, a
  rate, parts), the target decides: completed on the day the counts and
  rates reported for the period meet it (each part on its own); a bare
  `done` completes nothing there. A count target of 1 takes a bare `done` as
  1. Otherwise the first `done` report of the period completes it (a claim,
  open to 销号 review).
- `done` if completed on or before the due day, `late` after it; else
  overdue, due_soon or open by the as-of day; `exempt` where an exemption
  approved by the as-of day says it does not apply (from the approval's date).

Obligations due before the notice's date and tasks marked unscored are shown
but not `scored`; exempt ones count in no total at all (see `Tally`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import astuple, dataclass

from lanxi_cli.core import reviews as review_rules
from lanxi_cli.core.book import Book, name_key
from lanxi_cli.core.calendar import Occurrence
from lanxi_cli.core.domain import COMPLETED, GROUP_OF_KIND, Report, State, Target, Task, record_order


@dataclass(frozen=True, slots=True)
class PartCount:
    """One part of a parted target: counted so far and its count, or (a rate
    part) the best rate reported and its rate."""

    name: str
    count: int | None
    target: int | None
    rate: float | None = None
    rate_target: float | None = None


@dataclass(slots=True)
class Obligation:
    task: Task
    unit: str  # the owner: the unit that must act (where the lead acts, the lead)
    occ: Occurrence
    due: dt.date
    state: State
    target: int | None = None  # count target, for quantity tasks
    count: int | None = None  # counts reported toward it
    completed_on: dt.date | None = None
    last_report: dt.date | None = None
    verification: str | None = None  # verified, claimed, rejected or None (see supervision)
    scored: bool = True  # counts toward scores and measures
    rate: float | None = None  # the best rate reported, where the target sets one
    rate_target: float | None = None
    parts: tuple[PartCount, ...] = ()
    blocked: Report | None = None  # the period's latest report, when it says blocked and nothing completed it
    measured: bool = False  # a quantity target decides, not a `done` alone
    subject: str | None = None  # where the lead acts (tasks.yaml actor: lead): the unit it acts on

    @property
    def owner(self) -> str:
        return self.unit

    @property
    def named(self) -> str:
        """The unit its records name (reports, extensions, exemptions): the subject, else the owner."""
        return self.subject or self.unit

    @property
    def completed(self) -> bool:
        return self.state in COMPLETED

    @property
    def exempt(self) -> bool:
        return self.state == State.exempt


def state_of(due: dt.date, completed_on: dt.date | None, as_of: dt.date, window: int) -> State:
    if completed_on is not None:
        return State.done if completed_on <= due else State.late
    if due < as_of:
        return State.overdue
    if (due - as_of).days <= window:
        return State.due_soon
    return State.open


def worst(states) -> State:
    """The worst of some states (a task's, a unit's); `exempt` only when all are."""
    return min(states, key=lambda s: State(s).order, default=State.done)


# ---- completing one obligation --------------------------------------------------


@dataclass(slots=True)
class Progress:
    """What the reports of one obligation add up to."""

    completed_on: dt.date | None = None
    count: int | None = None
    rate: float | None = None
    parts: tuple[PartCount, ...] = ()
    decided: bool = False  # the target decides (a quantity, not a `done` alone)

    def plain(self) -> tuple:
        """As plain values (what a cache file can hold); Progress.of_plain reverses it."""
        done = self.completed_on
        return (done and done.toordinal(), self.count, self.rate,
                tuple(astuple(p) for p in self.parts), self.decided)  # a PartCount by its fields, whatever they are

    @classmethod
    def of_plain(cls, values) -> Progress:
        done, count, rate, parts, decided = values
        return cls(done and dt.date.fromordinal(done), count, rate, tuple(PartCount(*p) for p in parts), decided)


class _Measured:
    """One non-milestone occurrence, its reports added one by one in record order.

    Where the target needs a quantity (a count above 1, a rate, parts), the
    target decides: completed on the day the counts add up to it and every
    rate reported reaches its own, each part on its own; a bare `done` there
    completes nothing. A count target of 1: a bare `done` counts 1. No target
    (or one naming no quantity): the first `done` completes it."""

    __slots__ = ("target", "own", "done", "total", "by_part", "best", "best_part", "met")

    def __init__(self, target: Target | None):
        self.target, self.own = target, []
        self.done = self.best = self.met = None
        self.total = 0
        parts = target.parts if target else ()
        self.by_part = {p.name: 0 for p in parts if p.count is not None}
        self.best_part = dict.fromkeys(p.name for p in parts if p.rate is not None)

    def add(self, report: Report) -> None:
        self.own.append(report)
        if self.done is None and report.status == "done":
            self.done = report.date
        target = self.target
        if target is None:
            return
        count = report.count
        if count is None and report.status == "done" and target.count == 1 and not target.parts:
            count = 1  # a count target of 1: a bare `done` counts 1
        if count is not None:
            self.total += count
            if report.part in self.by_part:
                self.by_part[report.part] += count
        if report.rate is not None:
            if report.part in self.best_part:
                old = self.best_part[report.part]
                self.best_part[report.part] = report.rate if old is None else max(old, report.rate)
            elif not target.parts:
                self.best = report.rate if self.best is None else max(self.best, report.rate)
        if self.met is None and self._met():
            self.met = report.date

    def _met(self) -> bool:
        target = self.target
        if target.parts:
            return all(
                self.by_part[p.name] >= p.count if p.count is not None
                else (self.best_part[p.name] or 0) >= p.rate
                for p in target.parts
            )
        if target.count is not None and self.total < target.count:
            return False
        return target.rate is None or (self.best is not None and self.best >= target.rate)

    def progress(self) -> Progress:
        target = self.target
        if target is None or not (target.count or target.rate or target.parts):
            return Progress(self.done, None)
        parts = tuple(
            PartCount(p.name, self.by_part[p.name], p.count) if p.count is not None
            else PartCount(p.name, None, None, self.best_part[p.name], p.rate)
            for p in target.parts
        )
        return Progress(self.met, self.total if target.count is not None else None, self.best, parts, True)


class _Milestones:
    """Cumulative milestones of one (task, unit): each one's completion day, the
    total counted, and the reports that went toward each (a report adding
    nothing goes to the milestone it stood before)."""

    __slots__ = ("goals", "reached", "owns", "total")

    def __init__(self, occs: tuple[Occurrence, ...]):
        self.goals = [occ.count if occ.count is not None else occ.index + 1 for occ in occs]
        self.reached: list[dt.date | None] = [None] * len(occs)
        self.owns: list[list[Report]] = [[] for _ in occs]
        self.total = 0

    def add(self, report: Report) -> tuple[int, int]:
        """Count `report`; the first and last milestone it went toward."""
        goals = self.goals
        step = report.count if report.count is not None else (1 if report.status == "done" else 0)
        before = self.total
        self.total += step
        went = []
        for k, goal in enumerate(goals):
            floor = goals[k - 1] if k else 0
            if (step and before < goal and self.total > floor) or (not step and floor <= before < goal):
                went.append(k)
            if self.reached[k] is None and self.total >= goal:
                self.reached[k] = report.date
        if not step and before >= goals[-1]:
            went.append(len(goals) - 1)
        for k in went:
            self.owns[k].append(report)
        return (went[0], went[-1]) if went else (-1, -2)


class PairFold:
    """Every occurrence of one (task, unit), its reports added in record order:
    the one place the completion rules run (engine.compute, store.obligation_index)."""

    __slots__ = ("book", "task", "occs", "milestones", "measured")

    def __init__(self, book: Book, task: Task, unit: str):
        self.book, self.task, self.occs = book, task, book.occurrences(task)
        if task.deadline.rule == "milestones":
            self.milestones, self.measured = _Milestones(self.occs), None
        else:
            target = book.target(task, unit)
            self.milestones, self.measured = None, [_Measured(target) for _ in self.occs]

    def add(self, report: Report) -> tuple[int, int]:
        """Count `report`; the first and last occurrence it went toward (as its own)."""
        if self.milestones is not None:
            return self.milestones.add(report)
        k = self.book.occurrence_for(self.task, report.period, report.date).index
        self.measured[k].add(report)
        return k, k

    def changed(self, first: int, last: int) -> range:
        """The occurrences whose progress a report going toward first..last may change."""
        return range(len(self.occs)) if self.milestones is not None else range(first, last + 1)

    def own(self, k: int) -> list[Report]:
        return self.milestones.owns[k] if self.milestones is not None else self.measured[k].own

    def progress(self, k: int) -> Progress:
        if self.milestones is not None:
            return Progress(self.milestones.reached[k], self.milestones.total, decided=True)
        return self.measured[k].progress()


def blocked_by(last: Report | None, got: Progress) -> Report | None:
    """The latest own report, where it says blocked and nothing completed the obligation."""
    return last if last is not None and last.status == "blocked" and got.completed_on is None else None


def obligation(
    book: Book, task: Task, unit: str, occ: Occurrence, got: Progress, last_day: dt.date | None,
    blocked: Report | None, verification, due: dt.date, exempt: bool, as_of: dt.date,
) -> Obligation:
    """One obligation on `as_of` of the (task, unit) records name `unit` under,
    from what its reports add up to (`got`), the
    day of its latest own report (`blocked`: that report, where it says
    blocked and nothing completed the obligation) and its due day: the one
    place an Obligation is made."""
    cumulative = task.deadline.rule == "milestones"
    target = None if cumulative else book.target(task, unit)
    goal = occ.count if cumulative else (target.count if target else None)
    state = State.exempt if exempt else state_of(due, got.completed_on, as_of, book.plan.due_soon_days)
    owner, subject = book.owner(task, unit)
    return Obligation(
        task=task, unit=owner, subject=subject, occ=occ, due=due, state=state,
        target=goal,
        count=got.count if goal is not None else None,
        completed_on=got.completed_on,
        last_report=last_day,
        verification=None if exempt else verification,
        scored=book.scored(task, occ),
        rate=got.rate,
        rate_target=target.rate if target else None,
        parts=got.parts,
        blocked=blocked,
        measured=got.decided,
    )


# ---- every obligation ----------------------------------------------------------------


def compute(
    book: Book, reports: list[Report], as_of: dt.date, reviews=(), extensions=(), exemptions=(), pairs=None
) -> list[Obligation]:
    """Every obligation of every task, in plan order, evaluated on `as_of`
    (with `pairs`, a set of (task id, unit), only theirs).

    `reviews`, `extensions`, `exemptions` (see reviews): a rejected report is
    left out, an approved extension moves its obligation's due date, an
    approved exemption makes it exempt, each from its decision's date."""
    decided = review_rules.decisions(reviews, as_of)
    dues = review_rules.extended_dues(extensions, decided, as_of)
    exempted = review_rules.exempted(exemptions, decided, as_of)
    by_pair: dict[tuple[str, str], list[Report]] = defaultdict(list)
    rejected: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for report in reports:
        if report.date <= as_of and (pairs is None or (report.task, report.unit) in pairs):
            kept = not decided or decided.get(report.id) != "rejected"  # an id is worked out only where reviews are
            (by_pair if kept else rejected)[(report.task, report.unit)].append(report)
    out: list[Obligation] = []
    for task in book.tasks:
        for unit in book.task_units(task):
            if pairs is not None and (task.id, unit) not in pairs:
                continue
            fold = PairFold(book, task, unit)
            for report in sorted(by_pair.get((task.id, unit), ()), key=record_order):
                fold.add(report)
            reopened = {book.occurrence_for(task, r.period, r.date).index for r in rejected.get((task.id, unit), ())}
            for occ in fold.occs:
                got, own = fold.progress(occ.index), fold.own(occ.index)
                exempt = (task.id, unit, None) in exempted or (task.id, unit, occ.label) in exempted
                verification = review_rules.verification(
                    got.completed_on is not None, own, occ.index in reopened, decided
                )
                last = own[-1] if own else None
                out.append(obligation(
                    book, task, unit, occ, got, last and last.date, blocked_by(last, got), verification,
                    dues.get((task.id, unit, occ.label), occ.due), exempt, as_of,
                ))
    return out


# ---- one tally by state ----------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """One unit's obligations counted by state. `total` leaves exempt
    obligations out; `verified` counts completions whose claim the lead
    approved. `unscored` counts the
    obligations (exempt ones aside) that count toward no score or rate, and
    `scored_due`, `scored_done` and `scored_late` the scored ones that are
    due by the as-of day (`is_due`), which the rates are worked out over."""

    unit: str
    kind: str
    done: int = 0
    late: int = 0
    overdue: int = 0
    due_soon: int = 0
    open: int = 0
    exempt: int = 0
    verified: int = 0
    unscored: int = 0
    unscored_overdue: int = 0
    scored_due: int = 0
    scored_done: int = 0
    scored_late: int = 0

    @property
    def total(self) -> int:
        return self.done + self.late + self.overdue + self.due_soon + self.open

    @property
    def completed(self) -> int:
        return self.done + self.late

    @property
    def scored_overdue(self) -> int:
        return self.overdue - self.unscored_overdue

    @property
    def rates(self) -> Rates:
        return Rates(self.scored_due, self.scored_done, self.scored_late, self.scored_overdue)

    def add(self, ob: Obligation, as_of: dt.date) -> None:
        setattr(self, ob.state, getattr(self, ob.state) + 1)
        if ob.exempt:
            return
        self.verified += ob.verification == "verified"
        if not ob.scored:
            self.unscored += 1
            self.unscored_overdue += ob.state == State.overdue
        elif is_due(ob, as_of):
            self.scored_due += 1
            self.scored_done += ob.state == State.done
            self.scored_late += ob.state == State.late

    def __iadd__(self, other: Tally) -> Tally:
        for name in self.__dataclass_fields__:
            if name not in ("unit", "kind"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def is_due(ob: Obligation, as_of: dt.date) -> bool:
    """Due by the as-of day, as the rates and the score count it: due before
    it, or due on it and already completed (a task due today is not yet late)."""
    return ob.due < as_of or (ob.due == as_of and ob.completed)


@dataclass(frozen=True, slots=True)
class Rates:
    """The contract's two completion rates, one meaning everywhere, over the
    scored obligations due by the as-of day (exempt ones left out):
    完成率 = (done + late) ÷ due, 按时完成率 = done ÷ due; None while nothing is due.
    逾期占比 (the county's `overdue_share`) = overdue ÷ due, over the same obligations."""

    due: int
    done: int
    late: int
    overdue: int = 0

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.due if self.due else None

    @property
    def rate(self) -> float | None:
        return (self.done + self.late) / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.done / self.due if self.due else None


def tally(book: Book, obligations, as_of: dt.date, scored_only: bool = False) -> list[Tally]:
    """One tally per unit holding obligations, in display order; with
    `scored_only`, only what counts toward scores and measures."""
    out: dict[str, Tally] = {}
    for ob in obligations:
        if scored_only and not ob.scored:
            continue
        row = out.get(ob.unit)
        if row is None:
            row = out[ob.unit] = Tally(ob.unit, book.units[ob.unit].kind)
        row.add(ob, as_of)
    return [out[name] for name in sorted(out, key=lambda n: unit_order(book, n))]


def town_tally(obligations, as_of: dt.date) -> Tally:
    """Every obligation of the town in one tally (its rates are the town's)."""
    total = Tally("", "")
    for ob in obligations:
        total.add(ob, as_of)
    return total


def unit_order(book: Book, name: str) -> tuple[int, int]:
    """Villages and communities first, then departments, then the rest."""
    return GROUP_OF_KIND[book.units[name].kind], book.unit_order(name)


# ---- task rows (lanxi tasks) ----------------------------------------------------


@dataclass(slots=True)
class TaskRow:
    task: Task
    lead: str
    units: tuple[str, ...]  # the owners: the units that must act
    due: dt.date | None
    state: State
    overdue_units: tuple[str, ...]
    obligations: list[Obligation]
    subjects: tuple[str, ...] = ()  # where the lead acts: the units it acts on
    next_due: dt.date | None = None  # the earliest uncompleted occurrence due on or after the as-of day

    @property
    def verification(self) -> str | None:
        """rejected if any claim on the task was rejected and reopened, else claimed
        while a completed obligation awaits review, else verified; None if nothing completed."""
        seen = {o.verification for o in self.obligations if not o.exempt}
        return next((v for v in ("rejected", "claimed", "verified") if v in seen), None)

    def unit_complete(self, unit: str, verified: bool = False) -> bool:
        """All the unit's obligations in this row, as owner or subject, are completed (or exempt)."""
        mine = [o for o in self.obligations if unit in (o.unit, o.subject)]
        return bool(mine) and all(
            o.exempt or (o.completed and (not verified or o.verification == "verified")) for o in mine
        )


def task_rows(book: Book, obligations: list[Obligation], unit: str | None = None) -> list[TaskRow]:
    """One row per task, in plan order. With `unit`: only the tasks it leads or
    is responsible for, worked out from its own obligations where it is
    responsible, from all the task's where it only leads."""
    by_task: dict[str, list[Obligation]] = defaultdict(list)
    for ob in obligations:
        by_task[ob.task.id].append(ob)
    rows = []
    for task in book.tasks:
        obs = by_task.get(task.id, [])
        units = book.owners(task)
        if unit is not None:
            if unit in units:
                obs = [o for o in obs if o.unit == unit]
            elif unit != book.lead(task):
                continue
        pending = [o for o in obs if not o.completed and not o.exempt]
        first_open = min((o.occ.index for o in pending), default=None)
        # an approved extension moves one unit's due day: the task shows the earliest
        due = min((o.due for o in pending if o.occ.index == first_open), default=None)
        overdue = {o.unit for o in obs if o.state == State.overdue}
        upcoming = [o.due for o in pending if o.state != State.overdue]  # due on or after the as-of day
        state = worst(o.state for o in obs)
        rows.append(TaskRow(
            task=task,
            lead=book.lead(task),
            units=units,
            due=due,
            state=State.done if state in COMPLETED else state,  # a task knows no "late"
            overdue_units=tuple(u for u in units if u in overdue),
            obligations=obs,
            subjects=book.subjects(task),
            next_due=min(upcoming, default=None),
        ))
    return rows


def filter_tasks(
    book: Book,
    rows: list[TaskRow],
    as_of: dt.date,
    overdue: bool = False,
    due_within: int | None = None,
    category: str | None = None,
) -> list[TaskRow]:
    out = []
    for row in rows:
        if overdue and row.state != State.overdue:
            continue
        if due_within is not None and (row.next_due is None or (row.next_due - as_of).days > due_within):
            continue
        if category is not None and name_key(category) not in name_key(row.task.category):
            continue
        out.append(row)
    return out


# ---- what a lead sees (lanxi status --unit) ------------------------------------------


@dataclass(slots=True)
class LeadSummary:
    task: Task
    units_total: int
    units_done: int
    overdue_units: tuple[str, ...]
    blocked: tuple[Obligation, ...] = ()  # units reporting they are blocked: the lead must act

    @property
    def units_overdue(self) -> int:
        return len(self.overdue_units)


def lead_summaries(book: Book, obligations: list[Obligation], unit: str) -> list[LeadSummary]:
    """How the units stand on each task that `unit` leads (where the lead acts:
    the units it acts on)."""
    out = []
    for row in task_rows(book, obligations):
        if row.lead != unit:
            continue
        held = [u for u in row.subjects or row.units
                if any(u in (o.unit, o.subject) and not o.exempt for o in row.obligations)]
        overdue = {o.named for o in row.obligations if o.state == State.overdue}
        out.append(LeadSummary(
            task=row.task,
            units_total=len(held),
            units_done=sum(1 for u in held if row.unit_complete(u)),
            overdue_units=tuple(u for u in held if u in overdue),
            blocked=tuple(o for o in row.obligations if o.blocked is not None),
        ))
    return out


def blocked(obligations) -> list[Obligation]:
    """Obligations whose latest report says blocked: what the leads must act on."""
    return [o for o in obligations if o.blocked is not None]


def state_matrix(book: Book, obligations: list[Obligation], as_of: dt.date
                 ) -> tuple[list[str], dict[tuple[str, str], State]]:
    """Units × tasks for the whole town (the terminal's and the dashboard's):
    the units in display order, and each (unit, task id)'s state (absent where
    the unit holds no obligation): that of its current occurrence (`current`),
    so a month not yet due does not hide that every past one is done."""
    states: dict[tuple[str, str], list[Obligation]] = defaultdict(list)
    for ob in obligations:
        states[(ob.unit, ob.task.id)].append(ob)
    units = sorted({unit for unit, _ in states}, key=lambda n: unit_order(book, n))
    return units, {key: current(obs, as_of) for key, obs in states.items()}


def current(obligations: list[Obligation], as_of: dt.date) -> State:
    """The state a recurring task shows for a unit now: overdue if any occurrence is,
    else due soon if one is, else that of the latest occurrence due by the as-of day
    (done, late or exempt), else (nothing due yet) the worst of them (open)."""
    states = {ob.state for ob in obligations}
    for urgent in (State.overdue, State.due_soon):
        if urgent in states:
            return urgent
    due = [ob for ob in obligations if ob.due <= as_of]
    return max(due, key=lambda ob: ob.due).state if due else worst(states)
