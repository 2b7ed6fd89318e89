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
from scenario import AS_OF, complete_on_time, write_reports

from lanxi_cli.core.assess import Tally, rank, score
from lanxi_cli.core.domain import Assessment, Escalate, Lights, MeasureTaken, Scoring, State, Unit
from lanxi_cli.core.engine import Obligation


def assess_json(cli, data_dir, *extra):
    result = cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def status_units(cli, data_dir):
    result = cli("status", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["unit"]: row for row in json.loads(result.stdout)["units"]}


def scored(cli, data_dir, unit, as_of=AS_OF) -> dict:
    """The unit's scored obligations (by hand, from status --unit): how many in all, and
    those due by the as-of day (due before it, or on it and completed) counted by state."""
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    obs = [ob for ob in json.loads(result.stdout)["obligations"] if ob["scored"] and ob["state"] != "exempt"]
    due = [ob for ob in obs if ob["due"] < as_of or (ob["due"] == as_of and ob["state"] in ("done", "late"))]
    counts = {state: sum(1 for ob in due if ob["state"] == state) for state in ("done", "late", "overdue")}
    return {**counts, "total": len(obs), "due": len(due)}


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
    assert {r["unit"] for r in rows} == set(counts) - {"禁毒办"}  # the assessor is not assessed
    for row in rows:
        assert row["kind"] == counts[row["unit"]]["kind"]
        c = scored(cli, data_dir, row["unit"])
        assert [row[k] for k in ("total", "due", "overdue")] == [c[k] for k in ("total", "due", "overdue")]
        if not c["due"]:
            assert (row["score"], row["rank"], row["rate"], row["on_time_rate"]) == (None, None, None, None)
            continue
        share = 1 - Fraction(c["overdue"], c["due"])
        expected = 100 * (c["done"] + late * c["late"] + bonus * share) / (c["due"] + bonus)
        assert row["score"] == pytest.approx(float(expected), abs=1e-4), row
        assert row["rate"] == pytest.approx((c["done"] + c["late"]) / c["due"], abs=1e-4)
        assert row["on_time_rate"] == pytest.approx(c["done"] / c["due"], abs=1e-4)
    # 6.3 for August is not scored; 10.2 is 禁毒办's (it inspects the village), not the village's at all
    village = next(r for r in rows if r["unit"] == "苏家湖村")
    assert counts["苏家湖村"]["total"] - village["total"] == 1


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
        scores = [r["score"] for r in members if r["score"] is not None]
        assert scores == sorted(scores, reverse=True)
        unranked = [r["rank"] is None for r in members]
        assert unranked == sorted(unranked)  # the unranked (nothing due) after the ranked, never among them
        for row in members:  # competition ranking: 1, 2, 2, 4
            if row["score"] is not None:
                assert row["rank"] == 1 + sum(1 for s in scores if s > row["score"])
    by_unit = {r["unit"]: r for r in groups["villages"]}
    # 2 on time > 1 on time + 1 late > 1 on time > 1 late > nothing
    order = ["苏家湖村", "黄湖村", "枫林社区", "罗湖村"]
    assert [by_unit[u]["rank"] for u in order] == [1, 2, 3, 4]
    # a progress report and a report after the as-of day complete nothing
    assert by_unit["北岸新村"]["rank"] == by_unit["千家洲村"]["rank"] == by_unit["三河口村"]["rank"] == 5
    assert groups["departments"][0]["unit"] == "中心校"
    assert all(r["rank"] is None for r in groups["departments"][1:])  # nothing scored due by 09-15 there


def test_lights_and_measures_follow_plan_thresholds(cli, data_dir):
    write_reports(data_dir)
    rules = plan_rules(data_dir)
    rows = assess_json(cli, data_dir)
    red_above = Fraction(str(rules["lights"]["red_above"]))
    for row in rows:
        share = Fraction(row["overdue"], row["due"]) if row["due"] else Fraction(0)
        want = "green" if not row["overdue"] else "red" if share > red_above else "yellow"
        assert row["light"] == want, row
        if row["overdue"] == 0:
            assert row["measure"] is None
    # configurable: raise red out of reach, make the mildest measure start at any share overdue
    edit_assessment(data_dir, lights={"red_above": 0.99},
                    escalate={"overdue_share": [0.01, 0.5, 0.6, 0.7], "bottom": 0})
    rows = assess_json(cli, data_dir)
    mildest = rules["escalation"][0]
    assert {r["light"] for r in rows if r["overdue"] and r["overdue"] < r["due"]} == {"yellow"}
    assert {r["measure"] for r in rows if r["overdue"]} == {mildest}
    assert all(r["measure"] is None for r in rows if not r["overdue"])


def test_bottom_places_get_at_least_the_mildest_measure(cli, data_dir):
    write_reports(data_dir)
    edit_assessment(data_dir, escalate={"overdue_share": [0.99, 0.991, 0.992, 0.993], "bottom": 3})
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
    """Valid scoring weights: a late completion worth less than one on time, any
    punctuality weight the plan's schema allows (over the obligations due, the
    order needs no more)."""
    late = draw(st.floats(0.01, 0.99))
    punctual = draw(st.floats(0, 0.499))
    return Assessment(scoring=Scoring(late=late, punctual=punctual))


