"""The JSON shapes the commands promise (README, Part 2 "Reference"), in one module.

Each function turns one computed row into the plain dict that `--format json`
prints and `--format csv` flattens; field names are the contract's. CSV
headers are the same fields in Chinese (`HEADERS`), and every csv cell goes
through `csv_cell`, so text a user typed never reaches a spreadsheet as a
formula.
"""

from __future__ import annotations

import datetime as dt


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


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
        "subjects": list(row.subjects),
        "due": iso(row.due),
        "next_due": iso(row.next_due),
        "state": row.state,
        "overdue_units": list(row.overdue_units),
        "units_done": sum(1 for u in units if row.unit_complete(u)),
        "units_verified": sum(1 for u in units if row.unit_complete(u, verified=True)),
        "scored": row.task.scored,
    }


STATES = ("done", "late", "overdue", "due_soon", "open", "exempt")


def rates(r) -> dict:
    """The contract's two rates (engine.Rates) as fractions, null while nothing is due."""
    from lanxi_cli.render.words import fraction

    return {"rate": fraction(r.rate), "on_time_rate": fraction(r.on_time_rate)}


def unit_summary(tally) -> dict:
    """One unit's engine.Tally; `total` leaves exempt obligations out, `unscored`
    counts those of the others that count toward no score or rate."""
    return {
        "unit": tally.unit, "kind": tally.kind, "total": tally.total,
        **{state: getattr(tally, state) for state in STATES},
        "verified": tally.verified, "unscored": tally.unscored, "unscored_overdue": tally.unscored_overdue,
        "due": tally.scored_due, **rates(tally.rates),
    }


def ack(a) -> dict | None:
    """A unit's 签收 of the notice: its day, and whether a report stands for it (`lanxi ack` or a report)."""
    return None if a is None else {"date": a.date.isoformat(), "by": a.by}


def part(p) -> dict:
    """A part's count and its target, or (a rate part) its best rate and its rate."""
    return {"name": p.name, "count": p.count, "target": p.target, "rate": p.rate, "rate_target": p.rate_target}


def obligation(ob) -> dict:
    """An obligation; `owner` the unit that must act, `subject` the unit it acts
    on where the lead acts (else null)."""
    return {
        "task": ob.task.id,
        "unit": ob.unit,
        "owner": ob.owner,
        "subject": ob.subject,
        "period": ob.occ.label,
        "due": ob.due.isoformat(),
        "state": ob.state,
        "count": ob.count,
        "target": ob.target,
        "completed_on": iso(ob.completed_on),
        "last_report": iso(ob.last_report),
        "verification": ob.verification,
        "scored": ob.scored,
        "rate": ob.rate,
        "rate_target": ob.rate_target,
        "parts": [part(p) for p in ob.parts],
        "blocked": None if ob.blocked is None else {
            "date": ob.blocked.date.isoformat(), "note": ob.blocked.note, "file": ob.blocked.file},
    }


def flat_obligation(row: dict) -> dict:
    """An obligation's dict for a csv row: its parts and the blocking report in one cell each."""
    blocked = row["blocked"]
    parts = "、".join(f"{p['name']} {part_text(p['count'], p['target'], p['rate'], p['rate_target'])}"
                     for p in row["parts"])
    return {**row, "parts": parts, "blocked": f"{blocked['date']} {blocked['note']}".strip() if blocked else ""}


def part_text(count, target, rate, rate_target) -> str:
    """`2/3`, or a rate part's `60%/100%` (`—/100%` while none is reported)."""
    if rate_target is None:
        return f"{count}/{target}"
    return f"{rate:.0%}/{rate_target:.0%}" if rate is not None else f"—/{rate_target:.0%}"


def lead(summary) -> dict:
    return {
        "task": summary.task.id,
        "units_total": summary.units_total,
        "units_done": summary.units_done,
        "units_overdue": summary.units_overdue,
        "units_blocked": sorted({o.named for o in summary.blocked}),
    }


