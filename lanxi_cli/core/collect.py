"""Reports from phones, the pure part: the questions a clerk types into an
online form (金山表单/WPS 表单, 腾讯文档收集表, 问卷星), which column of that
form's export is which question, and how each exported row becomes reports
(or the reasons, cell by cell, it cannot).

A submission is known by the service's own row number where the export has
one (namespaced by the form's questions: two forms both have a row 1), else by
its 提交时间 to the second with 提交者 and 单位. Every report a submission
gives carries that key in `collected`, so a later export repeating it adds
nothing, and a submission changed since is a conflict, never a second report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace

from lanxi_cli.core.domain import Report
from lanxi_cli.errors import UsageError

# ---- the questions, and the export's columns -------------------------------------

# Every field a column may hold, in the order the mapping is shown; IGNORED marks
# a column the clerk confirmed lanxi does not read.
ROW_ID, SUBMITTED, SUBMITTER = "编号", "提交时间", "提交者"
UNIT, TASK, STATUS, COUNT, RATE, PART, DATE, NOTE, REPORTER, EVIDENCE = (
    "单位", "任务", "完成情况", "数量", "比率", "分项", "完成日期", "说明", "填报人", "佐证")
IGNORED = "不导入"
FIELDS = (ROW_ID, SUBMITTED, SUBMITTER, UNIT, TASK, STATUS, COUNT, RATE, PART, DATE, NOTE, REPORTER, EVIDENCE)
REQUIRED = (UNIT, TASK, STATUS)
# The usual names of each field in the services' exports (their automatic
# columns) and in forms clerks make, compared after fold_header.
SYNONYMS = {
    ROW_ID: ("序号", "编号", "答卷编号", "答卷序号", "提交序号", "记录编号", "数据编号", "id", "记录id", "答卷id"),
    SUBMITTED: ("提交时间", "填写时间", "提交答卷时间", "答卷时间", "答题时间", "创建时间", "填报时间"),
    SUBMITTER: ("提交者", "提交人", "填写人", "填写者", "微信昵称", "昵称", "用户名", "填写人账号", "提交者昵称"),
    UNIT: ("单位", "村(社区)", "村社区", "村/社区", "所属单位", "单位名称", "填报单位", "所在村(社区)", "所在单位",
           "村(社区)名称", "所属村(社区)"),
    TASK: ("任务", "任务编号", "任务名称", "工作任务", "完成的任务", "本次完成的任务", "所报任务", "报告任务"),
    STATUS: ("完成情况", "进展", "进展情况", "状态", "完成状态", "任务状态"),
    COUNT: ("数量", "次数", "完成数量", "场次", "份数", "条数"),
    RATE: ("比率", "比例", "完成率", "百分比"),
    PART: ("分项", "目标分项", "分项名称"),
    DATE: ("完成日期", "日期", "工作日期", "开展日期", "活动日期", "完成时间"),
    NOTE: ("说明", "备注", "情况说明", "具体情况", "工作情况", "进展说明"),
    REPORTER: ("填报人", "报告人", "联络员", "姓名", "填报人姓名", "联络员姓名"),
    EVIDENCE: ("佐证", "佐证材料", "附件", "图片", "照片", "上传附件", "佐证照片", "佐证图片", "上传佐证"),
}
# 问卷星 numbers its questions (`3、完成情况`, `Q3.`); some services mark required or automatic columns.
_NUMBERING = re.compile(r"^(?:q?\d{1,3}\s*[、.:)]\s*|第\d{1,3}题\s*[.:、]?\s*)")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_MARKS = re.compile(r"[*＊:：?？]+$|^[*＊]+")
MAX_HEADER = 200
HEADER_SCAN = 12  # title rows above the header: a merged title, a note


def fold_header(text: str) -> str:
    """A header as it is compared and kept in data/collect.yaml: NFKC (full-width
    brackets become ASCII), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _bare(key: str) -> str:
    key = _MARKS.sub("", _NUMBERING.sub("", key))
    return _MARKS.sub("", key)


_KNOWN = {fold_header(name): f for f, names in SYNONYMS.items() for name in names}


def guess_field(header: str) -> str | None:
    """The field a header names by its usual names: as it is, without the
    question number, without a bracketed remark (（必填）, （自动）, 【多选题】),
    else the one field whose name it contains (请选择您所在的村（社区） → 单位)."""
    key = _bare(fold_header(header))
    for candidate in (key, _BRACKETS.sub("", key)):
        if candidate in _KNOWN:
            return _KNOWN[candidate]
    inside = {f for name, f in _KNOWN.items() if len(name) >= 2 and name in key}
    return inside.pop() if len(inside) == 1 else None


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # 0-based
    header: str  # as the export writes it
    field: str | None  # None: not read (IGNORED or unknown)
    confirmed: bool  # data/collect.yaml says so already


