"""The dashboard: one self-contained HTML page of how the campaign stands.

It shows the phase and days left, progress per group and per unit, the
units × tasks matrix in red, yellow and green (each cell also carries a mark,
and a text legend explains them, so it reads without colour), every overdue
item, the completion curve over time, and the deadlines ahead.

Offline by construction: styles are inline, there is no script at all, and
the charts are SVG drawn by pygal (a pure-Python chart library with no
dependencies of its own) and written into the page, so nothing is fetched
when the file is opened from a double-click on an intranet machine. pygal
computes the geometry (scales, ticks, stacking, dates); this module only
chooses colours and labels. Every text that comes from the data is escaped.
"""

from __future__ import annotations

from html import escape

from lanxi_cli.core.domain import task_label
from lanxi_cli.render.words import (
    LIGHT_NAMES,
    MATRIX_CELL_NOTE,
    STATE_INKS,
    STATE_MARKS,
    STATE_NAMES,
    STATE_ORDER,
    percent,
    period_name,
)

# The states' colours, as in the matrix: told apart with any colour-vision deficiency (words.STATE_INKS).
CHART_COLOURS = {state: f"#{ink}" for state, ink in STATE_INKS.items()}
# The lights as offices name them, each with its word and a mark, so none depends on colour alone.
LIGHTS = {"red": ("B22222", "●"), "yellow": ("B8860B", "◐"), "green": ("2E8B57", "○")}
FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'SimHei', sans-serif"
SUFFIXES = {".html": "html", ".htm": "html"}  # the output file names a page can take
CSS = """
body { font-family: FONTS; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #222; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; border-bottom: 2px solid #d62b2b;
padding-bottom: 4px; margin-top: 28px; } .meta { color: #555; margin: 0 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid #ddd; border-radius: 6px;
padding: 8px 14px; min-width: 120px; } .card b { display: block; font-size: 22px; }
table { border-collapse: collapse; font-size: 13px; } th, td { border: 1px solid #ccc; padding: 3px 6px;
text-align: left; vertical-align: top; } th { background: #f3f3f3; white-space: nowrap; }
.num { text-align: right; } .bar { background: #eee; width: 160px; height: 12px; display: inline-block; }
.bar i { background: #2e9d4f; height: 12px; display: block; }
table.matrix td { width: 22px; text-align: center; padding: 1px; font-family: monospace; font-weight: bold;
color: #fff; } table.matrix th { font-weight: normal; font-size: 12px; } table.matrix th.unit { text-align: left;
white-space: nowrap; } table.matrix th.task { writing-mode: vertical-rl; vertical-align: bottom; padding: 2px 0;
line-height: 1.1; } .legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 20px; text-align: center; font-style: normal; font-weight: bold;
font-family: monospace; color: #fff; margin-right: 4px; } .light { font-weight: bold; white-space: nowrap; }
figure { margin: 8px 0; } figcaption { color: #555; font-size: 13px; } svg { max-width: 100%; height: auto; }
.overdue { color: #d62b2b; font-weight: bold; } td .meta { font-size: 12px; }
@media print { h2 { break-after: avoid; } }
""".replace("FONTS", FONTS)


class Names:
    """How a unit's name and a task's label are written into the page: as text here;
    the workbench (lanxi serve) makes each a link to its own page."""

    links = False

    def unit(self, name: str) -> str:
        return escape(name)

    def task(self, task) -> str:
        return escape(task_label(task))


NUMERALS = "一二三四五六七八九十"


def html(overview, group_names: dict[str, str], tasks, receipts=None) -> str:
    """The page, whole; `tasks` in plan order (their labels head the matrix's columns);
    `receipts`: (acks by unit, units late to acknowledge, the last day), for 签收."""
    from lanxi_cli.core.overview import campaign_name

    c = overview.campaign
    title = f"{campaign_name(c)}进展"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}（截至{c.as_of}）</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">截至 {c.as_of} · {escape(where(c))}</p>',
        cards(overview),
    ]
    for numeral, (heading, *body) in zip(NUMERALS, sections(overview, group_names, tasks, receipts), strict=False):
        parts += [f"<h2>{numeral}、{heading}</h2>", *body]
    parts += [f'<p class="meta">数据截至 {c.as_of}，据各单位进展报告统计；由 lanxi 生成。</p>', "</body></html>"]
    return "\n".join(parts) + "\n"


