"""The 通报: how the campaign stands on a day, as a document a town office sends.

`build` lays the computed overview (core.overview) out as blocks of text, a
ranking table per group and one completion chart per group; `markdown` and
`docx` render the same blocks, so both forms say the same. Nothing here
writes a file: `docx` returns the document's bytes, and cli writes them.

The Word form follows GB/T 9704-2012 (党政机关公文格式): A4, margins 37 mm top,
35 bottom, 28 left, 26 right; the issuing office's mark in red over a red
rule, with the 期数 and the 文号; the title two lines below the rule in
方正小标宋 22 pt (二号), a blank line, then the 主送; the body in 仿宋_GB2312
16 pt (三号) at a fixed line pitch of 28.95 pt (the standard's 22 lines of 28
characters), first-level headings in 黑体 and second-level ones in 楷体; page
numbers "— 1 —" in 宋体 14 pt, odd pages right and even pages left. A heading
stays with the paragraph after it, a chart with its caption, and the last
paragraph with the signature and the date, so the 落款 never stands alone.
The appendix (附件: the ids of the reports every figure rests on), only when
asked for, starts a page of its own. The 版记 closes the document at the foot
of an even page (the back of the last sheet). Every font is named for East
Asian text (w:eastAsia) with the common substitute beside it in the font
table (仿宋_GB2312 → 仿宋, 方正小标宋简体 → 宋体), so Word and WPS pick the
right face. The charts are native Word charts (DrawingML, written with
openpyxl's chart classes, no new dependency): Word, WPS and LibreOffice draw
them with the reader's own fonts, and they stay editable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from lanxi_cli.core.domain import State, id_order, task_label
from lanxi_cli.core.overview import cn_date
from lanxi_cli.render.words import LIGHT_NAMES, percent, period_name

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".docx": "docx"}  # output file name → kind
NUMERALS = "一二三四五六七八九十"
CHART_SERIES = (("done", "按时完成"), ("late", "逾期完成"), ("overdue", "已逾期"), ("pending", "未到期"))
RANKING_HEAD = ("名次", "单位", "得分", "完成率", "灯")
APPENDIX = "报告编号清单"
APPENDIX_IDS = 200  # counted report ids listed at most: some pages, not a book, at 10k reports
APPENDIX_LEFT_OUT = 50  # uncounted reports listed at most


@dataclass(frozen=True, slots=True)
class Block:
    # title, addressee, heading, subheading, para, item, table, chart, closing, attachment,
    # signature, date, note, appendix, appendix_title
    kind: str
    text: str
    rows: tuple[tuple[str, ...], ...] = ()  # a table's rows, its head first
    light: tuple[str, ...] = ()  # a ranking table: each body row's light (green, yellow, red)
    widths: tuple[int, ...] = ()  # a table's column widths in millimetres, where not the town's ranking


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


def build(book, overview, basis=None, number: str | None = None, issue: str | None = None) -> Bulletin:
    """The 通报 of `overview`; with `basis` (core.overview.basis: which reports count and
    which do not) an appendix lists the ids of the reports behind its figures."""
    from lanxi_cli.core.assess import GROUP_NAMES
    from lanxi_cli.core.overview import campaign_name, document_number

    plan = book.plan
    as_of = overview.campaign.as_of
    subject = campaign_name(plan)
    issuer = issuer_of(plan)
    doc = Bulletin(f"关于{subject}推进情况的通报", issuer, as_of, document_number(plan, number, as_of.year),
                   f"第{issue}期" if issue and issue.isdigit() else issue or None)
    charts = _charts(overview, GROUP_NAMES)
    sections = [
        ("总体进展", _progress(overview, plan)),
        ("考核排名", _ranking(overview, GROUP_NAMES, charts)),
        ("进度较快的单位", _ahead(overview.praised, GROUP_NAMES)),
        ("进度滞后的单位", _behind(overview)),
        ("督办措施", _taken(overview.taken) + _escalations(plan, overview.standings)),
        ("近期截止事项", _next(book, overview.upcoming)),
    ]
    stuck = _blocked(book, overview.obligations)
    if stuck:
        sections.append(("需牵头单位协调解决的问题", stuck))
    doc.charts = charts
    doc.blocks = opening(doc.title, plan.addressees or "各有关单位", as_of, subject, sections)
    doc.blocks.append(Block("closing", "请各单位对照任务清单查漏补缺，逾期事项抓紧办结，并于每月10日、20日、30日前"
                                       f"向{plan.progress_reports.to or '专项行动办公室'}报送进展情况。"))
    if basis is not None:
        doc.blocks.append(Block("attachment", f"附件：{APPENDIX}"))
    doc.blocks += [
        Block("signature", issuer),
        Block("date", cn_date(as_of)),
        Block("note", f"（数据截至{cn_date(as_of)}，据各单位进展报告统计。）"),
    ]
    if basis is not None:
        doc.blocks += [Block("appendix", "附件"), Block("appendix_title", APPENDIX), *_appendix(basis, as_of)]
    return doc


def opening(title: str, addressees: str, as_of: dt.date, subject: str, sections) -> list[Block]:
    """A 通报's title, 主送, lead sentence and numbered sections (一、二、…): the town's and the county's alike."""
    blocks = [
        Block("title", title),
        Block("addressee", f"{addressees}："),
        Block("para", f"现将截至{cn_date(as_of)}{subject}推进情况通报如下："),
    ]
    for numeral, (heading, body) in zip(NUMERALS, sections, strict=False):
        blocks.append(Block("heading", f"{numeral}、{heading}"))
        blocks.extend(body)
    return blocks


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
        out.append(GroupChart(_chart_title(name, overview.campaign.as_of), tuple(units), series))
    return out


