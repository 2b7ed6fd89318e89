"""No fault loses or half-writes a report: save.write_new under kill -9, a full
disk, a read-only folder, a taken name and a race between writers.

A report is written to a hidden temporary file, flushed to disk, then linked to
its name; readers skip hidden files. So at every instant the name holds
nothing or the whole report.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, git

REPORT = "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\nnote: " + "已召开动员会。" * 2000 + "\n"

# Stops a child at `point` of a write, telling the parent it is there.
STOPS = textwrap.dedent("""
    import os, subprocess, sys, time

    def stop():
        print("stopped", flush=True)
        time.sleep(120)

    real_fdopen, real_link, real_run = os.fdopen, os.link, subprocess.run

    class HalfWay:  # writes half the text to disk, then stops
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)
        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            stop()
        def __getattr__(self, name):
            return getattr(self.handle, name)

    def git_commit_stops(args, *rest, **kw):
        if list(args[:2]) == ["git", "commit"]:
            stop()
        return real_run(args, *rest, **kw)

    def stop_at(point):
        if point == "mid-write":
            os.fdopen = lambda *a, **k: HalfWay(real_fdopen(*a, **k))
        elif point == "fsync":
            os.fsync = lambda fd: stop()
        elif point == "link":
            os.link = lambda *a: stop()
        elif point == "after-link":
            os.link = lambda *a: (real_link(*a), stop())
        elif point == "git-commit":
            subprocess.run = git_commit_stops
""")

# A child that writes one report with save.write_new.
CHILD = STOPS + textwrap.dedent("""
    from pathlib import Path
    from lanxi_cli.io import load
    from lanxi_cli.io import save

    stop_at(sys.argv[2])
    save.write_new(Path(sys.argv[1]), sys.stdin.read())
""")

# A child that runs `lanxi ARGS...`.
CLI_CHILD = STOPS + textwrap.dedent("""
    import runpy

    stop_at(sys.argv[1])
    sys.argv = ["lanxi", *sys.argv[2:]]
    runpy.run_module("lanxi_cli", run_name="__main__")
""")


def run_until_stopped(args: list[str], stdin: str = "") -> tuple[int, list[str]]:
    """Run a child until it says "stopped", kill -9 it; (its exit code, the lines it printed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
    )
    lines = []
    try:
        child.stdin.write(stdin)
        child.stdin.close()
        while (line := child.stdout.readline()) and line.strip() != "stopped":
            lines.append(line.strip())
        assert line.strip() == "stopped", lines
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    return child.returncode, lines


def reports_seen(data_dir: Path):
    """What lanxi reads from data/reports/: (valid reports, problems)."""
    from lanxi_cli.io import load

    book = load.load_book(data_dir)
    return load.load_reports(data_dir, book)


@pytest.mark.parametrize("point", ["mid-write", "fsync", "link", "after-link"])
def test_kill_9_during_write_leaves_nothing_or_the_whole_report(data_dir, point):
    target = data_dir / "reports" / "2020-09-02-苏家湖村.yaml"
    code, _ = run_until_stopped([CHILD, str(target), point], REPORT)
    assert code == -signal.SIGKILL

    if point == "after-link":
        assert target.read_text(encoding="utf-8") == REPORT
    else:
        assert not target.exists()
    reports, problems = reports_seen(data_dir)
    assert problems == []  # a leftover temporary file is hidden, never half-read
    assert len(reports) == (1 if point == "after-link" else 0)


