"""Where the data is: the data folder, its files and folders, and paths as a user sees them."""

from __future__ import annotations

import errno
import os
from array import array
from pathlib import Path
from stat import S_ISREG

from lanxi_cli.errors import DataError

PLAN_FILE = "plan.yaml"
TASKS_FILE = "tasks.yaml"
REPORTS_DIR = "reports"
_SUFFIXES = (".yaml", ".yml")
REVIEWS_DIR = "reviews"
EXTENSIONS_DIR = "extensions"
EXEMPTIONS_DIR = "exemptions"
INDICATORS_DIR = "indicators"
MEASURES_DIR = "measures"  # 督办措施 taken (lanxi measure record)
WITHDRAWALS_DIR = "withdrawals"
NOTICES_DIR = "notices"  # 督办通知单 issued, one file each
LIAISONS_FILE = "liaisons.yaml"  # written by `lanxi unit liaison`; overrides plan.yaml's liaisons


def find_data_dir(explicit: str | os.PathLike | None) -> Path:
    """--data or LANXI_DATA, else the nearest data/ holding plan.yaml upwards."""
    if explicit:
        path = Path(explicit)
        if not (path / PLAN_FILE).is_file():
            raise DataError(f"数据目录 {path} 中没有 {PLAN_FILE}")
        return Path(os.path.abspath(path))  # every answer is then the same from any folder
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "data" / PLAN_FILE).is_file():
            return Path(os.path.abspath(folder / "data"))
        if folder.name == "data" and (folder / PLAN_FILE).is_file():
            return Path(os.path.abspath(folder))
    raise DataError(
        f"在 {here} 及其上级目录中找不到含 {PLAN_FILE} 的 data/ 目录；请用 --data 指定或设置 LANXI_DATA"
    )


def display_path(path: Path, data_dir: Path) -> str:
    """A path inside the data folder as every answer shows it: relative to the
    data folder's parent, with forward slashes (data/reports/2020/09/….yaml),
    whatever the current folder; open it as data_dir.parent / this."""
    return Path(os.path.relpath(path, data_dir.parent)).as_posix()


def inside(top: str, path: str | os.PathLike) -> bool:
    """Whether `path`, every symlink resolved, lies inside the folder `top`
    (itself already resolved with os.path.realpath)."""
    real = os.path.realpath(path)
    return real == top or real.startswith(os.path.join(top, ""))


_NOT_REGULAR = "不是普通文件，无法作为数据读取"


