"""`lanxi sync`: bring the data repository level with its upstream, and the
copies of other towns' data that `lanxi county` reads.

sync = fetch, rebase the local commits onto the upstream branch, push; when
the push loses a race with another office's push, fetch and rebase again, a
bounded number of times. Reports are new files with names of their own, so
they never conflict; a real conflict (two offices editing plan.yaml or
tasks.yaml) aborts the rebase and leaves the repository as it was. Every
git call goes through gitio's runner; the rebase holds lanxi's commit lock,
so a `report add` running meanwhile waits for it rather than committing into
a rebase.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from lanxi_cli.errors import DataError
from lanxi_cli.io import gitio

ATTEMPTS = 30  # pushes tried before giving up while others keep pushing first
_RACE = ("[rejected]", "non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref",
         "stale info", "incorrect old value")


class SyncError(DataError):
    """Sync could not bring the repository level; the repository is as it was."""


@dataclass(frozen=True, slots=True)
class Outcome:
    upstream: str  # origin/master
    fetched: int  # upstream commits taken in
    pushed: int  # local commits sent
    attempts: int


def _run(args: list[str], top: Path) -> tuple[bool, str, str]:
    result = gitio._git(args, top)
    return result.returncode == 0, result.stdout.strip(), result.stderr.strip()


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _said(stderr: str) -> str:
    line = _last_line(stderr)
    return f"\ngit 的原话：{line}" if line else ""


def _must(args: list[str], top: Path, what: str) -> str:
    ok, out, err = _run(args, top)
    if not ok:
        raise SyncError(f"{what}失败，仓库没有改动。{_said(err)}")
    return out


def sync(data_dir: Path, attempts: int = ATTEMPTS, sleep=time.sleep) -> Outcome:
    top = gitio.work_tree(data_dir)
    if top is None:
        raise SyncError(
            f"数据目录 {data_dir} 不在 git 仓库中，无法同步；新建共享仓库的步骤见 README 的“多人共用一套数据”。"
        )
    busy = gitio.unfinished(top)  # the one rule every writer keeps
    if busy:
        what, finish = busy
        raise SyncError(f"仓库 {top} 正处于未完成的{what}之中：请先完成或放弃（{finish}），再同步。")
    ok, branch, _ = _run(["symbolic-ref", "--quiet", "--short", "HEAD"], top)
    if not ok:
        raise SyncError(f"仓库 {top} 没有检出任何分支（HEAD 处于分离状态），无法同步；请先 git switch 到工作分支。")
    ok, upstream, _ = _run(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], top)
    remote = _run(["config", "--get", f"branch.{branch}.remote"], top)[1]
    merge = _run(["config", "--get", f"branch.{branch}.merge"], top)[1]
    if not ok or not remote or not merge:
        raise SyncError(
            f"分支 {branch} 没有上游（upstream）仓库，无法同步。请先设置共享仓库，例如："
            f"git remote add origin 地址 && git push -u origin {branch}（见 README 的“多人共用一套数据”）。"
        )
    changed = _must(["-c", "core.quotePath=false", "diff", "HEAD", "--name-only"], top, "查看仓库状态")
    if changed:
        files = "、".join(changed.splitlines()[:5])
        raise SyncError(f"仓库中有未提交的修改（{files}）：请先提交（git commit）或撤销，再同步。")

    start = ours = _must(["rev-parse", "HEAD"], top, "读取当前提交")
    fetched = 0
    for attempt in range(1, attempts + 1):
        _fetch(top, remote)
        behind = int(_must(["rev-list", "--count", "HEAD..@{upstream}"], top, "比较提交"))
        if behind:
            ours = _rebase(top, upstream)
            fetched += behind
        ahead = int(_must(["rev-list", "--count", "@{upstream}..HEAD"], top, "比较提交"))
        if not ahead:
            return Outcome(upstream, fetched, 0, attempt)
        ok, _, err = _run(["push", "--quiet", *_no_hooks(top, remote, "receive-pack"), remote, f"HEAD:{merge}"], top)
        if ok:
            _run(["fetch", "--quiet", *_no_hooks(top, remote, "upload-pack"), remote], top)  # shows the push
            return Outcome(upstream, fetched, ahead, attempt)
        if not any(sign in err for sign in _RACE):
            _restore(top, start, ours)
            raise SyncError(f"无法推送到上游仓库 {remote}：已撤回本次同步，仓库保持原样。{_said(err)}")
        sleep(random.uniform(0.05, min(2.0, 0.25 * attempt)))  # another office pushed first: take theirs, retry
    _restore(top, start, ours)
    raise SyncError(f"上游仓库更新频繁，试了 {attempts} 次都被别人抢先推送；仓库保持原样，请稍后再运行 lanxi sync。")


def _no_hooks(top: Path, remote: str, side: str) -> list[str]:
    """For a remote that is a folder on this machine (a bare repository on a
    shared drive), the option that runs its side of git with hooks off: its
    `hooks/post-receive` would otherwise run here, as the clerk. A server's
    hooks (ssh, http, git://) run on the server and are its business."""
    url = _run(["remote", "get-url", *(["--push"] if side == "receive-pack" else []), remote], top)[1] or remote
    if is_url(url) and not url.lower().startswith("file://"):
        return []
    return [f"--{side}=git -c core.hooksPath=/dev/null {side}"]


def _fetch(top: Path, remote: str) -> None:
    ok, _, err = _run(["fetch", "--quiet", *_no_hooks(top, remote, "upload-pack"), remote], top)
    if not ok:
        url = _run(["remote", "get-url", remote], top)[1] or remote
        raise SyncError(f"无法连接上游仓库 {remote}（{url}），没有同步；请检查网络和仓库地址。{_said(err)}")


def _conflicts(top: Path) -> list[str]:
    ok, out, _ = _run(["-c", "core.quotePath=false", "diff", "--name-only", "--diff-filter=U"], top)
    return out.splitlines() if ok and out else []


def _rebase(top: Path, upstream: str) -> str:
    """Rebase onto the upstream and return the new HEAD; on any failure abort
    it and say why (naming the conflicting files), leaving HEAD and the work
    tree as they were."""
    with gitio._one_at_a_time(top, time.sleep):
        before = _must(["rev-parse", "HEAD"], top, "读取当前提交")
        # --reapply-cherry-picks: no patch-id scan of upstream (reports are never picked twice; empties are dropped)
        ok, _, err = _run(["-c", "core.editor=true", "rebase", "--quiet", "--no-autostash", "--reapply-cherry-picks",
                           upstream], top)
        if ok:
            return _must(["rev-parse", "HEAD"], top, "读取当前提交")
        conflicts = _conflicts(top)
        if gitio.unfinished(top):
            _run(["rebase", "--abort"], top)
        now = _run(["rev-parse", "HEAD"], top)[1]
    if now != before:
        raise SyncError(f"变基失败且未能恢复原状：请用 git reflog 找回提交 {before[:12]}。{_said(err)}")
    if conflicts:
        raise SyncError(
            f"与上游有冲突：{'、'.join(conflicts)} 在本地和上游都被修改过。已撤销本次同步，仓库保持原样。"
            "请与修改它的同事商定以哪一版为准，再手工合并（两边的内容都不会丢失）：运行 git rebase @{upstream}，"
            "在冲突的文件里 <<<<<<< 与 >>>>>>> 之间留下商定的内容，git add 该文件，git rebase --continue"
            "（想放弃就 git rebase --abort，回到现在的样子）；然后 lanxi check，再 lanxi sync。"
        )
    blocked = re.findall(r"^\s+(\S.*)$", err, re.MULTILINE)
    if "would be overwritten" in err and blocked:
        names = "、".join(blocked[:5])
        raise SyncError(f"上游新增的文件与本地未纳入 git 的文件同名（{names}）：请先移走或提交它们，再同步。")
    raise SyncError(f"变基失败，已撤销本次同步，仓库保持原样。{_said(err)}")


def _restore(top: Path, start: str, ours: str) -> None:
    """Back to the commit sync started from after its rebase (`ours`) could not
    be pushed; left alone where someone committed on top meanwhile, so that
    commit stays on the branch (nothing is lost either way)."""
    if ours == start:
        return
    with gitio._one_at_a_time(top, time.sleep):
        if _run(["rev-parse", "HEAD"], top)[1] == ours:
            _run(["reset", "--quiet", "--keep", start], top)


# ---- other towns' data, for `lanxi county` ---------------------------------------------------------------

_URL = re.compile(r"^(?:(?:git|https?|ssh|file)://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


def is_url(text: str) -> bool:
    """A git address (git://, http(s)://, ssh://, file://, user@host:path), not a folder."""
    return bool(_URL.match(text))


# The county never copies a town's evidence (photos of people, and large): its copy checks out
# everything but data/evidence/ (where the server allows, those files are not even fetched).
_WITHOUT_EVIDENCE = (
    ["sparse-checkout", "set", "--no-cone", "/*", "!/data/evidence/"],
    ["-c", "filter.lfs.smudge=", "-c", "filter.lfs.process=", "-c", "filter.lfs.required=false", "checkout", "--quiet"],
)


def mirror(url: str, root: Path) -> tuple[Path, str | None]:
    """A work tree of `url`'s default branch under `root` (the cache), cloned
    the first time and fetched afterwards: (its folder, a warning where the
    fetch failed and the copy from an earlier run is used). Raises SyncError
    where there is no copy at all."""
    folder = root / hashlib.blake2b(url.encode(), digest_size=8).hexdigest()
    if not (folder / ".git").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        scratch = folder.with_name(folder.name + f".{random.getrandbits(32):08x}.tmp")
        folder.parent.mkdir(parents=True, exist_ok=True)
        # symlinks are checked out as plain files: another town's data never points outside its folder
        result = gitio._git(["-c", "protocol.ext.allow=never", "clone", "--quiet", "--depth", "1", "--no-checkout",
                             "--filter=blob:none", "--config", "core.symlinks=false", "--", url, str(scratch)],
                            folder.parent)
        for step in _WITHOUT_EVIDENCE if result.returncode == 0 else ():
            result = gitio._git(step, scratch)
            if result.returncode != 0:
                break
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise SyncError(f"无法从 {url} 取得数据。{_said(result.stderr)}")
        try:
            scratch.rename(folder)
        except OSError:  # another run put it there first
            shutil.rmtree(scratch, ignore_errors=True)
        return folder, None
    with gitio._one_at_a_time(folder, time.sleep):
        ok, _, err = _run(["-c", "protocol.ext.allow=never", "fetch", "--quiet", "--depth", "1", "origin", "HEAD"],
                          folder)
        if ok:
            ok, _, err = _run(["reset", "--quiet", "--hard", "FETCH_HEAD"], folder)
    if not ok:
        when = _run(["log", "-1", "--format=%cd", "--date=format:%Y-%m-%d %H:%M"], folder)[1]
        return folder, f"无法从 {url} 更新，使用上次取得的副本（最新提交于 {when}）。{_said(err)}"
    return folder, None
