"""签收 (`ack`) and 佐证材料 kept lawful (`evidence remove`)."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    NoCommitOpt,
    complete_unit,
    open_session,
    parse_date,
    publish,
    recorded_now,
    warn,
)


def ack(
    unit: Annotated[list[str], typer.Option(
        "--unit", "-u", shell_complete=complete_unit,
        help="签收的单位；可重复，或写单位组（如 各村、社区），每个单位各记一份，一次提交")],
    of: Annotated[str | None, typer.Option(
        "--of", metavar="编号", help="签收的是哪份督办通知单（其编号）；不写则是专项行动的通知本身")] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="签收日期 YYYY-MM-DD，默认 --as-of 那天（今天）")]
    = None,
    by: Annotated[str, typer.Option("--by", help="签收人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """签收：记下单位已收到通知（或一份督办通知单），写入 data/receipts/ 并提交到 git。"""
    from lanxi_cli.cli.report import _units
    from lanxi_cli.core import receipts
    from lanxi_cli.core.domain import Acknowledgement, id_of
    from lanxi_cli.core.reporting import MAX_FIELD, check_text
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import locate, save

    session = open_session(data, as_of)
    book = session.book
    day = parse_date(date, "--date") if date is not None else session.as_of
    if day > session.as_of:
        raise UsageError(f"签收日期 {day} 晚于今天（{session.as_of}）")
    check_text(by, "--by", MAX_FIELD)
    notice = ""
    units = _units(book, unit)
    if of is not None:
        notice = id_of(of)
        sent = next((n for n in session.records(locate.NOTICES_DIR) if n.id == notice), None)
        if sent is None:
            raise UsageError(f"找不到督办通知单“{of}”（应为 data/{locate.NOTICES_DIR}/ 下记录的编号，"
                             "即 lanxi notice 打印的编号）")
        others = [u for u in units if u != sent.unit]  # a unit signs only for a notice sent to it
        if others:
            raise UsageError(f"督办通知单 {notice} 是发给{sent.unit}的，不是发给{'、'.join(others)}的，"
                             "不能由其签收")
        if day < sent.date:
            raise UsageError(f"签收日期 {day} 早于督办通知单 {notice} 的印发之日 {sent.date}")
    elif day < receipts.notice_day(book):
        raise UsageError(f"签收日期 {day} 早于通知印发之日 {receipts.notice_day(book)}")
    records = session.records(locate.RECEIPTS_DIR)
    done = receipts.notice_acks(records, notice, session.as_of) if notice else {
        u: a.date for u, a in receipts.acks(records, [], session.as_of).items()}
    for name in (u for u in units if u in done):
        warn(f"{name} 已于 {done[name]} 签收，不再重复记录")
    todo = [u for u in units if u not in done]
    if not todo:
        return
    recorded = recorded_now()
    made = [Acknowledgement(unit=u, date=day, of=notice, by=by.strip(), recorded=recorded) for u in todo]
    paths = [save.save_record(session.data_dir, locate.RECEIPTS_DIR, r, "签收", r.unit) for r in made]
    what = f"督办通知单 {notice}" if notice else "通知"
    who = todo[0] if len(todo) == 1 else f"{todo[0]} 等 {len(todo)} 个单位"
    publish(session.data_dir, paths, f"签收：{who} {day} 签收{what}", no_commit, "签收记录")


def remove(
    digest: Annotated[str, typer.Argument(
        metavar="摘要", help="要删除的佐证材料的摘要（data/evidence/ 下的文件名去掉扩展名）")],
    reason: Annotated[str, typer.Option("--reason", help="删除的原因，如：照片涉及在戒人员")] = ...,
    by: Annotated[str, typer.Option("--by", help="删除人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """删除一份佐证材料：从数据目录删去文件，另写一份记录保留它的摘要，一次提交。

    git 历史中仍有这个文件；依法须彻底清除时，见 README.md 第一部分第 7 节。
    """
    import os

    from lanxi_cli.core.domain import EvidenceRemoval, is_digest
    from lanxi_cli.core.reporting import MAX_FIELD, check_text, reason_text
    from lanxi_cli.errors import DataError, UsageError, os_reason
    from lanxi_cli.io import locate, save
    from lanxi_cli.io.evidence import EVIDENCE_DIR

    session = open_session(data, as_of)
    sha = digest.strip().lower().split(".", 1)[0].rsplit("/", 1)[-1]
    if not is_digest(sha):
        raise UsageError(f"“{digest}”不是 SHA-256 摘要（64 位十六进制，即 data/evidence/ 下的文件名去掉扩展名）")
    check_text(by, "--by", MAX_FIELD)
    folder = session.data_dir / EVIDENCE_DIR
    found = sorted(p for p in folder.glob(f"{sha}*") if p.name.split(".", 1)[0] == sha) if folder.is_dir() else []
    if not found:
        raise UsageError(f"data/{EVIDENCE_DIR}/ 下没有摘要为 {sha} 的文件")
    record = EvidenceRemoval(sha256=sha, reason=reason_text(reason, "删除的原因"), date=session.as_of,
                             by=by.strip(), recorded=recorded_now())
    path = save.save_record(session.data_dir, locate.REMOVALS_DIR, record, "删除佐证", sha[:12])
    for file in found:
        try:
            os.unlink(file)
        except OSError as exc:
            raise DataError(f"无法删除 {locate.display_path(file, session.data_dir)}（{os_reason(exc)}）；"
                            f"删除记录已写入 {locate.display_path(path, session.data_dir)}") from None
    publish(session.data_dir, [path], f"删除佐证材料：{sha[:12]}（理由：{record.reason.splitlines()[0]}）", no_commit,
            "删除记录", evidence=found)
