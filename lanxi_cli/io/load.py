"""Reading: plan, tasks and every record file, validated into domain objects,
with every problem named by file and line. YAML itself is `yamlio`'s job,
imported only where a file is actually parsed."""

from __future__ import annotations

import os
from pathlib import Path

from lanxi_cli.errors import DataError, Problem
from lanxi_cli.io import document
from lanxi_cli.io.document import MAX_PLAN_BYTES, MAX_REPORT_BYTES, load_document, validate
from lanxi_cli.io.locate import (
    EXEMPTIONS_DIR,
    EXTENSIONS_DIR,
    INDICATORS_DIR,
    MEASURES_DIR,
    NOTICES_DIR,
    PLAN_FILE,
    RECEIPTS_DIR,
    REMOVALS_DIR,
    REPORTS_DIR,
    REVIEWS_DIR,
    TASKS_FILE,
    WITHDRAWALS_DIR,
    display_path,
    scan_reports,
)


def load_book(data_dir: Path, skipped: list | None = None):
    """plan.yaml + tasks.yaml (+ the liaisons recorded) → a cross-checked Book,
    or DataError listing every problem; a liaison record file left out for its
    problems has them added to `skipped`."""
    from lanxi_cli.core.book import Book
    from lanxi_cli.core.domain import Plan, Task
    from lanxi_cli.io import yamlio

    files = {
        "plan": (data_dir / PLAN_FILE, Plan),
        "tasks": (data_dir / TASKS_FILE, tuple[Task, ...]),
    }
    loaded, lines, shown, problems = {}, {}, {}, []
    for key, (path, kind) in files.items():
        shown[key] = display_path(path, data_dir)
        loaded[key], lines[key], found = load_document(path, kind, MAX_PLAN_BYTES, shown[key], data_dir)
        problems += found
    if not problems:
        book, faults = Book.build(loaded["plan"], loaded["tasks"])
        problems = [
            Problem(shown[f.file], yamlio.line_of(lines[f.file], f.path), f"{yamlio.dotted(f.path)}: {f.message}")
            for f in faults
        ]
    if not problems:
        from lanxi_cli.io import liaisons

        book, problems = liaisons.laid_over(data_dir, book, skipped)  # the liaisons recorded override plan.yaml's
    if problems:
        raise DataError(f"计划数据有 {len(problems)} 处问题，请先修正", problems)
    return book


def obsolete_problems(data_dir: Path, book) -> list[Problem]:
    """The keys plan.yaml still sets that lanxi no longer reads (book.OBSOLETE),
    each named with its replacement, for `check` alone: queries ignore them."""
    from lanxi_cli.core.book import obsolete_keys
    from lanxi_cli.io import yamlio

    faults = obsolete_keys(book.plan)
    if not faults:
        return []
    path = data_dir / PLAN_FILE
    shown = display_path(path, data_dir)
    _data, lines = yamlio.parse(yamlio.read_text(path, MAX_PLAN_BYTES, shown, data_dir), shown, lines=True)
    return [Problem(shown, yamlio.line_of(lines, f.path), f"{yamlio.dotted(f.path)}: {f.message}") for f in faults]


def placed(data_dir: Path, faults) -> list[Problem]:
    """Book faults found after loading (Book.empty_groups) as FILE:LINE problems."""
    from lanxi_cli.io import yamlio

    problems, lines = [], {}
    for fault in faults:
        path = data_dir / {"plan": PLAN_FILE, "tasks": TASKS_FILE}[fault.file]
        if fault.file not in lines:
            lines[fault.file] = yamlio.parse(yamlio.read_text(path, MAX_PLAN_BYTES, None, data_dir), str(path),
                                             lines=True)[1]
        problems.append(Problem(display_path(path, data_dir), yamlio.line_of(lines[fault.file], fault.path),
                                f"{yamlio.dotted(fault.path)}: {fault.message}"))
    return problems


_CHUNK = 1000  # files validated in one pydantic call; bounds the memory held


def _read_chunk(files: list[str], base: str, root: Path | None, cls, problems_of) -> list[tuple[object, list]]:
    """Files read and parsed one by one, the sound ones validated as `cls` in
    one pydantic call; a file with a problem goes to problems_of(text, file)."""
    from pydantic import ValidationError

    from lanxi_cli.io import yamlio

    results: list = [None] * len(files)
    batch: list[tuple[int, str, dict]] = []
    for i, file in enumerate(files):
        try:
            text = yamlio.read_text(os.path.join(base, file), MAX_REPORT_BYTES, file, root)  # no Path per file
            data = yamlio.parse(text, file)
        except DataError as exc:
            results[i] = (None, exc.problems)
            continue
        controls = yamlio.may_hold_controls(text) and yamlio.control_problems(data, file, {})
        if isinstance(data, dict) and "file" not in data and not controls:
            batch.append((i, text, {**data, "file": file}))  # `file` is set by the loader, not the file
        else:
            results[i] = problems_of(text, file)
    while batch:
        try:
            reports = document.adapter(list[cls]).validate_python([data for _, _, data in batch])
        except ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors()}
            for i, text, _ in (b for n, b in enumerate(batch) if n in bad):
                results[i] = problems_of(text, files[i])
            batch = [b for n, b in enumerate(batch) if n not in bad]
            continue
        for (i, _, _), report in zip(batch, reports, strict=True):
            results[i] = (report, [])
        break
    return results


