"""A machine-local cache of what the data files say, so that a warm start
needs neither YAML parsing nor pydantic. Never the source of truth.

What is kept: the validated plan and tasks (the book entry), and apart from
it one entry per record folder (reports, reviews, extensions, exemptions,
indicators, withdrawals), each self-contained: for each file the record as
written (validated, before the book or any other record is consulted), the
problems found in the file alone, or both (a valid record holding control
characters). Every file is keyed by its size, mtime_ns, ctime_ns and inode,
taken before it is read; the whole cache by identity(): the lanxi version
and a fingerprint of its rules' code, the Python version, the domain
classes' fields and the data folder's real path. Files changed
less than FRESH_NS ago are not cached (an edit within the clock's tick keeps
the same mtime). Every answer is then checked anew, as load.place_records
does without a cache (against the book; a review against the records it
names; a withdrawal's subject reduced to an id), so the canonical units and
periods are the loader's and records with problems warn on every run.

Where: $XDG_CACHE_HOME/lanxi/<hash of the data folder>/, else ~/.cache/…:
outside the work tree, so it never shows in git.

Format: a header, a blake2b digest of the payload, then `marshal` of plain
tuples, lists, dicts, strings and numbers. marshal is the fastest loader in
the standard library and runs no code while loading (pickle would call
constructors named by the file); the digest catches a corrupt file, and
decoding builds only lanxi_cli.core.domain classes and dates. Any failure to read,
decode or write it falls back to the files, silently: same answers, slower.
Writes are atomic (temporary file, then rename). The book and each record
folder have a file of their own (book.marshal, reports.marshal …), whose
payload is (identity, entry); HEADER names that layout and changes with it.
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
from lanxi_cli.errors import DataError, Problem

HEADER = b"lanxi-cache 3\n"
MAX_BYTES = 256 << 20  # far above a million reports; a larger file is not our cache
FRESH_NS = 2_000_000_000
_CLASSES = {
    name: cls for name, cls in vars(domain).items()
    if isinstance(cls, type) and cls.__module__ == domain.__name__ and hasattr(cls, "__dataclass_fields__")
}
# Records are rebuilt by field position: a change to any domain class's fields or their types
# (even without a version bump) makes every older cache unreadable, never wrong.
SCHEMA = tuple(
    (name, tuple((field, str(f.type)) for field, f in cls.__dataclass_fields__.items()))
    for name, cls in sorted(_CLASSES.items())
)
_fromordinal = dt.date.fromordinal
try:  # the BLAKE2 module alone: hashlib would load OpenSSL too, a few ms of every start
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b


def cache_file(data_dir: Path, name: str) -> Path:
    """The cache file `name` (book, reports, index …) of one data folder."""
    key = blake2b(os.fsencode(os.path.realpath(data_dir)), digest_size=8).hexdigest()
    from lanxi_cli.io.locate import cache_root

    return cache_root() / key / f"{name}.marshal"


def stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _stamp_if_any(path: Path) -> tuple[int, int, int, int] | None:
    """A file's stamp, None where there is no file (an optional one, liaisons.yaml)."""
    try:
        return stamp(os.lstat(path))
    except FileNotFoundError:
        return None


def book_stamps(data_dir: Path) -> tuple | None:
    """What the book is read from: the stamps of plan.yaml and tasks.yaml, and
    of liaisons.yaml (None where there is none); None where one cannot be had."""
    from lanxi_cli.io import locate

    try:
        found = tuple(stamp(os.stat(data_dir / name)) for name in (locate.PLAN_FILE, locate.TASKS_FILE))
        found += (_stamp_if_any(data_dir / locate.LIAISONS_FILE),)
        records = locate.scan_reports(data_dir, stat=True, folder=locate.LIAISONS_DIR)
    except (OSError, DataError):
        return None
    if any(key is None for _, key in records):  # a file that cannot be stat'ed, a symlink out: read every time
        return None
    return found + tuple((*key, rel) for rel, key in records)  # (size, mtime_ns, ctime_ns, inode, name)


def trusted(stamps) -> bool:
    """None of these files changed in the last FRESH_NS (an edit within the
    clock's tick keeps the same mtime): their stamps may be kept."""
    return all(s[1] <= time.time_ns() - FRESH_NS for s in stamps if s)


# The code that decides what a cache file holds: reading and checking (io), the
# rules (core), the errors' words. Not cli/ or render/: they only show answers.
_RULE_CODE = ("core", "io", "store")
_fingerprint: list[bytes] = []


