"""The 填报表 round trip, the pure part: which rows a unit's form holds, and
how a filled row becomes a report (or the reasons, cell by cell, it cannot).

A form is identified by its id, never by its file name: `<as-of day>-<digest>`,
the digest taken over the unit, the day and every row's task and period, so a
form made twice on one day for the same rows has the same id, and a form whose
hidden sheet was edited no longer matches its own id. A report imported from
row N of form F carries `form: "F#N"`; importing F again finds it and adds
nothing, and a row changed since is a conflict, never a second report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace

from lanxi_cli.core.domain import Report
from lanxi_cli.errors import UsageError

PENDING = ("overdue", "due_soon", "open")  # the obligations a form asks about (those that are scored)
SHEET = "填报表"
META_SHEET = "lanxi"  # hidden: the form id, the unit, each row's task and period
META_MARK = "lanxi 填报表"
HEADER_ROW = 4
# Shown (locked) columns, then the columns to fill. The reader finds columns by
# these names, so a column deleted or moved by hand is still read right.
SHOWN = ("序号", "任务编号", "任务内容", "周期", "截止日期", "当前状态")
# WPS's picture in a cell: the cell holds =DISPIMG("ID_…",1), the picture lives in xl/cellimages.xml
DISPIMG = re.compile(r"""^=?\s*(?:_xlfn\.)?DISPIMG\(\s*"([^"]+)"\s*(?:,\s*\d+\s*)?\)\s*$""", re.IGNORECASE)
FILL = ("状态", "数量", "比率", "日期", "说明", "报告人", "佐证")
REQUIRED = ("序号", "任务编号", "状态", "日期")  # a form without one of these cannot be read
# A row is filled when one of these holds something (a date or a name alone reports nothing).
CONTENT = ("状态", "数量", "比率", "说明", "佐证")
STATUS_CHOICES = ("完成", "进行中", "受阻")


# ---- forms out -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormRow:
    seq: int  # 序号, from 1
    task: str
    period: str | None
    text: str
    due: dt.date
    state: str
    count: int | None = None
    target: int | None = None
    subject: str | None = None  # where the lead acts (10.2): the unit the row is about
    short: str = ""  # the task's short name, shown before its text (`shown`)

    @property
    def shown(self) -> str:
        """The row's 任务内容 as the liaison reads it: the short name they know the task by, then its text."""
        return f"【{self.short}】{self.text}" if self.short else self.text


@dataclass(frozen=True, slots=True)
class Form:
    id: str
    unit: str
    as_of: dt.date
    window: tuple[dt.date, dt.date]  # the 旬报 window the form is due back in
    title: str
    rows: tuple[FormRow, ...]
    town: str = ""  # the plan it was made from: its town and campaign title (and each row's task text)
    campaign: str = ""


def form_id(unit: str, as_of: dt.date, keys) -> str:
    """`20200915-3fa2c1d4`: the day, and a digest of the unit and the rows' (task,
    period, subject); a row without a subject is digested as before subjects were."""
    text = "\n".join([unit, as_of.isoformat(), *(
        f"{seq}|{task}|{period or ''}" + (f"|{subject}" if subject else "") for seq, task, period, subject in keys
    )])
    return f"{as_of:%Y%m%d}-{hashlib.blake2b(text.encode(), digest_size=4).hexdigest()}"


def current_window(as_of: dt.date, days: tuple[int, ...]) -> tuple[dt.date, dt.date]:
    """The 旬报 window holding `as_of`: it ends on the next reporting day (today, if one)."""
    from lanxi_cli.core.calendar import latest_window, reporting_days

    year, month = as_of.year, as_of.month
    while True:
        ahead = [day for day in reporting_days(year, month, days) if day >= as_of]
        if ahead:
            return latest_window(ahead[0], days)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def make_form(book, obligations, unit: str, as_of: dt.date) -> Form:
    """The form for `unit`: a row per obligation of its that is overdue, due soon
    or open, in plan order (obligations come in plan order from the engine),
    none for a period not yet begun (a report may not name one)."""
    pending = [o for o in obligations if o.unit == unit and o.state in PENDING and o.occ.start <= as_of]
    rows = tuple(
        FormRow(seq, o.task.id, o.occ.label, o.task.text, o.due, o.state, o.count, o.target, o.subject,
                o.task.short or "")
        for seq, o in enumerate(pending, start=1)
    )
    fid = form_id(unit, as_of, [(r.seq, r.task, r.period, r.subject) for r in rows])
    title = f"{book.plan.title.removesuffix('实施方案')}进展填报表"
    return Form(fid, unit, as_of, current_window(as_of, book.plan.progress_reports.days), title, rows,
                book.plan.town, book.plan.title)


