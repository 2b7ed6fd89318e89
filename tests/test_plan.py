"""The encoding of the 2020 plan: every task, unit and group, checked against the source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lanxi_cli.io import load, locate

SOURCE = Path(__file__).resolve().parents[1] / "data" / "source" / "plan-notice-2020.txt"
VILLAGES = (
    "苏家湖村 黄湖村 罗湖村 北岸新村 千家洲村 双港子村 莲花塘村 三岔堤村 港湾村 金石村 双枫树村 "
    "新沙村 龙荣村 四门闸村 金河村 新月村 鄢家垸村 羊角村 沙岭村 槐花新村 金鸡山村 三河口村 枫林社区"
).split()
DEPARTMENTS = "禁毒办 中心校 文化综合服务站 兰溪派出所 社会治安和应急管理办 党建办 司法所 镇妇联 市场监管所".split()

# id: (category, deadline wording, lead, responsible units as written)
EXPECTED = {
    "1.1": ("组织领导", "9月03日前", "禁毒办", ["各村、社区"]),
    "1.2": ("组织领导", "9月03日前", "禁毒办", ["各村、社区"]),
    "1.3": ("组织领导", "每月25日前", "禁毒办", ["各村、社区"]),
    "1.4": ("组织领导", "每月25日前", "禁毒办", ["各村、社区"]),
    "2.1": ("重点人群毒品预防教育", "09月03日前", "禁毒办", ["各村、社区"]),
    "2.2": ("重点人群毒品预防教育", "09月03日前", "禁毒办", ["各村、社区"]),
    "2.3": ("重点人群毒品预防教育", "09月03日前", "禁毒办", ["各村、社区"]),
    "3.1": ("在校学生毒品预防教育", "10月30日前", "中心校", ["各村、社区"]),
    "3.2": ("在校学生毒品预防教育", "10月30日前", "中心校", ["各村、社区"]),
    "3.3": ("在校学生毒品预防教育", "10月30日前", "禁毒办", ["各村、社区"]),
    "4.1": ("重点场所禁毒宣传教育", "09月03日前", "文化综合服务站", ["各村、社区"]),
    "4.2": ("重点场所禁毒宣传教育", "09月03日前", "禁毒办", ["各村、社区"]),
    "5.1": ("重点行业禁毒宣传教育", "10月25日前", "兰溪派出所", ["各村、社区"]),
    "5.2": ("重点行业禁毒宣传教育", "10月25日前", "邮政", ["各村、社区"]),
    "5.3": ("重点行业禁毒宣传教育", "10月25日前", "社会治安和应急管理办", ["各村、社区"]),
    "5.4": ("重点行业禁毒宣传教育", "9月25日前", "禁毒办", ["各村、社区"]),
    "6.1": ("重点地域单位禁毒宣传教育", "8月至12月底", "禁毒办", ["镇属各部门", "各村、社区"]),
    "6.2": ("重点地域单位禁毒宣传教育", "8月至12月底", "禁毒办", ["兰溪派出所", "司法所"]),
    "6.3": ("重点地域单位禁毒宣传教育", "8月至12月底", "党建办", ["镇属各部门", "各村、社区"]),
    "7.1": ("媒体禁毒宣传", "12月15日前", "禁毒办", ["各村、社区"]),
    "7.2": ("媒体禁毒宣传", "12月15日前", "禁毒办", ["各村、社区"]),
    "7.3": ("媒体禁毒宣传", "10月1日前", "禁毒办", ["各村、社区"]),
    "8.1": ("联动禁毒宣传", "每月25日前", "禁毒办", ["各村、社区"]),
    "8.2": ("联动禁毒宣传", "9月15日前", "禁毒协会", ["镇妇联", "邮政", "市场监管所", "各村、社区"]),
    "9.1": ("禁毒宣传基础保障", "12月20日前", "禁毒办", ["各村、社区"]),
    "9.2": ("禁毒宣传基础保障", "每月30日前", "禁毒办", []),
    "9.3": ("禁毒宣传基础保障", "10月30日前", "禁毒办", ["各村、社区"]),
    "10.1": ("督导检查", "12月30日前", "禁毒办", []),
    "10.2": ("督导检查", "11月30日前", "禁毒办", ["各村、社区"]),
}


@pytest.fixture(scope="module")
def book():
    return load.load_book(locate.find_data_dir("data"))


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_plan_has_29_tasks_in_contract_order(book):
    assert [t.id for t in book.tasks] == list(EXPECTED)


@pytest.mark.parametrize("task_id", list(EXPECTED))
def test_each_task_reads_as_the_table_says(book, task_id):
    category, deadline, lead, units = EXPECTED[task_id]
    task = book.task_by_id[task_id]
    assert task.category == category
    assert task.deadline_text == deadline
    assert book.lead(task) == lead
    assert [book.canonical(u) or u for u in task.units] == [book.canonical(u) or u for u in units]


def test_texts_and_wordings_are_verbatim_from_the_source(book, source):
    flat = squeeze(source)
    for task in book.tasks:
        assert squeeze(task.text) in flat, task.id
        assert squeeze(task.category) in flat, task.id
        assert f"\t{task.deadline_text}\n" in source, task.id
        assert not re.match(r"^\d+、", task.text), f"{task.id} keeps its item number"
    for section in (book.plan.goals.text, book.plan.organisation.text, book.plan.assessment.text,
                    *(p.text for p in book.plan.phases), *(r.text for r in book.plan.requirements)):
        assert squeeze(section) in flat


def test_groups_expand_to_villages_and_departments(book):
    assert list(book.group("各村、社区")) == VILLAGES
    assert book.group("各村（社区）") == book.group("各村、社区")
    assert list(book.group("镇属各部门")) == DEPARTMENTS
    assert {book.units[n].kind for n in ("邮政", "禁毒协会")} == {"other"}


def test_units_holding_each_task(book):
    units = {t.id: book.task_units(t) for t in book.tasks}
    assert units["1.1"] == tuple(VILLAGES)
    assert set(units["6.1"]) == set(VILLAGES) | set(DEPARTMENTS)
    assert units["6.2"] == ("兰溪派出所", "司法所")
    assert units["9.2"] == units["10.1"] == ("禁毒办",)  # blank cell: the lead itself
    assert set(units["7.1"]) == set(VILLAGES) | {"禁毒办"}  # 禁毒办 has a target of its own
    assert set(units["7.3"]) == set(VILLAGES) | {"禁毒办"}  # ...and here: 镇禁毒办至少完成一个作品
    assert set(units["8.2"]) == set(VILLAGES) | {"镇妇联", "邮政", "市场监管所"}


def test_readings_the_issue_prescribes(book):
    dues = {t.id: [o.due.isoformat() for o in book.occurrences(t)] for t in book.tasks}
    assert dues["1.3"] == ["2020-09-25"]
    assert "方案印发（2020年9月1日）后的第一个25日" in book.task_by_id["1.3"].note
    assert dues["1.4"] == dues["8.1"] == ["2020-09-25", "2020-10-25", "2020-11-25", "2020-12-25"]
    assert dues["9.2"] == ["2020-09-30", "2020-10-30", "2020-11-30", "2020-12-30"]
    assert dues["3.3"] == ["2020-09-30"]
    assert dues["6.1"] == dues["6.2"] == ["2020-12-31"]
    assert dues["6.3"] == ["2020-08-31", "2020-09-30", "2020-10-31", "2020-11-30", "2020-12-31"]
    assert dues["9.1"] == ["2020-09-30", "2020-12-20"]
    assert dues["10.1"] == ["2020-09-30", "2020-12-30"]
    assert dues["10.2"] == ["2020-08-30", "2020-11-30"]
    assert [o.count for o in book.occurrences(book.task_by_id["10.2"])] == [1, 2]


def test_targets(book):
    task = book.task_by_id
    for tid in ("5.1", "5.2", "5.3"):
        assert book.target(task[tid], "苏家湖村").count == 3
    assert book.target(task["7.1"], "禁毒办").count == 3
    assert [(p.name, p.count) for p in book.target(task["7.1"], "禁毒办").parts] == [("中央省级", 1), ("省内其他", 2)]
    assert book.target(task["7.3"], "禁毒办").count == 1 and book.target(task["7.3"], "苏家湖村") is None
    assert book.target(task["7.1"], "枫林社区").count == 1
    assert book.target(task["6.3"], "党建办").count == 4
    assert book.target(task["2.3"], "金石村").rate == book.target(task["3.1"], "金石村").rate == 1.0


def test_judgements_carry_notes(book):
    judged = ("1.3", "1.4", "2.2", "3.1", "3.3", "6.1", "6.3", "7.1", "7.3", "8.1", "8.2", "9.1", "9.2", "10.1", "10.2")
    for tid in judged:
        assert book.task_by_id[tid].note, tid


def test_plan_facts(book):
    plan = book.plan
    assert (plan.issued.isoformat(), plan.campaign.start.isoformat(), plan.campaign.end.isoformat()) == (
        "2020-09-01", "2020-08-01", "2020-12-31")
    assert [m.direction for m in plan.goals.measures].count("rise") == 6
    assert [m.direction for m in plan.goals.measures].count("fall") == 3
    assert plan.organisation.leader.name == "颜胜" and plan.organisation.office.director.name == "孙军"
    assert len(plan.organisation.task_forces) == 4
    assert [p.name for p in plan.phases] == ["部署发动阶段", "全面推进阶段", "巩固总结阶段"]
    assert set(plan.assessment.escalation) == {"约谈", "提醒", "述职", "通报"}
    assert plan.progress_reports.days == (10, 20, 30)
    assert "渔场" in plan.units_source.note and "五七学校" in plan.units_source.note
    assert plan.units_source.title == "赫山区兰溪镇国土空间规划(2021-2035年)" and plan.units_source.base_year == 2020
    assert (plan.organisation.office.name, plan.organisation.office.director.title) == (
        "专项行动办公室", "专项行动办公室主任")  # 由镇禁毒办孙军任（专项行动办公室）主任
    assert plan.progress_reports.start == plan.issued  # the 旬报 rule begins with the notice


def test_units_json_lists_every_unit(cli):
    result = cli("units", "--data", "data", "--format", "json")
    assert result.exit_code == 0
    units = json.loads(result.stdout)
    names = [u["name"] for u in units]
    assert names[:23] == VILLAGES
    assert set(DEPARTMENTS) | {"邮政", "禁毒协会"} <= set(names)
    kinds = {u["name"]: u["kind"] for u in units}
    assert kinds["枫林社区"] == "community" and kinds["苏家湖村"] == "village"
    aliases = {u["name"]: u["aliases"] for u in units}
    assert "派出所" in aliases["兰溪派出所"] and "镇禁毒办" in aliases["禁毒办"]
    assert "兰溪禁毒协会" in aliases["禁毒协会"]
    assert all(set(u) >= {"name", "kind", "aliases"} for u in units)


def test_units_table_at_80_columns(cli):
    from rich.cells import cell_len

    result = cli("units", "--data", "data")
    assert result.exit_code == 0
    assert all(cell_len(line) <= 80 for line in result.stdout.splitlines())
    assert "兰溪派出所" in result.stdout and "派出所" in result.stdout


def test_7_1_parts_and_7_3_read_as_the_source_says(book, source):
    """The targets of 7.1 and 7.3 against the notice's own words."""
    flat = squeeze(source)
    t71, t73 = book.task_by_id["7.1"], book.task_by_id["7.3"]
    # 7.1: 兰溪镇 (禁毒办) 1 in central or provincial mainstream media, 2 in other provincial media;
    # each village and community 1 in the online media.
    assert "兰溪镇要求完成以上任何一个媒体中1篇上稿任务" in t71.text
    assert "兰溪镇要求完成以上媒体2篇上稿任务" in squeeze(t71.text)
    assert "各村、社区要求完成以上媒体1篇上稿任务" in t71.text
    central, provincial = book.target(t71, "禁毒办").parts
    assert (central.name, central.count) == ("中央省级", 1) and "中央媒体" in central.what
    assert (provincial.name, provincial.count) == ("省内其他", 2) and "省内其他主要媒体" in provincial.what
    for words in ("中央媒体（含新华社", "省级主流媒体（含湖南卫视", "省内其他主要媒体(含湖南经视"):
        assert words in t71.text and squeeze(words) in flat
    assert book.target(t71, "禁毒办").count == central.count + provincial.count == 3
    assert book.target(t71, "黄湖村").count == 1 and not book.target(t71, "黄湖村").parts
    # 7.3: 镇禁毒办至少完成一个作品展播任务
    assert "镇禁毒办至少完成一个作品展播任务" in t73.text and squeeze(t73.text) in flat
    assert book.target(t73, "禁毒办").count == 1
    assert "镇禁毒办至少完成一个作品展播任务" in t73.note and "未单列" not in t73.note