def tally_of(name, states, as_of=None):
    """A unit's tally from its obligations' states, past ones due the day before the as-of day."""
    out = Tally(name, "village")
    for past, state in states:
        out.add(obligation_of(name, state, past), as_of or AS_OF_DAY)
    return out


@st.composite
def two_units(draw):
    """Two units holding the same obligations, with independent outcomes, and valid weights."""
    dues = draw(st.lists(st.booleans(), min_size=1, max_size=60))  # True: due before the as-of day
    units = [tally_of(name, [(past, draw(st.sampled_from(PAST if past else FUTURE))) for past in dues])
             for name in "AB"]
    return units, draw(assessments())


def assert_order(x, y, standing):
    """The contract's order over the obligations due: more on time with no fewer in
    all ranks strictly higher, and so does more late at equal on time."""
    if x.scored_done > y.scored_done and x.scored_done + x.scored_late >= y.scored_done + y.scored_late:
        assert standing[x.unit] < standing[y.unit]
    if x.scored_done == y.scored_done and x.scored_late > y.scored_late:
        assert standing[x.unit] < standing[y.unit]


@settings(max_examples=600, deadline=None)
@given(two_units())
def test_more_on_time_or_more_late_ranks_strictly_higher(case):
    (a, b), rules = case
    standing = {s.unit: s.rank for s in rank([a, b], rules)}
    for x, y in ((a, b), (b, a)):
        assert_order(x, y, standing)
    if (a.scored_done, a.scored_late, a.overdue) == (b.scored_done, b.scored_late, b.overdue):
        assert standing["A"] == standing["B"]
    for t in (a, b):  # everything due done on time: 100, whatever is still to come
        if t.scored_due and t.scored_done == t.scored_due:
            assert score(t, rules.scoring) == 100
        if not t.scored_due:
            assert standing[t.unit] is None and score(t, rules.scoring) is None


@settings(max_examples=200, deadline=None)
@given(two_units())
def test_shipped_weights_keep_the_order(case):
    """The same properties with the weights plan.yaml ships."""
    from pathlib import Path

    shipped = yaml.safe_load((Path(__file__).parent.parent / "data" / "plan.yaml").read_text(encoding="utf-8"))
    rules = Assessment(scoring=Scoring(**shipped["assessment"]["scoring"]))
    (a, b), _ = case
    standing = {s.unit: s.rank for s in rank([a, b], rules)}
    for x, y in ((a, b), (b, a)):
        assert_order(x, y, standing)


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
        assert_order(x, y, standing)


# ---- measures: for villages and communities only, and no 末位 alone -----------------------------


def test_measures_go_to_villages_and_communities_only(cli, data_dir):
    """On 12-31 with nothing reported every unit is far behind; only 村（社区） are proposed a measure,
    and the assessor is not in the list at all."""
    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", "2020-12-31", "--format", "json").stdout)
    villages = {r["unit"] for r in rows if r["kind"] in ("village", "community")}
    assert {r["unit"] for r in rows if r["measure"]} == villages
    by_unit = {r["unit"]: r for r in rows}
    assert "禁毒办" not in by_unit
    assert by_unit["邮政"]["measure"] is None and by_unit["中心校"]["measure"] is None


VILLAGE_RULES = Assessment(escalation=("提醒", "约谈", "述职", "通报"), escalate=Escalate(bottom=3))


def test_a_group_of_one_has_no_last_place():
    rules = Assessment(escalation=("提醒", "约谈"), escalate=Escalate(overdue_share=(0.9, 0.95), bottom=3))
    alone = tally_of("孤村", [(True, "overdue"), (True, "done"), (True, "done"), (False, "open")])
    [standing] = rank([alone], rules)
    assert (standing.rank, standing.measure, standing.reasons) == (1, None, ())
    other = tally_of("邻村", [(True, "done"), (True, "done"), (True, "done"), (False, "open")])
    standings = {s.unit: s for s in rank([alone, other], rules)}
    assert (standings["孤村"].measure, standings["孤村"].reasons) == ("提醒", ("排名末位",))


def measure(unit, kind, day):
    return MeasureTaken(unit=unit, kind=kind, date=dt.date.fromisoformat(day), file=f"data/measures/{unit}-{day}.yaml")


def test_a_measure_is_at_most_one_step_above_the_last_recorded():
    """Everything due overdue reaches 通报 by share; with nothing recorded 提醒 is the most, after a
    提醒 約谈, and a measure recorded after the as-of day does not count yet."""
    from lanxi_cli.core.assess import last_measures

    behind = tally_of("甲村", [(True, "overdue")] * 5)
    assert behind.overdue == behind.scored_due == 5

    def proposed(*taken, as_of=AS_OF_DAY):
        [s] = rank([behind], VILLAGE_RULES, last_measures(taken, as_of))
        return s.measure, s.held, s.reasons[-1]

    assert proposed() == ("提醒", True, "尚未记录已采取的督办措施，本次至多提请提醒")
    assert proposed(measure("甲村", "提醒", "2020-09-10"))[:2] == ("约谈", True)
    assert proposed(measure("甲村", "提醒", "2020-09-10"), measure("甲村", "约谈", "2020-09-20"))[:2] == ("述职", True)
    assert proposed(measure("甲村", "述职", "2020-09-20"))[:2] == ("通报", False)
    assert proposed(measure("甲村", "提醒", "2020-10-02"))[:2] == ("提醒", True)  # recorded after the as-of day
    assert proposed(measure("乙村", "述职", "2020-09-20"))[:2] == ("提醒", True)  # another unit's


