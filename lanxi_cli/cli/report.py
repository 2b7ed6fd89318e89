"""Recording progress: report add/list/missing, and the git log of the data."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    PERIOD_HELP,
    TASK_HELP,
    AsOfOpt,
    DataOpt,
    Format,
    FormatOpt,
    NoCommitOpt,
    OutputOpt,
    commit_or_warn,
    complete_task,
    complete_unit,
    emit,
    open_session,
    parse_date,
    recorded_now,
    warn,
)
from lanxi_cli.errors import UsageError


def _status(value: str | None) -> str | None:
    """A report status typed as its code or its Chinese word: done or 完成."""
    from lanxi_cli.render.words import STATUS_NAMES, choices, status_code

    if value is None:
        return None
    code = status_code(value)
    if code is None:
        raise typer.BadParameter(f"“{value}”不是报告状态；可选：{choices(STATUS_NAMES)}")
    return code


def _complete_status(incomplete: str) -> list[tuple[str, str]]:
    from lanxi_cli.render.words import STATUS_NAMES

    pairs = [*((name, code) for code, name in STATUS_NAMES.items()), *STATUS_NAMES.items()]
    return [pair for pair in pairs if pair[0].startswith(incomplete)]


StatusOpt = Annotated[str | None, typer.Option(
    "--status", "-s", callback=_status, autocompletion=_complete_status, metavar="状态",
    help="完成、进行中（默认；在终端上未给出则询问）或受阻",
)]
TaskOpt = Annotated[str | None, typer.Option("--task", "-t", autocompletion=complete_task, help=TASK_HELP)]
UnitOpt = Annotated[str | None, typer.Option("--unit", "-u", shell_complete=complete_unit, help="单位名称或别名")]
UnitsOpt = Annotated[list[str] | None, typer.Option(
    "--unit", "-u", shell_complete=complete_unit,
    help="单位名称或别名；可重复，或写单位组（如 各村、社区），同一份报告为每个单位各记一份",
)]
EvidenceOpt = Annotated[list[str] | None, typer.Option(
    "--evidence", "-e", metavar="文件|网址",
    help="佐证材料：照片、文档等文件（存入 data/evidence/），或网址",
)]
SinceOpt = Annotated[str | None, typer.Option("--since", help="只看这一天及以后")]


# ---- asking on a terminal ------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(book, task: str | None, units: list[str], alone: bool = False) -> tuple[str | None, list[str]]:
    """Missing --task/--unit: asked for on a terminal (again after a wrong
    answer), else exit 2 naming them. `alone`: a 旬报 without a task, which
    needs only the unit."""
    if (task is not None or alone) and units:
        return task, units
    if not _interactive():
        missing = "、".join(name for name, value in (("--task", task or alone), ("--unit", units)) if not value)
        tail = "（只报旬报时不写 --task，写 --note）" if task is None and not alone else ""
        raise UsageError(f"缺少选项 {missing}{tail}")
    from lanxi_cli.render.tables import short

    if alone:
        typer.echo(f"报送旬报的单位：{'、'.join(book.owes_progress_reports())}", err=True)
        return None, [_ask_until(lambda text: _units(book, [text])[0] and text, "单位")]
    if task is None:
        for t in book.tasks:
            typer.echo(f"  {t.id:<5} {short(t.text, 30)}", err=True)
        task = _ask_until(lambda text: book.resolve_task(text).id, "任务编号")
    if not units:
        chosen = book.resolve_task(task)
        leads = () if chosen.actor == "lead" else (book.lead(chosen),)  # where the lead acts: the units it acted on
        choices = dict.fromkeys((*leads, *book.task_units(chosen)))
        typer.echo(f"可报告任务 {chosen.id} 的单位：{'、'.join(choices)}", err=True)
        units = [_ask_until(lambda text: _units(book, [text])[0] and text, "单位")]
    return task, units


def _ask_until(check, prompt: str, **options):
    """Prompt until `check(answer)` accepts it; a refusal is shown, then asked again."""
    while True:
        answer = typer.prompt(prompt, err=True, **options)  # stdout holds the paths alone
        try:
            return check(answer)
        except UsageError as exc:
            typer.echo(f"{exc}；请重新输入", err=True)


def _ask_details(book, task: str, unit: str, status: str | None, count: int | None) -> tuple[str, int | None]:
    """On a terminal, a missing --status is asked for, and a missing --count
    where the unit owes a count (not where it only leads); elsewhere the defaults stand."""
    if not _interactive():
        return status or "progress", count
    if status is None:
        from lanxi_cli.render.words import status_code

        def pick(text: str) -> str:
            code = status_code(text)
            if code is None:
                raise UsageError(f"状态“{text}”无效，应为 完成、进行中 或 受阻")
            return code

        status = _ask_until(pick, "状态（完成/进行中/受阻）", default="进行中")
    the_task, the_unit = book.resolve_task(task), book.resolve_unit(unit)
    target = book.target(the_task, the_unit) if the_unit in book.task_units(the_task) else None
    if count is None and target is not None and target.count is not None:

        def number(text: str) -> int | None:
            if not text.strip():
                return None
            if not text.strip().isdigit():
                raise UsageError(f"数量“{text}”应为不小于 0 的整数")
            return int(text.strip())

        count = _ask_until(number, f"本次完成的数量（目标 {target.count}，可留空）", default="", show_default=False)
    return status, count


def _units(book, given: list[str], alone: bool = False) -> list[str]:
    """--unit values → canonical units, a group standing for its members; each once, in plan order.
    `alone` (a 旬报 without a task): a group stands for its members that owe 旬报 (not 禁毒办, who receives them)."""
    found: dict[str, None] = {}
    owing = set(book.owes_progress_reports()) if alone else None
    for text in given:
        members = book.group(text)
        if members and owing is not None:
            members = tuple(u for u in members if u in owing)
            if not members:
                raise UsageError(f"“{text}”中没有需要报送旬报的单位")
        for unit in members or (book.resolve_unit(text),):
            found[unit] = None
    return sorted(found, key=book.unit_order)


# ---- commands ------------------------------------------------------------------------------


def add(
    task: TaskOpt = None,
    unit: UnitsOpt = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="报告日期，默认 --as-of 那天（今天）")]
    = None,
    status: StatusOpt = None,
    count: Annotated[int | None, typer.Option("--count", "-n", help="本次完成的数量，0 或正整数")] = None,
    rate: Annotated[float | None, typer.Option("--rate", help="达到的比率，0 到 1（如 0.85）")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)]
    = None,
    part: Annotated[str | None, typer.Option(
        "--part", help="数量计入目标的哪个分项（分项名见 lanxi tasks --format json）")]
    = None,
    note: Annotated[str, typer.Option("--note", help="说明（可多行）")] = "",
    by: Annotated[str, typer.Option("--by", help="报告人")] = "",
    evidence: EvidenceOpt = None,
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """记录一份进展报告：写入 data/reports/ 下的一个新文件，并提交到 git。

    不写 --task、只写 --unit 和 --note，即报送一份旬报（如“本旬无新进展”）：计入该单位的旬报，不计入任何任务。
    """
    from lanxi_cli.core import reporting
    from lanxi_cli.io import evidence as files
    from lanxi_cli.io import locate

    session = open_session(data, as_of)
    book = session.book
    alone = task is None and bool(note.strip())  # a 旬报 without a task
    task, given = _ask(book, task, list(unit or ()), alone)
    day = parse_date(date, "--date", session.as_of) if date is not None else session.as_of
    units = _units(book, given, alone)
    state = status  # a 旬报 alone takes none: build_report refuses one given
    if not alone:
        state, count = _ask_details(book, task, units[0], status, count)
    links, prepared = files.prepare(book, book.resolve_task(task) if task is not None else None, evidence or ())
    draft = reporting.Draft(task, units[0], day, state, count, rate, period, note, by, links, part,
                            tuple(item for _, item in prepared))
    reports, paths, before = record(session, draft, units, prepared, no_commit)
    for path in paths:
        typer.echo(locate.display_path(path, session.data_dir))
    _tell(session, reports, *before)


def record(session, draft, units: list[str], prepared, no_commit: bool = False):
    """Check one report for each unit (all or nothing), store its evidence, write the
    reports and commit them in one commit: (reports, their paths, (the reports and reviews
    of their tasks and units read before they were written)). The one write path of
    `report add` and the workbench's 记录报告 (lanxi serve)."""
    from dataclasses import replace

    from lanxi_cli.core import reporting

    book = session.book
    recorded = recorded_now()
    reports = []
    for name in units:  # every unit is checked before anything is written: all or nothing
        try:
            reports.append(reporting.build_report(book, replace(draft, unit=name), session.as_of, recorded))
        except UsageError as exc:
            raise UsageError(f"{exc}（{name}；没有为任何单位写入）" if len(units) > 1 else str(exc)) from None
    pairs = {(r.task, r.unit) for r in reports}
    before = (session.reports_of(pairs), session.reviews)  # read before the new files exist: each is added once
    paths, stored = save_with_evidence(session.data_dir, book.plan.evidence, reports, prepared)
    message = reporting.commit_message(reports[0])
    if len(reports) > 1:
        message = f"{message}（共 {len(reports)} 个单位：{'、'.join(units)}）"
    if not no_commit:
        commit_or_warn(session.data_dir, [*paths, *stored], message, "报告")
    return reports, paths, before


