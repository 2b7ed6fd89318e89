"""The JSON shapes of the contract (../shared/contract.md), in one module.

Each function turns one computed row into the plain dict that `--format json`
prints and `--format csv` flattens; field names are the contract's. CSV
headers are the same fields in Chinese (`HEADERS`), and every csv cell goes
through `csv_cell`, so text a user typed never reaches a spreadsheet as a
formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def record_id(record) -> str:
    """A record's id: its file name without `.yaml` (the contract's "Record ids")."""
    given = getattr(record, "id", None)
    return given or PurePath(record.file).stem


# ---- tasks, status, assess --------------------------------------------------------


def task(row) -> dict:
    units = row.units
    return {
        "id": row.task.id,
        "category": row.task.category,
        "text": row.task.text,
        "deadline": row.task.deadline_text,
        "lead": row.lead,
        "units": list(units),
        "due": iso(row.due),
        "state": row.state,
        "overdue_units": list(row.overdue_units),
        "units_done": sum(1 for u in units if row.unit_complete(u)),
        "units_verified": sum(1 for u in units if row.unit_complete(u, verified=True)),
    }


def unit_summary(summary) -> dict:
    counts = summary.counts
    return {
        "unit": summary.unit, "kind": summary.kind, "total": summary.total,
        **{state: counts.get(state, 0) for state in ("done", "late", "overdue", "due_soon", "open", "exempt")},
        "verified": summary.verified,
    }


def obligation(ob) -> dict:
    return {
        "task": ob.task.id,
        "unit": ob.unit,
        "period": ob.occ.label,
        "due": ob.due.isoformat(),
        "state": ob.state,
        "count": ob.count,
        "target": ob.target,
        "completed_on": iso(ob.completed_on),
        "last_report": iso(ob.last_report),
        "verification": ob.verification,
    }


def lead(summary) -> dict:
    return {
        "task": summary.task.id,
        "units_total": summary.units_total,
        "units_done": summary.units_done,
        "units_overdue": summary.units_overdue,
    }


def standing(s) -> dict:
    t = s.tally
    return {
        "unit": t.unit, "kind": t.kind, "score": round(float(s.score), 4), "rank": s.rank, "group": s.group,
        "total": t.total, "done": t.done, "late": t.late, "overdue": t.overdue, "due_soon": t.due_soon,
        "open": t.open, "light": s.light, "measure": s.measure, "reasons": list(s.reasons),
    }


def unit(u) -> dict:
    return {"name": u.name, "kind": u.kind, "aliases": list(u.aliases),
            "liaison": {"name": u.liaison.name, "phone": u.liaison.phone}}


# ---- records -------------------------------------------------------------------------


def report(r) -> dict:
    out = {
        "id": record_id(r),
        "task": r.task,
        "unit": r.unit,
        "date": r.date.isoformat(),
        "status": r.status,
        "count": r.count,
        "rate": r.rate,
        "part": getattr(r, "part", None),
        "period": r.period,
        "note": r.note,
        "by": r.by,
        "evidence": list(r.evidence),
        "recorded": r.recorded,
        "file": r.file,
    }
    for flag in ("withdrawn", "superseded_by"):  # present once the record model has them
        value = getattr(r, flag, None)
        if value:
            out[flag] = value
    return out


def missing(start: dt.date | None, end: dt.date | None, units: list[str], owed: int) -> dict:
    window = {"start": start.isoformat(), "end": end.isoformat()} if start and end else None
    return {"window": window, "units": units, "owed": owed}


def change(c) -> dict:
    return {"commit": c.commit, "date": c.time.date().isoformat(), "time": c.time.isoformat(),
            "author": c.author, "subject": c.subject, "files": list(c.files)}


def measure(row) -> dict:
    latest, m = row.latest, row.measure
    return {
        "measure": m.name,
        "direction": m.direction,
        "baseline": row.baseline,
        "baseline_from": ("plan" if m.baseline is not None else "first_value") if row.baseline is not None else None,
        "value": latest.value if latest else None,
        "date": latest.date.isoformat() if latest else None,
        "by": latest.by if latest else None,
        "values": row.values,
        "trend": row.trend,
    }


def problem(p) -> dict:
    return {"file": p.file, "line": p.line, "message": p.message}


# ---- csv -------------------------------------------------------------------------------

HEADERS = {
    "id": "编号", "category": "类别", "text": "任务内容", "deadline": "完成时限", "lead": "牵头单位",
    "units": "责任单位", "due": "截止日期", "state": "状态", "overdue_units": "逾期单位",
    "units_done": "已完成单位数", "units_verified": "已核验单位数",
    "unit": "单位", "kind": "类型", "total": "总数", "done": "按时完成", "late": "逾期完成", "overdue": "已逾期",
    "due_soon": "即将到期", "open": "未到期", "exempt": "不适用", "verified": "已核验",
    "task": "任务编号", "period": "周期", "count": "数量", "target": "目标", "completed_on": "完成日期",
    "last_report": "最近报告", "verification": "核验",
    "score": "得分", "rank": "名次", "group": "分组", "light": "亮灯", "measure": "督办措施", "reasons": "理由",
    "name": "名称", "aliases": "别名", "liaison": "联络员", "phone": "电话",
    "date": "日期", "status": "报告状态", "rate": "比率", "part": "分项", "note": "说明", "by": "报告人",
    "evidence": "佐证", "recorded": "记录时间", "file": "文件", "withdrawn": "已撤回", "superseded_by": "被更正为",
    "commit": "提交", "time": "时间", "author": "作者", "subject": "摘要", "files": "文件",
    "until": "延至", "reason": "理由", "decision": "审批", "line": "行", "message": "问题",
    "direction": "方向", "baseline": "基线", "baseline_from": "基线来源", "value": "最新值", "values": "记录数",
    "trend": "判断", "window_start": "旬报起", "window_end": "旬报止",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One csv cell: lists joined with 、, None empty, and text that a spreadsheet
    would run as a formula (starting with = + - @ tab CR) prefixed with '."""
    if isinstance(value, list | tuple):
        value = "、".join(map(str, value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[dict], columns: list[str] | None = None, line_end: str = "\n") -> str:
    """Rows as csv, headed by the columns' Chinese names."""
    import csv
    import io

    columns = columns or (list(rows[0]) if rows else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow([HEADERS.get(c, c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()
