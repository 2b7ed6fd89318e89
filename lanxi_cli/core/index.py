"""The per-obligation index: each obligation's progress as a step function
of the as-of day, so that a query costs a bisect per obligation, not a pass
over every report. Pure: plain values in, plain values out (io.cache keeps it).

Built from every valid report by stepping engine.PairFold, the engine's own
completion rules, one day at a time: after the reports of each day, every
occurrence whose progress changed gets a step (that day, its values). What
the progress of an obligation is on an as-of day D is then its last step on
or before D, since a report dated after D is not yet written on D and the
folds read reports in record order (by date first).

What a step cannot know is answered on the day asked:
- extensions and exemptions (due days and `exempt`), exactly as the engine does;
- approved claims (`verified`): each report knows the occurrences it went
  toward, so an approval counts where the report is dated on or before D;
- a (task, unit) holding a rejected report, or a withdrawn or superseded one,
  or a report written since the index was built (`extra`), is handed whole
  to engine.compute with its reports (the exact fallback): such pairs are
  few, and what a rejection reopens depends on the day.

Sections (plain values, each read only when a query needs it):
  pairs    [(task id, unit)], in plan order, as engine.compute goes
  steps    per obligation in that order: ([day ordinals], [values]), the
           first step the progress before any report (day 0)
  days, pair_of, first, last   per report (index order: pairs in plan
           order, each pair's reports in record order): its date, its pair,
           and the first and last occurrence it went toward (-1, -2: none)
  ids, offsets, id_pos         the reports' ids sorted, in one string, each ended by NUL
  amendments                   the positions of reports that amend another
  rows     per report, in index order, the report as a row (see row)
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from itertools import groupby

from lanxi_cli.core import engine
from lanxi_cli.core import reviews as review_rules
from lanxi_cli.core.domain import Report, record_order, stored_fields

FIELDS = stored_fields(Report)
_DATE = FIELDS.index("date")


def row(report: Report) -> tuple:
    """A report as plain values: its stored fields, the date as an ordinal, then `file`."""
    values = [getattr(report, name) for name in FIELDS]
    values[_DATE] = report.date.toordinal()
    return (*values, report.file)


def from_row(values) -> Report:
    values = list(values)
    values[_DATE] = dt.date.fromordinal(values[_DATE])
    return Report(*values)


# ---- building ------------------------------------------------------------------------


def _value(fold: engine.PairFold, k: int, position: dict[int, int]) -> tuple:
    """What a step holds for occurrence k: the progress, its latest own report's
    day and (where it is blocked) that report's position."""
    got = fold.progress(k)
    own = fold.own(k)
    last = own[-1] if own else None
    blocked = engine.blocked_by(last, got)
    return (
        got.completed_on and got.completed_on.toordinal(), got.count, got.rate,
        tuple((p.name, p.count, p.target) for p in got.parts),
        last and last.date.toordinal(), -1 if blocked is None else position[id(blocked)], got.decided,
    )


def build(book, reports) -> dict:
    """The sections of the index of `reports` (every valid report, withdrawn
    and amended ones too, each checked against the book)."""
    by_pair: dict[tuple[str, str], list[Report]] = {}
    for report in reports:
        by_pair.setdefault((report.task, report.unit), []).append(report)
    pairs, steps, rows = [], [], []
    days, pair_of, first, last = array("i"), array("i"), array("h"), array("h")
    ids, amendments = [], []
    for task in book.tasks:
        for unit in book.task_units(task):
            p = len(pairs)
            pairs.append((task.id, unit))
            mine = sorted(by_pair.pop((task.id, unit), ()), key=record_order)
            base = len(days)
            position = {id(r): base + j for j, r in enumerate(mine)}
            fold = engine.PairFold(book, task, unit)
            timeline = [([0], [_value(fold, k, position)]) for k in range(len(fold.occs))]
            for day, group in groupby(mine, key=lambda r: r.date):
                changed: set[int] = set()
                for report in group:
                    lo, hi = fold.add(report)
                    changed.update(fold.changed(lo, hi))
                    days.append(day.toordinal())
                    pair_of.append(p)
                    first.append(lo)
                    last.append(hi)
                    ids.append(report.id)
                    if report.supersedes:
                        amendments.append(len(ids) - 1)
                for k in sorted(changed):
                    value = _value(fold, k, position)
                    if value != timeline[k][1][-1]:
                        timeline[k][0].append(day.toordinal())
                        timeline[k][1].append(value)
            steps += timeline
            rows += [row(r) for r in mine]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    offsets, at = array("i", [0]), 0
    for i in order:
        at += len(ids[i]) + 1
        offsets.append(at)
    return {
        "pairs": pairs, "steps": steps, "rows": rows,
        "days": days, "pair_of": pair_of, "first": first, "last": last,
        "ids": "".join(ids[i] + "\0" for i in order), "offsets": offsets, "id_pos": array("i", order),
        "amendments": amendments,
    }


# ---- asking --------------------------------------------------------------------------


ARRAYS = {"days": "i", "pair_of": "i", "first": "h", "last": "h", "offsets": "i", "id_pos": "i"}