def save_with_evidence(data_dir, rule, reports, prepared) -> tuple[list, list]:
    """Store the reports' evidence files, then write the reports: (report paths,
    evidence paths), for one commit. Where no report could be written,
    the evidence files this call stored are removed again. Warns on stderr of a
    photo taken after its report's day or long before it (plan.yaml `evidence`: `rule`)."""
    from lanxi_cli.core.evidence import photo_warning
    from lanxi_cli.io import evidence as files
    from lanxi_cli.io import save

    evidence, created = files.keep(data_dir, prepared) if prepared else ([], [])
    paths = []
    try:
        for report in reports:
            paths.append(save.save_report(data_dir, report))
    except BaseException:
        if not paths:
            files.discard(created)
        raise
    for item in reports[0].evidence_files:  # every unit's report carries the same files, dated the same day
        message = photo_warning(rule, item.name, item.taken, reports[0].date)
        if message:
            warn(f"{message}；请核实这份佐证材料")
    return paths, list(dict.fromkeys(evidence))


def _tell(session, new, reports, reviews) -> None:
    """On stderr: what each new report counts toward, and what it leaves behind."""
    from lanxi_cli.core import engine, reporting
    from lanxi_cli.render import tables

    obligations = engine.compute(session.book, [*reports, *new], session.as_of, reviews,
                                 session.extensions, session.exemptions, pairs={(r.task, r.unit) for r in new})
    for report in new:
        for line in tables.feedback_lines(reporting.feedback(session.book, report, obligations)):
            sys.stderr.write(line + "\n")


