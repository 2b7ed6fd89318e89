"""The per-obligation index (core.index) kept on disk, beside the cache file
of the same data folder (io.cache): never the source of truth.

It answers for exactly the report files it was built from: it is keyed by
a digest of every report file's path and stamp (size, mtime_ns, ctime_ns,
inode, as io.cache keeps them), taken by the one fstatat walk every query
makes, and by the stamps of plan.yaml, tasks.yaml and liaisons.yaml. Any
difference, an in-place edit included, and the index is built again from
the reports (which io.cache reads again only where a file changed); files
changed less than FRESH_NS ago are never trusted to it.

Format: a header, the length of the meta part, then marshal of (identity,
key, the report problems, [(section name, offset, length)], a digest of the
sections), then each section's own marshal: a query decodes only the
sections it needs (each pair's rows is a section of its own). Written
atomically; a file that fails to read, or its digest, is built again, and
one that reads but holds nonsense makes the query use the engine over every
report (core.snapshot): the same answers, slower.
"""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

from lanxi_cli.errors import Problem
from lanxi_cli.io.cache import FRESH_NS, MAX_BYTES, SCHEMA, blake2b, cache_file, stamp

HEADER = b"lanxi-index 1\n"
_SIZE = 8  # bytes of the meta part's length, after the header


def index_path(data_dir: Path) -> Path:
    return cache_file(data_dir, "index")


def _digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def walk_key(data_dir: Path, rels: list[str], stamps) -> bytes | None:
    """What the index answers for: every report file and its stamp, and the
    plan files' stamps; None when a file is too fresh (or unknown) to trust."""
    from lanxi_cli.io import locate

    try:
        book = tuple(stamp(os.stat(data_dir / name)) for name in (locate.PLAN_FILE, locate.TASKS_FILE))
        liaisons = data_dir / locate.LIAISONS_FILE
        book += (stamp(os.stat(liaisons)),) if os.path.lexists(liaisons) else ()
    except OSError:
        return None
    trusted = time.time_ns() - FRESH_NS
    if any(s[1] > trusted for s in book) or (stamps and (max(stamps[1::4]) > trusted or min(stamps[::4]) < 0)):
        return None
    return _digest(marshal.dumps((book, "\0".join(rels), stamps.tobytes())))


class Stored:
    """The index file of one data folder, read once; sections decoded on demand."""

    def __init__(self, data_dir: Path):
        from lanxi_cli import __version__

        self.path = index_path(data_dir)
        self.identity = (__version__, os.path.realpath(data_dir), SCHEMA)
        self.key = self.problems = None
        self._blob, self._where = b"", {}

    def read(self, key: bytes) -> bool:
        """Load the file if it answers for `key`."""
        from lanxi_cli.io.locate import read_regular

        try:
            blob = read_regular(self.path, MAX_BYTES)
            if len(blob) > MAX_BYTES or not blob.startswith(HEADER):
                return False
            at = len(HEADER)
            size = int.from_bytes(blob[at : at + _SIZE], "little")
            meta = blob[at + _SIZE : at + _SIZE + size]
            identity, stored_key, problems, where, check = marshal.loads(meta)
            if identity != self.identity or stored_key != key:
                return False
            start = at + _SIZE + size
            if _digest(memoryview(blob)[start:]) != check:  # one pass over the sections: cheaper than a rebuild
                return False
            self._where = {name: (start + offset, length) for name, offset, length in where}
            self._blob, self.key, self.problems = blob, key, problems
            return True
        except Exception:  # unreadable, corrupt, another version: built again
            return False

    def __getitem__(self, name: str):
        start, length = self._where[name]
        return marshal.loads(memoryview(self._blob)[start : start + length])

    def rows(self, p: int) -> list:
        return self[f"rows/{p}"]

    def write(self, key: bytes, sections: dict, problems: list[Problem]) -> None:
        """Keep `sections` for `key` (atomically); a failure only costs the next run time."""
        try:
            from lanxi_cli.core.index import ARRAYS
            from lanxi_cli.io import save

            parts, where, offset = [], [], 0
            named = [(name, value) for name, value in sections.items() if name != "rows"]
            named += [(f"rows/{p}", rows) for p, rows in enumerate(sections["rows"])]
            for name, value in named:
                data = marshal.dumps(value.tobytes() if name in ARRAYS else value)
                parts.append(data)
                where.append((name, offset, len(data)))
                offset += len(data)
            problem_rows = [(p.file, p.line, p.message) for p in problems]
            meta = marshal.dumps((self.identity, key, problem_rows, where, _digest(b"".join(parts))))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save.write_replace(self.path, lambda handle: handle.writelines(
                [HEADER, len(meta).to_bytes(_SIZE, "little"), meta, *parts]
            ))
        except Exception:
            pass


def load(data_dir: Path, book, reports):
    """(core.index.Index, the report problems) answering for the report files
    as they are now: from the file when it answers for them; else built from
    `reports()` (every valid report, and the problems it has told already:
    then None) and kept. None where the walk fails (the engine then reads
    the reports as ever)."""
    from lanxi_cli.core import index
    from lanxi_cli.io import locate

    try:
        rels, stamps = locate.walk(data_dir, stat=True)
    except Exception:
        return None
    key = walk_key(data_dir, rels, stamps)
    stored = Stored(data_dir)
    if key is not None and stored.read(key):
        problems = [Problem(*p) for p in stored.problems]
        return index.Index(stored, rows=stored.rows), problems
    found, problems = reports()
    sections = index.build(book, found)
    if key is not None:
        stored.write(key, sections, problems)
    return index.Index(sections), None
