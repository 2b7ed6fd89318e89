"""The 通报: how the campaign stands on a day, as a document a town office sends.

`build` lays the computed overview (core.overview) out as blocks of text,
with one completion chart per ranking group; `markdown` and `docx` render the
same blocks, so both forms say the same.

The Word form follows GB/T 9704-2012 (党政机关公文格式) where python-docx
reaches: A4, margins 37 mm top, 35 bottom, 28 left, 26 right; the issuing
office's mark in red over a red rule, with the 期数 and the 文号 when given;
the title in 宋体 22 pt (二号), the body in 仿宋 16 pt (三号), first-level
headings in 黑体; a fixed line pitch of 28.95 pt, which gives the standard's
22 lines of 28 characters a page; page numbers "— 1 —" in 宋体 14 pt, odd
pages right and even pages left; the signature, the date and the 版记 at
the end. The appendix (附件: the ids of the reports every figure rests on) is
announced under the body ("附件：…") and set on a page of its own before the
版记, "附件" in 黑体 at the top left and its title centred on the third
line. The charts are native Word charts (DrawingML, written with openpyxl's
chart classes, no new dependency): Word, WPS and LibreOffice draw them with
the reader's own fonts, and they stay editable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from lanxi_cli.core.domain import State, id_order, task_label
from lanxi_cli.core.overview import cn_date
from lanxi_cli.render.words import percent, period_name

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".docx": "docx"}
NUMERALS = "一二三四五六七八九十"
CHART_SERIES = (("done", "按时完成"), ("late", "逾期完成"), ("overdue", "已逾期"), ("pending", "未到期"))
APPENDIX = "报告编号清单"
APPENDIX_IDS = 200  # counted report ids listed at most: some pages, not a book, at 10k reports
APPENDIX_LEFT_OUT = 50  # uncounted reports listed at most


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # title, addressee, heading, para, item, chart, signature, date, note, attachment, appendix
    text: str


@dataclass(frozen=True, slots=True)
class GroupChart:
    """Completion of one ranking group's units: counts per series, unit by unit."""

    title: str
    units: tuple[str, ...]
    series: dict[str, tuple[int, ...]]  # CHART_SERIES key → one count per unit


@dataclass(slots=True)
class Bulletin:
    title: str
    issuer: str  # 发文机关 (the town's office), also the document's author
    date: dt.date
    number: str | None = None  # 文号
    issue: str | None = None  # 期数
    blocks: list[Block] = field(default_factory=list)
    charts: list[GroupChart] = field(default_factory=list)  # one per `chart` block, in order


def issuer_of(plan) -> str:
    """The office that issues the 通报: the campaign office's unit (else the assessor), in the town."""
    office = plan.organisation.office.unit if plan.organisation.office else ""
    return f"{plan.town}{office or plan.assessment.assessor or plan.organisation.lead_unit}"


def build(book, overview, reports, decided: dict[str, str], corrections,
          number: str | None = None, issue: str | None = None) -> Bulletin:
    """The 通报 of `overview`; its appendix lists the ids of `reports` (every report
    dated on or before the as-of day, withdrawn and superseded ones too), which
    count and which do not by `corrections` and the review decisions in force."""
    from lanxi_cli.core.assess import GROUP_NAMES

    plan = book.plan
    as_of = overview.campaign.as_of
    subject = plan.title.removesuffix("实施方案")
    issuer = issuer_of(plan)
    if number and number.isdigit():
        number = f"{issuer.removeprefix(plan.town) or issuer}〔{as_of.year}〕{number}号"
    doc = Bulletin(f"关于{subject}推进情况的通报", issuer, as_of, number or None,
                   f"第{issue}期" if issue and issue.isdigit() else issue or None)
    charts = _charts(overview, GROUP_NAMES)
    sections = [
        ("总体进展", _progress(overview, plan, charts)),
        ("进度较快的单位", _ahead(overview.praised, GROUP_NAMES)),
        ("进度滞后的单位", _behind(overview)),
        ("督办措施", _taken(overview.taken) + _escalations(plan, overview.standings)),
        ("近期截止事项", _next(book, overview.upcoming)),
    ]
    stuck = _blocked(book, overview.obligations)
    if stuck:
        sections.append(("需牵头单位协调解决的问题", stuck))
    doc.charts = charts
    doc.blocks = [
        Block("title", doc.title),
        Block("addressee", f"{plan.addressees or '各有关单位'}："),
        Block("para", f"现将截至{cn_date(as_of)}{subject}推进情况通报如下："),
    ]
    for numeral, (heading, body) in zip(NUMERALS, sections, strict=False):
        doc.blocks.append(Block("heading", f"{numeral}、{heading}"))
        doc.blocks.extend(body)
    doc.blocks += [
        Block("para", "请各单位对照任务清单查漏补缺，逾期事项抓紧办结，并于每月10日、20日、30日前"
                      f"向{plan.progress_reports.to or '专项行动办公室'}报送进展情况。"),
        Block("attachment", f"附件：{APPENDIX}"),
        Block("signature", issuer),
        Block("date", cn_date(as_of)),
        Block("note", f"（数据截至 {as_of.isoformat()}，据各单位进展报告统计。）"),
        Block("appendix", "附件"),
        Block("title", APPENDIX),
        *_appendix(book, overview, reports, decided, corrections),
    ]
    return doc