def _progress(overview, plan) -> list[Block]:
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
    return blocks


def _ranking(overview, group_names, charts) -> list[Block]:
    """Each ranking group's table (名次, 单位, 得分, 完成率, 灯), then its chart."""
    out = [Block("para", "按考核评分办法计分，村（社区）之间、部门之间分别排名，得分相同的名次并列；"
                         "完成率为已到期事项中已完成（含逾期完成）的比例，灯按逾期未完成事项确定。")]
    by_title = {chart.title: chart for chart in charts}
    numbers = iter(range(1, len(charts) + 1))
    groups = [(g, n) for g, n in group_names.items() if any(s.group == g for s in overview.standings)]
    for i, (group, name) in enumerate(groups):
        members = [s for s in overview.standings if s.group == group]
        if len(groups) > 1:
            out.append(Block("subheading", f"（{NUMERALS[i]}）{name}"))
        rows = [RANKING_HEAD] + [
            ("—" if s.rank is None else str(s.rank), s.unit, "—" if s.score is None else f"{float(s.score):.1f}",
             percent(s.tally.rates.rate), LIGHT_NAMES[s.light]) for s in members]
        out.append(Block("table", f"{name}排名", tuple(rows), tuple(s.light for s in members)))
        chart = by_title.get(_chart_title(name, overview.campaign.as_of))
        if chart:
            out.append(Block("chart", f"图{next(numbers)}　{chart.title}"))
    return out


def _chart_title(group_name: str, as_of: dt.date) -> str:
    return f"{group_name}任务完成情况（截至{cn_date(as_of)}）"


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
    """`1.1 制定方案（9月3日到期）、6.3 新媒体发布（2020年8月，8月31日到期）、10.2 督导各村（第1次，8月30日到期：
    苏家湖村、黄湖村）`: the tasks by their labels, each overdue occurrence with its period (recurring tasks)
    and the day it fell due, and, where the lead acts, the units it owes it to."""
    by_task: dict[str, list] = defaultdict(list)
    for ob in obligations:
        by_task[ob.task.id].append(ob)
    parts = []
    for obs in by_task.values():
        groups: dict[tuple, list[str]] = defaultdict(list)  # (period, due) → the units it is owed to
        for o in obs:
            groups[(o.occ.label, o.due)].extend(filter(None, [o.subject]))
        days = [f"{period_name(label)}，" * bool(label) + f"{due.month}月{due.day}日到期"
                + (f"：{_names(names)}" if names else "") for (label, due), names in groups.items()]
        parts.append(f"{task_label(obs[0].task)}（{'；'.join(days)}）")
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


