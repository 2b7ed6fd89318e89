"""The county's roll-up: one row per town, from each town's obligations. Pure.

Each town is read by the same core as every other command (book → engine →
obligations); a row adds its units' obligations up by state and names the
village or community that stands worst in the town's own assessment. The
county ranks its towns on the rates every command counts (engine.Rates),
weighted as the towns file's `rank` says; it names a town whose copy is
older than the others, and each town whose task ids differ from the
county's plan (towns file `plan`), the tasks being matched by id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge, Le, MinLen

from lanxi_cli.core.domain import FORBID, MAX_NUMBER

STATES = ("done", "late", "overdue", "due_soon", "open")
# A town's copy is older than the others when its last commit is this many days before the
# newest town's: the towns report every ten days (每月10日、20日、30日), so it misses a round.
STALE_DAYS = 10


# ---- the towns file (`--towns FILE`) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class TownSource:
    """One town of the county: its name, and its data folder or git address."""

    __pydantic_config__ = FORBID
    name: Annotated[str, MinLen(1)]
    data: Annotated[str, MinLen(1)]


Weight = Annotated[float, Ge(0), Le(MAX_NUMBER)]


@dataclass(frozen=True, slots=True)
class Weights:
    """The county's ranking rule: score = the weighted mean of the three
    (overdue_share counting as 1 − the share: fewer overdue is better)."""

    __pydantic_config__ = FORBID
    rate: Weight = 0
    on_time_rate: Weight = 0
    overdue_share: Weight = 0


@dataclass(frozen=True, slots=True)
class Towns:
    """The towns file: the towns, how they are ranked, and what the county's 通报 is headed with."""

    __pydantic_config__ = FORBID
    towns: Annotated[tuple[TownSource, ...], MinLen(1)]
    rank: Weights = Weights(rate=1)  # by default 完成率 alone
    plan: Annotated[str, MinLen(1)] | None = None  # the county's plan (init --from-county), tasks matched by id
    issuer: Annotated[str, MinLen(1)] = "县禁毒委员会办公室"  # 发文机关 of the county's 通报
    doc_code: str = ""  # its 机关代字: --number 3 reads 赫禁毒委〔2021〕3号
    addressees: Annotated[str, MinLen(1)] = "各乡镇（街道）禁毒委员会"
    subject: str = ""  # the campaign's name in the 通报's title; else the county plan's, else 全县专项行动


# ---- rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Worst:
    unit: str
    score: float
    overdue: int


@dataclass(frozen=True, slots=True)
class Behind:
    unit: str
    overdue: int
    tasks: tuple[str, ...]  # the ids of the tasks overdue, in plan order


@dataclass(frozen=True, slots=True)
class TownRow:
    town: str
    units: int  # units holding obligations, as `status` lists them
    counts: dict[str, int]
    worst: Worst | None  # the lowest-scored village or community, if the town has any
    rates: object = None  # engine.Rates of the whole town, as every other output counts them
    last_commit: dt.date | None = None  # the day of the copy's last commit (None outside git)
    task_ids: tuple[str, ...] = ()  # the town's plan's task ids, in plan order
    behind: tuple[Behind, ...] = ()  # its units with obligations overdue, most overdue first

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        """完成率: completed over the scored obligations due (engine.Rates); None while nothing is due."""
        return self.rates.rate if self.rates is not None else None

    @property
    def on_time_rate(self) -> float | None:
        return self.rates.on_time_rate if self.rates is not None else None


@dataclass(frozen=True, slots=True)
class Failed:
    town: str
    reason: str


@dataclass(frozen=True, slots=True)
class Reading:
    """The county on a day: the towns read, those that could not be, and what it names besides."""

    as_of: dt.date
    towns: Towns  # the towns file
    rows: list[TownRow]
    failed: list[Failed]
    stale: list[Stale]
    differs: list[Differs]
    plan_tasks: tuple[str, ...] = ()  # the county plan's task ids, where the towns file names one


