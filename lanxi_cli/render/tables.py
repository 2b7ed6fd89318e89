"""Computed views → tables, JSON and CSV. Nothing here decides a state; it only shows one.

A command computes a view (a small dataclass of rows) and calls
`render(view, fmt)`, which picks the writer: `view.data()` for JSON (the
contract's shapes, from `shapes`), `view.records()` for CSV (Chinese
headers), `view.text(width, colour)` for the terminal. Tables are laid out by
`grid`: wide characters measured by `cell_len`, no colour under NO_COLOR or
into a pipe, and every state also has a word or a mark, so nothing depends
on colour alone. Nothing a user typed reaches the terminal as an escape code
(`terminal_safe`), nor JSON as a raw control or bidi character.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from lanxi_cli.render import shapes
from lanxi_cli.render.terminal import terminal_safe  # noqa: F401  (views and commands take it from here)
from lanxi_cli.render.words import (  # noqa: F401  (names other modules take from here)
    DECISION_NAMES,
    DIRECTION_NAMES,
    KIND_NAMES,
    LIGHT_NAMES,
    LIGHT_STYLES,
    MATRIX_CELL_NOTE,
    STATE_MARKS,
    STATE_NAMES,
    STATE_ORDER,
    STATE_STYLES,
    STATUS_NAMES,
    TREND_NAMES,
    VERIFICATION_NAMES,
    percent,
)

# ---- the one switch ----------------------------------------------------------------


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def colour_allowed(stream) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or (hasattr(stream, "isatty") and stream.isatty())


def render(view, fmt: str = "table", stream=None) -> None:
    """Write `view` to `stream` (stdout) as `fmt`: table, json or csv."""
    stream = stream or sys.stdout
    if fmt in ("json", "csv"):
        text = rendered(view, fmt, regular_file(stream))
    else:
        colour = colour_allowed(stream)
        text = view.text(terminal_width(), colour)
        if not colour:  # views escape what they show; without colour codes of ours, the whole text again
            text = terminal_safe(text)
    stream.write(text)


def rendered(view, fmt: str, to_file: bool) -> str:
    """`view` as json or csv text; csv bound for a file (not a pipe or a
    terminal) starts with a byte-order mark: Excel reads its Chinese right only so."""
    if fmt == "json":
        return json_text(view.data())
    text = terminal_safe(shapes.csv_text(view.records(), view.columns or None, view.headers))
    return "\ufeff" + text if to_file else text


def regular_file(stream) -> bool:
    """Whether `stream` writes to a regular file (stdout redirected to one), not a pipe or a terminal."""
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # no file behind it (a test's capture)
        return False


def json_text(data) -> str:
    """JSON, UTF-8 unescaped; a control or bidi character left unescaped by
    json (C1, U+202E…) is written as its \\u escape: the same string, read back."""
    import json

    from lanxi_cli.core.domain import CONTROL

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"


class View:
    """What every view offers; `columns` picks and orders the csv fields,
    `headers` names fields that `shapes.HEADERS` does not (or names otherwise)."""

    columns: tuple[str, ...] = ()
    headers: dict[str, str] = {}  # noqa: RUF012  (read only)

    def data(self):
        raise NotImplementedError

    def records(self) -> list[dict]:
        return self.data()

    def text(self, width: int, colour: bool) -> str:
        raise NotImplementedError


@dataclass
class Listing(View):
    """A plain list of dicts with a table of chosen columns: the view a simple
    `list` command needs. `table` is [(field, header, wrap)] (the last wrapping
    column takes the spare width; an `id` column breaks only at its hyphens);
    `words` maps a field's codes (None too) to Chinese words in the table;
    `columns` orders the csv and `headers` names its fields where this list
    means them otherwise than `shapes.HEADERS`."""

    rows: list[dict]
    table: list[tuple[str, str, bool]]
    title: str = ""
    empty: str = "没有符合条件的记录。"
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def data(self):
        return self.rows

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        if not self.rows:
            return self.empty + "\n"
        last = max((i for i, (key, _, wrap) in enumerate(self.table) if wrap and key != "id"), default=None)
        grid = Grid([id_column(header) if key == "id" else Column(header, wrap=wrap, grow=i == last)
                     for i, (key, header, wrap) in enumerate(self.table)], title=self.title)
        for row in self.rows:
            grid.add(*(_word(self.words.get(key), row.get(key)) for key, _, _ in self.table))
        return render(grid, width, colour)


def _word(words, value) -> str:
    if value is None:
        return words.get(None, "") if words else ""
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return words.get(value, str(value)) if words else str(value)


# ---- pieces shared by the views ----------------------------------------------------------


def id_column(header: str = "编号"):
    """A column of record ids (`2020-09-20-兰溪派出所-5.1-3f9a1c`): whole where
    it fits, else broken only after a hyphen, so no name in it is split."""
    from lanxi_cli.render.grid import Column

    return Column(header, wrap=True, words="-")


def state_cell(state: str, verification: str | None = None, blocked: bool = False) -> tuple[str, str]:
    """The state's word, and its colour; a verification, or a report saying
    blocked, each adds its word on a line of its own."""
    text = STATE_NAMES[state] + (f"\n{VERIFICATION_NAMES[verification]}" if verification else "")
    return text + ("\n受阻" if blocked else ""), STATE_STYLES[state]


def count_cell(number: int, state: str) -> tuple[str, str]:
    return str(number), STATE_STYLES[state] if number else ""


def amount(ob) -> str:
    """An obligation's quantity against its target: 2/3, a rate 60%/50%, each part on its own."""
    if ob.parts:
        return " ".join(f"{p.name} {shapes.part_text(p.count, p.target, p.rate, p.rate_target)}" for p in ob.parts)
    if ob.target is not None:
        return f"{ob.count}/{ob.target}"
    if ob.rate_target is not None:
        return f"{ob.rate:.0%}/{ob.rate_target:.0%}" if ob.rate is not None else f"—/{ob.rate_target:.0%}"
    return ""


