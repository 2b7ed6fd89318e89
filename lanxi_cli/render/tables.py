"""Rows → tables, JSON and CSV. Nothing here decides a state; it only shows one.

Tables are rich tables with Chinese headers; wide characters are measured by
rich (`cell_len`), colour follows NO_COLOR, and every state also has a word
or a mark, so nothing depends on colour alone.
"""

from __future__ import annotations

import sys

STATE_NAMES = {
    "done": "已完成",
    "late": "逾期完成",
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "open": "未到期",
    "exempt": "不适用",
}
STATE_STYLES = {
    "done": "green",
    "late": "dark_orange",
    "overdue": "bold red",
    "due_soon": "yellow",
    "open": "",
    "exempt": "dim",
}
# Beside the state: has the lead verified the completion claim (销号核验)?
VERIFICATION_NAMES = {"verified": "已核验", "claimed": "已申报", "rejected": "已退回"}
# One narrow ASCII mark per state, for the matrix: reads the same without colour.
STATE_MARKS = {"done": "+", "late": "~", "overdue": "X", "due_soon": "!", "open": ".", "exempt": "-"}
STATUS_NAMES = {"done": "完成", "progress": "进行中", "blocked": "受阻"}  # a report's status
KIND_NAMES = {"village": "村", "community": "社区", "department": "部门", "other": "其他"}


def terminal_safe(text: str) -> str:
    """Text as it may reach a terminal: each control or bidi-override
    character (domain.CONTROL) shown as its escape, `\\x1b`, `\\u202e`."""
    from lanxi_cli.core.domain import CONTROL

    return CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def _safe(renderable):
    """A table cell or printed line with terminal_safe applied to its text."""
    if isinstance(renderable, str):
        return terminal_safe(renderable)
    from rich.text import Text

    if isinstance(renderable, Text) and terminal_safe(renderable.plain) != renderable.plain:
        return Text(terminal_safe(renderable.plain), style=renderable.style)
    return renderable


def console(file=None):
    """A rich console that reads no markup in text (a note may hold `[/x]`)
    and prints every string through terminal_safe."""
    from rich.console import Console

    class SafeConsole(Console):
        def print(self, *objects, **kwargs):
            super().print(*(_safe(o) for o in objects), **kwargs)

    return SafeConsole(file=file or sys.stdout, highlight=False, soft_wrap=False, markup=False, emoji=False)


def table(*headers: str, title: str | None = None, wrap: tuple[int, ...] = ()):
    """A table whose columns keep to one line, except those in `wrap`; every
    cell goes through terminal_safe."""
    from rich import box
    from rich.table import Table

    class SafeTable(Table):
        def add_row(self, *renderables, **kwargs):
            super().add_row(*(_safe(r) for r in renderables), **kwargs)

    tbl = SafeTable(
        title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, padding=(0, 1, 0, 0)
    )
    for i, header in enumerate(headers):
        tbl.add_column(header, no_wrap=i not in wrap, overflow="fold")
    return tbl


def state_text(state: str, verification: str | None = None, blocked: bool = False):
    """The state's word; with a verification, or a report saying blocked, its word on a second line."""
    from rich.text import Text

    text = Text(STATE_NAMES[state], style=STATE_STYLES[state])
    if verification:
        text.append("\n" + VERIFICATION_NAMES[verification])
    if blocked:
        text.append("\n受阻", style="bold")
    return text


def bar(done: int, total: int, width: int = 10) -> str:
    """A completion bar in plain ASCII: `#####-----  50%`."""
    filled = round(width * done / total) if total else 0
    pct = round(100 * done / total) if total else 0
    return f"{'#' * filled}{'-' * (width - filled)} {pct:>3}%"


def short(text: str, cells: int = 24) -> str:
    """The first clause of a requirement, cut to at most `cells` terminal cells."""
    from rich.cells import cell_len

    for stop in "。；;，":
        head = text.split(stop)[0]
        if head and cell_len(head) <= cells:
            return head
    if cell_len(text) <= cells:
        return text
    out, used = "", 1  # one cell for the ellipsis
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out += char
    return out + "…"