def _appendix(basis, as_of: dt.date) -> list[Block]:
    """The ids of the reports the figures rest on, unit by unit (each unit's
    newest, within APPENDIX_IDS in all), then those that count nowhere and why;
    what is left out is counted, with the command that lists it all."""
    counted = basis.counted
    total = sum(len(ids) for ids in counted.values())
    if not total:
        out = [Block("para", f"截至{cn_date(as_of)}，尚无计入统计的报告。")]
    else:
        out = [Block("para", f"本通报的统计依据截至{cn_date(as_of)}的以下{total}份报告，"
                             "按单位列出报告编号（即报告文件名去掉 .yaml）：")]
    shown = _shares({u: len(ids) for u, ids in counted.items()}, APPENDIX_IDS)
    for unit, ids in counted.items():
        n = shown[unit]
        if n == len(ids):
            out.append(Block("item", f"{unit}（{n}份）：{'、'.join(ids)}。"))
        else:
            listed = f"列出最近{n}份）：{'、'.join(ids[-n:])}。" if n else "未列出）。"
            out.append(Block("item", f"{unit}（共{len(ids)}份，{listed}"))
    left_out = [_why(*entry) for entry in basis.left_out]
    if left_out:
        out.append(Block("para", f"以下{len(left_out)}份报告已撤回、已更正或审核未通过，不计入统计："))
        out += [Block("item", text) for text in left_out[:APPENDIX_LEFT_OUT]]
    more = total - sum(shown.values()) + max(0, len(left_out) - APPENDIX_LEFT_OUT)
    if more:
        out.append(Block("para", f"另有{more}份报告的编号未列出。全部报告编号可用"
                                 f"“lanxi report list --all --as-of {as_of.isoformat()} --format csv”导出。"))
    return out + _evidence(basis.evidenced)


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


def _why(unit: str, report: str, why: str, by: str | None) -> str:
    return {"withdrawn": f"{unit} {report}：已撤回（撤回记录 {by}）。",
            "superseded": f"{unit} {report}：已更正，以报告 {by} 为准。",
            "rejected": f"{unit} {report}：审核未通过。"}[why]


def _shares(sizes: dict[str, int], limit: int) -> dict[str, int]:
    """How many of each unit's ids to list, `limit` in all: a unit with few lists
    them all, and what it leaves goes to the others in equal shares."""
    shares, left = {}, limit
    for i, unit in enumerate(sorted(sizes, key=sizes.get)):
        shares[unit] = min(sizes[unit], left // (len(sizes) - i))
        left -= shares[unit]
    return shares


# ---- Markdown --------------------------------------------------------------------

MARKS = {"title": "# ", "heading": "## ", "subheading": "### ", "item": "- ", "appendix": "---\n\n",
         "appendix_title": "# "}


def markdown(doc: Bulletin) -> str:
    lines: list[str] = []
    head = [part for part in (doc.issue, doc.number) if part]
    if head:
        lines += [f"{doc.issuer}　{'　'.join(head)}", ""]
    blocks = [b for b in doc.blocks if b.kind != "chart"]  # Markdown has no chart; the numbers are in the text
    for i, block in enumerate(blocks):
        if block.kind == "table":
            text = "\n".join(["| " + " | ".join(block.rows[0]) + " |", "|" + " --- |" * len(block.rows[0]),
                              *("| " + " | ".join(row) + " |" for row in block.rows[1:])])
        else:
            text = MARKS.get(block.kind, "") + block.text
        joined = block.kind == "item" and i and blocks[i - 1].kind == "item"
        if lines and lines[-1] != "" and not joined:
            lines.append("")
        lines.append(text)
    return "\n".join(lines) + "\n"


# ---- Word (GB/T 9704) ----------------------------------------------------------------

MM = 36000  # EMU per millimetre
PITCH = 28.95  # points: 22 lines in the 225 mm type area
TEXT_WIDTH = 156  # millimetres: 210 − 28 − 26
RED = "FF0000"
TITLE_FONT, BODY_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"
HEADING_FONT, SUBHEADING_FONT = "黑体", "楷体_GB2312"  # 一、 and （一） headings
# Where a font is missing, the face Word and WPS take instead (the font table's altName): every
# Chinese Windows has these.
SUBSTITUTES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", HEADING_FONT: "SimHei",
               NUMBER_FONT: "SimSun"}
