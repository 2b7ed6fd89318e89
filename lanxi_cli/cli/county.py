"""`county status|rank|bulletin|export`: every town of the county at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, Format, FormatOpt, OutputOpt, emit, today, warn

TownsOpt = Annotated[
    Path, typer.Option("--towns", help="镇清单：YAML 文件，列出各镇的名称和数据目录（或 git 地址），格式见 README.md")
]


def _read_county(towns_file: Path, as_of: str | None):
    """The county on the day (core.county.Reading): every town's row, the towns that
    could not be read, with why, and what the county names besides."""
    from lanxi_cli.core import county
    from lanxi_cli.errors import LanxiError, UsageError
    from lanxi_cli.io import gc_pause, towns
    from lanxi_cli.store import snapshot

    day = today(as_of)
    if not towns_file.is_file():
        raise UsageError(f"找不到镇清单文件“{towns_file}”")
    listed = towns.load_towns(towns_file)
    plan_tasks: tuple[str, ...] = ()
    if listed.plan is not None:
        plan_tasks = tuple(task.id for task in _county_book(listed.plan, towns_file.parent).tasks)
    rows, failed = [], []
    for source in listed.towns:
        try:
            data_dir, warning, last = towns.data_folder(source.data, towns_file.parent)
            if warning:
                warn(f"{source.name}：{warning}")
            snap = snapshot.load(data_dir.absolute(), day, warn=lambda text, town=source.name: warn(f"{town}：{text}"))
            rows.append(county.town_row(source.name, snap.book, snap.obligations(), day, last))
            del snap
            gc_pause.release()  # this town's records go now, not at the end
        except LanxiError as exc:
            reason = str(exc)
            failed.append(county.Failed(source.name, reason))
            warn(f"{source.name} 无法读取，未计入：{reason}")
    if not rows:
        from lanxi_cli.errors import DataError

        raise DataError("镇清单中没有一个镇的数据能够读取")
    differs = county.plan_differences(plan_tasks, rows) if listed.plan is not None else []
    return county.Reading(day, listed, rows, failed, county.stale(rows), differs, plan_tasks)


def _county_book(folder: str, base: Path):
    """The county's plan (the towns file's `plan`, or --from-county): a folder holding
    data/plan.yaml and data/tasks.yaml, or the two files themselves, read as `check` reads them."""
    from lanxi_cli.io import load, towns

    data_dir = towns.data_folder(folder, base)[0]
    return load.load_book(data_dir)


def county_status(towns_file: TownsOpt, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
                  output: OutputOpt = None) -> None:
    """全县一览：每个镇一行——单位数、各状态的义务数、完成率、最差的村（社区）。"""
    from lanxi_cli.render.towns import CountyView

    emit(CountyView(_read_county(towns_file, as_of)), fmt, output)


def county_rank(towns_file: TownsOpt, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
                output: OutputOpt = None) -> None:
    """各镇排名：得分按镇清单的权重计算；无到期事项的镇列在最后，不排名。"""
    from lanxi_cli.core import county
    from lanxi_cli.render.towns import RankView

    reading = _read_county(towns_file, as_of)
    emit(RankView(reading, county.rank(reading.rows, reading.towns.rank)), fmt, output)


def county_bulletin(
    towns_file: TownsOpt,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="输出文件：.docx 生成 Word 公文，.md 为 Markdown；不写则在屏幕上显示 Markdown")] = None,
    number: Annotated[str | None, typer.Option("--number", metavar="文号",
                                               help="发文字号：只写数字如 3，按镇清单所定的机关代字和年份补全为 "
                                                    "赫禁毒委〔2021〕3号；也可写全")] = None,
    issue: Annotated[str | None, typer.Option("--issue", metavar="期数", help="期数，如 3（即第3期）")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """全县通报：各镇排名和各镇逾期单位（-o 以 .docx 结尾则生成 Word 公文）。"""
    from lanxi_cli.cli.supervise import _serial
    from lanxi_cli.core import county
    from lanxi_cli.io import save
    from lanxi_cli.render import bulletin, county_bulletin

    kind = None if output is None else save.check_output(output, bulletin.SUFFIXES)  # before any town is read
    number, issue = _serial(number, "--number", "文号的序号"), _serial(issue, "--issue", "期数")
    reading = _read_county(towns_file, as_of)
    subject = reading.towns.subject
    if not subject and reading.towns.plan is not None:
        from lanxi_cli.core.overview import campaign_name

        subject = campaign_name(_county_book(reading.towns.plan, towns_file.parent).plan)
    built = county_bulletin.build(reading, county.rank(reading.rows, reading.towns.rank), subject or "全县专项行动",
                                  number, issue)
    if output is None:
        from lanxi_cli.render.terminal import terminal_safe

        typer.echo(terminal_safe(bulletin.markdown(built)), nl=False)
    else:
        content = bulletin.render(built, kind)
        save.write_replace(output, lambda handle: handle.write(content))
        typer.echo(str(output))


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
    reading = _read_county(towns_file, as_of)
    ledger = county_ledger(reading.rows, reading.failed, reading.as_of)
    save.write_replace(output, lambda handle: workbook.workbook(ledger).save(handle))
    typer.echo(str(output))