def map_columns(header: list[str], kept: dict[str, str], given: dict[str, str]) -> list[Column]:
    """Each non-blank header cell → its field: `given` (--map) first, then
    `kept` (data/collect.yaml), then the usual names; --map never contradicts
    collect.yaml (an edit there says it). A field named by two
    columns is read from the first; the second is shown as not read."""
    out, taken = [], set()
    for index, text in enumerate(header):
        key = fold_header(text)
        if not key:
            continue
        if key in given and given[key] != kept.get(key, given[key]):
            raise UsageError(f"data/collect.yaml 已记下“{text}”导入为“{kept[key]}”；"
                             f"如要改为“{given[key]}”，请直接修改 data/collect.yaml 中的这一行")
        if key in given:
            found, confirmed = given[key], key in kept
        elif key in kept:
            found, confirmed = kept[key], True
        else:
            found, confirmed = guess_field(text), False
        if found == IGNORED or found in taken:
            found = None
        if found:
            taken.add(found)
        out.append(Column(index, " ".join(text.split()), found, confirmed))
    return out


def find_header(grid: list[list[str]], kept: dict[str, str], given: dict[str, str]):
    """(row index, columns) of the header: the first row, among the first few,
    naming 单位 and 任务 and one more field, else the first naming three fields
    (mapping_faults then says what it lacks); rows above it are titles. None if none."""
    found = []
    for index, cells in enumerate(grid[:HEADER_SCAN]):
        columns = map_columns(cells, kept, given)
        fields = {c.field for c in columns if c.field}
        if len(fields) >= 3:
            if UNIT in fields and TASK in fields:
                return index, columns
            found.append((index, columns))
    return found[0] if found else None


def parse_map(items: list[str]) -> dict[str, str]:
    """`--map 表头=字段` options → {folded header: field}; UsageError for a bad one."""
    out = {}
    for item in items:
        header, sep, name = item.rpartition("=")
        name = name.strip()
        if not sep or not fold_header(header):
            raise UsageError(f"--map 应写成“表头=字段”，如 --map 所在网格=单位（而不是“{item}”）")
        if name not in (*FIELDS, IGNORED):
            raise UsageError(f"--map “{item}”：字段应为 {'、'.join((*FIELDS, IGNORED))} 之一")
        out[fold_header(header)] = name
    return out


def mapping_faults(columns: list[Column]) -> list[str]:
    """What the export lacks before any row can be read: 单位, 任务, 完成情况, and a key."""
    fields = {c.field for c in columns}
    missing = [f for f in REQUIRED if f not in fields]
    faults = []
    if missing:
        faults.append(f"找不到“{'”“'.join(missing)}”列；若它的表头另有叫法，请用 --map “表头={missing[0]}”指明")
    if ROW_ID not in fields and SUBMITTED not in fields:
        faults.append("找不到“提交时间”或“序号”列：导出时请保留服务自动记录的提交时间，才能认出已导入过的行")
    return faults


# ---- the template ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    title: str
    kind: str  # as the services name their question types
    required: bool
    choices: tuple[str, ...] = ()
    note: str = ""


def questions(book) -> list[Question]:
    """The questions of the online form, in order, with their allowed answers."""
    from lanxi_cli.core.domain import task_label
    from lanxi_cli.core.forms import STATUS_CHOICES

    units = tuple(u.name for u in book.plan.units if u.name in book.units)
    kinds: dict[str, list[str]] = {COUNT: [], RATE: [], PART: []}
    parts: list[str] = []
    for task in book.tasks:
        targets = [t for t in (book.target(task, u) for u in book.task_units(task)) if t and t.needs_quantity]
        for target in targets[:1]:
            kinds[PART if target.parts else COUNT if target.count else RATE].append(task.id)
        parts += [p.name for t in targets for p in t.parts]

    def which(kind: str) -> str:
        return f"（{'、'.join(kinds[kind])}）" if kinds[kind] else ""

    return [
        Question(UNIT, "单选题（下拉）", True, units, "报告哪个单位的工作（选项即计划中的单位名称，请勿改字）"),
        Question(TASK, "单选题（下拉）", True, tuple(task_label(t) for t in book.tasks),
                 "报告哪一项任务；一次提交报一项。若设为多选，所选每项各成一份报告，此时不能填数量"),
        Question(STATUS, "单选题", True, STATUS_CHOICES, "“完成”指这一项（本期）已做完"),
        Question(COUNT, "数字题（整数）", False, (),
                 f"本次完成多少（次、场、条）；有数量目标的任务{which(COUNT)}报“完成”时必填"),
        Question(RATE, "数字题（百分数）", False, (),
                 f"达到的比率，如 85%；有比率目标的任务{which(RATE)}报“完成”时必填"),
        Question(PART, "单选题", False, tuple(dict.fromkeys(parts)),
                 f"目标分项计算的任务{which(PART)}报“完成”时选择分项，并填数量或比率"),
        Question(DATE, "日期题", False, (), "工作完成或开展的日子；不填则按提交的日子"),
        Question(NOTE, "多行文本题", False, (), "做了什么、遇到什么困难"),
        Question(REPORTER, "填空题", False, (), "填报人姓名（联络员请写备案的姓名，便于核对）"),
        Question(EVIDENCE, "附件题（图片、文件）", False, (),
                 "照片或文件；导入后保存其链接（链接会过期，正式佐证请另行提交）"),
    ]