def print_json(data) -> None:
    """JSON, UTF-8 unescaped; a control or bidi character left unescaped by
    json (C1, U+202E…) is written as its \\u escape: the same string, read back."""
    import json

    from lanxi_cli.core.domain import CONTROL

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def print_csv(rows: list[dict], columns: list[str] | None = None) -> None:
    import csv
    import io

    columns = columns or (list(rows[0]) if rows else [])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    sys.stdout.write(terminal_safe(out.getvalue()))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A csv value that no spreadsheet reads as a formula (OWASP): text
    starting with = + - @, tab or CR gets a leading '. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value):
    if isinstance(value, list | tuple):
        value = "、".join(map(str, value))
    return "" if value is None else safe_cell(value)


def unit_list(book, units, limit: int = 6) -> str:
    """Units for a table cell: a whole group by its name, the rest by name."""
    left = list(units)
    parts = []
    for group in book.plan.groups:
        members = book.group(group.name)
        if len(members) > 1 and set(members) <= set(left):
            parts.append(f"{group.name}全部")
            left = [u for u in left if u not in members]
    if len(left) > limit:
        parts.append("、".join(left[:limit]) + f"等{len(left)}个")
    elif left:
        parts.append("、".join(left))
    return "；".join(parts)


def campaign_header(book, as_of) -> str:
    from lanxi_cli.core.engine import phase_on

    plan = book.plan
    phase = phase_on(book, as_of)
    if as_of < plan.campaign.start:
        where = f"活动尚未开始（{plan.campaign.start} 开始）"
    elif as_of > plan.campaign.end:
        where = f"活动已结束（{plan.campaign.end}）"
    else:
        left = (plan.campaign.end - as_of).days
        where = f"{phase.name if phase else '活动期间'} · 距活动结束 {left} 天"
    return f"{plan.town} · {plan.title}\n截至 {as_of} · {where}"


# ---- lanxi tasks ------------------------------------------------------------------


def show_tasks(book, rows, as_of, fmt: str) -> None:
    if fmt == "json":
        return print_json([row.as_dict() for row in rows])
    if fmt == "csv":
        return print_csv([row.as_dict() for row in rows])
    out = console()
    if not rows:
        out.print(f"截至 {as_of}，没有符合条件的任务。")
        return
    tbl = table("编号", "任务", "牵头", "截止", "状态", "逾期单位",
                title=f"任务清单（截至 {as_of}）", wrap=(1, 2, 5))
    for row in rows:
        tbl.add_row(
            row.task.id,
            short(row.task.text),
            row.lead,
            row.due.isoformat() if row.due else "—",
            state_text(row.state, row.verification),
            unit_list(book, row.overdue_units),
        )
    out.print(tbl)


# ---- lanxi status ---------------------------------------------------------------


def show_status(book, tallies, as_of, fmt: str) -> None:
    from rich.cells import cell_len

    rows = [t.as_dict() for t in tallies]
    if fmt == "json":
        return print_json({"as_of": as_of.isoformat(), "units": rows})
    if fmt == "csv":
        return print_csv(rows)
    out = console()
    out.print(campaign_header(book, as_of))
    exempt = any(t.exempt for t in tallies)  # the column shows only where an exemption was approved
    headers = ["单位", "总数", "已完成", "逾期\n完成", "已逾期", "即将\n到期", "未到期",
               *(["不适\n用"] if exempt else []), "完成进度"]
    tbl = table(*headers, wrap=(0,))
    for col in tbl.columns[1:-1]:
        col.justify = "right"
    tbl.columns[0].min_width = min(20, max((cell_len(t.unit) for t in tallies), default=4))
    from lanxi_cli.core.domain import GROUP_OF_KIND

    group = None
    for t in tallies:
        if group is not None and GROUP_OF_KIND[t.kind] != group:
            tbl.add_section()
        group = GROUP_OF_KIND[t.kind]
        tbl.add_row(
            t.unit, str(t.total), str(t.done), str(t.late),
            _styled(t.overdue, "overdue"), _styled(t.due_soon, "due_soon"), str(t.open),
            *([str(t.exempt) if t.exempt else ""] if exempt else []), bar(t.completed, t.total, width=5),
        )
    out.print(tbl)
    completed = sum(t.completed for t in tallies)
    verified = sum(t.verified for t in tallies)
    if completed:
        out.print(f"已完成 {completed} 项中：已核验 {verified} 项，已申报待核验 {completed - verified} 项。")


