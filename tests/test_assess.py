"""lanxi assess: the score follows its documented formula, the ranking keeps the
contract's two properties (proved over random obligations with hypothesis), and
lights and measures follow the thresholds set in plan.yaml."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario import AS_OF, write_reports

from lanxi_cli.core.assess import Tally, rank, score
from lanxi_cli.core.domain import Assessment, Escalate, Scoring, State, Unit
from lanxi_cli.core.engine import Obligation


def assess_json(cli, data_dir, *extra):
    result = cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def status_units(cli, data_dir):
    result = cli("status", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["unit"]: row for row in json.loads(result.stdout)["units"]}


def scored(cli, data_dir, unit) -> dict:
    """The unit's scored obligations counted by state (by hand, from status --unit), and how many are past due."""
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    obs = [ob for ob in json.loads(result.stdout)["obligations"] if ob["scored"] and ob["state"] != "exempt"]
    counts = {state: sum(1 for ob in obs if ob["state"] == state) for state in ("done", "late", "overdue")}
    return {**counts, "total": len(obs), "past_due": sum(1 for ob in obs if ob["due"] < AS_OF)}


def plan_rules(data_dir):
    return yaml.safe_load((data_dir / "plan.yaml").read_text(encoding="utf-8"))["assessment"]


def edit_assessment(data_dir, **changes):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for key, value in changes.items():
        data["assessment"][key] = value
    plan.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---- the scenario, through the command line -------------------------------------------


def test_scores_follow_the_documented_formula(cli, data_dir):
    write_reports(data_dir)
    rows = assess_json(cli, data_dir)
    counts = status_units(cli, data_dir)
    weights = plan_rules(data_dir)["scoring"]
    late, bonus = Fraction(str(weights["late"])), Fraction(str(weights["punctual"]))
    assert {r["unit"] for r in rows} == set(counts)
    for row in rows:
        assert row["kind"] == counts[row["unit"]]["kind"]
        c = scored(cli, data_dir, row["unit"])
        keys = ("total", "done", "late", "overdue")
        assert [row[k] for k in keys] == [c[k] for k in keys]
        share = 1 - Fraction(c["overdue"], c["past_due"]) if c["past_due"] else 0
        expected = 100 * (c["done"] + late * c["late"] + bonus * share) / (c["total"] + bonus)
        assert row["score"] == pytest.approx(float(expected), abs=1e-4), row
    # 6.3 for August and 10.2 (unscored, and its first inspection due 08-30) are not scored
    village = next(r for r in rows if r["unit"] == "苏家湖村")
    assert counts["苏家湖村"]["total"] - village["total"] == 1 + 2


def test_ranks_best_first_by_group_with_ties_sharing_a_rank(cli, data_dir):
    write_reports(data_dir)
    rows = assess_json(cli, data_dir)
    groups = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    assert set(groups) == {"villages", "departments", "others"}
    assert {r["kind"] for r in groups["villages"]} == {"village", "community"}
    assert {r["kind"] for r in groups["departments"]} == {"department"}
    for members in groups.values():
        scores = [r["score"] for r in members]
        assert scores == sorted(scores, reverse=True)
        for row in members:  # competition ranking: 1, 2, 2, 4
            assert row["rank"] == 1 + sum(1 for s in scores if s > row["score"])
    by_unit = {r["unit"]: r for r in groups["villages"]}
    # 2 on time > 1 on time + 1 late > 1 on time > 1 late > nothing
    order = ["苏家湖村", "黄湖村", "枫林社区", "罗湖村"]
    assert [by_unit[u]["rank"] for u in order] == [1, 2, 3, 4]
    # a progress report and a report after the as-of day complete nothing
    assert by_unit["北岸新村"]["rank"] == by_unit["千家洲村"]["rank"] == by_unit["三河口村"]["rank"] == 5
    assert groups["departments"][0]["unit"] == "中心校"


def test_lights_and_measures_follow_plan_thresholds(cli, data_dir):
    write_reports(data_dir)
    rules = plan_rules(data_dir)
    rows = assess_json(cli, data_dir)
    lights = rules["lights"]
    for row in rows:
        want = "red" if row["overdue"] >= lights["red"] else "yellow" if row["overdue"] >= lights["yellow"] else "green"
        assert row["light"] == want, row
        if row["overdue"] == 0:
            assert row["measure"] is None
    # configurable: raise red out of reach, make the mildest measure start at one overdue item
    edit_assessment(data_dir, lights={"yellow": 1, "red": 99},
                    escalate={"overdue": [1, 50, 60, 70], "bottom": 0})
    rows = assess_json(cli, data_dir)
    mildest = rules["escalation"][0]
    assert {r["light"] for r in rows if r["overdue"]} == {"yellow"}
    assert {r["measure"] for r in rows if r["overdue"]} == {mildest}
    assert all(r["measure"] is None for r in rows if not r["overdue"])


