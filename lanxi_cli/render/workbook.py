"""The 工作台账: tasks, obligations, reports, completion by unit and the assessment, as sheets.

`build` lays the computed overview out as rows of plain values (dates stay
dates); `write` renders them: an .xlsx workbook through openpyxl, or the
obligations sheet as .csv (UTF-8 with a byte-order mark, so Excel reads the
Chinese).

In the workbook each sheet opens with a title row naming the as-of day, then
the header row; states and lights are filled in colour beside their word;
the 按单位 sheet carries a native Excel chart of completion by unit. Text a
user typed is never a formula: every text cell is written as a string, and
csv cells go through `shapes.csv_cell`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from lanxi_cli.render.words import (
    KIND_NAMES,
    LIGHT_NAMES,
    STATE_COLOURS,
    STATE_NAMES,
    STATUS_NAMES,
    VERIFICATION_NAMES,
    fraction,
    period_name,
)

SUFFIXES = {".xlsx": "xlsx", ".csv": "csv"}  # output file name → kind (cli checks the path)
FILLS = {**STATE_COLOURS, "green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
REVIEW_NAMES = {"approved": "已同意（已核验）", "rejected": "已退回", None: ""}


@dataclass(slots=True)
class Sheet:
    name: str
    title: str
    columns: list[str]
    widths: list[int]
    rows: list[list] = field(default_factory=list)
    fills: dict[int, list[str | None]] = field(default_factory=dict)  # column → FILLS key per row
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → hyperlink target
    chart: tuple | None = None  # (title, category column, first and last value columns)
    formats: dict[int, str] = field(default_factory=dict)  # column → number format (rates: 0.0%)


@dataclass(slots=True)
class Ledger:
    title: str
    sheets: list[Sheet]
    as_of: dt.date | None = None  # printed in every page's footer


PERCENT = "0.0%"
SCORE = "0.0"  # a score shown as the 通报 shows it (28.6), the number kept to two decimals
CHART_SHEET = "完成情况图"
ONE_PAGE = 40  # lines a sheet's rows may take and still print on one page, scaled


def build(book, overview, reports, decided: dict[str, str], corrections=None,
          kept: dict | None = None, evidence: str | None = None, acks: dict | None = None) -> Ledger:
    """The sheets. `reports` are those dated on or before the as-of day, oldest
    first, withdrawn and superseded ones too (`corrections` says which);
    `decided` maps a reviewed record's id to the decision in force; `kept`
    (core.overview.records) what each obligation's row says of its reports;
    `evidence` is data/evidence/ as a relative link from the workbook's folder
    (each evidence file is linked by it, so the link opens wherever the folder
    and the workbook move together); `acks`: each unit's 签收 of the notice
    (core.receipts.Ack)."""
    from lanxi_cli.core.assess import GROUP_NAMES
    from lanxi_cli.core.domain import PROGRESS_REPORT
    from lanxi_cli.core.overview import task_source

    as_of = overview.campaign.as_of
    town = book.plan.town
    source = task_source(book.plan)
    zone = _zone(book.plan.timezone)

    def title(what: str) -> str:
        return f"{town}专项行动工作台账 · {what}（截至{as_of.isoformat()}）"

    tasks = Sheet("任务", title("任务"), ["任务来源", "任务编号", "类别", "任务内容", "完成时限", "牵头单位",
                                         "责任单位", "下一截止", "状态", "逾期单位", "已完成单位", "已核验单位"],
                  [14, 7, 10, 44, 14, 10, 28, 10, 8, 28, 8, 8])  # narrow enough to print at a readable size
    for row in overview.tasks:
        done = sum(1 for u in row.units if row.unit_complete(u))
        verified = sum(1 for u in row.units if row.unit_complete(u, verified=True))
        tasks.rows.append([source, row.task.id, row.task.category, row.task.text, row.task.deadline_text, row.lead,
                           "、".join(row.units), row.due, STATE_NAMES[row.state], "、".join(row.overdue_units),
                           done, verified])
        tasks.fills.setdefault(8, []).append(row.state)

    obs = obligations_sheet(book, overview.obligations, title("义务"), kept or {}, source)

    reps = Sheet("报告", title("报告"), ["报告编号", "任务编号", "单位", "日期", "状态", "数量", "比率", "分项", "周期",
                                         "说明", "报告人", "佐证", "记录时间", "审核结果", "撤回或更正", "文件"],
                 [34, 9, 20, 11, 8, 6, 7, 10, 12, 40, 10, 30, 17, 14, 14, 50])
    files = Sheet("佐证材料", title("佐证材料"), ["报告编号", "任务编号", "单位", "日期", "文件名", "大小（KB）",
                                                 "拍摄时间", "SHA-256", "打开"],
                  [34, 9, 20, 11, 30, 10, 19, 20, 12])
    for r in reports:
        superseded = corrections.superseded_by.get(r.id) if corrections else None
        withdrawn = corrections is not None and r.id in corrections.withdrawn
        fate = "已撤回" if withdrawn else f"已被 {superseded} 更正" if superseded else ""
        shown = [*r.evidence, *(a.name for a in r.evidence_files)]
        if r.evidence_files:  # one file: linked itself; several: linked to their first row in 佐证材料
            target = _file_link(evidence, r.evidence_files[0]) if len(r.evidence_files) == 1 else \
                f"#'{files.name}'!A{len(files.rows) + 3}"
            if target:
                reps.links[(len(reps.rows), 11)] = target
        task = r.task or PROGRESS_REPORT  # a 旬报 alone: no task, no status
        reps.rows.append([r.id, task, r.unit, r.date, STATUS_NAMES[r.status] if r.task else "—", r.count, r.rate,
                          r.part, period_name(r.period), r.note, r.by, "\n".join(shown),
                          local_time(r.recorded, zone), REVIEW_NAMES[decided.get(r.id)], fate, r.file])
        for a in r.evidence_files:
            target = _file_link(evidence, a)
            if target:
                files.links[(len(files.rows), 8)] = target
            files.rows.append([r.id, task, r.unit, r.date, a.name, round(a.bytes / 1024, 1),
                               a.taken.replace("T", " ") if a.taken else None, a.sha256, "打开文件" if target else ""])
    reps.formats[6] = PERCENT

    units = Sheet("按单位", title("各单位完成情况"), ["单位", "类型", "总数", "按时完成", "逾期完成", "已逾期",
                                                     "即将到期", "未到期", "不适用", "不计分", "完成率", "按时完成率",
                                                     "签收"],
                  [20, 6, 6, 8, 8, 8, 8, 8, 8, 8, 8, 10, 11])
    acks = acks or {}
    for t in overview.units:  # total leaves exempt obligations out
        units.rows.append([t.unit, KIND_NAMES[t.kind], t.total, t.done, t.late, t.overdue, t.due_soon, t.open,
                           t.exempt, t.unscored, fraction(t.rates.rate), fraction(t.rates.on_time_rate),
                           acks[t.unit].date if t.unit in acks else None])
    units.formats |= {10: PERCENT, 11: PERCENT}
    units.chart = (f"各单位任务完成情况（截至{as_of.isoformat()}）", 1, 4, 8)

    rank = Sheet("考核", title("考核"), ["分组", "名次", "单位", "类型", "得分", "完成率", "按时完成率", "计分义务数",
                                        "已到期", "按时完成", "逾期完成", "已逾期", "即将到期", "未到期", "亮灯",
                                        "督办措施", "理由"],
                 [10, 6, 20, 6, 8, 8, 10, 10, 8, 8, 8, 8, 8, 8, 6, 8, 30])
    for s in overview.standings:  # the assessor is not among them
        t = s.tally
        rank.rows.append([GROUP_NAMES[s.group], s.rank, s.unit, KIND_NAMES[t.kind],
                          None if s.score is None else round(float(s.score), 2), fraction(s.rates.rate),
                          fraction(s.rates.on_time_rate), t.total, t.scored_due, t.scored_done, t.scored_late,
                          t.overdue, t.due_soon, t.open, LIGHT_NAMES[s.light], s.measure, "，".join(s.reasons)])
        rank.fills.setdefault(14, []).append(s.light)
    rank.formats |= {4: SCORE, 5: PERCENT, 6: PERCENT}
    return Ledger(f"{town}专项行动工作台账（截至{as_of.isoformat()}）", [tasks, obs, reps, files, units, rank], as_of)


def _file_link(evidence: str | None, attachment) -> str | None:
    """A relative link to one stored evidence file (forward slashes: Excel and LibreOffice both read them)."""
    return None if evidence is None else f"{evidence.rstrip('/')}/{attachment.stored}"


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)  # checked when the plan is read (book.known_timezone)


def local_time(stamp: str, zone) -> str:
    """A recorded time (ISO, with its offset) as people read it where the town is: 2020-09-20 14:22."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp  # written by hand in some other form: shown as written
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M")


