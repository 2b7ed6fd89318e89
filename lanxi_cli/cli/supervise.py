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
    from lanxi_cli.core.overview import campaign
    from lanxi_cli.render.tables import AssessView, render

    session = open_session(data, as_of)
    book = session.book
    standings = scoring.assess(book, session.obligations(), session.as_of, session.measures)
    rules = book.plan.assessment
    render(AssessView(campaign(book, session.as_of), standings, scoring.GROUP_NAMES, rules.scoring, rules.escalation),
           fmt.value)


def _serial(text: str | None, option: str, what: str) -> str | None:
    """--number / --issue as typed; a bare number must be a positive whole one (never 第-1期)."""
    import re

    from lanxi_cli.errors import UsageError

    if text is None:
        return None
    text = text.strip()
    if re.fullmatch(r"[-+−－]?\s*\d+(?:\.\d*)?", text) and not (text.isdigit() and int(text) > 0):
        raise UsageError(f"{option}“{text}”无效：{what}应为正整数，如 5")
    return text


def bulletin(
    output: OutOpt = None,
    number: Annotated[str | None, typer.Option("--number", metavar="文号",
                                               help="发文字号，如 兰禁毒办〔2020〕5号（只写数字则按年份补全）")] = None,
    issue: Annotated[str | None, typer.Option("--issue", metavar="期数", help="期数，如 5（即第5期）")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """通报：专项行动推进情况（Markdown；-o 以 .docx 结尾则生成 Word 公文）。"""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.render import bulletin as doc

    kind = doc.output_kind(output)  # a bad file name is a usage error, before any data is read
    number, issue = _serial(number, "--number", "文号的序号"), _serial(issue, "--issue", "期数")
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    reports = [r for r in session.records("reports") if r.date <= session.as_of]
    decided = reviews.decisions(session.reviews, session.as_of)
    doc.write(doc.build(session.book, summary, reports, decided, session.corrections, number, issue), output, kind)
    if output is not None:
        typer.echo(str(output))  # an output the user named, shown as named


def export(output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.xlsx 工作台账，或 .csv 义务清单")],
           data: DataOpt = None, as_of: AsOfOpt = None) -> None:
    """导出工作台账：.xlsx（任务、义务、报告、按单位、考核五张表，附完成情况图表）或 .csv（义务）。"""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.render import workbook

    kind = workbook.output_kind(output)
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    reports = sorted((r for r in session.records("reports") if r.date <= session.as_of), key=record_order)
    decided = reviews.decisions(session.reviews, session.as_of)
    evidence = evidence_link(session.data_dir, output)
    acks = receipt_state(session, summary)[0]
    workbook.write(workbook.build(session.book, summary, reports, decided, session.corrections, evidence, acks),
                   output, kind)
    typer.echo(str(output))  # an output the user named, shown as named


def receipt_state(session, summary):
    """(each unit's 签收, the units late to acknowledge) over the units the overview shows."""
    from lanxi_cli.core import receipts

    return receipts.state(session.book, session.records("receipts"), session.reports, session.as_of,
                          [t.unit for t in summary.units])


def evidence_link(data_dir: Path, output: Path) -> str:
    """data/evidence/ as a link relative to the folder `output` is written in (forward slashes)."""
    import os

    from lanxi_cli.io.evidence import EVIDENCE_DIR

    folder = os.path.abspath(data_dir / EVIDENCE_DIR)
    try:
        return Path(os.path.relpath(folder, os.path.dirname(os.path.abspath(output)))).as_posix()
    except ValueError:  # another drive (Windows): no relative way there
        return Path(folder).as_uri()


def dashboard(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出的网页文件（.html），双击即可离线打开")],
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """进展看板：一个离线网页，含各组各单位进度、单位×任务红黄绿一览、逾期事项和完成进度曲线。"""
    from lanxi_cli.core import overview, receipts
    from lanxi_cli.core.assess import GROUP_NAMES
    from lanxi_cli.render import dashboard as page

    page.output_kind(output)
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    acks, late = receipt_state(session, summary)
    page.write(page.html(summary, GROUP_NAMES, [t.id for t in session.book.tasks],
                         (acks, late, receipts.deadline(session.book))), output)
    typer.echo(str(output))  # an output the user named, shown as named
