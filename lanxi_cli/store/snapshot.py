"""The data folder read once, as of one day: every command starts here.

`load(data_dir, as_of)` gives the plan index (book) at once; the records and
the obligations are read or computed the first time a command asks for them,
and never twice. Every path and id in it is the same whatever the current
folder. No typer here: the CLI passes `warn` to show problems as they are met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lanxi_cli.core.book import Book
from lanxi_cli.core.domain import by_id, id_of
from lanxi_cli.errors import Problem, UsageError

# What a problem in each record folder means for the command that meets it.
_SKIPPED = {
    "reports": "已跳过此报告", "extensions": "已跳过此延期申请", "exemptions": "已跳过此不适用申请",
    "reviews": "已跳过此审核", "indicators": "已跳过此指标记录", "withdrawals": "已跳过此撤回记录",
    "notices": "已跳过此督办通知单记录",
    "measures": "已跳过此督办措施记录",
    "removals": "已跳过此删除记录", "receipts": "已跳过此签收记录",
    "liaisons": "已跳过此联络员备案",
}


_UNASKED = object()  # the index not asked for yet


@dataclass(slots=True)
class Folder:
    """One record folder as this command read it."""

    records: list | None  # every valid record; None while only its problems were told (from the index's file)
    problems: list
    told: bool = False  # its problems told (warned) already
    counted: list | None = None  # the records that count (Snapshot._counted), worked out once


@dataclass
class Snapshot:
    data_dir: Path
    as_of: dt.date
    book: Book
    cache: object = field(default=None, repr=False)  # an store.cache.Cache, or None to read every file
    warn: Callable[[str], None] | None = field(default=None, repr=False)
    problems: list[Problem] = field(default_factory=list)
    _read_kinds: dict[str, Folder] = field(default_factory=dict, repr=False)  # by folder name, each read once
    _index: object = field(default=_UNASKED, repr=False)  # the obligation index, None where there is none
    _corrections: object = field(default=None, repr=False)
    _obligations: list | None = field(default=None, repr=False)
    _quiet: int = field(default=0, repr=False)  # > 0 while the index is built: records read are not told

    # ---- records, each kind read once ---------------------------------------

    def records(self, kind: str) -> list:
        """Every valid record of `kind` (a folder name), withdrawn and superseded
        ones too; the problems met told (once) unless read for the index only."""
        found = self._read(kind)
        if not self._quiet:
            self._tell(kind, self._read_kinds[kind].problems)
        return found

    def _read(self, kind: str) -> list:
        """records(kind), its problems not told: what the index or a review's
        subjects need is told only where the command itself asks for it, so
        that a cold run (which builds the index) warns as a warm one does."""
        folder = self._read_kinds.get(kind)
        if folder is None or folder.records is None:
            from lanxi_cli.io import load

            subjects = {}  # what a review may name, by id
            if kind == "reviews":
                subjects = _Subjects(self)
            if self.cache is not None:
                found = self.cache.load_records(kind, self.book, subjects)
            else:
                found = load.load_folder(self.data_dir, kind, self.book, subjects)
            self._read_kinds[kind] = folder = Folder(*found, told=folder is not None and folder.told)
        return folder.records

    def _tell(self, kind: str, problems) -> None:
        folder = self._read_kinds.setdefault(kind, Folder(None, []))  # the index may tell before a read
        if folder.told:  # the records' read and the index's file: told once
            return
        folder.told = True
        self.problems += problems
        for problem in problems if self.warn else ():
            self.warn(f"{problem}（{_SKIPPED[kind]}）")

    @property
    def index(self):
        """The per-obligation index (store.obligation_index) of the reports, from the
        cache where it answers for the files as they are; None uncached."""
        if self._index is _UNASKED:
            self._index = None  # while it is built, the records come from the files
            if self.cache is not None:
                from lanxi_cli.store import index_file

                self._quiet += 1
                try:
                    found = index_file.load(
                        self.data_dir, self.book, self.cache.plan_stamps, self._reports_and_problems,
                        self._supervision, walk=lambda: self.cache.walk("reports", keep=True),
                    )
                finally:
                    self._quiet -= 1
                if found is not None:  # the reports' problems: from its file, or from the reports it was built of
                    self._index, problems = found
                    self._tell("reports", self._read_kinds["reports"].problems if problems is None else problems)
        return self._index

    def _supervision(self):
        """What the index is built with: the ids that count nowhere, and the reviews that count."""
        fixes = self.corrections
        return fixes.withdrawn.keys() | fixes.superseded_by.keys(), self.reviews

    def _from_index(self, ask, otherwise):
        """ask(index), or otherwise() where there is none or it holds nonsense
        (a cache file is never trusted to raise: the files give the answer)."""
        index = self.index
        if index is not None:
            try:
                return ask(index)
            except Exception:
                self._index = None
        return otherwise()

    def _renew_index(self) -> None:
        """Build the index anew once the corrections and reviews made since it
        was built are many (each costs the exact answer of its pair)."""
        from lanxi_cli.store import index_file

        index = None if self._index is _UNASKED else self._index
        if index is not None and index.stale > index_file.JOURNAL:
            reports, problems = self._reports_and_problems()
            walked = index_file.walk_of(self.data_dir, lambda: self.cache.walk("reports"))  # the one read after
            self._quiet += 1
            try:
                index_file.build(self.data_dir, self.book, reports, problems, *self._supervision(), walked,
                                  self.cache.plan_stamps)
            finally:
                self._quiet -= 1

    def _reports_and_problems(self):
        return self._read("reports"), self._read_kinds["reports"].problems

    @property
    def corrections(self):
        """Withdrawals and amendments in force (core.corrections), worked out once."""
        if self._corrections is None:
            from lanxi_cli.core import corrections

            amending = self._from_index(lambda index: index.amendments(), lambda: self.records("reports"))
            self._corrections = corrections.resolve(amending, self.records("withdrawals"))
        return self._corrections

    def _counted(self, kind: str) -> list:
        """The records of `kind` that count: neither withdrawn nor superseded."""
        kept = self.records(kind)  # told here, even where the index's build counted them already
        folder = self._read_kinds[kind]
        if folder.counted is None:
            fixes = self.corrections
            if fixes.withdrawn or fixes.superseded_by:  # most days nothing was corrected: no id worked out
                kept = [r for r in kept if fixes.counts(r)]
                if kind == "reviews":  # a review of a record that counts nowhere counts nowhere
                    gone = fixes.withdrawn.keys() | fixes.superseded_by.keys()
                    kept = [r for r in kept if r.subject not in gone]
            folder.counted = kept
        return folder.counted

    def reports_of(self, pairs) -> list:
        """The reports that count of some (task id, unit) pairs: from the index
        where there is one (no other report is made), else from every report."""
        wanted = set(pairs)
        found = self._from_index(
            lambda index: index.reports_of(wanted), lambda: [r for r in self.reports if (r.task, r.unit) in wanted]
        )
        fixes = self.corrections
        return [r for r in found if fixes.counts(r)] if fixes.withdrawn or fixes.superseded_by else found

    @property
    def reports(self) -> list:
        """Every valid report that counts; each broken file is a problem, left out."""
        return self._counted("reports")

    @property
    def extensions(self) -> list:
        return self._counted("extensions")

    @property
    def reviews(self) -> list:
        return self._counted("reviews")

    @property
    def exemptions(self) -> list:
        return self._counted("exemptions")

    @property
    def indicators(self) -> list:
        return self._counted("indicators")

    @property
    def measures(self) -> list:
        """督办 measures recorded (lanxi measure record) that count, any date."""
        return self._counted("measures")

    def obligations(self) -> list:
        """Every obligation with its state on the as-of day (computed once)."""
        if self._obligations is None:
            from lanxi_cli.core import engine

            self._obligations = self._from_index(
                lambda index: index.obligations(
                    self.book, self.as_of, self.reviews, self.extensions, self.exemptions, self.corrections
                ),
                lambda: engine.compute(
                    self.book, self.reports, self.as_of, self.reviews, self.extensions, self.exemptions
                ),
            )
            self._renew_index()
        return self._obligations

    # ---- what a user typed ---------------------------------------------------

    def unit(self, text: str | None) -> str | None:
        """The canonical unit a --unit option names, or None when it was not given."""
        return None if text is None else self.book.resolve_unit(text)

    def task_id(self, text: str | None) -> str | None:
        """The task id a --task option names, or None when it was not given."""
        return None if text is None else self.book.resolve_task(text).id

    def record(self, text: str, kinds: tuple[str, ...], what: str):
        """The valid record of one of `kinds` that an id or a path names, or a
        UsageError saying why there is none."""
        wanted = id_of(text)
        for kind in kinds:
            for record in self.records(kind):
                if record.id == wanted:
                    return record
        broken = [p for p in self.problems if id_of(p.file) == wanted]
        if broken:
            raise UsageError(f"{what}“{text}”有误，不能使用：{broken[0]}")
        stem = wanted.rsplit("-", 1)[0]  # a copied id with another random tail: the same day, unit and task
        alike = [r.id for kind in kinds for r in self.records(kind) if r.id.rsplit("-", 1)[0] == stem]
        offer = f"是不是要找 {'、'.join(alike[:3])}？" if alike else ""
        raise UsageError(f"找不到{what}“{text}”（应为记录编号，即文件名去掉 .yaml，或其路径）{offer}")


KINDS = tuple(kind for kind in _SKIPPED if kind != "liaisons")  # liaisons are read with the book


class _Subjects:
    """The records a review may name, by id: extension and exemption requests,
    and reports, from the index where there is one (a warm query then makes
    a Report of each reviewed report only, not of every report)."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.requests = by_id(r for kind in ("extensions", "exemptions") for r in snap._read(kind))
        self.reports = None

    def get(self, record_id: str):
        if record_id in self.requests:
            return self.requests[record_id]
        index = self.snap.index if self.reports is None else None
        if index is not None:
            try:
                return index.find(record_id)
            except Exception:  # an index holding nonsense: the reports themselves
                self.snap._index = None
        if self.reports is None:
            self.reports = by_id(self.snap.records("reports"))
        return self.reports.get(record_id)


