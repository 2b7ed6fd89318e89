"""Supervision: assess, bulletin, export. Each: options → session → engine → pure function → view or file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, Format, FormatOpt, NoCommitOpt, OutputOpt, emit, open_session

OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（已存在则覆盖）")]


def assess(data: DataOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """考核排名：各单位得分、名次、红黄绿灯和建议的督办措施。"""
    from lanxi_cli.core import assess as scoring
    from lanxi_cli.core.overview import campaign
    from lanxi_cli.render.tables import AssessView

    session = open_session(data, as_of)
    book = session.book
    standings = scoring.assess(book, session.obligations(), session.as_of, session.measures)
    rules = book.plan.assessment
    emit(AssessView(campaign(book, session.as_of), standings, scoring.GROUP_NAMES, rules.scoring, rules.escalation),
         fmt, output)


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
                                               help="发文字号：只写数字如 5，按 plan.yaml 的机关代字和年份补全为 "
                                                    "兰禁毒办〔2020〕5号；也可写全")] = None,
    issue: Annotated[str | None, typer.Option("--issue", metavar="期数", help="期数，如 5（即第5期）")] = None,
    appendix: Annotated[bool, typer.Option("--appendix", help="附上统计所依据的报告编号清单（附件）")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """通报：专项行动推进情况（Markdown；-o 以 .docx 结尾则生成 Word 公文）。"""
    from lanxi_cli.io import save
    from lanxi_cli.render import bulletin as doc

    kind = None if output is None else save.check_output(output, doc.SUFFIXES)  # before any data is read
    number, issue = _serial(number, "--number", "文号的序号"), _serial(issue, "--issue", "期数")
    session = open_session(data, as_of)
    built = bulletin_built(session, number, issue, appendix)
    if output is None:
        from lanxi_cli.render.tables import terminal_safe

        typer.echo(terminal_safe(doc.markdown(built)), nl=False)
    else:
        content = doc.render(built, kind)
        save.write_replace(output, lambda handle: handle.write(content))
        typer.echo(str(output))  # an output the user named, shown as named


def bulletin_built(session, number: str | None, issue: str | None, appendix: bool):
    """The 通报 as of the session's day (render.bulletin's document), with its appendix where asked."""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.render import bulletin as doc

    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    basis = None
    if appendix:
        reports = [r for r in session.records("reports") if r.date <= session.as_of]
        basis = overview.basis(session.book, summary.obligations, reports,
                               reviews.decisions(session.reviews, session.as_of), session.corrections)
    return doc.build(session.book, summary, basis, number, issue)


def bulletin_document(session, number: str | None, issue: str | None, appendix: bool, kind: str) -> bytes:
    """The 通报's file content (docx or md); --number and --issue checked as the command checks them."""
    from lanxi_cli.render import bulletin as doc

    number, issue = _serial(number, "--number", "文号的序号"), _serial(issue, "--issue", "期数")
    return doc.render(bulletin_built(session, number, issue, appendix), kind)


def export(output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.xlsx 工作台账，或 .csv 义务清单")],
           data: DataOpt = None, as_of: AsOfOpt = None) -> None:
    """导出工作台账：.xlsx（任务、义务、报告、按单位、考核五张表，附完成情况图表）或 .csv（义务）。"""
    from lanxi_cli.io import save
    from lanxi_cli.render import workbook

    kind = save.check_output(output, workbook.SUFFIXES)
    session = open_session(data, as_of)
    content = ledger_document(session, kind, evidence_link(session.data_dir, output))
    save.write_replace(output, lambda handle: handle.write(content))
    typer.echo(str(output))  # an output the user named, shown as named


