"""A scenario of reports on 2020-09-15 (some done, some late, some missing), shared by
the assess, bulletin and export tests."""

from __future__ import annotations

from pathlib import Path

AS_OF = "2020-09-15"

# (task, unit, date, status, period or None)
REPORTS = [
    ("1.1", "苏家湖村", "2020-09-02", "done", None),  # on time (due 09-03)
    ("1.2", "苏家湖村", "2020-09-02", "done", None),  # on time
    ("1.1", "黄湖村", "2020-09-10", "done", None),  # late
    ("1.2", "黄湖村", "2020-09-02", "done", None),  # on time
    ("1.1", "罗湖村", "2020-09-10", "done", None),  # late
    ("1.1", "枫林社区", "2020-09-01", "done", None),  # on time
    ("1.1", "北岸新村", "2020-09-01", "progress", None),  # progress only: still overdue
    ("1.1", "千家洲村", "2020-09-20", "done", None),  # after the as-of day: not counted yet
    ("6.3", "中心校", "2020-08-20", "done", None),  # the department's August item, on time (due before the notice)
    ("6.3", "中心校", "2020-09-10", "done", None),  # ...and its September item, early: scored
]


def write_reports(data_dir: Path, reports=REPORTS) -> None:
    for i, (task, unit, date, status, period) in enumerate(reports):
        lines = [f"task: '{task}'", f"unit: {unit}", f"date: {date}", f"status: {status}"]
        if period:
            lines.append(f"period: {period}")
        (data_dir / "reports" / f"{i:02d}-{task}-{unit}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