def _unscored(t) -> str:
    return f"{t.unscored}({t.unscored_overdue})" if t.unscored_overdue else str(t.unscored)


def short(text: str, cells: int = 24) -> str:
    """The first clause of a requirement, cut to at most `cells` terminal cells
    (for prompts and other one-line mentions; tables show the whole text)."""
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


def prose(text: str, width: int) -> str:
    """A sentence under a table, wrapped to the terminal by the same rules as table cells."""
    from lanxi_cli.render.grid import wrap

    return "\n".join(wrap(terminal_safe(text), width)) + "\n"


def campaign_header(campaign) -> str:
    """Two lines over a screen: the plan, the day, and where the campaign stands."""
    if campaign.stage == "before":
        where = f"活动尚未开始（{campaign.start} 开始）"
    elif campaign.stage == "after":
        where = f"活动已结束（{campaign.end}）"
    else:
        where = f"{campaign.phase or '活动期间'} · 距活动结束 {campaign.days_left} 天"
    return terminal_safe(f"{campaign.town} · {campaign.title}\n截至 {campaign.as_of} · {where}") + "\n"


# ---- lanxi tasks ------------------------------------------------------------------


@dataclass
class TasksView(View):
    book: object
    as_of: object
    rows: list

    def data(self):
        return [shapes.task(row) for row in self.rows]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        if not self.rows:
            return f"截至 {self.as_of}，没有符合条件的任务。\n"
        grid = Grid([Column("编号"), Column("任务", wrap=True, grow=True), Column("牵头", wrap=True), Column("截止"),
                     Column("状态"), Column("逾期单位", wrap=True, words=True)], title=f"任务清单（截至 {self.as_of}）")
        for row in self.rows:
            due = row.due.isoformat() if row.due else "—"
            if row.next_due and row.due and row.next_due != row.due:  # an older one overdue: the next beside it
                due += f"\n下次\n{row.next_due.isoformat()}"
            grid.add(row.task.id, row.task.text, row.lead, due,
                     state_cell(row.state, row.verification), unit_list(self.book, row.overdue_units, limit=3))
        return render(grid, width, colour)


# ---- lanxi status ---------------------------------------------------------------