def sections(overview, group_names, tasks, receipts=None, names: Names | None = None, charts: bool = True) -> list:
    """The page's sections in order, each [heading, html…]; without `charts`, those drawn as charts are left out."""
    names = names or Names()
    found = [
        ["考核排名", _ranking(overview, group_names, names)],
        ["各组完成进度", _groups(overview, group_names)],
        ["各单位完成情况", *(_unit_charts(overview, group_names) if charts else [_unit_table(overview, names)])],
        ["单位 × 任务一览", _matrix(overview, tasks, names)],
        ["逾期事项", _overdue(overview, names)],
        ["受阻事项", _blocked(overview, names)],
        ["督办措施", _measures(overview, names)],
        *([["完成进度曲线", _timeline(overview)]] if charts else []),
        ["近期截止事项", _upcoming(overview, names)],
    ]
    if receipts:
        found.append(["签收情况", _receipts(overview, *receipts, names)])
    return found


def _receipts(overview, acks: dict, late: list, last_day, names: Names) -> str:
    """Each unit's 签收 of the notice: its day (a report stands for it where none was recorded), or 未签收."""
    rows = []
    for s in overview.units:
        a = acks.get(s.unit)
        if a is not None:
            how = "签收" if a.by == "ack" else "以报告代签收"
            cell = f"{a.date}<span class=\"meta\">（{how}）</span>"
        else:
            cell = '<span class="overdue">未签收</span>' if s.unit in late else "尚未签收"
        rows.append(f"<tr><td>{names.unit(s.unit)}</td><td>{cell}</td></tr>")
    return (f'<p class="meta">应于 {last_day} 前签收；{len(late)} 个单位逾期未签收。</p>'
            f"<table><tr><th>单位</th><th>签收日期</th></tr>{''.join(rows)}</table>")


def _light(light: str) -> str:
    colour, mark = LIGHTS[light]
    return f'<span class="light" style="color:#{colour}" data-light="{light}">{mark} {LIGHT_NAMES[light]}</span>'


def _ranking(overview, group_names, names: Names) -> str:
    """Each group's ranking: 名次, 单位, 得分, 完成率, 灯 (a word and a mark besides the colour)."""
    out = []
    for group, name in group_names.items():
        members = [s for s in overview.standings if s.group == group]
        if not members:
            continue
        rows = []
        for s in members:
            rows.append(f'<tr data-unit="{escape(s.unit)}"><td class=num>{s.rank or "—"}</td>'
                        f"<td>{names.unit(s.unit)}</td>"
                        f"<td class=num>{'—' if s.score is None else f'{float(s.score):.1f}'}</td>"
                        f"<td class=num>{percent(s.rates.rate)}</td>"
                        f"<td>{_light(s.light)}</td></tr>")
        out.append(f'<h3>{escape(name)}</h3><table class="ranking"><tr><th>名次</th><th>单位</th><th>得分</th>'
                   f"<th>完成率</th><th>灯</th></tr>{''.join(rows)}</table>")
    legend = "、".join(f"{LIGHTS[k][1]} {LIGHT_NAMES[k]}" for k in ("red", "yellow", "green"))
    return "".join(out) + f'<p class="meta">灯：{legend}，按逾期未完成事项确定；得分相同的名次并列。</p>'


