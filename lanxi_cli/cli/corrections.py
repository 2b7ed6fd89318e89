"""Correcting the record: `withdraw`, `report withdraw`, `report amend`.

Nothing is edited or deleted: a withdrawal is a new file saying a record
counts nowhere; an amendment is a new report superseding the old one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    NoCommitOpt,
    complete_id,
    open_session,
    parse_date,
    publish,
    recorded_now,
)

ReasonOpt = Annotated[str, typer.Option("--reason", help="撤回或更正的理由")]
ByOpt = Annotated[str, typer.Option("--by", help="经办人")]
# Record folders a withdrawal may name, with what each holds (for messages).
KINDS = {
    "reports": "报告", "reviews": "审核", "extensions": "延期申请",
    "exemptions": "不适用申请", "indicators": "指标记录", "measures": "督办措施记录",
}


def _countable(session, record_id: str, kinds: tuple[str, ...], what: str):
    """The record an id or path names, refused if it already counts nowhere."""
    from lanxi_cli.core.corrections import newest
    from lanxi_cli.errors import UsageError

    record = session.record(record_id, kinds, what)
    fixes = session.corrections
    if record.id in fixes.withdrawn:
        raise UsageError(f"{what} {record.id} 已于 {fixes.withdrawn[record.id].date} 撤回，不能再撤回或更正")
    if record.id in fixes.superseded_by:
        raise UsageError(f"报告 {record.id} 已被更正，现以 {newest(fixes, record.id)} 为准；请对那一份操作")
    return record


def _first_line(text: str, limit: int = 60) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _withdraw(session, record_id: str, reason: str, by: str, no_commit: bool, kinds: tuple[str, ...], what: str):
    from lanxi_cli.core.domain import Withdrawal
    from lanxi_cli.core.reporting import MAX_FIELD, check_text, reason_text
    from lanxi_cli.io import locate, save

    record = _countable(session, record_id, kinds, what)
    kind = next(k for k in kinds if record in session.records(k))
    withdrawal = Withdrawal(
        subject=record.id, reason=reason_text(reason, "撤回的理由"), date=session.as_of,
        by=check_text(by.strip(), "--by", MAX_FIELD), recorded=recorded_now(),
    )
    path = save.save_record(session.data_dir, locate.WITHDRAWALS_DIR, withdrawal, "撤回", record.id)
    message = f"撤回{KINDS[kind]}：{record.id}（理由：{_first_line(withdrawal.reason)}）"
    publish(session.data_dir, path, message, no_commit, "撤回记录")


def withdraw(
    record: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id(*KINDS),
                                          help="要撤回的记录：编号（文件名去掉 .yaml）或文件路径")],
    reason: ReasonOpt = ...,
    by: ByOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """撤回任一记录（报告、审核、延期申请或审批、指标）：另写一份撤回记录，原记录不改，此后不再计入。"""
    session = open_session(data, as_of)
    _withdraw(session, record, reason, by, no_commit, tuple(KINDS), "记录")


def withdraw_report(
    record: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id("reports"),
                                          help="要撤回的报告：编号（文件名去掉 .yaml）或文件路径")],
    reason: ReasonOpt = ...,
    by: ByOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """撤回一份报告：另写一份撤回记录，报告本身不改；此后它（及对它的审核）不再计入。"""
    session = open_session(data, as_of)
    _withdraw(session, record, reason, by, no_commit, ("reports",), "报告")


def amend(
    record: Annotated[str, typer.Argument(metavar="ID", shell_complete=complete_id("reports"),
                                          help="要更正的报告：编号（文件名去掉 .yaml）或文件路径")],
    reason: ReasonOpt = ...,
    date: Annotated[str | None, typer.Option("--date", "-d", help="改正后的报告日期；默认沿用原日期")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="状态", help="改正后的状态：完成、进行中或受阻")]
    = None,
    count: Annotated[int | None, typer.Option("--count", "-n", help="改正后的数量，0 或正整数")] = None,
    rate: Annotated[float | None, typer.Option("--rate", help="改正后的比率，0 到 1")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="改正后计入的周期")] = None,
    note: Annotated[str | None, typer.Option("--note", help="改正后的说明")] = None,
    evidence: Annotated[list[str] | None, typer.Option(
        "--evidence", "-e", metavar="文件|网址", help="改正后的佐证材料：文件或网址（给出则整体替换）",
    )] = None,
    by: ByOpt = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """更正一份报告：写一份新报告取代旧的（未给出的字段照抄），旧报告不改、不再计入。"""
    from dataclasses import replace

    from lanxi_cli.cli.report import save_with_evidence
    from lanxi_cli.core import reporting
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import evidence as files
    from lanxi_cli.render.words import STATUS_NAMES, choices, status_code

    if status is not None:
        if status_code(status) is None:
            raise UsageError(f"--status 应为 {choices(STATUS_NAMES)}，而不是“{status}”")
        status = status_code(status)
    session = open_session(data, as_of)
    old = _countable(session, record, ("reports",), "报告")
    if evidence is not None:
        links, prepared = files.prepare(session.book, session.book.task_by_id.get(old.task), evidence)
    else:
        links, prepared = old.evidence, []
    draft = reporting.Draft(
        old.task, old.unit,
        parse_date(date, "--date") if date is not None else old.date,
        status if status is not None or old.task is None else old.status,  # a 旬报 alone takes none
        count if count is not None else old.count,
        rate if rate is not None else old.rate,
        period if period is not None else (old.period if date is None else None),
        note if note is not None else old.note,
        by.strip() or old.by,
        links,
        old.part,
        tuple(item for _, item in prepared) if evidence is not None else old.evidence_files,
    )
    new = reporting.build_report(session.book, draft, session.as_of, recorded_now())
    new = replace(new, supersedes=old.id, reason=reporting.reason_text(reason, "更正的理由"))
    paths, stored = save_with_evidence(session.data_dir, session.book.plan.evidence, [new], prepared)
    message = f"更正报告：{old.id} → {paths[0].stem}（理由：{_first_line(new.reason)}）"
    publish(session.data_dir, paths, message, no_commit, "更正后的报告", stored)