@dataclass
class StatusView(View):
    campaign: object
    tallies: list  # engine.Tally, display order
    group_of: dict  # unit kind → display group
    acks: dict = field(default_factory=dict)  # unit → core.receipts.Ack: its 签收 of the notice
    unacknowledged: list = field(default_factory=list)  # units late to acknowledge it
    ack_by: object = None  # the last day to acknowledge it

    headers = shapes.COUNT_HEADERS

    def data(self):
        return {"as_of": self.campaign.as_of.isoformat(), "units": [
            {**shapes.unit_summary(t), "ack": shapes.ack(self.acks.get(t.unit))} for t in self.tallies]}

    def records(self):  # csv: the 签收 date alone
        return [{**shapes.unit_summary(t), "ack": self.acks[t.unit].date if t.unit in self.acks else None}
                for t in self.tallies]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        exempt = any(t.exempt for t in self.tallies)  # the column shows only where an exemption was approved
        unscored = any(t.unscored for t in self.tallies)
        heads = ["总数", "已完成", "逾期\n完成", "已逾期", "即将\n到期", "未到期", *(["不适\n用"] if exempt else []),
                 *(["不计\n分"] if unscored else [])]
        grid = Grid([Column("单位", wrap=True), *(Column(h, right=True) for h in [*heads, "完成率"])])
        group = None
        for t in self.tallies:
            if group is not None and self.group_of[t.kind] != group:
                grid.section()
            group = self.group_of[t.kind]
            grid.add(t.unit, str(t.total), str(t.done), str(t.late), count_cell(t.overdue, "overdue"),
                     count_cell(t.due_soon, "due_soon"), str(t.open),
                     *([str(t.exempt) if t.exempt else ""] if exempt else []),
                     *([_unscored(t)] if unscored else []), percent(t.rates.rate))
        out = campaign_header(self.campaign) + render(grid, width, colour)
        if unscored:
            out += prose("不计分：方案印发前到期或不计分任务的事项（括号内为其中已逾期的），照常显示状态，"
                         "但不计入得分、完成率和督办措施；总数、已逾期减去它们，即与考核排名（lanxi assess）一致。"
                         "完成率 =（按时完成 + 逾期完成）÷ 截至当日已到期的计分事项。", width)
        if self.unacknowledged:
            late = self.unacknowledged
            out += prose(f"未签收 {len(late)} 个单位（应于 {self.ack_by} 前签收，lanxi ack 记录）："
                         f"{'、'.join(late)}", width)
        completed = sum(t.completed for t in self.tallies)
        verified = sum(t.verified for t in self.tallies)
        if completed:
            out += f"已完成 {completed} 项中：已核验 {verified} 项，已申报待核验 {completed - verified} 项。\n"
        return out


