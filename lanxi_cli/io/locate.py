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


def scan_reports(data_dir: Path, stat: bool = False, folder: str = REPORTS_DIR) -> list[tuple[str, tuple | None]]:
    """Every YAML file under data/reports/ (or another folder), sub-folders
    included, dot-names skipped, sorted: (its path relative to that folder,
    with stat=True its (size, mtime_ns, ctime_ns, inode), or None where that
    cannot be had)."""
    found: list[tuple[str, tuple | None]] = []
    stack = [("", os.fspath(data_dir / folder))]
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
            if entry.is_dir(follow_symlinks=False):
                stack.append((prefix + name + "/", entry.path))  # shown with forward slashes everywhere
            elif name.endswith(_SUFFIXES):
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