def _report_problems(text: str, file: str) -> tuple[object, list[Problem]]:
    """A report file known to have a problem → (None, its problems), or
    (the report, problems) where only its text values hold control characters
    (then place_reports names its faults against the book first, as place_records does)."""
    from lanxi_cli.core.domain import Report
    from lanxi_cli.io import yamlio

    data, lines = yamlio.parse(text, file, lines=True)
    reserved = isinstance(data, dict) and "file" in data
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "file"}
    controls = yamlio.control_problems(data, file, lines)
    report, problems = validate(Report, {**data, "file": file} if isinstance(data, dict) else data, file, lines)
    if reserved:
        problems.append(Problem(file, yamlio.line_of(lines, ("file",)), "file: 未知字段"))
    return (report if not problems else None), problems + controls


def fault_problems(file: str, base: str, faults: list[tuple[str, str]]) -> list[Problem]:
    """A valid report's broken references to the book, each at its line."""
    from lanxi_cli.io import yamlio

    try:
        _, lines = yamlio.parse(yamlio.read_text(Path(base, file), MAX_REPORT_BYTES, file), file, lines=True)
    except DataError as exc:  # changed or gone since it was read
        return exc.problems
    return [Problem(file, yamlio.line_of(lines, (f,)), f"{f}: {m}") for f, m in faults]


def place_reports(book, items, base: str) -> tuple[list, list[Problem]]:
    """[(file, Report or None, problems)] → (every report checked against the
    book, with its canonical unit; a problem for each file left out)."""
    from dataclasses import replace

    from lanxi_cli.core.book import report_faults

    reports, problems = [], []
    checked: dict[tuple, tuple] = {}  # (task, unit, period, part, early) → (canonical unit, period, faults)
    start = book.plan.campaign.start
    for file, report, found in items:
        if report is None:
            problems += found
            continue
        key = (report.task, report.unit, report.period, report.part, report.date < start)
        known = checked.get(key) if report.task is not None else None  # a 旬报's faults are its own
        if known is None:
            placed, faults = report_faults(book, report)
            known = (placed.unit, placed.period, faults)
            if report.task is not None:
                checked[key] = known
        unit, period, faults = known
        if faults or found:
            problems += (fault_problems(file, base, faults) if faults else []) + found
        elif (unit, period) == (report.unit, report.period):
            reports.append(report)
        else:
            reports.append(replace(report, unit=unit, period=period))
    return reports, problems



# ---- every record kind: read from its file alone, then checked -------------------------


def record_class(kind: str):
    """The domain class of the records in the folder `kind` (reports, reviews …)."""
    from lanxi_cli.core import domain

    return getattr(domain, _CLASSES[kind])


_CLASSES = {
    REPORTS_DIR: "Report", REVIEWS_DIR: "Review", EXTENSIONS_DIR: "Extension",
    EXEMPTIONS_DIR: "Exemption", INDICATORS_DIR: "IndicatorValue", WITHDRAWALS_DIR: "Withdrawal",
    NOTICES_DIR: "Notice",
    MEASURES_DIR: "MeasureTaken",
    REMOVALS_DIR: "EvidenceRemoval", RECEIPTS_DIR: "Acknowledgement",
}
KINDS = tuple(_CLASSES)


def record_faults(kind: str, book, subjects=None):
    """A record of `kind` (not a report) → (the record made canonical, [(field, message)]):
    its check against the book, for a review against `subjects` too (the
    records it may name, by id: anything with .get). Whether a withdrawal's subject exists is
    core.corrections' question: it needs every record."""
    from dataclasses import replace
    from functools import partial

    from lanxi_cli.core.domain import id_of

    if kind == EXTENSIONS_DIR:
        from lanxi_cli.core.reviews import extension_faults

        return partial(extension_faults, book)
    if kind == EXEMPTIONS_DIR:
        from lanxi_cli.core.reviews import exemption_faults

        return partial(exemption_faults, book)
    if kind == INDICATORS_DIR:
        from lanxi_cli.core.goals import indicator_faults

        return partial(indicator_faults, book)
    if kind == NOTICES_DIR:
        return partial(notice_faults, book)
    if kind == MEASURES_DIR:
        from lanxi_cli.core.measures import measure_faults

        return partial(measure_faults, book)
    if kind == WITHDRAWALS_DIR:
        return lambda w: (replace(w, subject=id_of(w.subject)), [])
    if kind == REMOVALS_DIR:
        return lambda r: (r, [])
    if kind == RECEIPTS_DIR:
        from lanxi_cli.core.receipts import receipt_faults

        return partial(receipt_faults, book)
    if kind == REVIEWS_DIR:
        from lanxi_cli.core.reviews import review_faults

        return partial(review_faults, book, subjects=subjects)
    raise ValueError(kind)