# ---- rows in -----------------------------------------------------------------------

_SPLIT = re.compile(r"[┋|;；\n,，]")  # 问卷星 joins the choices of a multiple-choice cell with ┋
_ID_AND_NAME = re.compile(r"(\d+(?:\.\d+)*)\.?\s*(.*)")
_URL = re.compile(r"https?://[^\s┋|;；,，\"'<>]+", re.IGNORECASE)
# 2020-09-15 10:23:45, 2020/9/15 10:23, 2020年9月15日 10:23:45 (seconds optional)
_MOMENT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:T|\s)\s*"
                     r"(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2})\s*秒?)?(?:\.\d+)?")


def read_moment(text: str) -> dt.datetime:
    """A submission time as the services write it, to the second; ValueError if none."""
    match = _MOMENT.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
    return dt.datetime(year, month, day, hour, minute, second)


def read_date(text: str, as_of: dt.date) -> dt.date:
    """A 完成日期: any form `report add` takes, or a date with a time."""
    from lanxi_cli.core.forms import parse_date

    try:
        return parse_date(text, as_of)
    except ValueError as exc:
        try:
            return read_moment(text).date()
        except ValueError:
            raise exc from None


def read_tasks(book, text: str) -> list[str]:
    """The task ids a 任务 cell names: `1.1`, `1.1 制定方案`, the short name, or
    several of those (a multiple-choice cell); UsageError naming what is wrong."""
    ids = []
    for part in (p.strip() for p in _SPLIT.split(text)):
        if not part:
            continue
        match = _ID_AND_NAME.fullmatch(unicodedata.normalize("NFKC", part))
        task = book.task_by_id.get(match[1]) if match else None
        if task is not None and match[2]:
            named = match[2].strip()
            if named not in (task.short or "", task.text) and not task.text.startswith(named):
                raise UsageError(f"任务“{part}”的编号 {task.id} 与名称不符（{task.id} 是“{task.short or task.text}”）")
        ids.append((task or book.resolve_task(part)).id)
    if not ids:
        raise UsageError("请填写任务，如 1.1 制定方案")
    return list(dict.fromkeys(ids))


