"""`lanxi report add`: one new file, checked, committed alone; refusals write nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, git, read_report, run_lanxi

AS_OF = "2020-09-20"
LEAD_ONLY = "提示：兰溪派出所 是任务 5.1 的牵头单位，不承担该任务的义务；本报告只作记录，不计入任何义务的完成。\n"


def report_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports").rglob("*.yaml"))


def load(data_dir: Path, path: Path):
    from lanxi_cli.io import load

    report, problems = read_report(path, load.load_book(data_dir))
    assert problems == []
    return report


def add(cli, data_dir, *args: str, input: str | None = None):
    return cli("report", "add", "--data", str(data_dir), "--as-of", AS_OF, *args, input=input)


# ---- notes round-trip exactly ---------------------------------------------------------

NOTES = [
    "键: 值，冒号: 后有空格",
    "# 不是注释 & 不是锚点 *不是别名",
    "- 以短横开头",
    "'单引号' 和 \"双引号\" 与 `反引号`",
    "第一行\n第二行\n\n空行之后",
    "结尾换行\n",
    "结尾两个换行\n\n",
    "\n开头换行",
    "  开头空格\n第二行",
    "行尾空格 \n下一行",
    "制表符\t在中间\n\t开头",
    "emoji 😀🎉 与 中文",
    "yes",
    "2020-09-20",
    "123",
    "null",
    "---\n...\n---",
    "{a: 1}, [b]",
    "%TAG ! !x",
    "|-",
]


@pytest.mark.parametrize("note", NOTES)
def test_note_round_trips_exactly(cli, data_dir, note):
    result = add(cli, data_dir, "--task", "5.1", "--unit", "派出所", "--note", note, "--no-commit")
    assert result.exit_code == 0, result.output
    [path] = report_files(data_dir)
    assert result.stdout.strip().endswith(path.name)
    assert load(data_dir, path).note == note


def test_multiline_note_is_a_readable_block(cli, data_dir):
    note = "今天开展宣传：\n- 发放传单 200 份\n- 张贴标语 # 3 条"
    add(cli, data_dir, "--task", "5.1", "--unit", "派出所", "--note", note, "--no-commit")
    [path] = report_files(data_dir)
    text = path.read_text(encoding="utf-8")
    assert "note: |-\n  今天开展宣传：\n  - 发放传单 200 份\n" in text
    assert "\\u" not in text and "\\U" not in text


def test_file_holds_every_field_and_the_period(cli, data_dir):
    result = add(
        cli, data_dir, "--task", "1.4", "--unit", "苏家湖", "--date", "2020-09-18", "--status", "done",
        "--count", "2", "--by", "张三", "--evidence", "photos/a.jpg", "--evidence", "https://example.org/x",
        "--no-commit",
    )
    assert result.exit_code == 0, result.output
    [path] = report_files(data_dir)
    assert path.parent == data_dir / "reports" / "2020" / "09"
    assert path.name.startswith("2020-09-18-苏家湖村-1.4-")
    report = load(data_dir, path)
    assert (report.task, report.unit, report.status, report.count) == ("1.4", "苏家湖村", "done", 2)
    assert report.period == "2020-09"  # the monthly occurrence the date falls in
    assert report.by == "张三"
    assert report.evidence == ("photos/a.jpg", "https://example.org/x")
    assert report.recorded[:4].isdigit()


def test_defaults_date_to_as_of_and_status_to_progress(cli, data_dir):
    add(cli, data_dir, "--task", "9.1", "--unit", "黄湖村", "--no-commit")
    report = load(data_dir, report_files(data_dir)[0])
    assert (report.date.isoformat(), report.status, report.period) == (AS_OF, "progress", "2020-Q3")


def test_named_period_and_rate(cli, data_dir):
    result = add(cli, data_dir, "--task", "6.1", "--unit", "罗湖村", "--rate", "0.6", "--no-commit")
    assert result.exit_code == 0, result.output
    assert load(data_dir, report_files(data_dir)[0]).rate == 0.6
    result = add(cli, data_dir, "--task", "9.1", "--unit", "罗湖村", "--period", "2020-q3", "--no-commit")
    assert result.exit_code == 0, result.output
    periods = sorted(str(load(data_dir, p).period) for p in report_files(data_dir))
    assert periods == ["2020-Q3", "None"]


# ---- refusals write nothing ------------------------------------------------------------------

REFUSALS = [
    (["--task", "99.1", "--unit", "派出所"], "99.1"),
    (["--task", "5.1", "--unit", "火星村"], "火星村"),
    (["--task", "5.1", "--unit", "湖"], "不明确"),
    (["--task", "1.1", "--unit", "邮政"], "既不牵头也不负责"),
    (["--task", "5.1", "--unit", "派出所", "--date", "2020-02-30"], "2020-02-30"),
    (["--task", "5.1", "--unit", "派出所", "--date", "2020-09-21"], "晚于"),
    (["--task", "5.1", "--unit", "派出所", "--count", "-1"], "负数"),
    (["--task", "6.1", "--unit", "罗湖村", "--rate", "1.5"], "0 到 1"),
    (["--task", "1.4", "--unit", "罗湖村", "--period", "2021-01"], "2020-09、2020-10"),
    (["--task", "5.1", "--unit", "派出所", "--period", "2020-09"], "只有一个周期"),
    (["--task", "5.1", "--unit", "派出所", "--note", "x" * 1_000_000], "过长"),
    (["--task", "5.1", "--unit", "派出所", "--note", "响铃\x07"], "U+0007"),
    (["--task", "5.1", "--unit", "派出所", "--note", "回车\r\n换行"], "U+000D"),
    (["--task", "5.1", "--unit", "派出所", "--by", "张三\n李四"], "U+000A"),
    (["--task", "5.1", "--unit", "派出所", "--status", "finished"], "finished"),
    (["--task", "1.1", "--unit", "苏家湖", "--date", "2019-09-20"], "早于活动开始日期 2020-08-01"),  # a typo year
    (["--task", "7.1", "--unit", "禁毒办", "--count", "1", "--part", "中央"], "可选：中央省级、省内其他"),
    (["--task", "7.1", "--unit", "苏家湖", "--count", "1", "--part", "中央省级"], "该目标不分项，不需要 --part"),
    (["--unit", "派出所"], "--task"),
    (["--task", "5.1"], "--unit"),
    ([], "--task、--unit"),
]


@pytest.mark.parametrize(("args", "said"), REFUSALS, ids=[str(i) for i in range(len(REFUSALS))])
def test_refusal_writes_nothing(cli, git_data_dir, args, said):
    repo = git_data_dir.parent
    head = git("rev-parse", "HEAD", cwd=repo)
    result = add(cli, git_data_dir, *args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert "Traceback" not in result.output
    assert report_files(git_data_dir) == []
    assert git("rev-parse", "HEAD", cwd=repo) == head
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == ""


def test_missing_options_are_asked_for_on_a_terminal(cli, data_dir, monkeypatch):
    from lanxi_cli.cli import report

    monkeypatch.setattr(report, "_interactive", lambda: True)
    # a wrong task and a wrong unit are asked again; the status is asked, 进行中 by default
    result = add(cli, data_dir, "--no-commit", input="99.9\n5.1\n火星村\n派出所\n\n")
    assert result.exit_code == 0, result.output
    assert "10.2" in result.stderr  # the task choices were shown
    assert "兰溪派出所" in result.stderr and "苏家湖村" in result.stderr  # and the units of 5.1
    assert "未知任务编号“99.9”" in result.stderr and "未知单位“火星村”" in result.stderr
    assert result.stderr.count("请重新输入") == 2
    report = load(data_dir, report_files(data_dir)[0])
    assert (report.task, report.unit, report.status, report.count) == ("5.1", "兰溪派出所", "progress", None)


def test_a_terminal_asks_status_and_count_where_a_count_is_the_target(cli, data_dir, monkeypatch):
    from lanxi_cli.cli import report

    monkeypatch.setattr(report, "_interactive", lambda: True)
    # 5.3 asks each village for 3 trainings: the count is asked; a count in words is asked again
    result = add(cli, data_dir, "-t", "5.3", "-u", "黄湖村", "--no-commit", input="完成\n两次\n2\n")
    assert result.exit_code == 0, result.output
    assert "（目标 3，可留空）" in result.stderr and "数量“两次”应为不小于 0 的整数" in result.stderr
    report = load(data_dir, report_files(data_dir)[0])
    assert (report.task, report.unit, report.status, report.count) == ("5.3", "黄湖村", "done", 2)


# ---- git ---------------------------------------------------------------------------------------


def commits(repo: Path) -> list[str]:
    return git("log", "--format=%s", cwd=repo).splitlines()


def test_commits_that_one_file_with_a_plain_message(cli, git_data_dir):
    repo = git_data_dir.parent
    (repo / "notes.txt").write_text("staged, not mine\n", encoding="utf-8")
    git("add", "notes.txt", cwd=repo)
    (repo / "stray.txt").write_text("untracked\n", encoding="utf-8")
    result = add(cli, git_data_dir, "--task", "5.1", "--unit", "派出所", "--status", "done", "--by", "张三")
    assert result.exit_code == 0, result.output
    assert result.stderr == LEAD_ONLY  # committed, no warning; the lead's own report completes nothing
    assert commits(repo)[0] == "报告：5.1 兰溪派出所 2020-09-20 完成（张三）"
    [path] = report_files(git_data_dir)
    changed = git("-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD", cwd=repo)
    assert changed.split() == [str(path.relative_to(repo))]
    status = git("status", "--porcelain", cwd=repo).splitlines()
    assert sorted(status) == ["?? stray.txt", "A  notes.txt"]  # the user's own work untouched


def test_no_commit_leaves_the_file_uncommitted(cli, git_data_dir):
    repo = git_data_dir.parent
    result = add(cli, git_data_dir, "--task", "5.1", "--unit", "派出所", "--no-commit")
    assert result.exit_code == 0, result.output
    assert commits(repo) == ["plan"]
    assert len(report_files(git_data_dir)) == 1


def test_git_absent_keeps_the_file_and_warns(data_dir, tmp_path):
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    result = run_lanxi("report", "add", "--data", str(data_dir), "--as-of", AS_OF,
                       "--task", "5.1", "--unit", "派出所", env={"PATH": str(empty)})
    assert result.returncode == 0, result.stderr
    assert "警告" in result.stderr and "找不到 git" in result.stderr
    assert len(report_files(data_dir)) == 1


def test_folder_that_is_not_a_repo_keeps_the_file_and_warns(data_dir):
    env = {"GIT_CEILING_DIRECTORIES": str(data_dir.parent.parent)}
    result = run_lanxi("report", "add", "--data", str(data_dir), "--as-of", AS_OF,
                       "--task", "5.1", "--unit", "派出所", env=env)
    assert result.returncode == 0, result.stderr
    assert "警告" in result.stderr and "不在 git 仓库中" in result.stderr
    assert len(report_files(data_dir)) == 1


def test_failed_commit_keeps_the_file_and_warns(git_data_dir):
    repo = git_data_dir.parent
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = run_lanxi("report", "add", "--data", str(git_data_dir), "--as-of", AS_OF,
                       "--task", "5.1", "--unit", "派出所")
    assert result.returncode == 0, result.stderr
    assert "警告" in result.stderr
    assert len(report_files(git_data_dir)) == 1
    assert commits(repo) == ["plan"]


def test_a_held_index_lock_released_shortly_after_still_commits(git_data_dir):
    repo = git_data_dir.parent
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lanxi_cli", "report", "add", "--data", str(git_data_dir), "--as-of", AS_OF,
         "--task", "5.1", "--unit", "派出所"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    while not report_files(git_data_dir) and proc.poll() is None:  # the file is written before git runs
        time.sleep(0.02)
    time.sleep(0.3)  # let git meet the lock at least once
    lock.unlink()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err == LEAD_ONLY
    assert commits(repo)[0] == "报告：5.1 兰溪派出所 2020-09-20 进行中"


def test_retry_waits_only_for_a_lock():
    from lanxi_cli.io import gitio

    locked = subprocess.CompletedProcess([], 128, "", "fatal: Unable to create '/r/.git/index.lock': File exists.")
    answers = [locked, locked, subprocess.CompletedProcess([], 0, "", "")]
    calls, sleeps = [], []

    def run(args, cwd):
        calls.append(args)
        return answers[len(calls) - 1]

    gitio._retrying(["commit"], Path("."), run=run, sleep=sleeps.append)
    assert len(calls) == 3 and len(sleeps) == 2
    calls.clear()
    answers[:] = [subprocess.CompletedProcess([], 1, "", "error: pathspec 'x' did not match")]
    with pytest.raises(gitio.GitError, match="pathspec"):
        gitio._retrying(["commit"], Path("."), run=run, sleep=sleeps.append)
    assert len(calls) == 1


def test_sixteen_parallel_adds_leave_sixteen_files_and_commits(git_data_dir):
    from lanxi_cli.io import load

    repo = git_data_dir.parent
    units = [u.name for u in load.load_book(git_data_dir).units.values() if u.kind == "village"][:16]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lanxi_cli", "report", "add", "--data", str(git_data_dir), "--as-of", AS_OF,
             "--task", "1.1", "--unit", unit, "--status", "done", "--date", "2020-09-02"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for unit in units
    ]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    for (_, err), code in results:
        assert code == 0 and "警告" not in err, err
    assert len(report_files(git_data_dir)) == 16
    subjects = [s for s in commits(repo) if s.startswith("报告：1.1 ")]
    assert sorted(s.split()[1] for s in subjects) == sorted(units)
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == ""


def test_a_new_report_shows_at_once_in_status_tasks_and_git_log(cli, git_data_dir):
    repo = git_data_dir.parent
    common = ("--data", str(git_data_dir), "--as-of", "2020-09-04", "--format", "json")

    def obligation():
        result = cli("status", "--unit", "苏家湖村", *common)
        return next(o for o in json.loads(result.stdout)["obligations"] if o["task"] == "2.1")

    def task_row():
        return next(t for t in json.loads(cli("tasks", *common).stdout) if t["id"] == "2.1")

    assert obligation()["state"] == "overdue"
    assert "苏家湖村" in task_row()["overdue_units"]
    result = cli("report", "add", "--data", str(git_data_dir), "--as-of", "2020-09-04",
                 "--task", "2.1", "--unit", "苏家湖村", "--date", "2020-09-02", "--status", "done")
    assert result.exit_code == 0, result.output
    assert obligation()["state"] == "done"
    assert "苏家湖村" not in task_row()["overdue_units"]
    assert commits(repo) == ["报告：2.1 苏家湖村 2020-09-02 完成", "plan"]


# ---- tab completion ----------------------------------------------------------------------------


class FakeContext:
    def __init__(self, data):
        self.params = {"data": data}


def test_completion_offers_task_ids_and_unit_names(data_dir):
    from lanxi_cli.cli.report import complete_task, complete_unit

    ids = [value for value, _ in complete_task(FakeContext(data_dir), "5.")]
    assert ids == ["5.1", "5.2", "5.3", "5.4"]
    names = [item.value for item in complete_unit(FakeContext(data_dir), None, "派出")]
    assert names == ["兰溪派出所", "派出所"]


def test_completion_never_raises(tmp_path):
    from lanxi_cli.cli.report import complete_task, complete_unit

    (tmp_path / "plan.yaml").write_text("units: [1, 2\n", encoding="utf-8")
    (tmp_path / "tasks.yaml").write_text("- 3\n", encoding="utf-8")
    for folder in (tmp_path, tmp_path / "missing"):
        assert complete_task(FakeContext(folder), "") == []
        assert complete_unit(FakeContext(folder), None, "") == []


def test_completion_through_the_shell_protocol(data_dir):
    from typer.testing import CliRunner

    from lanxi_cli.cli import app

    env = {"_LANXI_COMPLETE": "complete_bash", "COMP_WORDS": f"lanxi report add --data {data_dir} --task 10.",
           "COMP_CWORD": "6"}
    result = CliRunner().invoke(app, [], env=env, prog_name="lanxi")
    assert result.stdout.split() == ["10.1", "10.2"]


def test_ctrl_d_at_the_prompt_cancels_cleanly(data_dir):
    """On a terminal, Ctrl-D at the task prompt: a sentence, exit 130, no file, no traceback."""
    import pty
    import sys
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: lanxi on a terminal
        os.environ.update({"PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
        os.execv(sys.executable, [sys.executable, "-m", "lanxi_cli", "report", "add", "--no-commit",
                                  "--data", str(data_dir), "--as-of", AS_OF])
    out = b""
    deadline = time.monotonic() + 30
    while b"\xe4\xbb\xbb\xe5\x8a\xa1\xe7\xbc\x96\xe5\x8f\xb7" not in out and time.monotonic() < deadline:  # 任务编号
        out += os.read(fd, 4096)
    os.write(fd, b"\x04")
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 130
    assert "已取消，没有写入任何内容" in text and "Traceback" not in text
    assert report_files(data_dir) == []


# ---- what report add says on stderr ---------------------------------------------------------


def said(cli, data_dir, *args, as_of=AS_OF):
    result = cli("report", "add", "--data", str(data_dir), "--as-of", as_of, "--no-commit", *args)
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()  # stdout holds the path alone
    assert line.endswith(".yaml")
    return result.stderr.splitlines()


def test_says_what_a_late_quarterly_report_counts_toward(cli, data_dir):
    lines = said(cli, data_dir, "-t", "9.1", "-u", "罗湖村", "-s", "done", "-d", "2020-10-01", as_of="2020-10-01")
    assert lines == [
        "计入：任务 9.1 2020-Q4（罗湖村，截止 2020-12-20），现为已完成。",
        "警告：2020-Q3 的同一任务已逾期且未完成（截止 2020-09-30）；若本报告属于该期，请用 --period 2020-Q3 填报。",
    ]
    lines = said(cli, data_dir, "-t", "9.1", "-u", "罗湖村", "-s", "done", "-d", "2020-10-01", "-p", "2020-Q3",
                 as_of="2020-10-01")
    assert lines == ["计入：任务 9.1 2020-Q3（罗湖村，截止 2020-09-30），现为逾期完成。"]


def test_says_a_late_first_inspection_completes_its_milestone(cli, data_dir):
    lines = said(cli, data_dir, "-t", "10.2", "-u", "黄湖村", "-d", "2020-09-03", "-n", "1", as_of="2020-09-03")
    assert lines == ["计入：任务 10.2 第1次（黄湖村，截止 2020-08-30），现为逾期完成，1/1。"]


def test_says_when_a_done_falls_short_and_when_a_lead_reports(cli, data_dir):
    lines = said(cli, data_dir, "-t", "5.3", "-u", "黄湖", "-s", "done", "-n", "1")
    assert lines == ["计入：任务 5.3（黄湖村，截止 2020-10-25），现为未到期，1/3。",
                     "提示：本报告申报完成，但已报1/3未达目标；已报数量或比率的，以目标为准，该项尚未完成。"]
    lines = said(cli, data_dir, "-t", "6.1", "-u", "黄湖", "-s", "done", "--rate", "0.2")
    assert lines[1] == "提示：本报告申报完成，但已报20%/50%未达目标；已报数量或比率的，以目标为准，该项尚未完成。"
    assert said(cli, data_dir, "-t", "5.1", "-u", "派出所", "-s", "done") == [LEAD_ONLY.rstrip("\n")]


def test_parts_are_written_and_counted_apart(cli, data_dir):
    assert said(cli, data_dir, "-t", "7.1", "-u", "禁毒办", "-n", "1", "--part", "中央省级") == [
        "计入：任务 7.1（禁毒办，截止 2020-12-15），现为未到期，中央省级 1/1 省内其他 0/2。"]
    report = load(data_dir, report_files(data_dir)[0])
    assert (report.part, report.count) == ("中央省级", 1)
    assert said(cli, data_dir, "-t", "7.1", "-u", "禁毒办", "-n", "2", "--part", "省内其他") == [
        "计入：任务 7.1（禁毒办，截止 2020-12-15），现为已完成，中央省级 1/1 省内其他 2/2。"]


def test_shell_completion_of_a_unit_matches_any_part_and_ids_complete(data_dir):
    """Through bash's own protocol (what `lanxi --install-completion` sets up): 湖 offers
    every unit holding 湖, not only those starting with it; review completes record ids."""
    env = {"LANXI_DATA": str(data_dir), "_LANXI_COMPLETE": "complete_bash"}
    result = run_lanxi(env={**env, "COMP_WORDS": "lanxi report add --unit 湖", "COMP_CWORD": "4"})
    assert result.stdout.split() == ["苏家湖村", "黄湖村", "罗湖村"]
    report = data_dir / "reports" / "2020-09-02-苏家湖村-1.1-abc123.yaml"
    report.write_text("task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n", encoding="utf-8")
    result = run_lanxi(env={**env, "COMP_WORDS": "lanxi report review 1.1", "COMP_CWORD": "3"})
    assert result.stdout.split() == ["2020-09-02-苏家湖村-1.1-abc123"]
