"""The 通报: how the campaign stands on a day, as a document a town office sends.

`build` turns (book, obligations, as-of day) into a list of blocks, pure;
`markdown` and `docx` render the same blocks, so both forms say the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from lanxi_cli.core.domain import State, id_order

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".docx": "docx"}
NEXT_DAYS = 14  # next deadlines: those within two weeks of the as-of day
LEADERS = 3  # units ahead: at most this many per ranking group
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # title, addressee, heading, para, item, signature, date, note
    text: str


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build(book, obligations, as_of: dt.date) -> list[Block]:
    from lanxi_cli.core.assess import assess

    plan = book.plan
    standings = assess(book, obligations, as_of)
    subject = plan.title.removesuffix("实施方案")
    sections = [
        ("总体进展", _progress(book, obligations, as_of)),
        ("进度较快的单位", _ahead(standings, obligations)),
        ("进度滞后的单位", _behind(book, obligations)),
        ("督办措施", _escalations(book, standings)),
        ("近期截止事项", _next(book, obligations, as_of)),
    ]
    stuck = _blocked(book, obligations)
    if stuck:
        sections.append(("需牵头单位协调解决的问题", stuck))
    blocks = [
        Block("title", f"关于{subject}推进情况的通报"),
        Block("addressee", f"{plan.addressees or '各有关单位'}："),
        Block("para", f"现将截至{cn_date(as_of)}{subject}推进情况通报如下："),
    ]
    for number, (heading, body) in zip(NUMERALS, sections, strict=False):
        blocks.append(Block("heading", f"{number}、{heading}"))
        blocks.extend(body)
    blocks += [
        Block("para", "请各单位对照任务清单查漏补缺，逾期事项抓紧办结，并于每月10日、20日、30日前"
                      f"向{plan.progress_reports.to or '专项行动办公室'}报送进展情况。"),
        Block("signature", f"{plan.town}{plan.assessment.assessor or plan.organisation.lead_unit}"),
        Block("date", cn_date(as_of)),
        Block("note", f"（数据截至 {as_of.isoformat()}，据各单位进展报告统计。）"),
    ]
    return blocks


def _progress(book, obligations, as_of) -> list[Block]:
    from lanxi_cli.core.engine import phase_on, task_rows, town_tally

    plan = book.plan
    phase = phase_on(book, as_of)
    when = f"现处于{phase.name}" if phase else ("活动尚未开始" if as_of < plan.campaign.start else "活动已结束")
    count = town_tally(obligations, as_of)  # exempt obligations count in no total
    due = count.past_due
    rows = task_rows(book, obligations)
    tasks_done = sum(1 for r in rows if r.state == State.done)
    tasks_overdue = sum(1 for r in rows if r.state == State.overdue)
    rate = f"，已到期事项完成率{100 * (due - count.overdue) / due:.1f}%" if due else ""
    exempt = f"（另有{count.exempt}项经批准不适用，不计入）" if count.exempt else ""
    return [
        Block("para", f"本次专项行动自{cn_date(plan.campaign.start)}至{cn_date(plan.campaign.end)}，{when}。"),
        Block("para", f"全镇各单位承担任务事项（单位×任务×周期）共{count.total}项{exempt}，已到期{due}项{rate}。"
                      f"已完成{count.completed}项，其中按时完成{count.done}项、逾期完成{count.late}项；"
                      f"逾期未完成{count.overdue}项；{plan.due_soon_days}日内到期{count.due_soon}项。"
                      f"任务清单{len(rows)}项任务中，已全部完成{tasks_done}项，有单位逾期未完成{tasks_overdue}项。"),
    ]


def _ahead(standings, obligations) -> list[Block]:
    """The best-placed units of each group that have completed something and owe
    nothing overdue that is scored: a unit named here is never named as behind
    or for a measure."""
    from lanxi_cli.core.assess import GROUP_NAMES

    behind = {ob.unit for ob in obligations if ob.state == State.overdue and ob.scored}
    out = []
    for group, name in GROUP_NAMES.items():
        leaders = [s for s in standings if s.group == group and s.rank <= LEADERS
                   and s.tally.completed and s.unit not in behind]
        if leaders:
            names = "、".join(f"{s.unit}（{float(s.score):.1f}分）" for s in leaders)
            out.append(Block("item", f"{name}：{names}。"))
    return out or [Block("para", "本期暂无已完成事项且无逾期事项的单位。")]


def _behind(book, obligations) -> list[Block]:
    """Every unit with an overdue obligation; units owing the same items share one
    line. Overdue items that count toward no score (due before the notice, or an
    unscored task) follow apart, so a unit owing only those is not called behind."""
    scored, count = _owing(book, [ob for ob in obligations if ob.state == State.overdue and ob.scored])
    unscored, _ = _owing(book, [ob for ob in obligations if ob.state == State.overdue and not ob.scored])
    if not scored and not unscored:
        return [Block("para", "截至目前，各单位均无逾期未完成事项。")]
    out = []
    if scored:
        out.append(Block("para", f"以下{count}个单位有逾期未完成事项，请抓紧办理："))
        out += scored
    else:
        out.append(Block("para", "截至目前，各单位均无计入考核的逾期未完成事项。"))
    if unscored:
        out.append(Block("para", "以下逾期事项不计入考核（方案印发前到期，或由牵头单位开展、不计分的任务），"
                                 "仍请办理："))
        out += unscored
    return out


def _owing(book, overdue) -> tuple[list[Block], int]:
    """One line per set of overdue items, naming the units that owe exactly those;
    and how many units owe any."""
    from lanxi_cli.core.engine import unit_order

    owed: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for ob in overdue:
        owed[ob.unit][ob.task.id].append(ob)
    same: dict[str, list[str]] = defaultdict(list)
    for unit in sorted(owed, key=lambda n: unit_order(book, n)):
        same[_overdue_items(owed[unit])].append(unit)
    out = []
    for items, units in same.items():
        count = sum(len(obs) for obs in owed[units[0]].values())
        each = "各" if len(units) > 1 else ""
        out.append(Block("item", f"{'、'.join(units)}（{each}{count}项）：{items}。"))
    return out, len(owed)


def _overdue_items(by_task: dict[str, list]) -> str:
    from lanxi_cli.render.tables import short

    parts = []
    for obs in by_task.values():
        task = obs[0].task
        labels = [o.occ.label for o in obs if o.occ.label]
        when = "、".join(labels) if labels else f"{obs[0].due.month}月{obs[0].due.day}日前"
        parts.append(f"{task.id} {short(task.text, 36)}（{when}）")
    return "；".join(parts)


def _escalations(book, standings) -> list[Block]:
    rules = book.plan.assessment
    chosen = [s for s in standings if s.measure]
    if not chosen:
        return [Block("para", "本期无需提请督办措施。")]
    out = [Block("para", "依据实施方案考核评估的要求，对重视程度不高、工作力度不大、行动成效不明显的单位，"
                         "拟提请党委政府采取以下督办措施：")]
    for measure in reversed(rules.escalation):  # gravest first
        by_reason: dict[tuple, list[str]] = defaultdict(list)
        for s in chosen:
            if s.measure == measure:
                by_reason[s.reasons].append(s.unit)
        if by_reason:
            parts = [f"{'、'.join(units)}（{'，'.join(reasons)}）" for reasons, units in by_reason.items()]
            out.append(Block("item", f"{measure}：{'；'.join(parts)}。"))
    return out


def _next(book, obligations, as_of) -> list[Block]:
    from lanxi_cli.render.tables import short

    pending = [ob for ob in obligations if not ob.completed and not ob.exempt and ob.due >= as_of]
    soon = [ob for ob in pending if (ob.due - as_of).days <= NEXT_DAYS]
    if not soon and pending:  # nothing within two weeks: the next deadline day
        first = min(ob.due for ob in pending)
        soon = [ob for ob in pending if ob.due == first]
    if not soon:
        return [Block("para", "任务清单中已无未到期事项。")]
    units: dict[tuple, list[str]] = defaultdict(list)
    for ob in sorted(soon, key=lambda o: (o.due, id_order(o.task.id))):
        units[(ob.due, ob.task.id)].append(ob.unit)
    from lanxi_cli.render.tables import unit_list

    return [
        Block("item", f"{cn_date(due)}前：{task_id} {short(book.task_by_id[task_id].text, 36)}"
                      f"（{unit_list(book, names, limit=4)}）")
        for (due, task_id), names in units.items()
    ]


def _blocked(book, obligations) -> list[Block]:
    """Obligations whose latest report says blocked: for the task's lead to act on."""
    from lanxi_cli.core.engine import blocked
    from lanxi_cli.render.tables import short

    out = []
    for ob in blocked(obligations):
        period = f"（{ob.occ.label}）" if ob.occ.label else ""
        note = f"：{short(ob.blocked.note.replace(chr(10), ' '), 40)}" if ob.blocked.note else ""
        out.append(Block("item", f"{ob.unit} {ob.task.id}{period} {short(ob.task.text, 24)}，"
                                 f"{cn_date(ob.blocked.date)}报告受阻{note}。请{book.lead(ob.task)}协调解决。"))
    return out


