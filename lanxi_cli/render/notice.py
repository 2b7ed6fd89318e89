"""The 督办通知单: one page a town office sends a lagging unit. Returns the document's
bytes; cli writes them (and commits the notice's record, whose id is the 编号).

On one A4 page, in the faces of the 通报 (render.bulletin): the office's mark in
red, the title, the 编号; a band in the colour of the unit's light; a form
naming the unit, its liaison, the day issued and the reply deadline; the
overdue and due-soon items with their requirement text and due day; what the
unit is to do; a line to sign for receipt. A task owed for several periods is
one row; many rows take a smaller face, and past MAX_ROWS the rest are
counted, so the page stays one page.
"""

from __future__ import annotations

import datetime as dt

from lanxi_cli.core.overview import cn_date

MAX_ROWS = 8  # tasks listed at most; the rest are counted
LIGHT_BANDS = {  # light → (band colour, text colour, words)
    "red": ("C00000", "FFFFFF", "红灯督办"),
    "yellow": ("FFC000", "000000", "黄灯督办"),
    "green": ("00B050", "FFFFFF", "绿灯提醒"),
    None: ("D9D9D9", "000000", "督办"),
}
ITEM_HEAD = ("序号", "任务", "任务要求", "截止日期", "状态")
ITEM_WIDTHS = (9, 26, 80, 25, 16)  # millimetres, 156 in all


def docx(book, notice, liaison: str, phone: str, issuer: str, made: dt.datetime | None = None) -> bytes:
    """The notice `notice` (a domain.Notice, its id the 编号) as a one-page Word document."""
    import io

    from lanxi_cli.core.domain import task_label
    from lanxi_cli.core.remind import day_text
    from lanxi_cli.render.bulletin import RED, official, paragraph, red_rule
    from lanxi_cli.render.words import period_name

    title = f"{notice.unit}督办通知单"
    document = official(title, issuer, "督办通知单", made)
    section = document.sections[0]
    from docx.shared import Mm

    section.top_margin, section.bottom_margin = Mm(15), Mm(15)  # one page holds the form
    paragraph(document, "mark", issuer, colour=RED)
    red_rule(paragraph(document, "head", ""))
    paragraph(document, "title", "督办通知单")
    number = paragraph(document, "head", f"编号：{notice.id}")
    number.alignment = 2  # right
    band, ink, words = LIGHT_BANDS[notice.light]
    overdue = sum(item.state == "overdue" for item in notice.items)
    soon = len(notice.items) - overdue
    _band(document, f"{words}　　逾期{overdue}项　即将到期{soon}项", band, ink)

    tasks = {t.id: t for t in book.tasks}
    form = [
        ("被督办单位", notice.unit, "印发日期", cn_date(notice.date)),
        ("联络员", f"{liaison} {phone}".strip() or "未备案", "回复时限", f"{cn_date(notice.reply_by)}前"),
    ]
    _form(document, form)
    by_task: dict[str, list] = {}
    for item in notice.items:  # one row per task, its occurrences (periods, inspected units) together
        by_task.setdefault(item.task, []).append(item)
    shown = list(by_task.items())[:MAX_ROWS]
    size = 12 if len(shown) <= 3 else 10.5 if len(shown) <= 5 else 9
    rows = [ITEM_HEAD]
    for i, (task_id, items) in enumerate(shown, start=1):
        task = tasks.get(task_id)
        dues, states = [], []
        occurrences: dict[tuple, list] = {}  # (period, due, state) → the units inspected (a lead's task)
        for item in items:
            occurrences.setdefault((item.period, item.due, item.state), []).append(item.subject)
        for (period, due, state), subjects in occurrences.items():
            names = [n for n in subjects if n]
            who = (names[0] if len(names) == 1 else f"{names[0]}等{len(names)}个单位") if names else ""
            which = "、".join(x for x in (period_name(period) if period else "", who) if x)
            dues.append(day_text(due, notice.date) + (f"（{which}）" if which else ""))
            states.append(f"已逾期{(notice.date - due).days}天" if state == "overdue" else "即将到期")
        rows.append((str(i), task_label(task) if task else task_id, task.text if task else "",
                     "\n".join(dues), "\n".join(states)))
    _items(document, rows, size)
    left = sum(len(items) for _task, items in list(by_task.items())[MAX_ROWS:])
    if left:
        paragraph(document, "caption", f"另有{left}项未列出，可用 lanxi status --unit {notice.unit} 查看全部。")
    _form(document, [("办理要求", f"请于{cn_date(notice.reply_by)}前将上述事项的办理情况和佐证材料书面回复"
                                   f"{issuer}；已办结的事项请同时报送进展报告。收到本通知单后请即签收。", None, None)])
    _form(document, [("签收人", "", "签收日期", "")])
    paragraph(document, "signature", issuer, right=2).paragraph_format.space_before = Mm(4)
    paragraph(document, "date", cn_date(notice.date), right=2)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _band(document, text: str, fill: str, ink: str) -> None:
    """A full-width band in the light's colour, the light named in words on it."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import RGBColor

    from lanxi_cli.render.bulletin import FONTS, set_font

    para = document.add_paragraph()
    para.alignment = 1
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = 0
    para._p.get_or_add_pPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))
    run = para.add_run(text)
    set_font(run, FONTS["heading"][0], 16)
    run.font.color.rgb = RGBColor.from_string(ink)


def _ruled(table, widths) -> None:
    """Ruled, centred, its columns `widths` millimetres wide and fixed (as Word and LibreOffice both keep)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm

    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    borders = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table._tbl.tblPr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>{borders}</w:tblBorders>'))


def _cell(cell, text: str, size: float, head: bool = False, centre: bool = True) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    from lanxi_cli.render.bulletin import BODY_FONT, HEADING_FONT, set_font

    para = cell.paragraphs[0]
    para.alignment = 1 if centre else 0
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = Pt(1)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(size * 1.25)
    if text:
        set_font(para.add_run(text), HEADING_FONT if head else BODY_FONT, size)


def _form(document, rows) -> None:
    """Label | value | label | value rows (a row whose third cell is None spans the width)."""
    from docx.shared import Mm

    widths = (28, 50, 28, 50)
    table = document.add_table(rows=0, cols=4)
    _ruled(table, widths)
    for label, value, label2, value2 in rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
        _cell(cells[0], label, 12, head=True)
        if label2 is None:
            merged = cells[1].merge(cells[3])
            _cell(merged, value, 12, centre=False)
        else:
            _cell(cells[1], value, 12)
            _cell(cells[2], label2, 12, head=True)
            _cell(cells[3], value2, 12)


def _items(document, rows, size: float) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm

    table = document.add_table(rows=0, cols=len(ITEM_HEAD))
    _ruled(table, ITEM_WIDTHS)
    for i, values in enumerate(rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        for j, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(ITEM_WIDTHS[j])
            _cell(cell, value, size, head=i == 0, centre=i == 0 or j in (0, 3, 4))
