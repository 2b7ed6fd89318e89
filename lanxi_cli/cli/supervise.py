"""Supervision: assess, bulletin, export. Each: options → session → engine → pure function → view or file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, Format, FormatOpt, open_session

OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（已存在则覆盖）")]


def assess(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """考核排名：各单位得分、名次、红黄绿灯和建议的督办措施。"""
    from lanxi_cli.core import assess as scoring
    from lanxi_cli.render import tables

    session = open_session(data, as_of)
    standings = scoring.assess(session.book, session.obligations(), session.as_of)
    tables.show_assessment(session.book, standings, session.as_of, fmt.value)


def bulletin(output: OutOpt = None, data: DataOpt = None, as_of: AsOfOpt = None) -> None:
    """通报：专项行动推进情况（Markdown；-o 以 .docx 结尾则生成 Word 文档）。"""
    from lanxi_cli.render import bulletin as doc

    kind = doc.output_kind(output)  # a bad file name is a usage error, before any data is read
    session = open_session(data, as_of)
    text = doc.build(session.book, session.obligations(), session.as_of)
    doc.write(text, output, kind)


def export(output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.xlsx 工作台账，或 .csv 义务清单")],
           data: DataOpt = None, as_of: AsOfOpt = None) -> None:
    """导出工作台账：.xlsx（任务、义务、报告、考核四张表）或 .csv（义务）。"""
    from lanxi_cli.render import workbook

    kind = workbook.output_kind(output)
    session = open_session(data, as_of)
    workbook.write(workbook.build(session.book, session.reports, session.obligations(), session.as_of), output, kind)