FONTS = {  # kind: (East Asian font, points, bold, alignment, first-line indent in characters)
    "mark": (TITLE_FONT, 26, False, "center", 0),
    "head": (BODY_FONT, 16, False, "center", 0),
    "title": (TITLE_FONT, 22, False, "center", 0),
    "addressee": (BODY_FONT, 16, False, None, 0),
    "heading": (HEADING_FONT, 16, False, None, 2),
    "subheading": (SUBHEADING_FONT, 16, False, None, 2),
    "para": (BODY_FONT, 16, False, "justify", 2),
    "closing": (BODY_FONT, 16, False, "justify", 2),
    "item": (BODY_FONT, 16, False, None, 2),  # lists of ids and names: justified lines would gape
    "caption": (BODY_FONT, 14, False, "center", 0),
    "cell": (BODY_FONT, 12, False, "center", 0),  # a table's cells (小四)
    "cell_head": (HEADING_FONT, 12, False, "center", 0),
    "signature": (BODY_FONT, 16, False, "right", 0),
    "date": (BODY_FONT, 16, False, "right", 0),
    "note": (BODY_FONT, 16, False, None, 2),
    "attachment": (BODY_FONT, 16, False, None, 2),  # 附件说明, under the body
    "appendix": (HEADING_FONT, 16, False, None, 0),  # "附件", at the top left of its own page
    "appendix_title": (TITLE_FONT, 22, False, "center", 0),
    "record": (BODY_FONT, 14, False, None, 1),
}
LIGHT_COLOURS = {"green": "00803C", "yellow": "B07800", "red": "D00000"}  # dark enough to read as text
KEEP_WITH_NEXT = {"title", "heading", "subheading", "appendix", "appendix_title", "closing", "attachment",
                  "signature", "date"}  # the 落款 with the last paragraph; headings with their text