def obligations_sheet(book, obligations, title: str, kept: dict | None = None, source: str = "") -> Sheet:
    """The 督查台账 proper: one row per obligation, with the standard columns (任务来源, 责任领导,
    责任人, 进展情况, 佐证材料, 销号) beside its state."""
    from lanxi_cli.core.domain import task_label
    from lanxi_cli.render.shapes import part_text

    kept = kept or {}
    sheet = Sheet("义务", title, ["任务来源", "任务编号", "任务", "任务内容", "单位", "单位类型", "责任领导", "责任人",
                                 "周期", "截止日期", "状态", "进展情况", "佐证材料", "核验", "销号日期", "销号人",
                                 "数量", "目标", "比率", "目标比率", "分项完成", "完成日期", "最近报告", "受阻",
                                 "计入考核", "被督导单位"],
                  [30, 9, 16, 50, 14, 8, 10, 10, 12, 11, 9, 30, 24, 8, 11, 10, 6, 6, 7, 8, 20, 11, 11, 24, 8, 12])
    for ob in obligations:
        blocked = f"{ob.blocked.date.isoformat()} {ob.blocked.note}".strip() if ob.blocked else ""
        unit = book.units[ob.unit]
        record = kept.get((ob.task.id, ob.named, ob.occ.index))
        latest = record.latest if record else None
        progress = (f"{latest.date.isoformat()} {STATUS_NAMES[latest.status]} {latest.note}".strip()
                    if latest else "")
        closed = record.closed if record else None
        sheet.rows.append([source, ob.task.id, task_label(ob.task), ob.task.text, ob.unit, KIND_NAMES[unit.kind],
                           unit.liaison.leader, unit.liaison.name, period_name(ob.occ.label), ob.due,
                           STATE_NAMES[ob.state], progress, "\n".join(record.evidence) if record else "",
                           VERIFICATION_NAMES.get(ob.verification, ""), closed.date if closed else None,
                           closed.by if closed else "", ob.count, ob.target, ob.rate, ob.rate_target,
                           "、".join(f"{p.name} {part_text(p.count, p.target, p.rate, p.rate_target)}"
                                    for p in ob.parts), ob.completed_on,
                           ob.last_report, blocked, "是" if ob.scored else "否", ob.subject])
        sheet.fills.setdefault(10, []).append(ob.state)
    sheet.formats |= {18: PERCENT, 19: PERCENT}
    return sheet


