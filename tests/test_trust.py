"""Trust (issue 11): no record lost in any git state, nothing read or written
outside the data folder, nothing dangerous passed on, no traceback.

Real git repositories in temporary folders, real signals, real FIFOs.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, git, run_lanxi

from lanxi_cli.core.typed import DATE_FORMS

AS_OF = "2020-09-20"
ADD = ["report", "add", "--as-of", AS_OF, "--task", "5.1", "--unit", "派出所", "--status", "done"]


# What report add says on stderr for ADD (派出所 only leads 5.1), after any warning.
LEAD_ONLY = "提示：兰溪派出所 是任务 5.1 的牵头单位，不承担该任务的义务；本报告只作记录，不计入任何义务的完成。\n"


def reports(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports").rglob("*.yaml"))


def shown(path: Path, data_dir: Path) -> str:
    """A data file as lanxi shows it: relative to the data folder's parent."""
    return path.relative_to(data_dir.parent).as_posix()


def stray(folder: Path) -> list[str]:
    """Temporary files of our naming (.NAME.PID.tmp) anywhere under `folder`."""
    return sorted(str(p) for p in folder.rglob(".*.tmp"))


def remedy(repo: Path, *files: str) -> str:
    """What the warning of a failed commit adds after the files it names: their state and how to commit them."""
    import shlex

    paths, where = " ".join(shlex.quote(f) for f in files), shlex.quote(str(repo))
    return (f"（未暂存，仍在磁盘上，git reset --hard 不会删除它；问题解决后补交：git -C {where} add -- {paths}"
            f" && git -C {where} commit -m 补交 -- {paths}）")


def branch(repo: Path) -> str:
    return git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo).strip()


def commit_notes(repo: Path, text: str, message: str) -> None:
    """Change notes.txt beside data/ (never plan.yaml: a conflict there breaks the plan first)."""
    (repo / "notes.txt").write_text(text, encoding="utf-8")
    git("add", "notes.txt", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)


def try_git(*args: str, cwd: Path) -> None:
    """A git command expected to stop half-way (a conflict): its failure is the point."""
    subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


# ---- 1. git states ---------------------------------------------------------------------------


def _conflicting_branches(repo: Path) -> str:
    main = branch(repo)
    git("checkout", "-q", "-b", "side", cwd=repo)
    commit_notes(repo, "side\n", "side")
    git("checkout", "-q", main, cwd=repo)
    commit_notes(repo, "main\n", "main")
    return main


def _merge(repo):
    _conflicting_branches(repo)
    try_git("merge", "side", cwd=repo)
    return "合并（merge）", "git merge --continue 或 --abort", ["merge", "--abort"]


def _rebase(repo):
    main = _conflicting_branches(repo)
    git("checkout", "-q", "side", cwd=repo)
    try_git("rebase", main, cwd=repo)
    return "变基（rebase）", "git rebase --continue 或 --abort", ["rebase", "--abort"]


def _cherry_pick(repo):
    _conflicting_branches(repo)
    try_git("cherry-pick", "side", cwd=repo)
    return "拣选（cherry-pick）", "git cherry-pick --continue 或 --abort", ["cherry-pick", "--abort"]


def _revert(repo):
    commit_notes(repo, "one\n", "one")
    commit_notes(repo, "two\n", "two")
    try_git("revert", "--no-edit", "HEAD~1", cwd=repo)
    return "撤销提交（revert）", "git revert --continue 或 --abort", ["revert", "--abort"]


def _bisect(repo):
    git("bisect", "start", cwd=repo)
    return "二分查找（bisect）", "git bisect reset", ["bisect", "reset"]


STATES = {"merge": _merge, "rebase": _rebase, "cherry-pick": _cherry_pick, "revert": _revert, "bisect": _bisect}


@pytest.mark.parametrize("state", list(STATES))
def test_no_write_in_the_middle_of_a_git_operation(cli, git_data_dir, state):
    """The rebase finding: a report added mid-rebase was committed onto the
    temporary HEAD and lost on --abort. Now nothing is written, and after the
    abort the repository is as it was."""
    repo = git_data_dir.parent
    what, finish, abort = STATES[state](repo)
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 1
    assert result.stdout == ""
    said = f"数据仓库 {repo} 正在进行{what}，尚未完成；请先完成或放弃（{finish}），再记录。没有写入任何内容"
    assert result.stderr == said + "\n"
    assert reports(git_data_dir) == [] and stray(repo) == []
    git(*abort, cwd=repo)
    assert git("status", "--porcelain", cwd=repo) == ""


def test_no_write_on_a_detached_head(cli, git_data_dir):
    repo = git_data_dir.parent
    git("checkout", "-q", "--detach", cwd=repo)
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 1
    assert result.stderr == (
        f"数据仓库 {repo} 处于游离 HEAD（detached HEAD）状态，不在任何分支上；"
        "请先切换到分支（git switch 分支名），再记录。没有写入任何内容\n"
    )
    assert reports(git_data_dir) == []