@dataclass
class UnitStatusView(View):
    as_of: object
    unit: object  # domain.Unit
    obligations: list
    leads: list
    rates: object = None  # engine.Rates of the unit's obligations
    measures: list = field(default_factory=list)  # domain.MeasureTaken for the unit, oldest first
    inspected: list = field(default_factory=list)  # obligations of a lead acting on this unit (10.2)

    def data(self):
        return {
            "as_of": self.as_of.isoformat(),
            "unit": self.unit.name,
            "kind": self.unit.kind,
            "obligations": [shapes.obligation(o) for o in self.obligations],
            "leads": [shapes.lead(lead) for lead in self.leads],
            **(shapes.rates(self.rates) if self.rates is not None else {}),
            "measures": [shapes.measure_taken(m) for m in self.measures],
            "inspected": [shapes.obligation(o) for o in self.inspected],
        }

    def records(self):
        return [shapes.flat_obligation(shapes.obligation(o)) for o in self.obligations]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        info = self.unit
        liaison = f" · 联络员 {info.liaison.name} {info.liaison.phone}".rstrip() if info.liaison.name else ""
        out = terminal_safe(f"{info.name}（{KIND_NAMES[info.kind]}）{liaison}") + f"\n截至 {self.as_of}\n"
        if self.obligations:
            grid = Grid([Column("任务"), Column("内容", wrap=True, grow=True), Column("周期"), Column("截止"),
                         Column("状态"), Column("数量", wrap=True, words=True, right=True), Column("最近报告")],
                        title="本单位承担的任务")
            last = None
            for ob in self.obligations:
                same = ob.task.id == last  # a recurring task: its text once, over its first period
                grid.add("" if same else ob.task.id + ("" if ob.scored else "*"), "" if same else ob.task.text,
                         " ".join(filter(None, (ob.subject, ob.occ.label))), ob.due.isoformat(),
                         state_cell(ob.state, ob.verification, ob.blocked is not None), amount(ob),
                         ob.last_report.isoformat() if ob.last_report else "")
                last = ob.task.id
            out += render(grid, width, colour)
            if not all(ob.scored for ob in self.obligations):
                out += "* 不计分：不计入得分、完成率和督办措施（方案印发前到期，或该任务不计分）。\n"
            if self.rates is not None and self.rates.due:
                out += prose(f"完成率 {percent(self.rates.rate)}，按时完成率 {percent(self.rates.on_time_rate)}"
                             f"（按截至当日已到期的 {self.rates.due} 项计分事项计）。", width)
        else:
            out += "本单位没有承担任务。\n"
        for m in self.measures:
            out += prose(f"已采取督办措施：{m.date} {m.kind}" + (f"（{m.note}）" if m.note else "") + "。", width)
        if self.leads:
            grid = Grid([Column("任务"), Column("内容", wrap=True, grow=True), Column("单位数", right=True),
                         Column("已全部\n完成", right=True), Column("有逾期", right=True),
                         Column("逾期单位", wrap=True, words=True)],
                        title="本单位牵头的任务")
            for lead in self.leads:
                grid.add(lead.task.id, lead.task.text, str(lead.units_total), str(lead.units_done),
                         count_cell(lead.units_overdue, "overdue"), "、".join(lead.overdue_units))
            out += "\n" + render(grid, width, colour)
            stuck = [ob for lead in self.leads for ob in lead.blocked]
            out += "".join(prose(line, width) for line in blocked_lines(stuck))
        if self.inspected:
            grid = Grid([Column("任务"), Column("内容", wrap=True, grow=True), Column("开展单位"), Column("周期"),
                         Column("截止"), Column("状态")], title="对本单位开展的任务（本单位不承担，不计入本单位统计）")
            for ob in self.inspected:
                grid.add(ob.task.id, ob.task.text, ob.owner, ob.occ.label or "", ob.due.isoformat(),
                         state_cell(ob.state, ob.verification))
            out += "\n" + render(grid, width, colour)
        return out


def blocked_lines(obligations) -> list[str]:
    """What the lead must act on: each obligation whose latest report says blocked."""
    lines = []
    for ob in obligations:
        note = short(ob.blocked.note.replace("\n", " "), 40) if ob.blocked.note else "未说明原因"
        period = f"（{ob.occ.label}）" if ob.occ.label else ""
        lines.append(f"待协调：{ob.task.id}{period} {ob.named} {ob.blocked.date} 报告受阻：{note}")
    return lines


@dataclass
class MatrixView(View):
    """Units × tasks, one mark per cell: the state of the task's current occurrence for the unit (engine.current)."""

    campaign: object
    task_ids: list[str]
    units: list[str]
    cell: dict  # (unit, task id) → state

    def data(self):
        return {"as_of": self.campaign.as_of.isoformat(), "rows": self.records()}

    def records(self):
        return [{"unit": u, **{t: self.cell.get((u, t)) for t in self.task_ids}} for u in self.units]

    def text(self, width, colour):
        from rich.cells import cell_len

        shown = {u: terminal_safe(u) for u in self.units}
        name_width = max(cell_len(u) for u in shown.values()) + 2 if self.units else 8
        pad = lambda text: text + " " * (name_width - cell_len(text))  # noqa: E731
        flat = any("." not in t for t in self.task_ids)  # ids 1 … n: tens above, units below
        split = (lambda t: (t[:-1], t[-1])) if flat else (lambda t: t.split("."))  # noqa: E731
        step = max((len(split(t)[1]) for t in self.task_ids), default=1) + 1  # item numbers ≥ 10 widen
        head_cat, head_item, last_cat = pad(""), pad("单位"), None
        for task_id in self.task_ids:
            cat, item = split(task_id)
            head_cat += (cat if cat != last_cat else "").ljust(step)
            head_item += item.ljust(step)
            last_cat = cat
        lines = [campaign_header(self.campaign).rstrip("\n"), head_cat.rstrip(), head_item.rstrip()]
        for unit in self.units:
            line = pad(shown[unit])
            for task_id in self.task_ids:
                state = self.cell.get((unit, task_id))
                mark = STATE_MARKS[state] if state else " "
                style = STATE_STYLES.get(state, "") if colour else ""
                line += (f"\x1b[{style}m{mark}\x1b[0m" if style else mark) + " " * (step - 1)
            lines.append(line.rstrip())
        legend = " ".join(f"{STATE_MARKS[s]} {STATE_NAMES[s]}" for s in STATE_ORDER)
        lines.append(f"图例：{legend}  空白 无此任务")
        lines.append(MATRIX_CELL_NOTE)
        lines.append("表头：上行为序号的十位，下行为个位" if flat else "表头：上行为类别序号，下行为事项序号")
        return "\n".join(lines) + "\n"


