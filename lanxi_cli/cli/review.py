"""销号 review, extensions (延期) and exemptions (不适用): `report review`,
`extension request|decide|list`, `exemption request|decide|list`.

Each request and each decision is its own new file; nothing is ever edited.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    TASK_HELP,
    AsOfOpt,
    DataOpt,
    Format,
    FormatOpt,
    NoCommitOpt,
    OutputOpt,
    complete_id,
    complete_task,
    complete_unit,
    emit,
    open_session,
    parse_date,
    publish,
    recorded_now,
)

ApproveOpt = Annotated[bool, typer.Option("--approve", help="同意")]
RejectOpt = Annotated[bool, typer.Option("--reject", help="不同意（退回）")]
ByOpt = Annotated[
    str, typer.Option("--by", shell_complete=complete_unit, help="审核单位：任务的牵头单位或考核单位（禁毒办）")
]
NoteOpt = Annotated[str, typer.Option("--note", help="审核意见")]
DECISIONS = {"approved": "同意", "rejected": "退回"}  # in commit subjects


def _decide(session, record: str, approve: bool, reject: bool, by: str, note: str, kind: str, what: str):
    """Write a review of one loaded report or extension request (named by id or path); its path."""
    from lanxi_cli.core import reviews
    from lanxi_cli.core.domain import Review
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import locate, save

    if approve == reject:
        raise UsageError("请在 --approve（同意）和 --reject（退回）中选择一个")
    subject = session.record(record, (kind,), what)
    review = Review(
        subject=subject.id, decision="approved" if approve else "rejected",
        by=session.book.resolve_unit(by), date=session.as_of, note=note, recorded=recorded_now(),
    )
    review, faults = reviews.review_faults(session.book, review, {subject.id: subject})
    if faults:
        raise UsageError("；".join(message for _, message in faults))
    path = save.save_record(
        session.data_dir, locate.REVIEWS_DIR, review, review.by, subject.task, subject.unit
    )
    return path, review, subject


def file_request(session, folder: str, check, record, what: str, tail: str):
    """Check a new extension or exemption request against the plan (`check`
    gives it its canonical unit and period), then write it: (its path, its commit message).
    Shared with lanxi serve."""
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import save

    record, faults = check(session.book, record)
    if faults:
        raise UsageError("；".join(message for _, message in faults))
    path = save.save_record(session.data_dir, folder, record, record.unit, record.task)
    period = f" {record.period}" if record.period else ""
    return path, f"{what}：{record.task} {record.unit}{period}{tail}"


def extension_request(session, task: str, unit: str, until, reason: str, period: str | None, by: str):
    """延期申请 as typed → (its path, its commit message); the period defaults to the first not yet due."""
    from lanxi_cli.core import reporting, reviews
    from lanxi_cli.core.domain import Extension
    from lanxi_cli.io import locate

    book = session.book
    the_task = book.resolve_task(task)
    reason = reporting.reason_text(reason, "延期理由")
    if period is None:
        occs = book.occurrences(the_task)
        period = next((o.label for o in occs if o.due >= session.as_of), occs[-1].label)
    ext = Extension(
        task=the_task.id, unit=book.resolve_unit(unit), until=parse_date(until, "--until"),
        reason=reason, date=session.as_of, period=period, by=by, recorded=recorded_now(),
    )
    return file_request(session, locate.EXTENSIONS_DIR, reviews.extension_faults, ext, "延期申请", f" 延至 {ext.until}")


def exemption_request(session, task: str, unit: str, reason: str, period: str | None, by: str):
    """不适用申请 as typed → (its path, its commit message); without a period, every period of the task."""
    from lanxi_cli.core import reporting, reviews
    from lanxi_cli.core.domain import Exemption
    from lanxi_cli.io import locate

    book = session.book
    ex = Exemption(
        task=book.resolve_task(task).id, unit=book.resolve_unit(unit),
        reason=reporting.reason_text(reason, "不适用的理由"),
        date=session.as_of, period=period, by=by.strip(), recorded=recorded_now(),
    )
    return file_request(session, locate.EXEMPTIONS_DIR, reviews.exemption_faults, ex, "不适用申请", "")


def review(
    record: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id("reports"),
                                          help="被审核的报告：编号（文件名去掉 .yaml）或文件路径")],
    approve: ApproveOpt = False,
    reject: RejectOpt = False,
    by: ByOpt = ...,
    note: NoteOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """销号核验：牵头单位同意或退回一份完成申报。

    审核另写一个文件（data/reviews/），报告本身不改；退回的申报不计入完成。
    在终端上不给 --approve 或 --reject 时，先列出报告和它的佐证材料，再询问。
    """

    session = open_session(data, as_of)
    if not approve and not reject:
        approve, reject = _ask_decision(session, record)
    publish(session.data_dir, *review_claim(session, record, approve, reject, by, note), no_commit)


def review_claim(session, record: str, approve: bool, reject: bool, by: str, note: str):
    """销号: write one review of a report; (its path, its commit message). Shared with lanxi serve."""
    path, rev, report = _decide(session, record, approve, reject, by, note, "reports", "报告")
    return path, f"销号核验：{report.task} {report.unit} {report.date} {DECISIONS[rev.decision]}（{rev.by}）"


def _ask_decision(session, record: str) -> tuple[bool, bool]:
    """On a terminal: the report, its evidence files first, on stderr, then the question
    (同意/退回); elsewhere the choice is required."""
    import sys

    from lanxi_cli.cli import report as report_cli
    from lanxi_cli.errors import UsageError
    from lanxi_cli.render.tables import render

    if not report_cli._interactive():
        raise UsageError("请在 --approve（同意）和 --reject（退回）中选择一个")
    render(report_cli.report_view(session, session.record(record, ("reports",), "报告")), "table", sys.stderr)
    while True:
        answer = typer.prompt("看过佐证材料后：同意还是退回？（同意/退回）", err=True).strip()
        if answer in ("同意", "approve", "y"):
            return True, False
        if answer in ("退回", "reject", "n"):
            return False, True
        typer.echo("请回答 同意 或 退回", err=True)


def request(
    task: Annotated[str, typer.Option("--task", "-t", autocompletion=complete_task, help=TASK_HELP)],
    unit: Annotated[str, typer.Option("--unit", "-u", shell_complete=complete_unit, help="申请延期的单位")],
    until: Annotated[str, typer.Option("--until", help="申请延至哪一天")],
    reason: Annotated[str, typer.Option("--reason", help="延期理由")],
    period: Annotated[str | None, typer.Option("--period", "-p", help="哪一期，默认最近未到期的一期")] = None,
    by: Annotated[str, typer.Option("--by", help="经办人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """延期申请：在截止日期前提出，写明理由和新的日期，由牵头单位审批。"""
    session = open_session(data, as_of)
    publish(session.data_dir, *extension_request(session, task, unit, until, reason, period, by), no_commit)


def decide(
    record: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id("extensions"),
                                          help="延期申请：编号（文件名去掉 .yaml）或文件路径")],
    approve: ApproveOpt = False,
    reject: RejectOpt = False,
    by: ByOpt = ...,
    note: NoteOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """延期审批：牵头单位同意或不同意一份延期申请。

    审批另写一个文件（data/reviews/）；同意后该项义务的截止日期改为申请的日期。
    """

    session = open_session(data, as_of)
    publish(session.data_dir, *decide_extension(session, record, approve, reject, by, note), no_commit)


def decide_extension(session, record: str, approve: bool, reject: bool, by: str, note: str):
    """延期审批: write one decision on an extension request; (its path, its commit message)."""
    path, rev, ext = _decide(session, record, approve, reject, by, note, "extensions", "延期申请")
    period = f" {ext.period}" if ext.period else ""
    return path, f"延期审批：{ext.task} {ext.unit}{period} 延至 {ext.until} {DECISIONS[rev.decision]}（{rev.by}）"


def list_extensions(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """延期申请一览：原截止日期、申请日期、理由和审批结果。"""
    from lanxi_cli.core import reviews
    from lanxi_cli.render import shapes
    from lanxi_cli.render.tables import DECISION_NAMES, Listing

    session = open_session(data, as_of)
    decided = reviews.decisions(session.reviews, session.as_of)
    rows = [shapes.extension(*row) for row in reviews.extension_rows(session.book, session.extensions, decided,
                                                                       session.as_of)]
    table = [("task", "任务", False), ("unit", "单位", False), ("period", "周期", False), ("due", "原截止", False),
             ("until", "延至", False), ("decision", "审批", False), ("reason", "理由", True)]
    columns = ("task", "unit", "period", "due", "until", "date", "reason", "decision", "file")
    emit(Listing(rows, table, f"延期申请（截至 {session.as_of}）", f"截至 {session.as_of}，没有延期申请。",
                 {"decision": DECISION_NAMES}, columns, {"due": "原截止日期", "date": "申请日期"}), fmt, output)


def request_exemption(
    task: Annotated[str, typer.Option("--task", "-t", autocompletion=complete_task, help=TASK_HELP)],
    unit: Annotated[str, typer.Option("--unit", "-u", shell_complete=complete_unit, help="申请不适用的单位")],
    reason: Annotated[str, typer.Option("--reason", help="不适用的理由（如：本村无高中）")],
    period: Annotated[str | None, typer.Option("--period", "-p", help="哪一期；不写则该任务的每一期")] = None,
    by: Annotated[str, typer.Option("--by", help="经办人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """不适用申请：某项义务对本单位不适用（如无高中的村之于 3.3），由牵头单位或禁毒办审批。"""
    session = open_session(data, as_of)
    publish(session.data_dir, *exemption_request(session, task, unit, reason, period, by), no_commit)


def decide_exemption(
    request_id: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id("exemptions"),
                                              help="不适用申请的编号（文件名去掉 .yaml）或文件路径")],
    approve: ApproveOpt = False,
    reject: RejectOpt = False,
    by: ByOpt = ...,
    note: NoteOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """不适用审批：牵头单位或禁毒办同意或不同意一份不适用申请。

    审批另写一个文件（data/reviews/）；同意后该项义务标为“不适用”，不计入任何统计和考核。
    """
    session = open_session(data, as_of)
    publish(session.data_dir, *decide_exemption_request(session, request_id, approve, reject, by, note), no_commit)


def decide_exemption_request(session, record: str, approve: bool, reject: bool, by: str, note: str):
    """不适用审批: write one decision on an exemption request; (its path, its commit message)."""
    path, rev, ex = _decide(session, record, approve, reject, by, note, "exemptions", "不适用申请")
    period = f" {ex.period}" if ex.period else ""
    return path, f"不适用审批：{ex.task} {ex.unit}{period} {DECISIONS[rev.decision]}（{rev.by}）"


def list_exemptions(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """不适用申请一览：任务、单位、周期、理由和审批结果。"""
    from lanxi_cli.core import reviews
    from lanxi_cli.render import shapes
    from lanxi_cli.render.tables import DECISION_NAMES, Listing

    session = open_session(data, as_of)
    found = reviews.exemption_rows(session.exemptions, session.reviews, session.as_of)
    rows = [shapes.exemption(*row) for row in found]
    table = [("task", "任务", False), ("unit", "单位", False), ("period", "周期", False), ("date", "申请日期", False),
             ("decision", "审批", False), ("reason", "理由", True), ("id", "编号", True)]
    columns = ("id", "task", "unit", "period", "reason", "decision", "date", "by", "file")
    words = {"period": {None: "全部"}, "decision": {**DECISION_NAMES, None: DECISION_NAMES["pending"]}}
    emit(Listing(rows, table, "不适用申请", "没有不适用申请。", words, columns, {"date": "申请日期", "by": "经办人"}),
         fmt, output)