def read_regular(path: str | os.PathLike, limit: int, root: os.PathLike | None = None) -> bytes:
    """At most limit + 1 bytes of a regular file, in one open, one fstat and a
    read to the end. Opened without blocking (O_NONBLOCK), so a FIFO never
    waits for a writer, then refused as a FIFO or device is, by its fstat.
    Where O_NONBLOCK is missing (Windows) the path is stat'ed before it is
    opened instead. With `root` (the data folder), a symlink leading out of
    it is refused: the open does not follow a symlink (O_NOFOLLOW), so only a
    symlink costs the check. Raises OSError, or ValueError with a sentence for the user."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    if not nonblock and not S_ISREG(os.stat(path).st_mode):
        raise ValueError(_NOT_REGULAR)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno != errno.ELOOP:  # ELOOP: the last part is a symlink
            raise
        if root is not None and not inside(os.path.realpath(root), path):
            raise ValueError(f"是指向数据目录之外（{os.path.realpath(path)}）的符号链接，不予读取") from None
        fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode):
            raise ValueError(_NOT_REGULAR)
        chunks, got = [], 0
        want = min(st.st_size, limit) + 1  # the whole file at once; a file grown since still stops at limit + 1
        while got <= limit:
            chunk = os.read(fd, min(want, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            want = 1 << 16
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


UNKNOWN = (-1, -1, -1, -1)  # the stamp of a file that could not be stat'ed


def walk(data_dir: Path, folder: str = REPORTS_DIR, stat: bool = False) -> tuple[list[str], array | None]:
    """Every YAML file under data/FOLDER/, sub-folders included, dot-names
    skipped, in the order the folders list them (unsorted, but the same on
    every run while nothing changes): (paths relative to FOLDER, and with
    stat=True their stamps in one array, four to a file: size, mtime_ns,
    ctime_ns, inode; UNKNOWN where a file cannot be stat'ed).

    Symlinked folders are not entered; a symlink (file or folder) leading out
    of the data folder is listed with UNKNOWN, so that its reader names it and
    leaves it out (and the cache never keeps it). FOLDER itself must be a
    folder inside the data folder, else a DataError, never "no records".

    Built for 10⁵ files: no Path objects, and where the platform allows it
    each folder is opened once and its files are stat'ed relative to it
    (os.scandir on a descriptor: fstatat, no path walked again per file);
    elsewhere (Windows) by path. Open folders: one per level of depth."""
    by_fd = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    rels: list[str] = []
    stamps = array("q") if stat else None
    root = os.fspath(data_dir / folder)
    if os.path.islink(root) and not inside(os.path.realpath(data_dir), root):
        raise DataError(f"{display_path(Path(root), data_dir)} 经符号链接指向数据目录之外，"
                        "无法从中读取记录；请改正后再试")
    try:
        if by_fd:
            top = os.open(root, flags)
        elif os.path.isdir(root) or not os.path.lexists(root):
            top = root
        else:
            raise NotADirectoryError(root)
    except FileNotFoundError:
        return rels, stamps
    except NotADirectoryError:
        raise DataError(f"{display_path(Path(root), data_dir)} 不是目录，无法从中读取记录；请改正后再试") from None
    frames = [(top, "", [])]  # (folder: descriptor or path, its prefix, its sub-folders yet to walk)
    try:
        frames[0][2].extend(_list(top, "", rels, stamps, data_dir, root))
        while frames:
            where, prefix, pending = frames[-1]
            if not pending:
                frames.pop()
                if by_fd:
                    os.close(where)
                continue
            name = pending.pop()
            try:
                child = os.open(name, flags, dir_fd=where) if by_fd else os.path.join(where, name)
            except (FileNotFoundError, NotADirectoryError):  # gone since it was listed
                continue
            sub = prefix + name + "/"  # shown with forward slashes everywhere
            frames.append((child, sub, []))  # first, so that it is closed whatever happens next
            frames[-1][2].extend(_list(child, sub, rels, stamps, data_dir, root))
    finally:
        if by_fd:
            for where, _, _ in frames:
                os.close(where)
    return rels, stamps


def _list(where, prefix: str, rels: list[str], stamps: array | None, data_dir: Path, root: str) -> list[str]:
    """One folder (a descriptor or a path): its YAML files added to rels (and
    stamps), its sub-folders' names returned, last first. `root` is
    data/FOLDER as a path, for the rare symlink to be resolved."""
    folders: list[str] = []
    try:
        listing = os.scandir(where)
    except (FileNotFoundError, NotADirectoryError):  # gone, or not a folder: nothing in it
        return folders
    with listing:
        for entry in listing:
            name = entry.name
            if name[0] == ".":
                continue
            if not entry.is_file(follow_symlinks=False):  # a regular file, the common case, needs one check
                link = entry.is_symlink()
                if link and not inside(os.path.realpath(data_dir), os.path.join(root, prefix + name)):
                    rels.append(prefix + name)  # leads outside: its reader names it, nothing counts it
                    if stamps is not None:
                        stamps.extend(UNKNOWN)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(name)
                    continue
                if link and entry.is_dir():  # a symlink to a folder inside: not entered
                    continue
            if name.endswith(_SUFFIXES):
                rels.append(prefix + name)
                if stamps is not None:
                    try:
                        st = entry.stat()
                    except OSError:
                        stamps.extend(UNKNOWN)
                    else:
                        stamps.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    folders.sort(reverse=True)
    return folders


def scan_reports(data_dir: Path, stat: bool = False, folder: str = REPORTS_DIR) -> list[tuple[str, tuple | None]]:
    """Every YAML file under data/reports/ (or another folder), sub-folders
    included, dot-names skipped, sorted: (its path relative to that folder,
    with stat=True its (size, mtime_ns, ctime_ns, inode), or None where that
    cannot be had, or for a symlink leading out of the data folder: see walk)."""
    rels, stamps = walk(data_dir, folder, stat)
    if stamps is None:
        return [(rel, None) for rel in sorted(rels)]
    keys = (tuple(stamps[i : i + 4]) for i in range(0, len(stamps), 4))
    return sorted((rel, None if key == UNKNOWN else key) for rel, key in zip(rels, keys, strict=True))


def report_files(data_dir: Path, folder: str = REPORTS_DIR) -> list[Path]:
    """Every YAML file under data/reports/ (or another folder), sub-folders included, sorted."""
    return [data_dir / folder / rel for rel, _ in scan_reports(data_dir, folder=folder)]


def reports_shown(data_dir: Path) -> str:
    """How report paths start when shown: reports/ as display_path shows it.
    A report shown as this + "/" + its relative path opens from data_dir.parent."""
    return display_path(data_dir / REPORTS_DIR, data_dir)
