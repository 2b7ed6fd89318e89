"""The table layout: lines fit, follow 避头尾, never split a name, and the task text takes the spare width."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from lanxi_cli.render.grid import CLOSING, OPENING, Column, Grid, render, wrap

HAN = st.sampled_from("各村社区镇属部门要开展禁毒专题学习组织大讨论查摆本地问题")
CLOSE = st.sampled_from("、。，；：？！）」》”)")
OPEN = st.sampled_from("（「《“(")
WORD = st.text(alphabet="abcdefghij0123456789.-,:", min_size=1, max_size=6)
# Text as it is written: a closing mark follows a character, an opening mark precedes one.
TOKEN = st.one_of(HAN, HAN, st.tuples(HAN, CLOSE).map("".join), st.tuples(OPEN, HAN).map("".join), WORD,
                  st.just(" "))
TEXT = st.lists(TOKEN, min_size=1, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, width=st.integers(min_value=8, max_value=60))
def test_wrapped_lines_fit_and_follow_the_line_breaking_rules(text, width):
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    for before, line in zip(lines, lines[1:], strict=False):
        assert line[:1] not in CLOSING, (before, line)  # 避头: no closing mark starts a line
        assert before.rstrip()[-1:] not in OPENING, (before, line)  # 避尾: no opening mark ends one
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added


def test_numbers_dates_and_ids_are_never_split():
    lines = wrap("完成率达0.85以上，截至2020-09-03前，任务5.1", 12)
    assert lines == ["完成率达0.85", "以上，截至", "2020-09-03", "前，任务5.1"]
    assert wrap("完成第1次(其中8月30日前)。", 12) == ["完成第1次(其", "中8月30日", "前)。"]


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.sampled_from(["苏家湖村", "社会治安和应急管理办", "枫林社区", "镇属各部门全部", "邮政"]),
                      min_size=1, max_size=12), width=st.integers(min_value=20, max_value=50))
def test_a_list_of_names_breaks_between_names_only(names, width):
    lines = wrap("、".join(names), width, words=True)
    assert [name for line in lines for name in line.split("、") if name] == names


def test_file_names_stay_whole():
    files = "2020-09-20-苏家湖村-5.1-3fa2c1.yaml 2020-09-21-黄湖村-1.4-972250.yaml"
    assert wrap(files, 40, words=True) == ["2020-09-20-苏家湖村-5.1-3fa2c1.yaml", "2020-09-21-黄湖村-1.4-972250.yaml"]


@pytest.mark.parametrize("width", [60, 80, 120, 160])
def test_the_task_text_takes_the_spare_width(width):
    text = "结合全省娱乐服务场所毒黄赌问题专项整治行动，深化娱乐服务场所禁毒宣传教育，固化从业人员资质审查。" * 2
    grid = Grid([Column("编号"), Column("任务", wrap=True, grow=True), Column("牵头", wrap=True), Column("截止")])
    grid.add("4.1", text, "文化综合服务站", "2020-09-03")
    grid.add("4.2", "短", "禁毒办", "2020-09-03")
    lines = render(grid, width).splitlines()
    assert max(cell_len(line) for line in lines) <= width
    task, lead = grid.columns[1].width, grid.columns[2].width
    assert lead == cell_len("文化综合服务站")  # the narrow column whole …
    assert task == width - sum(c.width for c in grid.columns if c is not grid.columns[1]) - 2 * 3  # … the text the rest


@pytest.mark.parametrize(("width", "lines"), [
    (40, ["2020-09-02-社会治安和应急管理办-", "6.1-3f9a1c"]),  # "1-3" holds: a hyphen between digits
    (22, ["2020-09-02-", "社会治安和应急管理办-", "6.1-3f9a1c"]),
    (11, ["2020-09-02-", "社会治安和", "应急管理办-", "6.1-3f9a1c"]),  # narrower than the name: only then cut
])
def test_a_record_id_breaks_after_a_hyphen_never_inside_its_date(width, lines):
    assert wrap("2020-09-02-社会治安和应急管理办-6.1-3f9a1c", width, words="-") == lines
