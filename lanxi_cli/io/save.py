"""Writing: new record files created exclusively and atomically, outputs
replaced whole, never a half-written file."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from lanxi_cli.errors import DataError, os_reason
from lanxi_cli.io.locate import REPORTS_DIR, display_path
from lanxi_cli.io.process import alive, signals_deferred

_TMP_NAME_BYTES = 120  # of the target's name kept in a temporary's: its name stays under NAME_MAX
_TMP = re.compile(r"\..*\.(\d+)\.tmp")  # our temporaries: .NAME.PID.tmp


def temporary_name(path: Path) -> str:
    """`.NAME.PID.tmp` beside `path`; NAME cut short where `path`'s own name is long."""
    name = os.fsencode(path.name)[:_TMP_NAME_BYTES].decode("utf-8", "ignore")
    return f".{name}.{os.getpid()}.tmp"


def _sweep(folder: Path) -> None:
    """Remove temporaries of our naming left by a process that no longer runs
    (kill -9, a power cut): the next write into the folder tidies it."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(".")]
    except OSError:
        return
    for name in names:
        match = _TMP.fullmatch(name)
        if match and int(match[1]) != os.getpid() and not alive(int(match[1])):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


@contextlib.contextmanager
def whole_beside(path: Path, write):
    """A temporary file beside `path`, holding what `write(binary_file)` wrote,
    flushed to disk; removed afterwards whatever happens. SIGTERM is held off
    meanwhile; stale temporaries of dead processes are swept first."""
    _sweep(path.parent)
    tmp = path.with_name(temporary_name(path))
    with signals_deferred():
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    """Make a new name in `folder` survive a power cut (where the system allows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_new(path: Path, text: str) -> None:
    """Create `path` holding `text`, never overwriting and never half-written.

    The text goes to a temporary file in the same folder, is flushed to disk,
    and is then hard-linked to its name (which fails if the name exists) —
    so a reader sees either no file or the whole file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with whole_beside(path, lambda handle: handle.write(text.encode("utf-8"))) as tmp:
        try:
            os.link(tmp, path)
        except (AttributeError, NotImplementedError, PermissionError):
            # No hard links here: rename, after a last exclusive check.
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(tmp, path)
    sync_folder(path.parent)


def check_output(path: Path, suffixes: dict[str, str]) -> str:
    """The kind of output `path` asks for, by its suffix; a UsageError if it cannot be written."""
    from lanxi_cli.errors import UsageError

    kind = suffixes.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"输出文件“{path}”的扩展名应为 {'、'.join(suffixes)} 之一")
    try:
        if path.is_dir():
            raise UsageError(f"输出文件“{path}”是一个目录")
        if not path.parent.is_dir():
            raise UsageError(f"输出文件“{path}”所在的目录不存在")
    except OSError as exc:  # a name too long for the file system, a loop of links
        raise UsageError(f"输出文件“{path}”无法使用（{os_reason(exc)}）") from None
    return kind


def write_replace(path: Path, write) -> None:
    """Write the file `path` through `write(binary_file)`, replacing it whole.

    A reader sees the old file or the new one, never a half-written one, and a
    failure leaves no temporary file behind; it is a DataError naming the file.
    """
    try:
        with whole_beside(path, write) as tmp:
            os.replace(tmp, path)
    except OSError as exc:
        raise DataError.at(str(path), None, f"无法写入（{os_reason(exc)}），原文件未改动") from None




def record_path(data_dir: Path, folder: str, record, name: tuple[str, ...], suffix: str) -> Path:
    """data/FOLDER/YYYY/MM/DATE-<name parts>-<suffix>.yaml: readable, never reused."""
    day = record.date
    stem = "-".join((day.isoformat(), *name, suffix))
    return data_dir / folder / f"{day.year:04d}" / f"{day.month:02d}" / f"{stem}.yaml"


def save_report(data_dir: Path, report, repository_checked: bool = False) -> Path:
    """Write a new report file (exclusive, atomic) and return its path; a
    旬报 alone is named 旬报 where a task's id would be."""
    from lanxi_cli.core.domain import PROGRESS_REPORT

    return save_record(data_dir, REPORTS_DIR, report, report.unit, report.task or PROGRESS_REPORT,
                       repository_checked=repository_checked)


def save_reports(data_dir: Path, reports: list) -> list[Path]:
    """Write every report of one import, or none: a failure part-way removes the
    files this call made (new, uncommitted, ours) before the error goes on. The
    repository is checked once (refuse_unsafe), not once a report: one git call, not a thousand."""
    from lanxi_cli.io import gitio

    gitio.refuse_unfinished(data_dir)
    written: list[Path] = []
    try:
        for report in reports:
            written.append(save_report(data_dir, report, repository_checked=True))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def save_new(data_dir: Path, text: str, name) -> Path:
    """Write `text` to a new file at `name(random suffix)`, never overwriting; its path.
    The folder must lie inside the data folder, symlinks resolved (see inside_folder)."""
    path = name(os.urandom(3).hex())
    inside_folder(data_dir, path.parent)
    for _ in range(20):
        try:
            write_new(path, text)
            return path
        except FileExistsError:
            path = name(os.urandom(3).hex())
            continue
        except OSError as exc:  # a full disk, a read-only folder: write_new left nothing behind
            raise DataError(f"无法写入 {display_path(path, data_dir)}（{os_reason(exc)}），未保存任何内容") from None
    raise DataError(f"无法取得新的文件名：{path.parent}")


def _make_folder(data_dir: Path, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"无法创建目录 {display_path(folder, data_dir)}（{os_reason(exc)}），未保存任何内容") from None


def inside_folder(data_dir: Path, folder: Path) -> None:
    """Make `folder` (under `data_dir`) if need be, refusing where a symlink on
    the way leads out of the data folder: nothing is written outside it. The
    deepest existing part is checked before anything is made, the whole
    folder again after."""
    from lanxi_cli.io.locate import inside

    top = os.path.realpath(data_dir)
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if inside(top, existing):
        _make_folder(data_dir, folder)
        if inside(top, folder):
            return
    raise DataError(f"{display_path(folder, data_dir)} 经符号链接指向数据目录 {data_dir} 之外，"
                    "拒绝写入；没有写入任何内容")


def refuse_unsafe(data_dir: Path, text: str, limit: int | None = None, what: str = "记录",
                  repository_checked: bool = False) -> None:
    """What every writer into the data folder checks before writing anything:
    `text` no larger than its readers accept (`limit`, a record's by default),
    and a data repository not in the middle of a merge, rebase… (gitio.refuse_unfinished)."""
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import gitio
    from lanxi_cli.io.document import MAX_REPORT_BYTES

    limit = limit or MAX_REPORT_BYTES
    size = len(text.encode("utf-8"))
    if size > limit:
        raise UsageError(f"{what}过大（{size // 1024} KB，上限 {limit // 1024} KB，"
                         "超过的文件无法读回）；请精简说明或佐证，没有写入任何内容")
    if not repository_checked:
        gitio.refuse_unfinished(data_dir)


def save_record(data_dir: Path, folder: str, record, *name: str, repository_checked: bool = False) -> Path:
    """Write a report, review, extension, exemption or indicator value as a new file under
    data/FOLDER/YYYY/MM/ (see record_path); exclusive and atomic, and only
    inside the data folder. Refused before anything is written: text the
    loader would refuse (control and bidi characters, a file over its size
    limit), and a data repository in the middle of a merge or rebase."""
    from lanxi_cli.core.domain import CONTROL, stored_fields
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import yamlio

    for key in stored_fields(type(record)):
        values = getattr(record, key)
        for value in values if isinstance(values, tuple) else (values,):
            bad = CONTROL.search(value) if isinstance(value, str) else None
            if bad:
                raise UsageError(f"{key} 含有控制字符（U+{ord(bad[0]):04X}），请删去；没有写入任何内容")
    text = yamlio.record_document(record)
    refuse_unsafe(data_dir, text, repository_checked=repository_checked)
    return save_new(data_dir, text, lambda suffix: record_path(data_dir, folder, record, name, suffix))