def _styled(number: int, state: str):
    from rich.text import Text

    return Text(str(number), style=STATE_STYLES[state] if number else "")


def show_assessment(book, standings, as_of, fmt: str) -> None:
    """lanxi assess: one table per ranking group, best first."""
    from rich.text import Text

    from lanxi_cli.core.assess import GROUP_NAMES, LIGHT_NAMES, LIGHT_STYLES

    rows = [s.as_dict() for s in standings]
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows)
    out = console()
    out.print(campaign_header(book, as_of))
    for group, name in GROUP_NAMES.items():
        members = [s for s in standings if s.group == group]
        if not members:
            continue
        tbl = table("名次", "单位", "得分", "按时", "逾期完成", "已逾期", "亮灯", "措施",
                    title=f"{name}考核排名（{len(members)}个）")
        for col in tbl.columns[2:6]:
            col.justify = "right"
        for s in members:
            t = s.tally
            tbl.add_row(
                str(s.rank), s.unit, f"{float(s.score):.2f}", str(t.done), str(t.late),
                _styled(t.overdue, "overdue"), Text(LIGHT_NAMES[s.light], style=LIGHT_STYLES[s.light]),
                s.measure or "",
            )
        out.print(tbl)
    rules = book.plan.assessment
    out.print(f"计分：按时完成1分，逾期完成{rules.scoring.late:g}分，守时分{rules.scoring.punctual:g}，"
              "折合百分制（详见 plan.yaml assessment.scoring）。")


def amount(ob) -> str:
    """An obligation's quantity against its target: 2/3, a rate 60%/50%, each part on its own."""
    if ob.parts:
        return " ".join(f"{p.name}{p.count}/{p.target}" for p in ob.parts)
    if ob.target is not None:
        return f"{ob.count}/{ob.target}"
    if ob.rate_target is not None:
        return f"{ob.rate:.0%}/{ob.rate_target:.0%}" if ob.rate is not None else f"—/{ob.rate_target:.0%}"
    return ""


def _flat(row: dict) -> dict:
    """An obligation's dict for a csv row: parts and the blocking report in one cell each."""
    blocked = row["blocked"]
    parts = "、".join(f"{p['name']} {p['count']}/{p['target']}" for p in row["parts"])
    return {**row, "parts": parts, "blocked": f"{blocked['date']} {blocked['note']}".strip() if blocked else ""}


