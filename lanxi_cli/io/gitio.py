"""The few git calls lanxi makes: argument lists, never a shell.

User text reaches git only as the commit message (one argument after -m) and
as paths after `--`. git runs only on the data folder's own repository: the
environment's GIT_* variables that point elsewhere (GIT_DIR, GIT_WORK_TREE,
GIT_INDEX_FILE, set inside a hook or `rebase -x`) are dropped for every call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lanxi_cli.errors import DataError, os_reason

LOCK_WAIT = 30.0  # seconds to keep retrying while another process holds the index lock
_LOCKED = ("index.lock", "cannot lock ref", "Unable to create", "unable to lock")
# git's words when it does not know who is committing (no user.name / user.email)
_NO_IDENTITY = ("Author identity unknown", "Committer identity unknown", "Please tell me who you are",
                "unable to auto-detect email address", "empty ident name")
IDENTITY_HINT = ("；请先告诉 git 您是谁（只需一次）：git config --global user.name \"张三\" 和 "
                 "git config --global user.email \"zhangsan@example.org\"")


class GitError(Exception):
    """git is missing, or a git call failed; `str()` is a sentence for the user.
    `remedy`, where commit_files sets it: the files' state and the commands that commit them."""

    remedy = ""


# The only GIT_* variables passed on: who is committing, and how to reach a remote.
# Every other one (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY,
# GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_CEILING_DIRECTORIES, GIT_CONFIG_PARAMETERS…)
# could make git act on another repository, index or configuration.
_GIT_KEPT = frozenset({
    "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
    "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS",
})


def git_environment() -> dict[str, str]:
    """os.environ without the GIT_* variables that could point git elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _GIT_KEPT}
    return {**env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _git(args: list[str], cwd: Path, index: Path | None = None) -> subprocess.CompletedProcess:
    """Run git in `cwd`; with `index`, on that index file instead of the repository's."""
    env = git_environment()
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
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


def _retrying(args: list[str], cwd: Path, run=_git, sleep=time.sleep, wait: float = LOCK_WAIT,
              index: Path | None = None):
    """Run a git command, retrying with jittered backoff while a lock is held."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        result = run(args, cwd) if index is None else run(args, cwd, index=index)
        if result.returncode == 0:
            return result
        text = result.stderr.strip()
        locked = any(sign in text for sign in _LOCKED)
        if not locked or time.monotonic() >= deadline:
            hint = "；若确认没有其他 git 进程在运行，可删除 .git/index.lock 后重试" if locked else ""
            said = text.splitlines()[-1] if text else result.returncode
            if any(sign in text for sign in _NO_IDENTITY):  # said in Chinese, not in git's English
                said, hint = "git 不知道提交人是谁", IDENTITY_HINT
            raise GitError(f"git {args[0]} 失败：{said}{hint}")
        sleep(random.uniform(delay / 2, delay * 1.5))
        delay = min(delay * 2, 0.5)


def commit_file(path: Path, message: str, run=_git, sleep=time.sleep) -> Path:
    """Commit exactly one file; see commit_files."""
    return commit_files([path], message, run, sleep)


class IndexBehind(GitError):
    """The commit was made, but the repository's index could not be brought
    level with it: `str()` says the files' state and the command that fixes it."""


def commit_files(paths: list[Path], message: str, run=_git, sleep=time.sleep) -> Path:
    """Commit exactly these files (all in one work tree) in one commit; return the work tree top.

    The files are staged and committed in a private copy of the index, so the
    repository's own index never holds them staged-but-uncommitted: whatever
    git step fails (a hook, a lock, a full disk, Ctrl-C), a new file stays on
    disk untracked, and `git reset --hard` cannot delete it. Only after the
    commit is the index brought level with it; if that last step fails
    (IndexBehind), the files are committed and `git status` shows them as
    deleted and untracked until the command the error names is run."""
    paths = [Path(path).resolve() for path in paths]
    top = work_tree(paths[0].parent)
    if top is None:
        raise GitError(f"{paths[0].parent} 不在 git 仓库中")
    rels = [str(path.relative_to(top.resolve())) for path in paths]
    try:
        return _commit(top, rels, message, run, sleep)
    except IndexBehind:
        raise
    except GitError as exc:
        shown = " ".join(_quoted(rel) for rel in rels)
        where = _quoted(str(top))
        exc.remedy = (f"未暂存，仍在磁盘上，git reset --hard 不会删除它；问题解决后补交：git -C {where} add -- {shown}"
                      f" && git -C {where} commit -m 补交 -- {shown}")
        raise