def forms_for(book, obligations, as_of: dt.date, units=None) -> list[Form]:
    """A form for each unit named (plan order), or for every unit that owes something."""
    from lanxi_cli.core.engine import unit_order

    if units is None:
        units = sorted({o.unit for o in obligations if o.state in PENDING and o.occ.start <= as_of},
                       key=lambda u: unit_order(book, u))
    return [make_form(book, obligations, unit, as_of) for unit in units]


# ---- forms in ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    ref: str  # C7
    value: object  # as the spreadsheet holds it: str, int, float, datetime, bool or None
    formula: bool = False


@dataclass(slots=True)
class Filled:
    """A filled form as read from its file (io/form_read.py), nothing yet trusted."""

    file: str  # as the user named it
    sheet: str
    form_id: str
    unit: str
    as_of: str
    keys: dict[int, tuple[str, str | None, str | None]]  # 序号 → (task, period, subject), from the hidden sheet
    header: dict[str, str]  # column name → its header cell (D4)
    rows: list[tuple[int, dict[str, Cell]]]  # (sheet row, column name → cell), below the header
    pictures: dict = field(default_factory=dict)  # sheet row → (Attachment, …) of the pictures pasted in it
    contents: dict = field(default_factory=dict)  # digest → the picture's bytes (io.evidence.Source), to store
    town: str = ""  # the plan the form was made from (a form made before issue 24 holds none)
    campaign: str = ""
    texts: dict[int, str] = field(default_factory=dict)  # 序号 → the task's text


@dataclass(slots=True)
class Outcome:
    """What one filled form comes to: new reports, rows left out, and faults."""

    form_id: str = ""
    unit: str = ""
    reports: list[Report] = field(default_factory=list)  # to write, each with `form` set
    empty: int = 0  # rows with nothing filled
    already: int = 0  # rows imported before, unchanged
    errors: list[str] = field(default_factory=list)  # `FILE!SHEET!C7: reason`, or `FILE: reason`
    places: dict[str, str] = field(default_factory=dict)  # a report's form key → its row's first cell
    repeated: list[str] = field(default_factory=list)  # rows left out: a report says the same already


def _blank(cell: Cell | None) -> bool:
    return cell is None or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_status(value) -> str:
    from lanxi_cli.core.typed import status_code

    code = status_code(value)
    if code is None:
        raise ValueError(f"状态应为 {'、'.join(STATUS_CHOICES)} 之一（而不是“{_fold(str(value))}”）")
    return code


def parse_count(value) -> int:
    if isinstance(value, bool):
        raise ValueError("数量应为整数，如 3")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _fold(str(value))
    if re.fullmatch(r"[+-]?\d{1,9}", text):
        return int(text)
    raise ValueError(f"数量应为整数，如 3（而不是“{value}”）")


def parse_rate(value) -> float:
    if isinstance(value, bool):
        raise ValueError("比率应为百分数，如 85%")
    if isinstance(value, int | float):
        return float(value)
    text = _fold(str(value))
    match = re.fullmatch(r"([+-]?\d{1,9}(?:\.\d+)?)\s*%", text)
    if match:
        return float(match[1]) / 100
    if re.fullmatch(r"[+-]?\d{1,9}(?:\.\d+)?", text):
        return float(text)
    raise ValueError(f"比率应为百分数（如 85%）或 0 到 1 之间的小数（而不是“{value}”）")


def parse_date(value, as_of: dt.date | None = None) -> dt.date:
    from lanxi_cli.core.typed import read_day

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return read_day(value, as_of)
        except ValueError:
            pass
    raise ValueError(f"日期应为真实存在的日期，如 2020-09-20 或 2020年9月20日（而不是“{value}”）")


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _evidence(value) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[\n;；]", _text(value)) if part.strip())


# report add's options → the form's columns, to put a refusal of build_report on its cell
_OPTION_COLUMNS = (("--count", "数量"), ("--rate", "比率"), ("--note", "说明"), ("--by", "报告人"),
                   ("--evidence", "佐证"), ("--date", "日期"), ("报告日期", "日期"), ("--period", "周期"))


