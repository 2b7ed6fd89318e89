"""Reviews (销号核验), extensions (延期) and exemptions (不适用): which apply to
which obligations, and who may decide them. Pure: no files, no printing.

- A review (data/reviews/) is a lead's decision on a filed request: a
  completion claim (a report), an extension request (data/extensions/) or an
  exemption request (data/exemptions/). For each request the latest review
  dated on or before the as-of day counts: a decision changes answers from
  its own date (valid time), never before it. A withdrawal corrects a record
  and applies on every day (the snapshot leaves withdrawn records out).
- A rejected report is left out of the engine entirely (its counts too), so
  the obligation it claimed reopens; an approved one verifies the obligation.
- An approved extension moves its one obligation's due date to `until`.
- An approved exemption makes its obligation (one occurrence, or every
  occurrence of the task where it names no period) `exempt`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from lanxi_cli.core.book import Book, period_choices, task_and_unit
from lanxi_cli.core.domain import Exemption, Extension, Report, Review, Task, id_of, record_order

# ---- what applies on the as-of day ------------------------------------------------


class History:
    """Each reviewed record's decisions in record order (by date first); the
    one in force on a day is the latest dated on or before it. The one home
    of that rule: decisions() and the obligation index ask it."""

    def __init__(self, reviews):
        self.of: dict[str, list[tuple[dt.date, str]]] = {}
        for review in sorted(reviews, key=record_order):
            self.of.setdefault(review.subject, []).append((review.date, review.decision))

    def on(self, record_id: str, day: dt.date) -> str | None:
        found = None
        for date, decision in self.of.get(record_id, ()):
            if date > day:
                break
            found = decision
        return found

    def as_of(self, day: dt.date) -> OnDay:
        return OnDay(self, day)


class OnDay:
    """The decisions in force on one day, asked by id (.get, as of a dict)."""

    def __init__(self, history: History, day: dt.date):
        self.history, self.day = history, day

    def get(self, record_id: str, default=None) -> str | None:
        found = self.history.on(record_id, self.day)
        return default if found is None else found


def decisions(reviews, as_of: dt.date) -> dict[str, str]:
    """Each reviewed record's id → the decision in force on `as_of`."""
    history = History(reviews)
    return {record_id: found for record_id in history.of if (found := history.on(record_id, as_of)) is not None}


def extended_dues(extensions, decided: dict[str, str], as_of: dt.date) -> dict[tuple, dt.date]:
    """(task, unit, period label) → the due date an approved extension sets;
    where several are approved, the latest request wins."""
    out: dict[tuple, dt.date] = {}
    for ext in sorted(extensions, key=record_order):
        if ext.date <= as_of and decided.get(ext.id) == "approved":
            out[(ext.task, ext.unit, ext.period)] = ext.until
    return out


def exempted(exemptions, decided: dict[str, str], as_of: dt.date) -> set[tuple]:
    """(task, unit, period label or None for every period) of each exemption
    approved on `as_of` (`decided`: the decisions in force that day): from the
    approval's date on, as every decision."""
    return {(ex.task, ex.unit, ex.period) for ex in exemptions
            if ex.date <= as_of and decided.get(ex.id) == "approved"}


def exemption_rows(exemptions, reviews, as_of: dt.date) -> list[tuple]:
    """Exemption requests made by `as_of`, oldest first, each with the decision
    in force that day (None while pending)."""
    decided = decisions(reviews, as_of)
    return [(ex, decided.get(ex.id)) for ex in sorted(exemptions, key=record_order) if ex.date <= as_of]



def is_claim(report: Report) -> bool:
    """A report a lead may review (销号): it says done, or reports a count."""
    return report.status == "done" or report.count is not None


def awaiting(reports, decided: dict[str, str], as_of: dt.date) -> list[Report]:
    """The 销号 queue: claims made by `as_of` with no decision in force, oldest first."""
    return [r for r in sorted(reports, key=record_order) if r.date <= as_of and is_claim(r) and r.id not in decided]


def verification(completed: bool, own: list[Report], rejected_here: bool, decided: dict[str, str]) -> str | None:
    """verified: completed and one of its own reports approved; claimed: completed,
    none approved yet; rejected: not completed because a claim was rejected."""
    if completed:
        return "verified" if any(decided.get(r.id) == "approved" for r in own) else "claimed"
    return "rejected" if rejected_here else None


