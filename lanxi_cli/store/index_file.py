"""The per-obligation index (store.obligation_index) kept on disk, beside the cache files
of the same data folder (store.cache): never the source of truth.

It answers for exactly the report files it knows: it keeps every report
file's path and stamp (size, mtime_ns, ctime_ns, inode, as store.cache keeps
them) and a digest of them all, which the one fstatat walk every query
makes is checked against; the plan files' stamps must match too.

- Nothing changed: the index answers.
- Files were only added (`report add`, `form import`, a sync): the index
  takes just those files, read and checked as io.load does, as `extra`
  reports whose (task, unit) pairs the engine answers exactly; it is kept
  again with them, and built anew only once they exceed JOURNAL.
- Anything else (a file edited, removed or renamed, another plan): built
  again from the reports (which store.cache re-reads only where a file changed).

Files changed less than FRESH_NS ago are answered for but never kept.

Format: a header, the length of the meta part, then marshal of (identity,
the plan files' stamps, the digest of the report files, the report
problems, [(section name, offset, length)], a CRC-32 of the sections), then
each section's own marshal: a query decodes only the sections it needs (a
report's row alone where one is needed). The list of report files it
answers for is an ordinary cache file (store.cache: index-files.marshal,
holding the same key), read only when the walk differs. Both are written
atomically, that list first; a file that fails to read, or to match its
CRC, identity (cache.identity) or key, is built
again, and one that reads but holds nonsense makes the query use the engine
over every report (store.snapshot): the same answers, slower.
"""

from __future__ import annotations

import marshal
import os
import time
import zlib
from pathlib import Path

from lanxi_cli.errors import Problem
from lanxi_cli.store.cache import FRESH_NS, MAX_BYTES, Cache, blake2b, cache_file, trusted

HEADER = b"lanxi-index 4\n"
_SIZE = 8  # bytes of the meta part's length, after the header
JOURNAL = 256  # reports added since the build answered as `extra`, at most (then built again)


def index_path(data_dir: Path) -> Path:
    return cache_file(data_dir, "index")


def files_key(rels: list[str], stamps) -> bytes:
    """A digest of the walk: every path and every stamp (no copy of them made to hash)."""
    digest = blake2b(digest_size=16)
    digest.update("\0".join(rels).encode())
    digest.update(b"\1")
    digest.update(stamps)
    return digest.digest()


class Stored:
    """The index file of one data folder, read once; sections decoded on demand."""

    def __init__(self, data_dir: Path, prefix: str = ""):
        self.path = index_path(data_dir)
        self.prefix = prefix  # the reports folder as shown: not kept in the problems' files
        self.cache = Cache(data_dir)  # the list of files is an ordinary cache file, "index-files"
        self.identity = self.cache.identity
        self.key = None
        self.problems: list = []
        self._blob, self._where = b"", {}
        self._offsets = self._rowdata = None

    def read(self, plan: tuple) -> bool:
        """Load the file if it was built with this plan."""
        from lanxi_cli.io.locate import read_regular

        try:
            blob = read_regular(self.path, MAX_BYTES)
            if len(blob) > MAX_BYTES or not blob.startswith(HEADER):
                return False
            at = len(HEADER)
            size = int.from_bytes(blob[at : at + _SIZE], "little")
            identity, stored_plan, key, problems, where, check = marshal.loads(blob[at + _SIZE : at + _SIZE + size])
            if identity != self.identity or stored_plan != plan:
                return False
            start = at + _SIZE + size
            if zlib.crc32(memoryview(blob)[start:]) != check:  # integrity, not identity: the key is above
                return False
            self._where = {name: (start + offset, length) for name, offset, length in where}
            self._blob, self.key = blob, key
            self.problems = [Problem(self.prefix + file, line, message) for file, line, message in problems]
            return True
        except Exception:  # unreadable, corrupt, another version: built again
            return False

    def names(self) -> list[str]:
        """The names of its sections."""
        return list(self._where)

    def raw(self, name: str) -> memoryview:
        start, length = self._where[name]
        return memoryview(self._blob)[start : start + length]

    def __getitem__(self, name: str):
        return marshal.loads(self.raw(name))

    def row(self, i: int) -> tuple:
        """The row of the report at index position i, decoded alone."""
        if self._offsets is None:
            from array import array

            self._offsets = array("I")
            self._offsets.frombytes(self["rowoff"])
            self._rowdata = self.raw("rowdata")
        return marshal.loads(self._rowdata[self._offsets[i] : self._offsets[i + 1]])

    def files(self) -> tuple[list[str], bytes]:
        """The report files (paths, packed stamps) it answers for, from their own
        file: read only when they differ from the walk's (`key`)."""
        key, rels, stamps = self.cache.stored("index-files")  # None (absent, damaged) raises here
        if key != self.key:
            raise ValueError("the index's list of files is another's")
        return rels, stamps

    def write(self, plan: tuple, key: bytes, parts: dict, problems: list[Problem], files: tuple) -> None:
        """Keep the sections `parts` (name → its marshal) for `plan`, `key` and
        the report files (paths, packed stamps) they answer for, atomically; a
        failure only costs the next run time."""
        try:
            from lanxi_cli.io import save

            where, offset = [], 0
            for name, data in parts.items():
                where.append((name, offset, len(data)))
                offset += len(data)
            rows = [(_strip(p.file, self.prefix), p.line, p.message) for p in problems]
            meta = marshal.dumps((self.identity, plan, key, rows, where, zlib.crc32(b"".join(parts.values()))))
            if not self.cache.store("index-files", (key, *files)):  # first: an index never names files it lacks
                return
            save.write_replace(self.path, lambda handle: handle.writelines(
                [HEADER, len(meta).to_bytes(_SIZE, "little"), meta, *parts.values()]
            ))
        except Exception:
            pass


