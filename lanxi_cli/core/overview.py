"""How the campaign stands on a day, computed once for every document a
leader reads: the 通报, the 台账 and the dashboard. Pure.

Renderers only lay out what this holds; nothing they show is worked out
anywhere else.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from lanxi_cli.core.domain import COMPLETED, State


@dataclass(frozen=True, slots=True)
class Campaign:
    """Where the as-of day falls: before, during or after the campaign, its phase, days left."""

    town: str
    title: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    phase: str | None
    stage: str  # before, during, after

    @property
    def days_left(self) -> int:
        return max(0, (self.end - self.as_of).days)

    def sentence(self) -> str:
        """Where the campaign stands, as the 通报 says it: right before, during
        and after it, with or without phases."""
        span = f"本次专项行动自{cn_date(self.start)}至{cn_date(self.end)}"
        if self.stage == "before":
            return f"{span}，尚未开始，距活动开始还有{(self.start - self.as_of).days}天。"
        if self.stage == "after":
            return f"{span}，已于{cn_date(self.end)}结束。"
        now = f"现处于{self.phase}" if self.phase else "正在进行"
        left = f"距活动结束还有{self.days_left}天" if self.days_left else "今天是活动的最后一天"
        return f"{span}，{now}，{left}。"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def campaign(book, as_of: dt.date) -> Campaign:
    plan = book.plan
    phase = next((p.name for p in plan.phases if p.start <= as_of <= p.end), None)
    stage = "before" if as_of < plan.campaign.start else "after" if as_of > plan.campaign.end else "during"
    return Campaign(plan.town, plan.title, plan.campaign.start, plan.campaign.end, as_of, phase, stage)


@dataclass(frozen=True, slots=True)
class Point:
    """One day of the completion curve: obligations due by then, and completed by then."""

    day: dt.date
    due: int
    completed: int


@dataclass(slots=True)
class Overview:
    campaign: Campaign
    obligations: list  # engine.Obligation, plan order
    tasks: list  # engine.TaskRow
    units: list  # engine.Tally, one per unit, display order
    standings: list  # assess.Standing, the assessor left out
    totals: object  # engine.Tally of the whole town: exempt obligations in no total; its rates are the town's
    taken: list = field(default_factory=list)  # domain.MeasureTaken recorded on or before the as-of day, oldest first
    praised: dict = field(default_factory=dict)  # group → its 进度较快的单位 (assess.praised)
    overdue: dict[str, list] = field(default_factory=dict)  # unit → its overdue obligations, display order
    timeline: list[Point] = field(default_factory=list)
    upcoming: list = field(default_factory=list)  # (due day, task, [units]) for the next deadlines
    matrix: tuple = ((), {})  # (units in display order, {(unit, task id): worst state})


NEXT_DAYS = 14  # upcoming deadlines: those within two weeks of the as-of day
LEADERS = 3  # 进度较快的单位: at most the first this many places of each ranking group


def compute(book, obligations, as_of: dt.date, measures=()) -> Overview:
    """`measures`: the 督办 measures recorded that count (snapshot.measures), any date."""
    from lanxi_cli.core import engine
    from lanxi_cli.core.assess import assess, praised
    from lanxi_cli.core.measures import taken

    counted = [ob for ob in obligations if ob.state != State.exempt]
    overdue: dict[str, list] = defaultdict(list)
    for ob in counted:
        if ob.state == State.overdue:
            overdue[ob.unit].append(ob)
    order = sorted(overdue, key=lambda n: engine.unit_order(book, n))
    standings = assess(book, obligations, as_of, measures)
    return Overview(
        campaign=campaign(book, as_of),
        obligations=obligations,
        tasks=engine.task_rows(book, obligations),
        units=engine.tally(book, obligations, as_of),
        standings=standings,
        totals=engine.town_tally(obligations, as_of),
        taken=taken(measures, as_of),
        praised=praised(standings, LEADERS),
        overdue={unit: overdue[unit] for unit in order},
        timeline=timeline(book, counted, as_of),
        upcoming=upcoming(book, counted, as_of),
        matrix=engine.state_matrix(book, obligations),
    )


def timeline(book, obligations, as_of: dt.date) -> list[Point]:
    """From the campaign's start to the as-of day (or its end): on each day where
    something fell due or was completed, how many were due and completed by then."""
    start = book.plan.campaign.start
    last = min(as_of, book.plan.campaign.end)
    due = Counter(ob.due for ob in obligations)
    done = Counter(ob.completed_on for ob in obligations if ob.state in COMPLETED and ob.completed_on)
    days = sorted({d for d in (*due, *done) if start <= d <= last} | {start, last}) if last >= start else []
    points: list[Point] = []
    due_sum = sum(n for d, n in due.items() if d < start)
    done_sum = sum(n for d, n in done.items() if d < start)
    for day in days:
        if points and (day - points[-1].day).days > 1:  # a step, not a slope, between two days of change
            points.append(Point(day - dt.timedelta(days=1), due_sum, done_sum))
        due_sum += due.get(day, 0)
        done_sum += done.get(day, 0)
        points.append(Point(day, due_sum, done_sum))
    return points


def upcoming(book, obligations, as_of: dt.date) -> list[tuple[dt.date, object, list[str]]]:
    """Deadlines in the next two weeks (else the next deadline day), each with the units owing it."""
    from lanxi_cli.core.domain import id_order

    pending = [ob for ob in obligations if ob.state not in COMPLETED and ob.due >= as_of]
    soon = [ob for ob in pending if (ob.due - as_of).days <= NEXT_DAYS]
    if not soon and pending:
        first = min(ob.due for ob in pending)
        soon = [ob for ob in pending if ob.due == first]
    grouped: dict[tuple, dict[str, None]] = defaultdict(dict)
    tasks = {}
    for ob in sorted(soon, key=lambda o: (o.due, id_order(o.task.id))):
        grouped[(ob.due, ob.task.id)][ob.unit] = None  # a lead owing one per unit it acts on, once
        tasks[ob.task.id] = ob.task
    return [(due, tasks[task_id], list(units)) for (due, task_id), units in grouped.items()]