def _refusal_cell(message: str) -> tuple[str, str]:
    """The column a build_report refusal is about (else 任务编号), and the message in the form's words."""
    for option, column in _OPTION_COLUMNS:
        if option in message:
            return column, message.replace(option, column) if option.startswith("--") else message
    return "任务编号", message


def form_fault(book, filled: Filled) -> str | None:
    """Why a form cannot be read at all (its id, unit or header), or None."""
    keys = [(seq, *key) for seq, key in sorted(filled.keys.items())]
    if form_id(filled.unit, _as_of(filled.as_of), keys) != filled.form_id:
        return f"表单的隐藏信息与表单编号 {filled.form_id} 不符（被改动过？）；请用原表重新填写"
    plan = book.plan
    if (filled.town or filled.campaign) and (filled.town, filled.campaign) != (plan.town, plan.title):
        return (f"这张表是按另一份计划生成的（{filled.town}“{filled.campaign}”），"
                f"不是本数据的计划（{plan.town}“{plan.title}”）；请用本计划的 lanxi form make 生成的表填写")
    for seq, text in sorted(filled.texts.items()):
        task = book.task_by_id.get(filled.keys.get(seq, ("", None))[0])
        if task is not None and text and text != task.text:
            return (f"表中任务 {task.id} 的内容（“{text[:40]}”）与本计划的任务 {task.id}（“{task.text[:40]}”）不同："
                    "这张表是按另一份计划生成的；请用本计划的 lanxi form make 生成的表填写")
    if book.canonical(filled.unit) is None:
        return f"表单的单位“{filled.unit}”不在计划中"
    missing = [name for name in REQUIRED if name not in filled.header]
    if missing:
        return f"表头（第{HEADER_ROW}行）缺少“{'”“'.join(missing)}”列；请用原表填写，不要删除列"
    return None


_PARSERS = (("状态", parse_status), ("数量", parse_count), ("比率", parse_rate), ("日期", parse_date))
_ASK = {"状态": "请选择状态：完成、进行中或受阻", "日期": "请填写日期，如 2020-09-20"}


def _values(cells: dict[str, Cell], as_of: dt.date) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """A row's cells to fill, parsed: ({column: value}, [(column, reason)])."""
    values: dict[str, object] = {}
    faults = []
    for name, parse in _PARSERS:
        cell = cells.get(name)
        if _blank(cell):
            if name in _ASK:
                faults.append((name, _ASK[name]))
        elif cell.formula:
            faults.append((name, "这一格是公式；请直接填写内容"))
        else:
            try:
                values[name] = parse(cell.value, as_of) if parse is parse_date else parse(cell.value)
            except ValueError as exc:
                faults.append((name, str(exc)))
    for name in ("说明", "报告人", "佐证"):
        cell = cells.get(name)
        if name == "佐证" and cell is not None and cell.formula and DISPIMG.match(str(cell.value)):
            continue  # a picture in the cell (WPS): taken as a file, see read_rows
        if not _blank(cell):
            if cell.formula:
                faults.append((name, "这一格是公式；请直接填写内容"))
            values[name] = _evidence(cell.value) if name == "佐证" else _text(cell.value)
    return values, faults