def load(data_dir: Path, as_of: dt.date, warn: Callable[[str], None] | None = None, cached: bool = True) -> Snapshot:
    """The data folder as of `as_of`: the book now (a broken plan raises
    DataError), the records when first asked for."""
    from lanxi_cli.io import load as files
    from lanxi_cli.store.cache import Cache

    if not cached:
        skipped: list = []
        snap = Snapshot(data_dir, as_of, files.load_book(data_dir, skipped), warn=warn)
    else:
        cache = Cache(data_dir)
        snap = Snapshot(data_dir, as_of, cache.load_book(), cache, warn)
        skipped = cache.book_problems
    snap._tell("liaisons", skipped)  # the liaison records left out, read with the book
    return snap


def check(data_dir: Path) -> tuple[Book | None, list, list[Problem], list[Problem]]:
    """Everything `lanxi check` validates, always from the files themselves:
    (the book or None, the valid reports, every problem found, ids included,
    and warnings: what is valid but counts for less than it says)."""
    from lanxi_cli.errors import DataError

    try:
        snap = load(data_dir, dt.date.today(), cached=False)
    except DataError as exc:
        return None, [], exc.problems, []
    from lanxi_cli.core import corrections
    from lanxi_cli.core.reporting import bare_done_warnings

    seen: dict[str, object] = {}
    found = []
    for kind in KINDS:
        for record in snap.records(kind):
            first = seen.setdefault(record.id, record)
            if first is not record:
                message = f"记录编号 {record.id} 与 {first.file} 重复；编号（文件名）须在数据目录中唯一"
                found.append(Problem(record.file, None, message))
    found += corrections.problems(snap.corrections, seen, snap.records("reports"))
    from lanxi_cli.io.load import obsolete_problems, placed

    found += obsolete_problems(data_dir, snap.book)
    found += _evidence_problems(data_dir, snap)
    counting = [r for r in snap.reports if snap.corrections.counts(r)]
    warnings = [Problem(r.file, None, text) for r, text in bare_done_warnings(snap.book, counting)]
    return (snap.book, snap.reports, placed(data_dir, snap.book.empty_groups()) + snap.problems + found,
            warnings)


def _evidence_problems(data_dir: Path, snap: Snapshot) -> list[Problem]:
    """data/evidence/ against every report (withdrawn and superseded ones still name their files)."""
    from lanxi_cli.core.evidence import evidence_problems
    from lanxi_cli.io import evidence, locate

    stored = evidence.stored(data_dir)
    reports = snap.records("reports")
    if not stored and not any(r.evidence_files for r in reports):
        return []
    removed = {r.sha256 for r in snap.records("removals")}
    shown = locate.display_path(data_dir / evidence.EVIDENCE_DIR, data_dir)
    return [Problem(file, None, message) for file, message in evidence_problems(reports, stored, removed, shown)]