def _blocked(overview, names: Names) -> str:
    """Obligations whose latest report says blocked: for the task's lead to act on."""
    from lanxi_cli.core.engine import blocked

    stuck = blocked(overview.obligations)
    if not stuck:
        return "<p>目前没有报告受阻的事项。</p>"
    rows = "".join(
        f"<tr><td>{names.unit(ob.unit)}</td><td>{names.task(ob.task)}"
        + (f"（{escape(period_name(ob.occ.label))}）" if ob.occ.label else "")
        + f"</td><td>{ob.blocked.date}</td><td>{escape(ob.blocked.note)}</td></tr>"
        for ob in stuck
    )
    return f"<table><tr><th>单位</th><th>任务</th><th>报告日期</th><th>受阻原因</th></tr>{rows}</table>"


def _measures(overview, names: Names) -> str:
    """The 督办 measures taken (lanxi measure record), then those the assessment proposes now."""
    taken = "".join(f"<tr><td>{m.date}</td><td>{names.unit(m.unit)}</td><td>{escape(m.kind)}</td>"
                    f"<td>{escape(m.note)}</td></tr>" for m in overview.taken)
    head = "<tr><th>日期</th><th>单位</th><th>措施</th><th>说明</th></tr>"
    out = f"<p>已采取的督办措施：</p><table>{head}{taken}</table>" if taken else "<p>尚未记录已采取的督办措施。</p>"
    chosen = [s for s in overview.standings if s.measure]
    if not chosen:
        return out + "<p>本期无需提请督办措施。</p>"
    rows = "".join(f"<tr><td>{names.unit(s.unit)}</td><td>{escape(s.measure)}</td>"
                   f"<td>{escape('，'.join(s.reasons))}</td>"
                   f"<td>{_light(s.light)}</td></tr>" for s in chosen)
    return out + ("<p>建议提请的督办措施：</p><table><tr><th>单位</th><th>建议措施</th><th>理由</th><th>灯</th></tr>"
                  f"{rows}</table>")


def where(c) -> str:
    if c.stage == "before":
        return f"活动尚未开始（{c.start} 开始）"
    if c.stage == "after":
        return f"活动已结束（{c.end}）"
    return f"{c.phase or '活动期间'} · 距活动结束还有 {c.days_left} 天（{c.start} 至 {c.end}）"


def cards(overview) -> str:
    t = overview.totals  # exempt obligations count in no total
    cards = [("全部事项", t.total), ("已完成", t.completed), ("其中逾期完成", t.late), ("逾期未完成", t.overdue),
             ("即将到期", t.due_soon), ("有逾期的单位", len(overview.overdue)),
             ("完成率", percent(t.rates.rate)), ("按时完成率", percent(t.rates.on_time_rate))]
    body = "".join(f'<div class="card">{escape(name)}<b>{n}</b></div>' for name, n in cards)
    return f'<div class="cards">{body}</div>'


def _groups(overview, group_names) -> str:
    """Each group's units (by kind, the assessor among them) added up; 完成率 as everywhere (engine.Rates)."""
    from lanxi_cli.core.domain import UNIT_GROUPS
    from lanxi_cli.core.engine import Tally

    kinds = {key: kinds for key, _, kinds in UNIT_GROUPS}
    rows = []
    for group, name in group_names.items():
        members = [t for t in overview.units if t.kind in kinds[group]]
        if not members:
            continue
        sums = Tally(name, "")
        for t in members:
            sums += t
        rate = sums.rates.rate
        width = f"{100 * rate:.1f}%" if rate is not None else "0"
        rows.append(f"<tr><td>{escape(name)}</td><td class=num>{len(members)}</td><td class=num>{sums.total}</td>"
                    f"<td class=num>{sums.completed}</td><td class=num>{sums.overdue}</td>"
                    f'<td><span class="bar"><i style="width:{width}"></i></span> {percent(rate)}</td></tr>')
    head = "<tr><th>组别</th><th>单位数</th><th>事项</th><th>已完成</th><th>逾期未完成</th><th>完成率</th></tr>"
    note = ("<p class=meta>完成率 =（按时完成 + 逾期完成）÷ 截至当日已到期的计分事项"
            "（方案印发前到期和不计分任务的事项、经批准不适用的事项不计入）；尚无已到期事项时为“—”。</p>")
    return f"<table>{head}{''.join(rows)}</table>{note}"


