"""`lanxi sync` against a real git server on loopback (`git daemon`, started
and stopped here): offices recording at once both end with every report; a
real conflict, a missing or unreachable upstream leave the repository as it was."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED, run_lanxi
from towns_support import GitServer, free_port, git, identify

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")



def publish_town(server: GitServer, tmp_path: Path, name: str = "lanxi.git") -> str:
    """A bare repository on the server holding the shipped plan, as an office would set it up."""
    bare = server.base / name
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=server.base)
    seed = tmp_path / f"seed-{name}"
    (seed / "data").mkdir(parents=True)
    for file in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / file, seed / "data" / file)
    git("init", "--quiet", "--initial-branch=main", cwd=seed)
    identify(seed)
    git("add", "data", cwd=seed)
    git("commit", "--quiet", "-m", "计划", cwd=seed)
    url = server.url(name)
    git("push", "--quiet", url, "main", cwd=seed)
    return url


def clone(url: str, where: Path) -> Path:
    git("clone", "--quiet", url, str(where), cwd=where.parent)
    identify(where)
    return where


def sync(repo: Path) -> subprocess.CompletedProcess:
    return run_lanxi("sync", "--data", str(repo / "data"))


def reports(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in (repo / "data" / "reports").rglob("*.yaml"))


def snapshot(repo: Path) -> dict:
    """Everything a user could lose: HEAD, the index and every file, .git aside."""
    files = {str(p.relative_to(repo)): p.read_bytes() for p in repo.rglob("*")
             if p.is_file() and ".git" not in p.relative_to(repo).parts}
    return {"head": git("rev-parse", "HEAD", cwd=repo), "status": git("status", "--porcelain", cwd=repo),
            "files": files, "stash": git("stash", "list", cwd=repo)}


def add_reports(repo: Path, unit: str, tasks: list[str]) -> list[subprocess.Popen]:
    """`lanxi report add` for each task, all started at once."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen([sys.executable, "-m", "lanxi_cli", "report", "add", "--task", task, "--unit", unit,
                          "--status", "done", "--date", "2020-09-02", "--as-of", "2020-09-05",
                          "--data", str(repo / "data")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for task in tasks
    ]


def test_two_offices_recording_at_once_both_end_with_every_report(server, tmp_path):
    url = publish_town(server, tmp_path)
    police, office = clone(url, tmp_path / "派出所"), clone(url, tmp_path / "禁毒办")
    running = add_reports(police, "派出所", ["5.1", "6.2", "5.1"]) + add_reports(office, "禁毒办", ["9.2", "10.1"])
    for process in running:
        assert process.wait(timeout=60) == 0, process.stderr.read().decode()
    assert len(reports(police)) == 3 and len(reports(office)) == 2

    first = sync(police)
    assert (first.returncode, first.stdout) == (0, "已同步：取回 0 个提交，推送 3 个提交（origin/main）。\n")
    second = sync(office)
    assert (second.returncode, second.stdout) == (0, "已同步：取回 3 个提交，推送 2 个提交（origin/main）。\n")
    third = sync(police)
    assert (third.returncode, third.stdout) == (0, "已同步：取回 2 个提交，推送 0 个提交（origin/main）。\n")
    assert sync(police).stdout == "已是最新：与 origin/main 一致，无需同步。\n"

    assert reports(police) == reports(office) and len(reports(police)) == 5
    assert git("rev-parse", "HEAD", cwd=police) == git("rev-parse", "HEAD", cwd=office)
    assert git("status", "--porcelain", cwd=office) == ""
    listed = run_lanxi("report", "list", "--data", str(police / "data"), "--as-of", "2020-09-05", "--format", "json")
    assert sorted((r["task"], r["unit"]) for r in json.loads(listed.stdout)) == [
        ("10.1", "禁毒办"), ("5.1", "兰溪派出所"), ("5.1", "兰溪派出所"), ("6.2", "兰溪派出所"), ("9.2", "禁毒办")]


def _record(repo: Path, unit: str, count: int) -> None:
    """`count` reports written and committed one by one, as `report add` does."""
    from lanxi_cli.core.domain import Report
    from lanxi_cli.core.reporting import commit_message
    from lanxi_cli.io import gitio, save

    for i in range(count):
        report = Report(task="6.3", unit=unit, date=dt.date(2020, 9, 1 + i), status="progress", note=f"第{i + 1}次",
                        recorded=f"2020-09-{1 + i:02d}T09:00:00+08:00")
        gitio.commit_file(save.save_report(repo / "data", report), commit_message(report))