def render(ledger: Ledger, kind: str) -> bytes:
    """The ledger's bytes: the workbook, or (csv) the obligations sheet with a byte-order mark for Excel."""
    import io

    if kind == "csv":
        return csv_text(next(s for s in ledger.sheets if s.name == "义务")).encode("utf-8-sig")
    out = io.BytesIO()
    workbook(ledger).save(out)
    return out.getvalue()


def csv_text(sheet: Sheet) -> str:
    """The sheet's header and rows as csv (no title row: a csv is one table)."""
    import csv
    import io

    from lanxi_cli.render.shapes import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.columns)
    for row in sheet.rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def workbook(ledger: Ledger):
    """The workbook, written as a stream (openpyxl's write-only mode): each
    row goes to the file as it is appended, so a ledger of 10⁵ reports never
    holds a worksheet of cell objects. Only the cells that carry a style (the
    title and header, a long text wrapped, a state's colour) or must be kept
    from being read as a formula are made as cells of their own."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    book = Workbook(write_only=True)
    book.properties.title = ledger.title
    book.properties.creator = book.properties.lastModifiedBy = "lanxi"
    bold, big = Font(bold=True), Font(bold=True, size=13)
    link = Font(color="0563C1", underline="single")
    wrap = Alignment(wrap_text=True)  # at the foot of its row, as every unwrapped cell stands (no style each)
    fills = {key: PatternFill("solid", fgColor=colour) for key, colour in FILLS.items()}
    charted = []
    for sheet in ledger.sheets:
        ws = book.create_sheet(sheet.name)
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A3"
        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A2:{last}{len(sheet.rows) + 2}"
        _print_setup(ws, ledger)
        if len(sheet.rows) <= ONE_PAGE and sum(row_lines(row, sheet.widths) for row in sheet.rows) <= ONE_PAGE:
            ws.page_setup.fitToHeight = 1
        if sheet.chart:
            charted.append((ws, sheet))

        def cell(value, font=None, fill=None, ws=ws):
            made = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                made.data_type = "s"  # text stays text: "=1+1" from a note is never a formula
            if font is not None:
                made.font = font
            if fill is not None:
                made.fill = fill
            return made

        ws.append([cell(sheet.title, big)])
        ws.append([cell(name, bold) for name in sheet.columns])
        links: dict[int, list[tuple[int, str]]] = {}
        for (row_at, column), target in sheet.links.items():
            links.setdefault(row_at, []).append((column, target))
        for n, row in enumerate(sheet.rows):
            out = list(row)
            for column, value in enumerate(row):
                if isinstance(value, str) and (wraps(value) or value[:1] == "="):
                    out[column] = made = cell(value)
                    if wraps(value):
                        made.alignment = wrap
                elif column in sheet.formats:  # no rate yet (None) keeps the format, for one typed later
                    out[column] = made = cell(value)
                    made.number_format = sheet.formats[column]  # a rate: the number, shown 69.4%
            for column, target in links.get(n, ()):
                value = out[column]
                if not isinstance(value, Cell):
                    value = out[column] = cell(value)
                value.hyperlink = (Hyperlink(ref="", location=target[1:]) if target.startswith("#")  # in this book
                                   else Hyperlink(ref="", target=target))
                value.font = link
            for column, keys in sheet.fills.items():
                fill = fills.get(keys[n]) if n < len(keys) else None
                if fill is not None:
                    value = out[column]
                    if not isinstance(value, Cell):
                        value = out[column] = cell(value)
                    value.fill = fill
            lines = row_lines(row, sheet.widths)
            if lines > 1:  # a streamed sheet is never laid out again: the height its wrapped text needs
                ws.row_dimensions[n + 3] = _row_height(lines)
            ws.append(out)
            ws.row_dimensions.pop(n + 3, None)  # written: memory stays bounded at any number of rows
    for ws, sheet in charted:  # each chart on a sheet of its own, last: one page, never cut by a page break
        page = book.create_sheet(CHART_SHEET if len(charted) == 1 else f"{sheet.name}图")
        page.add_chart(_chart(ws, sheet), "A1")
        _print_setup(page, ledger)
        page.page_setup.fitToHeight = 1
        page.page_setup.orientation = "landscape" if len(sheet.rows) <= 24 else "portrait"
        page.print_options.gridLines = False
        page.print_title_rows = None
    return book


LINE_HEIGHT = 16  # points: a line of the sheet's 11 pt text in a CJK face (its ascent and descent)
MAX_ROW_HEIGHT = 409  # points: the most a row may be (Excel's limit)


def wraps(value: str) -> bool:
    """Whether a text cell is shown wrapped: a long one, or one of several lines."""
    return len(value) > 20 or "\n" in value


def row_lines(row, widths) -> int:
    """The lines the row's tallest wrapped cell takes in its column (a wide character two
    width units, a narrow one one, as Excel measures a column), so that a reader that does
    not lay a streamed sheet out again (LibreOffice) still shows and prints all of its text."""
    most = 1
    for value, width in zip(row, widths, strict=False):
        if isinstance(value, str) and wraps(value):
            most = max(most, _lines(value, width))
    return most


@functools.lru_cache(maxsize=4096)  # a task's text, its source, a unit's name: the same on many rows
def _lines(value: str, width: int) -> int:
    room = max(1, width - 1)  # a cell's margins take about one unit
    return sum(max(1, -(-_units(part) // room)) for part in value.split("\n"))


def _units(text: str) -> int:
    """Width units of `text`, near enough for wrapping and fast at 10⁵ rows: a character
    that takes three bytes in UTF-8 (CJK) two, one of one byte (ASCII) one."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


