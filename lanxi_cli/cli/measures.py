"""督办 measures taken: `measure record` and `measure list`."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    Format,
    FormatOpt,
    NoCommitOpt,
    OutputOpt,
    complete_unit,
    emit,
    open_session,
    parse_date,
    publish,
    recorded_now,
)


def record(
    unit: Annotated[str, typer.Option("--unit", "-u", shell_complete=complete_unit, help="被督办的单位")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="采取的措施：提醒、约谈、述职或通报（plan.yaml 所列）")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="采取措施的日期，默认 --as-of 当天")] = None,
    note: Annotated[str, typer.Option("--note", help="说明，如约谈人、通报文号")] = "",
    by: Annotated[str, typer.Option("--by", help="经办人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """记录对一个单位实际采取的督办措施（每项一个文件），自其日期起计入。

    考核排名建议的措施最多比该单位最近一次记录的措施重一级；尚无记录时最多建议提醒。
    """
    from lanxi_cli.core import measures
    from lanxi_cli.core.domain import MeasureTaken
    from lanxi_cli.core.reporting import MAX_FIELD, check_text
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import locate, save

    session = open_session(data, as_of)
    book = session.book
    name = book.resolve_unit(unit)
    fault = measures.unit_fault(book, name) or measures.kind_fault(book, kind.strip())
    if fault:
        raise UsageError(fault)
    day = parse_date(date, "--date") if date else session.as_of
    if day > session.as_of:
        raise UsageError(f"--date {day} 晚于 --as-of {session.as_of}：不能记录将来采取的措施")
    if day < book.plan.campaign.start:
        raise UsageError(f"--date {day} 早于活动开始日期 {book.plan.campaign.start}")
    taken = MeasureTaken(unit=name, kind=kind.strip(), date=day, note=check_text(note, "--note", MAX_FIELD),
                         by=check_text(by.strip(), "--by", MAX_FIELD), recorded=recorded_now())
    path = save.save_record(session.data_dir, locate.MEASURES_DIR, taken, name, "督办")
    publish(session.data_dir, path, f"督办措施：{name} {taken.kind} {day}", no_commit)


def list_(
    unit: Annotated[str | None, typer.Option("--unit", "-u", shell_complete=complete_unit, help="只列这个单位")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """已采取的督办措施一览（截至 --as-of，已撤回的不列）。"""
    from lanxi_cli.core import measures
    from lanxi_cli.render import shapes
    from lanxi_cli.render.tables import Listing

    session = open_session(data, as_of)
    rows = [shapes.measure_taken(m) for m in measures.taken(session.measures, session.as_of, session.unit(unit))]
    table = [("date", "日期", False), ("unit", "单位", False), ("kind", "措施", False), ("note", "说明", True),
             ("by", "经办人", False), ("id", "编号", True)]
    columns = ("id", "unit", "kind", "date", "note", "by", "file")
    emit(Listing(rows, table, "已采取的督办措施", "没有记录已采取的督办措施。", {}, columns,
                 {"kind": "措施", "date": "日期", "by": "经办人"}), fmt, output)
