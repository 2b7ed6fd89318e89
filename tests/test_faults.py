"""No fault loses or half-writes a report: store.write_new under kill -9, a full
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
from conftest import ROOT

REPORT = "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\nnote: " + "已召开动员会。" * 2000 + "\n"

# A child that writes one report and stops at `point`, telling the parent it is there.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from lanxi_cli import store

    target, point = Path(sys.argv[1]), sys.argv[2]
    text = sys.stdin.read()

    def stop():
        print("stopped", flush=True)
        time.sleep(120)

    real_fdopen, real_fsync, real_link = os.fdopen, os.fsync, os.link

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

    if point == "mid-write":
        os.fdopen = lambda *a, **k: HalfWay(real_fdopen(*a, **k))
    elif point == "fsync":
        os.fsync = lambda fd: stop()
    elif point == "link":
        os.link = lambda *a: stop()
    elif point == "after-link":
        os.link = lambda *a: (real_link(*a), stop())
    store.write_new(target, text)
""")


def reports_seen(data_dir: Path):
    """What lanxi reads from data/reports/: (valid reports, problems)."""
    from lanxi_cli import store

    book = store.load_book(data_dir)
    return store.load_reports(data_dir, book)


@pytest.mark.parametrize("point", ["mid-write", "fsync", "link", "after-link"])
def test_kill_9_during_write_leaves_nothing_or_the_whole_report(data_dir, point):
    target = data_dir / "reports" / "2020-09-02-苏家湖村.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), point],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
    )
    try:
        child.stdin.write(REPORT)
        child.stdin.close()
        assert child.stdout.readline().strip() == "stopped"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

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
    from lanxi_cli import store

    folder = data_dir / "reports"
    if fail == "write":
        monkeypatch.setattr(os, "fdopen", DiskFull(os.fdopen))
    else:
        monkeypatch.setattr(os, fail, enospc)
    with pytest.raises(OSError) as caught:
        store.write_new(folder / "r.yaml", REPORT)
    assert caught.value.errno == errno.ENOSPC
    assert list(folder.iterdir()) == []


def test_taken_name_is_never_overwritten(data_dir):
    from lanxi_cli import store

    target = data_dir / "reports" / "r.yaml"
    target.write_text("task: '1.2'\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        store.write_new(target, REPORT)
    assert target.read_text(encoding="utf-8") == "task: '1.2'\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]


def test_without_hard_links_the_name_is_still_never_overwritten(data_dir, monkeypatch):
    """On file systems without hard links (FAT, some network shares) write_new renames."""
    from lanxi_cli import store

    def no_links(*args):
        raise PermissionError(errno.EPERM, "no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    target = data_dir / "reports" / "r.yaml"
    store.write_new(target, REPORT)
    assert target.read_text(encoding="utf-8") == REPORT
    with pytest.raises(FileExistsError):
        store.write_new(target, "task: '1.2'\n")
    assert target.read_text(encoding="utf-8") == REPORT
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]


RACER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lanxi_cli import store
    try:
        store.write_new(Path(sys.argv[1]), sys.argv[2] * 5000)
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
            if flags & os.O_CREAT and Path(path).parent in folders:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    yield data_dir
    for folder in folders:
        folder.chmod(0o755)


def test_read_only_folder_refuses_the_write_and_leaves_nothing(read_only):
    from lanxi_cli import store

    folder = read_only / "reports"
    with pytest.raises(PermissionError):
        store.write_new(folder / "r.yaml", REPORT)
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
    from lanxi_cli import store

    target = data_dir / "reports" / "r.yaml"
    target.write_text(REPORT, encoding="utf-8")
    real_open = open

    def deny(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    reports, problems = store.load_reports(data_dir, store.load_book(data_dir))
    assert reports == []
    assert len(problems) == 1
    assert problems[0].file.endswith("r.yaml") and "无法读取" in problems[0].message
