"""The county's towns file, and where each town's data folder is.

`towns: [{name, data}]`: `data` is a folder (relative to the towns file's
own folder), holding `data/plan.yaml` or `plan.yaml` itself; a git address,
cloned or fetched into the machine-local cache (never into a work tree) by
sync.mirror; or a `.zip` of a town's repository (a copy brought on a USB
stick), unpacked into the cache again whenever the archive changes. An
archive is refused whole, before anything is unpacked, where an entry names
a path outside it (`..`, an absolute path), is a link or a device, or where
it is past the limits below. Of its `.git` only what names the last commit
is unpacked (HEAD, refs, objects): never a configuration or a hook, so
reading the day of that commit runs nothing the archive brought. A town's
evidence (data/evidence/) is never copied, from a server or an archive.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

from lanxi_cli.errors import DataError, Problem
from lanxi_cli.io.locate import PLAN_FILE

MAX_BYTES = 1024 * 1024
# An archive is refused past these: a town's copy with 10k reports and its history is some
# tens of megabytes in some tens of thousands of files.
ZIP_MAX_ENTRIES = 200_000
ZIP_MAX_BYTES = 2 * 1024**3  # unpacked, all entries together
_GIT_KEPT = re.compile(r"^(HEAD|packed-refs|shallow|refs/.+|objects/(pack/[^/]+|[0-9a-f]{2}/[0-9a-f]{38,62}))$")


def load_towns(path: Path):
    """The towns file `path`, validated (core.county.Towns); a DataError names each problem by line."""
    from lanxi_cli.core.county import Towns
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.document import load_document

    file = path.as_posix()  # as the user typed it: it lies outside every data folder
    towns, lines, problems = load_document(path, Towns, MAX_BYTES, file)
    if not problems:
        seen: set[str] = set()
        for i, town in enumerate(towns.towns):
            if town.name in seen:
                problems.append(Problem(file, yamlio.line_of(lines, ("towns", i, "name")), f"镇名“{town.name}”重复"))
            seen.add(town.name)
        weights = towns.rank
        if weights.rate + weights.on_time_rate + weights.overdue_share <= 0:
            problems.append(Problem(file, yamlio.line_of(lines, ("rank",)),
                                    "rank: 权重（rate、on_time_rate、overdue_share）至少有一项大于 0"))
    if problems:
        raise DataError(f"镇清单 {file} 有 {len(problems)} 处问题", problems)
    return towns


def data_folder(source: str, base: Path) -> tuple[Path, str | None, dt.date | None]:
    """A town's data folder (holding plan.yaml), a warning, if any, and the
    day of the copy's last commit (None outside git): a git address is
    brought up to date in the cache first, an archive unpacked there."""
    from lanxi_cli.io import sync
    from lanxi_cli.io.locate import cache_root

    warning, git_dir = None, None
    if sync.is_url(source):
        folder, warning = sync.mirror(source, cache_root() / "towns")
        git_dir = folder / ".git"
    else:
        folder = Path(source).expanduser()
        folder = folder if folder.is_absolute() else base / folder
        if folder.suffix.lower() == ".zip" and not folder.is_dir():
            folder, git_dir = unpack(folder, cache_root() / "towns", source)
    for candidate in (folder / "data", folder):
        if (candidate / PLAN_FILE).is_file():
            return candidate, warning, last_commit(candidate, git_dir)
    raise DataError(f"{source} 中没有 data/{PLAN_FILE}（也没有 {PLAN_FILE}）")


def last_commit(folder: Path, git_dir: Path | None = None) -> dt.date | None:
    """The day of the last commit that touched `folder` (in its repository, or in `git_dir`):
    a town's folder inside a larger repository is dated by its own commits."""
    from lanxi_cli.io import gitio

    args = ["log", "-1", "--format=%cs", "HEAD", "--", "."]
    try:
        result = gitio._git([f"--git-dir={git_dir}", *args] if git_dir else args, folder)
    except gitio.GitError:
        return None
    try:
        return dt.date.fromisoformat(result.stdout.strip()) if result.returncode == 0 else None
    except ValueError:
        return None


# ---- a town's copy as a .zip ----------------------------------------------------------------------