@dataclass
class AssessView(View):
    """lanxi assess: one table per ranking group, best first."""

    campaign: object
    standings: list
    groups: dict  # group key → its Chinese name, in display order
    scoring: object  # plan.yaml assessment.scoring
    measures: tuple = ()  # plan.yaml assessment.escalation, mildest first

    headers = shapes.COUNT_HEADERS

    def data(self):
        return [shapes.standing(s) for s in self.standings]

    def records(self):
        return [{**row, "last_measure": f"{row['last_measure']['kind']} {row['last_measure']['date']}"
                 if row["last_measure"] else None} for row in self.data()]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        out = campaign_header(self.campaign)
        for group, name in self.groups.items():
            members = [s for s in self.standings if s.group == group]
            if not members:
                continue
            grid = Grid([Column("名次", right=True), Column("单位", wrap=True), Column("得分", right=True),
                         Column("完成率", right=True), Column("到期", right=True), Column("按时", right=True),
                         Column("逾期\n完成", right=True), Column("已逾期", right=True), Column("亮灯"),
                         Column("措施")], title=f"{name}考核排名（{len(members)}个）")
            for s in members:
                t = s.tally
                grid.add("—" if s.rank is None else str(s.rank), s.unit,
                         "—" if s.score is None else f"{float(s.score):.2f}", percent(s.rates.rate),
                         str(t.scored_due), str(t.scored_done), str(t.scored_late), count_cell(t.overdue, "overdue"),
                         (LIGHT_NAMES[s.light], LIGHT_STYLES[s.light]), (s.measure or "") + ("*" if s.held else ""))
            out += render(grid, width, colour) + "\n"
        if any(s.held for s in self.standings):
            out += prose("* 逐级督办：提请的措施最多比该单位最近一次记录的措施重一级，尚无记录时最多提请"
                         f"{self.measures[0]}（已采取的措施用 lanxi measure record 记录）。", width)
        if any(s.rank is None for s in self.standings):
            out += prose("名次为“—”的单位截至当日尚无已到期的计分事项，不计分、不排名。", width)
        return out + prose(f"计分：只计截至当日已到期的计分事项，按时完成1分，逾期完成{self.scoring.late:g}分，"
                           f"另加守时分{self.scoring.punctual:g}，折合百分制；已到期事项全部按时完成即为100分"
                           "（详见 plan.yaml assessment.scoring）。完成率 =（按时完成 + 逾期完成）÷ 已到期。", width)


# ---- lanxi units / check ------------------------------------------------------------


@dataclass
class UnitsView(View):
    town: str
    units: list  # domain.Unit
    groups: list[tuple[str, int]]  # (group name, members)

    def data(self):
        return [shapes.unit(u) for u in self.units]

    def records(self):
        return [{**r, "liaison": r["liaison"]["name"], "phone": r["liaison"]["phone"]} for r in self.data()]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        grid = Grid([Column("单位"), Column("类型"), Column("别名", wrap=True, words=True), Column("联络员"),
                     Column("电话")], title=f"{self.town}单位名册（{len(self.units)}个）")
        for u in self.units:
            grid.add(u.name, KIND_NAMES[u.kind], "、".join(u.aliases), u.liaison.name, u.liaison.phone)
        return render(grid, width, colour) + "".join(f"{name}：{n}个单位\n" for name, n in self.groups)


