"""The 工作台账: tasks, obligations, reports and the assessment as sheets.

`build` is pure: it lays out the sheets as rows of plain values (dates stay
dates). `write` renders them: an .xlsx workbook through openpyxl (state and
light cells filled in colour, beside their word), or the obligations sheet
as .csv (UTF-8 with a byte-order mark, so Excel reads the Chinese).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lanxi_cli.core.domain import record_order
from lanxi_cli.render.tables import STATUS_NAMES, safe_cell

SUFFIXES = {".xlsx": "xlsx", ".csv": "csv"}
FILLS = {  # light cell colours, as spreadsheets usually mark them
    "done": "C6EFCE", "late": "FFEB9C", "overdue": "FFC7CE", "due_soon": "FFF2CC",
    "green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE",
}


@dataclass(slots=True)
class Sheet:
    name: str
    columns: list[str]
    widths: list[int]
    rows: list[list] = field(default_factory=list)
    fills: dict[int, list[str | None]] = field(default_factory=dict)  # column → FILLS key per row


@dataclass(slots=True)
class Ledger:
    title: str
    sheets: list[Sheet]


def build(book, reports, obligations, as_of: dt.date) -> Ledger:
    from lanxi_cli.core import engine
    from lanxi_cli.core.assess import GROUP_NAMES, LIGHT_NAMES, assess
    from lanxi_cli.render.tables import KIND_NAMES, STATE_NAMES

    tasks = Sheet("任务", ["任务编号", "类别", "任务内容", "完成时间", "牵头单位", "责任单位", "下一截止", "状态",
                           "逾期单位"], [9, 12, 50, 16, 12, 40, 11, 9, 40])
    for row in engine.task_rows(book, obligations):
        tasks.rows.append([row.task.id, row.task.category, row.task.text, row.task.deadline_text, row.lead,
                           "、".join(row.units), row.due, STATE_NAMES[row.state], "、".join(row.overdue_units)])
        tasks.fills.setdefault(7, []).append(row.state)

    obs = obligations_sheet(book, obligations)

    reps = Sheet("报告", ["任务编号", "单位", "日期", "状态", "数量", "周期", "说明", "填报人", "文件"],
                 [9, 20, 11, 8, 6, 10, 40, 10, 40])
    for r in sorted(reports, key=record_order):
        reps.rows.append([r.task, r.unit, r.date, STATUS_NAMES[r.status], r.count, r.period, r.note, r.by, r.file])

    rank = Sheet("考核", ["分组", "名次", "单位", "类型", "得分", "义务总数", "按时完成", "逾期完成", "已逾期",
                          "即将到期", "未到期", "亮灯", "督办措施", "理由"],
                 [10, 6, 20, 6, 8, 8, 8, 8, 8, 8, 8, 6, 8, 30])
    for s in assess(book, obligations, as_of):
        t = s.tally
        rank.rows.append([GROUP_NAMES[s.group], s.rank, s.unit, KIND_NAMES[t.kind], round(float(s.score), 2),
                          t.total, t.done, t.late, t.overdue, t.due_soon, t.open, LIGHT_NAMES[s.light],
                          s.measure, "，".join(s.reasons)])
        rank.fills.setdefault(11, []).append(s.light)
    return Ledger(f"{book.plan.town}专项行动工作台账（截至{as_of.isoformat()}）", [tasks, obs, reps, rank])


def obligations_sheet(book, obligations) -> Sheet:
    from lanxi_cli.render.tables import KIND_NAMES, STATE_NAMES, short

    sheet = Sheet("义务", ["任务编号", "任务内容", "单位", "单位类型", "周期", "截止日期", "状态", "数量", "目标",
                           "完成日期", "最近报告"], [9, 30, 20, 8, 10, 11, 9, 6, 6, 11, 11])
    for ob in obligations:
        sheet.rows.append([ob.task.id, short(ob.task.text, 30), ob.unit, KIND_NAMES[book.units[ob.unit].kind],
                           ob.occ.label, ob.due, STATE_NAMES[ob.state], ob.count, ob.target, ob.completed_on,
                           ob.last_report])
        sheet.fills.setdefault(6, []).append(ob.state)
    return sheet


def output_kind(path) -> str:
    from lanxi_cli.io import save

    return save.check_output(path, SUFFIXES)


def write(ledger: Ledger, path, kind: str) -> None:
    from lanxi_cli.io import save

    if kind == "csv":
        sheet = next(s for s in ledger.sheets if s.name == "义务")
        save.write_replace(path, lambda handle: handle.write(csv_text(sheet).encode("utf-8-sig")))
    else:
        save.write_replace(path, lambda handle: workbook(ledger).save(handle))


def csv_text(sheet: Sheet) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.columns)
    for row in sheet.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else safe_cell(v) for v in row])
    return out.getvalue()


def workbook(ledger: Ledger):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.title = ledger.title
    bold = Font(bold=True)
    for sheet in ledger.sheets:
        ws = book.create_sheet(sheet.name)
        ws.append(sheet.columns)
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append(row)
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and len(cell.value) > 20:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for column, keys in sheet.fills.items():
            for offset, key in enumerate(keys, start=2):
                if key in FILLS:
                    ws.cell(row=offset, column=column + 1).fill = PatternFill("solid", fgColor=FILLS[key])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    return book
