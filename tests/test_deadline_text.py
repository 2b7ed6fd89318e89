"""Deadline wording → structured rules (core.deadline_text), and the table's
cells (core.task_table): every form the issue lists, and what stays 待核实."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanxi_cli.core import deadline_text, task_table
from lanxi_cli.core.calendar import occurrences
from lanxi_cli.core.domain import Deadline, Milestone, Span

D = dt.date
CTX = deadline_text.Context(2020, D(2020, 8, 1), D(2020, 12, 31), D(2020, 9, 1))


def read(wording: str, text: str = "", ctx=CTX) -> Deadline:
    return deadline_text.read(wording, text, ctx).deadline


@pytest.mark.parametrize(("wording", "text", "rule"), [
    ("9月03日前", "", Deadline(rule="once", due=D(2020, 9, 3))),
    ("９月３日前", "", Deadline(rule="once", due=D(2020, 9, 3))),
    ("九月三日前", "", Deadline(rule="once", due=D(2020, 9, 3))),
    ("2020年11月15日前", "", Deadline(rule="once", due=D(2020, 11, 15))),
    ("2020-11-15", "", Deadline(rule="once", due=D(2020, 11, 15))),
    ("12月底前", "", Deadline(rule="once", due=D(2020, 12, 31))),
    ("十一月底", "", Deadline(rule="once", due=D(2020, 11, 30))),
    ("年底前", "", Deadline(rule="once", due=D(2020, 12, 31))),
    ("每月25日前", "每月定期召开调度会", Deadline(rule="monthly", day=25, first="2020-09", last="2020-12")),
    ("每月底前", "每月报送台账", Deadline(rule="monthly", day=31, first="2020-09", last="2020-12")),
    ("9月至12月每月10日前", "每月报送", Deadline(rule="monthly", day=10, first="2020-09", last="2020-12")),
    ("每季度末", "", Deadline(rule="quarterly", first="2020-Q3", last="2020-Q4")),
    ("每季度第一个月10日前", "", Deadline(rule="quarterly", first="2020-Q4", last="2020-Q4",
                                          dues={"2020-Q4": D(2020, 10, 10)})),
    ("每季度第3个月20日前", "", Deadline(rule="quarterly", first="2020-Q3", last="2020-Q4",
                                        dues={"2020-Q3": D(2020, 9, 20), "2020-Q4": D(2020, 12, 20)})),
    ("8月至12月底", "", Deadline(rule="window", start=D(2020, 8, 1), end=D(2020, 12, 31))),
    ("9月-11月", "", Deadline(rule="window", start=D(2020, 9, 1), end=D(2020, 11, 30))),
    ("8月至12月底", "每月要发布信息4条以上", Deadline(rule="monthly", day=31, first="2020-08", last="2020-12")),
    ("长期坚持", "", Deadline(rule="window", start=D(2020, 8, 1), end=D(2020, 12, 31))),
    ("9月30日前和11月30日前各一次", "", Deadline(rule="milestones", points=(
        Milestone(D(2020, 9, 30), 1), Milestone(D(2020, 11, 30), 2)))),
    ("9月底、12月底各一次", "", Deadline(rule="milestones", points=(
        Milestone(D(2020, 9, 30), 1), Milestone(D(2020, 12, 31), 2)))),
    ("12月20日前", "每个季度组织开展1次专题培训", Deadline(rule="quarterly", first="2020-Q3", last="2020-Q4",
                                                     dues={"2020-Q4": D(2020, 12, 20)})),
])
def test_each_form_is_read_into_its_rule(wording, text, rule):
    reading = deadline_text.read(wording, text, CTX)
    assert reading.deadline == rule
    assert not reading.pending


@pytest.mark.parametrize(("wording", "text", "guess", "why"), [
    ("", "", Deadline(rule="once", due=D(2020, 12, 31)), "完成时限空白"),
    ("及时", "", Deadline(rule="once", due=D(2020, 12, 31)), "无法自动识别完成时限“及时”"),
    ("2月30日前", "", Deadline(rule="once", due=D(2020, 12, 31)), "无法自动识别"),
    ("10月前", "", Deadline(rule="once", due=D(2020, 10, 31)), "只写了月份"),
    # the wording says 每月 but the text does not: 兰溪 1.3 is a meeting held once
    ("每月25日前", "召开专项行动动员部署会", Deadline(rule="monthly", day=25, first="2020-09", last="2020-12"),
     "任务内容却未写明每月都做"),
    # the text names its own date (兰溪 3.3, 10.2)
    ("10月30日前", "将禁毒知识纳入高中新生培训（要求9月30日前完成）", Deadline(rule="once", due=D(2020, 10, 30)),
     "任务内容另写有日期（2020-09-30）"),
    ("11月30日前", "每月报送", Deadline(rule="once", due=D(2020, 11, 30)), "任务内容写有“每月”"),
])
def test_what_cannot_be_read_for_sure_is_pending_with_the_wording_and_a_note(wording, text, guess, why):
    reading = deadline_text.read(wording, text, CTX)
    assert reading.pending
    assert reading.deadline == Deadline(**{**_fields(guess), "pending": True})
    assert reading.note.startswith("待核实：") and why in reading.note


def _fields(rule: Deadline) -> dict:
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


def test_a_date_before_the_campaign_rolls_into_the_next_year_when_the_campaign_spans_it():
    ctx = deadline_text.Context(2020, D(2020, 11, 1), D(2021, 3, 31), D(2020, 11, 1))
    assert read("1月15日前", ctx=ctx) == Deadline(rule="once", due=D(2021, 1, 15))
    assert read("12月15日前", ctx=ctx) == Deadline(rule="once", due=D(2020, 12, 15))


def test_recurrences_start_with_the_notice_and_end_with_the_campaign():
    ctx = deadline_text.Context(2020, D(2020, 8, 1), D(2020, 11, 15), D(2020, 9, 28))
    # 09-25 is before the notice; 11-25 after the campaign
    assert read("每月25日前", "每月调度", ctx) == Deadline(rule="monthly", day=25, first="2020-10", last="2020-10")


# ---- the table's cells ------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("镇属各部门、各村、社区", ["镇属各部门", "各村、社区"]),
    ("镇妇联、邮政、市场监管所、各村、社区", ["镇妇联", "邮政", "市场监管所", "各村、社区"]),
    ("兰溪派出所\n司法所", ["兰溪派出所", "司法所"]),
    ("各街道、区直各部门", ["各街道", "区直各部门"]),
    ("区教育局，区卫健局；各街道", ["区教育局", "区卫健局", "各街道"]),
    ("", []),
])
def test_unit_cells_split_into_names_as_written(cell, names):
    assert task_table.split_units(cell) == names


@pytest.mark.parametrize(("text", "kept"), [
    ("1、结合本镇实际制定方案。", "结合本镇实际制定方案。"),
    ("12. 对禁毒工作督导检查。", "对禁毒工作督导检查。"),
    ("（3）组织培训。", "组织培训。"),
    ("二、召开会议。", "召开会议。"),
    ("1.5万份宣传资料发放到户。", "1.5万份宣传资料发放到户。"),
    ("2020年全面完成。", "2020年全面完成。"),
])
def test_item_numbers_are_dropped_and_nothing_else(text, kept):
    assert task_table.strip_item_number(text) == kept


def test_group_names_and_kinds():
    assert task_table.group_kinds("各村（社区）") == ("village", "community")
    assert task_table.group_kinds("镇属各部门") == ("department",)
    assert task_table.group_kinds("区直各部门") == ("department",)
    assert task_table.group_kinds("各街道") == ()
    assert task_table.group_kinds("司法所") is None


def test_a_name_with_the_town_in_front_is_the_same_unit():
    rows = [
        task_table.Row("r1", {"text": "甲", "lead": "派出所", "units": "兰溪派出所、镇禁毒办"}),
        task_table.Row("r2", {"text": "乙", "lead": "禁毒办", "units": ""}),
    ]
    plan = task_table.draft(rows, task_table.Options(town="兰溪镇", year=2020))
    units = {u.name: u.aliases for u in plan.units}
    assert units == {"兰溪派出所": ["派出所"], "镇禁毒办": ["禁毒办"]}


# ---- any wording gives a rule that the campaign holds ---------------------------------------------------

WORDS = st.sampled_from(["每月", "每季度", "第", "个月", "月", "日", "前", "底", "至", "和", "、", "各一次", "年",
                         "长期坚持", "上旬", "末", "2021", "2020", "1", "2", "3", "10", "12", "15", "25", "30", "31",
                         "32", "0", "十", "二", "及时", " "])


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=8).map("".join), st.lists(WORDS, max_size=6).map("".join))
def test_any_wording_gives_a_rule_inside_the_campaign_or_a_pending_one(wording, text):
    rows = [task_table.Row("r1", {"text": "任务" + text, "deadline": wording, "lead": "办公室"})]
    plan = task_table.draft(rows, task_table.Options(town="某镇", year=2020))
    [task] = plan.tasks
    start, end = plan.campaign
    assert occurrences(task.deadline, Span(start, end))  # never raises: the Book accepts it
    assert task.deadline_text == wording.strip()
    if task.pending:
        assert "待核实" in task.note