class DiskFull:
    """os.fdopen whose handle writes part of the text, then fails with ENOSPC."""

    def __init__(self, real):
        self.real = real

    def __call__(self, *args, **kwargs):
        handle = self.real(*args, **kwargs)
        real_write = handle.write

        def write(data):
            real_write(data[: len(data) // 3])
            handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        handle.write = write
        return handle


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("fail", ["write", "fsync", "link"])
def test_full_disk_leaves_nothing_behind(data_dir, monkeypatch, fail):
    from lanxi_cli.io import save

    folder = data_dir / "reports"
    if fail == "write":
        monkeypatch.setattr(os, "fdopen", DiskFull(os.fdopen))
    else:
        monkeypatch.setattr(os, fail, enospc)
    with pytest.raises(OSError) as caught:
        save.write_new(folder / "r.yaml", REPORT)
    assert caught.value.errno == errno.ENOSPC
    assert list(folder.iterdir()) == []


def test_taken_name_is_never_overwritten(data_dir):
    from lanxi_cli.io import save

    target = data_dir / "reports" / "r.yaml"
    target.write_text("task: '1.2'\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        save.write_new(target, REPORT)
    assert target.read_text(encoding="utf-8") == "task: '1.2'\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]


def test_without_hard_links_the_name_is_still_never_overwritten(data_dir, monkeypatch):
    """On file systems without hard links (FAT, some network shares) write_new renames."""
    from lanxi_cli.io import save

    def no_links(*args):
        raise PermissionError(errno.EPERM, "no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    target = data_dir / "reports" / "r.yaml"
    save.write_new(target, REPORT)
    assert target.read_text(encoding="utf-8") == REPORT
    with pytest.raises(FileExistsError):
        save.write_new(target, "task: '1.2'\n")
    assert target.read_text(encoding="utf-8") == REPORT
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]


RACER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lanxi_cli.io import load
    from lanxi_cli.io import save
    try:
        save.write_new(Path(sys.argv[1]), sys.argv[2] * 5000)
    except FileExistsError:
        sys.exit(3)
""")


def test_two_people_writing_the_same_name_at_once(data_dir):
    """Exactly one writer wins; the file is that writer's whole text."""
    target = data_dir / "reports" / "r.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    texts = [f"note{i}: x\n" for i in range(6)]
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, str(target), text], env=env)
        for text in texts
    ]
    codes = [racer.wait(timeout=60) for racer in racers]
    assert sorted(codes) == [0, 3, 3, 3, 3, 3]
    assert target.read_text(encoding="utf-8") == texts[codes.index(0)] * 5000
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]


@pytest.fixture
def read_only(data_dir, monkeypatch):
    """data/ and data/reports/ made read-only; as root (who may write anyway), os.open
    refuses to create there, as the kernel would for anyone else."""
    folders = [data_dir, data_dir / "reports"]
    for folder in folders:
        folder.chmod(0o555)
    if os.geteuid() == 0:
        real_open = os.open

        def refuse(path, flags, *args, **kwargs):
            if flags & os.O_CREAT and data_dir in Path(path).parents:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    yield data_dir
    for folder in folders:
        folder.chmod(0o755)


def test_read_only_folder_refuses_the_write_and_leaves_nothing(read_only):
    from lanxi_cli.io import save

    folder = read_only / "reports"
    with pytest.raises(PermissionError):
        save.write_new(folder / "r.yaml", REPORT)
    assert list(folder.iterdir()) == []


def test_read_only_folder_still_answers_queries(cli, data_dir):
    (data_dir / "reports" / "r.yaml").write_text(REPORT, encoding="utf-8")
    for folder in (data_dir / "reports", data_dir):
        folder.chmod(0o555)
    try:
        for command in (("tasks", "--as-of", "2020-09-04"), ("status", "--as-of", "2020-09-04"), ("check",)):
            result = cli(*command, "--data", str(data_dir))
            assert result.exit_code == 0, result.output
            assert result.stderr == ""
    finally:
        for folder in (data_dir, data_dir / "reports"):
            folder.chmod(0o755)


