"""The county's table and workbook, and `check --pending`'s list."""

from __future__ import annotations

import datetime as dt

from lanxi_cli.render.tables import STATE_STYLES, console, print_csv, print_json, table

COUNTY_COLUMNS = ["镇", "单位数", "义务总数", "已完成", "逾期完成", "已逾期", "即将到期", "未到期", "完成率",
                  "最差村（社区）", "其逾期项数"]


def _worst(row) -> str:
    return "—" if row.worst is None else f"{row.worst.unit} {row.worst.score:g}分"


def _rate(row) -> str:
    return "—" if row.rate is None else f"{row.rate:.0%}"


def show_county(rows, failed, as_of: dt.date, fmt: str) -> None:
    if fmt == "json":
        return print_json({"as_of": as_of.isoformat(), "towns": [r.as_dict() for r in rows],
                           "failed": [f.as_dict() for f in failed]})
    if fmt == "csv":
        flat = [{**r.as_dict(), "worst": r.worst.unit if r.worst else None} for r in rows]
        return print_csv(flat, ["town", "units", "total", "done", "late", "overdue", "due_soon", "open", "rate",
                                "worst"])
    from rich.text import Text

    out = console()
    tbl = table("镇", "单位", "总数", "已完成", "逾期\n完成", "已逾期", "即将\n到期", "未到期", "完成率",
                "最差村\n（社区）", title=f"全县各镇进展（截至 {as_of}）", wrap=(0, 9))
    for col in tbl.columns[1:9]:
        col.justify = "right"
    for r in rows:
        c = r.counts
        tbl.add_row(
            r.town, str(r.units), str(r.total), str(c["done"]), str(c["late"]),
            Text(str(c["overdue"]), style=STATE_STYLES["overdue"] if c["overdue"] else ""),
            Text(str(c["due_soon"]), style=STATE_STYLES["due_soon"] if c["due_soon"] else ""),
            str(c["open"]), _rate(r), _worst(r),
        )
    if rows:
        out.print(tbl)
    for f in failed:
        out.print(f"无法读取：{f.town}——{f.reason}")
    tail = f"，{len(failed)} 个无法读取。" if failed else "。"
    out.print(f"共 {len(rows) + len(failed)} 个镇，读取 {len(rows)} 个{tail}")


def county_ledger(rows, failed, as_of: dt.date):
    from lanxi_cli.render.workbook import Ledger, Sheet

    towns = Sheet("各镇", COUNTY_COLUMNS, [14, 8, 10, 8, 8, 8, 8, 8, 8, 20, 10])
    for r in rows:
        c = r.counts
        towns.rows.append([r.town, r.units, r.total, c["done"], c["late"], c["overdue"], c["due_soon"], c["open"],
                           None if r.rate is None else round(r.rate, 4), _worst(r) if r.worst else None,
                           r.worst.overdue if r.worst else None])
        towns.fills.setdefault(5, []).append("overdue" if c["overdue"] else None)
    sheets = [towns]
    if failed:
        sheets.append(Sheet("无法读取", ["镇", "原因"], [14, 80], [[f.town, f.reason] for f in failed]))
    return Ledger(f"全县各镇进展（截至{as_of.isoformat()}）", sheets)


def show_pending(book, fmt: str) -> None:
    """The deadline readings marked 待核实, in plan order."""
    rows = [{"task": t.id, "deadline": t.deadline_text} for t in book.tasks if t.deadline.pending]
    if fmt == "json":
        return print_json(rows)
    if fmt == "csv":
        return print_csv(rows, ["task", "deadline"])
    out = console()
    if not rows:
        out.print("没有待核实的截止规则。")
        return
    tbl = table("编号", "完成时限（原文）", "说明", title=f"待核实的截止规则（{len(rows)}项）", wrap=(2,))
    for task in (t for t in book.tasks if t.deadline.pending):
        why = task.note[task.note.find("待核实"):] if "待核实" in task.note else task.note  # the note's own part
        tbl.add_row(task.id, task.deadline_text or "（空白）", why)
    out.print(tbl)