def read_record(path: str | os.PathLike, kind, file: str, root: Path | None = None):
    """One small record file (a review, extension, indicator value …) → (the
    record as written, validated, `file` set; the problems found in the file
    alone). A valid record may come with problems (control characters, a
    `file` key: set by the loader, never by the file); it is then left out,
    after its faults are named (place_records). The book is not consulted."""
    from dataclasses import replace

    from lanxi_cli.io import yamlio

    try:
        text = yamlio.read_text(path, MAX_REPORT_BYTES, file, root)
        data = yamlio.parse(text, file)
    except DataError as exc:
        return None, exc.problems
    reserved = isinstance(data, dict) and "file" in data
    record, problems = validate(kind, data, file, None)
    controls = yamlio.may_hold_controls(text) and yamlio.control_problems(data, file, {})
    if problems or reserved or controls:
        data, lines = yamlio.parse(text, file, lines=True)
        if problems:
            problems = validate(kind, data, file, lines)[1]
        if reserved:
            problems.append(Problem(file, yamlio.line_of(lines, ("file",)), "file: 未知字段"))
        problems += yamlio.control_problems(data, file, lines)
    return (None if record is None else replace(record, file=file)), problems


def read_records(kind: str, files: list[str], base: str, root: Path | None = None) -> list:
    """Files of the folder `kind` (named as shown, relative to `base`, the
    data folder's parent) → for each, (record as written, `file` set, or None;
    problems). The book is not consulted (see place_records), so each answer
    depends on its file alone. The sound files are validated in batches; one
    with a problem again on its own (_report_problems for a report, else
    read_record), for its lines. With `root` (the data folder), a symlink
    leading out of it is refused."""
    cls = record_class(kind)
    if kind == REPORTS_DIR:
        problems_of = _report_problems
    else:
        def problems_of(text: str, file: str):
            return read_record(os.path.join(base, file), cls, file, root)

    results: list = []
    for start in range(0, len(files), _CHUNK):
        results += _read_chunk(files[start : start + _CHUNK], base, root, cls, problems_of)
    return results


def place_records(kind: str, book, items, base: str, subjects=None) -> tuple[list, list[Problem]]:
    """[(file, record as written or None, problems)] of the folder `kind` → (every
    valid record checked and made canonical; a problem for each file left out,
    its faults first, at their lines). Reports: place_reports."""
    if kind == REPORTS_DIR:
        return place_reports(book, items, base)
    faults = record_faults(kind, book, subjects)
    records, problems = [], []
    for file, record, found in items:
        if record is None:
            problems += found
            continue
        placed, wrong = faults(record)
        if wrong or found:
            problems += (fault_problems(file, base, wrong) if wrong else []) + found
        else:
            records.append(placed)
    return records, problems


def load_folder(data_dir: Path, kind: str, book, subjects=None) -> tuple[list, list[Problem]]:
    """Every valid record under data/KIND/ in file order, and a problem for each
    file left out. Always from the files themselves (`lanxi check` relies on
    it); cache.py has the warm path, with the same answers."""
    from lanxi_cli.io.gc_pause import loading

    shown, base = display_path(data_dir / kind, data_dir), os.fspath(data_dir.parent)
    files = [f"{shown}/{rel}" for rel, _ in scan_reports(data_dir, folder=kind)]
    with loading():
        found = read_records(kind, files, base, data_dir)
        items = [(file, *result) for file, result in zip(files, found, strict=True)]
        return place_records(kind, book, items, base, subjects)


def load_reports(data_dir: Path, book) -> tuple[list, list[Problem]]:
    """Every valid report, and a problem for each file left out."""
    return load_folder(data_dir, REPORTS_DIR, book)


def notice_faults(book, notice):
    """A 督办通知单 record made canonical: its unit by its canonical name, else the fault."""
    from dataclasses import replace

    unit = book.canonical(notice.unit)
    return (replace(notice, unit=unit), []) if unit else (notice, [("unit", f"未知单位“{notice.unit}”")])