def list_(
    unit: UnitOpt = None,
    task: TaskOpt = None,
    since: SinceOpt = None,
    until: Annotated[str | None, typer.Option("--until", help="只看这一天及以前")] = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出已撤回和已被更正的报告（并注明）")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """列出进展报告，旧的在前。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.render.tables import ReportsView

    session = open_session(data, as_of)
    chosen = reporting.select_reports(
        session.records("reports") if all_ else session.reports,
        unit=session.unit(unit),
        task=session.task_id(task),
        since=parse_date(since, "--since", session.as_of) if since is not None else None,
        until=min(parse_date(until, "--until", session.as_of), session.as_of) if until is not None else session.as_of,
    )
    emit(ReportsView(chosen, session.corrections if all_ else None), fmt, output)


def show(
    record: Annotated[str, typer.Argument(metavar="ID", help="报告编号（文件名去掉 .yaml）或文件路径")],
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """查看一份报告：各项内容、佐证材料（存放位置）、销号核验，以及更正和撤回。"""
    session = open_session(data, as_of)
    emit(report_view(session, session.record(record, ("reports",), "报告")), fmt, output)


def report_view(session, report):
    """The ReportView of one report (shared with `report review`, which shows it before asking)."""
    import os

    from lanxi_cli.core.domain import PROGRESS_REPORT, record_order, task_label
    from lanxi_cli.io import locate
    from lanxi_cli.io.evidence import EVIDENCE_DIR
    from lanxi_cli.render.tables import ReportView

    folder = session.data_dir / EVIDENCE_DIR
    files = [(a, locate.display_path(folder / a.stored, session.data_dir), os.path.isfile(folder / a.stored))
             for a in report.evidence_files]
    fixes = session.corrections
    reviews = sorted((v for v in session.records("reviews") if v.subject == report.id), key=record_order)
    task = session.book.task_by_id.get(report.task)
    named = f"{task_label(task)}：{task.text}" if task else f"{PROGRESS_REPORT}（不属于任何任务）"
    return ReportView(report, named, files, reviews,
                      set(fixes.withdrawn),
                      fixes.withdrawn.get(report.id), fixes.superseded_by.get(report.id))


def missing(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """旬报未报：最近一个已截止的旬报周期内，什么报告都没交的单位（及其联络员）。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.render.tables import MissingView

    session = open_session(data, as_of)
    owed = session.book.owes_progress_reports()
    window = reporting.season_window(session.book, session.as_of)
    units = reporting.missing_units(session.book, session.reports, *window) if window else []
    emit(MissingView(window, units, len(owed), session.book), fmt, output)


def log(
    unit: UnitOpt = None,
    task: TaskOpt = None,
    since: SinceOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """数据修改记录（来自 git）：谁在什么时候记录了什么，新的在前。"""
    from lanxi_cli.core import reporting
    from lanxi_cli.io import gitio
    from lanxi_cli.render.tables import LogView

    session = open_session(data, None)
    unit, task = session.unit(unit), session.task_id(task)
    day = parse_date(since, "--since") if since is not None else None
    try:
        changes = gitio.history(session.data_dir)
    except gitio.GitError as exc:
        warn(f"没有修改记录可看：{exc}")
        changes = []
    emit(LogView(reporting.select_changes(changes, unit, task, day)), fmt, output)