def _charts(overview, group_names) -> list[GroupChart]:
    out = []
    by_unit = {s.unit: s for s in overview.units}
    for group, name in group_names.items():
        units = [s.unit for s in overview.standings if s.group == group]
        if len(units) < 2:  # a chart of one bar says nothing a sentence does not
            continue
        tallies = [by_unit[u] for u in units]
        series = {
            "done": tuple(t.done for t in tallies),
            "late": tuple(t.late for t in tallies),
            "overdue": tuple(t.overdue for t in tallies),
            "pending": tuple(t.due_soon + t.open for t in tallies),
        }
        out.append(GroupChart(f"{name}任务完成情况（截至{cn_date(overview.campaign.as_of)}）", tuple(units), series))
    return out


def _progress(overview, plan, charts) -> list[Block]:
    count = overview.totals  # exempt obligations count in no total
    rates = count.rates
    tasks_done = sum(1 for r in overview.tasks if r.state == State.done)
    tasks_overdue = sum(1 for r in overview.tasks if r.state == State.overdue)
    rate = (f"，完成率{percent(rates.rate)}、按时完成率{percent(rates.on_time_rate)}"
            f"（按截至当日已到期的{rates.due}项计分事项计）") if rates.due else "，尚无已到期的计分事项"
    exempt = f"（另有{count.exempt}项经批准不适用，不计入）" if count.exempt else ""
    blocks = [
        Block("para", overview.campaign.sentence()),
        Block("para", f"全镇各单位承担任务事项（单位×任务×周期）共{count.total}项{exempt}{rate}。"
                      f"已完成{count.completed}项，其中按时完成{count.done}项、逾期完成{count.late}项；"
                      f"逾期未完成{count.overdue}项；{plan.due_soon_days}日内到期{count.due_soon}项。"
                      f"任务清单{len(overview.tasks)}项任务中，已全部完成{tasks_done}项，"
                      f"有单位逾期未完成{tasks_overdue}项。"),
    ]
    for i, chart in enumerate(charts, start=1):
        blocks.append(Block("chart", f"图{i}　{chart.title}"))
    return blocks


def _ahead(praised, group_names) -> list[Block]:
    """The units core.assess.praised names, group by group."""
    out = []
    for group, name in group_names.items():
        leaders = praised.get(group)
        if leaders:
            names = "、".join(f"{s.unit}（{float(s.score):.1f}分）" for s in leaders)
            out.append(Block("item", f"{name}：{names}。"))
    return out or [Block("para", "本期暂无排名靠前、已有完成事项且无逾期事项的单位。")]


def _behind(overview) -> list[Block]:
    """Every unit with an overdue obligation and its overdue items (units owing the
    same items share one line), then each overdue task's full text, once.
    Overdue items that count toward no score (due before the notice, or an
    unscored task) follow apart, so a unit owing only those is not called behind."""
    if not overview.overdue:
        return [Block("para", "截至目前，各单位均无逾期未完成事项。")]
    scored, unscored = _split(overview.overdue, True), _split(overview.overdue, False)
    out = []
    if scored:
        out.append(Block("para", f"以下{len(scored)}个单位有逾期未完成事项，请抓紧办理："))
        out += _owing(scored)
    else:
        out.append(Block("para", "截至目前，各单位均无计入考核的逾期未完成事项。"))
    if unscored:
        out.append(Block("para", "以下逾期事项不计入考核（方案印发前到期，或不计分的任务），"
                                 "仍请办理："))
        out += _owing(unscored)
    tasks, dues = {}, defaultdict(set)
    for ob in (ob for obs in overview.overdue.values() for ob in obs):
        tasks[ob.task.id] = ob.task
        dues[ob.task.id].add(ob.due)
    out.append(Block("para", "上述逾期事项的任务要求如下："))
    for task_id in sorted(tasks, key=id_order):
        days = "、".join(cn_date(day) for day in sorted(dues[task_id]))
        out.append(Block("item", f"{task_label(tasks[task_id])}：{tasks[task_id].text}（逾期事项的截止日期：{days}）"))
    return out