@dataclass
class CheckView(View):
    problems: list
    tasks: int | None
    units: int | None
    reports: int
    warnings: list = field(default_factory=list)  # valid, but counting for less than they say (exit 0)
    columns = ("file", "line", "message")

    def data(self):
        return {"ok": not self.problems, "problems": self.records(), "tasks": self.tasks, "units": self.units,
                "reports": self.reports, "warnings": [shapes.problem(p) for p in self.warnings]}

    def records(self):
        return [shapes.problem(p) for p in self.problems]

    def text(self, width, colour):
        for p in self.warnings:
            sys.stderr.write(f"警告：{terminal_safe(str(p))}\n")
        if self.problems:
            sys.stderr.write(f"发现 {len(self.problems)} 处问题。\n")
            return "".join(f"{terminal_safe(str(p))}\n" for p in self.problems)
        return f"检查通过：{self.tasks} 项任务，{self.units} 个单位，{self.reports} 份报告。\n"


# ---- lanxi report list / missing, lanxi log ----------------------------------------------


@dataclass
class ReportsView(View):
    reports: list  # domain.Report, oldest first
    corrections: object = None  # with `report list --all`: core.corrections.Corrections, to mark what counts nowhere

    def data(self):
        return [shapes.report(r, self.corrections) for r in self.reports]

    def records(self):  # csv: each evidence file by the name it was sent under
        return [{**row, "evidence_files": [f["name"] for f in row["evidence_files"]]} for row in self.data()]

    def text(self, width, colour):
        """A table with the id last; where the whole of it cannot fit, the id
        (date-unit-task-tail, broken only after a hyphen) stands first in place
        of the date and unit columns, which it repeats."""
        from lanxi_cli.render.grid import least_width, render

        if not self.reports:
            return "没有符合条件的报告。\n"
        grid = self._grid(compact=False)
        if least_width(grid) > width:
            grid = self._grid(compact=True)
        return render(grid, width, colour)

    def _grid(self, compact: bool):
        from lanxi_cli.core.domain import PROGRESS_REPORT
        from lanxi_cli.render.grid import Column, Grid

        heads = [Column("任务"), Column("状态"), Column("数量", right=True), Column("报告人", wrap=True),
                 Column("说明", wrap=True, grow=True), Column("佐证", right=True)]
        if compact:
            grid = Grid([id_column(), *heads], title=f"进展报告（{len(self.reports)}份；编号即 日期-单位-任务-尾号）")
        else:
            grid = Grid([Column("日期"), heads[0], Column("单位"), *heads[1:], id_column()],
                        title=f"进展报告（{len(self.reports)}份）")
        fixes = self.corrections
        for r in self.reports:
            count = "" if r.count is None else str(r.count)
            if r.rate is not None:
                count = f"{count} {r.rate:.0%}".strip()
            mark = ""
            if fixes is not None and r.id in fixes.withdrawn:
                mark = "\n（已撤回）"
            elif fixes is not None and r.id in fixes.superseded_by:
                mark = "\n（已更正）"
            files = len(r.evidence_files)
            state = STATUS_NAMES[r.status] if r.task is not None else "—"  # a 旬报 alone has no status
            cells = (r.task or PROGRESS_REPORT, state + mark, count, r.by, r.note, f"{files}份" if files else "")
            grid.add(*((r.id, *cells) if compact else (r.date.isoformat(), cells[0], r.unit, *cells[1:], r.id)))
        return grid