def town_row(town: str, book, obligations, as_of: dt.date, last_commit: dt.date | None = None) -> TownRow:
    """The town's units and states as `status` counts them (engine.tally: an
    exempt obligation counts nowhere), its worst village as `assess` ranks it,
    and its units with obligations overdue, as the town's 通报 names them."""
    from lanxi_cli.core.assess import assess
    from lanxi_cli.core.domain import State
    from lanxi_cli.core.engine import tally, town_tally

    whole = town_tally(obligations, as_of)
    villages = [s for s in assess(book, obligations, as_of) if s.group == "villages" and s.score is not None]
    worst = min(villages, key=lambda s: (s.score, -s.tally.overdue), default=None)
    units = tally(book, obligations, as_of)
    order = {task.id: i for i, task in enumerate(book.tasks)}
    late: dict[str, set[str]] = {}
    for ob in obligations:
        if ob.state == State.overdue:
            late.setdefault(ob.unit, set()).add(ob.task.id)
    behind = sorted((Behind(u.unit, u.overdue, tuple(sorted(late[u.unit], key=order.__getitem__)))
                     for u in units if u.overdue), key=lambda b: -b.overdue)  # stable: display order within
    return TownRow(
        town, len(units), {state: getattr(whole, state) for state in STATES},
        None if worst is None else Worst(worst.unit, round(float(worst.score), 2), worst.tally.overdue),
        whole.rates, last_commit, tuple(task.id for task in book.tasks), tuple(behind),
    )


def county_rates(rows: list[TownRow]):
    """The county's own rates: every town's obligations due counted together (engine.Rates)."""
    from lanxi_cli.core.engine import Rates

    parts = [r.rates for r in rows if r.rates is not None]
    return Rates(*(sum(getattr(p, name) for p in parts) for name in ("due", "done", "late", "overdue")))


def totals(rows: list[TownRow]) -> dict[str, int]:
    """The county's own sums over the towns read."""
    out = dict.fromkeys(STATES, 0)
    for row in rows:
        for state in STATES:
            out[state] += row.counts[state]
    return out


# ---- the county's ranking -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ranked:
    row: TownRow
    score: float | None  # None while the town has nothing due
    rank: int | None  # equal scores share a place (1, 1, 3); None for the unranked


def score(rates, weights: Weights) -> float | None:
    """The weighted mean of the town's 完成率, 按时完成率 and (1 − 逾期占比), engine.Rates all."""
    if rates is None or rates.rate is None:
        return None
    parts = ((weights.rate, rates.rate), (weights.on_time_rate, rates.on_time_rate),
             (weights.overdue_share, 1 - rates.overdue_share))
    return sum(w * value for w, value in parts) / sum(w for w, _ in parts)


def rank(rows: list[TownRow], weights: Weights) -> list[Ranked]:
    """The towns best first, scores compared to six places (what floats add up
    differently is no difference); the unranked after them in the file's order."""
    scored = [(score(row.rates, weights), i, row) for i, row in enumerate(rows)]
    ordered = sorted(scored, key=lambda x: (x[0] is None, -round(x[0] or 0, 6), x[1]))
    out: list[Ranked] = []
    for place, (value, _i, row) in enumerate(ordered):
        tied = out and value is not None and out[-1].score is not None and round(out[-1].score, 6) == round(value, 6)
        out.append(Ranked(row, value, None if value is None else out[-1].rank if tied else place + 1))
    return out


# ---- what the county names besides the figures --------------------------------------


@dataclass(frozen=True, slots=True)
class Stale:
    town: str
    last_commit: dt.date


def stale(rows: list[TownRow]) -> list[Stale]:
    """The towns whose copy is older than the others: last committed more than
    STALE_DAYS before the newest town's last commit."""
    days = [row.last_commit for row in rows if row.last_commit is not None]
    if not days:
        return []
    newest = max(days)
    return [Stale(row.town, row.last_commit) for row in rows
            if row.last_commit is not None and (newest - row.last_commit).days > STALE_DAYS]


@dataclass(frozen=True, slots=True)
class Differs:
    """A town whose tasks are not the county plan's: the county's ids it lacks, and its own the county lacks."""

    town: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]


def plan_differences(county_ids: tuple[str, ...], rows: list[TownRow]) -> list[Differs]:
    known = set(county_ids)
    out = []
    for row in rows:
        own = set(row.task_ids)
        missing = tuple(i for i in county_ids if i not in own)
        extra = tuple(i for i in row.task_ids if i not in known)
        if missing or extra:
            out.append(Differs(row.town, missing, extra))
    return out