def _split(overdue: dict[str, list], scored: bool) -> dict[str, list]:
    """Each unit's overdue obligations that are (or are not) scored; units owing none left out."""
    kept = {unit: [ob for ob in obs if ob.scored == scored] for unit, obs in overdue.items()}
    return {unit: obs for unit, obs in kept.items() if obs}


def _owing(overdue: dict[str, list]) -> list[Block]:
    """One line per set of overdue items, naming the units (display order) that owe exactly those."""
    same: dict[str, list[str]] = defaultdict(list)
    for unit, obligations in overdue.items():
        same[_overdue_items(obligations)].append(unit)
    out = []
    for items, units in same.items():
        count = len(overdue[units[0]])
        each = "各" if len(units) > 1 else ""
        out.append(Block("item", f"{'、'.join(units)}（{each}{count}项）：{items}。"))
    return out


def _overdue_items(obligations) -> str:
    """`1.1（9月3日到期）、6.3（2020年8月，8月31日到期）、10.2（第1次，8月30日到期：苏家湖村、黄湖村）`:
    the tasks, each overdue occurrence with its period (recurring tasks) and the day it fell due, and,
    where the lead acts, the units it owes it to."""
    by_task: dict[str, list] = defaultdict(list)
    for ob in obligations:
        by_task[task_label(ob.task)].append(ob)
    parts = []
    for label, obs in by_task.items():
        groups: dict[tuple, list[str]] = defaultdict(list)  # (period, due) → the units it is owed to
        for o in obs:
            groups[(o.occ.label, o.due)].extend(filter(None, [o.subject]))
        days = [f"{period_name(label)}，" * bool(label) + f"{due.month}月{due.day}日到期"
                + (f"：{_names(names)}" if names else "") for (label, due), names in groups.items()]
        parts.append(f"{label}（{'；'.join(days)}）")
    return "、".join(parts)


def _names(names: list[str], limit: int = 4) -> str:
    shown = "、".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}等{len(names)}个单位"


def _taken(taken) -> list[Block]:
    """The measures recorded so far (lanxi measure record), oldest first."""
    if not taken:
        return []
    lines = [f"{cn_date(m.date)}，{m.unit}：{m.kind}" + (f"（{m.note}）" if m.note else "") + "。" for m in taken]
    return [Block("para", "已采取的督办措施："), *(Block("item", line) for line in lines)]


def _escalations(plan, standings) -> list[Block]:
    chosen = [s for s in standings if s.measure]
    if not chosen:
        return [Block("para", "本期无需提请督办措施。")]
    out = [Block("para", "依据实施方案考核评估的要求，对重视程度不高、工作力度不大、行动成效不明显的单位，"
                         "拟提请党委政府采取以下督办措施：")]
    for measure in reversed(plan.assessment.escalation):  # gravest first
        by_reason: dict[tuple, list[str]] = defaultdict(list)
        for s in chosen:
            if s.measure == measure:
                by_reason[s.reasons].append(s.unit)
        if by_reason:
            parts = [f"{'、'.join(units)}（{'，'.join(reasons)}）" for reasons, units in by_reason.items()]
            out.append(Block("item", f"{measure}：{'；'.join(parts)}。"))
    return out


def _next(book, upcoming) -> list[Block]:
    from lanxi_cli.render.tables import unit_list

    if not upcoming:
        return [Block("para", "任务清单中已无未到期事项。")]
    return [
        Block("item", f"{cn_date(due)}前：{task_label(task)}：{task.text.rstrip('。；;，')}"
                      f"（{unit_list(book, units, limit=4)}）")
        for due, task, units in upcoming
    ]


def _blocked(book, obligations) -> list[Block]:
    """Obligations whose latest report says blocked: for the task's lead to act on."""
    from lanxi_cli.core.engine import blocked
    from lanxi_cli.render.tables import short

    out = []
    for ob in blocked(obligations):
        period = f"（{period_name(ob.occ.label)}）" if ob.occ.label else ""
        note = f"：{short(ob.blocked.note.replace(chr(10), ' '), 40)}" if ob.blocked.note else ""
        out.append(Block("item", f"{ob.named} {task_label(ob.task)}{period}：{ob.task.text.rstrip('。；;，')}，"
                                 f"{cn_date(ob.blocked.date)}报告受阻{note}（报告编号 {ob.blocked.id}）。"
                                 f"请{book.lead(ob.task)}协调解决。"))
    return out


