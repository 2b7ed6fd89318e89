"""The per-obligation index: each obligation's progress as a step function
of the as-of day, so that a query costs a bisect per obligation, not a pass
over every report. Pure: plain values in, plain values out (io.index_store
keeps it).

Built from every valid report, the corrections in force and the reviews, by
stepping engine.PairFold, the engine's own completion rules, one event day
at a time: a day a report is dated, or a day a review of one of the pair's
reports is dated (a rejection takes a report out from that day on, an
approval verifies a claim). After each event every occurrence whose values
changed gets a step (that day, its values, its verification among them).
On an as-of day D an obligation is then its last step on or before D, since
the folds read reports in record order (by date first), and what the
engine does with reviews depends only on those dated on or before D.

Asked on the day:
- extensions and exemptions (due days and `exempt`), exactly as the engine does;
- what changed since the build: a report written since (`extra`), a
  correction or a review the build did not see (its `basis` differs). The
  (task, unit) pairs they touch are handed whole to engine.compute with their
  reports (the exact fallback); `stale` counts them, so that the caller can
  build the index again when they grow many.

Sections (plain values, each read only when a query needs it):
  pairs    [(task id, unit)], in plan order, as engine.compute goes
  steps    per obligation in that order: ([day ordinals], [values]), the
           first step the progress before any report (day 0)
  basis    (the ids gone, sorted; every review as a sorted key), what it was built with
  pair_of  per report (index order: pairs in plan order, each pair's reports
           in record order), its pair
  ids, offsets, id_pos   the reports' ids sorted, in one string, each ended by NUL
  amendments             the positions of reports that amend another
  rows     per report, in index order, the report as a row (see row)
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right

from lanxi_cli.core import engine
from lanxi_cli.core import reviews as review_rules
from lanxi_cli.core.domain import Layout, Report, first_named, record_order

_LAYOUT = Layout(Report)


def row(report: Report, prefix: str = "") -> tuple:
    """A report as plain values (domain.Layout), then its `file` without
    `prefix` (the reports folder as shown: the same folder may be named
    otherwise next time, through a symlink or from another folder)."""
    file = report.file
    return (*_LAYOUT.row(report), file[len(prefix):] if prefix and file.startswith(prefix) else file)


def from_row(values, prefix: str = "") -> Report:
    return _LAYOUT.record(values[:-1], prefix + values[-1])


# ---- building ------------------------------------------------------------------------


def review_key(review) -> tuple:
    return (review.subject, review.decision, review.date.toordinal(), review.recorded, review.id)  # not its shown path


def basis(gone, reviews) -> tuple:
    """What an index is built with, comparable: the ids gone and every review."""
    return sorted(gone), sorted(review_key(r) for r in reviews)


class _Decisions:
    """Each reviewed record's decisions in record order, and the one in force on a day."""

    def __init__(self, reviews):
        self.of: dict[str, list] = {}
        for review in sorted(reviews, key=record_order):
            self.of.setdefault(review.subject, []).append((review.date, review.decision))

    def on(self, record_id: str, day: dt.date) -> str | None:
        found = None
        for date, decision in self.of.get(record_id, ()):
            if date > day:
                break
            found = decision
        return found


class _On:
    """The decisions in force on one day, as review_rules.verification asks for them."""

    def __init__(self, decisions: _Decisions, day: dt.date):
        self.decisions, self.day = decisions, day

    def get(self, record_id: str) -> str | None:
        return self.decisions.on(record_id, self.day)


