"""Errors meant for the user: each carries its exit code and a clear sentence."""

from __future__ import annotations

import errno
from dataclasses import dataclass

_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EISDIR: "这是一个目录",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EIO: "读写出错",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接层数过多",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Chinese where the reason is a common one."""
    return _OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in one file, printed as FILE:LINE: message."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class LanxiError(Exception):
    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    @classmethod
    def at(cls, file: str, line: int | None, message: str) -> LanxiError:
        """An error about one place in one file."""
        problem = Problem(file, line, message)
        return cls(str(problem), [problem])

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        return "\n".join(lines if self.message in lines else [self.message, *lines])


class DataError(LanxiError):
    """The data is invalid or unreadable: exit 1."""

    exit_code = 1


class UsageError(LanxiError):
    """A bad option, date, unit or task id: exit 2, nothing written."""

    exit_code = 2