def _appendix(book, overview, reports, decided: dict[str, str], corrections) -> list[Block]:
    """The ids of the reports the figures rest on, unit by unit (each unit's
    newest, within APPENDIX_IDS in all), then those that count nowhere and why;
    what is left out is counted, with the command that lists it all."""
    from lanxi_cli.core.corrections import newest
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.core.engine import unit_order

    as_of = overview.campaign.as_of
    owed = {(ob.task.id, ob.named) for ob in overview.obligations}
    counted: dict[str, list[str]] = defaultdict(list)
    left_out = []
    for r in sorted(reports, key=record_order):
        if r.id in corrections.withdrawn:
            left_out.append(f"{r.unit} {r.id}：已撤回（撤回记录 {corrections.withdrawn[r.id].id}）。")
        elif r.id in corrections.superseded_by:
            left_out.append(f"{r.unit} {r.id}：已更正，以报告 {newest(corrections, r.id)} 为准。")
        elif decided.get(r.id) == "rejected":
            left_out.append(f"{r.unit} {r.id}：审核未通过。")
        elif (r.task, r.unit) in owed:  # a report toward no obligation counts in no figure
            counted[r.unit].append(r.id)
    units = sorted(counted, key=lambda u: unit_order(book, u))
    total = sum(len(ids) for ids in counted.values())
    if not total:
        out = [Block("para", f"截至{cn_date(as_of)}，尚无计入统计的报告。")]
    else:
        out = [Block("para", f"本通报的统计依据截至{cn_date(as_of)}的以下{total}份报告，"
                             "按单位列出报告编号（即报告文件名去掉 .yaml）：")]
    shown = _shares({u: len(counted[u]) for u in units}, APPENDIX_IDS)
    for unit in units:
        ids, n = counted[unit], shown[unit]
        if n == len(ids):
            out.append(Block("item", f"{unit}（{n}份）：{'、'.join(ids)}。"))
        else:
            listed = f"列出最近{n}份）：{'、'.join(ids[-n:])}。" if n else "未列出）。"
            out.append(Block("item", f"{unit}（共{len(ids)}份，{listed}"))
    if left_out:
        out.append(Block("para", f"以下{len(left_out)}份报告已撤回、已更正或审核未通过，不计入统计："))
        out += [Block("item", text) for text in left_out[:APPENDIX_LEFT_OUT]]
    more = total - sum(shown.values()) + max(0, len(left_out) - APPENDIX_LEFT_OUT)
    if more:
        out.append(Block("para", f"另有{more}份报告的编号未列出。全部报告编号可用"
                                 f"“lanxi report list --all --as-of {as_of.isoformat()} --format csv”导出。"))
    listed = {i for ids in counted.values() for i in ids}
    return out + _evidence([r for r in sorted(reports, key=record_order) if r.evidence_files and r.id in listed])


def _evidence(reports) -> list[Block]:
    """佐证材料: the files each counted report rests on, by the name they were sent
    under (stored in data/evidence/ by digest; `lanxi report show ID` says where)."""
    if not reports:
        return []
    out = [Block("para", f"以上报告中有{len(reports)}份附有佐证材料（存于数据目录 evidence/，"
                         "可用“lanxi report show 报告编号”查看）：")]
    for r in reports[-APPENDIX_IDS:]:
        out.append(Block("item", f"{r.unit} {r.id}：{'、'.join(a.name for a in r.evidence_files)}。"))
    if len(reports) > APPENDIX_IDS:
        out.append(Block("para", f"另有{len(reports) - APPENDIX_IDS}份报告的佐证材料未列出。"))
    return out


