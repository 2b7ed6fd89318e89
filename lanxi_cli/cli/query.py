"""Query commands: tasks, status, units, check. Each: options → session → engine → view."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, Format, FormatOpt, OutputOpt, complete_unit, emit, open_session, warn


def tasks(
    overdue: Annotated[bool, typer.Option("--overdue", help="只列出有逾期的任务")] = False,
    due_within: Annotated[
        int | None,
        typer.Option("--due-within", min=0, max=3660, metavar="DAYS",
                     help="只列出 N 天内（0 到 3660）有未完成节点到期的任务"),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", shell_complete=complete_unit, help="只列出该单位牵头或负责的任务"),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", "-c", help="类别名称包含此文字")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """任务清单：每项任务的截止日期、状态和逾期单位。"""
    from lanxi_cli.core import engine
    from lanxi_cli.render.tables import TasksView

    session = open_session(data, as_of)
    unit_name = session.unit(unit)
    rows = engine.task_rows(session.book, session.obligations(), unit_name)
    rows = engine.filter_tasks(session.book, rows, session.as_of, overdue, due_within, category)
    emit(TasksView(session.book, session.as_of, rows), fmt, output)


def status(
    unit: Annotated[str | None, typer.Option(
            "--unit", "-u", shell_complete=complete_unit, help="只看该单位：它的各项义务和它牵头的任务"
        )] = None,
    matrix: Annotated[bool, typer.Option("--matrix", "-m", help="全镇一览：单位 × 任务的状态标记")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """进展总览：各单位完成情况；--unit 看单个单位，--matrix 看全镇。"""
    from lanxi_cli.core import engine
    from lanxi_cli.core.domain import GROUP_OF_KIND
    from lanxi_cli.core.overview import campaign
    from lanxi_cli.render import tables

    session = open_session(data, as_of)
    book = session.book
    unit_name = session.unit(unit)
    obligations = session.obligations()
    if unit_name is not None:
        own = [o for o in obligations if o.unit == unit_name]
        from lanxi_cli.core.measures import taken

        inspected = [o for o in obligations if o.subject == unit_name]  # the lead acts on it: apart, in no tally
        leads = engine.lead_summaries(book, obligations, unit_name)
        rates = engine.town_tally(own, session.as_of).rates
        view = tables.UnitStatusView(session.as_of, book.units[unit_name], own, leads, rates,
                                     taken(session.measures, session.as_of, unit_name), inspected)
    elif matrix:
        units, cell = engine.state_matrix(book, obligations, session.as_of)
        view = tables.MatrixView(campaign(book, session.as_of), [t.id for t in book.tasks], units, cell)
    else:
        from lanxi_cli.core import receipts

        tallies = engine.tally(book, obligations, session.as_of)
        acks, late = receipts.state(book, session.records("receipts"), session.reports, session.as_of,
                                    [t.unit for t in tallies])
        view = tables.StatusView(campaign(book, session.as_of), tallies, GROUP_OF_KIND, acks, late,
                                 receipts.deadline(book))
    emit(view, fmt, output)


def units(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """单位名册：村（社区）、镇属部门及其他单位，别名与联络员。"""
    from lanxi_cli.render.tables import UnitsView

    book = open_session(data, as_of).book
    groups = [(group.name, len(book.group(group.name))) for group in book.plan.groups]
    emit(UnitsView(book.plan.town, list(book.units.values()), groups), fmt, output)


def check(
    pending: Annotated[bool, typer.Option("--pending", help="只列出待核实的截止规则和待确认的简称")] = False,
    data: DataOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """校验 plan.yaml、tasks.yaml 和全部报告，列出发现的每一处问题。"""
    from lanxi_cli.io import locate
    from lanxi_cli.render.tables import CheckView
    from lanxi_cli.store import snapshot

    if pending:
        from lanxi_cli.io import load
        from lanxi_cli.render.towns import PendingView

        return emit(PendingView(load.load_book(locate.find_data_dir(data))), fmt, output)
    from lanxi_cli.io.plan_edit import uncommitted

    data_dir = locate.find_data_dir(data)
    book, reports, problems, warnings = snapshot.check(data_dir)
    counts = (len(book.tasks), len(book.units)) if book else (None, None)
    emit(CheckView(problems, *counts, len(reports), warnings), fmt, output)
    for path, command in uncommitted(data_dir):
        warn(f"{locate.display_path(path, data_dir)} 有尚未提交的修改（手工编辑后没有提交）；"
             f"核对无误后提交，别人同步时才看得到：{command}")
    if problems:
        raise typer.Exit(1)
