"""Many hands and many towns: `sync`, `init`, `county status|export`, `schema`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, Format, FormatOpt, parse_date, today, warn


def sync(data: DataOpt = None) -> None:
    """与共享仓库同步：取回别人的记录，把本地的提交推送上去。"""
    from lanxi_cli.io import locate
    from lanxi_cli.io import sync as syncing

    outcome = syncing.sync(locate.find_data_dir(data))
    if not outcome.fetched and not outcome.pushed:
        typer.echo(f"已是最新：与 {outcome.upstream} 一致，无需同步。")
    else:
        typer.echo(f"已同步：取回 {outcome.fetched} 个提交，推送 {outcome.pushed} 个提交（{outcome.upstream}）。")


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
    if failure:
        warn(f"文件已写入，但没有提交到 git：{failure}")


# ---- the county ----------------------------------------------------------------------------

TownsOpt = Annotated[
    Path, typer.Option("--towns", help="镇清单：YAML 文件，列出各镇的名称和数据目录（或 git 地址），格式见 README.md")
]


def _read_county(towns_file: Path, as_of: str | None):
    """Every town's row, and the towns that could not be read, with why."""
    from lanxi_cli.core import county
    from lanxi_cli.errors import LanxiError, UsageError
    from lanxi_cli.io import gc_pause, towns
    from lanxi_cli.store import snapshot

    day = today(as_of)
    if not towns_file.is_file():
        raise UsageError(f"找不到镇清单文件“{towns_file}”")
    rows, failed = [], []
    for source in towns.load_towns(towns_file):
        try:
            data_dir, warning = towns.data_folder(source.data, towns_file.parent)
            if warning:
                warn(f"{source.name}：{warning}")
            snap = snapshot.load(data_dir.absolute(), day, warn=lambda text, town=source.name: warn(f"{town}：{text}"))
            rows.append(county.town_row(source.name, snap.book, snap.obligations(), day))
            del snap
            gc_pause.release()  # this town's records go now, not at the end
        except LanxiError as exc:
            reason = str(exc)
            failed.append(county.Failed(source.name, reason))
            warn(f"{source.name} 无法读取，未计入：{reason}")
    if not rows:
        from lanxi_cli.errors import DataError

        raise DataError("镇清单中没有一个镇的数据能够读取")
    return day, rows, failed


def county_status(towns_file: TownsOpt, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """全县一览：每个镇一行——单位数、各状态的义务数、完成率、最差的村（社区）。"""
    from lanxi_cli.render.tables import render
    from lanxi_cli.render.towns import CountyView

    day, rows, failed = _read_county(towns_file, as_of)
    render(CountyView(rows, failed, day), fmt.value)


def county_export(
    towns_file: TownsOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件（.xlsx）")],
    as_of: AsOfOpt = None,
) -> None:
    """把全县一览导出为 Excel 工作簿。"""
    from lanxi_cli.io import save
    from lanxi_cli.render import workbook
    from lanxi_cli.render.towns import county_ledger

    save.check_output(output, {".xlsx": "xlsx"})
    day, rows, failed = _read_county(towns_file, as_of)
    ledger = county_ledger(rows, failed, day)
    save.write_replace(output, lambda handle: workbook.workbook(ledger).save(handle))
    typer.echo(str(output))


# ---- schema -----------------------------------------------------------------------------


class SchemaKind(StrEnum):  # io.schema.KINDS (tested equal), named here so no module loads before a command runs
    plan = "plan"
    tasks = "tasks"
    report = "report"
    review = "review"
    extension = "extension"
    exemption = "exemption"
    indicator = "indicator"
    measure = "measure"
    withdrawal = "withdrawal"
    liaisons = "liaisons"
    removal = "removal"
    receipt = "receipt"
    liaison = "liaison"
    notice = "notice"


def schema(
    kind: Annotated[SchemaKind, typer.Argument(
        help="哪种文件：plan tasks report，或一种记录 review extension exemption indicator measure withdrawal "
             "notice liaison（data/liaisons/ 中的一条） removal receipt，或 liaisons（旧的 liaisons.yaml）")],
) -> None:
    """打印数据文件的 JSON Schema（格式说明），供编辑器边写边检查（见 README.md）。"""
    import sys

    from lanxi_cli.io.schema import schema as make
    from lanxi_cli.render.tables import json_text

    sys.stdout.write(json_text(make(kind.value)))