def _shares(sizes: dict[str, int], limit: int) -> dict[str, int]:
    """How many of each unit's ids to list, `limit` in all: a unit with few lists
    them all, and what it leaves goes to the others in equal shares."""
    shares, left = {}, limit
    for i, unit in enumerate(sorted(sizes, key=sizes.get)):
        shares[unit] = min(sizes[unit], left // (len(sizes) - i))
        left -= shares[unit]
    return shares


# ---- Markdown --------------------------------------------------------------------


def markdown(doc: Bulletin) -> str:
    lines: list[str] = []
    head = [part for part in (doc.issue, doc.number) if part]
    if head:
        lines += [f"{doc.issuer}　{'　'.join(head)}", ""]
    blocks = [b for b in doc.blocks if b.kind != "chart"]  # Markdown has no chart; the numbers are in the text
    for i, block in enumerate(blocks):
        text = {"title": "# ", "heading": "## ", "item": "- ", "appendix": "---\n\n"}.get(block.kind, "") + block.text
        joined = block.kind == "item" and i and blocks[i - 1].kind == "item"
        if lines and lines[-1] != "" and not joined:
            lines.append("")
        lines.append(text)
    return "\n".join(lines) + "\n"


# ---- Word (GB/T 9704) ----------------------------------------------------------------

MM = 36000  # EMU per millimetre
PITCH = 28.95  # points: 22 lines in the 225 mm type area
RED = "FF0000"
FONTS = {  # kind: (East Asian font, points, bold, alignment, first-line indent in characters)
    "mark": ("宋体", 26, True, "center", 0),
    "head": ("仿宋", 16, False, "center", 0),
    "title": ("宋体", 22, True, "center", 0),
    "addressee": ("仿宋", 16, False, None, 0),
    "heading": ("黑体", 16, False, None, 2),
    "para": ("仿宋", 16, False, "justify", 2),
    "item": ("仿宋", 16, False, None, 2),  # lists of ids and names: justified lines would gape
    "caption": ("仿宋", 14, False, "center", 0),
    "signature": ("仿宋", 16, False, "right", 0),
    "date": ("仿宋", 16, False, "right", 0),
    "note": ("仿宋", 16, False, None, 2),
    "attachment": ("仿宋", 16, False, None, 2),  # 附件说明, under the body
    "appendix": ("黑体", 16, False, None, 0),  # "附件", at the top left of its own page
    "record": ("仿宋", 14, False, None, 1),
}


def docx(doc: Bulletin, handle) -> None:
    """The bulletin as a Word document laid out to GB/T 9704, saved into `handle`."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)  # page numbers 7 mm below the type area
    _page_numbers(document)
    props = document.core_properties
    props.author = props.last_modified_by = doc.issuer
    props.title, props.subject, props.category = doc.title, doc.title, "通报"
    props.comments = props.keywords = ""

    _para(document, "mark", doc.issuer, colour=RED)
    for text in (doc.issue, doc.number):
        if text:
            _para(document, "head", text)
    _red_rule(_para(document, "head", ""))
    _para(document, "head", "")
    charts = iter(doc.charts)
    for block in doc.blocks:
        if block.kind == "chart":
            _chart(document, next(charts))
            _para(document, "caption", block.text)
        elif block.kind == "signature":
            _para(document, "para", "")
            _para(document, "signature", block.text, right_chars=4)
        elif block.kind == "date":
            _para(document, "date", block.text, right_chars=4)
        elif block.kind == "attachment":
            _para(document, "para", "")  # one line below the body
            _para(document, "attachment", block.text)
        elif block.kind == "appendix":
            _para(document, "appendix", block.text).paragraph_format.page_break_before = True
            _para(document, "para", "")  # the title on the third line
        else:
            _para(document, block.kind, block.text)
    _record(document, doc)
    document.save(handle)


def _para(document, kind: str, text: str, colour: str | None = None, right_chars: int = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font, size, bold, align, indent = FONTS[kind]
    para = document.add_paragraph()
    fmt = para.paragraph_format
    if align:
        para.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.first_line_indent = Pt(indent * size) if indent else None
    fmt.right_indent = Pt(right_chars * size) if right_chars else None
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(max(PITCH, size * 1.3))
    fmt.widow_control = True
    if text:
        run = para.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        run.font.name = "Times New Roman"  # digits and Latin letters
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)
    return para


def _red_rule(para) -> None:
    """The red separator line under the issuing office's mark."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    para._p.get_or_add_pPr().append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="1" w:color="{RED}"/></w:pBdr>'
    ))


def _rule(para, top: bool) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    edge = "top" if top else "bottom"
    para._p.get_or_add_pPr().append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:{edge} w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
    ))


def _record(document, doc: Bulletin) -> None:
    """版记: the printing office and day between two rules, at the end."""
    _para(document, "para", "")
    para = _para(document, "record", f"{doc.issuer}　　　　　　　　　　{cn_date(doc.date)}印发")
    _rule(para, top=True)
    _rule(para, top=False)


