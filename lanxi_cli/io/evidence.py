"""佐证材料 on disk: data/evidence/<sha256>.<ext>, each file stored once by its
content, written whole (a temporary beside it, then a hard link to its name,
which never replaces a file); a photo's EXIF capture time; what `check` reads
back (a digest per file, a Git LFS pointer read as the digest it names)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from lanxi_cli.errors import DataError, UsageError, os_reason

EVIDENCE_DIR = "evidence"
_CHUNK = 1 << 20
_LFS_POINTER = re.compile(rb"version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize \d+\n")
_LFS_MAX = 200  # a pointer file is about 130 bytes
ATTRIBUTES = ".gitattributes"
# Evidence is binary: no line-end conversion, no text diff. Two copies of one name always hold one
# content, so they never conflict. Git LFS (filter=lfs, set from the top .gitattributes) still applies.
_ATTRIBUTES_TEXT = "# lanxi：佐证材料按内容命名，是二进制文件（不转换换行、不做文本比较）\n* -text -diff\n"


@dataclass(frozen=True, slots=True)
class Source:
    """A file a user named with --evidence, before it is stored."""

    path: Path
    name: str  # the name it was sent under (a form's picture: its row and kind)
    size: int
    content: bytes | None = None  # a picture taken from a form: its bytes


def source(text: str) -> Source:
    """The file `text` names, or a UsageError (missing, a folder, unreadable)."""
    path = Path(text.strip()).expanduser()
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UsageError(f"佐证材料“{text}”无法读取（{os_reason(exc)}）：请给出文件的路径，或以 https:// 开头的网址；"
                         "没有写入任何内容") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"佐证材料“{text}”不是普通文件；没有写入任何内容")
    return Source(path, path.name, st.st_size)


def in_memory(name: str, content: bytes) -> Source:
    return Source(Path(name), name, len(content), content)


def taken(src: Source) -> str | None:
    """A photo's EXIF capture time (DateTimeOriginal, else DateTime), ISO; None
    where the file has none, is no photo, or cannot be read (HEIC needs
    pillow-heif; without it the photo is stored without a time)."""
    from lanxi_cli.core.domain import extension
    from lanxi_cli.core.evidence import PHOTO_TYPES, exif_time

    if extension(src.name) not in PHOTO_TYPES:
        return None
    try:
        from PIL import Image
    except ImportError:
        return None
    if extension(src.name) in ("heic", "heif"):
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            return None
        register_heif_opener()
    import io
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decompression-bomb warning: only the header is read
            handle = io.BytesIO(src.content) if src.content is not None else open(src.path, "rb")  # noqa: SIM115
            with handle, Image.open(handle) as image:
                exif = image.getexif()
                found = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
    except Exception:  # a file Pillow cannot read is still evidence, without a time
        return None
    return exif_time(found)


def store(data_dir: Path, src: Source) -> tuple[str, Path, bool]:
    """Copy `src` into data/evidence/ under its digest: (sha256, path, whether
    this call created it). A file already there is kept as it is: one photo sent
    twice is stored once. The content is hashed as it is copied, so what is
    stored is what was hashed."""
    from lanxi_cli.core.domain import evidence_name
    from lanxi_cli.io import save
    from lanxi_cli.io.locate import display_path

    folder = data_dir / EVIDENCE_DIR
    save.inside_folder(data_dir, folder)
    digest = hashlib.sha256()

    def copy(handle) -> None:
        if src.content is not None:
            digest.update(src.content)
            handle.write(src.content)
            return
        with open(src.path, "rb") as given:
            while chunk := given.read(_CHUNK):
                digest.update(chunk)
                handle.write(chunk)

    try:
        with save.whole_beside(folder / "incoming", copy) as tmp:
            sha = digest.hexdigest()
            path = folder / evidence_name(sha, src.name)
            try:
                os.link(tmp, path)
                created = True
            except FileExistsError:
                created = False
            except (AttributeError, NotImplementedError, PermissionError):  # no hard links here
                created = not path.exists()
                if created:
                    os.replace(tmp, path)
    except OSError as exc:
        shown = display_path(folder, data_dir)
        raise DataError(f"无法存放佐证材料“{src.name}”到 {shown}（{os_reason(exc)}）") from None
    if created:
        save.sync_folder(folder)
    return sha, path, created


def discard(paths: list[Path]) -> None:
    """Remove evidence files this command created, when its report could not be written."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def stored(data_dir: Path) -> list:
    """Every file under data/evidence/ with the digest of its content (a Git LFS
    pointer: the digest it names), for `check`. Links and folders are named, never followed."""
    from lanxi_cli.core.evidence import Stored

    folder = data_dir / EVIDENCE_DIR
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name == ".gitattributes":
            continue
        if not entry.is_file(follow_symlinks=False):
            found.append(Stored(entry.name, None))
            continue
        found.append(_digest_of(Path(entry.path), entry.name))
    return found


