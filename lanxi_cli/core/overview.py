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
    matrix: tuple = ((), {})  # (units in display order, {(unit, task id): the current occurrence's state})


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
        matrix=engine.state_matrix(book, obligations, as_of),
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


# ---- what a document says of itself ------------------------------------------------------

NAME_ENDINGS = ("实施方案", "工作方案", "行动方案", "方案", "任务清单", "推进情况")


def task_source(plan) -> str:
    """Where the tasks come from, as a 督查台账's 任务来源 says it: 《方案》（文号）, the 文号
    only where the notice bears one."""
    name = f"《{plan.title.strip().strip('《》')}》"
    return f"{name}（{plan.notice_number.strip()}）" if plan.notice_number.strip() else name


def campaign_name(plan) -> str:
    """The campaign's own name, for a document's title (关于{name}推进情况的通报): the plan's
    title without the word for the paper it is written on (实施方案, 任务清单)."""
    name = plan.title.strip().strip("《》")
    changed = True
    while changed:  # 任务清单 of a 实施方案: both go
        changed = False
        for ending in NAME_ENDINGS:
            if name.endswith(ending) and len(name) > len(ending):
                name, changed = name.removesuffix(ending), True
    return name


def document_number(plan, number: str | None, year: int) -> str | None:
    """The 文号 of a document: a bare number N becomes {机关代字}〔year〕N号 (兰禁毒办〔2020〕5号),
    the 机关代字 being plan.yaml's `doc_code` (else the issuing office's name); other text stands as given."""
    office = plan.organisation.office.unit if plan.organisation.office else ""
    code = plan.doc_code or f"{plan.town}{office or plan.assessment.assessor or plan.organisation.lead_unit}"
    return numbered(code, number, year)


def numbered(code: str, number: str | None, year: int) -> str | None:
    """A bare number N under the 机关代字 `code`: {code}〔year〕N号; other text stands as given."""
    if not number:
        return None
    number = number.strip()
    if not number.isdigit():
        return number
    return f"{code}〔{year}〕{int(number)}号"


@dataclass(frozen=True, slots=True)
class Basis:
    """The reports a document's figures rest on: unit → ids of those counted (record
    order), and those that count nowhere, each (unit, id, why, the record that says so)."""

    counted: dict[str, list[str]]
    left_out: list[tuple[str, str, str, str | None]]  # why: withdrawn, superseded, rejected
    evidenced: list = field(default_factory=list)  # the counted reports with evidence files, in record order


def basis(book, obligations, reports, decided: dict[str, str], corrections) -> Basis:
    """Which of `reports` (all dated on or before the as-of day, withdrawn and superseded
    ones too) count toward the figures, and why the others do not. A report toward no
    obligation counts in no figure; one left out by a correction or a rejected review is named."""
    from lanxi_cli.core.corrections import newest
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.core.engine import unit_order

    owed = {(ob.task.id, ob.named) for ob in obligations}
    counted: dict[str, list[str]] = defaultdict(list)
    left_out, evidenced = [], []
    for r in sorted(reports, key=record_order):
        if r.id in corrections.withdrawn:
            left_out.append((r.unit, r.id, "withdrawn", corrections.withdrawn[r.id].id))
        elif r.id in corrections.superseded_by:
            left_out.append((r.unit, r.id, "superseded", newest(corrections, r.id)))
        elif decided.get(r.id) == "rejected":
            left_out.append((r.unit, r.id, "rejected", None))
        elif (r.task, r.unit) in owed:
            counted[r.unit].append(r.id)
            if r.evidence_files:
                evidenced.append(r)
    return Basis({u: counted[u] for u in sorted(counted, key=lambda u: unit_order(book, u))}, left_out, evidenced)


@dataclass(frozen=True, slots=True)
class Record:
    """What a 台账 row says of one obligation beyond its state: the latest report toward
    it (进展情况), the evidence filed toward it (佐证材料), and the review that closed it (销号)."""

    latest: object = None  # domain.Report, or None
    evidence: tuple[str, ...] = ()
    closed: object = None  # domain.Review approving a report toward it, where its completion is verified


def records(book, obligations, reports, reviews, decided: dict[str, str], as_of: dt.date) -> dict[tuple, Record]:
    """Each obligation's Record, keyed (task id, unit, occurrence index); `reports` and
    `reviews` are those that count (corrections applied), `decided` the decisions in force.
    A report counts toward the occurrence the one rule says (book.occurrence_for)."""
    toward: dict[tuple, list] = defaultdict(list)
    for r in reports:
        task = book.task_by_id.get(r.task)
        occ = book.occurrence_for(task, r.period, r.date) if task and r.date <= as_of else None
        if occ is not None:
            toward[(r.task, r.unit, occ.index)].append(r)
    approving: dict[str, object] = {}
    for review in sorted(reviews, key=lambda v: v.date):  # the latest approval of a report stands
        if review.date <= as_of and review.decision == "approved" and decided.get(review.subject) == "approved":
            approving[review.subject] = review
    out = {}
    for ob in obligations:
        key = (ob.task.id, ob.named, ob.occ.index)  # the unit its reports name
        mine = sorted(toward.get(key, ()), key=lambda r: (r.date, r.recorded))
        if not mine:
            continue
        evidence = tuple(dict.fromkeys(name for r in mine  # links, then the files by the name they were sent under
                                       for name in (*r.evidence, *(a.name for a in r.evidence_files))))
        closing = [approving[r.id] for r in mine if r.id in approving] if ob.verification == "verified" else []
        out[key] = Record(mine[-1], evidence, max(closing, key=lambda v: v.date) if closing else None)
    return out

