"""Corrections: which records count, once withdrawals and amendments are
applied. Pure. Nothing is ever edited or deleted; a correction is a record.

- A withdrawal (data/withdrawals/) makes its subject count nowhere, on any
  as-of day, whatever kind of record it is.
- An amendment is a report naming in `supersedes` the report it corrects.
  A report with an amendment that is not withdrawn is superseded: it counts
  nowhere. Chains resolve to the newest. Two live amendments of one report
  (possible after a sync) are a conflict `check` names; until one is
  withdrawn, the later by its `recorded` time counts.
- A review counts only while both it and its subject count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lanxi_cli.errors import Problem


@dataclass(slots=True)
class Corrections:
    withdrawn: dict[str, object] = field(default_factory=dict)  # id → its withdrawal
    superseded_by: dict[str, str] = field(default_factory=dict)  # report id → the id that counts instead
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # report id → its live amendments, oldest first

    def counts(self, record) -> bool:
        return record.id not in self.withdrawn and record.id not in self.superseded_by


def resolve(reports, withdrawals) -> Corrections:
    """The corrections in force: withdrawals by subject, and for each amended
    report the report that counts in its place."""
    out = Corrections(withdrawn={w.subject: w for w in withdrawals})
    amendments: dict[str, list] = defaultdict(list)
    for report in reports:
        if report.supersedes and report.id not in out.withdrawn:
            amendments[report.supersedes].append(report)
    for old, live in amendments.items():
        live.sort(key=lambda r: (r.recorded, r.id))
        newest = live[-1].id
        out.superseded_by[old] = newest
        for sibling in live[:-1]:
            out.superseded_by[sibling.id] = newest
        if len(live) > 1:
            out.conflicts[old] = [r.id for r in live]
    return out


def newest(corrections: Corrections, record_id: str) -> str:
    """Follow a chain of amendments to the report that counts now."""
    seen = {record_id}
    while record_id in corrections.superseded_by:
        record_id = corrections.superseded_by[record_id]
        if record_id in seen:  # a loop of hand-made files: stop rather than spin
            break
        seen.add(record_id)
    return record_id


def problems(corrections: Corrections, records: dict[str, object], reports) -> list[Problem]:
    """What `check` names: a withdrawal or amendment of nothing known, a
    withdrawal of a withdrawal, two live amendments of one report."""
    found = []
    for subject, withdrawal in corrections.withdrawn.items():
        target = records.get(subject)
        if target is None:
            found.append(Problem(withdrawal.file, None, f"subject: 找不到要撤回的记录“{subject}”"))
        elif type(target).__name__ == "Withdrawal":
            found.append(Problem(withdrawal.file, None, "subject: 撤回记录本身不能再撤回"))
    for report in reports:
        if report.supersedes and type(records.get(report.supersedes)).__name__ != "Report":
            found.append(Problem(report.file, None, f"supersedes: 找不到被更正的报告“{report.supersedes}”"))
    for old, live in corrections.conflicts.items():
        found.append(Problem(
            records[live[-1]].file, None,
            f"报告 {old} 有 {len(live)} 份并存的更正（{'、'.join(live)}）；现按最后记录的一份计，"
            "请撤回（lanxi withdraw）不对的一份",
        ))
    return found