def test_unreadable_report_is_named_and_skipped(cli, data_dir, monkeypatch):
    """A report lanxi may not read (permissions, a broken network share) is named, not fatal."""
    from lanxi_cli.io import load

    target = data_dir / "reports" / "r.yaml"
    target.write_text(REPORT, encoding="utf-8")
    real_open = os.open  # every data file is opened through os.open (locate.read_regular)

    def deny(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("os.open", deny)
    reports, problems = load.load_reports(data_dir, load.load_book(data_dir))
    assert reports == []
    assert len(problems) == 1
    assert problems[0].file.endswith("r.yaml") and "无法读取" in problems[0].message


# ---- the same faults through `lanxi report add` ---------------------------------------------

ADD = ["report", "add", "--as-of", "2020-09-20", "--task", "5.1", "--unit", "派出所", "--status", "done",
       "--note", "检查了辖区内的娱乐场所"]


def commits(repo: Path) -> list[str]:
    return git("log", "--format=%s", cwd=repo).splitlines()


def test_kill_9_during_report_add_leaves_no_partial_report(git_data_dir):
    code, printed = run_until_stopped([CLI_CHILD, "mid-write", *ADD, "--data", str(git_data_dir)])
    assert code == -signal.SIGKILL and printed == []
    reports, problems = reports_seen(git_data_dir)
    assert reports == [] and problems == []


def test_kill_9_during_the_commit_keeps_the_report_and_the_next_add_commits(cli, git_data_dir):
    """Killed inside git commit: the report is whole on disk, and lanxi's commit lock
    died with the process, so the next report add commits at once."""
    repo = git_data_dir.parent
    code, printed = run_until_stopped([CLI_CHILD, "git-commit", *ADD, "--data", str(git_data_dir)])
    assert code == -signal.SIGKILL and printed == []  # the path is printed once committed
    reports, problems = reports_seen(git_data_dir)
    assert problems == [] and [(r.task, r.unit, r.status) for r in reports] == [("5.1", "兰溪派出所", "done")]

    result = cli(*ADD, "--data", str(git_data_dir), "--date", "2020-09-19")
    assert result.exit_code == 0, result.output
    assert "警告" not in result.stderr  # committed: no warning, only report add's word on what it counts toward
    assert commits(repo)[0].startswith("报告：5.1 兰溪派出所 2020-09-19")
    reports, problems = reports_seen(git_data_dir)
    assert len(reports) == 2 and problems == []


def test_stale_index_lock_keeps_the_report_and_warns(cli, git_data_dir, monkeypatch):
    """A .git/index.lock left by a crashed git is never released: lanxi gives up
    waiting, keeps the report, warns and exits 0."""
    import functools

    from lanxi_cli.io import gitio

    monkeypatch.setattr(gitio, "_retrying", functools.partial(gitio._retrying, wait=0.3))
    (git_data_dir.parent / ".git" / "index.lock").write_text("")
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 0, result.output
    assert "警告：报告已保存，但没有提交到 git" in result.stderr
    reports, problems = reports_seen(git_data_dir)
    assert len(reports) == 1 and problems == []
    assert commits(git_data_dir.parent) == ["plan"]


def test_missing_git_keeps_the_report(cli, git_data_dir, monkeypatch):
    """No git on PATH (a bare Windows machine): the report is saved, with a warning."""
    monkeypatch.setenv("PATH", str(git_data_dir.parent / "no-git-here"))
    result = cli(*ADD, "--data", str(git_data_dir))
    assert result.exit_code == 0, result.output
    assert "警告：报告已保存，但没有提交到 git" in result.stderr
    reports, problems = reports_seen(git_data_dir)
    assert len(reports) == 1 and problems == []


@pytest.mark.parametrize("fail", ["write", "fsync"])
def test_full_disk_during_report_add_is_a_clear_error(cli, data_dir, monkeypatch, fail):
    if fail == "write":
        monkeypatch.setattr(os, "fdopen", DiskFull(os.fdopen))
    else:
        monkeypatch.setattr(os, "fsync", enospc)
    result = cli(*ADD, "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "无法写入 " in result.stderr and "未保存任何内容" in result.stderr
    assert result.stdout == ""
    assert [p for p in (data_dir / "reports").rglob("*") if p.is_file()] == []


def test_read_only_folder_refuses_report_add_clearly(cli, read_only):
    result = cli(*ADD, "--data", str(read_only), "--no-commit")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "无法写入 " in result.stderr
    assert [p for p in (read_only / "reports").rglob("*") if p.is_file()] == []