def _digest_of(path: Path, name: str):
    from lanxi_cli.core.evidence import Stored

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            head = handle.read(_LFS_MAX)
            pointer = _LFS_POINTER.fullmatch(head)
            if pointer:
                return Stored(name, pointer[1].decode(), pointer=True)
            digest.update(head)
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return Stored(name, None)
    return Stored(name, digest.hexdigest())


# ---- --evidence as report add and amend take it ------------------------------------------


def prepare(book, task, values) -> tuple[tuple[str, ...], list[tuple[Source, object]]]:
    """--evidence values → (links kept as typed, [(file, its Attachment)]): each
    file checked against the plan's limits before it is read, then hashed; a
    sensitive task refused any. Nothing is written."""
    from lanxi_cli.core.evidence import is_link
    from lanxi_cli.core.reporting import MAX_EVIDENCE, check_text

    values = [check_text(v, "--evidence", MAX_EVIDENCE) for v in values if v.strip()]
    links = tuple(dict.fromkeys(v.strip() for v in values if is_link(v)))
    sources = [source(v) for v in values if not is_link(v)]
    return links, attachments(book, task, sources)


def attachments(book, task, sources: list[Source]) -> list[tuple[Source, object]]:
    """Files (named or taken from a form) → [(file, its Attachment)], each once by
    content; refused (UsageError, nothing written) past the plan's limits or on a sensitive task."""
    from lanxi_cli.core.domain import Attachment
    from lanxi_cli.core.evidence import check_file, refuse_files

    refuse_files(task, len(sources))
    for src in sources:
        check_file(book.plan.evidence, src.name, src.size)
    found: dict[str, tuple[Source, Attachment]] = {}
    for src in sources:
        item = describe(src)
        found.setdefault(item.sha256, (src, item))
    return list(found.values())


def describe(src: Source):
    """The Attachment a file is recorded as: its digest, name, size, EXIF time."""
    from lanxi_cli.core.domain import Attachment

    return Attachment(_hash(src), src.name, src.size, taken(src))


def _hash(src: Source) -> str:
    if src.content is not None:
        return hashlib.sha256(src.content).hexdigest()
    digest = hashlib.sha256()
    try:
        with open(src.path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise UsageError(f"佐证材料“{src.name}”无法读取（{os_reason(exc)}）；没有写入任何内容") from None
    return digest.hexdigest()


def keep(data_dir: Path, prepared) -> tuple[list[Path], list[Path]]:
    """Store each prepared file: (every evidence path, those this call created).
    A file changed since it was hashed is refused, and what this call stored removed.
    The folder's .gitattributes is written the first time (never rewritten)."""
    from lanxi_cli.io import save

    paths, created = [], []
    attributes = data_dir / EVIDENCE_DIR / ATTRIBUTES
    if not os.path.lexists(attributes):
        save.inside_folder(data_dir, attributes.parent)
        try:
            save.write_new(attributes, _ATTRIBUTES_TEXT)
            created.append(attributes)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DataError(f"无法写入 {attributes}（{os_reason(exc)}），未保存任何内容") from None
    paths.append(attributes)  # committed with the first evidence (again harmlessly after)
    for src, item in prepared:
        try:
            sha, path, new = store(data_dir, src)
        except DataError:
            discard(created)
            raise
        if new:
            created.append(path)
        if sha != item.sha256:
            discard(created)
            raise DataError(f"佐证材料“{src.name}”在读取时被改动了；请再试一次，没有写入任何内容")
        paths.append(path)
    return paths, created
