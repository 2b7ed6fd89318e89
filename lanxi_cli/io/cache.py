"""A machine-local cache of what the data files say, so that a warm start
needs neither YAML parsing nor pydantic. Never the source of truth.

What is kept: the validated plan and tasks, and for each report file the
validated report (as written, before the book is consulted), the problems
found in it, or both (a valid report holding control characters). Every entry is keyed by its file's size, mtime_ns,
ctime_ns and inode, taken before the file is read; the whole cache by the
lanxi and Python versions and the data folder's real path. Files changed
less than FRESH_NS ago are not cached (an edit within the clock's tick keeps
the same mtime). Every answer is then checked against the book anew
(load.place_reports), so reports with problems warn on every run.

Where: $XDG_CACHE_HOME/lanxi/<hash of the data folder>/, else ~/.cache/…:
outside the work tree, so it never shows in git.

Format: a header, a blake2b digest of the payload, then `marshal` of plain
tuples, lists, dicts, strings and numbers. marshal is the fastest loader in
the standard library and runs no code while loading (pickle would call
constructors named by the file); the digest catches a corrupt file, and
decoding builds only lanxi_cli.core.domain classes and dates. Any failure to read,
decode or write it falls back to the files, silently: same answers, slower.
Writes are atomic (temporary file, then rename).
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
import sys
import time
from array import array
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

from lanxi_cli import __version__
from lanxi_cli.core import domain
from lanxi_cli.core.domain import Report

HEADER = b"lanxi-cache 1\n"
MAX_BYTES = 256 << 20  # far above a million reports; a larger file is not our cache
FRESH_NS = 2_000_000_000
_CLASSES = {
    name: cls for name, cls in vars(domain).items()
    if isinstance(cls, type) and cls.__module__ == domain.__name__ and hasattr(cls, "__dataclass_fields__")
}
# Records are rebuilt by field position: a change to any domain class's fields
# (even without a version bump) makes every older cache unreadable, never wrong.
SCHEMA = tuple((name, tuple(cls.__dataclass_fields__)) for name, cls in sorted(_CLASSES.items()))
_fromordinal = dt.date.fromordinal
try:  # the BLAKE2 module alone: hashlib would load OpenSSL too, a few ms of every start
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b


def cache_root() -> Path:
    """$XDG_CACHE_HOME/lanxi, else ~/.cache/lanxi: machine-local, outside every work tree."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "lanxi"


def cache_path(data_dir: Path) -> Path:
    key = blake2b(os.fsencode(os.path.realpath(data_dir)), digest_size=8).hexdigest()
    return cache_root() / key / "data.marshal"


def stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _stamp_if_any(path: Path) -> tuple[int, int, int, int] | None:
    """A file's stamp, None where there is no file (an optional one, liaisons.yaml)."""
    try:
        return stamp(os.lstat(path))
    except FileNotFoundError:
        return None


def _digest(payload: bytes) -> bytes:
    return blake2b(payload, digest_size=32).digest()


# ---- plain values <-> domain objects -------------------------------------------


