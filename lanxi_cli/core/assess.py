"""Assessment: score, rank, light and escalate units from their obligations. Pure.

Everything here is worked out over a unit's scored obligations due by the
as-of day (engine.is_due: due before it, or due on it and already
completed; exempt ones left out), the same base as the two rates
(engine.Rates). The score, on 100 points, with λ = scoring.late and
κ = scoring.punctual (plan.yaml `assessment.scoring`, the project's rule):

    score = 100 × (on_time + λ·late + κ·(1 − overdue / due)) / (due + κ)

So a unit that has completed everything due so far on time scores 100 on
any day, whatever is still to come; a unit with nothing due yet has no
score and no rank, and stands after the ranked units of its group.

Ranking guarantees (the contract; tested with hypothesis in
tests/test_assess.py): between two units holding the same obligations due,
more on time with no fewer in all ranks strictly higher, and so do more late
completions at equal on-time ones. Both hold because every term above grows
with each completion and an on-time one earns more than a late one (λ < 1).

Villages and communities are ranked together, departments among
themselves, and units of kind `other` (a company, an association) in a
group of their own. Equal scores share a rank (1, 2, 2, 4). The assessing
office (plan.yaml `assessment.assessor`) is not assessed: never ranked,
praised or given a measure.

Lights and measures go by the share of those obligations due that are
overdue: lights green with none, yellow up to `lights.red_above`, red
above; a measure of `escalation` where the share reaches its threshold in
`escalate.overdue_share` (the gravest reached), or the mildest for a unit
among the last `escalate.bottom` of its group with something overdue. A
measure is proposed only for the kinds `escalate.kinds` names (the plan's
村（社区）), and at most one step above the last measure recorded for the unit
(`lanxi measure record`) on or before the as-of day: with none recorded, at
most the mildest. So a unit is reminded before it is called in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from lanxi_cli.core import engine
from lanxi_cli.core.domain import UNIT_GROUPS, record_order
from lanxi_cli.core.engine import Rates, Tally

GROUP_NAMES = {key: name for key, name, _ in UNIT_GROUPS}
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
LIGHT_STYLES = {"green": "green", "yellow": "yellow", "red": "bold red"}


@dataclass(slots=True)
class Standing:
    tally: Tally  # the unit's scored obligations
    group: str
    score: Fraction | None  # None while nothing is due
    rank: int | None  # None while nothing is due
    light: str
    measure: str | None = None
    reasons: tuple[str, ...] = ()
    last: object = None  # the last measure recorded for the unit (domain.MeasureTaken), or None
    held: bool = False  # the measure the share reaches was held down to one step above the last one

    @property
    def unit(self) -> str:
        return self.tally.unit

    @property
    def rates(self) -> Rates:
        return self.tally.rates

    @property
    def share(self) -> Fraction | None:
        """The share of the scored obligations due that are overdue; None while nothing is due."""
        due = self.tally.scored_due
        return Fraction(self.tally.overdue, due) if due else None


def tallies(book, obligations, as_of: dt.date) -> list[Tally]:
    """What is scored, one tally per unit: obligations due on or after the
    notice's date on tasks not marked unscored; exempt ones count nowhere."""
    return [t for t in engine.tally(book, obligations, as_of, scored_only=True) if t.total]


def score(tally: Tally, scoring) -> Fraction | None:
    """The unit's score on 100 points, exact (see the module's docstring); None while nothing is due."""
    due = tally.scored_due
    if not due:
        return None
    late, bonus = Fraction(str(scoring.late)), Fraction(str(scoring.punctual))
    punctual = 1 - Fraction(tally.overdue, due)
    return 100 * (tally.scored_done + late * tally.scored_late + bonus * punctual) / (due + bonus)


def light(tally: Tally, lights) -> str:
    """Green with nothing overdue, yellow up to `red_above` of the obligations due, red above."""
    if not tally.overdue:
        return "green"
    return "red" if Fraction(tally.overdue, tally.scored_due) > Fraction(str(lights.red_above)) else "yellow"