def _style(keys):
    from pygal.style import Style

    return Style(font_family=FONTS, colors=tuple(CHART_COLOURS[k] for k in keys), background="white",
                 plot_background="white", label_font_size=12, major_label_font_size=12, legend_font_size=13,
                 value_font_size=11, title_font_size=15)


def _svg(chart) -> str:
    """The chart's SVG for the page, without pygal's script (its settings for tooltips
    that would load from the web: the page has none, and needs no script)."""
    from pygal.etree import etree

    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return etree.tostring(root, encoding="unicode")


def _unit_charts(overview, group_names) -> list[str]:
    """Per group, a stacked bar per unit: on time, late, overdue, due soon, not yet due."""
    import pygal

    by_unit = {s.unit: s for s in overview.units}
    keys = ("done", "late", "overdue", "due_soon", "open")
    out = []
    for group, name in group_names.items():
        units = [s.unit for s in overview.standings if s.group == group]
        if len(units) < 2:  # one bar says nothing the group table does not
            continue
        widest = max(len(u) for u in units)
        chart = pygal.HorizontalStackedBar(
            margin_left=6 * widest,  # pygal sizes labels for Latin letters; Chinese ones are twice as wide
            style=_style(keys), js=[], disable_xml_declaration=True, width=1000, height=90 + 26 * len(units),
            legend_at_bottom=True, legend_at_bottom_columns=5, print_values=False, show_y_guides=False,
            title=f"{name}：各单位事项完成情况", truncate_label=-1, spacing=8,
        )
        chart.x_labels = list(reversed(units))  # pygal draws the first label at the bottom
        for key in keys:
            chart.add(STATE_NAMES[key], [getattr(by_unit[u], key) for u in reversed(units)])
        out.append(f"<figure>{_svg(chart)}<figcaption>{escape(name)}：按时完成、逾期完成、已逾期、即将到期、"
                   "未到期的事项数（单位×任务×周期）</figcaption></figure>")
    return out


def _unit_table(overview, names: Names) -> str:
    """Each unit's items by state, as `lanxi status` counts them (engine.Tally): the charts' numbers as a table."""
    keys = ("done", "late", "overdue", "due_soon", "open")
    head = "".join(f"<th>{STATE_NAMES[k]}</th>" for k in keys)
    rows = "".join(
        f'<tr data-unit="{escape(t.unit)}"><td>{names.unit(t.unit)}</td><td class=num>{t.total}</td>'
        + "".join(f"<td class=num>{getattr(t, k)}</td>" for k in keys)
        + f"<td class=num>{percent(t.rates.rate)}</td></tr>"
        for t in overview.units
    )
    return f'<table class="units"><tr><th>单位</th><th>事项</th>{head}<th>完成率</th></tr>{rows}</table>'


def _overdue(overview, names: Names) -> str:
    """Each unit behind with its overdue items (task, period), then each overdue task's text once."""
    from lanxi_cli.core.domain import id_order

    if not overview.overdue:
        return "<p>截至目前，各单位均无逾期未完成事项。</p>"
    rows, tasks, owing = [], {}, {}
    for unit, obligations in overview.overdue.items():
        items = "、".join(
            f'<span title="{escape(ob.task.text)}">{names.task(ob.task)}'
            + (f"（{escape(' '.join(filter(None, (ob.subject, period_name(ob.occ.label)))))}）"
               if ob.occ.label or ob.subject else "") + "</span>"
            for ob in obligations
        )
        for ob in obligations:
            tasks[ob.task.id] = ob.task
            owing.setdefault(ob.task.id, set()).add(unit)
        rows.append(f'<tr><td class="overdue" style="white-space:nowrap">{names.unit(unit)}</td>'
                    f"<td class=num>{len(obligations)}</td><td>{items}</td></tr>")
    head = "<tr><th>单位</th><th>逾期项数</th><th>逾期事项（任务编号及周期）</th></tr>"
    texts = "".join(
        f'<tr><td>{names.task(t) if names.links else escape(t.id)}</td><td class=num>{len(owing[t.id])}</td>'
        f'<td style="white-space:nowrap">'
        f"{escape(t.deadline_text)}</td><td>{escape(t.text)}</td></tr>"
        for t in sorted(tasks.values(), key=lambda t: id_order(t.id))
    )
    return (f"<p>{len(overview.overdue)} 个单位有逾期未完成事项：</p><table>{head}{''.join(rows)}</table>"
            "<p>逾期任务的要求：</p><table><tr><th>任务</th><th>逾期<br>单位数</th><th>完成时限</th><th>任务要求</th></tr>"
            f"{texts}</table>")