# ---- rendering ------------------------------------------------------------------


def markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for i, block in enumerate(blocks):
        text = {"title": "# ", "heading": "## ", "item": "- "}.get(block.kind, "") + block.text
        joined = block.kind == "item" and i and blocks[i - 1].kind == "item"
        if lines and not joined:
            lines.append("")
        lines.append(text)
    return "\n".join(lines) + "\n"


def docx(blocks: list[Block], handle) -> None:
    """The blocks as a Word document in the usual official style, saved into `handle`."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = {  # kind: (font, size in points, bold, alignment, first-line indent in points)
        "title": ("宋体", 22, True, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "heading": ("黑体", 16, False, None, 32),
        "addressee": ("仿宋", 16, False, None, 0),
        "para": ("仿宋", 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 32),
        "item": ("仿宋", 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 32),
        "signature": ("仿宋", 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
        "date": ("仿宋", 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
        "note": ("仿宋", 12, False, None, 0),
    }
    document = Document()
    for block in blocks:
        font, size, bold, align, indent = styles[block.kind]
        para = document.add_paragraph()
        if align is not None:
            para.alignment = align
        if indent:
            para.paragraph_format.first_line_indent = Pt(indent)
        run = para.add_run(block.text)
        run.bold = bold
        run.font.size = Pt(size)
        run.font.name = font
        run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    document.save(handle)


def output_kind(path) -> str | None:
    from lanxi_cli.io import save

    return None if path is None else save.check_output(path, SUFFIXES)


def write(blocks: list[Block], path, kind: str | None) -> None:
    """Markdown on stdout without a path; else the file, replaced whole."""
    import sys

    from lanxi_cli.io import save

    if path is None:
        sys.stdout.write(markdown(blocks))
    elif kind == "docx":
        save.write_replace(path, lambda handle: docx(blocks, handle))
    else:
        save.write_replace(path, lambda handle: handle.write(markdown(blocks).encode("utf-8")))