@dataclass
class MissingView(View):
    window: tuple | None  # (start, end) of the 旬报 window checked; None before the first reporting day
    units: list[str]
    owed: int
    book: object
    columns = ("unit", "kind", "liaison", "phone")

    def data(self):
        return shapes.missing(self.window, self.units, self.owed)

    def records(self):
        return [{"unit": u, "kind": self.book.units[u].kind, "liaison": self.book.units[u].liaison.name,
                 "phone": self.book.units[u].liaison.phone} for u in self.units]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        if self.window is None:
            return "第一个旬报期尚未结束，还没有应报而未报的旬报。\n"
        start, end = self.window
        if not self.units:
            return f"旬报 {start} 至 {end}：应报的 {self.owed} 个单位都已报告。\n"
        grid = Grid([Column("单位"), Column("类型"), Column("联络员"), Column("电话")],
                    title=f"旬报 {start} 至 {end}：应报 {self.owed} 个单位，{len(self.units)} 个未报")
        for r in self.records():
            grid.add(r["unit"], KIND_NAMES[r["kind"]], r["liaison"] or "（未备案）", r["phone"])
        return render(grid, width, colour)


@dataclass
class LogView(View):
    changes: list  # gitio.Change, newest first
    columns = ("commit", "date", "time", "author", "subject", "files")

    def data(self):
        return [shapes.change(c) for c in self.changes]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        if not self.changes:
            return "没有符合条件的数据修改记录。\n"
        grid = Grid([Column("日期"), Column("作者", wrap=True), Column("修改", wrap=True, grow=True), Column("文件")],
                    title=f"数据修改记录（{len(self.changes)}次，新的在前）")
        for c in self.changes:
            names = [f.rsplit("/", 1)[-1] for f in c.files]
            files = names[0] + (f" 等{len(names)}个" if len(names) > 1 else "") if names else ""
            grid.add(c.time.strftime("%Y-%m-%d %H:%M"), c.author, c.subject, files)
        return render(grid, width, colour)


# ---- report add's word ----------------------------------------------------------------


def feedback_lines(fb) -> list[str]:
    """report add's word on stderr (see reporting.feedback)."""
    report, ob = fb.report, fb.obligation
    if report.task is None:  # a 旬报 alone is dated inside a window (book.progress_report_faults)
        start, end = fb.window
        return [f"计入：{report.unit} 的旬报（{start} 至 {end}），不计入任何任务。"]
    if ob is None:
        return [f"提示：{report.unit} 是任务 {report.task} 的牵头单位，不承担该任务的义务；"
                "本报告只作记录，不计入任何义务的完成。"]
    period = f" {ob.occ.label}" if ob.occ.label else ""
    got = amount(ob)
    lines = [f"计入：任务 {ob.task.id}{period}（{ob.named}，截止 {ob.due}），现为{STATE_NAMES[ob.state]}"
             + (f"，{got}" if got else "") + "。"]
    if fb.short:
        lines.append(f"提示：本报告申报完成，但已报{got or '的数量'}未达目标；"
                     "已报数量或比率的，以目标为准，该项尚未完成。")
    for early in fb.overdue_before:
        lines.append(f"警告：{early.occ.label} 的同一任务已逾期且未完成（截止 {early.due}）；"
                     f"若本报告属于该期，请用 --period {early.occ.label} 填报。")
    return lines


# ---- supervision: extensions, goals ------------------------------------------------


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


@dataclass
class MeasuresView(View):
    rows: list
    as_of: object

    def data(self):
        return {"as_of": self.as_of.isoformat(), "measures": self.records()}

    def records(self):
        return [shapes.measure(row) for row in self.rows]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        if not self.rows:
            return "plan.yaml 的 goals.measures 没有列出任何指标。\n"
        grid = Grid([Column("指标", wrap=True), Column("应"), Column("基线", right=True), Column("最新值", right=True),
                     Column("日期"), Column("判断")], title=f"工作目标（截至 {self.as_of}）")
        for row in self.rows:
            latest = row.latest
            base = _number(row.baseline) + ("" if row.measure.baseline is not None or row.baseline is None else "*")
            grid.add(row.measure.name, DIRECTION_NAMES[row.measure.direction], base,
                     _number(latest.value) if latest else "—", latest.date.isoformat() if latest else "",
                     TREND_NAMES[row.trend])
        out = render(grid, width, colour)
        if any(r.baseline is not None and r.measure.baseline is None for r in self.rows):
            out += "* plan.yaml 未给出基线，以最早一次记录的数值为基线。\n"
        return out