def split_evidence(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(links, other text) of a 佐证 cell: the links the service gives for uploads,
    and whatever else was written (file names, a description)."""
    links = tuple(dict.fromkeys(_URL.findall(text)))
    rest = tuple(p.strip() for p in _SPLIT.split(_URL.sub(" ", text)) if p.strip(" ()（）"))
    return links, rest


@dataclass(frozen=True, slots=True)
class Row:
    """One exported submission as read from its file, nothing yet trusted."""

    number: int  # the sheet row, from 1
    cells: dict[str, tuple[str, str]]  # field → (cell ref `C7`, its text)


@dataclass(slots=True)
class Outcome:
    """What one export comes to: new reports, submissions left out, faults and warnings."""

    reports: list[Report] = field(default_factory=list)  # to write, each with `collected` set
    rows: int = 0  # submissions read
    already: int = 0  # submissions imported before, unchanged
    errors: list[str] = field(default_factory=list)  # `FILE!C7: reason`
    warnings: list[str] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # a submission's key → its row's first cell
    strangers: dict[str, str] = field(default_factory=dict)  # a submission's key → who sent it, not the liaison


def form_digest(columns: list[Column]) -> str:
    """The form's questions as this export names them: a service's row numbers
    count within one form."""
    text = "\n".join(f"{c.field}={fold_header(c.header)}" for c in columns if c.field)
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def row_key(row: Row, digest: str, when: dt.datetime | None, unit: str) -> str:
    """The submission's key: `<form digest>#<service row number>`, else
    `<提交时间>|<提交者>|<单位>` (the time to the second)."""
    number = row.cells.get(ROW_ID, ("", ""))[1].strip()
    if number:
        return f"{digest}#{number}"
    who = " ".join(row.cells.get(SUBMITTER, ("", ""))[1].split())
    return f"{when.isoformat(timespec='seconds')}|{who}|{unit}"


# build_report names an option in its refusals (report add's words) → the column it is about
_OPTION_FIELDS = {"数量": COUNT, "比率": RATE, "说明": NOTE, "报告人": REPORTER, "佐证": EVIDENCE, "日期": DATE}


def _refusal_field(book, task: str, message: str) -> tuple[str, str]:
    from lanxi_cli.core.book import lead_acts
    from lanxi_cli.core.forms import _refusal_cell

    if "既不牵头也不负责" in message or message == lead_acts(book, book.task_by_id[task]):  # report_faults' "unit"
        return UNIT, message
    if "--part" in message:
        return PART, message.replace("--part", "分项").replace("（--rate）", "").replace("（--count）", "")
    column, message = _refusal_cell(message)
    return _OPTION_FIELDS.get(column, TASK), message


def read_rows(book, rows: list[Row], digest: str, as_of: dt.date, recorded: str, by: str, where: str) -> Outcome:
    """Every submission → its checked reports (build_report, as `report add`
    checks one, bare `done` on a counted task included), or a fault on its
    cell (`where` + `C7`). Nothing here consults earlier reports."""
    from lanxi_cli.core.forms import parse_count, parse_rate, parse_status
    from lanxi_cli.core.reporting import MAX_EVIDENCE, Draft, build_report, check_text

    out = Outcome()
    seen: dict[str, int] = {}  # key → how many rows had it
    for row in rows:
        cells = {name: (ref, "" if _unanswered(text) else text) for name, (ref, text) in row.cells.items()}
        if not any(text.strip() for _, text in cells.values()):
            continue
        out.rows += 1
        faults: list[tuple[str, str]] = []
        values: dict[str, object] = {}

        def read(name, parse, cells=cells, values=values, faults=faults):
            ref_text = cells.get(name)
            if ref_text is None or not ref_text[1].strip():
                return
            try:
                values[name] = parse(ref_text[1].strip())
            except (ValueError, UsageError) as exc:
                faults.append((name, exc.message if isinstance(exc, UsageError) else str(exc)))

        read(UNIT, book.resolve_unit)
        read(TASK, lambda text: read_tasks(book, text))
        read(STATUS, parse_status)
        read(COUNT, parse_count)
        read(RATE, parse_rate)
        read(SUBMITTED, read_moment)
        read(DATE, lambda text: read_date(text, as_of))
        for name in (UNIT, TASK, STATUS):
            if name not in values and not any(f == name for f, _ in faults):
                faults.append((name, f"请填写{name}"))
        if SUBMITTED in cells and SUBMITTED not in values and not any(f == SUBMITTED for f, _ in faults):
            faults.append((SUBMITTED, "提交时间为空：导出时请保留它"))
        if SUBMITTED not in values and not cells.get(ROW_ID, ("", ""))[1].strip() and ROW_ID in cells:
            faults.append((ROW_ID, "序号为空，又没有提交时间：认不出这一行是哪次提交"))
        day = values.get(DATE) or (values[SUBMITTED].date() if SUBMITTED in values else None)
        if day is None and DATE not in dict(faults):
            faults.append((DATE, "请填写完成日期"))
        links, others = split_evidence(cells.get(EVIDENCE, ("", ""))[1])
        for link in links:
            try:
                check_text(link, "佐证", MAX_EVIDENCE)
            except UsageError as exc:
                faults.append((EVIDENCE, exc.message))
        tasks = values.get(TASK, [])
        if len(tasks) > 1 and (COUNT in values or RATE in values):
            faults.append((COUNT if COUNT in values else RATE,
                           f"一次报了 {len(tasks)} 项任务，数量或比率不知算哪一项；请每项任务分别提交"))
        reporter = " ".join(cells.get(REPORTER, ("", ""))[1].split())
        submitter = " ".join(cells.get(SUBMITTER, ("", ""))[1].split())
        made = []
        if not faults:
            key = row_key(row, digest, values.get(SUBMITTED), values[UNIT])
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1 and ROW_ID in cells and cells[ROW_ID][1].strip():
                faults.append((ROW_ID, f"序号 {cells[ROW_ID][1].strip()} 在这个文件中出现了两次"))
            elif seen[key] > 1:  # two sent in one second (or minute, where the export shows no seconds)
                key = f"{key}#{seen[key]}"
            for task in tasks if not faults else ():
                draft = Draft(task=task, unit=values[UNIT], date=day, status=values[STATUS],
                              count=values.get(COUNT), rate=values.get(RATE),
                              part=cells.get(PART, ("", ""))[1].strip() or None,
                              note=cells.get(NOTE, ("", ""))[1].strip(), by=reporter or submitter or by,
                              evidence=others)
                try:
                    report = build_report(book, draft, as_of, recorded)
                except UsageError as exc:
                    faults.append(_refusal_field(book, task, exc.message))
                    break
                made.append(replace(report, collected=key, evidence_links=links))
        if faults:
            for name, reason in faults:
                ref = (cells.get(name) or cells.get(TASK) or next(iter(cells.values())))[0]
                out.errors.append(f"{where}{ref}: {reason}")
            continue
        first = min((ref for ref, _ in cells.values()), key=_cell_order)
        out.places[made[0].collected] = f"{where}{first}"
        out.reports += made
        person = reporter or submitter
        owner = book.owner(book.task_by_id[made[0].task], made[0].unit)[0]
        liaison = book.units[owner].liaison.name if owner in book.units else ""
        if person and liaison and fold_header(person) != fold_header(liaison):
            out.strangers[made[0].collected] = (f"提交者“{person}”不是{owner}备案的联络员（{liaison}）；"
                                                "已照常导入，请核实")
    return out


# 问卷星 writes an optional question left empty as (空), one skipped by the form's logic as (跳过)
_UNANSWERED = frozenset({"(空)", "(跳过)", "空", "跳过", "-", "—", "无"})


def _unanswered(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip() in _UNANSWERED


def _cell_order(ref: str) -> tuple[int, str]:
    letters = ref.rstrip("0123456789")
    return len(letters), letters


# ---- already imported? -------------------------------------------------------------

_COMPARED = {"task": TASK, "unit": UNIT, "date": DATE, "status": STATUS, "count": COUNT, "rate": RATE,
             "note": NOTE, "evidence": EVIDENCE, "evidence_links": EVIDENCE}


def sort_out(outcome: Outcome, earlier: dict[str, list[Report]], said: dict[tuple, Report]) -> None:
    """Leave out the submissions imported before (`earlier`: key → its reports);
    one changed since is a conflict naming the earlier reports. A report saying
    what one already recorded says (`said`: forms.same_report → report, from any
    command) is left out with a warning naming it."""
    from lanxi_cli.core.forms import same_report

    by_key: dict[str, list[Report]] = {}
    for report in outcome.reports:
        by_key.setdefault(report.collected, []).append(report)
    fresh = []
    for key, reports in by_key.items():
        before = earlier.get(key)
        if before is None and key in outcome.strangers:  # warned of once, when it is imported
            outcome.warnings.append(f"{outcome.places[key]}: {outcome.strangers[key]}")
        if before is None:
            for report in reports:
                twin = said.get(same_report(report))
                if twin is None:
                    fresh.append(report)
                else:
                    outcome.warnings.append(
                        f"{outcome.places[key]}: 与已记录的报告 {twin.id} 完全相同"
                        "（任务、单位、日期、状态、数量、比率、说明），已跳过；若确是又一次完成，请在说明中写明")
            continue
        changed = _changes(before, reports)
        if not changed:
            outcome.already += 1
        else:
            outcome.errors.append(
                f"{outcome.places[key]}: 这次提交已导入为报告 {'、'.join(r.id for r in before)}，"
                f"之后{'、'.join(changed)}又被改动；为免重复，这个文件不导入。"
                "请核实；如需更正，请用 lanxi report amend 更正已导入的报告")
    outcome.reports = fresh


def _changes(before: list[Report], now: list[Report]) -> list[str]:
    if sorted(r.task for r in before) != sorted(r.task for r in now):
        return [TASK]
    old = {r.task: r for r in before}
    return list(dict.fromkeys(name for r in now for f, name in _COMPARED.items()
                              if getattr(old[r.task], f) != getattr(r, f)))


def commit_message(outcome: Outcome, file_name: str) -> str:
    """`收集表导入 3 份报告：兰溪镇禁毒工作进展.xlsx` (or only its confirmed column mapping)."""
    if not outcome.reports:
        return f"收集表列对应：{file_name}（没有新的报告）"
    return f"收集表导入 {len(outcome.reports)} 份报告：{file_name}"