def docx(doc: Bulletin, made: dt.datetime | None = None) -> bytes:
    """The bulletin as a Word document laid out to GB/T 9704; `made` dates its properties (now)."""
    import io

    document = official(doc.title, doc.issuer, "通报", made)
    page_numbers(document)

    page = Page()
    paragraph(document, "mark", doc.issuer, colour=RED, page=page)
    for text in (doc.issue, doc.number):
        if text:
            paragraph(document, "head", text, page=page)
    red_rule(paragraph(document, "head", "", page=page))
    paragraph(document, "head", "", page=page)  # the title on the second line below the rule
    charts = iter(doc.charts)
    date = next((b.text for b in doc.blocks if b.kind == "date"), "")
    for block in doc.blocks:
        kind = block.kind
        if kind == "chart":
            _chart(document, next(charts), page)
            paragraph(document, "caption", block.text, page=page)
        elif kind == "table":
            _table(document, block, page)
        elif kind == "addressee":
            paragraph(document, "para", "", page=page)  # a blank line between the title and the 主送
            paragraph(document, kind, block.text, page=page)
        elif kind == "signature":
            paragraph(document, "para", "", keep=True, page=page)  # one line below the body
            paragraph(document, kind, block.text, right=_centred_over(block.text, date), page=page)
        elif kind == "date":
            paragraph(document, kind, block.text, right=2, page=page)
        elif kind == "attachment":
            paragraph(document, "para", "", keep=True, page=page)  # one line below the body
            paragraph(document, kind, block.text, page=page)
        elif kind == "appendix":
            paragraph(document, kind, block.text).paragraph_format.page_break_before = True
            paragraph(document, "para", "", keep=True)  # the title on the third line
        else:
            paragraph(document, kind, block.text, page=page)
    _record(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---- where the text stands: the page estimated, so a chart is sized to the room left ----------

TYPE_HEIGHT = 225 * 72 / 25.4  # points: GB/T 9704's type area, 22 lines at PITCH
TWIPS_PER_MM = 56.7
TABLE_WIDTHS = (18, 62, 24, 26, 20)  # millimetres: 名次 单位 得分 完成率 灯
ROW_MM = 8  # a ranking table's row at least: one line of 小四 with room above and below
CELL_LINE = 16  # points: a line of 小四 in a cell, at a fixed pitch
CHART_FRAME = 28  # millimetres of a chart that are not bars: the counts' axis, its title, the legend
# millimetres a unit's bar takes, as drawn and at least: below 4.6, LibreOffice names every other unit
# only (its labels at 7 pt), whatever the chart asks
CHART_BAR, CHART_MIN_BAR = 5.5, 4.6
CHART_SLACK = 1.5 * PITCH  # points kept free under a chart sized to the room: the estimate's error


def pitch(size: float) -> float:
    """The fixed line pitch (points) of a paragraph in `size` points: the standard's 28.95 for the
    body and headings, more for the red mark, 20 for small print."""
    return max(PITCH, size * 1.3) if size > 12 else 20


def text_width(text: str, size: float) -> float:
    """Points `text` takes on a line: a wide (CJK) character one em, a narrow one half, and a
    quarter em where CJK meets Latin (the readers' own spacing between them)."""
    from rich.cells import cell_len

    width, last = 0.0, None
    for char in text:
        wide = cell_len(char) == 2
        width += size if wide else size / 2
        if last is not None and wide != last and not char.isspace():
            width += size / 4
        last = wide
    return width


def text_lines(text: str, size: float, indent: float = 0, width_mm: float = TEXT_WIDTH) -> int:
    """How many lines a paragraph of `text` takes (an empty one: one), `indent` in characters."""
    import math

    line = width_mm * 72 / 25.4
    return max(1, math.ceil((text_width(text, size) + indent * size) / line))


def row_height(values: tuple[str, ...], widths: tuple[int, ...] = TABLE_WIDTHS) -> float:
    """Points a ranking table's row takes: ROW_MM, or more where a cell's text wraps."""
    margins = 3.8  # millimetres: a cell's left and right margins together
    lines = max(text_lines(v, 12, 0, w - margins) for v, w in zip(values, widths, strict=False))
    return max(ROW_MM * 72 / 25.4, lines * CELL_LINE + 6)


class Page:
    """How far down its page the text stands (points), as the document is written: GB/T 9704's
    fixed grid (every line at a fixed pitch, 28 characters a line) lets it be worked out, near
    enough to size a chart to the room left on its page instead of leaving that room empty."""

    def __init__(self) -> None:
        self.used = 0.0

    def lines(self, count: int, pitch: float, keep: bool = False) -> None:
        """A paragraph of `count` lines: it flows on to the next page, never leaving one line
        alone at either side of a page's foot (widow control); one kept with the next (a
        heading) goes over where the next one's first two lines would not fit below it."""
        room = int((TYPE_HEIGHT - self.used + 0.01) // pitch)
        if count + (2 if keep else 0) <= room:
            self.used += count * pitch
            return
        left = count if keep or room < 2 else max(2, count - room)  # what the next page takes
        per_page = int(TYPE_HEIGHT // pitch)
        while left > per_page:
            left -= per_page
        self.used = left * pitch

    def block(self, height: float, repeat: float = 0) -> None:
        """Something never split (a table row, a chart): to the next page whole where it does
        not fit, below `repeat` points (a table's head row repeated there)."""
        if self.used + height > TYPE_HEIGHT:
            self.used = repeat
        self.used += height

    def chart(self, natural: float, least: float) -> float:
        """A chart's height (millimetres): `natural` where it fits below the text, else the room
        left, down to `least`; below that it starts the next page at `natural`. Its caption
        (one line) stays with it."""
        room = (TYPE_HEIGHT - self.used - PITCH - CHART_SLACK) * 25.4 / 72
        height = natural if room >= natural else room if room >= least else natural
        self.block(height * 72 / 25.4 + 4)  # the paragraph holding it: a little over the chart
        return height


def _centred_over(signature: str, date: str) -> float:
    """The 署名's right indent in characters: centred over the date, which stands two in
    from the right (GB/T 9704 7.3.5.2, a document without a seal)."""
    from rich.cells import cell_len

    return 2 + max(0, cell_len(date) - cell_len(signature)) / 4


def official(title: str, author: str, category: str, made: dt.datetime | None = None):
    """A new Word document for an official paper: A4 with GB/T 9704's margins, the office's faces,
    its properties naming the issuing office and dated when made (now), not the library's template."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)  # page numbers 7 mm below the type area
    office_fonts(document)
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.title, props.subject, props.category = title, title, category
    props.comments = props.keywords = ""
    made = (made or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    props.created = props.modified = made.replace(tzinfo=None, microsecond=0)
    props.revision = 1
    return document


def office_fonts(document) -> None:
    """The body font as the document's default (empty lines and table cells included), Chinese as
    its language, and each font in the font table with the face to take where it is missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from lxml import etree

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for name in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(name), "Times New Roman")
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(defaults, qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    table = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.FONT_TABLE)
    root = etree.fromstring(table.blob)
    for name, substitute in SUBSTITUTES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), substitute)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if name == HEADING_FONT else "roman")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_font(run, font: str, size: float) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for name in ("w:ascii", "w:hAnsi"):  # digits and Latin letters
        fonts.set(qn(name), "Times New Roman")
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")


