"""`county status|export`: every town of the county at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, Format, FormatOpt, OutputOpt, emit, today, warn

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


def county_status(towns_file: TownsOpt, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
                  output: OutputOpt = None) -> None:
    """全县一览：每个镇一行——单位数、各状态的义务数、完成率、最差的村（社区）。"""
    from lanxi_cli.render.towns import CountyView

    day, rows, failed = _read_county(towns_file, as_of)
    emit(CountyView(rows, failed, day), fmt, output)


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
