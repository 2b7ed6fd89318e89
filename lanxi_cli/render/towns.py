"""The county's table and workbook, and `check --pending`'s list: views for
`tables.render`, and a ledger for `workbook`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lanxi_cli.render import shapes
from lanxi_cli.render.tables import View, count_cell

COUNTY_COLUMNS = ["镇", "单位数", "义务总数", "已完成", "逾期完成", "已逾期", "即将到期", "未到期", "完成率",
                  "按时完成率", "最差村（社区）", "其逾期项数"]


def _worst(row) -> str:
    return "—" if row.worst is None else f"{row.worst.unit} {row.worst.score:g}分"


def _rate(row) -> str:
    from lanxi_cli.render.words import percent

    return percent(row.rate)


@dataclass
class CountyView(View):
    """county status: one row per town read, then the towns that could not be read."""

    rows: list  # core.county.TownRow
    failed: list  # core.county.Failed
    as_of: dt.date
    columns = ("town", "units", "total", "done", "late", "overdue", "due_soon", "open", "rate", "on_time_rate",
               "worst")
    headers = {"town": "镇", "units": "单位数", "total": "义务总数", "rate": "完成率",  # noqa: RUF012
               "worst": "最差村（社区）"}

    def data(self):
        return {"as_of": self.as_of.isoformat(), "towns": [shapes.town(r) for r in self.rows],
                "failed": [shapes.failed(f) for f in self.failed]}

    def records(self):
        return [{**shapes.town(r), "worst": r.worst.unit if r.worst else None} for r in self.rows]

    def text(self, width, colour):
        from lanxi_cli.render.grid import Column, Grid, render
        from lanxi_cli.render.tables import prose

        out = ""
        if self.rows:
            heads = ["单位", "总数", "已完成", "逾期\n完成", "已逾期", "即将\n到期", "未到期", "完成率"]
            grid = Grid([Column("镇", wrap=True), *(Column(h, right=True) for h in heads),
                         Column("最差村\n（社区）", wrap=True, words=True)], title=f"全县各镇进展（截至 {self.as_of}）")
            for r in self.rows:
                c = r.counts
                grid.add(r.town, str(r.units), str(r.total), str(c["done"]), str(c["late"]),
                         count_cell(c["overdue"], "overdue"), count_cell(c["due_soon"], "due_soon"), str(c["open"]),
                         _rate(r), _worst(r))
            out = render(grid, width, colour)
        for f in self.failed:
            out += prose(f"无法读取：{f.town}——{f.reason}", width)
        tail = f"，{len(self.failed)} 个无法读取。" if self.failed else "。"
        return out + f"共 {len(self.rows) + len(self.failed)} 个镇，读取 {len(self.rows)} 个{tail}\n"


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