def _strip(file: str, prefix: str) -> str:
    if not file.startswith(prefix):
        raise ValueError(f"{file} is not under {prefix}")  # not kept (Stored.write): never shown wrong
    return file[len(prefix):]


def _parts(sections: dict) -> dict[str, bytes]:
    """Sections (core.obligation_index.build) → name → marshal; the rows as `rowdata`,
    each row's marshal one after the other, and `rowoff`, where each starts."""
    from array import array

    from lanxi_cli.store.obligation_index import ARRAYS

    parts = {
        name: marshal.dumps(value.tobytes() if name in ARRAYS else value)
        for name, value in sections.items() if name != "rows"
    }
    rows = [marshal.dumps(row) for row in sections["rows"]]
    offsets, at = array("I", [0]), 0
    for data in rows:
        at += len(data)
        offsets.append(at)
    parts["rowoff"] = marshal.dumps(offsets.tobytes())
    parts["rowdata"] = b"".join(rows)  # raw: read a row at a time (Stored.row)
    return parts


def _added(stored: Stored, rels: list[str], stamps) -> list[int] | None:
    """The files listed now that the index does not know, where every file it
    knows is still there unchanged; else None."""
    old_rels, raw = stored.files()
    if len(old_rels) > len(rels):
        return None
    old = {rel: raw[32 * i : 32 * i + 32] for i, rel in enumerate(old_rels)}
    now = stamps.tobytes()
    added = []
    for j, rel in enumerate(rels):
        known = old.pop(rel, None)
        if known is None:
            added.append(j)
        elif known != now[32 * j : 32 * j + 32]:
            return None
    return None if old else added


def walk_of(data_dir: Path, walk=None):
    """(paths, stamps, their digest, whether they may be kept), or None where
    the walk (locate.walk of the reports, or `walk()`) fails."""
    from lanxi_cli.io import locate

    try:
        rels, stamps = walk() if walk else locate.walk(data_dir, stat=True)
    except Exception:
        return None
    # as cache.trusted, over a packed array at once: no file too fresh, none unknown (-1)
    keep = not stamps or (max(stamps[1::4]) <= time.time_ns() - FRESH_NS and min(stamps[::4]) >= 0)
    return rels, stamps, files_key(rels, stamps), keep


def load(data_dir: Path, book, plan, reports, supervision, walk):
    """(core.obligation_index.Index, the report problems) answering for the report files
    as they are now: from the file when it knows them all or all but a few
    new ones; else built from `reports()` (every valid report, and the
    problems it has told already: then None) and `supervision()` (the ids
    gone, the reviews), and kept, for `plan` (the plan files' stamps taken
    before the book was read) and the walk the reports were read after
    (`walk()`). None where the walk fails: the engine then reads the reports
    as ever."""
    from lanxi_cli.io import load as files
    from lanxi_cli.io import locate
    from lanxi_cli.store import obligation_index

    walked = walk_of(data_dir, walk)
    if walked is None:
        return None
    rels, stamps, key, keep = walked
    keep = keep and plan is not None and trusted(plan)
    prefix = _prefix(data_dir)
    stored = Stored(data_dir, prefix)
    if plan is not None and stored.read(plan):
        try:
            journal = [obligation_index.from_row(values, prefix) for values in stored["journal"]]
            if stored.key == key:
                return obligation_index.Index(stored, stored.row, journal, prefix), stored.problems
            added = _added(stored, rels, stamps)
            if added is not None and len(journal) + len(added) <= JOURNAL:
                base = os.fspath(data_dir.parent)
                new = [prefix + rels[j] for j in added]
                read = files.read_records(locate.REPORTS_DIR, new, base, data_dir)
                more, problems = files.place_reports(book, [(f, *r) for f, r in zip(new, read, strict=True)], base)
                journal += more
                problems = sorted(stored.problems + problems, key=lambda p: p.file)
                if keep:
                    parts = {name: stored.raw(name) for name in stored.names() if name != "journal"}
                    parts["journal"] = marshal.dumps([obligation_index.row(r, prefix) for r in journal])
                    stored.write(plan, key, parts, problems, (rels, stamps.tobytes()))
                return obligation_index.Index(stored, stored.row, journal, prefix), problems
        except Exception:  # a file that reads but holds nonsense: built again
            pass
    found, problems = reports()
    return build(data_dir, book, found, problems, *supervision(), walked=walked, plan=plan, keep=keep), None


def build(data_dir: Path, book, reports, problems, gone, reviews, walked, plan, keep=True):
    """core.obligation_index.build of every report, with the corrections and reviews in
    force, kept for `walked` (walk_of: the walk the reports were read after)
    and `plan` (the stamps the book was read after), never for a later walk."""
    from lanxi_cli.store import obligation_index

    prefix = _prefix(data_dir)
    sections = obligation_index.build(book, reports, gone, reviews, prefix)
    if walked is not None and walked[3] and keep and plan is not None and trusted(plan):
        rels, stamps, key, _ = walked
        parts = _parts(sections)
        parts["journal"] = marshal.dumps([])
        Stored(data_dir, prefix).write(plan, key, parts, problems, (rels, stamps.tobytes()))
    return obligation_index.Index(sections, prefix=prefix)


def _prefix(data_dir: Path) -> str:
    """What the report files are shown under this time (data/reports/, town/reports/ …):
    kept without it, so that one index serves the folder however it is named."""
    from lanxi_cli.io import locate

    return locate.display_path(data_dir / locate.REPORTS_DIR, data_dir) + "/"