def test_bottom_places_get_at_least_the_mildest_measure(cli, data_dir):
    write_reports(data_dir)
    edit_assessment(data_dir, escalate={"overdue": [90, 91, 92, 93], "bottom": 3})
    rows = [r for r in assess_json(cli, data_dir) if r["group"] == "villages"]
    mildest = plan_rules(data_dir)["escalation"][0]
    flagged = {r["unit"] for r in rows if r["measure"]}
    # a unit is at the bottom when fewer than 3 units rank below it: the 19 tied at rank 5
    assert flagged == {r["unit"] for r in rows if sum(1 for o in rows if o["rank"] > r["rank"]) < 3}
    assert len(flagged) == 19 and "罗湖村" not in flagged
    assert {r["measure"] for r in rows if r["measure"]} == {mildest}
    assert "苏家湖村" not in flagged


def test_table_shows_groups_and_fits_80_columns(cli, data_dir):
    from rich.cells import cell_len

    write_reports(data_dir)
    result = cli("assess", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "村（社区）考核排名（23个）" in result.stdout and "镇属部门考核排名" in result.stdout
    assert "红灯" in result.stdout and "绿灯" in result.stdout
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80


def test_book_rejects_weights_that_could_break_the_order(cli, data_dir):
    edit_assessment(data_dir, scoring={"late": 0.6, "punctual": 0.45})
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "plan.yaml:" in result.output and "punctual" in result.output
    # ...and why: with punctual >= 1 - late, two items done early would lose to one on time and one late
    a = Tally("A", "village", done=2, overdue=2, past_due=2)  # finished both items not yet due
    b = Tally("B", "village", done=1, late=1, open=2, past_due=2)  # finished both due items
    bad = Scoring(late=0.6, punctual=0.45)
    assert score(a, bad) < score(b, bad)
    assert score(a, Scoring(late=0.6, punctual=0.3)) > score(b, Scoring(late=0.6, punctual=0.3))


def test_bad_date_is_a_usage_error(cli, data_dir):
    result = cli("assess", "--data", str(data_dir), "--as-of", "2020-02-30")
    assert result.exit_code == 2
    assert "--as-of" in result.output


# ---- the contract's ranking properties, over random obligations ------------------------

# One unit's outcome on an obligation: items due before the as-of day end done, late or
# overdue; items not yet due end done (early) or still open.
PAST = ("done", "late", "overdue")
FUTURE = ("done", "open")


@st.composite
def assessments(draw):
    """Valid scoring weights: a late completion worth less than one on time,
    the punctuality bonus within both margins."""
    late = draw(st.floats(0.01, 0.99))
    punctual = draw(st.floats(0, 0.999)) * min(late, 1 - late)
    return Assessment(scoring=Scoring(late=late, punctual=punctual))


@st.composite
def two_units(draw):
    """Two units holding the same obligations, with independent outcomes, and valid weights."""
    dues = draw(st.lists(st.booleans(), min_size=1, max_size=60))  # True: due before the as-of day
    units = []
    for name in "AB":
        tally = Tally(name, "village")
        for past in dues:
            state = draw(st.sampled_from(PAST if past else FUTURE))
            setattr(tally, state, getattr(tally, state) + 1)
            tally.past_due += past
        units.append(tally)
    return units, draw(assessments())


@settings(max_examples=600, deadline=None)
@given(two_units())
def test_more_on_time_or_more_late_ranks_strictly_higher(case):
    (a, b), rules = case
    standing = {s.unit: s.rank for s in rank([a, b], rules)}
    for x, y in ((a, b), (b, a)):
        if x.done > y.done and x.done + x.late >= y.done + y.late:
            assert standing[x.unit] < standing[y.unit]
        if x.done == y.done and x.late > y.late:
            assert standing[x.unit] < standing[y.unit]
    if (a.done, a.late, a.overdue) == (b.done, b.late, b.overdue):
        assert standing["A"] == standing["B"]


@settings(max_examples=200, deadline=None)
@given(two_units())
def test_shipped_weights_keep_the_order(case):
    """The same properties with the weights plan.yaml ships."""
    from pathlib import Path

    shipped = yaml.safe_load((Path(__file__).parent.parent / "data" / "plan.yaml").read_text(encoding="utf-8"))
    rules = Assessment(scoring=Scoring(**shipped["assessment"]["scoring"]))
    (a, b), _ = case
    for x, y in ((a, b), (b, a)):
        if (x.done > y.done and x.done + x.late >= y.done + y.late) or (x.done == y.done and x.late > y.late):
            assert score(x, rules.scoring) > score(y, rules.scoring)


# ---- the same properties with exemptions and unscored obligations mixed in ------------------

AS_OF_DAY = dt.date(2020, 10, 1)


class FakeBook:
    """What assess.tallies needs of a book: each unit's kind and order."""

    units = {"A": Unit("A", "village"), "B": Unit("B", "village")}

    @staticmethod
    def unit_order(name):
        return "AB".index(name)


def obligation_of(unit, state, past, scored=True):
    due = AS_OF_DAY - dt.timedelta(days=1) if past else AS_OF_DAY + dt.timedelta(days=30)
    return Obligation(task=None, unit=unit, occ=None, due=due, state=State(state), scored=scored)


@st.composite
def two_units_with_exemptions(draw, exempt=("both", "A", "B", "none")):
    """Two units holding the same obligations; some are exempt for both (so both still hold the
    same ones), some for one unit only, and some are not scored; valid weights."""
    rows = draw(st.lists(st.tuples(st.booleans(), st.sampled_from(exempt), st.booleans()), min_size=1, max_size=40))
    obligations = []
    for past, exempt, scored in rows:
        for unit in "AB":
            state = "exempt" if exempt in ("both", unit) else draw(st.sampled_from(PAST if past else FUTURE))
            obligations.append(obligation_of(unit, state, past, scored))
    return obligations, draw(assessments())


@settings(max_examples=400, deadline=None)
@given(two_units_with_exemptions())
def test_exempt_and_unscored_obligations_change_no_score(case):
    """A unit's score is the score of its scored, non-exempt obligations alone."""
    from lanxi_cli.core.assess import tallies

    obligations, rules = case
    counted = [o for o in obligations if o.scored and o.state != "exempt"]
    with_them = {t.unit: score(t, rules.scoring) for t in tallies(FakeBook, obligations, AS_OF_DAY)}
    without = {t.unit: score(t, rules.scoring) for t in tallies(FakeBook, counted, AS_OF_DAY)}
    assert with_them == without
    for t in tallies(FakeBook, obligations, AS_OF_DAY):
        assert t.total == sum(1 for o in counted if o.unit == t.unit)


@settings(max_examples=400, deadline=None)
@given(two_units_with_exemptions(exempt=("both", "none")))
def test_the_order_holds_over_what_both_still_hold(case):
    """Where exemptions leave two units holding the same obligations, the contract's order holds."""
    from lanxi_cli.core.assess import tallies

    obligations, rules = case
    units = tallies(FakeBook, obligations, AS_OF_DAY)
    if len(units) < 2:  # everything exempt or unscored: nothing to rank
        return
    a, b = units
    standing = {s.unit: s.rank for s in rank([a, b], rules)}
    for x, y in ((a, b), (b, a)):
        if x.done > y.done and x.done + x.late >= y.done + y.late:
            assert standing[x.unit] < standing[y.unit]
        if x.done == y.done and x.late > y.late:
            assert standing[x.unit] < standing[y.unit]


# ---- measures: for villages and communities only, and no 末位 alone -----------------------------


def test_measures_go_to_villages_and_communities_only(cli, data_dir):
    """On 12-31 with nothing reported every unit is far behind; only 村（社区） are proposed a measure."""
    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", "2020-12-31", "--format", "json").stdout)
    villages = {r["unit"] for r in rows if r["kind"] in ("village", "community")}
    assert {r["unit"] for r in rows if r["measure"]} == villages
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["禁毒办"]["overdue"] > 8 and by_unit["禁毒办"]["measure"] is None  # the assessor
    assert by_unit["邮政"]["measure"] is None and by_unit["中心校"]["measure"] is None


def test_a_group_of_one_has_no_last_place():
    rules = Assessment(escalation=("提醒", "约谈"), escalate=Escalate(overdue=(5, 9), bottom=3))
    alone = Tally("孤村", "village", overdue=1, open=3, past_due=1)
    [standing] = rank([alone], rules)
    assert (standing.rank, standing.measure, standing.reasons) == (1, None, ())
    other = Tally("邻村", "village", done=1, open=3, past_due=1)
    standings = {s.unit: s for s in rank([alone, other], rules)}
    assert (standings["孤村"].measure, standings["孤村"].reasons) == ("提醒", ("排名末位",))


def test_the_assessor_is_never_proposed_a_measure_whatever_its_kind():
    rules = Assessment(escalation=("提醒",), escalate=Escalate(overdue=(1,), bottom=0))
    office = Tally("办", "village", overdue=3, past_due=3)
    assert rank([office], rules, frozenset({"办"}))[0].measure is None
    assert rank([office], rules)[0].measure == "提醒"


def test_project_rules_are_labelled_in_plan_yaml(data_dir):
    rules = plan_rules(data_dir)
    for key in ("scoring", "lights", "escalate"):
        assert "本项目规则" in rules[key]["basis"], key
    assert rules["escalate"]["kinds"] == ["village", "community"]