def standing(s) -> dict:
    """One unit of `assess`: its counts are of its scored obligations; `due` those due by the as-of day."""
    t, last = s.tally, s.last
    return {
        "unit": t.unit, "kind": t.kind, "score": None if s.score is None else round(float(s.score), 4),
        "rank": s.rank, "group": s.group, "total": t.total, "due": t.scored_due, "done": t.done, "late": t.late,
        "overdue": t.overdue, "due_soon": t.due_soon, "open": t.open, "exempt": t.exempt, **rates(s.rates),
        "overdue_share": None if s.share is None else round(float(s.share), 4), "light": s.light,
        "measure": s.measure, "reasons": list(s.reasons), "held": s.held,
        "last_measure": None if last is None else {"kind": last.kind, "date": last.date.isoformat(), "id": last.id},
    }


def unit(u) -> dict:
    return {"name": u.name, "kind": u.kind, "aliases": list(u.aliases),
            "liaison": {"name": u.liaison.name, "phone": u.liaison.phone}}


# ---- records -------------------------------------------------------------------------


def report(r, corrections=None) -> dict:
    """A report: its id, every stored field, its file; with `corrections`
    (report list --all), whether it was withdrawn or by which report it was superseded."""
    from lanxi_cli.core.domain import Report, stored_fields

    out = {"id": r.id}
    for name in stored_fields(Report):
        value = getattr(r, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else list(value) if type(value) is tuple else value
    out["evidence_files"] = [attachment(a) for a in r.evidence_files]
    out["file"] = r.file
    if corrections is not None:
        out["withdrawn"] = r.id in corrections.withdrawn
        out["superseded_by"] = corrections.superseded_by.get(r.id)
    return out


def attachment(a) -> dict:
    """One evidence file of a report, as the report records it (stored as data/evidence/<sha256>.<ext>)."""
    return {"sha256": a.sha256, "name": a.name, "bytes": a.bytes, "taken": a.taken}


def extension(ext, due: dt.date, decision: str) -> dict:
    return {
        "task": ext.task, "unit": ext.unit, "period": ext.period, "due": due.isoformat(),
        "until": ext.until.isoformat(), "date": ext.date.isoformat(), "reason": ext.reason,
        "decision": decision, "id": ext.id, "file": ext.file,
    }


def exemption(ex, decision: str | None) -> dict:
    """An exemption request and the decision in force (None while pending)."""
    return {"id": ex.id, "task": ex.task, "unit": ex.unit, "period": ex.period, "reason": ex.reason,
            "decision": decision, "date": ex.date.isoformat(), "by": ex.by, "file": ex.file}


def measure_taken(m) -> dict:
    """A 督办 measure recorded (domain.MeasureTaken)."""
    return {"id": m.id, "unit": m.unit, "kind": m.kind, "date": m.date.isoformat(), "note": m.note, "by": m.by,
            "file": m.file}


def missing(window: tuple[dt.date, dt.date] | None, units: list[str], owed: int) -> dict:
    shown = {"start": window[0].isoformat(), "end": window[1].isoformat()} if window else None
    return {"window": shown, "units": units, "owed": owed}


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


# ---- the county -----------------------------------------------------------------------------


def town(r) -> dict:
    """One town of `county status`: its units, obligations by state, completion, worst village."""
    return {
        "town": r.town, "units": r.units, "total": r.total, **r.counts, **rates(r.rates),
        "worst": None if r.worst is None else {
            "unit": r.worst.unit, "score": r.worst.score, "overdue": r.worst.overdue},
    }


def failed(f) -> dict:
    return {"town": f.town, "reason": f.reason}


def ranked(r) -> dict:
    """One town of `county rank`: its score (the weighted mean of its rates), place and rates."""
    from lanxi_cli.render.words import fraction

    return {"town": r.row.town, "score": fraction(r.score), "rank": r.rank, **rates(r.row.rates),
            "overdue": r.row.counts["overdue"]}


def county_notes(reading) -> dict:
    """What `county status` and `county rank` say besides the rows: the towns not read, the
    copies older than the others, the towns whose tasks are not the county plan's."""
    return {
        "failed": [failed(f) for f in reading.failed],
        "stale": [{"town": s.town, "last_commit": s.last_commit.isoformat()} for s in reading.stale],
        "plan_differs": [{"town": d.town, "missing": list(d.missing), "extra": list(d.extra)}
                         for d in reading.differs],
    }


# ---- collecting reports: remind, form import ---------------------------------------------


def reminder(r) -> dict:
    def items(obligations):
        return [{"task": o.task.id, "period": o.occ.label, "due": o.due.isoformat(), "owner": o.owner,
                 "subject": o.subject} for o in obligations]

    return {
        "unit": r.unit,
        "liaison": r.liaison,
        "phone": r.phone,
        "overdue": items(r.overdue),
        "due_soon": items(r.due_soon),
        "missing_report": r.missing_report,
        "unacknowledged": r.unacknowledged,
        "window": {"start": r.window[0].isoformat(), "end": r.window[1].isoformat()} if r.window else None,
        "text": r.text,
        "sms": list(r.messages),
    }


def form_import(shown: str, outcome, reports: list[str], dry_run: bool) -> dict:
    """One imported 填报表: `reports` are the paths written, as JSON names files."""
    return {
        "file": shown,
        "form": outcome.form_id or None,
        "unit": outcome.unit or None,
        "reports": reports,
        "skipped": outcome.empty + outcome.already,
        "empty": outcome.empty,
        "already": outcome.already,
        "new": 0 if outcome.errors else len(outcome.reports),
        "dry_run": dry_run,
        "errors": outcome.errors,
    }


# ---- csv -------------------------------------------------------------------------------

HEADERS = {
    "id": "编号", "category": "类别", "text": "任务内容", "deadline": "完成时限", "lead": "牵头单位",
    "units": "责任单位", "subjects": "被督导单位", "due": "截止日期", "next_due": "下次截止", "state": "状态",
    "overdue_units": "逾期单位",
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
    "scored": "计入考核", "rate_target": "目标比率", "parts": "分项完成", "blocked": "受阻报告",
    "supersedes": "更正的报告", "form": "填报表", "collected": "收集表提交", "evidence_links": "附件链接",
    "evidence_files": "佐证材料", "ack": "签收",
    "on_time_rate": "按时完成率", "unscored": "不计分", "unscored_overdue": "不计分已逾期", "overdue_share": "逾期比例",
    "held": "逐级督办所限", "last_measure": "最近措施",
}
# Fields of `status` and `assess` rows that HEADERS names otherwise (there: a report's rate, a due day).
COUNT_HEADERS = {"rate": "完成率", "due": "已到期"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def coded_values() -> dict[str, dict[str, str]]:
    """Fields whose values are codes in JSON and Chinese words in a csv a person opens (村, 已逾期, 红灯)."""
    from lanxi_cli.core.domain import UNIT_GROUPS
    from lanxi_cli.render import words

    return {"kind": words.KIND_NAMES, "state": words.STATE_NAMES, "light": words.LIGHT_NAMES,
            "status": words.STATUS_NAMES, "verification": words.VERIFICATION_NAMES,
            "decision": words.DECISION_NAMES, "direction": words.DIRECTION_NAMES, "trend": words.TREND_NAMES,
            "group": {key: name for key, name, _ in UNIT_GROUPS}}


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


def csv_text(rows: list[dict], columns: list[str] | None = None, headers: dict[str, str] | None = None,
             line_end: str = "\n") -> str:
    """Rows as csv, headed by the columns' Chinese names (`headers` before `HEADERS`)."""
    import csv
    import io

    columns = columns or (list(rows[0]) if rows else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    names = {**HEADERS, **(headers or {})}
    writer.writerow([names.get(c, c) for c in columns])
    words = coded_values()
    for row in rows:
        writer.writerow([csv_cell(_word(words.get(c), row.get(c))) for c in columns])
    return out.getvalue()


def _word(names: dict[str, str] | None, value):
    return names.get(value, value) if names and isinstance(value, str) else value