def show_unit_status(book, unit, obligations, leads, as_of, fmt: str) -> None:
    from lanxi_cli.core.engine import obligation_dict

    rows = [obligation_dict(o) for o in obligations]
    if fmt == "json":
        return print_json({
            "as_of": as_of.isoformat(),
            "unit": unit,
            "kind": book.units[unit].kind,
            "obligations": rows,
            "leads": [lead.as_dict() for lead in leads],
        })
    if fmt == "csv":
        return print_csv([_flat(row) for row in rows])
    out = console()
    info = book.units[unit]
    liaison = f" · 联络员 {info.liaison.name} {info.liaison.phone}".rstrip() if info.liaison.name else ""
    out.print(f"{unit}（{KIND_NAMES[info.kind]}）{liaison}\n截至 {as_of}")
    if obligations:
        tbl = table("任务", "内容", "周期", "截止", "状态", "数量", "最近报告",
                    title="本单位承担的任务", wrap=(1, 5))
        for ob in obligations:
            tbl.add_row(
                ob.task.id + ("" if ob.scored else "*"), short(ob.task.text, 20), ob.occ.label or "",
                ob.due.isoformat(), state_text(ob.state, ob.verification, ob.blocked is not None),
                amount(ob), ob.last_report.isoformat() if ob.last_report else "",
            )
        out.print(tbl)
        if not all(ob.scored for ob in obligations):
            out.print("* 不计入考核（方案印发前到期，或该任务不计分）。")
    else:
        out.print("本单位没有承担任务。")
    if leads:
        tbl = table("任务", "内容", "单位数", "已全部完成", "有逾期", "逾期单位",
                    title="本单位牵头的任务", wrap=(1, 5))
        for lead in leads:
            tbl.add_row(
                lead.task.id, short(lead.task.text, 20), str(lead.units_total),
                str(lead.units_done), _styled(lead.units_overdue, "overdue"),
                unit_list(book, lead.overdue_units, limit=3),
            )
        out.print(tbl)
        for line in blocked_lines([ob for lead in leads for ob in lead.blocked]):
            out.print(line)


def blocked_lines(obligations) -> list[str]:
    """What the lead must act on: each obligation whose latest report says blocked."""
    lines = []
    for ob in obligations:
        note = short(ob.blocked.note.replace("\n", " "), 40) if ob.blocked.note else "未说明原因"
        period = f"（{ob.occ.label}）" if ob.occ.label else ""
        lines.append(f"待协调：{ob.task.id}{period} {ob.unit} {ob.blocked.date} 报告受阻：{note}")
    return lines


def show_matrix(book, obligations, as_of, fmt: str) -> None:
    """Units × tasks, one mark per cell: the unit's worst state on the task."""
    from rich.cells import cell_len
    from rich.text import Text

    from lanxi_cli.core.engine import state_matrix

    units, cell = state_matrix(book, obligations)
    if fmt in ("json", "csv"):
        rows = [{"unit": u, **{t.id: cell.get((u, t.id)) for t in book.tasks}} for u in units]
        return print_json({"as_of": as_of.isoformat(), "rows": rows}) if fmt == "json" else print_csv(rows)
    out = console()
    name_width = max(cell_len(u) for u in units) + 2 if units else 8
    pad = lambda text: text + " " * (name_width - cell_len(text))  # noqa: E731
    width = max((len(t.id.split(".")[1]) for t in book.tasks), default=1) + 1  # item numbers ≥ 10 widen
    head_cat, head_item, last_cat = pad(""), pad("单位"), None
    for task in book.tasks:
        cat, item = task.id.split(".")
        head_cat += (cat if cat != last_cat else "").ljust(width)
        head_item += item.ljust(width)
        last_cat = cat
    out.print(campaign_header(book, as_of))
    out.print(Text(head_cat.rstrip()))
    out.print(Text(head_item.rstrip()))
    for unit in units:
        line = Text(pad(unit))
        for task in book.tasks:
            state = cell.get((unit, task.id))
            line.append(STATE_MARKS[state] if state else " ", style=STATE_STYLES.get(state, ""))
            line.append(" " * (width - 1))
        out.print(line)
    legend = " ".join(f"{mark} {STATE_NAMES[s]}" for s, mark in STATE_MARKS.items())
    out.print(f"图例：{legend}  空白 无此任务\n表头：上行为类别序号，下行为事项序号")


# ---- lanxi units / check ------------------------------------------------------------


def unit_dicts(book) -> list[dict]:
    from dataclasses import asdict

    return [
        {"name": u.name, "kind": u.kind, "aliases": list(u.aliases), "liaison": asdict(u.liaison)}
        for u in book.units.values()
    ]