def encode(value):
    """Domain objects → marshal-able values: a dataclass becomes a tuple
    (class name, *fields), a date ("date", ordinal), any sequence a list."""
    if isinstance(value, dt.date):
        return ("date", value.toordinal())
    if type(value).__name__ in _CLASSES and hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, *(encode(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot cache {type(value).__name__}")


def decode(value):
    if isinstance(value, tuple):
        if value[0] == "date":
            return _fromordinal(value[1])
        return _CLASSES[value[0]](*(decode(v) for v in value[1:]))
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return value


# ---- the cache ------------------------------------------------------------------


class Cache:
    """One command's use of the cache for one data folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.path = cache_path(data_dir)
        self.identity = (__version__, sys.version, os.path.realpath(data_dir), SCHEMA)
        self.book_entry = None  # (stamps, encoded (plan, tasks))
        self.reports_entry = None  # (paths under reports/, their stamps, FIELDS columns, problems)
        try:
            self._read()
        except Exception:  # corrupt, unreadable, another version: start empty
            self.book_entry = self.reports_entry = None

    def _read(self) -> None:
        from lanxi_cli.io.locate import read_regular

        blob = read_regular(self.path, MAX_BYTES)  # a FIFO, a device, a huge file: refused, never waited on
        if len(blob) > MAX_BYTES:
            return
        start = len(HEADER) + 32
        if blob[: len(HEADER)] != HEADER or _digest(blob[start:]) != blob[len(HEADER) : start]:
            return
        identity, book_entry, reports_entry = marshal.loads(blob[start:])
        if identity == self.identity:
            self.book_entry, self.reports_entry = book_entry, reports_entry

    def _write(self) -> None:
        try:
            from lanxi_cli.io import save

            payload = marshal.dumps((self.identity, self.book_entry, self.reports_entry))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save.write_replace(self.path, lambda handle: handle.write(HEADER + _digest(payload) + payload))
        except Exception:  # unwritable or full: the next run reads the files again
            pass

    # ---- the book --------------------------------------------------------

    def load_book(self):
        """load.load_book, from the cache when plan.yaml and tasks.yaml are unchanged."""
        from lanxi_cli.core.plan_index import Book
        from lanxi_cli.io import load, locate

        try:
            stamps = tuple(stamp(os.stat(self.data_dir / name)) for name in (locate.PLAN_FILE, locate.TASKS_FILE))
            stamps += (_stamp_if_any(self.data_dir / locate.LIAISONS_FILE),)
        except OSError:
            stamps = None
        if stamps is not None and self.book_entry is not None and self.book_entry[0] == stamps:
            try:
                plan, tasks = decode(self.book_entry[1])
                book, faults = Book.build(plan, tasks)
                if not faults:
                    return book
            except Exception:
                pass
        book = load.load_book(self.data_dir)  # a broken plan raises here, as without a cache
        if stamps is not None and all(s[1] <= time.time_ns() - FRESH_NS for s in stamps if s):
            self.book_entry = (stamps, encode((book.plan, book.tasks)))
            self._write()
        return book

    # ---- the reports -----------------------------------------------------

    def load_reports(self, book) -> tuple[list, list]:
        """load.load_reports, reading only the files the cache does not know."""
        from lanxi_cli.io.bulk import loading

        with loading():
            try:
                reports, problems = self._load_reports(book, self._reports_entry())
            except Exception:  # a cache this lanxi cannot read: read every file
                reports, problems = self._load_reports(book, _empty())
        problems.sort(key=attrgetter("file"))  # in file order, as load.load_reports gives them
        return reports, problems

    def _load_reports(self, book, cached) -> tuple[list, list]:
        from lanxi_cli.io import load, locate

        shown, base = locate.reports_shown(self.data_dir), os.fspath(self.data_dir.parent)
        rels, stamps = locate.walk(self.data_dir, stat=True)  # in the folders' order, the cache's too
        old_rels, old_stamps, old_cols, old_bad = cached
        if rels == old_rels and stamps == old_stamps:  # nothing changed: the warm path
            return load.place_reports(book, _items(rels, old_cols, old_bad, shown), base)
        index = {rel: i for i, rel in enumerate(old_rels)}
        source = []  # for each file listed, its place in the cache, or -1
        for j, rel in enumerate(rels):
            i = index.get(rel, -1)
            source.append(i if i >= 0 and old_stamps[4 * i : 4 * i + 4] == stamps[4 * j : 4 * j + 4] else -1)
        missed = [j for j, i in enumerate(source) if i < 0]
        read = load.read_reports([f"{shown}/{rels[j]}" for j in missed], base, self.data_dir)
        found = dict(zip(missed, read, strict=True))
        items: list = []
        kept = _empty()  # the new cache: rels, stamps, columns, problems
        trusted = time.time_ns() - FRESH_NS
        for j, rel in enumerate(rels):
            i, stamp = source[j], stamps[4 * j : 4 * j + 4]
            if i >= 0:
                row = [column[i] for column in old_cols]
                items += _items([rel], [[v] for v in row], {0: old_bad[i]} if i in old_bad else {}, shown)
                problems = old_bad.get(i)
            else:
                report, found_problems = found[j]
                items.append((f"{shown}/{rel}", report, found_problems))
                if stamp[0] < 0 or stamp[1] > trusted:  # unknown, or too fresh to trust
                    continue
                row = _row(report) if report is not None else (None,) * len(FIELDS)
                problems = [(p.line, p.message) for p in found_problems] if found_problems else None
            if problems is not None:
                kept[3][len(kept[0])] = problems
            kept[0].append(rel)
            kept[1].extend(stamp)
            for column, value in zip(kept[2], row, strict=True):
                column.append(value)
        if kept[0] != old_rels or kept[1] != old_stamps:
            self.reports_entry = (kept[0], kept[1].tobytes(), kept[2], kept[3])
            self._write()
        return load.place_reports(book, items, base)

    def _reports_entry(self) -> tuple[list, array, tuple, dict]:
        """The cached reports, checked for shape, or an empty cache."""
        try:
            rels, raw, columns, bad = self.reports_entry
            stamps = array("q")
            stamps.frombytes(raw)
            if (
                len(stamps) == 4 * len(rels) and len(columns) == len(FIELDS)
                and all(len(column) == len(rels) for column in columns) and isinstance(bad, dict)
            ):
                return rels, stamps, columns, bad
        except Exception:
            pass
        return _empty()


FIELDS = domain.stored_fields(Report)  # every field but `file`, in order; `file` comes last
_DATE = FIELDS.index("date")
_values = attrgetter(*FIELDS)


def _empty() -> tuple[list, array, tuple, dict]:
    return [], array("q"), tuple([] for _ in FIELDS), {}


def _row(report: Report) -> tuple:
    """A report as plain values (FIELDS); a date as its ordinal, short text
    interned so marshal writes each once."""
    intern = sys.intern
    row = [intern(v) if type(v) is str and len(v) < 64 else v for v in _values(report)]
    row[_DATE] = report.date.toordinal()
    return tuple(row)


def _items(rels: list, columns, bad: dict, shown: str):
    """Cached rows → (file, Report or None, problems), as load.read_reports gives."""
    from lanxi_cli.errors import Problem

    prefix, dates = shown + "/", {}
    for i, (rel, *row) in enumerate(zip(rels, *columns, strict=True)):
        file = prefix + rel
        if row[0] is None:
            yield file, None, [Problem(file, line, message) for line, message in bad[i]]
            continue
        day = row[_DATE]
        date = dates.get(day)
        if date is None:
            date = dates[day] = _fromordinal(day)
        row[_DATE] = date
        extra = bad.get(i) if bad else None  # problems of a valid report: control characters
        report = Report(*row, file=file)  # `file` is the last field (stored_fields)
        yield file, report, [Problem(file, line, message) for line, message in extra] if extra else []