class _Sections(dict):
    """Sections as stored: a packed array may come back as its bytes (marshal
    keeps no array type); each is made an array again on first use."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def __missing__(self, name):
        value = self.source[name]
        if name in ARRAYS and not isinstance(value, array):
            packed, value = value, array(ARRAYS[name])
            value.frombytes(packed)
        self[name] = value
        return value


class Index:
    """An index's sections (any mapping: io.cache decodes each on first use) and
    the questions asked of it. `row(i)` gives the row of the report at index
    position i (by default from the section); only the reports a question
    needs are ever made."""

    def __init__(self, sections, row=None, extra=()):
        self.sections = _Sections(sections)
        self._row = row or (lambda i: self.sections["rows"][i])
        self._reports: dict[int, Report] = {}
        self.extra = list(extra)  # reports written since it was built: their pairs are answered exactly
        if self.extra:
            at = {tuple(pair): p for p, pair in enumerate(self.sections["pairs"])}
            self._extra_of: dict[int, list[Report]] = {}
            for report in self.extra:
                self._extra_of.setdefault(at[(report.task, report.unit)], []).append(report)
        else:
            self._extra_of = {}

    def position(self, record_id: str) -> int | None:
        """The index position of the report with this id, None if there is none."""
        text, offsets = self.sections["ids"], self.sections["offsets"]
        n = len(offsets) - 1
        i = bisect_left(range(n), record_id, key=lambda j: text[offsets[j] : offsets[j + 1] - 1])
        if i < n and text[offsets[i] : offsets[i + 1] - 1] == record_id:
            return self.sections["id_pos"][i]
        return None

    def find(self, record_id: str) -> Report | None:
        """The report with this id, None if there is none."""
        at = self.position(record_id)
        if at is not None:
            return self.report(at)
        return next((r for r in self.extra if r.id == record_id), None)

    def report(self, position: int) -> Report:
        found = self._reports.get(position)
        if found is None:
            found = self._reports[position] = from_row(self._row(position))
        return found

    def pair_reports(self, p: int) -> list[Report]:
        pair_of = self.sections["pair_of"]
        return [self.report(i) for i in range(bisect_left(pair_of, p), bisect_right(pair_of, p))]

    def reports_of(self, pairs) -> list[Report]:
        """The reports of some (task id, unit) pairs."""
        wanted = set(pairs)
        return [r for p, pair in enumerate(self.sections["pairs"]) if tuple(pair) in wanted
                for r in (*self.pair_reports(p), *self._extra_of.get(p, ()))]

    def reports(self) -> list[Report]:
        """Every report indexed, pair by pair, then those written since."""
        return [self.report(i) for i in range(len(self.sections["pair_of"]))] + self.extra

    def amendments(self) -> list[Report]:
        """The reports that amend another (what core.corrections needs of the reports)."""
        return [self.report(i) for i in self.sections["amendments"]] + [r for r in self.extra if r.supersedes]

    def obligations(self, book, as_of: dt.date, reviews=(), extensions=(), exemptions=(), corrections=None) -> list:
        """engine.compute(book, the reports that count, as_of, reviews,
        extensions, exemptions), from the steps where they suffice."""
        decided = review_rules.decisions(reviews, as_of)
        dues = review_rules.extended_dues(extensions, decided, as_of)
        exempted = review_rules.exempted(exemptions, reviews)
        pair_of, days = self.sections["pair_of"], self.sections["days"]
        gone = set(corrections.withdrawn) | set(corrections.superseded_by) if corrections else set()
        refused = {r.subject for r in reviews if r.decision == "rejected"}
        touched = set(self._extra_of)
        for record_id in gone | refused:
            at = self.position(record_id)
            if at is not None:
                touched.add(pair_of[at])
        verified: set[tuple[int, int]] = set()  # (pair, occurrence) holding a report approved by as_of
        day = as_of.toordinal()
        for record_id, decision in decided.items():
            at = self.position(record_id) if decision == "approved" else None
            if at is not None and days[at] <= day:
                first, last = self.sections["first"][at], self.sections["last"][at]
                verified.update((pair_of[at], k) for k in range(first, last + 1))
        exact = iter(self._exact(book, touched, as_of, reviews, extensions, exemptions, gone))
        out = []
        steps = iter(self.sections["steps"])
        for p, (task_id, unit) in enumerate(self.sections["pairs"]):
            task = book.task_by_id[task_id]
            occs = book.occurrences(task)
            if p in touched:
                out += [next(exact) for _ in occs]
                for _ in occs:
                    next(steps)
                continue
            for occ in occs:
                step_days, values = next(steps)
                completed, count, rate, parts, last_day, blocked, decided_ = values[bisect_right(step_days, day) - 1]
                got = engine.Progress(
                    completed and dt.date.fromordinal(completed), count, rate,
                    tuple(engine.PartCount(*part) for part in parts), decided_,
                )
                exempt = (task_id, unit, None) in exempted or (task_id, unit, occ.label) in exempted
                verification = ("verified" if (p, occ.index) in verified else "claimed") if completed else None
                out.append(engine.obligation(
                    book, task, unit, occ, got, last_day and dt.date.fromordinal(last_day),
                    self.report(blocked) if blocked >= 0 else None, verification,
                    dues.get((task_id, unit, occ.label), occ.due), exempt, as_of,
                ))
        return out

    def _exact(self, book, touched, as_of, reviews, extensions, exemptions, gone) -> list:
        """engine.compute over the touched pairs, with the reports that count."""
        if not touched:
            return []
        reports = [r for p in touched for r in (*self.pair_reports(p), *self._extra_of.get(p, ())) if r.id not in gone]
        pairs = {tuple(self.sections["pairs"][p]) for p in touched}
        return engine.compute(book, reports, as_of, reviews, extensions, exemptions, pairs=pairs)