def test_thresholds_are_shares_of_what_is_due():
    """20/40/60/80% of the scored obligations due; a unit far along with one item overdue of ten
    is reminded no more than one with nothing overdue is (both below 20%)."""
    taken = {"甲村": measure("甲村", "述职", "2020-09-20")}  # a ceiling out of the way
    cases = {1: None, 2: "提醒", 4: "约谈", 6: "述职", 8: "通报", 10: "通报"}
    for overdue, want in cases.items():
        t = tally_of("甲村", [(True, "overdue")] * overdue + [(True, "done")] * (10 - overdue))
        [s] = rank([t], Assessment(escalation=VILLAGE_RULES.escalation, escalate=Escalate(bottom=0)), taken)
        assert s.measure == want, overdue
        assert s.light == ("yellow" if overdue <= 2 else "red")


def test_lights_by_share_and_green_with_nothing_overdue():
    rules = Assessment(lights=Lights(red_above=0.2))
    for states, want in (([(True, "done")] * 5, "green"), ([(False, "open")], "green"),
                         ([(True, "overdue")] + [(True, "done")] * 4, "yellow"),
                         ([(True, "overdue")] * 2 + [(True, "done")] * 3, "red")):
        [s] = rank([tally_of("甲村", states)], rules)
        assert s.light == want, states


def test_the_assessor_is_never_assessed(cli, data_dir):
    """禁毒办 holds scored obligations of its own, yet is not in assess, its rows stay in status."""
    rows = assess_json(cli, data_dir, "--as-of", "2020-12-31")
    assert "禁毒办" not in {r["unit"] for r in rows}
    assert "禁毒办" in status_units(cli, data_dir)


def test_project_rules_are_labelled_in_plan_yaml(data_dir):
    rules = plan_rules(data_dir)
    for key in ("scoring", "lights", "escalate"):
        assert "本项目规则" in rules[key]["basis"], key
    assert rules["escalate"]["kinds"] == ["village", "community"]


# ---- hand-worked cases from issue 22, on the shipped plan ------------------------------------


def test_a_perfect_village_scores_100_on_any_day(cli, data_dir):
    """苏家湖村 completes every scored obligation due by 09-30 on its day: 100 points and the first
    place on 09-30 (where it once scored 50.82, divided by what was not yet due), and on 09-15 too;
    and nothing overdue, so neither a light nor a measure."""
    assert complete_on_time(cli, data_dir, "苏家湖村", "2020-09-30") == 15
    for day in ("2020-09-15", "2020-09-30"):
        row = next(r for r in assess_json(cli, data_dir, "--as-of", day) if r["unit"] == "苏家湖村")
        assert (row["score"], row["rank"], row["rate"], row["on_time_rate"]) == (100, 1, 1, 1), day
        assert (row["light"], row["measure"], row["overdue"]) == ("green", None, 0)


def test_on_09_04_villages_are_reminded_not_called_to_report(cli, data_dir):
    """09-04, nothing reported: each village owes 7 scored items due 09-03, all overdue (100%, past
    the 80% of 通报), yet with no measure recorded the most proposed is 提醒, and assess says why.
    Once 提醒 is recorded for 苏家湖村, 约谈 is the most for it alone."""
    rows = [r for r in assess_json(cli, data_dir, "--as-of", "2020-09-04") if r["group"] == "villages"]
    assert len(rows) == 23
    assert {(r["due"], r["overdue"], r["measure"], r["held"]) for r in rows} == {(7, 7, "提醒", True)}
    table = cli("assess", "--data", str(data_dir), "--as-of", "2020-09-04").stdout
    assert "提醒*" in table and "尚无记录时最多提请提醒" in table.replace("\n", "")
    recorded = cli("measure", "record", "--unit", "苏家湖", "--kind", "提醒", "--date", "2020-09-04",
                   "--data", str(data_dir), "--as-of", "2020-09-04", "--no-commit")
    assert recorded.exit_code == 0, recorded.output
    rows = {r["unit"]: r for r in assess_json(cli, data_dir, "--as-of", "2020-09-04")}
    assert rows["苏家湖村"]["measure"] == "约谈" and rows["苏家湖村"]["last_measure"]["kind"] == "提醒"
    assert rows["黄湖村"]["measure"] == "提醒"
    before = {r["unit"]: r for r in assess_json(cli, data_dir, "--as-of", "2020-09-03")}
    assert before["苏家湖村"]["last_measure"] is None  # a measure counts from its date