def test_every_writing_command_refuses_during_a_merge(cli, git_data_dir, tmp_path_factory):
    """One check, in the one place every record is written (save.save_record),
    and before unit liaison rewrites liaisons.yaml."""
    repo = git_data_dir.parent
    done = cli(*ADD, "--data", str(git_data_dir))
    ext = cli("extension", "request", "--task", "1.4", "--unit", "黄湖村", "--until", "2020-10-20", "--reason", "换届",
              "--data", str(git_data_dir), "--as-of", AS_OF)
    assert done.exit_code == 0 and ext.exit_code == 0, ext.output
    form = _filled_form(cli, git_data_dir, tmp_path_factory.mktemp("forms"))
    before = sorted(git("ls-files", "--", "data", cwd=repo).split())
    _merge(repo)
    data = ("--data", str(git_data_dir), "--as-of", AS_OF)
    done_id = Path(done.stdout.strip()).stem
    commands = [
        ("report", "review", done_id, "--approve", "--by", "禁毒办", *data),
        ("extension", "decide", ext.stdout.strip(), "--approve", "--by", "禁毒办", *data),
        ("indicator", "set", "知晓率", "0.9", "--by", "禁毒办", *data),
        ("report", "add", "--task", "1.4", "--unit", "黄湖村", *data, "--no-commit"),
        ("report", "add", "--task", "1.4", "--unit", "黄湖村", "--unit", "苏家湖", *data),
        ("report", "amend", done_id, "--note", "补充", "--reason", "补", *data),
        ("report", "withdraw", done_id, "--reason", "重复", *data),
        ("withdraw", Path(ext.stdout.strip()).stem, "--reason", "重复", *data),
        ("exemption", "request", "--task", "3.3", "--unit", "苏家湖", "--reason", "本村无高中", *data),
        ("unit", "liaison", "苏家湖", "--name", "张三", *data),
    ]
    said = (f"数据仓库 {repo} 正在进行合并（merge），尚未完成；请先完成或放弃（git merge --continue 或 --abort），"
            "再记录。没有写入任何内容")
    for args in commands:
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == said + "\n", (args, result.stderr)
    imported = cli("form", "import", str(form), "--by", "王五", *data, "--format", "json")
    assert imported.exit_code == 1
    assert json.loads(imported.stdout)[0]["errors"] == [f"{form}: {said}"]
    git("merge", "--abort", cwd=repo)
    assert sorted(git("ls-files", "--", "data", cwd=repo).split()) == before
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == ""


def _filled_form(cli, data_dir: Path, folder: Path) -> Path:
    """苏家湖村's 填报表 with one row filled in (1.1 done on 09-02), as the village sends it back."""
    from openpyxl import load_workbook

    made = cli("form", "make", "-o", str(folder), "--unit", "苏家湖村", "--data", str(data_dir), "--as-of", AS_OF)
    assert made.exit_code == 0, made.output
    [path] = folder.glob("*.xlsx")
    book = load_workbook(path)
    sheet = book["填报表"]
    [row] = [r for r in range(5, sheet.max_row + 1) if sheet[f"B{r}"].value == "1.1"]
    sheet[f"G{row}"], sheet[f"J{row}"] = "完成", "2020-09-02"
    book.save(path)
    return path


def test_a_failed_commit_leaves_the_report_unstaged_and_named(cli, git_data_dir):
    """The finding: after a failing hook the file stayed staged, and `git reset --hard` deleted it."""
    repo = git_data_dir.parent
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 0
    [path] = reports(git_data_dir)
    assert result.stdout == f"{shown(path, git_data_dir)}\n"
    assert result.stderr == (f"警告：报告已保存，但没有提交到 git：git commit 失败：1；"
                             f"未提交的文件：{shown(path, git_data_dir)}"
                             f"{remedy(repo, shown(path, git_data_dir))}\n" + LEAD_ONLY)
    assert git("diff", "--cached", "--name-only", cwd=repo) == ""
    git("reset", "-q", "--hard", cwd=repo)
    assert reports(git_data_dir) == [path]


def test_a_failed_commit_of_several_files_leaves_each_unstaged_and_named(cli, git_data_dir, tmp_path_factory):
    """report add for two units and form import commit several files at once: all stay, none staged."""
    repo = git_data_dir.parent
    form = _filled_form(cli, git_data_dir, tmp_path_factory.mktemp("forms"))
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    data = ("--data", str(git_data_dir), "--as-of", AS_OF)
    added = cli("report", "add", "--task", "1.4", "--unit", "黄湖村", "--unit", "苏家湖", "--count", "1", *data)
    assert added.exit_code == 0, added.output
    two = [shown(path, git_data_dir) for path in reports(git_data_dir)]
    assert sorted(added.stdout.splitlines()) == two
    assert added.stderr.splitlines()[0] == (
        f"警告：报告已保存，但没有提交到 git：git commit 失败：1；未提交的文件：{'、'.join(added.stdout.splitlines())}"
        f"{remedy(repo, *added.stdout.splitlines())}")
    imported = cli("form", "import", str(form), "--by", "王五", *data)
    assert imported.exit_code == 0, imported.output
    [new] = [shown(path, git_data_dir) for path in reports(git_data_dir) if shown(path, git_data_dir) not in two]
    assert imported.stderr == (f"警告：{form} 的报告已保存，但没有提交到 git：git commit 失败：1；未提交的文件：{new}"
                               f"{remedy(repo, new)}\n")
    assert git("diff", "--cached", "--name-only", cwd=repo) == ""
    git("reset", "-q", "--hard", cwd=repo)
    assert len(reports(git_data_dir)) == 3


