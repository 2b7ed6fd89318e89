"""The county's table and workbook, and `check --pending`'s list: views for
`tables.render`, and a ledger for `workbook`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lanxi_cli.render import shapes
from lanxi_cli.render.tables import View, count_cell
from lanxi_cli.render.words import percent

COUNTY_COLUMNS = ["镇", "单位数", "义务总数", "已完成", "逾期完成", "已逾期", "即将到期", "未到期", "完成率",
                  "按时完成率", "最差村（社区）", "其逾期项数"]


def _worst(row) -> str:
    return "—" if row.worst is None else f"{row.worst.unit} {row.worst.score:g}分"


def _rate(row) -> str:
    return percent(row.rate)


def notes(reading, width: int) -> str:
    """The lines under a county table: towns not read, copies older than the others,
    towns whose tasks are not the county plan's."""
    from lanxi_cli.render.tables import prose

    out = "".join(prose(f"无法读取：{f.town}——{f.reason}", width) for f in reading.failed)
    for s in reading.stale:
        out += prose(f"副本较旧：{s.town}的数据最新提交于 {s.last_commit.isoformat()}，早于其他镇，"
                     "实际进展可能已有变化。", width)
    for d in reading.differs:
        parts = ([f"缺少县方案的任务 {ids(d.missing)}"] if d.missing else []) + (
            [f"多出县方案没有的任务 {ids(d.extra)}"] if d.extra else [])
        out += prose(f"任务与县方案不一致：{d.town}{'，'.join(parts)}。", width)
    return out


def ids(values, limit: int = 8) -> str:
    return "、".join(values[:limit]) + (f"等 {len(values)} 项" if len(values) > limit else "")


def weights_text(weights) -> str:
    """The ranking rule in words, the weights as shares of one: 得分 = 完成率×0.6 + 按时完成率×0.4."""
    parts = [(weights.rate, "完成率"), (weights.on_time_rate, "按时完成率"), (weights.overdue_share, "（1－逾期占比）")]
    used = [(w, name) for w, name in parts if w]
    if len(used) == 1:
        return f"得分 = {used[0][1]}"
    total = sum(w for w, _ in used)
    return "得分 = " + " + ".join(f"{name}×{round(w / total, 2):g}" for w, name in used)


