"""Writing: new record files created exclusively and atomically, outputs
replaced whole, never a half-written file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from lanxi_cli.errors import DataError, os_reason
from lanxi_cli.io.locate import REPORTS_DIR, display_path


@contextlib.contextmanager
def _whole_beside(path: Path, write):
    """A temporary file beside `path`, holding what `write(binary_file)` wrote,
    flushed to disk; removed afterwards whatever happens."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
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
    with _whole_beside(path, lambda handle: handle.write(text.encode("utf-8"))) as tmp:
        try:
            os.link(tmp, path)
        except (AttributeError, NotImplementedError, PermissionError):
            # No hard links here: rename, after a last exclusive check.
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(tmp, path)
    _sync_folder(path.parent)


def check_output(path: Path, suffixes: dict[str, str]) -> str:
    """The kind of output `path` asks for, by its suffix; a UsageError if it cannot be written."""
    from lanxi_cli.errors import UsageError

    kind = suffixes.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"输出文件“{path}”的扩展名应为 {'、'.join(suffixes)} 之一")
    if path.is_dir():
        raise UsageError(f"输出文件“{path}”是一个目录")
    if not path.parent.is_dir():
        raise UsageError(f"输出文件“{path}”所在的目录不存在")
    return kind


def write_replace(path: Path, write) -> None:
    """Write the file `path` through `write(binary_file)`, replacing it whole.

    A reader sees the old file or the new one, never a half-written one, and a
    failure leaves no temporary file behind; it is a DataError naming the file.
    """
    try:
        with _whole_beside(path, write) as tmp:
            os.replace(tmp, path)
    except OSError as exc:
        raise DataError.at(str(path), None, f"无法写入（{os_reason(exc)}），原文件未改动") from None




def record_path(data_dir: Path, folder: str, record, name: tuple[str, ...], suffix: str) -> Path:
    """data/FOLDER/YYYY/MM/DATE-<name parts>-<suffix>.yaml: readable, never reused."""
    day = record.date
    stem = "-".join((day.isoformat(), *name, suffix))
    return data_dir / folder / f"{day.year:04d}" / f"{day.month:02d}" / f"{stem}.yaml"


def save_report(data_dir: Path, report) -> Path:
    """Write a new report file (exclusive, atomic) and return its path."""
    return save_record(data_dir, REPORTS_DIR, report, report.unit, report.task)


def save_new(data_dir: Path, text: str, name) -> Path:
    """Write `text` to a new file at `name(random suffix)`, never overwriting; its path."""
    for _ in range(20):
        path = name(os.urandom(3).hex())
        try:
            write_new(path, text)
            return path
        except FileExistsError:
            continue
        except OSError as exc:  # a full disk, a read-only folder: write_new left nothing behind
            raise DataError(f"无法写入 {display_path(path, data_dir)}（{os_reason(exc)}），未保存任何内容") from None
    raise DataError(f"无法取得新的文件名：{path.parent}")










def save_record(data_dir: Path, folder: str, record, *name: str) -> Path:
    """Write a report, review, extension, exemption or indicator value as a new file under
    data/FOLDER/YYYY/MM/ (see record_path); exclusive and atomic. Text the
    loader would refuse (control characters) is refused here, before writing."""
    from lanxi_cli.core.domain import stored_fields
    from lanxi_cli.errors import UsageError
    from lanxi_cli.io import yamlio

    for key in stored_fields(type(record)):
        values = getattr(record, key)
        for value in values if isinstance(values, tuple) else (values,):
            bad = yamlio.CONTROL.search(value) if isinstance(value, str) else None
            if bad:
                raise UsageError(f"{key} 含有控制字符（U+{ord(bad[0]):04X}），请删去；没有写入任何内容")
    text = yamlio.record_document(record)
    return save_new(data_dir, text, lambda suffix: record_path(data_dir, folder, record, name, suffix))