def _timeline(book, task, unit, counted: list[Report], decisions: _Decisions, ids: dict, position: dict) -> list:
    """Each occurrence's steps ([day ordinals], [values]) for one pair's reports
    that count (`ids`, `position`: each report's id and index position, by id())."""
    occs = book.occurrences(task)
    reviewed = {key: ids[key] for key in map(id, counted) if ids[key] in decisions.of}  # the few a decision names
    # A day a report is rejected (or a rejection is undone) the pair is counted
    # again from the start; a day a claim is only approved, just the
    # occurrences it went toward are stepped again (their verification).
    restart, approved = set(), {}
    for record_id in reviewed.values():
        days = [d for d, _ in decisions.of[record_id]]
        if any(decision == "rejected" for _, decision in decisions.of[record_id]):
            restart.update(days)
        else:
            for d in days:
                approved.setdefault(d, []).append(record_id)

    def start():
        # the fold, the occurrences a rejection reopened, the reviewed reports that
        # went toward each (only they can verify it), where each of those went,
        # and how many reports were read
        return engine.PairFold(book, task, unit), set(), [[] for _ in occs], {}, 0

    fold, reopened, claims, went, done = start()

    def value(k: int, day: dt.date) -> tuple:
        got, own = fold.progress(k), fold.own(k)
        last = own[-1] if own else None
        blocked = engine.blocked_by(last, got)
        return (
            got.completed_on and got.completed_on.toordinal(), got.count, got.rate,
            tuple((p.name, p.count, p.target, p.rate, p.rate_target) for p in got.parts),
            last and last.date.toordinal(), -1 if blocked is None else position[id(blocked)], got.decided,
            review_rules.verification(got.completed_on is not None, claims[k], k in reopened, _On(decisions, day)),
        )

    timeline = [([0], [value(k, dt.date.min)]) for k in range(len(occs))]
    for day in sorted({r.date for r in counted} | restart | approved.keys()):
        anew = day in restart
        if anew:
            fold, reopened, claims, went, done = start()
        changed: set[int] = set()
        for record_id in approved.get(day, ()):
            if record_id in went:
                changed.update(range(went[record_id][0], went[record_id][1] + 1))
        while done < len(counted) and counted[done].date <= day:
            report = counted[done]
            done += 1
            record_id = reviewed.get(id(report))
            if record_id is not None and decisions.on(record_id, day) == "rejected":  # left out, reopened
                k = book.occurrence_for(task, report.period, report.date).index
                reopened.add(k)
                changed.add(k)
                continue
            first, last = fold.add(report)
            changed.update(fold.changed(first, last))
            if record_id is not None:
                went[record_id] = first, last
                for k in range(first, last + 1):
                    claims[k].append(report)
        for k in range(len(occs)) if anew else sorted(changed):  # anew, one may have lost its reports
            step = value(k, day)
            if step != timeline[k][1][-1]:
                timeline[k][0].append(day.toordinal())
                timeline[k][1].append(step)
    return timeline


def build(book, reports, gone=(), reviews=(), prefix: str = "") -> dict:
    """The sections of the index of `reports` (every valid report, withdrawn
    and amended ones too, each checked against the book), with the ids of
    those that count nowhere (`gone`, core.corrections) and the reviews in
    force; each report's file kept without `prefix` (see row)."""
    gone = set(gone)
    decisions = _Decisions(reviews)
    by_pair: dict[tuple[str, str], list[Report]] = {}
    for report in reports:
        by_pair.setdefault((report.task, report.unit), []).append(report)
    pairs, steps, rows, ids, amendments = [], [], [], [], []
    pair_of = array("i")

    def keep(mine: list[Report], p: int) -> None:
        for report in mine:
            if report.supersedes:
                amendments.append(len(ids))
            ids.append(report.id)
            pair_of.append(p)
            rows.append(row(report, prefix))

    for task in book.tasks:
        for unit in book.task_units(task):
            p = len(pairs)
            pairs.append((task.id, unit))
            mine = sorted(by_pair.pop((task.id, unit), ()), key=record_order)
            mine_ids = {id(r): r.id for r in mine}
            position = {key: len(ids) + j for j, key in enumerate(mine_ids)}
            counted = [r for r in mine if mine_ids[id(r)] not in gone]
            steps += _timeline(book, task, unit, counted, decisions, mine_ids, position)
            keep(mine, p)
    # Reports that hold no obligation (a lead's own report on its task) count
    # toward none, but a review or an amendment may still name them: kept last.
    keep(sorted((r for mine in by_pair.values() for r in mine), key=record_order), len(pairs))
    order = sorted(range(len(ids)), key=lambda i: (ids[i], rows[i][-1]))  # one id, two files: as first_named
    offsets, at = array("i", [0]), 0
    for i in order:
        at += len(ids[i]) + 1
        offsets.append(at)
    return {
        "pairs": pairs, "steps": steps, "rows": rows, "pair_of": pair_of, "basis": basis(gone, reviews),
        "ids": "".join(ids[i] + "\0" for i in order), "offsets": offsets, "id_pos": array("i", order),
        "amendments": amendments,
    }


# ---- asking --------------------------------------------------------------------------