def score_text(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


@dataclass
class CountyView(View):
    """county status: one row per town read, then the towns that could not be read."""

    reading: object  # core.county.Reading
    columns = ("town", "units", "total", "done", "late", "overdue", "due_soon", "open", "rate", "on_time_rate",
               "worst")
    headers = {"town": "镇", "units": "单位数", "total": "义务总数", "rate": "完成率",  # noqa: RUF012
               "worst": "最差村（社区）"}

    def data(self):
        r = self.reading
        return {"as_of": r.as_of.isoformat(), "towns": [shapes.town(row) for row in r.rows], **shapes.county_notes(r)}

    def records(self):
        return [{**shapes.town(r), "worst": r.worst.unit if r.worst else None} for r in self.reading.rows]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        out, reading = "", self.reading
        rows, failed, as_of = reading.rows, reading.failed, reading.as_of
        if rows:
            heads = ["单位", "总数", "已完成", "逾期\n完成", "已逾期", "即将\n到期", "未到期", "完成率"]
            grid = Grid([Column("镇", wrap=True), *(Column(h, right=True) for h in heads),
                         Column("最差村\n（社区）", wrap=True, words=True)], title=f"全县各镇进展（截至 {as_of}）")
            for r in rows:
                c = r.counts
                grid.add(r.town, str(r.units), str(r.total), str(c["done"]), str(c["late"]),
                         count_cell(c["overdue"], "overdue"), count_cell(c["due_soon"], "due_soon"), str(c["open"]),
                         _rate(r), _worst(r))
            out = render(grid, width, colour)
        out += notes(reading, width)
        tail = f"，{len(failed)} 个无法读取。" if failed else "。"
        return out + f"共 {len(rows) + len(failed)} 个镇，读取 {len(rows)} 个{tail}\n"


@dataclass
class RankView(View):
    """county rank: the towns best first by the county's rule, the unranked last."""

    reading: object  # core.county.Reading
    ranked: list  # core.county.Ranked
    columns = ("rank", "town", "score", "rate", "on_time_rate", "overdue")
    headers = {"town": "镇", "rate": "完成率"}  # noqa: RUF012

    def data(self):
        return {"as_of": self.reading.as_of.isoformat(), "towns": [shapes.ranked(r) for r in self.ranked],
                **shapes.county_notes(self.reading)}

    def records(self):
        return [shapes.ranked(r) for r in self.ranked]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render
        from lanxi_cli.render.tables import prose

        reading, out = self.reading, ""
        if self.ranked:
            heads = ("得分", "完成率", "按时\n完成率", "已逾期")
            grid = Grid([Column("名次", right=True), Column("镇", wrap=True), *(Column(h, right=True) for h in heads)],
                        title=f"全县各镇排名（截至 {reading.as_of}）")
            for r in self.ranked:
                grid.add("—" if r.rank is None else str(r.rank), r.row.town, score_text(r.score), _rate(r.row),
                         percent(r.row.on_time_rate), count_cell(r.row.counts["overdue"], "overdue"))
            out = render(grid, width, colour)
        out += prose(f"排名规则：{weights_text(reading.towns.rank)}，按百分制。", width)
        unranked = [r.row.town for r in self.ranked if r.rank is None]
        if unranked:
            out += prose(f"未排名（尚无到期事项）：{'、'.join(unranked)}。", width)
        return out + notes(reading, width)


def county_ledger(rows, failed, as_of: dt.date):
    from lanxi_cli.render.words import fraction
    from lanxi_cli.render.workbook import PERCENT, Ledger, Sheet

    title = f"全县各镇进展（截至{as_of.isoformat()}）"
    towns = Sheet("各镇", title, COUNTY_COLUMNS, [14, 8, 10, 8, 8, 8, 8, 8, 8, 10, 20, 10])
    towns.formats |= {8: PERCENT, 9: PERCENT}
    for r in rows:
        c = r.counts
        towns.rows.append([r.town, r.units, r.total, c["done"], c["late"], c["overdue"], c["due_soon"], c["open"],
                           fraction(r.rate), fraction(r.on_time_rate), _worst(r) if r.worst else None,
                           r.worst.overdue if r.worst else None])
        towns.fills.setdefault(5, []).append("overdue" if c["overdue"] else None)
    sheets = [towns]
    if failed:
        sheets.append(Sheet("无法读取", f"无法读取的镇（截至{as_of.isoformat()}）", ["镇", "原因"], [14, 80],
                            [[f.town, f.reason] for f in failed]))
    return Ledger(title, sheets, as_of)


@dataclass
class PendingView(View):
    """check --pending: the deadline readings marked 待核实, then the short
    names `init` proposed and no person has confirmed yet, each in plan order."""

    book: object
    columns = ("task", "deadline", "short")

    def _tasks(self):
        return [t for t in self.book.tasks if t.deadline.pending]

    def _shorts(self):
        return [t for t in self.book.tasks if t.short_pending]

    def data(self):
        return [*({"task": t.id, "deadline": t.deadline_text} for t in self._tasks()),
                *({"task": t.id, "short": t.short} for t in self._shorts())]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render

        tasks, shorts = self._tasks(), self._shorts()
        if not tasks and not shorts:
            return "没有待核实的截止规则，也没有待确认的简称。\n"
        out = ""
        if tasks:
            grid = Grid([Column("编号"), Column("完成时限（原文）", wrap=True), Column("说明", wrap=True, grow=True)],
                        title=f"待核实的截止规则（{len(tasks)}项）：用 lanxi task deadline 编号 时限 改定")
            for task in tasks:
                why = task.note[task.note.find("待核实"):] if "待核实" in task.note else task.note  # its own part
                grid.add(task.id, task.deadline_text or "（空白）", why)
            out += render(grid, width, colour)
        if shorts:
            grid = Grid([Column("编号"), Column("拟定的简称"), Column("任务", wrap=True, grow=True)],
                        title=f"待确认的简称（{len(shorts)}项）：用 lanxi task short 编号 简称 改定或确认")
            for task in shorts:
                grid.add(task.id, task.short, task.text)
            out += ("\n" if out else "") + render(grid, width, colour)
        return out