def ledger_document(session, kind: str, evidence: str) -> bytes:
    """The 台账 (xlsx or csv) as of the session's day; `evidence`: the link to data/evidence/ from it."""
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.render import workbook

    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    reports = sorted((r for r in session.records("reports") if r.date <= session.as_of), key=record_order)
    decided = reviews.decisions(session.reviews, session.as_of)
    acks = receipt_state(session, summary)[0]
    kept = overview.records(session.book, summary.obligations, session.reports, session.reviews, decided,
                            session.as_of)
    return workbook.render(workbook.build(session.book, summary, reports, decided, session.corrections, kept,
                                          evidence, acks), kind)


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
    from lanxi_cli.io import save
    from lanxi_cli.render import dashboard as page

    save.check_output(output, page.SUFFIXES)
    session = open_session(data, as_of)
    summary = overview.compute(session.book, session.obligations(), session.as_of, session.measures)
    acks, late = receipt_state(session, summary)
    content = page.html(summary, GROUP_NAMES, session.book.tasks,
                        (acks, late, receipts.deadline(session.book))).encode("utf-8")
    save.write_replace(output, lambda handle: handle.write(content))
    typer.echo(str(output))  # an output the user named, shown as named


def make_notices(session, units: list[str] | None, by: str) -> list[tuple]:
    """督办通知单 for `units` (None: every unit lit yellow or red with items to chase): each
    recorded under data/notices/ (not yet committed), with its Word page: [(path, record, docx)].
    A unit named that has nothing overdue or due soon is a UsageError."""
    from dataclasses import replace

    from lanxi_cli.cli.common import recorded_now
    from lanxi_cli.core import notice as notices
    from lanxi_cli.core.assess import assess as standings_of
    from lanxi_cli.core.remind import reminders
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import locate, save
    from lanxi_cli.render import bulletin
    from lanxi_cli.render import notice as page

    book, day = session.book, session.as_of
    obligations = session.obligations()
    standings = standings_of(book, obligations, day)
    named = units is not None
    found = {r.unit: r for r in reminders(book, obligations, session.reports, day)}
    issuer = bulletin.issuer_of(book.plan)
    made = []
    for name in units if named else notices.lagging(standings):
        chased = found.get(name)
        if chased is None or not (chased.overdue or chased.due_soon):
            if named:
                raise UsageError(f"{name} 截至 {day} 没有逾期或即将到期的事项，无需督办")
            continue
        record = notices.make(book, chased, standings, day, by.strip(), recorded_now())
        path = save.save_record(session.data_dir, locate.NOTICES_DIR, record, name)
        record = replace(record, file=path.name)
        made.append((path, record, page.docx(book, record, chased.liaison, chased.phone, issuer)))
    return made


def notices_message(made) -> str:
    return f"督办通知单：{'、'.join(record.unit for _, record, _ in made)}"


def notice(
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="输出的 Word 文件（.docx）；与 --all 同用时为一个目录")],
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="被督办的单位")] = None,
    every: Annotated[bool, typer.Option("--all", help="给每个亮黄灯、红灯的单位各发一份")] = False,
    by: Annotated[str, typer.Option("--by", help="经办人")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """督办通知单：一个单位的逾期和即将到期事项、回复时限、联络员和灯色，一页 Word。

    同时在 data/notices/ 留一份记录并提交，通知单的编号即该记录的编号（输出在标准输出）。"""
    from lanxi_cli.cli.common import commit_or_warn, warn
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import save
    from lanxi_cli.render.tables import terminal_safe

    if every == (unit is not None):
        raise UsageError("请用 --unit 指定一个单位，或用 --all 给每个亮黄灯、红灯的单位各发一份")
    if every and not output.is_dir():
        raise UsageError(f"与 --all 同用时，-o 应为一个已有的目录：“{output}”不是")
    if not every:
        save.check_output(output, {".docx": "docx"})
    session = open_session(data, as_of)
    units = [session.unit(unit)] if unit else None
    made = make_notices(session, units, by)
    records = []
    for path, record, content in made:
        target = output / f"督办通知单-{record.unit}-{session.as_of.isoformat()}.docx" if every else output
        save.write_replace(target, lambda handle, content=content: handle.write(content))
        records.append((path, record, target))
    if not records:
        warn(f"截至 {session.as_of} 没有亮黄灯、红灯且有逾期或即将到期事项的单位，未发督办通知单")
        return
    if not no_commit:
        commit_or_warn(session.data_dir, [path for path, _, _ in records], notices_message(made), "督办通知单记录")
    for _path, record, target in records:
        typer.echo(record.id)  # stdout holds the ids alone, one a line: `ack --of` names one
        typer.echo(terminal_safe(f"{record.unit} 督办通知单（编号 {record.id}）已写入 {target}"), err=True)