def _commit(top: Path, rels: list[str], message: str, run, sleep) -> Path:
    with _one_at_a_time(top, sleep):
        found = _git(["rev-parse", "--absolute-git-dir", "--git-path", "index"], top).stdout.split("\n")
        if len(found) < 2 or not found[0]:
            raise GitError(f"找不到 {top} 的 .git 目录")
        real = top / found[1]
        private = Path(found[0]) / f"lanxi-index.{os.getpid()}"
        _recover(top, Path(found[0]))
        from lanxi_cli.io.process import signals_deferred

        # SIGTERM/SIGHUP wait until the index is level with the commit: git, left running, would
        # otherwise finish the commit with no one to bring the index level (kill -9: see _recover)
        with _index_locked(real, sleep), signals_deferred():
            try:
                try:
                    if real.exists():
                        shutil.copyfile(real, private)
                except OSError as exc:  # a full disk: nothing is staged anywhere
                    raise GitError(f"无法准备提交（{os_reason(exc)}）") from None
                _retrying(["add", "--", *rels], top, run, sleep, index=private)
                try:
                    _retrying(["commit", "--only", "--quiet", "-m", message, "--", *rels], top, run, sleep,
                              index=private)
                except BaseException as exc:  # a failure (or Ctrl-C) after the branch moved still committed them
                    if not _in_head(top, rels, private):
                        raise
                    if not isinstance(exc, GitError):
                        with contextlib.suppress(OSError):
                            _install(private, real)
                        raise
                try:
                    _install(private, real)
                except OSError as exc:
                    shown = " ".join(_quoted(rel) for rel in rels)
                    raise IndexBehind(
                        f"已提交到 git，但 git 暂存区没能随之更新（{os_reason(exc)}）："
                        f"git status 会把 {'、'.join(rels)} 显示为已删除（D）和未跟踪（??），文件本身完好，"
                        f"也已在提交中；请运行 git -C {_quoted(str(top))} reset -q -- {shown} 使暂存区与提交一致"
                    ) from None
            finally:
                for leftover in (private, private.with_name(private.name + ".lock")):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
    return top


def _recover(top: Path, git_dir: Path) -> None:
    """A lanxi killed (kill -9) between its commit and the index's update
    leaves its private index behind, and the repository's index without the
    files it committed (git status: deleted and untracked). Called under the
    commit lock, so no live lanxi owns such a leftover: each file the
    leftover holds, HEAD holds and the index lacks gets its entry back."""
    from lanxi_cli.io.process import alive

    for leftover in git_dir.glob("lanxi-index.*[0-9]"):
        pid = leftover.name.removeprefix("lanxi-index.")
        if not pid.isdigit() or alive(int(pid)):
            continue
        theirs = set(_git(["ls-files", "-z"], top, leftover).stdout.split("\0")) - {""}
        ours = set(_git(["ls-files", "-z"], top).stdout.split("\0")) - {""}
        missing = sorted(theirs - ours)
        if missing:
            listed = _git(["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *missing], top).stdout
            committed = [name for name in listed.split("\0") if name]
            if committed:
                _git(["reset", "-q", "--", *committed], top)
        for stale in (leftover, leftover.with_name(leftover.name + ".lock")):
            with contextlib.suppress(OSError):
                stale.unlink()


def _install(private: Path, real: Path) -> None:
    """The private index, now level with the new commit, becomes the repository's."""
    os.replace(private, real)


_OURS = b"lanxi\n"  # what lanxi writes in the index.lock it holds (git's own starts with DIRC)


def _left_by_lanxi(lock: Path) -> bool:
    try:
        with open(lock, "rb") as handle:
            return handle.read(16) == _OURS
    except OSError:
        return False


@contextlib.contextmanager
def _index_locked(real: Path, sleep, wait: float = LOCK_WAIT):
    """Hold git's own lock on the index (`index.lock`, created exclusively as
    git does) from the copy to its replacement, so no other git process
    changes the index in between; waited for while someone else holds it."""
    lock = real.with_name(real.name + ".lock")
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, _OURS)
            except OSError:  # a full disk: no lock of ours stays behind
                lock.unlink()
                raise
            finally:
                os.close(fd)
            break
        except FileExistsError:
            if _left_by_lanxi(lock):  # by a lanxi killed meanwhile: we hold the commit lock, so no other runs
                with contextlib.suppress(OSError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                raise GitError(f"git 索引被占用（{lock.name} 已存在）；若确认没有其他 git 进程在运行，"
                               f"可删除 {lock} 后重试") from None
            sleep(random.uniform(0.01, 0.05))
        except OSError as exc:
            raise GitError(f"无法锁定 git 索引（{os_reason(exc)}）") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def _in_head(top: Path, rels: list[str], index: Path) -> bool:
    """Whether HEAD holds the files as `index` stages them (the commit went through after all)."""
    listed = _git(["-c", "core.quotePath=false", "ls-tree", "--name-only", "HEAD", "--", *rels], top)
    if listed.returncode != 0 or set(listed.stdout.splitlines()) != set(rels):
        return False
    return _git(["diff", "--cached", "--quiet", "HEAD", "--", *rels], top, index).returncode == 0


def _quoted(text: str) -> str:
    """`text` as one shell word."""
    import shlex

    return shlex.quote(text)


_UNFINISHED = (  # (file or folder in the git dir, what is under way, the git command to finish it)
    ("rebase-merge", "变基（rebase）", "rebase"),
    ("rebase-apply", "变基（rebase）或补丁应用（am）", "rebase"),
    ("MERGE_HEAD", "合并（merge）", "merge"),
    ("CHERRY_PICK_HEAD", "拣选（cherry-pick）", "cherry-pick"),
    ("REVERT_HEAD", "撤销提交（revert）", "revert"),
    ("sequencer", "拣选或撤销提交（cherry-pick/revert）", "cherry-pick"),
    ("BISECT_LOG", "二分查找（bisect）", "bisect"),
)


def _repository(folder: Path) -> tuple[str, str] | None:
    """(work tree top, absolute git dir) of the repository holding `folder`;
    None outside one, or without git."""
    try:
        found = _git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], folder)
    except GitError:
        return None
    lines = found.stdout.splitlines()
    return (lines[0], lines[1]) if found.returncode == 0 and len(lines) == 2 else None


