"""Assessment: score, rank, light and escalate units from their obligations. Pure.

The score, on 100 points, with λ = scoring.late and κ = scoring.punctual
(plan.yaml `assessment.scoring`):

    score = 100 × (on_time + λ·late + κ·(1 − overdue / past_due)) / (total + κ)

`total` counts the unit's obligations over the whole campaign, `past_due`
those due before the as-of day (the share 1 − overdue/past_due counts 0
while nothing is due yet: no points before there is anything to be punctual
about). So every obligation is worth the same share of 100 points, and
units holding different numbers of obligations compare.

Why this shape: the contract asks that, between units holding the same
obligations, more on-time completions (with no fewer in all) rank strictly
higher, and so do more late completions at equal on-time ones. A plain
`w_done·done + w_late·late − w_overdue·overdue` cannot promise that for
any fixed w_overdue > 0: a unit that finished k+1 not-yet-due items early
may carry k+1 more overdue items than one that finished k due items on time
and one late. Overdue items therefore weigh through a share, bounded by κ,
and κ ≤ λ, κ < 1 − λ (checked by `book`) keeps both properties (tested with
hypothesis in tests/test_assess.py). Overdue work is what lights and
escalations act on.

Villages and communities are ranked together, departments among
themselves, and units of kind `other` (a company, an association) in a
group of their own. Equal scores share a rank (1, 2, 2, 4).

What is scored: obligations due on or after the notice's date, on tasks that
tasks.yaml does not mark unscored; exempt obligations count nowhere. Measures
are proposed only for the kinds `escalate.kinds` names (as the plan says, the
村（社区）), never for a department, the assessor or a unit of kind `other`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from lanxi_cli.core import engine
from lanxi_cli.core.domain import UNIT_GROUPS
from lanxi_cli.core.engine import Tally

GROUP_NAMES = {key: name for key, name, _ in UNIT_GROUPS}
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
LIGHT_STYLES = {"green": "green", "yellow": "yellow", "red": "bold red"}


@dataclass(slots=True)
class Standing:
    tally: Tally
    group: str
    score: Fraction
    rank: int
    light: str
    measure: str | None = None
    reasons: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return self.tally.unit


def tallies(book, obligations, as_of: dt.date) -> list[Tally]:
    """What is scored, one tally per unit: obligations due on or after the
    notice's date on tasks not marked unscored; exempt ones count nowhere."""
    return [t for t in engine.tally(book, obligations, as_of, scored_only=True) if t.total]


def score(tally: Tally, scoring) -> Fraction:
    """The unit's score on 100 points, exact (see the module's docstring)."""
    late, bonus = Fraction(str(scoring.late)), Fraction(str(scoring.punctual))
    punctual = 1 - Fraction(tally.overdue, tally.past_due) if tally.past_due else Fraction(0)
    return 100 * (tally.done + late * tally.late + bonus * punctual) / (tally.total + bonus)


def light(overdue: int, lights) -> str:
    if overdue >= lights.red:
        return "red"
    return "yellow" if overdue >= lights.yellow else "green"


def rank(units: list[Tally], rules, spared: frozenset[str] = frozenset()) -> list[Standing]:
    """Standings, group by group, best first; `rules` is plan.yaml's `assessment`.
    Units in `spared` (the assessor) are ranked but never proposed for a measure."""
    out: list[Standing] = []
    for key, _name, kinds in UNIT_GROUPS:
        members = [t for t in units if t.kind in kinds]
        scored = sorted(((score(t, rules.scoring), i, t) for i, t in enumerate(members)),
                        key=lambda x: (-x[0], x[1]))
        group: list[Standing] = []
        for place, (value, _i, tally) in enumerate(scored):
            same = group and group[-1].score == value
            group.append(Standing(tally, key, value, group[-1].rank if same else place + 1,
                                  light(tally.overdue, rules.lights)))
        for standing in group:
            below = sum(1 for other in group if other.score < standing.score)
            if standing.unit not in spared:
                _escalate(standing, below, len(group), rules)
        out.extend(group)
    return out


def _escalate(standing: Standing, below: int, size: int, rules) -> None:
    """The gravest measure the unit's overdue count reaches. A unit with fewer than
    `escalate.bottom` units ranked below it (ties at the bottom included) gets at
    least the mildest, unless it stands alone in its group; a unit with nothing
    overdue gets none, and measures go only to the kinds `escalate.kinds` names
    (the plan's 村（社区）)."""
    measures, rule, overdue = rules.escalation, rules.escalate, standing.tally.overdue
    if not measures or not overdue or standing.tally.kind not in rule.kinds:
        return
    level = sum(1 for threshold in rule.overdue if overdue >= threshold) - 1
    reasons = [f"已逾期{overdue}项"] if level >= 0 else []
    if size > 1 and below < rule.bottom:
        reasons.append(f"排名倒数第{below + 1}" if below else "排名末位")
        level = max(level, 0)
    if level >= 0:
        standing.measure = measures[min(level, len(measures) - 1)]
        standing.reasons = tuple(reasons)


def assess(book, obligations, as_of: dt.date) -> list[Standing]:
    rules = book.plan.assessment
    assessor = book.canonical(rules.assessor) if rules.assessor else None
    return rank(tallies(book, obligations, as_of), rules, frozenset({assessor} - {None}))