def extension_rows(book: Book, extensions, decided: dict[str, str], as_of: dt.date) -> list[tuple]:
    """Extension requests asked by `as_of`, oldest first, each with the plan's
    due date and the decision (pending while none)."""
    return [
        (ext, book.occurrence_for(book.task_by_id[ext.task], ext.period).due, decided.get(ext.id, "pending"))
        for ext in sorted(extensions, key=record_order) if ext.date <= as_of
    ]


# ---- who may decide, what a file may say ------------------------------------------


def deciders(book: Book, task: Task) -> tuple[str, ...]:
    """The units that may review a claim or an extension on `task`: its lead and the assessor."""
    assessor = book.canonical(book.plan.assessment.assessor) if book.plan.assessment.assessor else None
    return tuple(dict.fromkeys(u for u in (book.lead(task), assessor) if u))


def review_faults(book: Book, review: Review, subjects: dict) -> tuple[Review, list[tuple[str, str]]]:
    """Check a review against what it reviews, named by id (a path is read as
    its file name): (review with canonical `by` and subject id, [(field, message)])."""
    faults: list[tuple[str, str]] = []
    by = book.canonical(review.by)
    if by is None:
        faults.append(("by", f"未知单位“{review.by}”"))
    subject_id = id_of(review.subject)
    if subject_id != review.subject:  # a path named it
        review = replace(review, subject=subject_id)
    subject = subjects.get(subject_id)
    if subject is None:
        faults.append(("subject", f"找不到被审核的报告、延期申请或不适用申请“{review.subject}”（或该文件无效）"))
        return review, faults
    if isinstance(subject, Report) and subject.task is None:
        faults.append(("subject", "该报告是旬报，不属于任何任务、不申报完成，无需核验"))
        return review, faults
    task = book.task_by_id[subject.task]
    if by is not None and by not in deciders(book, task):
        faults.append(("by", f"{by} 不是任务 {task.id} 的牵头单位，也不是考核单位，无权审核"))
    if isinstance(subject, Report) and not is_claim(subject):
        faults.append(("subject", "该报告既未申报完成（status: done）也未报告数量，无需核验"))
    if review.date < subject.date:
        faults.append(("date", f"审核日期 {review.date} 早于被审核文件的日期 {subject.date}"))
    return (replace(review, by=by) if by and by != review.by else review), faults


def _holder(book: Book, record, what: str):
    """A request's task and canonical unit, which must hold obligations on the task."""
    task, unit, faults = task_and_unit(book, record)
    if task is not None and unit is not None and unit not in book.task_units(task):
        faults.append(("unit", f"{unit} 不负责任务 {task.id}，无从{what}"))
    return task, unit, faults


def extension_faults(book: Book, ext: Extension) -> tuple[Extension, list[tuple[str, str]]]:
    """Check an extension request: (request with canonical unit and period, [(field, message)]).
    It must be asked on or before the occurrence's due date, for a later date."""
    task, unit, faults = _holder(book, ext, "延期")
    if faults:
        return ext, faults
    occ = book.occurrence_for(task, ext.period)
    if occ is None:
        has = f"没有周期“{ext.period}”" if ext.period else "有多个周期，需要写明 period"
        faults.append(("period", f"任务 {task.id} {has}{period_choices(book, task)}"))
        return ext, faults
    if ext.date > occ.due:
        faults.append(("date", f"申请日期 {ext.date} 已过截止日期 {occ.due}；延期须在截止前申请"))
    if ext.until <= occ.due:
        faults.append(("until", f"延期后的日期 {ext.until} 应晚于原截止日期 {occ.due}"))
    return replace(ext, unit=unit, period=occ.label), faults


def exemption_faults(book: Book, ex: Exemption) -> tuple[Exemption, list[tuple[str, str]]]:
    """Check an exemption request: (request with canonical unit and period, [(field, message)]).
    Without a period it asks for every occurrence of the task."""
    task, unit, faults = _holder(book, ex, "申请不适用")
    if faults:
        return ex, faults
    period = ex.period
    if period is not None:
        occ = book.occurrence_for(task, period)
        if occ is None:
            faults.append(("period", f"任务 {task.id} 没有周期“{period}”{period_choices(book, task)}"))
            return ex, faults
        period = occ.label
    return replace(ex, unit=unit, period=period), faults