def _under_way(git_dir: str) -> tuple[str, str] | None:
    for name, what, command in _UNFINISHED:
        if os.path.lexists(os.path.join(git_dir, name)):
            return what, "git bisect reset" if command == "bisect" else f"git {command} --continue 或 --abort"
    return None


def unfinished(folder: Path) -> tuple[str, str] | None:
    """The git operation the repository holding `folder` is in the middle of
    (merge, rebase, cherry-pick, revert, bisect) and the command that ends it;
    None when there is none, or no repository."""
    found = _repository(folder)
    return _under_way(found[1]) if found else None


def refuse_unfinished(folder: Path) -> None:
    """A DataError while the repository holding `folder` is in the middle of a
    merge, rebase, cherry-pick, revert or bisect, or its HEAD is detached: a
    file written then could be committed onto a temporary HEAD, or deleted by
    `git merge --abort`. Called before anything is written. Outside a
    repository, or without git, there is nothing to protect."""
    found = _repository(folder)
    if found is None:
        return
    top, git_dir = found
    busy = _under_way(git_dir)
    if busy:
        what, finish = busy
        raise DataError(f"数据仓库 {top} 正在进行{what}，尚未完成；请先完成或放弃（{finish}），"
                        "再记录。没有写入任何内容")
    if _git(["symbolic-ref", "-q", "HEAD"], folder).returncode != 0:
        raise DataError(f"数据仓库 {top} 处于游离 HEAD（detached HEAD）状态，不在任何分支上；"
                        "请先切换到分支（git switch 分支名），再记录。没有写入任何内容")


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
    lock = Path(found.stdout.strip()) / "lanxi-commit.lock"
    try:
        handle = open(lock, "a")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:  # a read-only .git, a folder at that name
        raise GitError(f"无法创建提交锁 {lock}（{os_reason(exc)}）") from None
    with handle:
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


def history(folder: Path) -> list[Change]:
    """Every commit touching `folder`, newest first. Raises GitError outside a repo."""
    top = work_tree(folder)
    if top is None:
        raise GitError(f"{folder} 不在 git 仓库中")
    rel = os.path.relpath(Path(folder).resolve(), top.resolve())
    result = _git(
        ["-c", "core.quotePath=false", "log", "-z", "--format=%x00%H%x00%aI%x00%an%x00%s",
         "--name-only", "--no-renames", "--", rel],
        top,
    )
    if result.returncode != 0:
        if "does not have any commits" in result.stderr:
            return []
        raise GitError(f"git log 失败：{result.stderr.strip()}")
    return parse_log(result.stdout)


def parse_log(text: str) -> list[Change]:
    """`git log -z` with the format above: every field and file name ends in a
    NUL, which no subject, name or path can hold; each commit starts with an
    empty field (no file name is empty), its first file after a newline."""
    changes = []
    fields = text.split("\0")
    i = 0
    while i + 4 < len(fields):
        if fields[i]:  # not at a commit's start: skip what cannot be read
            i += 1
            continue
        commit, when, author, subject = fields[i + 1 : i + 5]
        i += 5
        files = []
        while i < len(fields) and fields[i]:
            files.append(fields[i].removeprefix("\n") if not files else fields[i])
            i += 1
        changes.append(Change(commit, dt.datetime.fromisoformat(when), author, subject, tuple(files)))
    return changes