@dataclass
class ReportView(View):
    """`report show`: one report with its evidence files (where each is stored,
    whether it is there), its 销号 reviews and its corrections."""

    report: object  # domain.Report
    task_text: str  # `1.1 制定方案：<the task's text>`
    files: list  # (Attachment, shown path, present)
    reviews: list  # domain.Review of this report, oldest first (withdrawn ones marked)
    withdrawn: set  # ids of withdrawn reviews
    withdrawal: object = None  # the report's own withdrawal, if any
    superseded_by: str | None = None

    def data(self):
        r = self.report
        out = shapes.report(r)
        out["evidence_files"] = [{**shapes.attachment(a), "path": path, "present": present}
                                 for a, path, present in self.files]
        out["reviews"] = [{"id": v.id, "decision": v.decision, "by": v.by, "date": v.date.isoformat(),
                           "note": v.note, "withdrawn": v.id in self.withdrawn} for v in self.reviews]
        w = self.withdrawal
        out["withdrawn"] = None if w is None else {"id": w.id, "date": w.date.isoformat(), "reason": w.reason,
                                                   "by": w.by}
        out["superseded_by"] = self.superseded_by
        return out

    def text(self, width, colour):
        from lanxi_cli.render.words import STATUS_NAMES

        r, safe = self.report, terminal_safe
        state = f"    状态：{STATUS_NAMES[r.status]}" if r.task is not None else ""  # a 旬报 alone has none
        lines = [f"报告 {r.id}", f"  任务：{safe(self.task_text)}", f"  单位：{r.unit}",
                 f"  日期：{r.date}{state}" + (f"    周期：{r.period}" if r.period else "")]
        if r.count is not None or r.rate is not None:
            amount = " ".join(x for x in ("" if r.count is None else f"数量 {r.count}",
                                          "" if r.rate is None else f"比率 {r.rate:.0%}") if x)
            lines.append(f"  {amount}" + (f"（分项：{safe(r.part)}）" if r.part else ""))
        if r.by:
            lines.append(f"  报告人：{safe(r.by)}")
        if r.note:
            lines += ["  说明：" + safe(r.note).replace("\n", "\n        ")]
        lines.append(f"  文件：{r.file}")
        lines.append("")
        lines.append(f"佐证材料（{len(self.files)} 份）" if self.files else "佐证材料：无")
        for i, (a, path, present) in enumerate(self.files, 1):
            from lanxi_cli.core.evidence import megabytes

            shot = f"，拍摄于 {a.taken.replace('T', ' ')}" if a.taken else ""
            gone = "" if present else "  【文件不见了】"
            lines.append(f"  {i}. {safe(a.name)}（{megabytes(a.bytes)}{shot}）{gone}")
            lines.append(f"     {path}")
        for link in r.evidence:
            lines.append(f"  链接或说明：{safe(link)}")
        for link in r.evidence_links:  # from an online form's upload: kept, but not 佐证材料
            lines.append(f"  收集表附件链接（会过期）：{safe(link)}")
        lines.append("")
        if r.task is None:
            pass  # a 旬报 claims nothing: no 销号核验
        elif self.reviews:
            lines.append("销号核验")
            for v in self.reviews:
                mark = "（已撤回）" if v.id in self.withdrawn else ""
                note = f"：{safe(v.note)}" if v.note else ""
                lines.append(f"  {v.date} {v.by} {'同意' if v.decision == 'approved' else '退回'}{note}{mark}  {v.id}")
        else:
            lines.append("销号核验：尚无")
        fixes = []
        if r.supersedes:
            fixes.append(f"  更正了报告 {r.supersedes}" + (f"（理由：{safe(r.reason)}）" if r.reason else ""))
        if self.superseded_by:
            fixes.append(f"  已被报告 {self.superseded_by} 更正，不再计入")
        if self.withdrawal is not None:
            w = self.withdrawal
            fixes.append(f"  已于 {w.date} 撤回，不再计入（理由：{safe(w.reason)}）  {w.id}")
        lines += ["", "更正和撤回", *fixes] if fixes else []
        return "\n".join(lines) + "\n"