def read_rows(book, filled: Filled, as_of: dt.date, recorded: str, by: str = "") -> Outcome:
    """Every filled row of a form → a checked report (build_report, as `report add`
    checks one), or a fault on its cell. Nothing here consults earlier reports."""
    from lanxi_cli.core.evidence import check_file, refuse_files
    from lanxi_cli.core.reporting import Draft, build_report

    out = Outcome(filled.form_id, filled.unit)
    fault = form_fault(book, filled)
    if fault:
        out.errors.append(f"{filled.file}: {fault}")
        return out
    where = f"{filled.file}!{filled.sheet}!"
    seen: dict[int, int] = {}  # 序号 → the sheet row it was read from
    for number, cells in filled.rows:
        if all(_blank(cells.get(name)) for name in CONTENT):
            if not all(_blank(cells.get(name)) for name in (*FILL, "序号")):
                out.empty += 1  # a form row, or a date or a name alone: nothing to report
            continue
        seq = _row_number(cells["序号"])
        key = filled.keys.get(seq) if seq is not None else None
        if key is None:
            faults = [("序号", "这一行不是表中原有的行（序号为空或不认识）；请把情况填在对应任务的行里")]
        elif _blank(cells["任务编号"]) or _fold(_text(cells["任务编号"].value)) != key[0]:
            faults = [("任务编号", f"任务编号与原表不符（应为 {key[0]}）；请勿改动、插入或移动行")]
        elif seq in seen:
            faults = [("序号", f"序号 {seq} 与第{seen[seq]}行重复；每个任务只填一行")]
        else:
            faults = []
            seen[seq] = number
        values, found = _values(cells, as_of)
        faults += found
        pictures = filled.pictures.get(number, ())
        if pictures and not faults:
            try:
                refuse_files(book.task_by_id[key[0]], len(pictures))
                for picture in pictures:
                    check_file(book.plan.evidence, picture.name, picture.bytes)
            except UsageError as exc:
                faults.append(("佐证", exc.message.replace("请只用 --note 写明情况", "请删去图片，只在说明中写明情况")))
        if not faults:
            draft = Draft(
                task=key[0], unit=key[2] or filled.unit, date=values["日期"], status=values["状态"],
                count=values.get("数量"), rate=values.get("比率"), period=key[1], note=values.get("说明", ""),
                by=values.get("报告人") or by, evidence=values.get("佐证", ()), files=tuple(pictures),
            )
            try:
                report = build_report(book, draft, as_of, recorded)
            except UsageError as exc:
                faults.append(_refusal_cell(exc.message))
            else:
                out.reports.append(replace(report, form=f"{filled.form_id}#{seq}"))
                out.places[f"{filled.form_id}#{seq}"] = f"{where}{cells['序号'].ref}"
        for column, reason in faults:
            out.errors.append(f"{where}{(cells.get(column) or cells['任务编号']).ref}: {reason}")
    return out


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.min  # never the day of a real form: the id check fails


def _row_number(cell: Cell | None) -> int | None:
    if _blank(cell) or isinstance(cell.value, bool):
        return None
    try:
        return parse_count(cell.value)
    except ValueError:
        return None


# ---- already imported? ------------------------------------------------------------------

# What a row says; the reporter is left out (a name filled from --by on one import and not the other is no change).
_COMPARED = {"task": "任务", "unit": "单位", "period": "周期", "date": "日期", "status": "状态", "count": "数量",
             "rate": "比率", "note": "说明", "evidence": "佐证"}


def same_report(report: Report) -> tuple:
    """What makes two reports say the same: task, unit, date, status, count, rate and note."""
    return (report.task, report.unit, report.date, report.status, report.count, report.rate, report.note)


def sort_out(outcome: Outcome, earlier: dict[str, Report], said: dict[tuple, Report] | None = None) -> None:
    """Leave out the rows imported before (`earlier`: form key → report); a row
    changed since is a conflict naming the earlier report, never a second one.
    A row saying what a report recorded already says (`said`: same_report →
    report, from any form or command) is left out too, with a warning naming it:
    the next round's form sent back with the same rows counts nothing twice."""
    fresh = []
    for report in outcome.reports:
        before = earlier.get(report.form)
        changed = [name for f, name in _COMPARED.items() if before and getattr(before, f) != getattr(report, f)]
        twin = (said or {}).get(same_report(report)) if before is None else None
        if twin is not None:
            outcome.repeated.append(
                f"{outcome.places[report.form]}: 与已记录的报告 {twin.id} 完全相同"
                "（任务、单位、日期、状态、数量、比率、说明），已跳过；若确是又一次完成，请在说明中写明")
        elif before is None:
            fresh.append(report)
        elif not changed:
            outcome.already += 1
        else:
            outcome.errors.append(
                f"{outcome.places[report.form]}: 这一行已导入为报告 {before.id}，"
                f"之后{'、'.join(changed)}又被改动；为免重复，不再导入。"
                "请核实；如需更正，请用 lanxi report add 另行报告"
            )
    outcome.reports = fresh



def commit_message(outcome: Outcome, file_name: str) -> str:
    """`填报表 20200915-3fa2c1d4（苏家湖村）导入 3 份报告：苏家湖村-填报表.xlsx`"""
    return f"填报表 {outcome.form_id}（{outcome.unit}）导入 {len(outcome.reports)} 份报告：{file_name}"