def unpack(archive: Path, root: Path, shown: str) -> tuple[Path, Path | None]:
    """The folder `archive` unpacks to under `root` (the cache), unpacked
    again only when the archive changed, and its git folder (None without
    one). Raises DataError naming the archive and why it is refused."""
    import hashlib
    import random
    import shutil
    import zipfile

    from lanxi_cli.errors import os_reason

    try:
        stat = archive.stat()
        if not archive.is_file():
            raise DataError(f"{shown} 不是文件")
        folder = root / ("zip-" + hashlib.blake2b(str(archive.resolve()).encode(), digest_size=8).hexdigest())
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        if (folder / ".stamp").is_file() and (folder / ".stamp").read_text(encoding="utf-8") == stamp:
            return _top(folder / "copy")
        with zipfile.ZipFile(archive) as book:
            entries = _checked(book, shown)
            scratch = folder.with_name(folder.name + f".{random.getrandbits(32):08x}.tmp")
            try:
                for info, target in entries:
                    path = scratch / "copy" / target
                    if info.is_dir():
                        path.mkdir(parents=True, exist_ok=True)
                        continue
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with book.open(info) as source, open(path, "xb") as out:  # exclusive: no entry twice
                        shutil.copyfileobj(source, out)
                (scratch / ".stamp").write_text(stamp, encoding="utf-8")
                shutil.rmtree(folder, ignore_errors=True)
                try:
                    scratch.rename(folder)
                except OSError:  # another run unpacked it first: theirs serves if it is of this archive
                    if not (folder / ".stamp").is_file() or (folder / ".stamp").read_text(encoding="utf-8") != stamp:
                        raise
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    except FileNotFoundError:
        raise DataError(f"找不到压缩包 {shown}") from None
    except FileExistsError as exc:
        raise DataError(f"压缩包 {shown} 中有重复的文件“{Path(exc.filename).name}”，拒绝解压") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError) as exc:
        raise DataError(f"压缩包 {shown} 已损坏或无法读取（{exc}）") from None
    except OSError as exc:
        raise DataError(f"无法解压 {shown}（{os_reason(exc)}）") from None
    return _top(folder / "copy")


def _name(info) -> str:
    """The entry's name as its maker wrote it: a Chinese Windows zip without the
    UTF-8 flag holds GBK, which zipfile has read as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for codec in ("utf-8", "gbk"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _checked(book, shown: str) -> list[tuple[object, PurePosixPath]]:
    """Each entry to unpack with its path inside the copy; a DataError on the first hostile one."""
    import stat as st

    from lanxi_cli.core.domain import CONTROL

    infos = book.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise DataError(f"压缩包 {shown} 有 {len(infos)} 个文件，超过上限 {ZIP_MAX_ENTRIES}，拒绝解压")
    out, size = [], 0
    for info in infos:
        name = _name(info).replace("\\", "/")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        kind = st.S_IFMT(info.external_attr >> 16)
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts or CONTROL.search(name):
            raise DataError(f"压缩包 {shown} 中的“{CONTROL.sub('?', name)}”指向压缩包以外，拒绝解压")
        if kind and kind not in (st.S_IFREG, st.S_IFDIR):
            raise DataError(f"压缩包 {shown} 中的“{name}”是链接或特殊文件，拒绝解压")
        if not parts:
            continue
        size += info.file_size
        if size > ZIP_MAX_BYTES:
            raise DataError(f"压缩包 {shown} 解压后超过 {ZIP_MAX_BYTES // 1024**2} MB 的上限，拒绝解压")
        if ".git" in parts:
            inner = "/".join(parts[parts.index(".git") + 1:])
            if not info.is_dir() and not _GIT_KEPT.match(inner):
                continue  # never a config, a hook or an alternate: nothing here runs or points elsewhere
        if any(a == "data" and b == "evidence" for a, b in zip(parts, parts[1:], strict=False)):
            continue  # the county never copies a town's evidence
        out.append((info, PurePosixPath(*parts)))
    return out


def _top(copy: Path) -> tuple[Path, Path | None]:
    """The repository inside the unpacked copy (the archive may hold its folder), and its .git."""
    top = copy
    if copy.is_dir() and not (copy / "data").is_dir() and not (copy / PLAN_FILE).is_file():
        inner = [p for p in copy.iterdir()]
        if len(inner) == 1 and inner[0].is_dir():
            top = inner[0]
    git_dir = top / ".git"
    if not (git_dir / "HEAD").is_file():
        return top, None
    for empty in ("refs", "objects"):  # an archive leaves out empty folders git looks for
        (git_dir / empty).mkdir(exist_ok=True)
    return top, git_dir
