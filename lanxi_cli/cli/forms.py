"""`form make` and `form import`: 填报表 out to the units and back in as reports."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    NoCommitOpt,
    commit_or_warn,
    complete_unit,
    open_session,
    recorded_now,
    warn,
)
from lanxi_cli.errors import UsageError


def _progress(items: list, label: str):
    """Yield `items`, with a progress bar on stderr while there are several and
    stderr is a terminal (never in a pipe, a log or a test)."""
    if len(items) < 2 or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


# ---- form make ----------------------------------------------------------------------


def make(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR", help="存放填报表的目录（不存在则新建）")],
    unit: Annotated[list[str] | None, typer.Option(
        "--unit", "-u", shell_complete=complete_unit, help="只为这些单位生成（可重复）；默认每个有待办的单位")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """生成填报表：每个单位一个 .xlsx，列出逾期、即将到期和未到期的任务，发给各单位填写。"""
    from lanxi_cli.core import forms
    from lanxi_cli.io import save
    from lanxi_cli.render import form as sheet

    if output.exists() and not output.is_dir():
        raise UsageError(f"输出目录“{output}”是一个文件")
    if not output.exists() and not output.parent.is_dir():
        raise UsageError(f"输出目录“{output}”的上级目录不存在")
    session = open_session(data, as_of)
    units = list(dict.fromkeys(session.unit(u) for u in unit)) if unit else None
    made = forms.forms_for(session.book, session.obligations(), session.as_of, units)
    for form in made:
        if not form.rows:
            warn(f"{form.unit} 截至 {session.as_of} 没有待办的任务，不生成填报表")
    made = [form for form in made if form.rows]
    output.mkdir(exist_ok=True)
    for form in _progress(made, "生成填报表"):
        path = output / sheet.file_name(form)
        xlsx = sheet.workbook(form, session.book.plan.campaign.start)
        save.write_replace(path, xlsx.save)  # replaced whole, never half-written
        typer.echo(str(path))  # an output the user named, shown as named
    sys.stderr.write(f"已生成 {len(made)} 份填报表，共 {sum(len(f.rows) for f in made)} 行待填。\n")


# ---- form import ----------------------------------------------------------------------


def _save_with_pictures(data_dir: Path, reports: list, contents: dict) -> tuple[list[Path], list[Path]]:
    """The pictures the reports name stored under data/evidence/, then the reports
    (all or none): (report paths, evidence paths). Where the reports cannot be
    written, the pictures this call stored are removed again."""
    from lanxi_cli.io import evidence

    named = {a.sha256: a for r in reports for a in r.evidence_files}
    stored, created = evidence.keep(data_dir, [(contents[sha], a) for sha, a in named.items()]) if named else ([], [])
    try:
        from lanxi_cli.io import save

        return save.save_reports(data_dir, reports), stored
    except BaseException:
        evidence.discard(created)
        raise


class ImportFormat(StrEnum):
    table = "table"
    json = "json"


def import_(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="填好的填报表（.xlsx，可多个）")],
    by: Annotated[str, typer.Option("--by", help="报告人：用于没有填写报告人的行")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不写入")] = False,
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[ImportFormat, typer.Option("--format", "-f", help="输出格式：表格，或供其他程序读取的 json")]
    = ImportFormat.table,
) -> None:
    """导入填好的填报表：每个填写的行成为一份进展报告；有错的文件整份不导入，并指明出错的格子。"""
    from dataclasses import replace

    from lanxi_cli.core import forms
    from lanxi_cli.core.reporting import MAX_FIELD, check_text
    from lanxi_cli.errors import LanxiError
    from lanxi_cli.io import form_read
    from lanxi_cli.io.locate import display_path
    from lanxi_cli.render.collect import ImportsView
    from lanxi_cli.render.tables import render

    check_text(by, "--by", MAX_FIELD)
    session = open_session(data, as_of)
    earlier = {r.form: r for r in session.reports if r.form}
    said = {forms.same_report(r): r for r in session.reports}
    recorded = recorded_now()
    results = []
    for path in _progress(files, "导入填报表"):
        shown = str(path)
        try:
            filled = form_read.read(path, shown)
        except form_read.FormError as exc:
            outcome = forms.Outcome(errors=[f"{shown}: {exc}"])
        else:
            outcome = forms.read_rows(session.book, filled, session.as_of, recorded, by.strip())
            forms.sort_out(outcome, earlier, said)
        written: list[Path] = []
        if not outcome.errors and outcome.reports and not dry_run:
            try:
                written, stored = _save_with_pictures(session.data_dir, outcome.reports, filled.contents)
            except LanxiError as exc:
                outcome.errors.append(f"{shown}: {exc}")
            else:
                if not no_commit:  # committed before anything is printed (see publish)
                    commit_or_warn(session.data_dir, [*written, *stored], forms.commit_message(outcome, path.name),
                                   f"{shown} 的报告")
        for line in outcome.repeated:
            warn(line)
        names = [display_path(p, session.data_dir) for p in written]
        if not outcome.errors:
            earlier.update((r.form, r) for r in outcome.reports)  # the same form twice in one run
            named = [replace(r, file=name) for r, name in zip(outcome.reports, names, strict=True)] if written \
                else outcome.reports
            said.update((forms.same_report(r), r) for r in named)
        results.append((shown, outcome, names))
    render(ImportsView(results, dry_run), fmt.value)
    if any(outcome.errors for _, outcome, _ in results):
        raise typer.Exit(1)
