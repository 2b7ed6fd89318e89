"""Recording progress, the pure part: a checked report draft, what it counts
toward, the 旬报 windows, who filed nothing in one, and the commit message.
No I/O here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from lanxi_cli.core.book import progress_report_extras, report_faults
from lanxi_cli.core.calendar import latest_window
from lanxi_cli.core.domain import CONTROL, PROGRESS_REPORT, Report, State, record_order
from lanxi_cli.errors import UsageError

MAX_NOTE = 4000  # characters; a note is a few lines, not a document
MAX_FIELD = 200  # --by, --period
MAX_EVIDENCE = 1000  # one path or URL
_BAD_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}  # controls, lone surrogates, private use, unassigned


# ---- a report draft ---------------------------------------------------------------


def check_text(text: str, option: str, limit: int, newlines: bool = False) -> str:
    """Refuse text that is too long or holds control characters, bidi
    overrides among them (domain.CONTROL; newline and tab allowed only where
    `newlines`)."""
    if len(text) > limit:
        raise UsageError(f"{option} 过长（{len(text)} 个字符，上限 {limit}）")
    allowed = "\n\t" if newlines else ""
    for i, char in enumerate(text):
        if char not in allowed and (unicodedata.category(char) in _BAD_CATEGORIES or CONTROL.match(char)):
            raise UsageError(f"{option} 的第 {i + 1} 个字符是控制字符或无效字符（U+{ord(char):04X}），请删去")
    return text


def reason_text(text: str, what: str) -> str:
    """A required --reason (延期, 不适用, 撤回, 更正): stripped, never empty, checked like a note."""
    if not text.strip():
        raise UsageError(f"--reason 不能为空：请写明{what}")
    return check_text(text.strip(), "--reason", MAX_NOTE, newlines=True)


@dataclass(frozen=True, slots=True)
class Draft:
    """What the user typed for `report add`, before it is checked: `task`
    None for a 旬报 alone, `status` None where none was given (progress)."""

    task: str | None
    unit: str
    date: dt.date
    status: str | None = None
    count: int | None = None
    rate: float | None = None
    period: str | None = None
    note: str = ""
    by: str = ""
    evidence: tuple[str, ...] = ()  # links and text
    part: str | None = None
    files: tuple = ()  # Attachments, hashed and checked against the plan's limits (io.evidence.prepare)


def build_report(book, draft: Draft, as_of: dt.date, recorded: str) -> Report:
    """A checked Report, with canonical unit and its period written out,
    or UsageError naming the first thing wrong. Its references are checked
    as the loader checks them (book.report_faults); a 旬报 alone (no task)
    refuses any status given, `progress` too."""
    task = book.resolve_task(draft.task) if draft.task is not None else None
    unit = book.resolve_unit(draft.unit)
    if draft.date > as_of:
        raise UsageError(f"报告日期 {draft.date} 晚于今天（{as_of}）；不能为将来的日子报告")
    if draft.count is not None and draft.count < 0:
        raise UsageError(f"--count 不能为负数（{draft.count}）")
    if draft.rate is not None and not 0 <= draft.rate <= 1:
        raise UsageError(f"--rate 应在 0 到 1 之间（{draft.rate}），如 0.85 表示 85%")
    for text, option in ((draft.period, "--period"), (draft.part, "--part")):
        if text is not None:
            check_text(text, option, MAX_FIELD)
    check_text(draft.note, "--note", MAX_NOTE, newlines=True)
    check_text(draft.by, "--by", MAX_FIELD)
    for item in draft.evidence:
        check_text(item, "--evidence", MAX_EVIDENCE)
    report = Report(
        task=task and task.id, unit=unit, date=draft.date, status=draft.status or "progress",
        count=draft.count, rate=draft.rate, period=draft.period,
        part=draft.part.strip() if draft.part is not None else None,
        note=draft.note, by=draft.by.strip(), evidence=tuple(e.strip() for e in draft.evidence if e.strip()),
        evidence_files=draft.files, recorded=recorded,
    )
    extra = progress_report_extras(report, "--", draft.status is not None) if task is None else None
    if extra:
        raise UsageError(extra)
    report, faults = report_faults(book, report, options=True)
    if faults:
        field, message = faults[0]
        hint = f"；负责单位见 lanxi tasks --unit {unit}" if field == "unit" and task and task.actor != "lead" else ""
        raise UsageError(message + hint)
    if task is None:
        return report
    lacking = quantity_lacking(book, report)
    if lacking:
        raise UsageError(lacking)
    if report.period is None:
        from dataclasses import replace

        report = replace(report, period=book.occurrence_for(task, None, report.date).label)
    return report


def bare_done_warnings(book, reports) -> list[tuple[Report, str]]:
    """Each `done` report on disk that says too little for its target (it
    completes nothing), with the `report amend` that would fix it."""
    out = []
    for report in sorted(reports, key=record_order):
        lacking = quantity_lacking(book, report)
        if lacking:
            option = ("--part 分项 " if "--part" in lacking else "") + (
                "--rate R" if "--rate" in lacking or "比率" in lacking else "--count N")
            out.append((report, f"{lacking.split('：')[0]}，这份“完成”报告没有写明，不计入完成；"
                                f"更正：lanxi report amend {report.id} {option} --reason 补报数量"))
    return out


def quantity_lacking(book, report: Report) -> str | None:
    """Why a `done` report says too little for its target, or None. A target
    needing a quantity (a count above 1, a rate, parts) decides; a bare `done`
    there completes nothing, so it is refused (a count target of 1 takes it as 1).
    Milestones keep "a `done` adds 1"."""
    task = book.task_by_id.get(report.task)  # None: a 旬报 alone, which claims nothing
    if task is None or report.status != "done" or task.deadline.rule == "milestones":
        return None
    if report.unit not in book.task_units(task):
        return None
    target = book.target(task, report.unit)
    if target is None or not target.needs_quantity:
        return None
    if target.parts:
        part = next((p for p in target.parts if p.name == report.part), None)
        if part is None:
            names = "、".join(p.name for p in target.parts)
            return (f"任务 {task.id} 的目标分项计算（{target.words()}）：请用 --part 指明分项（{names}），"
                    f"并写明{'比率（--rate）' if target.parts[0].rate is not None else '数量（--count）'}")
        counted = part.count is not None
    else:
        counted = target.count is not None
    if counted and report.count is None:
        return f"任务 {task.id} 的目标是{target.words()}：请用 --count 写明本次完成的数量"
    if not counted and report.rate is None:
        return f"任务 {task.id} 的目标是{target.words()}：请用 --rate 写明达到的比率（如 0.85）"
    return None


# ---- what a new report counts toward (report add's feedback) ---------------------------


@dataclass(frozen=True, slots=True)
class Feedback:
    """What `report add` tells the clerk: the obligation the report counts
    toward and its state after it (None where the unit only leads the task),
    earlier occurrences left overdue, and whether a `done` fell short."""

    report: Report
    obligation: object | None  # engine.Obligation
    overdue_before: tuple = ()  # earlier obligations of the task and unit, overdue and uncompleted
    lead_only: bool = False
    short: bool = False  # a `done` that the target, once counts were reported, does not accept
    window: tuple[dt.date, dt.date] | None = None  # a 旬报 alone: the 旬报 window it files


def feedback(book, report: Report, obligations) -> Feedback:
    """`obligations`: the engine's answer with the new report among the reports."""
    if report.task is None:
        return Feedback(report, None, window=book.progress_window(report.date))
    task = book.task_by_id[report.task]
    mine = [o for o in obligations if o.task.id == task.id and o.named == report.unit]
    if not mine:
        return Feedback(report, None, lead_only=True)
    if task.deadline.rule == "milestones":  # the first milestone it was not yet reached before
        ob = next((o for o in mine if o.completed_on is None or o.completed_on >= report.date), mine[-1])
    else:
        occ = book.occurrence_for(task, report.period, report.date)
        ob = next(o for o in mine if o.occ.index == occ.index)
    earlier = tuple(o for o in mine if o.occ.index < ob.occ.index and o.state == State.overdue)
    short = report.status == "done" and ob.measured and not ob.completed and not ob.exempt
    return Feedback(report, ob, earlier, short=short)