def paragraph(document, kind: str, text: str, colour: str | None = None, right: float = 0, keep: bool = False,
          container=None, page: Page | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    font, size, bold, align, indent = FONTS[kind]
    para = (container or document).add_paragraph()
    fmt = para.paragraph_format
    if align:
        para.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.first_line_indent = Pt(indent * size) if indent else None
    fmt.right_indent = Pt(right * size) if right else None
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch(size))
    fmt.widow_control = True
    if page is not None:
        page.lines(text_lines(text, size, indent + right), pitch(size), fmt.keep_with_next)
    fmt.keep_with_next = keep or kind in KEEP_WITH_NEXT
    if text:
        run = para.add_run(text)
        run.bold = bold
        set_font(run, font, size)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)
    return para


def _table(document, block: Block, page: Page | None = None) -> None:
    """A ranking table: ruled, centred, its head row repeated on each page, no row split,
    each row at least ROW_MM high (its height known, for the page's estimate)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Mm, Pt, RGBColor

    widths = block.widths or TABLE_WIDTHS
    table = document.add_table(rows=0, cols=len(block.rows[0]))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table._tbl.tblGrid.iterchildren(), widths, strict=False):
        column.set(qn("w:w"), str(round(width * TWIPS_PER_MM)))  # the grid, not only the cells: readers lay out by it
    heights = [row_height(values, widths) for values in block.rows]
    borders = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table._tbl.tblPr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>{borders}</w:tblBorders>'))
    for i, values in enumerate(block.rows):
        row = table.add_row()
        props = row._tr.get_or_add_trPr()
        props.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        least = round(ROW_MM * TWIPS_PER_MM)
        props.append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{least}" w:hRule="atLeast"/>'))
        if i == 0:
            props.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        if page is not None:  # a row never split; past a page's foot, the head row again above it
            page.block(heights[i], repeat=heights[0] if i else 0)
        kind = "cell_head" if i == 0 else "cell"
        for j, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(widths[j] if j < len(widths) else 20)
            cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:vAlign {nsdecls("w")} w:val="center"/>'))
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            spacing = para.paragraph_format  # a fixed line, as the page's estimate counts it
            spacing.space_before = spacing.space_after = Pt(0)
            spacing.line_spacing_rule, spacing.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(CELL_LINE)
            run = para.add_run(value)
            set_font(run, FONTS[kind][0], FONTS[kind][1])
            if i and j == len(values) - 1 and block.light:
                run.font.color.rgb = RGBColor.from_string(LIGHT_COLOURS[block.light[i - 1]])
    paragraph(document, "caption", "", page=page)  # a line between the table and what follows


def red_rule(para) -> None:
    """The red separator line under the issuing office's mark."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    para._p.get_or_add_pPr().append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="1" w:color="{RED}"/></w:pBdr>'
    ))


