"""The county's roll-up: one row per town, from each town's obligations. Pure.

Each town is read by the same core as every other command (book → engine →
obligations); a row adds its units' obligations up by state and names the
village or community that stands worst in the town's own assessment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from annotated_types import MinLen

from lanxi_cli.core.domain import FORBID

STATES = ("done", "late", "overdue", "due_soon", "open")


# ---- the towns file (`--towns FILE`) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class TownSource:
    """One town of the county: its name, and its data folder or git address."""

    __pydantic_config__ = FORBID
    name: Annotated[str, MinLen(1)]
    data: Annotated[str, MinLen(1)]


@dataclass(frozen=True, slots=True)
class Towns:
    __pydantic_config__ = FORBID
    towns: Annotated[tuple[TownSource, ...], MinLen(1)]


# ---- rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Worst:
    unit: str
    score: float
    overdue: int


@dataclass(frozen=True, slots=True)
class TownRow:
    town: str
    units: int  # units holding obligations, as `status` lists them
    counts: dict[str, int]
    worst: Worst | None  # the lowest-scored village or community, if the town has any
    rates: object = None  # engine.Rates of the whole town, as every other output counts them

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


def town_row(town: str, book, obligations, as_of: dt.date) -> TownRow:
    """The town's units and states as `status` counts them (engine.tally: an
    exempt obligation counts nowhere), and its worst village as `assess` ranks it."""
    from lanxi_cli.core.assess import assess
    from lanxi_cli.core.engine import tally, town_tally

    whole = town_tally(obligations, as_of)
    villages = [s for s in assess(book, obligations, as_of) if s.group == "villages" and s.score is not None]
    worst = min(villages, key=lambda s: (s.score, -s.tally.overdue), default=None)
    return TownRow(
        town, len(tally(book, obligations, as_of)), {state: getattr(whole, state) for state in STATES},
        None if worst is None else Worst(worst.unit, round(float(worst.score), 2), worst.tally.overdue),
        whole.rates,
    )


def totals(rows: list[TownRow]) -> dict[str, int]:
    """The county's own sums over the towns read."""
    out = dict.fromkeys(STATES, 0)
    for row in rows:
        for state in STATES:
            out[state] += row.counts[state]
    return out