STATUS_WORDS = {"done": "完成", "progress": "进行中", "blocked": "受阻"}


def commit_message(report: Report) -> str:
    """`报告：5.1 兰溪派出所 2020-09-20 完成（张三）`, for a 旬报 alone
    `报告：旬报 苏家湖村 2020-09-20（张三）`: plain, one line, in Chinese."""
    by = f"（{report.by}）" if report.by else ""
    if report.task is None:
        return f"报告：{PROGRESS_REPORT} {report.unit} {report.date.isoformat()}{by}"
    return f"报告：{report.task} {report.unit} {report.date.isoformat()} {STATUS_WORDS[report.status]}{by}"


# ---- 旬报 windows ---------------------------------------------------------------------


def season_window(book, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The latest 旬报 window of the plan's reporting season that has ended
    before `as_of` (a window ending on the as-of day is not yet missed, as a
    task due that day is not yet overdue): from the day the rule begins
    (plan.yaml progress_reports.start, else the campaign's start) to the
    campaign's last day."""
    return latest_window(as_of - dt.timedelta(days=1), *book.progress_season())


def missing_units(book, reports, start: dt.date, end: dt.date) -> list[str]:
    """The units owing 旬报 (book order) that filed none dated inside start..end.
    Any report of the unit files its window, except one on a task the lead
    does (an inspection recorded under a village's name is not its 旬报)."""
    led = {t.id for t in book.tasks if t.actor == "lead"}
    filed = {r.unit for r in reports if start <= r.date <= end and r.task not in led}
    return [u for u in book.owes_progress_reports() if u not in filed]


# ---- listing -------------------------------------------------------------------------


def select_reports(reports, unit=None, task=None, since=None, until=None) -> list[Report]:
    """Reports matching every filter given, oldest first."""
    out = [
        r for r in reports
        if (unit is None or r.unit == unit) and (task is None or r.task == task)
        and (since is None or r.date >= since) and (until is None or r.date <= until)
    ]
    return sorted(out, key=record_order)


# ---- the history of the data -----------------------------------------------------------

_REPORT_NAME = re.compile(  # a 旬报 alone is named 旬报 where a task's id would be
    rf"^\d{{4}}-\d{{2}}-\d{{2}}-(?P<unit>.+)-(?P<task>\d+(?:\.\d+)?|{PROGRESS_REPORT})-[0-9a-f]+\.ya?ml$")
_REPORT_SUBJECT = re.compile(r"^(?:report: |报告：)(?P<task>\S+) (?P<unit>\S+)")  # this version's and earlier


def _mentions(change, unit: str | None, task: str | None) -> bool:
    """A change touches a report of this unit/task: by its file names, or by a
    subject of the form `报告：TASK UNIT ...` (`report: TASK UNIT ...` before)."""
    pairs = []
    for file in change.files:
        match = _REPORT_NAME.match(file.rsplit("/", 1)[-1])
        if match:
            pairs.append((match["unit"], match["task"]))
    match = _REPORT_SUBJECT.match(change.subject)
    if match:
        pairs.append((match["unit"], match["task"]))
    return any((unit is None or u == unit) and (task is None or t == task) for u, t in pairs)


def select_changes(changes, unit: str | None = None, task: str | None = None, since: dt.date | None = None):
    """Changes on or after `since` that touch the unit's / task's reports; order kept."""
    return [
        c for c in changes
        if (since is None or c.time.date() >= since)
        and (unit is None and task is None or _mentions(c, unit, task))
    ]
