"""Liaisons recorded by `lanxi unit liaison`: one record file each under
data/liaisons/ (like reports: two offices recording at once never conflict
on sync), and data/liaisons.yaml, the list earlier versions appended to,
still read (every fault named by line) and never written again.
"""

from __future__ import annotations

from pathlib import Path

from lanxi_cli.errors import DataError, Problem
from lanxi_cli.io.locate import LIAISONS_DIR, LIAISONS_FILE, display_path


def _text(path: Path, shown: str) -> str | None:
    """The file's text, None when there is none; a symlink or a device is refused."""
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.document import MAX_PLAN_BYTES

    if path.is_symlink():
        raise DataError.at(shown, None, "是符号链接；lanxi 不经符号链接读写数据目录中的文件")
    if not path.exists():
        return None
    return yamlio.read_text(path, MAX_PLAN_BYTES, shown)


def _entries(text: str, shown: str, book) -> tuple[tuple, list[Problem]]:
    from lanxi_cli.core.domain import LiaisonEntry
    from lanxi_cli.core.liaisons import entry_faults
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.document import validate

    data, lines = yamlio.parse(text, shown, lines=True)
    if data is None:  # empty, or comments only
        return (), []
    entries, problems = validate(tuple[LiaisonEntry, ...], data, shown, lines)
    problems += yamlio.control_problems(data, shown, lines)
    for i, entry in enumerate(entries or ()):
        for field, message in entry_faults(book, entry):
            problems.append(Problem(shown, yamlio.line_of(lines, (i, field)), f"{i}.{field}: {message}"))
    return (entries or ()), problems


def laid_over(data_dir: Path, book, skipped: list | None = None):
    """(the book with the liaisons recorded laid over plan.yaml's, problems):
    data/liaisons.yaml over plan.yaml, and the records under data/liaisons/
    over both, the newest by `recorded` last (ties by id). A fault in
    liaisons.yaml is a problem of the plan; a bad record file is left out and
    its problems go to `skipped`, as a bad report's would."""
    from lanxi_cli.core.liaisons import overlay

    path = data_dir / LIAISONS_FILE
    shown = display_path(path, data_dir)
    try:
        text = _text(path, shown)
        entries, problems = _entries(text, shown, book) if text is not None else ((), [])
    except DataError as exc:
        return book, exc.problems
    if problems:
        return book, problems
    records, bad = read_records(data_dir, book)
    if skipped is not None:
        skipped += bad
    return overlay(book, (*entries, *records)), []


def read_records(data_dir: Path, book) -> tuple[list, list[Problem]]:
    """The sound liaison records under data/liaisons/, oldest first (by
    `recorded`, then id), and the problems of the others."""
    from lanxi_cli.core.domain import LiaisonRecord
    from lanxi_cli.core.liaisons import entry_faults
    from lanxi_cli.io import locate, yamlio
    from lanxi_cli.io.document import MAX_REPORT_BYTES, load_document

    found, problems = [], []
    try:
        files = locate.scan_reports(data_dir, folder=LIAISONS_DIR)
    except DataError as exc:
        return [], exc.problems
    base = data_dir / LIAISONS_DIR
    for rel, _ in files:
        path = base / rel
        shown = display_path(path, data_dir)
        record, lines, faults = load_document(path, LiaisonRecord, MAX_REPORT_BYTES, shown, data_dir)
        if record is not None and not faults:
            faults = [Problem(shown, yamlio.line_of(lines, (field,)), f"{field}: {message}")
                      for field, message in entry_faults(book, record)]
        if faults:
            problems += faults
        else:
            from dataclasses import replace

            found.append(replace(record, file=shown))
    found.sort(key=lambda r: (_instant(r.recorded), r.id))
    return found, problems


def _instant(recorded: str):
    """A record's `recorded` time as a moment (two offices' clocks may differ in offset); the earliest if unreadable."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(recorded)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def save(data_dir: Path, record) -> Path:
    """Write a new liaison record (exclusive, atomic) under data/liaisons/; its path."""
    from lanxi_cli.io import save as saving

    return saving.save_record(data_dir, LIAISONS_DIR, record, record.unit)