def last_measures(measures, as_of: dt.date) -> dict:
    """Each unit's last measure recorded (domain.MeasureTaken that count) on or before the as-of day."""
    out = {}
    for m in sorted((m for m in measures if m.date <= as_of), key=record_order):
        out[m.unit] = m
    return out


def rank(units: list[Tally], rules, last: dict | None = None) -> list[Standing]:
    """Standings, group by group, best first, the unranked (nothing due) after
    the ranked; `rules` is plan.yaml's `assessment`, `last` each unit's last
    measure recorded (last_measures)."""
    last = last or {}
    out: list[Standing] = []
    for key, _name, kinds in UNIT_GROUPS:
        members = [t for t in units if t.kind in kinds]
        scored = sorted(((score(t, rules.scoring), i, t) for i, t in enumerate(members)),
                        key=lambda x: (x[0] is None, -(x[0] or 0), x[1]))
        group: list[Standing] = []
        for place, (value, _i, tally) in enumerate(scored):
            same = group and value is not None and group[-1].score == value
            group.append(Standing(tally, key, value, None if value is None else group[-1].rank if same else place + 1,
                                  light(tally, rules.lights), last=last.get(tally.unit)))
        ranked = [s for s in group if s.rank is not None]
        for standing in ranked:
            below = sum(1 for other in ranked if other.score < standing.score)
            _escalate(standing, below, len(ranked), rules)
        out.extend(group)
    return out


def _escalate(standing: Standing, below: int, size: int, rules) -> None:
    """The gravest measure the unit's overdue share reaches; a unit with fewer
    than `escalate.bottom` units ranked below it (ties at the bottom included)
    gets at least the mildest, unless it stands alone in its group. None for a
    unit with nothing overdue or of a kind `escalate.kinds` leaves out; never
    more than one step above the last measure recorded (the mildest with none)."""
    measures, rule, tally = rules.escalation, rules.escalate, standing.tally
    if not measures or not tally.overdue or tally.kind not in rule.kinds:
        return
    share = standing.share
    level = sum(1 for threshold in rule.overdue_share if share >= Fraction(str(threshold))) - 1
    reasons = [f"已逾期{tally.overdue}项，占已到期事项{100 * float(share):.1f}%"] if level >= 0 else []
    if size > 1 and below < rule.bottom:
        reasons.append(f"排名倒数第{below + 1}" if below else "排名末位")
        level = max(level, 0)
    if level < 0:
        return
    level = min(level, len(measures) - 1)
    last = standing.last
    ceiling = measures.index(last.kind) + 1 if last is not None and last.kind in measures else 0
    if level > ceiling:
        level, standing.held = ceiling, True
        reasons.append(f"上次措施为{last.kind}（{last.date.isoformat()}），本次至多提请{measures[ceiling]}"
                       if last is not None else f"尚未记录已采取的督办措施，本次至多提请{measures[0]}")
    standing.measure = measures[level]
    standing.reasons = tuple(reasons)


def assess(book, obligations, as_of: dt.date, measures=()) -> list[Standing]:
    """Every unit but the assessor, ranked; `measures` are the measures
    recorded that count (neither withdrawn), any date."""
    rules = book.plan.assessment
    assessor = book.canonical(rules.assessor) if rules.assessor else None
    units = [t for t in tallies(book, obligations, as_of) if t.unit != assessor]
    return rank(units, rules, last_measures(measures, as_of))


def praised(standings: list[Standing], leaders: int) -> dict[str, list[Standing]]:
    """进度较快的单位, group by group: the ranked units among the first `leaders`
    places that have completed something and owe nothing scored that is
    overdue (so a unit praised is never named as behind nor given a measure)."""
    out: dict[str, list[Standing]] = {}
    for s in standings:
        if s.rank is not None and s.rank <= leaders and s.tally.completed and not s.tally.overdue:
            out.setdefault(s.group, []).append(s)
    return out
