"""Recording progress: report add/list/missing, and the git log of the data."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    Format,
    FormatOpt,
    NoCommitOpt,
    complete_task,
    complete_unit,
    open_session,
    parse_date,
    publish,
    recorded_now,
    warn,
)
from lanxi_cli.errors import UsageError


class Status(StrEnum):
    done = "done"
    progress = "progress"
    blocked = "blocked"


TaskOpt = Annotated[str | None, typer.Option("--task", "-t", autocompletion=complete_task, help="任务编号，如 5.1")]
UnitOpt = Annotated[str | None, typer.Option("--unit", "-u", autocompletion=complete_unit, help="单位名称或别名")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="只看这一天及以后（YYYY-MM-DD）")]


# ---- asking on a terminal ------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(book, task: str | None, unit: str | None) -> tuple[str, str]:
    """Missing --task/--unit: asked for on a terminal, else exit 2 naming them."""
    if task is not None and unit is not None:
        return task, unit
    if not _interactive():
        missing = "、".join(name for name, value in (("--task", task), ("--unit", unit)) if value is None)
        raise UsageError(f"缺少选项 {missing}")
    from lanxi_cli.render.tables import short

    if task is None:
        for t in book.tasks:
            typer.echo(f"  {t.id:<5} {short(t.text, 30)}", err=True)
        task = typer.prompt("任务编号")
    if unit is None:
        chosen = book.resolve_task(task)
        choices = dict.fromkeys((book.lead(chosen), *book.task_units(chosen)))
        typer.echo(f"可报告任务 {chosen.id} 的单位：{'、'.join(choices)}", err=True)
        unit = typer.prompt("单位")
    return task, unit


# ---- commands ------------------------------------------------------------------------------


def add(
    task: TaskOpt = None,
    unit: UnitOpt = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="报告日期 YYYY-MM-DD，默认今天")] = None,
    status: Annotated[Status, typer.Option("--status", "-s", help="done 完成、progress 进行中、blocked 受阻")]
    = Status.progress,
    count: Annotated[int | None, typer.Option("--count", "-n", help="本次完成的数量（次、场、条……）")] = None,
    rate: Annotated[float | None, typer.Option("--rate", help="达到的比率，0 到 1（如 0.85）")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="计入哪个周期（如 2020-09、2020-Q3、第2次）")]
    = None,
    note: Annotated[str, typer.Option("--note", help="说明（可多行）")] = "",
    by: Annotated[str, typer.Option("--by", help="报告人")] = "",
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", "-e", metavar="PATH|URL", help="佐证材料的路径或网址，可重复")
    ] = None,
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """记录一份进展报告：写入 data/reports/ 下的一个新文件，并提交到 git。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.io import save

    session = open_session(data, as_of)
    task, unit = _ask(session.book, task, unit)
    day = parse_date(date, "--date") if date is not None else session.as_of
    draft = reporting.Draft(task, unit, day, status.value, count, rate, period, note, by, tuple(evidence or ()))
    report = reporting.build_report(session.book, draft, session.as_of, recorded_now())
    path = save.save_report(session.data_dir, report)
    publish(path, reporting.commit_message(report), no_commit, "报告")



def list_(
    unit: UnitOpt = None,
    task: TaskOpt = None,
    since: SinceOpt = None,
    until: Annotated[str | None, typer.Option("--until", help="只看这一天及以前（YYYY-MM-DD）")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出进展报告，旧的在前。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.render import tables

    session = open_session(data, as_of)
    chosen = reporting.select_reports(
        session.reports,
        unit=session.unit(unit),
        task=session.task_id(task),
        since=parse_date(since, "--since") if since is not None else None,
        until=parse_date(until, "--until") if until is not None else None,
    )
    tables.show_reports([reporting.report_dict(r) for r in chosen], fmt.value)


def missing(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """旬报未报：最近一个已截止的旬报周期内，什么报告都没交的单位（及其联络员）。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.render import tables

    session = open_session(data, as_of)
    owed = session.book.owes_progress_reports()
    start, end = reporting.latest_window(session.as_of, session.book.plan.progress_reports.days)
    units = reporting.missing_units(owed, session.reports, start, end)
    tables.show_missing(session.book, start, end, units, len(owed), fmt.value)


def log(
    unit: UnitOpt = None,
    task: TaskOpt = None,
    since: SinceOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """数据修改记录（来自 git）：谁在什么时候记录了什么，新的在前。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.io import gitio
    from lanxi_cli.render import tables

    session = open_session(data, None)
    unit, task = session.unit(unit), session.task_id(task)
    day = parse_date(since, "--since") if since is not None else None
    try:
        changes = gitio.history(session.data_dir)
    except gitio.GitError as exc:
        warn(f"没有修改记录可看：{exc}")
        changes = []
    tables.show_log(reporting.select_changes(changes, unit, task, day), fmt.value)