def test_ten_offices_syncing_at_once_lose_no_report(server, tmp_path):
    url = publish_town(server, tmp_path)
    units = "苏家湖村 黄湖村 罗湖村 北岸新村 千家洲村 双港子村 莲花塘村 三岔堤村 港湾村 金石村".split()
    clones = [clone(url, tmp_path / f"c{i}") for i in range(len(units))]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(_record, clones, units, [20] * len(units)))
    # all ten at once, each in its own thread (the command's own code, without ten interpreters starting)
    from lanxi_cli.io.sync import sync as sync_now

    with ThreadPoolExecutor(len(clones)) as pool:
        outcomes = list(pool.map(lambda c: sync_now(c / "data"), clones))
    assert sorted(o.pushed for o in outcomes) == [20] * 10
    on_server = git("-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "main",
                    cwd=server.base / "lanxi.git").splitlines()
    assert len([f for f in on_server if f.startswith("data/reports/")]) == 200
    assert sync(clones[3]).returncode == 0
    assert len(reports(clones[3])) == 200
    assert git("status", "--porcelain", cwd=clones[3]) == ""


def _edit_task_text(repo: Path, new: str, message: str) -> None:
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("结合本镇实际制定专项行动实施方案。", new, 1), encoding="utf-8")
    git("commit", "--quiet", "-am", message, cwd=repo)


def test_a_real_conflict_aborts_and_leaves_the_repository_exactly_as_it_was(server, tmp_path):
    url = publish_town(server, tmp_path)
    one, two = clone(url, tmp_path / "one"), clone(url, tmp_path / "two")
    _edit_task_text(one, "结合本镇实际制定方案（一）。", "改任务1.1")
    assert sync(one).returncode == 0
    _edit_task_text(two, "结合本镇实际制定方案（二）。", "改任务1.1的另一种改法")
    for process in add_reports(two, "派出所", ["5.1"]):
        assert process.wait(timeout=60) == 0
    (two / "data" / "reports" / "草稿.txt").write_text("尚未录入的记录", encoding="utf-8")  # untracked
    before = snapshot(two)

    result = sync(two)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "与上游有冲突：data/tasks.yaml 在本地和上游都被修改过。已撤销本次同步，仓库保持原样。")
    assert snapshot(two) == before
    assert not (two / ".git" / "rebase-merge").exists() and not (two / ".git" / "rebase-apply").exists()
    assert len(reports(two)) == 1


def test_a_push_refused_by_the_server_is_undone(server, tmp_path):
    url = publish_town(server, tmp_path)
    one, two = clone(url, tmp_path / "one"), clone(url, tmp_path / "two")
    for process in add_reports(one, "派出所", ["5.1"]) + add_reports(two, "禁毒办", ["9.2"]):
        assert process.wait(timeout=60) == 0
    assert sync(one).returncode == 0
    hook = server.base / "lanxi.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(two)
    result = sync(two)
    assert result.returncode == 1
    assert result.stderr.startswith("无法推送到上游仓库 origin：已撤回本次同步，仓库保持原样。")
    assert snapshot(two) == before


def test_no_upstream_or_an_unreachable_one_is_a_sentence_and_changes_nothing(server, tmp_path, git_data_dir):
    lonely = sync(git_data_dir.parent)
    assert lonely.returncode == 1
    assert lonely.stderr.startswith("分支 ")
    assert "没有上游（upstream）仓库，无法同步。" in lonely.stderr

    repo = clone(publish_town(server, tmp_path), tmp_path / "c")
    dead = f"git://127.0.0.1:{free_port()}/lanxi.git"
    git("remote", "set-url", "origin", dead, cwd=repo)
    before = snapshot(repo)
    result = sync(repo)
    assert result.returncode == 1
    assert result.stderr.startswith(f"无法连接上游仓库 origin（{dead}），没有同步；请检查网络和仓库地址。")
    assert snapshot(repo) == before

    outside = sync(tmp_path / "server")  # a folder holding a plan but no repository
    assert outside.returncode == 1