def _page_numbers(document) -> None:
    """"— 1 —" in 宋体 14 pt: odd pages on the right, even pages on the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                        WD_ALIGN_PARAGRAPH.LEFT)):
        para = footer.paragraphs[0]
        para.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            para.paragraph_format.right_indent = Pt(14)
        else:
            para.paragraph_format.left_indent = Pt(14)
        for text in ("— ", None, " —"):
            run = para.add_run(text or "")
            run.font.size = Pt(14)
            run.font.name = "Times New Roman"
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
            if text is None:  # the PAGE field
                for xml in ('<w:fldChar w:fldCharType="begin"/>',
                            '<w:instrText xml:space="preserve">PAGE</w:instrText>',
                            '<w:fldChar w:fldCharType="separate"/>', "<w:t>1</w:t>",
                            '<w:fldChar w:fldCharType="end"/>'):
                    run._r.append(_w(xml))


def _w(xml: str):
    """One WordprocessingML element from its text (the w: namespace declared)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    name_end = min(i for i in (xml.find(" "), xml.find("/>"), xml.find(">")) if i > 0)
    return parse_xml(xml[:name_end] + f" {nsdecls('w')}" + xml[name_end:])


# ---- native charts ---------------------------------------------------------------------

CHART_COLOURS = {"done": "00B050", "late": "FFC000", "overdue": "FF0000", "pending": "BFBFBF"}


def chart_xml(chart: GroupChart) -> bytes:
    """A stacked horizontal bar chart (DrawingML), its data cached inside it."""
    from openpyxl.chart import BarChart
    from openpyxl.chart.data_source import (
        AxDataSource,
        NumData,
        NumDataSource,
        NumRef,
        NumVal,
        StrData,
        StrRef,
        StrVal,
    )
    from openpyxl.chart.series import Series, SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.xml.functions import tostring

    n = len(chart.units)
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "bar", "stacked", 100
    bars.gapWidth = 40
    bars.style = 10
    bars.x_axis.scaling.orientation = "maxMin"  # first unit at the top, as in the ranking
    bars.x_axis.delete = bars.y_axis.delete = False
    bars.y_axis.title = "事项数"
    bars.legend.position = "b"
    names = AxDataSource(strRef=StrRef(f"Sheet1!$A$2:$A${n + 1}", strCache=StrData(
        ptCount=n, pt=[StrVal(idx=i, v=u) for i, u in enumerate(chart.units)])))
    for k, (key, label) in enumerate(CHART_SERIES):
        column = "BCDE"[k]
        values = NumDataSource(numRef=NumRef(f"Sheet1!${column}$2:${column}${n + 1}", numCache=NumData(
            formatCode="General", ptCount=n, pt=[NumVal(idx=i, v=v) for i, v in enumerate(chart.series[key])])))
        bars.series.append(Series(val=values, tx=SeriesLabel(v=label), cat=names,
                                  spPr=GraphicalProperties(solidFill=CHART_COLOURS[key])))
    return tostring(bars._write())


def _chart(document, chart: GroupChart) -> None:
    """Insert `chart` as an inline native chart in a paragraph of its own."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    package = document.part.package
    number = 1 + sum(1 for p in package.iter_parts() if p.partname.startswith("/word/charts/"))
    part = Part(PackURI(f"/word/charts/chart{number}.xml"), CONTENT_TYPE.DML_CHART, chart_xml(chart), package)
    rid = document.part.relate_to(part, RELATIONSHIP_TYPE.CHART)
    width = 156 * MM  # the type area's width
    height = min(220, 30 + 8 * len(chart.units)) * MM
    para = _para(document, "caption", "")
    para.paragraph_format.line_spacing = None
    para.add_run()._r.append(parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a", "r")}><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + number}" name="图表 {number}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing>'
    ))


# ---- writing ------------------------------------------------------------------------


def output_kind(path) -> str | None:
    from lanxi_cli.io import save

    return None if path is None else save.check_output(path, SUFFIXES)


def write(doc: Bulletin, path, kind: str | None) -> None:
    """Markdown on stdout without a path; else the file, replaced whole."""
    import sys

    from lanxi_cli.io import save

    if path is None:
        from lanxi_cli.render.tables import terminal_safe

        sys.stdout.write(terminal_safe(markdown(doc)))
    elif kind == "docx":
        save.write_replace(path, lambda handle: docx(doc, handle))
    else:
        save.write_replace(path, lambda handle: handle.write(markdown(doc).encode("utf-8")))