def code_fingerprint() -> bytes:
    """A digest of the name, size and mtime of every module whose code decides
    answers, so that a changed rule (a `git pull`, an edit, a reinstall, even
    under the same version number) makes every older cache file unreadable,
    never wrong. One scandir per folder, once per process: well under a ms."""
    if not _fingerprint:
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        seen = []
        for folder in ("", *_RULE_CODE):
            try:
                entries = list(os.scandir(os.path.join(package, folder)))
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py") and (folder or entry.name in ("__init__.py", "errors.py")):
                    st = entry.stat()
                    seen.append((folder, entry.name, st.st_size, st.st_mtime_ns))
        _fingerprint.append(blake2b(repr(sorted(seen)).encode(), digest_size=16).digest())
    return _fingerprint[0]


def identity(data_dir: Path) -> tuple:
    """What every cache file of a data folder is only valid for: this lanxi and
    the code of its rules (code_fingerprint), this Python (marshal's format),
    the domain classes, the folder's real path."""
    return (__version__, code_fingerprint(), sys.version, os.path.realpath(data_dir), SCHEMA)


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
    """One command's use of the cache for one data folder: the book and each
    record folder in a file of its own, each read only when first asked for
    (the book alone never reads the reports)."""

    def __init__(self, data_dir: Path):
        self.book_problems: list = []  # liaison record files load_book left out
        self.data_dir = data_dir
        self.identity = identity(data_dir)
        # For each record folder (reports, reviews …), apart: (paths under it, their
        # stamps, a column per field of its Layout, {row: problems}).
        self.entries: dict[str, tuple] = {}
        self.walked: dict[str, tuple] = {}  # a walk made for the index, which the next read of the folder takes
        self.read_after: dict[str, tuple] = {}  # the walk each folder's records were read after
        self.plan_stamps = None  # the plan files' stamps, taken before the book was read (book_stamps)

    def walk(self, kind: str, keep: bool = False) -> tuple:
        """locate.walk of a record folder, with stamps; with `keep`, also
        handed to the next read of the folder (a cold run then walks once).
        Once the folder's records are read, the walk they were read after:
        whatever is kept with them (the index) is keyed by what was read, never
        by a later walk that a file changed since might match."""
        from lanxi_cli.io import locate

        if kind in self.read_after:
            return self.read_after[kind]
        found = locate.walk(self.data_dir, kind, stat=True)
        if keep:
            self.walked[kind] = found
        return found

    def stored(self, name: str):
        """What the file `name` keeps, or None (absent, corrupt, another version)."""
        from lanxi_cli.io.locate import read_regular

        try:
            blob = read_regular(cache_file(self.data_dir, name), MAX_BYTES)  # a FIFO, a device, a huge file: refused
            start = len(HEADER) + 32
            if len(blob) > MAX_BYTES or blob[: len(HEADER)] != HEADER:
                return None
            if _digest(blob[start:]) != blob[len(HEADER) : start]:
                return None
            identity, value = marshal.loads(blob[start:])
            return value if identity == self.identity else None
        except Exception:
            return None

    def store(self, name: str, value) -> bool:
        """Keep `value` in the file `name`, atomically; False where that failed
        (unwritable or full: the next run reads the files again)."""
        try:
            from lanxi_cli.io import save

            payload = marshal.dumps((self.identity, value))
            path = cache_file(self.data_dir, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            save.write_replace(path, lambda handle: handle.write(HEADER + _digest(payload) + payload))
            return True
        except Exception:
            return False

    # ---- the book --------------------------------------------------------

    def load_book(self):
        """load.load_book, from the cache when plan.yaml and tasks.yaml are unchanged."""
        from lanxi_cli.core.book import Book
        from lanxi_cli.io import load

        stamps = self.plan_stamps = book_stamps(self.data_dir)
        entry = self.stored("book")  # (stamps, encoded (plan, tasks), liaison records left out)
        if stamps is not None and entry is not None and entry[0] == stamps:
            try:
                plan, tasks = decode(entry[1])
                book, faults = Book.build(plan, tasks)
                if not faults:
                    self.book_problems = [Problem(*p) for p in entry[2]]
                    return book
            except Exception:
                pass
        skipped: list = []
        book = load.load_book(self.data_dir, skipped)  # a broken plan raises here, as without a cache
        self.book_problems = skipped
        if stamps is not None and trusted(stamps):
            kept = [(p.file, p.line, p.message) for p in skipped]
            self.store("book", (stamps, encode((book.plan, book.tasks)), kept))
        return book

    # ---- the records, kind by kind -------------------------------------

    def load_records(self, kind: str, book, subjects=None) -> tuple[list, list]:
        """load.load_folder for the folder `kind` (reports, reviews …), reading
        only the files the cache does not know: the same records and problems."""
        from lanxi_cli.io.gc_pause import loading

        with loading():
            try:
                records, problems = self._load(kind, book, subjects, self._entry(kind))
            except Exception:  # a cache this lanxi cannot read: read every file
                records, problems = self._load(kind, book, subjects, _empty(_layout(kind)))
        problems.sort(key=attrgetter("file"))  # in file order, as load.load_folder gives them
        if kind != "reports":  # a few hundred at most: in file order too (10⁵ reports stay as listed)
            records.sort(key=attrgetter("file"))
        return records, problems

    def _load(self, kind: str, book, subjects, cached) -> tuple[list, list]:
        from lanxi_cli.io import load, locate

        layout = _layout(kind)
        shown, base = locate.display_path(self.data_dir / kind, self.data_dir), os.fspath(self.data_dir.parent)
        rels, stamps = self.walked.pop(kind, None) or self.walk(kind)  # in the folders' order, the cache's too
        self.read_after[kind] = rels, stamps
        old_rels, old_stamps, old_cols, old_bad = cached
        if rels == old_rels and stamps == old_stamps:  # nothing changed: the warm path
            return load.place_records(kind, book, _items(layout, rels, old_cols, old_bad, shown), base, subjects)
        index = {rel: i for i, rel in enumerate(old_rels)}
        source = []  # for each file listed, its place in the cache, or -1
        for j, rel in enumerate(rels):
            i = index.get(rel, -1)
            source.append(i if i >= 0 and old_stamps[4 * i : 4 * i + 4] == stamps[4 * j : 4 * j + 4] else -1)
        missed = [j for j, i in enumerate(source) if i < 0]
        read = load.read_records(kind, [f"{shown}/{rels[j]}" for j in missed], base, self.data_dir)
        found = dict(zip(missed, read, strict=True))
        items: list = []
        kept = _empty(layout)  # the new entry: rels, stamps, columns, problems
        trusted = time.time_ns() - FRESH_NS
        for j, rel in enumerate(rels):
            i, stamp = source[j], stamps[4 * j : 4 * j + 4]
            if i >= 0:
                row = [column[i] for column in old_cols]
                items += _items(layout, [rel], [[v] for v in row], {0: old_bad[i]} if i in old_bad else {}, shown)
                problems = old_bad.get(i)
            else:
                record, found_problems = found[j]
                items.append((f"{shown}/{rel}", record, found_problems))
                if stamp[0] < 0 or stamp[1] > trusted:  # unknown, or too fresh to trust
                    continue
                row = layout.row(record, intern=True) if record is not None else (None,) * len(layout.fields)
                problems = [(p.line, p.message) for p in found_problems] if found_problems else None
            if problems is not None:
                kept[3][len(kept[0])] = problems
            kept[0].append(rel)
            kept[1].extend(stamp)
            for column, value in zip(kept[2], row, strict=True):
                column.append(value)
        if kept[0] != old_rels or kept[1] != old_stamps:
            self.entries[kind] = (kept[0], kept[1].tobytes(), kept[2], kept[3])
            self.store(kind, self.entries[kind])
        return load.place_records(kind, book, items, base, subjects)

    def _entry(self, kind: str) -> tuple[list, array, tuple, dict]:
        """The cached records of `kind`, checked for shape, or an empty entry."""
        layout = _layout(kind)
        try:
            if kind not in self.entries:
                self.entries[kind] = self.stored(kind)
            rels, raw, columns, bad = self.entries[kind]
            stamps = array("q")
            stamps.frombytes(raw)
            if (
                len(stamps) == 4 * len(rels) and len(columns) == len(layout.fields)
                and all(len(column) == len(rels) for column in columns) and isinstance(bad, dict)
            ):
                return rels, stamps, columns, bad
        except Exception:
            pass
        return _empty(layout)


_LAYOUTS: dict[str, domain.Layout] = {}


def _layout(kind: str) -> domain.Layout:
    layout = _LAYOUTS.get(kind)
    if layout is None:
        from lanxi_cli.io import load

        layout = _LAYOUTS[kind] = domain.Layout(load.record_class(kind))
    return layout


def _empty(layout: domain.Layout) -> tuple[list, array, tuple, dict]:
    return [], array("q"), tuple([] for _ in layout.fields), {}


def _items(layout: domain.Layout, rels: list, columns, bad: dict, shown: str):
    """Cached rows → (file, record as written or None, problems), as load.read_records gives."""
    from lanxi_cli.errors import Problem

    prefix, days = shown + "/", {}
    for i, (rel, *row) in enumerate(zip(rels, *columns, strict=True)):
        file = prefix + rel
        if row[layout.key] is None:
            yield file, None, [Problem(file, line, message) for line, message in bad[i]]
            continue
        extra = bad.get(i) if bad else None  # problems of a valid record: control characters, a `file` key
        record = layout.record(row, file, days)
        yield file, record, [Problem(file, line, message) for line, message in extra] if extra else []