def test_uncommitted_edits_or_an_unfinished_rebase_are_refused(server, tmp_path):
    url = publish_town(server, tmp_path)
    repo = clone(url, tmp_path / "c")
    plan = repo / "data" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "# 手改\n", encoding="utf-8")
    dirty = sync(repo)
    assert dirty.returncode == 1
    assert dirty.stderr == "仓库中有未提交的修改（data/plan.yaml）：请先提交（git commit）或撤销，再同步。\n"
    git("checkout", "--", "data/plan.yaml", cwd=repo)

    other = clone(url, tmp_path / "other")
    _edit_task_text(other, "改法甲。", "甲")
    git("push", "--quiet", cwd=other)
    _edit_task_text(repo, "改法乙。", "乙")
    git("fetch", "--quiet", cwd=repo)
    git("rebase", "origin/main", cwd=repo, check=False)  # stops on the conflict
    busy = sync(repo)
    assert busy.returncode == 1
    assert busy.stderr == (f"仓库 {repo} 正处于未完成的变基（rebase）之中："
                           "请先完成或放弃（git rebase --continue 或 --abort），再同步。\n")
    git("rebase", "--abort", cwd=repo)
    git("bisect", "start", cwd=repo)  # every state a writer refuses (gitio.unfinished), sync refuses too
    bisecting = sync(repo)
    assert bisecting.returncode == 1
    assert bisecting.stderr == (f"仓库 {repo} 正处于未完成的二分查找（bisect）之中："
                                "请先完成或放弃（git bisect reset），再同步。\n")
    git("bisect", "reset", cwd=repo)


@pytest.mark.parametrize(("choice", "kept"),
                         [("upstream", "（一）。"), ("ours", "（二）。"), ("both", "（一）（二）。")])
def test_the_readme_s_way_out_of_a_conflict_keeps_every_report(server, tmp_path, choice, kept):
    """After a conflict, the README's way: `git rebase @{upstream}`, leave the
    agreed lines between the markers, `git add`, `git rebase --continue`; then
    sync. No report is lost, and no line is dropped that nobody chose to drop."""
    import re

    url = publish_town(server, tmp_path)
    one, two = clone(url, tmp_path / "one"), clone(url, tmp_path / "two")
    _edit_task_text(one, "结合本镇实际制定方案（一）。", "改任务1.1")
    _record(one, "黄湖村", 2)
    assert sync(one).returncode == 0
    _edit_task_text(two, "结合本镇实际制定方案（二）。", "改任务1.1的另一种改法")
    _record(two, "苏家湖村", 3)
    refused = sync(two)
    assert refused.returncode == 1 and "git rebase @{upstream}" in refused.stderr
    stopped = subprocess.run(["git", "rebase", "@{upstream}"], cwd=two, capture_output=True, text=True)
    assert stopped.returncode != 0
    tasks = two / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    conflict = re.compile(r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", re.S)
    upstream, ours = conflict.search(text).groups()
    chosen = {"upstream": upstream, "ours": ours, "both": upstream.replace("（一）", "（一）（二）")}[choice]
    tasks.write_text(conflict.sub(lambda _: chosen, text), encoding="utf-8")
    git("add", "data/tasks.yaml", cwd=two)
    subprocess.run(["git", "-c", "core.editor=true", "rebase", "--continue"], cwd=two, check=True, capture_output=True)
    assert run_lanxi("check", "--data", str(two / "data")).returncode == 0
    assert sync(two).returncode == 0 and sync(one).returncode == 0
    for repo in (one, two):
        assert kept in (repo / "data" / "tasks.yaml").read_text(encoding="utf-8")
        assert len(reports(repo)) == 5


def test_evidence_travels_with_its_reports_and_never_conflicts(server, tmp_path):
    """佐证材料 (issue 27): two offices attach files, one photo by both, then sync: both end with every
    report and every file, the shared photo stored once, and check passes in each."""
    url = publish_town(server, tmp_path)
    a, b = clone(url, tmp_path / "a"), clone(url, tmp_path / "b")
    shared, only_a, only_b = (tmp_path / name for name in ("签到.jpg", "会议.pdf", "总结.docx"))
    shared.write_bytes(b"\xff\xd8 the same photo \xff\xd9")
    only_a.write_bytes(b"%PDF-1.4 minutes")
    only_b.write_bytes(b"PK\x03\x04 a summary")
    for repo, unit, own in ((a, "苏家湖村", only_a), (b, "黄湖村", only_b)):
        result = run_lanxi("report", "add", "-t", "1.1", "-u", unit, "-e", str(shared), "-e", str(own),
                           "--as-of", "2020-09-05", "--data", str(repo / "data"))
        assert result.returncode == 0, result.stderr
    for repo in (a, b, a):
        assert sync(repo).returncode == 0
    names = {p.name for p in (a / "data" / "evidence").iterdir()}
    assert names == {p.name for p in (b / "data" / "evidence").iterdir()}
    assert len(names - {".gitattributes"}) == 3 and reports(a) == reports(b) and len(reports(a)) == 2
    for repo in (a, b):
        assert run_lanxi("check", "--data", str(repo / "data")).returncode == 0
        assert git("status", "--porcelain", cwd=repo) == ""
