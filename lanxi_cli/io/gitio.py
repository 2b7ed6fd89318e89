"""The few git calls lanxi makes: argument lists, never a shell.

User text reaches git only as the commit message (one argument after -m) and
as paths after `--`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lanxi_cli.errors import os_reason

LOCK_WAIT = 30.0  # seconds to keep retrying while another process holds the index lock
_LOCKED = ("index.lock", "cannot lock ref", "Unable to create", "unable to lock")
# git's words when it does not know who is committing (no user.name / user.email)
_NO_IDENTITY = ("Author identity unknown", "Committer identity unknown", "Please tell me who you are",
                "unable to auto-detect email address", "empty ident name")
IDENTITY_HINT = ("；请先告诉 git 您是谁（只需一次）：git config --global user.name \"张三\" 和 "
                 "git config --global user.email \"zhangsan@example.org\"；"
                 "已保存的文件随后可用 git add 和 git commit 补交")


class GitError(Exception):
    """git is missing, or a git call failed; `str()` is a sentence for the user."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True,
            encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("找不到 git 命令") from None
    except OSError as exc:
        raise GitError(f"无法运行 git（{os_reason(exc)}）") from None


def work_tree(path: Path) -> Path | None:
    """The top of the git work tree holding `path` (a folder), or None.
    Raises GitError when git itself is missing."""
    result = _git(["rev-parse", "--show-toplevel"], path)
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def _retrying(args: list[str], cwd: Path, run=_git, sleep=time.sleep, wait: float = LOCK_WAIT):
    """Run a git command, retrying with jittered backoff while a lock is held."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        result = run(args, cwd)
        if result.returncode == 0:
            return result
        text = result.stderr.strip()
        locked = any(sign in text for sign in _LOCKED)
        if not locked or time.monotonic() >= deadline:
            hint = "；若确认没有其他 git 进程在运行，可删除 .git/index.lock 后重试" if locked else ""
            if any(sign in text for sign in _NO_IDENTITY):
                hint = IDENTITY_HINT
            raise GitError(f"git {args[0]} 失败：{text.splitlines()[-1] if text else result.returncode}{hint}")
        sleep(random.uniform(delay / 2, delay * 1.5))
        delay = min(delay * 2, 0.5)


def commit_file(path: Path, message: str, run=_git, sleep=time.sleep) -> Path:
    """Commit exactly one file; see commit_files."""
    return commit_files([path], message, run, sleep)


def commit_files(paths: list[Path], message: str, run=_git, sleep=time.sleep) -> Path:
    """Commit exactly these files (all in one work tree) in one commit; return the work tree top."""
    paths = [Path(path).resolve() for path in paths]
    top = work_tree(paths[0].parent)
    if top is None:
        raise GitError(f"{paths[0].parent} 不在 git 仓库中")
    rels = [str(path.relative_to(top.resolve())) for path in paths]
    with _one_at_a_time(top, sleep):
        _retrying(["add", "--", *rels], top, run, sleep)
        _retrying(["commit", "--only", "--quiet", "-m", message, "--", *rels], top, run, sleep)
    return top


@contextlib.contextmanager
def _one_at_a_time(top: Path, sleep, wait: float = LOCK_WAIT):
    """Hold an OS lock on .git/lanxi-commit.lock around add + commit.

    `git commit --only` reads the index before it locks it, so two lanxi
    processes interleaving add and commit could drop each other's staged file;
    taking turns avoids that. The OS frees the lock if a process dies. Where
    there is no fcntl (Windows), the index-lock retries alone remain."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    found = _git(["rev-parse", "--absolute-git-dir"], top)
    if found.returncode != 0:
        raise GitError(f"找不到 {top} 的 .git 目录")
    deadline = time.monotonic() + wait
    with open(Path(found.stdout.strip()) / "lanxi-commit.lock", "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise GitError("另一个 lanxi 进程长时间占用提交锁") from None
                sleep(random.uniform(0.01, 0.05))
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---- history -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    commit: str
    time: dt.datetime
    author: str
    subject: str
    files: tuple[str, ...]  # relative to the work tree top

    def as_dict(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.time.date().isoformat(),
            "time": self.time.isoformat(),
            "author": self.author,
            "subject": self.subject,
            "files": list(self.files),
        }


_RECORD, _FIELD = "\x1e", "\x1f"


def history(folder: Path) -> list[Change]:
    """Every commit touching `folder`, newest first. Raises GitError outside a repo."""
    top = work_tree(folder)
    if top is None:
        raise GitError(f"{folder} 不在 git 仓库中")
    rel = os.path.relpath(Path(folder).resolve(), top.resolve())
    result = _git(
        ["-c", "core.quotePath=false", "log", f"--format={_RECORD}%H{_FIELD}%aI{_FIELD}%an{_FIELD}%s",
         "--name-only", "--no-renames", "--", rel],
        top,
    )
    if result.returncode != 0:
        if "does not have any commits" in result.stderr:
            return []
        raise GitError(f"git log 失败：{result.stderr.strip()}")
    return parse_log(result.stdout)


def parse_log(text: str) -> list[Change]:
    changes = []
    for record in text.split(_RECORD)[1:]:
        head, _, rest = record.partition("\n")
        commit, when, author, subject = head.split(_FIELD, 3)
        files = tuple(line for line in rest.splitlines() if line.strip())
        changes.append(Change(commit, dt.datetime.fromisoformat(when), author, subject, files))
    return changes
