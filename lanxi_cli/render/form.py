"""A 填报表 as an .xlsx workbook (openpyxl): what a unit owes, with cells to fill.

The sheet 填报表 shows each row's task (id as text, the text in full, wrapped),
period, due date and state, locked; the columns to fill are unlocked and
shaded, with a drop-down for 状态 and checks on 数量, 比率 and 日期. The
sheet is protected without a password (a unit that must can lift it; the
import never relies on it) and the workbook's structure is locked, so the
hidden sheet `lanxi` stays out of the way. That sheet holds the form id, the
unit, the as-of day and each row's 序号, task and period: the import reads
those, never the visible text. Every text is written as a string, never a
formula. A4 landscape, one page wide, the header repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from lanxi_cli.core.forms import FILL, HEADER_ROW, META_MARK, META_SHEET, SHEET, SHOWN, STATUS_CHOICES, Form

WIDTHS = {"序号": 5, "任务编号": 8, "任务内容": 46, "周期": 9, "截止日期": 11, "当前状态": 10,
          "状态": 8, "数量": 7, "比率": 7, "日期": 12, "说明": 30, "报告人": 9, "佐证": 18}
STATE_WORDS = {"overdue": "已逾期", "due_soon": "即将到期", "open": "未到期"}
STATE_FILLS = {"overdue": "FFC7CE", "due_soon": "FFF2CC"}
TO_FILL = "FFFDE7"  # the shade of the cells to fill
GUIDE = ("填写说明：只填浅黄色的格子，每个任务一行。状态从下拉框选（完成、进行中、受阻）；日期写 2020-09-20；"
         "数量填整数；比率填百分数（如 85%）；佐证可填网址（多个用分号隔开），照片可直接贴在该行。"
         "没有进展的行留空即可。"
         "请勿增删行、列，也不要改动灰色的格子；填好后保存，原样发回。")


def file_name(form: Form) -> str:
    """`苏家湖村-填报表-2020-09-15.xlsx`: the unit's canonical name comes first."""
    return f"{form.unit}-填报表-{form.as_of.isoformat()}.xlsx"


def _text(cell, value: str) -> None:
    """A string cell, even where the text starts with `=` (never a formula)."""
    cell.value = value
    cell.data_type = "s"


def _lines(text: str, width: int) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (a CJK character is two)."""
    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return max(1, -(-cells // max(1, width - 1)))


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days  # the day as Excel counts it


def workbook(form: Form, campaign_start: dt.date):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = SHEET
    columns = (*SHOWN, *FILL)
    letter = {name: get_column_letter(i) for i, name in enumerate(columns, start=1)}
    last = letter[columns[-1]]
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top_left = Alignment(wrap_text=True, vertical="top")
    start, end = form.window

    for row, text, size in (
        (1, f"{form.title}（{form.unit}）", 14),
        (2, f"单位：{form.unit}　截至：{form.as_of.isoformat()}　本旬：{start.isoformat()} 至 {end.isoformat()}，"
            f"请于 {end.isoformat()} 前填好交回　表单编号：{form.id}", 10),
        (3, GUIDE, 10),
    ):
        ws.merge_cells(f"A{row}:{last}{row}")
        _text(ws[f"A{row}"], text)
        ws[f"A{row}"].font = Font(bold=row == 1, size=size)
        ws[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 24
    ws.row_dimensions[3].height = 42

    for name in columns:
        cell = ws[f"{letter[name]}{HEADER_ROW}"]
        _text(cell, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="FFE082" if name in FILL else "E0E0E0")
        ws.column_dimensions[letter[name]].width = WIDTHS[name]

    for i, row in enumerate(form.rows):
        r = HEADER_ROW + 1 + i
        state = STATE_WORDS[row.state] + (f"（{row.count}/{row.target}）" if row.target is not None else "")
        ws[f"{letter['序号']}{r}"] = row.seq
        _text(ws[f"{letter['任务编号']}{r}"], row.task)
        ws[f"{letter['任务编号']}{r}"].number_format = "@"
        _text(ws[f"{letter['任务内容']}{r}"], row.shown)
        _text(ws[f"{letter['周期']}{r}"], " ".join(filter(None, (row.subject, row.period))) or "全程")
        ws[f"{letter['截止日期']}{r}"] = row.due
        ws[f"{letter['截止日期']}{r}"].number_format = "yyyy-mm-dd"
        _text(ws[f"{letter['当前状态']}{r}"], state)
        if row.state in STATE_FILLS:
            ws[f"{letter['当前状态']}{r}"].fill = PatternFill("solid", fgColor=STATE_FILLS[row.state])
        for name in columns:
            cell = ws[f"{letter[name]}{r}"]
            cell.border = border
            cell.alignment = top_left
            if name in FILL:
                cell.protection = Protection(locked=False)
                cell.fill = PatternFill("solid", fgColor=TO_FILL)
        ws[f"{letter['日期']}{r}"].number_format = "yyyy-mm-dd"
        ws[f"{letter['比率']}{r}"].number_format = "0%"
        for name in ("数量", "说明", "报告人", "佐证"):
            ws[f"{letter[name]}{r}"].number_format = "@" if name != "数量" else "0"
        ws.row_dimensions[r].height = 17 * max(_lines(row.shown, WIDTHS["任务内容"]), 2) + 3

    if form.rows:
        first, final = HEADER_ROW + 1, HEADER_ROW + len(form.rows)
        checks = (
            ("状态", DataValidation(type="list", formula1=f'"{",".join(STATUS_CHOICES)}"', allow_blank=True,
                                   error="请从下拉框选择：完成、进行中或受阻")),
            ("数量", DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                   error="数量应为不小于 0 的整数")),
            ("比率", DataValidation(type="decimal", operator="between", formula1="0", formula2="1",
                                   allow_blank=True, error="比率应在 0% 到 100% 之间")),
            ("日期", DataValidation(type="date", operator="greaterThanOrEqual",
                                   formula1=str(_serial(campaign_start)), allow_blank=True,
                                   error="请填写日期，如 2020-09-20")),
        )
        for name, check in checks:
            check.errorTitle = "填写有误"
            check.showErrorMessage = True
            check.add(f"{letter[name]}{first}:{letter[name]}{final}")
            ws.add_data_validation(check)

    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may be changed; nothing else
    ws.protection.formatRows = False
    ws.protection.objects = False  # pictures (佐证) may be pasted in: Excel's floating ones, WPS's in a cell

    meta = book.create_sheet(META_SHEET)
    for row in ([META_MARK, "1"], ["form_id", form.id], ["unit", form.unit], ["as_of", form.as_of.isoformat()],
                ["sheet", SHEET], ["header_row", str(HEADER_ROW)], ["town", form.town], ["campaign", form.campaign],
                ["序号", "任务编号", "周期", "对象", "任务内容"]):
        meta.append(row)
    for row in form.rows:
        meta.append([str(row.seq), row.task, row.period or "", row.subject or "", row.text])
    for cells in meta.iter_rows():
        for cell in cells:
            cell.data_type = "s"
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    book.properties.title = f"{form.title}（{form.unit}）"
    book.properties.subject = form.id
    book.properties.creator = "lanxi"
    return book