@functools.lru_cache(maxsize=64)
def _row_height(lines: int) -> dict[str, str]:
    """A row's attributes as the streamed writer puts them on its <row> (what openpyxl's
    RowDimension gives, without making one per row)."""
    return {"ht": f"{min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)}", "customHeight": "1"}


def _print_setup(ws, ledger: Ledger) -> None:
    """Ready to print and to file: A4 landscape, every column on one page's width (as many pages
    down as it takes), the header row on every page, a footer with the page and the as-of day."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.oddFooter.left.text = ledger.title.split("（", 1)[0]
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if ledger.as_of:
        ws.oddFooter.right.text = f"截至{ledger.as_of.year}年{ledger.as_of.month}月{ledger.as_of.day}日"


def _chart(ws, sheet: Sheet):
    """A stacked bar chart of the sheet's value columns by its category column, every unit labelled."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef

    title, category, first, last = sheet.chart
    rows = len(sheet.rows)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = title
    chart.y_axis.title = "事项数"
    chart.x_axis.scaling.orientation = "maxMin"  # the first unit at the top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=first, max_col=last, min_row=2, max_row=rows + 2), titles_from_data=True)
    names = AxDataSource(strRef=StrRef(f=str(Reference(ws, min_col=category, min_row=3, max_row=rows + 2))))
    for series, key in zip(chart.series, ("done", "late", "overdue", "due_soon", "open"), strict=False):
        series.cat = names  # unit names are text: a string reference, so every reader shows them
        series.graphicalProperties.solidFill = {"done": "00B050", "late": "FFC000", "overdue": "FF0000",
                                                "due_soon": "FFE699", "open": "BFBFBF"}[key]
    # centimetres: a landscape A4 page, or a portrait one where many units need the height to be named
    chart.height, chart.width = (17, 26) if rows <= 24 else (min(26, 4 + 0.65 * rows), 18)
    chart.x_axis.tickLblSkip = 1  # every unit named, not every other one
    chart.x_axis.txPr = _small_labels()
    return chart


def _small_labels():
    """Axis labels at 8 pt, so a town's thirty units each get a line."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=800)), endParaRPr=None)])
