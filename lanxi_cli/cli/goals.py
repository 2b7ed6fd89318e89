"""Goals (工作目标): `indicator set|list`, and `goals` for the list."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import (
    AsOfOpt,
    DataOpt,
    Format,
    FormatOpt,
    NoCommitOpt,
    OutputOpt,
    complete_unit,
    emit,
    open_session,
    parse_date,
    publish,
    recorded_now,
)


def parse_value(text: str) -> float:
    """A measured value: 0.93, 93%, 12 (full-width digits folded)."""
    import math
    import unicodedata

    from lanxi_cli.errors import UsageError

    folded = unicodedata.normalize("NFKC", text).strip()
    try:
        value = float(folded[:-1]) / 100 if folded.endswith("%") else float(folded)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UsageError(f"指标值“{text}”无效，应为数字，如 0.93、93% 或 12")
    return int(value) if value.is_integer() else value  # 3, not 3.0, in the file


def set_value(
    name: Annotated[str, typer.Argument(help="指标名称或其中一段，如 知晓率")],
    value: Annotated[str, typer.Argument(help="数值，如 0.93、93% 或 12；负数直接写，如增幅 -5%")],
    by: Annotated[str, typer.Option("--by", shell_complete=complete_unit, help="测评或填报的单位")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="数值所指的日期，默认 --as-of 当天")] = None,
    note: Annotated[str, typer.Option("--note", help="说明，如测评方式、样本")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """记录一项工作目标指标的数值（每个数值一个文件）。

    比率写 0.93 或 93%（0 到 1 之间），人数、件数写整数，增幅可为负，直接写 -5%。
    """
    from lanxi_cli.core import goals as goal_rules
    from lanxi_cli.core.domain import IndicatorValue
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import locate, save

    session = open_session(data, as_of)
    book = session.book
    measure = goal_rules.resolve_measure(book, name)
    number = parse_value(value)
    fault = goal_rules.value_fault(measure, number)
    if fault:
        raise UsageError(fault)
    day = parse_date(date, "--date", session.as_of) if date else session.as_of
    if day > session.as_of:
        raise UsageError(f"--date {day} 晚于 --as-of {session.as_of}：不能记录将来的数值")
    record = IndicatorValue(
        measure=measure.name, value=number, date=day, by=book.resolve_unit(by), note=note, recorded=recorded_now()
    )
    path = save.save_record(session.data_dir, locate.INDICATORS_DIR, record, measure.name)
    publish(session.data_dir, path, f"指标：{measure.name} {number:g} {day}（{record.by}）", no_commit)


def list_values(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """工作目标：各项指标的基线、最新值、应升或应降，以及是否达标。"""
    from lanxi_cli.core import goals as goal_rules
    from lanxi_cli.render.tables import MeasuresView

    session = open_session(data, as_of)
    values = session.records("indicators")  # withdrawn ones too, as before; each problem warned
    rows = goal_rules.measure_rows(session.book, values, session.as_of)
    emit(MeasuresView(rows, session.as_of), fmt, output)
