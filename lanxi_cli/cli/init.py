"""`init`: a new town's data repository, from its task table or from the county's plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import parse_date, today, warn


def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="新数据仓库的目录（在其中建立 data/）")],
    town: Annotated[str, typer.Option("--town", help="镇（乡、街道）的名称")],
    table: Annotated[Path | None, typer.Option("--from", help="任务清单表格：.xlsx、.docx 或 .csv")] = None,
    title: Annotated[str | None, typer.Option("--title", help="方案标题；默认取表格上方的标题")] = None,
    year: Annotated[int | None, typer.Option("--year", min=1900, max=2999, help="时限未写年份时所属的年份")] = None,
    start: Annotated[str | None, typer.Option("--start", help="活动开始日期；默认取时限所列的最早月份")] = None,
    end: Annotated[str | None, typer.Option("--end", help="活动结束日期；默认取时限所列的最晚月份")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="通知印发日期：按月、按季度的任务自此起算")] = None,
    units_file: Annotated[Path | None, typer.Option(
        "--units", help="本镇的单位名册：.xlsx 或 .csv，列“名称”“类型”（村、社区、部门、其他）")] = None,
    county_dir: Annotated[Path | None, typer.Option(
        "--from-county",
        help="县方案的目录（其 data/ 中有县里的 plan.yaml 和 tasks.yaml）：照录其任务、时限、规则和编号")] = None,
) -> None:
    """新建一个镇（或一次专项行动）的数据仓库：plan.yaml、tasks.yaml、reports/，并提交到 git。"""
    from lanxi_cli.core import task_table
    from lanxi_cli.core.book import clean_name, name_fault
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import scaffold

    town = clean_name(town)
    fault = name_fault(town) if town else "不能为空"
    if fault or not town.isprintable():
        raise UsageError(f"镇名“{town}”无效：{fault or '含有控制字符'}")
    scaffold.refuse_existing(folder / "data")
    if county_dir is not None:
        if table is not None or any(v is not None for v in (title, year, start, end, issued)):
            raise UsageError("--from-county 照录县方案的任务和日期，不能与 --from、--title、--year、--start、--end、"
                             "--issued 同用")
        _init_from_county(folder, town, county_dir, units_file)
        return
    options = task_table.Options(
        town=town, title=title.strip() if title else None, year=year,
        start=parse_date(start, "--start") if start else None, end=parse_date(end, "--end") if end else None,
        issued=parse_date(issued, "--issued") if issued else None, today=today(None),
    )
    if options.start and options.end and options.start > options.end:
        raise UsageError("--start 晚于 --end")
    rows, table_title, source = [], "", None
    if table is not None:
        from lanxi_cli.io.table_read import read_table

        found = read_table(table)
        rows, table_title, source = found.rows, found.title, table.name
    draft = task_table.draft(rows, options, table_title)
    if units_file is not None:
        from lanxi_cli.io.table_read import read_units

        known = {u.name for u in draft.units} | {a for u in draft.units for a in u.aliases}
        draft.units += [task_table.UnitDraft(name, kind) for name, kind in read_units(units_file) if name not in known]
    plan_text, tasks_text = scaffold.plan_text(draft, source), scaffold.tasks_text(draft, source or "")
    book = scaffold.validate(plan_text, tasks_text, (folder / "data").as_posix())
    pending = sum(t.pending for t in draft.tasks)
    message = f"新建{town}的任务清单：{len(draft.tasks)}项任务，{len(draft.units)}个单位"
    data_dir, failure = scaffold.create(folder, plan_text, tasks_text, message)
    typer.echo(f"已新建 {data_dir.as_posix()}：{len(draft.tasks)} 项任务，{len(draft.units)} 个单位，"
               f"{len(draft.groups)} 个单位组。")
    if draft.tasks:
        typer.echo(f"完成时限：{len(draft.tasks) - pending} 项已识别，{pending} 项待核实"
                   + ("（lanxi check --pending 列出）。" if pending else "。"))
        typer.echo(f"简称：{len(draft.tasks)} 项已按规则拟定，待确认"
                   "（lanxi check --pending 列出，lanxi task short 改定）。")
    typer.echo(f"请核对 {(data_dir / 'plan.yaml').as_posix()} 中的单位和日期，再运行 lanxi check。")
    _empty_groups(book)
    if failure:
        warn(f"文件已写入，但没有提交到 git：{failure}")


def _empty_groups(book) -> None:
    """Warn of each group a task names that has no members yet, and how to fill it."""
    empty: dict[str, list[str]] = {}  # each group with no members → the tasks given to it
    groups = {n for g in book.plan.groups for n in (g.name, *g.aliases)}
    for task in book.tasks:
        for name in task.units:
            if name in groups and not book.group(name):
                empty.setdefault(name, []).append(task.id)
    for name, ids in empty.items():
        shown = "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")
        warn(f"单位组“{name}”还没有成员，{len(ids)} 项任务（{shown}）无人承担，"
             f"lanxi check 会报错：{book.how_to_fill(name)}，"
             "或带上单位名册重新建立（lanxi init … --units 名册.xlsx）。")


def _init_from_county(folder: Path, town: str, county_dir: Path, units_file: Path | None) -> None:
    """init --from-county: the county's plan with the town's name and its units (scaffold.from_county)."""
    from lanxi_cli.io import load, scaffold, towns

    county_data = towns.data_folder(str(county_dir), Path.cwd())[0]
    county_book = load.load_book(county_data)  # a county plan that does not pass check is named as such
    units = []
    if units_file is not None:
        from lanxi_cli.io.table_read import read_units

        known = {n for u in county_book.plan.units for n in (u.name, *u.aliases)}
        units = [(name, kind) for name, kind in read_units(units_file) if name not in known]
    plan_text, tasks_text = scaffold.from_county(county_data, county_dir.as_posix(), town, units)
    book = scaffold.validate(plan_text, tasks_text, (folder / "data").as_posix())
    message = f"新建{town}的任务清单：照录县方案，{len(book.tasks)}项任务，{len(book.plan.units)}个单位"
    data_dir, failure = scaffold.create(folder, plan_text, tasks_text, message)
    typer.echo(f"已新建 {data_dir.as_posix()}：照录县方案 {county_dir.as_posix()} 的 {len(book.tasks)} 项任务"
               f"（编号不变），{len(book.plan.units)} 个单位。")
    typer.echo(f"请在 {(data_dir / 'plan.yaml').as_posix()} 中补上本镇的单位（lanxi unit add）和发文机关，"
               "再运行 lanxi check。")
    _empty_groups(book)
    if failure:
        warn(f"文件已写入，但没有提交到 git：{failure}")