def show_units(book, fmt: str) -> None:
    rows = unit_dicts(book)
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        flat = [{**r, "liaison": f"{r['liaison']['name']} {r['liaison']['phone']}".strip()} for r in rows]
        return print_csv(flat)
    out = console()
    tbl = table("单位", "类型", "别名", "联络员", "电话",
                title=f"{book.plan.town}单位名册（{len(rows)}个）", wrap=(2,))
    for u in book.units.values():
        tbl.add_row(u.name, KIND_NAMES[u.kind], "、".join(u.aliases), u.liaison.name, u.liaison.phone)
    out.print(tbl)
    for group in book.plan.groups:
        out.print(f"{group.name}：{len(book.group(group.name))}个单位")


def show_check(book, reports, problems, fmt: str) -> None:
    if fmt in ("json", "csv"):
        rows = [{"file": p.file, "line": p.line, "message": p.message} for p in problems]
        if fmt == "csv":
            return print_csv(rows, ["file", "line", "message"])
        return print_json({
            "ok": not problems,
            "problems": rows,
            "tasks": len(book.tasks) if book else None,
            "units": len(book.units) if book else None,
            "reports": len(reports),
        })
    for problem in problems:
        sys.stdout.write(f"{terminal_safe(str(problem))}\n")
    if problems:
        sys.stderr.write(f"发现 {len(problems)} 处问题。\n")
    else:
        sys.stdout.write(
            f"检查通过：{len(book.tasks)} 项任务，{len(book.units)} 个单位，{len(reports)} 份报告。\n"
        )


# ---- lanxi report list / missing, lanxi log ----------------------------------------------


def show_reports(rows: list[dict], fmt: str) -> None:

    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows)
    out = console()
    if not rows:
        out.print("没有符合条件的报告。")
        return
    tbl = table("日期", "任务", "单位", "状态", "数量", "报告人", "说明", "编号",
                title=f"进展报告（{len(rows)}份）", wrap=(6, 7))
    for r in rows:
        count = "" if r["count"] is None else str(r["count"])
        if r["rate"] is not None:
            count = f"{count} {r['rate']:.0%}".strip()
        mark = "（已撤回）" if r.get("withdrawn") else "（已更正）" if r.get("superseded_by") else ""
        state = STATUS_NAMES[r["status"]] + mark
        tbl.add_row(r["date"], r["task"], r["unit"], state, count, r["by"],
                    short(r["note"].replace("\n", " "), 20), r["id"])
    out.print(tbl)


def show_missing(book, window, units: list[str], owed: int, fmt: str) -> None:
    """`window` is (start, end), or None before the first reporting day."""
    if fmt == "json":
        shown = None if window is None else {"start": window[0].isoformat(), "end": window[1].isoformat()}
        return print_json({"window": shown, "units": units, "owed": owed})
    rows = [
        {"unit": u, "kind": book.units[u].kind, "liaison": book.units[u].liaison.name,
         "phone": book.units[u].liaison.phone}
        for u in units
    ]
    if fmt == "csv":
        return print_csv(rows, ["unit", "kind", "liaison", "phone"])
    out = console()
    if window is None:
        out.print("旬报尚未到第一个报告日，还没有应报的旬报。")
        return
    start, end = window
    if not units:
        out.print(f"旬报 {start} 至 {end}：应报的 {owed} 个单位都已报告。")
        return
    out.print(f"旬报 {start} 至 {end}：应报 {owed} 个单位，{len(units)} 个未报")
    tbl = table("单位", "类型", "联络员", "电话")
    for r in rows:
        tbl.add_row(r["unit"], KIND_NAMES[r["kind"]], r["liaison"] or "（未备案）", r["phone"])
    out.print(tbl)


def show_log(changes, fmt: str) -> None:
    rows = [c.as_dict() for c in changes]
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows, ["commit", "date", "time", "author", "subject", "files"])
    out = console()
    if not rows:
        out.print("没有符合条件的数据修改记录。")
        return
    tbl = table("日期", "作者", "修改", "文件", title=f"数据修改记录（{len(rows)}次，新的在前）", wrap=(2, 3))
    for c in changes:
        names = [f.rsplit("/", 1)[-1] for f in c.files]
        files = names[0] + (f" 等{len(names)}个" if len(names) > 1 else "") if names else ""
        tbl.add_row(c.time.strftime("%Y-%m-%d %H:%M"), c.author, c.subject, files)
    out.print(tbl)