def test_init_in_a_repository_holds_to_the_same_rules(cli, tmp_path):
    """lanxi init DIR where DIR is a repository's top: not during a merge, and a
    failed commit leaves plan.yaml and tasks.yaml unstaged."""
    repo = tmp_path / "town"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    for key, value in (("user.name", "测试员"), ("user.email", "test@example.org"), ("commit.gpgsign", "false")):
        git("config", key, value, cwd=repo)
    commit_notes(repo, "start\n", "start")
    _merge(repo)
    result = cli("init", str(repo), "--town", "兰溪镇")
    assert result.exit_code == 1
    assert result.stderr == (f"数据仓库 {repo} 正在进行合并（merge），尚未完成；请先完成或放弃"
                             "（git merge --continue 或 --abort），再记录。没有写入任何内容\n")
    assert not (repo / "data").exists()
    git("merge", "--abort", cwd=repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = cli("init", str(repo), "--town", "兰溪镇")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("警告：文件已写入，但没有提交到 git：git commit 失败：1\n")
    assert git("diff", "--cached", "--name-only", cwd=repo) == ""
    assert sorted(p.name for p in (repo / "data").iterdir()) == ["plan.yaml", "reports", "tasks.yaml"]


def test_ctrl_c_during_the_commit_says_the_report_is_kept_unstaged(git_data_dir):
    """SIGINT while git commits: exit 130, a warning naming the file, nothing left staged."""
    repo = git_data_dir.parent
    child = subprocess.Popen(
        [sys.executable, "-c", STOP_IN_COMMIT, *ADD, "--data", str(git_data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout.readline() == "stopped\n"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    [path] = reports(git_data_dir)
    assert child.returncode == 130
    said = f"警告：已中断：报告已保存，但没有提交到 git；未提交的文件：{shown(path, git_data_dir)}\n"
    assert (out, err) == ("", said)
    assert git("diff", "--cached", "--name-only", cwd=repo) == ""


STOP_IN_COMMIT = textwrap.dedent("""
    import runpy, subprocess, sys, time
    real_run = subprocess.run
    def run(args, *rest, **kw):
        if list(args[:2]) == ["git", "commit"]:
            print("stopped", flush=True)
            time.sleep(60)
        return real_run(args, *rest, **kw)
    subprocess.run = run
    sys.argv = ["lanxi", *sys.argv[1:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


def _other_repo(tmp_path: Path) -> Path:
    other = tmp_path / "other"
    other.mkdir()
    git("init", "-q", cwd=other)
    (other / "x.txt").write_text("x\n")
    git("add", "x.txt", cwd=other)
    git("-c", "user.name=o", "-c", "user.email=o@example.org", "commit", "-q", "-m", "other", cwd=other)
    return other


def test_git_variables_never_point_lanxi_elsewhere(git_data_dir, tmp_path_factory):
    """GIT_DIR (as inside a hook or `rebase -x`) once sent the report into another repository."""
    repo, other = git_data_dir.parent, _other_repo(tmp_path_factory.mktemp("elsewhere"))
    env = {
        "GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other), "GIT_INDEX_FILE": str(other / ".git" / "i2"),
        "GIT_OBJECT_DIRECTORY": str(other / ".git" / "objects"), "GIT_CEILING_DIRECTORIES": str(repo),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(other / ".git" / "objects"),
    }
    result = run_lanxi(*ADD, "--data", str(git_data_dir), env=env)
    assert result.returncode == 0 and result.stderr == LEAD_ONLY, result.stderr
    assert git("log", "--format=%s", cwd=repo).splitlines() == ["报告：5.1 兰溪派出所 2020-09-20 完成", "plan"]
    assert git("status", "--porcelain", cwd=repo) == ""
    assert git("log", "--format=%s", cwd=other).splitlines() == ["other"]
    assert git("status", "--porcelain", cwd=other) == ""
    logged = run_lanxi("log", "--data", str(git_data_dir), "--format", "json", env=env)
    assert [c["subject"] for c in json.loads(logged.stdout)] == ["报告：5.1 兰溪派出所 2020-09-20 完成", "plan"]


def test_log_survives_any_subject_and_author(cli, git_data_dir):
    """\\x1e in a subject broke `lanxi log`, \\x1f in an author shifted its fields, and
    escape codes in a subject reached the terminal."""
    repo = git_data_dir.parent
    subject = "\x1b[2J\x1b[31mFAKE\x1e分隔\x1f\u202e"
    author = "张\x1f三\x1e丰"
    (git_data_dir / "plan.yaml").write_text((git_data_dir / "plan.yaml").read_text(encoding="utf-8") + "\n")
    git("-c", f"user.name={author}", "commit", "-q", "-am", subject, cwd=repo)
    result = cli("log", "--data", str(git_data_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["subject"], r["author"], r["files"]) for r in rows] == [
        (subject, author, ["data/plan.yaml"]), ("plan", "测试员", ["data/plan.yaml", "data/tasks.yaml"]),
    ]
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout  # JSON escapes it; the same string
    table = cli("log", "--data", str(git_data_dir), env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert not re.search("[\x1b\x1e\x1f\u202e]", table.stdout)
    assert "\\x1b[2J\\x1b[31mFAKE\\x1e分隔\\x1f\\u202e" in table.stdout
    assert "张\\x1f三\\x1e丰" in table.stdout


# ---- 2. staying inside the data folder -----------------------------------------------------


def _plan_line(data_dir: Path, text: str) -> int:
    lines = (data_dir / "plan.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../../../x", "不能含有 / 或 \\"),
        ("上..下", "不能含有 .."),
        ("a/b", "不能含有 / 或 \\"),
        ("a\\\\b", "不能含有 / 或 \\"),
        (".hidden", "不能以 . 开头"),
    ],
)
def test_names_that_reach_file_names_are_checked(cli, data_dir, name, why):
    """A unit named `../../../../x` once passed check and sent a report out of the data folder."""
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("{name: 黄湖村, kind: village,", f'{{name: "{name}", kind: village, aliases: ["{name}1"],')
    text = text.replace("{name: 外流贩毒人数,", f'{{name: "{name}2",')
    plan.write_text(text, encoding="utf-8")
    typed = name.replace("\\\\", "\\")
    line = _plan_line(data_dir, f'"{name}"')
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    measure_line = _plan_line(data_dir, f'"{name}2"')
    found = [ln for ln in result.stdout.splitlines() if "名称“" in ln]
    assert found == [
        f"data/plan.yaml:{line}: units.1.name: 名称“{typed}”{why}（它会成为文件名的一部分）",
        f"data/plan.yaml:{line}: units.1.aliases.0: 名称“{typed}1”{why}（它会成为文件名的一部分）",
        f"data/plan.yaml:{measure_line}: goals.measures.8.name: 名称“{typed}2”{why}（它会成为文件名的一部分）",
    ]


def test_a_symlinked_folder_leading_outside_receives_nothing(cli, data_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (data_dir / "reports" / "2020").mkdir()
    (data_dir / "reports" / "2020" / "09").symlink_to(outside)
    result = cli(*ADD, "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 1
    assert result.stderr == (  # report add reads the reports first (to say what the new one adds)
        f"警告：data/reports/2020/09: 是指向数据目录之外（{outside}）的符号链接，不予读取（已跳过此报告）\n"
        f"data/reports/2020/09 经符号链接指向数据目录 {data_dir} 之外，拒绝写入；没有写入任何内容\n"
    )
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("folder", ["withdrawals", "exemptions"])
def test_the_other_record_folders_are_held_inside_too(cli, data_dir, tmp_path, folder):
    outside = tmp_path / "outside"
    outside.mkdir()
    (data_dir / folder / "2020").mkdir(parents=True)
    (data_dir / folder / "2020" / "09").symlink_to(outside)
    data = ("--data", str(data_dir), "--as-of", AS_OF, "--no-commit")
    added = cli(*ADD, *data)
    assert added.exit_code == 0, added.output
    args = {
        "withdrawals": ("report", "withdraw", Path(added.stdout.strip()).stem, "--reason", "重复"),
        "exemptions": ("exemption", "request", "--task", "3.3", "--unit", "苏家湖", "--reason", "本村无高中"),
    }[folder]
    result = cli(*args, *data)
    assert result.exit_code == 1
    read = {"withdrawals": f"警告：data/withdrawals/2020/09: 是指向数据目录之外（{outside}）的符号链接，"
                           "不予读取（已跳过此撤回记录）\n", "exemptions": ""}[folder]  # read before a withdrawal
    assert result.stderr == read + (
        f"data/{folder}/2020/09 经符号链接指向数据目录 {data_dir} 之外，拒绝写入；没有写入任何内容\n"
    )
    assert list(outside.iterdir()) == []


def test_a_symlinked_folder_deeper_down_is_caught_before_it_is_made(cli, data_dir, tmp_path):
    """reports/2020 leads outside and 09 does not exist yet: nothing is made out there."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (data_dir / "reports" / "2020").symlink_to(outside)
    result = cli(*ADD, "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 1 and "拒绝写入" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_symlink_leading_inside_the_data_folder_is_fine(cli, data_dir):
    (data_dir / "reports" / "archive").mkdir()
    (data_dir / "reports" / "2020").symlink_to(data_dir / "reports" / "archive")
    result = cli(*ADD, "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 0, result.output
    assert len(list((data_dir / "reports" / "archive" / "09").iterdir())) == 1


REPORT = "task: '5.1'\nunit: 派出所\ndate: 2020-09-02\nstatus: done\n"


@pytest.mark.parametrize("target", ["outside.yaml", "/proc/self/status", "folder"])
def test_a_symlinked_report_leading_outside_is_skipped_and_named(cli, data_dir, tmp_path, target):
    """One aimed at /proc/self/status once printed its keys; one leading to a real report was counted."""
    (tmp_path / "outside.yaml").write_text(REPORT, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "r.yaml").write_text(REPORT, encoding="utf-8")
    real = target if target.startswith("/") else str(tmp_path / target)
    link = data_dir / "reports" / ("link.yaml" if target != "folder" else "09")
    link.symlink_to(real)
    message = f"data/reports/{link.name}: 是指向数据目录之外（{os.path.realpath(real)}）的符号链接，不予读取"
    result = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == f"警告：{message}（已跳过此报告）\n"
    assert json.loads(result.stdout) == []
    checked = cli("check", "--data", str(data_dir))
    assert checked.exit_code == 1 and checked.stdout == f"{message}\n"


def test_a_reports_path_that_is_a_file_is_an_error(cli, data_dir):
    (data_dir / "reports").rmdir()
    (data_dir / "reports").write_text("", encoding="utf-8")
    for args in (("status", "--as-of", AS_OF), ("check",)):
        result = cli(*args, "--data", str(data_dir))
        assert result.exit_code == 1
        assert result.stderr == "data/reports 不是目录，无法从中读取记录；请改正后再试\n"


# ---- 3. nothing dangerous passed on --------------------------------------------------------


@pytest.mark.parametrize("option", ["--note", "--by", "--evidence"])
@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x1b"])
def test_bidi_and_escape_characters_are_refused_in_new_records(cli, data_dir, option, char):
    result = cli(*ADD, "--data", str(data_dir), option, f"付款{char}txt.exe")
    assert result.exit_code == 2
    assert result.stderr == f"{option} 的第 3 个字符是控制字符或无效字符（U+{ord(char):04X}），请删去\n"
    assert reports(data_dir) == []


@pytest.mark.parametrize("char", ["\u202e", "\x1b"])
def test_every_writer_refuses_them(cli, data_dir, char):
    """indicator set has no text check of its own: save_record refuses what the
    loader would. unit liaison, writing liaisons.yaml, checks its --name."""
    common = ("--data", str(data_dir), "--as-of", AS_OF)
    value = cli("indicator", "set", "知晓率", "0.9", "--by", "禁毒办", "--note", f"付款{char}txt.exe", *common)
    assert value.exit_code == 2
    assert value.stderr == f"note 含有控制字符（U+{ord(char):04X}），请删去；没有写入任何内容\n"
    assert not (data_dir / "indicators").exists()
    liaison = cli("unit", "liaison", "苏家湖", "--name", f"张{char}三", *common)
    assert liaison.exit_code == 2
    assert liaison.stderr == f"--name 的第 2 个字符是控制字符或无效字符（U+{ord(char):04X}），请删去\n"
    assert not (data_dir / "liaisons.yaml").exists()


def test_a_bidi_override_in_a_report_file_is_named_by_check(cli, data_dir):
    (data_dir / "reports" / "r.yaml").write_text(REPORT + "note: 付款\u202etxt.exe\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert result.stdout == "data/reports/r.yaml:5: note: 含有控制字符 U+202E；请删去\n"


def test_what_a_user_typed_reaches_the_terminal_escaped(cli, data_dir):
    result = cli(*ADD[:-6], "--task", "5.1", "--unit", "\x1b]0;title\x07\x1b[2J红", "--data", str(data_dir))
    assert result.exit_code == 2
    assert result.stderr == "未知单位“\\x1b]0;title\\x07\\x1b[2J红”；用 lanxi units 查看全部单位\n"
    bad = cli("tasks", "--data", str(data_dir), "--as-of", "\u202e2020-09-20")
    assert bad.exit_code == 2
    assert bad.stderr == f"--as-of 的日期“\\u202e2020-09-20”无效，应为真实存在的日期，如 {DATE_FORMS}\n"


def test_markup_in_a_note_is_shown_as_written(cli, data_dir):
    """rich would read `[/x]` as markup (and fail on it): every console reads none."""
    note = "[/x][b]粗:smile:"
    assert cli(*ADD, "--data", str(data_dir), "--note", note, "--no-commit").exit_code == 0
    result = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert note in result.stdout


def test_formula_text_never_becomes_a_formula(cli, data_dir, tmp_path):
    """The finding: a note `=HYPERLINK(...)` became a live formula in the 台账 and in csv."""
    from openpyxl import load_workbook

    note, by = '=HYPERLINK("http://x/?a="&B2,"查看")', "=1+1"
    added = cli(*ADD, "--data", str(data_dir), "--note", note, "--by", by, "--no-commit")
    assert added.exit_code == 0, added.output
    out = tmp_path / "l.xlsx"
    assert cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0
    sheet = load_workbook(out)["报告"]  # a title row, the header, then the reports
    row = {head.value: (c.value, c.data_type) for head, c in zip(sheet[2], sheet[3], strict=True)}
    assert row["说明"] == (note, "s") and row["报告人"] == (by, "s")
    listed = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "csv")
    assert f',"\'{note.replace(chr(34), chr(34) * 2)}",' in listed.stdout and ",'=1+1," in listed.stdout
    from lanxi_cli.render.shapes import csv_cell

    for lead in ("+", "-", "@", "\t", "\r"):
        assert csv_cell(f"{lead}x") == f"'{lead}x"
    assert csv_cell("x=1") == "x=1" and csv_cell(-3) == "-3"  # a number is no formula


# ---- 4. bounded reading ------------------------------------------------------------------


def _cache_file(data_dir: Path, cache_home: Path, name: str) -> Path:
    from lanxi_cli.store.cache import cache_file

    path = cache_file(data_dir, name)
    assert str(path).startswith(str(cache_home))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize("name", ["book", "reports", "index", "index-files"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_cache_that_is_not_a_file_is_never_read(data_dir, cache_home, kind, name):
    """A FIFO in place of the cache hung every query; a symlink to /dev/zero ate memory.
    The data files are dated ahead, so that no run keeps a cache over the FIFO: on a machine
    slow enough that 2 s pass between the copy and the query, the plan's cache was written over it
    (the test failed under load; issue 24)."""
    ahead = time.time_ns() + 3600 * 10**9
    for file in data_dir.rglob("*"):
        os.utime(file, ns=(ahead, ahead))
    path = _cache_file(data_dir, cache_home, name)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home), "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "lanxi_cli", "tasks", "--overdue", "--data", str(data_dir), "--as-of", AS_OF],
        capture_output=True, text=True, timeout=60, env=env, preexec_fn=_limited,
    )
    assert result.returncode == 0 and result.stderr == ""
    assert stat.S_ISFIFO(os.lstat(path).st_mode) if kind == "fifo" else path.is_symlink()


def test_report_add_refuses_what_the_loader_would_refuse(cli, data_dir):
    """300 evidence values of 990 characters once made a 298 KB file no reader would read."""
    evidence = [arg for i in range(300) for arg in ("-e", f"https://example.org/{i:03d}" + "证" * 967)]
    result = cli(*ADD, "--data", str(data_dir), "--no-commit", *evidence)
    assert result.exit_code == 2
    assert re.fullmatch(r"记录过大（\d+ KB，上限 256 KB，超过的文件无法读回）；请精简说明或佐证，没有写入任何内容\n",
                        result.stderr), result.stderr
    assert reports(data_dir) == []
    fits = cli(*ADD, "--data", str(data_dir), "--no-commit", *evidence[:100])
    assert fits.exit_code == 0 and cli("check", "--data", str(data_dir)).exit_code == 0


# ---- 5. no traceback anywhere ------------------------------------------------------------


def test_report_missing_on_year_one(cli, data_dir):
    result = cli("report", "missing", "--data", str(data_dir), "--as-of", "0001-01-05")
    assert result.exit_code == 2
    assert result.stderr == "--as-of 的日期“0001-01-05”年份不对，应在 1900 到 2099 年之间\n"


def test_an_output_name_too_long_is_a_usage_error(cli, data_dir, tmp_path):
    name = tmp_path / ("通" * 100 + ".md")
    result = cli("bulletin", "-o", str(name), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == f"输出文件“{name}”无法使用（文件名过长）\n"


@pytest.mark.parametrize(("command", "suffix"), [("export", ".xlsx"), ("export", ".csv"), ("bulletin", ".md")])
def test_a_legal_long_output_name_is_written(cli, data_dir, tmp_path, command, suffix):
    """A 250-byte name is legal; its temporary sibling once was not."""
    name = "台" * ((250 - len(suffix)) // 3) + suffix
    assert 245 <= len(name.encode()) <= 255
    out = tmp_path / name
    result = cli(command, "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and stray(tmp_path) == []


def test_a_folder_at_the_commit_lock_keeps_the_report(cli, git_data_dir):
    lock = git_data_dir.parent / ".git" / "lanxi-commit.lock"
    lock.mkdir()
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 0
    [path] = reports(git_data_dir)
    assert result.stderr == (f"警告：报告已保存，但没有提交到 git：无法创建提交锁 {lock}（这是一个目录）；"
                             f"未提交的文件：{shown(path, git_data_dir)}"
                             f"{remedy(git_data_dir.parent, shown(path, git_data_dir))}\n" + LEAD_ONLY)


def test_a_read_only_git_folder_keeps_the_report(git_data_dir):
    """`.git` mounted read-only (in a mount namespace of the test's own)."""
    repo = git_data_dir.parent
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to mount .git read-only")
    script = 'mount --bind .git .git && mount -o remount,bind,ro .git && exec "$@"'
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", sys.executable, "-m", "lanxi_cli", *ADD, "--data", "data"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=60,
    )
    if "mount:" in result.stderr:
        pytest.skip(f"mounting is not allowed here: {result.stderr.strip()}")
    [path] = reports(git_data_dir)
    assert result.returncode == 0
    assert result.stderr == (
        f"警告：报告已保存，但没有提交到 git：无法创建提交锁 {repo}/.git/lanxi-commit.lock（文件系统只读）；"
        f"未提交的文件：{shown(path, git_data_dir)}{remedy(repo, shown(path, git_data_dir))}\n" + LEAD_ONLY
    )


def test_stdout_on_a_full_disk_still_commits(git_data_dir):
    repo = git_data_dir.parent
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "lanxi_cli", *ADD, "--data", str(git_data_dir)],
                                stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "无法写出结果（磁盘空间已满）\n"
    assert git("log", "-1", "--format=%s", cwd=repo) == "报告：5.1 兰溪派出所 2020-09-20 完成\n"
    assert git("status", "--porcelain", cwd=repo) == ""


def test_stdout_into_a_closed_pipe_still_commits(git_data_dir):
    repo = git_data_dir.parent
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([sys.executable, "-m", "lanxi_cli", *ADD, "--data", str(git_data_dir)],
                                stdout=write, stderr=subprocess.PIPE, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write)
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert git("log", "-1", "--format=%s", cwd=repo) == "报告：5.1 兰溪派出所 2020-09-20 完成\n"
    assert git("status", "--porcelain", cwd=repo) == ""


INTERRUPT_ON_IMPORT = textwrap.dedent("""
    import runpy, sys

    class CtrlC:  # Ctrl-C arrives while `module` is being imported
        def __init__(self, module):
            self.module = module
        def find_spec(self, name, path=None, target=None):
            if name == self.module:
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, CtrlC(sys.argv[1]))
    sys.argv = ["lanxi", *sys.argv[2:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


@pytest.mark.parametrize(
    ("module", "said"),
    [
        ("typer", "\n已中断，没有写入任何内容。\n"),  # while lanxi_cli.cli loads
        ("lanxi_cli.cli.common", "\n已中断。\n"),  # loaded with the command that runs (the lazy table)
        ("lanxi_cli.store.cache", "\n已中断。\n"),  # inside the command (typer alone would say nothing)
        ("lanxi_cli.render.grid", "\n已中断。\n"),  # drawing the table (rich.console is no longer used)
    ],
)
def test_ctrl_c_while_starting_is_one_sentence(data_dir, module, said):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", INTERRUPT_ON_IMPORT, module, "tasks", "--data", str(data_dir)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (130, "", said)


STARTED = textwrap.dedent("""
    import runpy, sys

    class Started:  # says so once lanxi_cli.main starts loading the commands
        def find_spec(self, name, path=None, target=None):
            if name == "lanxi_cli.cli":
                sys.stderr.write("started\\n")
                sys.stderr.flush()
            return None

    sys.meta_path.insert(0, Started())
    sys.argv = ["lanxi", *sys.argv[1:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


def test_ctrl_c_at_any_moment_of_start_up_never_prints_a_traceback(data_dir):
    """Real SIGINTs sent 0–0.25 s after lanxi starts loading its commands (typer, click…):
    one sentence and exit 130, or the command was done already."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    codes = []
    for delay in (0, 0.01, 0.02, 0.04, 0.06, 0.1, 0.15, 0.25):
        child = subprocess.Popen([sys.executable, "-c", STARTED, "status", "--data", str(data_dir)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        assert child.stderr.readline() == "started\n"
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        err = child.communicate(timeout=60)[1]
        assert child.returncode in (0, 130), (delay, child.returncode, err)
        if child.returncode == 130:
            assert err in ("\n已中断，没有写入任何内容。\n", "\n已中断。\n"), err
        codes.append(child.returncode)
    assert 130 in codes


AT_EXIT = textwrap.dedent("""
    import atexit, runpy, sys, time

    def exiting():  # the command is done; the process lingers a moment on its way out
        sys.stderr.write("exiting\\n")
        sys.stderr.flush()
        time.sleep(1)

    atexit.register(exiting)
    sys.argv = ["lanxi", *sys.argv[1:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


def test_ctrl_c_once_the_command_is_done_changes_nothing(data_dir):
    """A Ctrl-C on the way out, after the answer was printed: exit 0, nothing on stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", AT_EXIT, "status", "--data", str(data_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stderr.readline() == "exiting\n"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, err) == (0, "")
    assert out  # the answer was printed


# Held at the report's own fsync only: on a loaded machine the plan files grow older than the cache's
# 2 s while the test starts, and the book's cache (written first, also fsync'ed) took the SIGTERM
# before any report was written (the test failed under load; issue 24).
HOLD_IN_FSYNC = textwrap.dedent("""
    import os, runpy, sys, time
    real_fsync = os.fsync
    def fsync(fd):
        if "/reports/" in os.readlink(f"/proc/self/fd/{fd}"):
            print("stopped", flush=True)
            time.sleep(1)
        real_fsync(fd)
    os.fsync = fsync
    sys.argv = ["lanxi", *sys.argv[1:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


def test_sigterm_during_a_write_leaves_no_temporary_file(data_dir):
    """SIGTERM while the temporary file is open: the write finishes, then the process ends."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", HOLD_IN_FSYNC, *ADD, "--data", str(data_dir), "--no-commit"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stdout.readline() == "stopped\n"
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM
    assert stray(data_dir) == []
    [path] = reports(data_dir)
    assert "status: done" in path.read_text(encoding="utf-8")


def test_stale_temporaries_of_dead_processes_are_swept(cli, data_dir):
    folder = data_dir / "reports" / "2020" / "09"
    folder.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "60"])
    try:
        (folder / f".2020-09-20-兰溪派出所-5.1-aaaaaa.yaml.{dead.pid}.tmp").write_text("half")
        (folder / f".2020-09-20-兰溪派出所-5.1-bbbbbb.yaml.{alive.pid}.tmp").write_text("being written")
        assert cli(*ADD, "--data", str(data_dir), "--no-commit").exit_code == 0
        assert [Path(p).name for p in stray(data_dir)] == [f".2020-09-20-兰溪派出所-5.1-bbbbbb.yaml.{alive.pid}.tmp"]
    finally:
        alive.kill()
        alive.wait()


# ---- 6. strict values --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2020-09-2_0", "2020-+9-20", "+2020-09-20", "2020-09-20T", "20200920",
                                  "2020-09-٢٠", "2020-02-30", "2020-9"])
def test_dates_are_digits_and_separators_only(cli, data_dir, text):
    for option in ("--as-of", "--date"):
        args = (*ADD, "--data", str(data_dir), option, text) if option == "--date" else (
            "tasks", "--data", str(data_dir), "--as-of", text)
        result = cli(*args)
        assert result.exit_code == 2
        assert result.stderr == f"{option} 的日期“{text}”无效，应为真实存在的日期，如 {DATE_FORMS}\n"
    assert reports(data_dir) == []


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_nonsense_years_are_refused(cli, data_dir, text):
    result = cli("tasks", "--data", str(data_dir), "--as-of", text)
    assert result.exit_code == 2
    assert result.stderr == f"--as-of 的日期“{text}”年份不对，应在 1900 到 2099 年之间\n"


@pytest.mark.parametrize("text", ["２０２０－０９－２０", "2020/9/20", " 2020.09.20 "])
def test_usual_ways_of_writing_a_date_still_work(cli, data_dir, text):
    result = cli(*ADD, "--date", text, "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 0, result.output
    assert [p.name[:10] for p in reports(data_dir)] == ["2020-09-20"]


def test_a_report_dated_before_the_campaign_is_refused(cli, data_dir):
    """A typo year (2019-09-20) once filled September 2020 on time."""
    result = cli(*ADD, "--data", str(data_dir), "--date", "2019-09-20")
    assert result.exit_code == 2
    assert result.stderr == "报告日期 2019-09-20 早于活动开始日期 2020-08-01\n"
    assert cli(*ADD, "--data", str(data_dir), "--date", "2020-08-01", "--no-commit").exit_code == 0


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "nan", "inf"])
def test_rates_lie_between_0_and_1(cli, data_dir, rate):
    result = cli(*ADD[:-2], "--task", "6.1", "--unit", "苏家湖", "--rate", rate, "--data", str(data_dir))
    assert result.exit_code == 2 and "--rate 应在 0 到 1 之间" in result.stderr
    assert reports(data_dir) == []


@pytest.mark.parametrize(
    ("measure", "value", "message"),
    [
        ("知晓率", "150%", "公众对禁毒知识知晓率是比率，应在 0 到 1 之间（或 0% 到 100%），而不是 1.5"),
        ("知晓率", "93", "公众对禁毒知识知晓率是比率，应在 0 到 1 之间（或 0% 到 100%），而不是 93"),
        ("外流贩毒", "2.5", "外流贩毒人数是人数或件数，应为不小于 0 的整数，而不是 2.5"),
        ("外流贩毒", "-1", "外流贩毒人数是人数或件数，应为不小于 0 的整数，而不是 -1"),
        ("增幅", "-150%", "新滋生吸毒人员增幅是增幅，不能低于 -100%（-1），而不是 -1.5"),
    ],
)
def test_indicator_values_fit_their_measure(cli, data_dir, measure, value, message):
    result = cli("indicator", "set", measure, value, "--by", "禁毒办", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert not (data_dir / "indicators").exists()


def test_a_negative_growth_is_typed_as_it_is_and_the_help_says_so(cli, data_dir):
    import yaml

    result = cli("indicator", "set", "增幅", "-5%", "--by", "禁毒办", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    [path] = sorted((data_dir / "indicators").rglob("*.yaml"))
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["value"] == -0.05
    help_text = cli("indicator", "set", "--help", env={"COLUMNS": "200"}).stdout
    assert "负数直接写，如增幅 -5%" in help_text


def test_check_holds_a_value_file_to_its_measure(cli, data_dir):
    folder = data_dir / "indicators" / "2020" / "09"
    folder.mkdir(parents=True)
    (folder / "v.yaml").write_text("measure: 公众对禁毒知识知晓率\nvalue: 1.5\ndate: 2020-09-01\nby: 禁毒办\n",
                                   encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert result.stdout == ("data/indicators/2020/09/v.yaml:2: value: 公众对禁毒知识知晓率是比率，应在 0 到 1 之间"
                             "（或 0% 到 100%），而不是 1.5\n")
