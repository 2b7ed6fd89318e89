"""`collect template`: the online form's questions as an .xlsx a clerk reads
while building the form on a phone or computer (金山表单/WPS 表单, 腾讯文档
收集表, 问卷星). The sheet 题目 lists each question in order with its type, the
allowed answers one a line (the services take options pasted as lines), and
a note; the sheets 单位选项 and 任务选项 hold the long option lists one a row,
to copy in one go. Every text is a string cell, never a formula.
"""

from __future__ import annotations

from lanxi_cli.render.form import _text

GUIDE = ("用法：在金山表单（WPS 表单）、腾讯文档收集表或问卷星中新建表单，按下表的顺序添加题目，"
         "题目名称照抄“题目”一列；单选题的选项可从“选项”一列（或“单位选项”“任务选项”工作表）整列复制，粘贴到“批量添加选项”。"
         "收集结束后，在该服务中把结果导出为 Excel（.xlsx）或 .csv，用 lanxi collect import 导入。")
HEADERS = ("序号", "题目", "题型", "必填", "选项（每行一个）", "说明")
WIDTHS = (6, 12, 18, 6, 40, 50)


def content(questions, title: str) -> bytes:
    """The template workbook, as the bytes of an .xlsx."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = "题目"
    last = get_column_letter(len(HEADERS))
    for row, text, size in ((1, f"{title}——网上收集表题目", 14), (2, GUIDE, 10)):
        ws.merge_cells(f"A{row}:{last}{row}")
        _text(ws[f"A{row}"], text)
        ws[f"A{row}"].font = Font(bold=row == 1, size=size)
        ws[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 48
    for column, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(3, column)
        _text(cell, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFE082")
        ws.column_dimensions[get_column_letter(column)].width = width
    top = Alignment(wrap_text=True, vertical="top")
    for number, q in enumerate(questions, start=1):
        row = 3 + number
        ws.cell(row, 1, number)
        for column, text in enumerate((q.title, q.kind, "是" if q.required else "否", "\n".join(q.choices), q.note),
                                      start=2):
            _text(ws.cell(row, column), text)
            ws.cell(row, column).alignment = top
    ws.freeze_panes = "A4"
    for q in questions:
        if len(q.choices) > 5:  # the long lists again, one a row: a column copies in one go
            sheet = book.create_sheet(f"{q.title}选项")
            _text(sheet.cell(1, 1), q.title)
            sheet.cell(1, 1).font = Font(bold=True)
            sheet.column_dimensions["A"].width = 40
            for i, choice in enumerate(q.choices, start=2):
                _text(sheet.cell(i, 1), choice)
    book.properties.title = f"{title}——网上收集表题目"
    book.properties.creator = "lanxi"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