def _record(document, doc: Bulletin) -> None:
    """版记: the printing office and day between two rules, at the foot of an even page (the
    back of the last sheet): a section starting on an even page, the 版记 framed at its bottom."""
    from docx.enum.section import WD_SECTION
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document.add_section(WD_SECTION.EVEN_PAGE)
    para = paragraph(document, "record", "")
    run = para.add_run(f"{doc.issuer}\t{cn_date(doc.date)}印发")
    set_font(run, FONTS["record"][0], FONTS["record"][1])
    width = TEXT_WIDTH * 567 // 10  # twentieths of a point
    props = para._p.get_or_add_pPr()
    props.insert(0, parse_xml(
        f'<w:framePr {nsdecls("w")} w:w="{width}" w:wrap="around" w:vAnchor="margin" w:hAnchor="margin" '
        'w:xAlign="center" w:yAlign="bottom"/>'))
    props.append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="8" w:space="4" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="8" w:space="4" w:color="000000"/></w:pBdr>'))
    props.append(parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:pos="{width - 280}"/></w:tabs>'))
    para.paragraph_format.first_line_indent = None
    para.paragraph_format.left_indent = para.paragraph_format.right_indent = None
    props.append(parse_xml(f'<w:ind {nsdecls("w")} w:left="280"/>'))  # one character in from each side


def page_numbers(document) -> None:
    """"— 1 —" in 宋体 14 pt: odd pages on the right, even pages on the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
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
            set_font(run, NUMBER_FONT, 14)
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
    bars.x_axis.tickLblSkip = 1  # every unit named, not every other one (as CHART_MIN_BAR allows)
    bars.x_axis.txPr = _labels(7)
    bars.y_axis.crosses = "max"  # the counts under the bars, by their title (the units read top down)
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


def _labels(points: int):
    """An axis's labels at `points` pt."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=points * 100)),
                                 endParaRPr=None)])


def _chart(document, chart: GroupChart, page: Page | None = None) -> None:
    """Insert `chart` as an inline native chart in a paragraph of its own, as high as its bars
    need, or less (never under CHART_MIN_BAR a bar) where that fills the page it would leave."""
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
    natural, least = (min(200, CHART_FRAME + bar * len(chart.units)) for bar in (CHART_BAR, CHART_MIN_BAR))
    height = int((page.chart(natural, least) if page is not None else natural) * MM)
    para = paragraph(document, "caption", "", keep=True)  # the chart with its caption
    para.paragraph_format.line_spacing = None
    para.add_run()._r.append(parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a", "r")}><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + number}" name="图表 {number}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing>'
    ))


# ---- bytes --------------------------------------------------------------------------


def render(doc: Bulletin, kind: str | None) -> bytes:
    """The bulletin's bytes in the form `kind` names (Markdown when None)."""
    return docx(doc) if kind == "docx" else markdown(doc).encode("utf-8")