def _matrix(overview, tasks, names: Names) -> str:
    """Units × tasks, each cell the state of the task's current occurrence for that unit, in its colour
    with its mark; the columns headed by the tasks' labels (1.1 制定方案); the legend made of the same."""
    from lanxi_cli.core.domain import task_label

    units, cell = overview.matrix
    head = "".join(f'<th class="task" title="{escape(t.text)}">{names.task(t)}</th>' for t in tasks)
    rows = []
    for unit in units:
        cells = []
        for task in tasks:
            state = cell.get((unit, task.id))
            if state is None:
                cells.append("<td></td>")
                continue
            cells.append(f'<td class="state-{state}" style="background:#{STATE_INKS[state]}" '
                         f'title="{escape(unit)} {escape(task_label(task))}：{STATE_NAMES[state]}">'
                         f"{escape(STATE_MARKS[state])}</td>")
        rows.append(f'<tr><th class="unit">{names.unit(unit)}</th>{"".join(cells)}</tr>')
    legend = "".join(
        f'<span data-state="{s}"><i style="background:#{STATE_INKS[s]}">{escape(STATE_MARKS[s])}</i>'
        f"{STATE_NAMES[s]}</span>" for s in STATE_ORDER
    )
    return (f'<p class="legend">图例：{legend}<span>空白：无此任务</span></p>'
            f'<p class="meta">{MATRIX_CELL_NOTE}</p>'
            f'<div style="overflow-x:auto"><table class="matrix"><tr><th class="unit">单位</th>{head}</tr>'
            f"{''.join(rows)}</table></div>")


def _timeline(overview) -> str:
    import pygal

    points = overview.timeline
    if len(points) < 2:
        return "<p>活动尚未开始，还没有进度曲线。</p>"
    chart = pygal.DateLine(
        style=_style(("overdue", "done")), js=[], disable_xml_declaration=True, width=1000, height=380,
        legend_at_bottom=True, x_label_rotation=0, show_dots=False, fill=False, margin=10,
        title="应完成与已完成事项（累计）", x_value_formatter=lambda d: f"{d.month}月{d.day}日",
        truncate_label=-1,
    )
    chart.add("应完成（已到期）", [(p.day, p.due) for p in points], stroke_style={"width": 2, "dasharray": "6,4"})
    chart.add("已完成", [(p.day, p.completed) for p in points], stroke_style={"width": 3})
    last = points[-1]
    return (f"<figure>{_svg(chart)}<figcaption>截至 {last.day}：已到期 {last.due} 项，累计完成 {last.completed} 项"
            "（按完成报告的日期）。</figcaption></figure>")


def _upcoming(overview, names: Names) -> str:
    if not overview.upcoming:
        return "<p>任务清单中已无未到期事项。</p>"
    rows = "".join(
        f"<tr><td>{due}</td><td>{names.task(task)}</td><td>{escape(task.text)}</td>"
        f"<td>{'、'.join(names.unit(u) for u in units)}</td></tr>"
        for due, task, units in overview.upcoming
    )
    return f"<table><tr><th>截止</th><th>任务</th><th>内容</th><th>单位</th></tr>{rows}</table>"
