"""佐证材料, the pure part: which files a report may carry (the plan's limits,
a sensitive task), what a photo's capture time says about its report, and
what `check` finds wrong between the reports and data/evidence/. No I/O here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lanxi_cli.core.domain import DIGEST, extension
from lanxi_cli.errors import UsageError

PHOTO_TYPES = frozenset({"jpg", "jpeg", "png", "heic", "heif", "tif", "tiff", "webp"})  # may carry EXIF
_LINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S")


def is_link(text: str) -> bool:
    """A URL (https://…): kept as typed, a link to open, never a file to store."""
    return _LINK.match(text.strip()) is not None


def refuse_files(task, count: int) -> None:
    """A sensitive task (its records concern people, 6.2) takes no evidence at all; a 旬报 (no task) may."""
    if count and task is not None and task.sensitive:
        raise UsageError(f"任务 {task.id} 涉及个人信息（tasks.yaml 标为 sensitive），不收佐证材料："
                         "请只用 --note 写明情况，没有写入任何内容")


def check_file(rule, name: str, size: int) -> None:
    """A file the plan's limits allow (plan.yaml `evidence`), else a UsageError naming the limit."""
    ext = extension(name)
    if ext not in {t.lower() for t in rule.types}:
        kind = f"“.{ext}”" if ext else "没有扩展名的"
        raise UsageError(f"佐证材料“{name}”是{kind}文件，plan.yaml 的 evidence.types 只收 "
                         f"{'、'.join(rule.types)}；没有写入任何内容")
    limit = int(rule.max_mb * 1024 * 1024)
    if size > limit:
        raise UsageError(f"佐证材料“{name}”有 {megabytes(size)}，超过 plan.yaml 的上限 evidence.max_mb："
                         f"{rule.max_mb:g} MB；没有写入任何内容")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 100 * 1024 else f"{max(1, round(size / 1024))} KB"


def photo_warning(rule, name: str, taken: str | None, day: dt.date) -> str | None:
    """A photo taken after its report's day, or more than `photo_days` before it:
    a sentence naming both days (the report is kept: the office judges)."""
    if not taken:
        return None
    try:
        shot = dt.date.fromisoformat(taken[:10])
    except ValueError:
        return None
    if shot > day:
        return f"照片“{name}”拍摄于 {shot}，晚于报告日期 {day}"
    if (day - shot).days > rule.photo_days:
        return f"照片“{name}”拍摄于 {shot}，早于报告日期 {day} 超过 {rule.photo_days} 天"
    return None


def exif_time(text) -> str | None:
    """EXIF's `2020:09:18 10:22:31` → `2020-09-18T10:22:31`; None where it is not a real time."""
    if not isinstance(text, str):
        return None
    match = re.fullmatch(r"\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*\x00*", text)
    if match is None:
        return None
    try:
        return dt.datetime(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


# ---- check: the reports against data/evidence/ ----------------------------------------


@dataclass(frozen=True, slots=True)
class Stored:
    """A file found under data/evidence/: its name and what its content hashes to
    (for a Git LFS pointer, the digest it points to), or None where it could not be read."""

    name: str
    digest: str | None
    pointer: bool = False


def evidence_problems(reports, stored: list[Stored], removed: set[str], folder: str) -> list[tuple[str, str]]:
    """(file, message) for `check`: a stored file whose content no longer matches
    its name, a report naming a file that is not there (unless `evidence remove`
    removed it), a file that no report names. `folder`: data/evidence as shown."""
    named: dict[str, str] = {}
    for report in reports:
        for item in report.evidence_files:
            named.setdefault(item.stored, report.file)
    by_name = {s.name: s for s in stored}
    problems = []
    for s in stored:
        where = f"{folder}/{s.name}"
        expected = s.name.split(".", 1)[0]
        if not DIGEST.fullmatch(expected):
            problems.append((where, "不是 lanxi 存放的佐证材料（文件名应为 SHA-256 摘要加扩展名）"))
        elif s.digest is None:
            problems.append((where, "无法读取（不是普通文件？）"))
        elif s.digest != expected:
            what = "Git LFS 指针所指的摘要" if s.pointer else "文件内容的 SHA-256 摘要"
            problems.append((where, f"{what}（{s.digest[:12]}…）与文件名不符：文件已被改动或损坏"))
        elif s.name not in named:
            problems.append((where, "没有任何报告引用这份佐证材料（可用 lanxi evidence remove 删除）"))
    for name, file in named.items():
        if name not in by_name and name.split(".", 1)[0] not in removed:
            problems.append((file, f"佐证材料 {folder}/{name} 不见了（没有 lanxi evidence remove 的删除记录）"))
    return problems
