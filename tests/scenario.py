"""A scenario of reports on 2020-09-15 (some done, some late, some missing), shared by
the assess, bulletin and export tests."""

from __future__ import annotations

import json
from pathlib import Path

AS_OF = "2020-09-15"

# (task, unit, date, status, period or None[, {more fields: count, rate, part}])
REPORTS = [
    ("1.1", "苏家湖村", "2020-09-02", "done", None),  # on time (due 09-03)
    ("1.2", "苏家湖村", "2020-09-02", "done", None),  # on time
    ("1.1", "黄湖村", "2020-09-10", "done", None),  # late
    ("1.2", "黄湖村", "2020-09-02", "done", None),  # on time
    ("1.1", "罗湖村", "2020-09-10", "done", None),  # late
    ("1.1", "枫林社区", "2020-09-01", "done", None),  # on time
    ("1.1", "北岸新村", "2020-09-01", "progress", None),  # progress only: still overdue
    ("1.1", "千家洲村", "2020-09-20", "done", None),  # after the as-of day: not counted yet
    ("6.3", "中心校", "2020-08-20", "done", None, {"count": 4}),  # the department's August item, on time (due
    # before the notice)
    ("6.3", "中心校", "2020-09-10", "done", None, {"count": 4}),  # ...and its September item, early: scored
]


def write_reports(data_dir: Path, reports=REPORTS) -> None:
    for i, (task, unit, date, status, period, *more) in enumerate(reports):
        lines = [f"task: '{task}'", f"unit: {unit}", f"date: {date}", f"status: {status}"]
        if period:
            lines.append(f"period: {period}")
        lines += [f"{key}: {value}" for extra in more for key, value in extra.items()]
        (data_dir / "reports" / f"{i:02d}-{task}-{unit}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def complete_on_time(cli, data_dir, unit, as_of):
    """Report every scored obligation of `unit` due by `as_of` done on its due day, its
    target met (a count, a rate, or each part), as report files."""
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    done = 0
    for ob in json.loads(result.stdout)["obligations"]:
        if not ob["scored"] or ob["due"] > as_of:
            continue
        base = [f"task: '{ob['task']}'", f"unit: {unit}", f"date: {ob['due']}", "status: done"]
        base += [f"period: '{ob['period']}'"] if ob["period"] else []
        pieces = [[f"part: {p['name']}", f"count: {p['target']}" if p["rate_target"] is None
                   else f"rate: {p['rate_target']}"] for p in ob["parts"]] or [[]]
        for i, piece in enumerate(pieces):
            extra = list(piece)
            if ob["target"] is not None and not piece:
                extra.append(f"count: {ob['target']}")
            if ob["rate_target"] is not None and not piece:
                extra.append(f"rate: {ob['rate_target']}")
            name = f"{ob['task']}-{ob['period'] or 'once'}-{i}-{unit}.yaml"
            (data_dir / "reports" / name).write_text("\n".join(base + extra) + "\n", encoding="utf-8")
        done += 1
    return done
