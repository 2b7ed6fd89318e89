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
    standings = scoring.assess(book, session.obligations(), session.as_of)
    render(AssessView(campaign(book, session.as_of), standings, scoring.GROUP_NAMES, book.plan.assessment.scoring),
           fmt.value)


def bulletin(
    output: OutOpt = None,
    number: Annotated[str | None, typer.Option("--number", metavar="文号",
                                               help="发文字号：只写数字如 5，按 plan.yaml 的机关代字和年份补全为 "
                                                    "兰禁毒办〔2020〕5号；也可写全")] = None,
    issue: Annotated[str | None, typer.Option("--issue", metavar="期数", help="期数，如 5（即第5期）")] = None,
    appendix: Annotated[bool, typer.Option("--appendix", help="附上统计所依据的报告编号清单（附件）")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """通报：专项行动推进情况（Markdown；-o 以 .docx 结尾则生成 Word 公文）。"""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.render import bulletin as doc

    kind = doc.output_kind(output)  # a bad file name is a usage error, before any data is read
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of)
    basis = None
    if appendix:
        reports = [r for r in session.records("reports") if r.date <= session.as_of]
        basis = overview.basis(session.book, summary.obligations, reports,
                               reviews.decisions(session.reviews, session.as_of), session.corrections)
    built = doc.build(session.book, summary, basis, number, issue)
    if output is None:
        from lanxi_cli.render.tables import terminal_safe

        typer.echo(terminal_safe(doc.markdown(built)), nl=False)
    else:
        from lanxi_cli.io import save

        content = doc.render(built, kind)
        save.write_replace(output, lambda handle: handle.write(content))
        typer.echo(str(output))  # an output the user named, shown as named


def export(output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.xlsx 工作台账，或 .csv 义务清单")],
           data: DataOpt = None, as_of: AsOfOpt = None) -> None:
    """导出工作台账：.xlsx（任务、义务、报告、按单位、考核五张表，附完成情况图表）或 .csv（义务）。"""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.render import workbook

    kind = workbook.output_kind(output)
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of)
    reports = sorted((r for r in session.records("reports") if r.date <= session.as_of), key=record_order)
    decided = reviews.decisions(session.reviews, session.as_of)
    workbook.write(workbook.build(session.book, summary, reports, decided, session.corrections), output, kind)
    typer.echo(str(output))  # an output the user named, shown as named


def dashboard(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出的网页文件（.html），双击即可离线打开")],
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """进展看板：一个离线网页，含各组各单位进度、单位×任务红黄绿一览、逾期事项和完成进度曲线。"""
    from lanxi_cli.core import overview
    from lanxi_cli.core.assess import GROUP_NAMES
    from lanxi_cli.render import dashboard as page

    page.output_kind(output)
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of)
    page.write(page.html(summary, GROUP_NAMES, [t.id for t in session.book.tasks]), output)
    typer.echo(str(output))  # an output the user named, shown as named
