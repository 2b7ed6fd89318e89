"""Reports from phones: the questions of an online form (collect template) and
its exported results read back as reports (collect import)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, NoCommitOpt, commit_or_warn, open_session, recorded_now, warn
from lanxi_cli.errors import DataError


def template(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="输出的题目表（.xlsx）")],
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """生成网上收集表的题目：按顺序列出题目、题型和可选的答案（单位、任务等），照着在金山表单、腾讯文档或问卷星中建表。"""
    from lanxi_cli.core import collect
    from lanxi_cli.io import save
    from lanxi_cli.render import collect_template

    save.check_output(output, {".xlsx": "xlsx"})
    session = open_session(data, as_of)
    title = f"{session.book.plan.title.removesuffix('实施方案')}进展填报"
    content = collect_template.content(collect.questions(session.book), title)
    save.write_replace(output, lambda handle: handle.write(content))
    typer.echo(str(output))  # an output the user named, shown as named


def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="网上收集表导出的结果（.xlsx 或 .csv）")],
    by: Annotated[str, typer.Option("--by", help="报告人：用于既没有填报人也没有提交者的行")] = "",
    confirm: Annotated[bool, typer.Option("--confirm", help="确认列对应无误，记入 data/collect.yaml 并导入")] = False,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", metavar="表头=字段",
        help="指定某列导入为哪一项，如 --map 所在网格=单位；字段写“不导入”则不用该列")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不写入")] = False,
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """导入网上收集表（金山表单、腾讯文档收集表、问卷星）导出的结果：每次提交成为一份进展报告；有一行出错则整个文件不导入，并指明出错的格子。"""
    from lanxi_cli.core import collect
    from lanxi_cli.core.forms import same_report
    from lanxi_cli.core.reporting import MAX_FIELD, check_text
    from lanxi_cli.io import collect_files, save
    from lanxi_cli.io.locate import display_path
    from lanxi_cli.io.table_read import column_letter
    from lanxi_cli.render.tables import terminal_safe

    check_text(by, "--by", MAX_FIELD)
    given = collect.parse_map(mapping or [])
    session = open_session(data, as_of)
    kept = collect_files.load_mapping(session.data_dir)
    grid = collect_files.read_export(file)
    shown = str(file)
    found = collect.find_header(grid, kept, given)
    if found is None:
        raise DataError(f"{shown}: 前 {collect.HEADER_SCAN} 行中找不到表头：表头行应有“单位”和“任务”两列"
                        "（或 村（社区）、任务编号 等常用叫法），若叫法不同，请用 --map “表头=单位” 指明")
    index, columns = found
    faults = collect.mapping_faults(columns)
    if faults:
        raise DataError("\n".join(f"{shown}: {fault}" for fault in faults))
    check_text(" ".join(c.header for c in columns), "表头", 100 * collect.MAX_HEADER)

    # the mapping shown and confirmed before any row is read
    new = [c for c in columns if not c.confirmed]
    if new:
        sys.stderr.write(terminal_safe(_mapping_text(shown, index, columns, column_letter)))
        if not confirm and not dry_run:
            if not (sys.stdin.isatty() and sys.stderr.isatty()):
                raise DataError(f"{shown}: 这种表第一次导入（或表头有变）：请核对上面的列对应，"
                                "无误后加 --confirm 重新运行；有不对的，用 --map “表头=字段” 指明。没有写入任何内容")
            if not typer.confirm("按上面的对应导入，并记入 data/collect.yaml？", default=False, err=True):
                raise DataError("已取消，没有写入任何内容。")

    rows = [collect.Row(number, {c.field: (f"{column_letter(c.index)}{number}",
                                           cells[c.index] if c.index < len(cells) else "")
                                 for c in columns if c.field})
            for number, cells in enumerate(grid[index + 1:], start=index + 2)]
    digest = collect.form_digest(columns)
    outcome = collect.read_rows(session.book, rows, digest, session.as_of, recorded_now(), by.strip(),
                                f"{file.name}!")
    earlier: dict[str, list] = {}
    for report in session.reports:
        if report.collected:
            earlier.setdefault(report.collected, []).append(report)
    if not outcome.errors:
        collect.sort_out(outcome, earlier, {same_report(r): r for r in session.reports})
    for line in outcome.warnings:
        warn(line)
    if outcome.errors:
        sys.stderr.write(terminal_safe("".join(f"{line}\n" for line in outcome.errors)))
        raise DataError(f"{shown}：有 {len(outcome.errors)} 处问题，这个文件没有导入任何内容。")
    if dry_run:
        sys.stderr.write("试运行：没有写入任何内容。\n")
        _summary(shown, outcome, "将新增")
        return

    written, changed = [], []
    mapping_path, before = None, None
    if new:
        mapping_path, before = collect_files.add_mapping(
            session.data_dir, [(c.header, c.field or collect.IGNORED) for c in new])
        changed.append(mapping_path)
    try:
        written = save.save_reports(session.data_dir, outcome.reports)
    except BaseException:
        if mapping_path is not None:
            collect_files.restore_mapping(mapping_path, before)
        raise
    if (written or changed) and not no_commit:  # committed before anything is printed (see publish)
        commit_or_warn(session.data_dir, [*written, *changed], collect.commit_message(outcome, file.name),
                       f"{shown} 的报告")
    _summary(shown, outcome, "新增")
    for path in written:
        typer.echo(display_path(path, session.data_dir))


def _summary(shown: str, outcome, verb: str) -> None:
    from lanxi_cli.render.tables import terminal_safe

    sys.stderr.write(terminal_safe(f"{shown}：共 {outcome.rows} 次提交，{verb} {len(outcome.reports)} 份报告，"
                                   f"已导入过 {outcome.already} 次提交。\n"))


def _mapping_text(shown: str, index: int, columns, letter) -> str:
    """The columns as lanxi reads them, for the clerk to check: `C 所在村（社区） → 单位`."""
    lines = [f"{shown} 第 {index + 1} 行是表头，各列导入为：\n"]
    for c in columns:
        mark = "" if c.confirmed else "  （新）"
        lines.append(f"  {letter(c.index)} {c.header} → {c.field or '不导入'}{mark}\n")
    return "".join(lines)