ARRAYS = {"pair_of": "i", "offsets": "i", "id_pos": "i"}


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

    def __init__(self, sections, row=None, extra=(), prefix: str = ""):
        self.sections = _Sections(sections)
        self.prefix = prefix  # what each row's file is shown under (see row)
        self._row = row or (lambda i: self.sections["rows"][i])
        self._reports: dict[int, Report] = {}
        self.extra = list(extra)  # reports written since it was built: their pairs are answered exactly
        self.stale = 0  # corrections and reviews made since it was built (see _changed)
        if self.extra:
            at = {tuple(pair): p for p, pair in enumerate(self.sections["pairs"])}
            self._extra_of: dict[int, list[Report]] = {}
            for report in self.extra:  # one holding no obligation only answers find() and amendments()
                p = at.get((report.task, report.unit))
                if p is not None:
                    self._extra_of.setdefault(p, []).append(report)
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
        found = [r for r in self.extra if r.id == record_id]
        if at is not None:
            found.append(self.report(at))
        return min(found, key=first_named) if found else None

    def report(self, position: int) -> Report:
        found = self._reports.get(position)
        if found is None:
            found = self._reports[position] = from_row(self._row(position), self.prefix)
        return found

    def pair_reports(self, p: int) -> list[Report]:
        pair_of = self.sections["pair_of"]
        return [self.report(i) for i in range(bisect_left(pair_of, p), bisect_right(pair_of, p))]

    def reports_of(self, pairs) -> list[Report]:
        """The reports of some (task id, unit) pairs."""
        wanted = set(pairs)
        return [r for p, pair in enumerate(self.sections["pairs"]) if tuple(pair) in wanted
                for r in (*self.pair_reports(p), *self._extra_of.get(p, ()))]

    def amendments(self) -> list[Report]:
        """The reports that amend another (what core.corrections needs of the reports)."""
        return [self.report(i) for i in self.sections["amendments"]] + [r for r in self.extra if r.supersedes]

    def obligations(self, book, as_of: dt.date, reviews=(), extensions=(), exemptions=(), corrections=None) -> list:
        """engine.compute(book, the reports that count, as_of, reviews,
        extensions, exemptions), from the steps where they suffice."""
        decided = review_rules.decisions(reviews, as_of)
        dues = review_rules.extended_dues(extensions, decided, as_of)
        exempted = review_rules.exempted(exemptions, decided, as_of)
        gone = set(corrections.withdrawn) | set(corrections.superseded_by) if corrections else set()
        touched = set(self._extra_of) | self._changed(gone, reviews)
        exact = iter(self._exact(book, touched, as_of, reviews, extensions, exemptions, gone))
        out = []
        day = as_of.toordinal()
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
                completed, count, rate, parts, last_day, blocked, measured, verification = values[
                    bisect_right(step_days, day) - 1
                ]
                got = engine.Progress(
                    completed and dt.date.fromordinal(completed), count, rate,
                    tuple(engine.PartCount(*part) for part in parts), measured,
                )
                exempt = (task_id, unit, None) in exempted or (task_id, unit, occ.label) in exempted
                out.append(engine.obligation(
                    book, task, unit, occ, got, last_day and dt.date.fromordinal(last_day),
                    self.report(blocked) if blocked >= 0 else None, verification,
                    dues.get((task_id, unit, occ.label), occ.due), exempt, as_of,
                ))
        return out

    def _changed(self, gone: set, reviews) -> set[int]:
        """The pairs whose reports were corrected or reviewed otherwise than the
        index was built with; `stale` says how many records that was."""
        was_gone, was_reviewed = self.sections["basis"]
        now_gone, now_reviewed = basis(gone, reviews)
        if now_gone == was_gone and now_reviewed == [tuple(key) for key in was_reviewed]:
            return set()
        differ = set(now_gone).symmetric_difference(was_gone)
        differ |= {key[0] for key in set(now_reviewed).symmetric_difference(map(tuple, was_reviewed))}
        self.stale = len(differ)
        pair_of, touched = self.sections["pair_of"], set()
        for record_id in differ:
            at = self.position(record_id)  # None: not a report, or one written since (touched already)
            if at is not None and pair_of[at] < len(self.sections["pairs"]):  # else it holds no obligation
                touched.add(pair_of[at])
        return touched

    def _exact(self, book, touched, as_of, reviews, extensions, exemptions, gone) -> list:
        """engine.compute over the touched pairs, with the reports that count."""
        if not touched:
            return []
        reports = [r for p in touched for r in (*self.pair_reports(p), *self._extra_of.get(p, ())) if r.id not in gone]
        pairs = {tuple(self.sections["pairs"][p]) for p in touched}
        return engine.compute(book, reports, as_of, reviews, extensions, exemptions, pairs=pairs)
