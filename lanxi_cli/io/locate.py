"""Where the data is: the data folder, its files and folders, and paths as a user sees them."""

from __future__ import annotations

import os
from pathlib import Path

from lanxi_cli.errors import DataError

PLAN_FILE = "plan.yaml"
TASKS_FILE = "tasks.yaml"
REPORTS_DIR = "reports"
_SUFFIXES = (".yaml", ".yml")
REVIEWS_DIR = "reviews"
EXTENSIONS_DIR = "extensions"
EXEMPTIONS_DIR = "exemptions"
INDICATORS_DIR = "indicators"
WITHDRAWALS_DIR = "withdrawals"
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


def read_regular(path: str | os.PathLike, limit: int, root: Path | None = None) -> bytes:
    """At most limit + 1 bytes of a regular file. Opened without blocking and
    checked with fstat, so a FIFO or a device (/dev/zero) is refused, never
    waited on or read without end. With `root`, a symlink leading out of it
    is refused. Raises OSError, or ValueError with a sentence for the user."""
    import errno
    import stat

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno != errno.ELOOP:  # ELOOP: the last part is a symlink
            raise
        if root is not None and not inside(os.path.realpath(root), path):
            raise ValueError(f"是指向数据目录之外（{os.path.realpath(path)}）的符号链接，不予读取") from None
        fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("不是普通文件，无法作为数据读取")
        return handle.read(limit + 1)


def scan_reports(data_dir: Path, stat: bool = False, folder: str = REPORTS_DIR) -> list[tuple[str, tuple | None]]:
    """Every YAML file under data/reports/ (or another folder), sub-folders
    included, dot-names skipped, sorted: (its path relative to that folder,
    with stat=True its (size, mtime_ns, ctime_ns, inode), or None where that
    cannot be had). Symlinked folders are not entered; a symlink (file or
    folder) leading out of the data folder is listed with None, so that its
    reader names it and leaves it out. The folder itself must be a folder
    inside the data folder, else a DataError."""
    found: list[tuple[str, tuple | None]] = []
    root = os.fspath(data_dir / folder)
    top = os.path.realpath(data_dir)
    if os.path.lexists(root) and (not os.path.isdir(root) or not inside(top, root)):
        what = "不是目录" if not os.path.isdir(root) else "经符号链接指向数据目录之外"
        raise DataError(f"{display_path(Path(root), data_dir)} {what}，无法从中读取记录；请改正后再试")
    stack = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            link = entry.is_symlink()
            if link and not inside(top, entry.path):
                found.append((prefix + name, None))
            elif entry.is_dir(follow_symlinks=False):
                stack.append((prefix + name + "/", entry.path))  # shown with forward slashes everywhere
            elif name.endswith(_SUFFIXES) and not (link and entry.is_dir()):
                key = None
                if stat:
                    try:
                        st = entry.stat()
                    except OSError:
                        pass
                    else:
                        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                found.append((prefix + name, key))
    found.sort()  # by path: paths are unique, so the stamps are never compared
    return found


def report_files(data_dir: Path, folder: str = REPORTS_DIR) -> list[Path]:
    """Every YAML file under data/reports/ (or another folder), sub-folders included, sorted."""
    return [data_dir / folder / rel for rel, _ in scan_reports(data_dir, folder=folder)]


def reports_shown(data_dir: Path) -> str:
    """How report paths start when shown: reports/ as display_path shows it.
    A report shown as this + "/" + its relative path opens from data_dir.parent."""
    return display_path(data_dir / REPORTS_DIR, data_dir)