def test_what_is_scored(book):
    assert [t.id for t in book.tasks if not t.scored] == ["10.2"]
    unscored = [(t.id, o.label) for t in book.tasks for o in book.occurrences(t) if not book.scored(t, o)]
    assert unscored == [("6.3", "2020-08"), ("10.2", "第1次"), ("10.2", "第2次")]


def test_every_task_has_a_short_name_a_liaison_reads_beside_its_id(book):
    from lanxi_cli.core.domain import task_label

    shorts = {t.id: t.short for t in book.tasks}
    assert all(1 < len(s) <= 10 for s in shorts.values()), shorts
    assert len(set(shorts.values())) == 29  # no two tasks read alike
    assert not any(t.short_pending for t in book.tasks)  # written by hand, not proposed
    assert task_label(book.task_by_id["1.1"]) == "1.1 制定方案"
    assert task_label(book.task_by_id["10.2"]) == "10.2 督导各村"


@pytest.mark.parametrize(("short", "message"), [
    ("一二三四五六七八九十一", "至多 10 个字"),
    (" 制定方案", "首尾空格"),
])
def test_check_refuses_a_short_name_too_long_or_untidy(cli, data_dir, short, message):
    text = (data_dir / "tasks.yaml").read_text(encoding="utf-8")
    (data_dir / "tasks.yaml").write_text(text.replace("short: 制定方案", f"short: '{short}'"), encoding="utf-8")
    line = text[: text.index("short: 制定方案")].count("\n") + 1
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert f"tasks.yaml:{line}:" in result.output and message in result.output


def test_a_task_without_a_short_name_is_labelled_by_its_id(book):
    from dataclasses import replace

    from lanxi_cli.core.domain import task_label

    assert task_label(replace(book.task_by_id["1.1"], short="")) == "1.1"
