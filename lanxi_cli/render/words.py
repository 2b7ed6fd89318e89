"""The Chinese words and marks users see for lanxi's codes, in one place.

Every state has a word and a narrow mark besides its colour, so nothing
depends on colour alone. Input parsing (`-s 完成`) reads the same words back.
Light: no import beyond the standard library.
"""

from __future__ import annotations

STATE_NAMES = {
    "done": "已完成",
    "late": "逾期完成",
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "open": "未到期",
    "exempt": "不适用",
}
# Worst first, the order tables and legends list states in.
STATE_ORDER = ("overdue", "due_soon", "open", "late", "done", "exempt")
# One narrow ASCII mark per state, for the matrix: reads the same without colour.
STATE_MARKS = {"done": "+", "late": "~", "overdue": "X", "due_soon": "!", "open": ".", "exempt": "-"}
# Terminal colours (ANSI SGR), shown only where colour is allowed.
STATE_STYLES = {"done": "32", "late": "38;5;208", "overdue": "1;31", "due_soon": "33", "open": "", "exempt": "2"}
# Web and spreadsheet colours: green, amber, red as offices mark them.
STATE_COLOURS = {
    "done": "C6EFCE", "late": "FFEB9C", "overdue": "FFC7CE", "due_soon": "FFF2CC", "open": "FFFFFF",
    "exempt": "E7E6E6",
}
# Strong colours for a page (the dashboard's matrix, legend and charts): each at least 3:1 against white,
# and told apart by readers with any of the three colour-vision deficiencies (tested by simulation in
# tests/test_dashboard.py); every state has its mark (STATE_MARKS) besides, in white on the colour.
STATE_INKS = {
    "overdue": "B22222", "due_soon": "332288", "done": "2E8B57", "late": "B8860B", "open": "767676",
    "exempt": "AA4499",
}
# Beside the state: has the lead verified the completion claim (销号核验)?
VERIFICATION_NAMES = {"verified": "已核验", "claimed": "已申报", "rejected": "已退回"}
STATUS_NAMES = {"done": "完成", "progress": "进行中", "blocked": "受阻"}  # a report's status
KIND_NAMES = {"village": "村", "community": "社区", "department": "部门", "other": "其他"}
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
LIGHT_STYLES = {"green": "32", "yellow": "33", "red": "1;31"}
DECISION_NAMES = {"approved": "已同意", "rejected": "不同意", "pending": "待审批"}
DIRECTION_NAMES = {"rise": "上升", "fall": "下降"}
TREND_NAMES = {"met": "达标", "unmet": "未达标", "no_data": "无数据"}


def status_code(text: str) -> str | None:
    """A report status as typed (done, 完成, 已完成 …), read by core.typed; None if no status."""
    from lanxi_cli.core.typed import status_code as code

    return code(text)


def choices(names: dict[str, str]) -> str:
    """`完成（done）、进行中（progress）…` for a message listing what may be typed."""
    return "、".join(f"{name}（{code}）" for code, name in names.items())


QUARTERS = "一二三四"


def period_name(label: str | None) -> str:
    """An occurrence's label as a document says it: 2020-09 → 2020年9月,
    2020-Q3 → 2020年第三季度; 第1次 and anything else as it is."""
    import re

    if not label:
        return ""
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", label)
    if month:
        return f"{month[1]}年{int(month[2])}月"
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", label)
    if quarter:
        return f"{quarter[1]}年第{QUARTERS[int(quarter[2]) - 1]}季度"
    return label


# What a matrix cell of a recurring task shows (engine.current), said under the terminal's and the dashboard's matrix.
MATRIX_CELL_NOTE = "按月、按季度的任务，每格为当前一期的状态；以往各期有逾期的，显示逾期。"


def percent(rate: float | None) -> str:
    """A rate as people read it: 0.6944 → 69.4%; no rate (nothing due yet) → —."""
    return "—" if rate is None else f"{100 * rate:.1f}%"


def fraction(rate: float | None) -> float | None:
    """A rate as JSON and spreadsheets hold it: a fraction between 0 and 1."""
    return None if rate is None else round(rate, 4)