# ---- supervision: extensions, goals ------------------------------------------------

DECISION_NAMES = {"approved": "已同意", "rejected": "不同意", "pending": "待审批"}
DIRECTION_NAMES = {"rise": "上升", "fall": "下降"}
TREND_NAMES = {"met": "达标", "unmet": "未达标", "no_data": "无数据"}


def show_extensions(rows: list[dict], as_of, fmt: str) -> None:
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows, ["task", "unit", "period", "due", "until", "date", "reason", "decision", "file"])
    out = console()
    if not rows:
        out.print(f"截至 {as_of}，没有延期申请。")
        return
    tbl = table("任务", "单位", "周期", "原截止", "延至", "审批", "理由", title=f"延期申请（截至 {as_of}）", wrap=(6,))
    for row in rows:
        tbl.add_row(row["task"], row["unit"], row["period"] or "", row["due"], row["until"],
                    DECISION_NAMES[row["decision"]], row["reason"])
    out.print(tbl)


def show_exemptions(rows: list[dict], as_of, fmt: str) -> None:
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows, ["id", "task", "unit", "period", "reason", "decision", "date", "by", "file"])
    out = console()
    if not rows:
        out.print("没有不适用申请。")
        return
    tbl = table("任务", "单位", "周期", "申请日期", "审批", "理由", "编号", title="不适用申请", wrap=(5, 6))
    for row in rows:
        tbl.add_row(row["task"], row["unit"], row["period"] or "全部", row["date"],
                    DECISION_NAMES[row["decision"] or "pending"], row["reason"], row["id"])
    out.print(tbl)


def feedback_lines(fb) -> list[str]:
    """report add's word on stderr (see reporting.feedback)."""
    report, ob = fb.report, fb.obligation
    if ob is None:
        return [f"提示：{report.unit} 是任务 {report.task} 的牵头单位，不承担该任务的义务；"
                "本报告只作记录，不计入任何义务的完成。"]
    period = f" {ob.occ.label}" if ob.occ.label else ""
    got = amount(ob)
    lines = [f"计入：任务 {ob.task.id}{period}（{ob.unit}，截止 {ob.due}），现为{STATE_NAMES[ob.state]}"
             + (f"，{got}" if got else "") + "。"]
    if fb.short:
        lines.append(f"提示：本报告申报完成，但已报{got or '的数量'}未达目标；"
                     "已报数量或比率的，以目标为准，该项尚未完成。")
    for early in fb.overdue_before:
        lines.append(f"警告：{early.occ.label} 的同一任务已逾期且未完成（截止 {early.due}）；"
                     f"若本报告属于该期，请用 --period {early.occ.label} 填报。")
    return lines


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def show_measures(book, rows, as_of, fmt: str) -> None:
    dicts = [row.as_dict() for row in rows]
    if fmt == "json":
        return print_json({"as_of": as_of.isoformat(), "measures": dicts})
    if fmt == "csv":
        return print_csv(dicts)
    out = console()
    if not rows:
        out.print("plan.yaml 的 goals.measures 没有列出任何指标。")
        return
    tbl = table("指标", "应", "基线", "最新值", "日期", "判断", title=f"工作目标（截至 {as_of}）", wrap=(0,))
    for row in rows:
        latest = row.latest
        base = _number(row.baseline) + ("" if row.measure.baseline is not None or row.baseline is None else "*")
        tbl.add_row(
            row.measure.name, DIRECTION_NAMES[row.measure.direction], base,
            _number(latest.value) if latest else "—", latest.date.isoformat() if latest else "",
            TREND_NAMES[row.trend],
        )
    out.print(tbl)
    if any(r.baseline is not None and r.measure.baseline is None for r in rows):
        out.print("* plan.yaml 未给出基线，以最早一次记录的数值为基线。")
