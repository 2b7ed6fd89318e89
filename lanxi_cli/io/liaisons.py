"""data/liaisons.yaml: read (every fault named by line) and grown by one entry.

lanxi writes this file, but it is plain YAML in git, and a clerk may well
correct a name in it by hand. So lanxi never regenerates it from what it
read: it appends the new entry after the last byte of the file as it stands
(comments and hand edits kept), writes the whole beside it and renames it
over (a reader never sees half an entry), and refuses to append to a file it
cannot read, such as a hand edit left half-done, rather than guess.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from lanxi_cli.errors import DataError, Problem
from lanxi_cli.io.locate import LIAISONS_FILE, display_path

HEADER = (
    "# 联络员备案，由 lanxi unit liaison 写入：每个单位以最后一条为准，覆盖 plan.yaml 中的联络员。\n"
    "# 可以手工更正；lanxi 只在文件末尾追加新的一条，不改动已有内容。\n"
)


def _text(path: Path, shown: str) -> str | None:
    """The file's text, None when there is none; a symlink or a device is refused."""
    from lanxi_cli.io import load, yamlio

    if path.is_symlink():
        raise DataError.at(shown, None, "是符号链接；lanxi 不经符号链接读写数据目录中的文件")
    if not path.exists():
        return None
    return yamlio.read_text(path, load.MAX_PLAN_BYTES, shown)


def _entries(text: str, shown: str, book) -> tuple[tuple, list[Problem]]:
    from lanxi_cli.core.domain import LiaisonEntry
    from lanxi_cli.core.liaisons import entry_faults
    from lanxi_cli.io import load, yamlio

    data, lines = yamlio.parse(text, shown, lines=True)
    if data is None:  # empty, or comments only
        return (), []
    entries, problems = load.validate(tuple[LiaisonEntry, ...], data, shown, lines)
    problems += yamlio.control_problems(data, shown, lines)
    for i, entry in enumerate(entries or ()):
        for field, message in entry_faults(book, entry):
            problems.append(Problem(shown, yamlio.line_of(lines, (i, field)), f"{i}.{field}: {message}"))
    return (entries or ()), problems


def laid_over(data_dir: Path, book):
    """(the book with data/liaisons.yaml laid over plan.yaml's liaisons, problems)."""
    from lanxi_cli.core.liaisons import overlay

    path = data_dir / LIAISONS_FILE
    shown = display_path(path, data_dir)
    try:
        text = _text(path, shown)
        entries, problems = _entries(text, shown, book) if text is not None else ((), [])
    except DataError as exc:
        return book, exc.problems
    return (book if problems else overlay(book, entries)), problems


def append(data_dir: Path, book, entry) -> Path:
    """Add `entry` (a checked LiaisonEntry) at the end of data/liaisons.yaml; its path."""
    from lanxi_cli.io import load, save, yamlio

    path = data_dir / LIAISONS_FILE
    shown = display_path(path, data_dir)
    with _one_writer(data_dir):
        old = _text(path, shown)
        entries, problems = _entries(old, shown, book) if old is not None else ((), [])
        if problems:
            raise DataError(f"{shown} 有问题，请先修正；没有写入任何内容", problems)
        newline = "\r\n" if old and "\r\n" in old else "\n"
        lines = yamlio.record_document(entry).splitlines()
        item = "".join(f"{'- ' if i == 0 else '  '}{line}{newline}" for i, line in enumerate(lines))
        head = HEADER.replace("\n", newline) if old is None else old
        if head and not head.endswith("\n"):
            head += newline
        text = head + item
        try:
            after, problems = _entries(text, shown, book)
        except DataError:  # the old text ends in a way the new entry cannot follow
            after, problems = (), ["unreadable"]
        if problems or len(after) != len(entries) + 1 or after[-1] != entry:
            raise DataError.at(shown, None, "文件末尾的写法无法接着追加（应为每条以“- ”开头的列表）；没有写入任何内容")
        save.refuse_unsafe(data_dir, text, load.MAX_PLAN_BYTES, "联络员备案")  # as every writer: size, git state
        save.write_replace(path, lambda handle: handle.write(text.encode("utf-8")))
    return path


@contextlib.contextmanager
def _one_writer(data_dir: Path):
    """Two `unit liaison` at once would each append to the same old text and
    the second rename would drop the first entry: they take turns on an OS lock
    held on the data folder itself (no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock, as for the git index
        yield
        return
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
