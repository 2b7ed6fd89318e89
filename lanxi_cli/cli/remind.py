"""`remind`: what to send each unit's liaison."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, Format, FormatOpt, OutputOpt, complete_unit, emit, open_session


def remind(
    unit: Annotated[str | None, typer.Option("--unit", "-u", shell_complete=complete_unit, help="只看该单位")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """催办提醒：给每个有逾期、即将到期任务或旬报未报的单位的联络员一条可直接发送的短信。"""
    from lanxi_cli.core import receipts
    from lanxi_cli.core import remind as rules
    from lanxi_cli.render.collect import RemindersView

    session = open_session(data, as_of)
    obligations = session.obligations()
    owners = dict.fromkeys(o.unit for o in obligations)  # the units `status` lists
    late = receipts.state(session.book, session.records("receipts"), session.reports, session.as_of, owners)[1]
    found = rules.reminders(session.book, obligations, session.reports, session.as_of, session.unit(unit), late)
    emit(RemindersView(found, session.as_of), fmt, output)
