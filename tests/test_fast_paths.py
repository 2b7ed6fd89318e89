"""The fast ways of reading give exactly the answers the plain ones do.

The walk of data/reports/ (descriptors and fstatat where the platform has
them), the one-open read of a file, and the one-scan check for control
characters; and the same answers where the platform lacks O_NONBLOCK,
O_DIRECTORY, O_CLOEXEC and dir_fd (Windows), with those names removed here.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from array import array

import pytest
import yaml
from conftest import Reads
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lanxi_cli.core.domain import Report
from lanxi_cli.errors import DataError
from lanxi_cli.io import load, locate, save, yamlio
from lanxi_cli.store import cache

HOUR_AGO = time.time() - 3600
GOOD = "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n"


def aged(*paths):
    for path in paths:
        os.utime(path, (HOUR_AGO, HOUR_AGO))


@pytest.fixture(params=["posix", "without"])
def platform(request, monkeypatch) -> str:
    """Each test twice: as this machine runs it, and with the POSIX-only names
    removed, as on Windows (scandir by path, no dir_fd, no O_NONBLOCK)."""
    if request.param == "without":
        monkeypatch.setattr(os, "supports_dir_fd", set())
        monkeypatch.setattr(os, "supports_fd", set())
        for name in ("O_NONBLOCK", "O_DIRECTORY", "O_CLOEXEC"):
            if hasattr(os, name):
                monkeypatch.delattr(os, name)
    return request.param


@pytest.fixture
def tree(data_dir):
    """reports/ with files at three depths, .yml, dot-names, other suffixes,
    a symlinked folder (never entered) and a folder named like a report."""
    reports = data_dir / "reports"
    for rel in ("a.yaml", "2020/09/b.yaml", "2020/09/c.yml", "2020/10/d.yaml", "2020-old/e.yaml", "2020.yaml",
                "x/y/z/deep.yaml"):
        path = reports / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GOOD, encoding="utf-8")
    for rel in (".hidden.yaml", ".git/f.yaml", "2020/notes.txt", "2020/09/b.yaml~"):
        path = reports / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GOOD, encoding="utf-8")
    (reports / "folder.yaml").mkdir()
    (reports / "link").symlink_to(reports / "2020", target_is_directory=True)
    return data_dir


LISTED = sorted(os.path.join(*p.split("/")) for p in (
    "a.yaml", "2020/09/b.yaml", "2020/09/c.yml", "2020/10/d.yaml", "2020-old/e.yaml", "2020.yaml", "x/y/z/deep.yaml",
))


def test_the_walk_lists_every_report_once_with_its_stamp(tree, platform):
    rels, stamps = locate.walk(tree, stat=True)
    assert sorted(rels) == LISTED
    assert len(stamps) == 4 * len(rels)
    for i, rel in enumerate(rels):
        assert tuple(stamps[4 * i : 4 * i + 4]) == cache.stamp(os.stat(tree / "reports" / rel))
    assert locate.walk(tree) == (rels, None)  # the same order again, nothing changed


def test_the_scan_is_the_walk_sorted(tree, platform):
    assert [rel for rel, _ in locate.scan_reports(tree)] == LISTED
    with_stamps = locate.scan_reports(tree, stat=True)
    assert [rel for rel, _ in with_stamps] == LISTED
    assert all(key == cache.stamp(os.stat(tree / "reports" / rel)) for rel, key in with_stamps)
    assert locate.report_files(tree) == [tree / "reports" / rel for rel in LISTED]


def test_a_missing_folder_lists_nothing_and_a_file_in_its_place_is_named(data_dir, platform):
    """A file where a folder of records belongs is an error, never "no records" (issue 11)."""
    assert locate.walk(data_dir, "nowhere", stat=True) == ([], array("q"))
    (data_dir / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        locate.walk(data_dir, "plain")
    assert str(caught.value) == "data/plain 不是目录，无法从中读取记录；请改正后再试"


def test_a_file_gone_before_its_stat_has_the_unknown_stamp(tree, platform, monkeypatch):
    """Removed between the folder's listing and its stat: listed, with a stamp
    that never matches (so never cached, never trusted)."""
    real_scandir = os.scandir

    class Listed:
        def __init__(self, where):
            self.inner = real_scandir(where)
            self.entries = list(self.inner)
            for entry in self.entries:
                if entry.name == "a.yaml":
                    os.unlink(os.path.join(tree, "reports", "a.yaml"))

        def __iter__(self):
            return iter(self.entries)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.inner.close()

    monkeypatch.setattr(os, "scandir", Listed)
    rels, stamps = locate.walk(tree, stat=True)
    i = rels.index("a.yaml")
    assert tuple(stamps[4 * i : 4 * i + 4]) == locate.UNKNOWN
    assert sorted(rels) == LISTED


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open descriptors are counted in /proc/self/fd")
def test_no_folder_is_left_open_even_when_the_walk_fails(tree, monkeypatch):
    before = len(os.listdir("/proc/self/fd"))
    locate.walk(tree, stat=True)
    assert len(os.listdir("/proc/self/fd")) == before
    calls = []
    real = locate._list

    def failing(where, *args):
        calls.append(where)
        if len(calls) == 3:
            raise PermissionError(13, "denied")
        return real(where, *args)

    monkeypatch.setattr(locate, "_list", failing)
    with pytest.raises(PermissionError):
        locate.walk(tree, stat=True)
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_folder_gone_while_walked_is_skipped(tree, platform, monkeypatch):
    """A sub-folder removed between its parent's listing and its own: the rest is listed."""
    real_open, real_scandir = os.open, os.scandir

    def gone(path, *args, **kwargs):
        if os.fspath(path).endswith("2020-old"):
            raise FileNotFoundError(2, "gone")
        return real_open(path, *args, **kwargs)

    def gone_listing(where):
        if isinstance(where, str) and where.endswith("2020-old"):
            raise FileNotFoundError(2, "gone")
        return real_scandir(where)

    monkeypatch.setattr(os, "open", gone)
    monkeypatch.setattr(os, "scandir", gone_listing)
    assert sorted(locate.walk(tree)[0]) == [rel for rel in LISTED if not rel.startswith("2020-old")]


# ---- the cache over the walk ------------------------------------------------------------------


def add(data_dir, day=dt.date(2020, 9, 5), **fields):
    report = Report(task="6.3", unit="苏家湖村", date=day, **fields)
    path = save.save_report(data_dir, report)
    aged(path)
    return path


def test_the_cache_gives_the_files_answer_and_sees_every_edit(data_dir, platform, monkeypatch):
    """Warm, then after an in-place edit that keeps size and mtime, the cache
    answers as the files do, on either platform's walk."""
    aged(data_dir / "plan.yaml", data_dir / "tasks.yaml")
    paths = [add(data_dir, count=n, status="progress") for n in (1, 2, 3)]
    (data_dir / "reports" / "zz-bad.yaml").write_text("task: [\n", encoding="utf-8")
    (data_dir / "reports" / "aa-bad.yaml").write_text("task: '1.1'\n", encoding="utf-8")
    aged(*(data_dir / "reports").glob("*.yaml"))
    book = load.load_book(data_dir)
    truth = load.load_reports(data_dir, book)
    reads = Reads(monkeypatch)
    first = cache.Cache(data_dir).load_records("reports", book)
    assert reads.files["reports"] == 5  # the control: the first run reads every file
    warm = cache.Cache(data_dir).load_records("reports", book)
    assert reads.files["reports"] == 5  # the second, none
    assert sorted(first[0], key=lambda r: r.file) == sorted(warm[0], key=lambda r: r.file) == truth[0]
    assert first[1] == warm[1] == truth[1]  # the problems in file order, as the files give them
    before = paths[1].stat()
    paths[1].write_text(paths[1].read_text(encoding="utf-8").replace("count: 2", "count: 7"), encoding="utf-8")
    os.utime(paths[1], ns=(before.st_atime_ns, before.st_mtime_ns))
    edited = cache.Cache(data_dir).load_records("reports", book)
    assert sorted(r.count for r in edited[0]) == [1, 3, 7]
    assert sorted(edited[0], key=lambda r: r.file) == load.load_reports(data_dir, book)[0]


def test_a_new_listing_order_reads_no_file_and_changes_no_answer(data_dir, monkeypatch, reads):
    """The cache keeps the folders' own order; listed in another order (another
    file system, a folder rewritten), files are matched by name, none is read."""
    aged(data_dir / "plan.yaml", data_dir / "tasks.yaml")
    for n in range(1, 6):
        add(data_dir, count=n, day=dt.date(2020, 9, n))
    book = load.load_book(data_dir)
    first = cache.Cache(data_dir).load_records("reports", book)
    assert reads.files["reports"] == 5  # the control
    reads.reset()
    real = locate.walk

    def reversed_walk(*args, **kwargs):
        rels, stamps = real(*args, **kwargs)
        order = list(reversed(range(len(rels))))
        flipped = array("q")
        for i in order:
            flipped.extend(stamps[4 * i : 4 * i + 4])
        return [rels[i] for i in order], flipped

    monkeypatch.setattr(locate, "walk", reversed_walk)
    again = cache.Cache(data_dir).load_records("reports", book)
    assert not reads.files
    assert sorted(again[0], key=lambda r: r.file) == sorted(first[0], key=lambda r: r.file)
    assert [r.file for r in again[0]] == list(reversed([r.file for r in first[0]]))


# ---- reading one file ---------------------------------------------------------------------------


def test_a_file_is_read_whole_however_the_reads_are_cut(tmp_path, platform, monkeypatch):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"x" * 1000)
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, 7)))
    assert locate.read_regular(path, 4096) == b"x" * 1000
    assert locate.read_regular(path, 1000) == b"x" * 1000
    assert locate.read_regular(path, 999) == b"x" * 1000  # limit + 1: the caller names it too large
    assert locate.read_regular(path, 10) == b"x" * 11


def test_a_file_grown_since_its_fstat_stops_at_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"x" * 10)
    real = os.fstat

    def stale(fd):
        result = real(fd)
        with open(path, "ab") as handle:  # grows after its size was taken
            handle.write(b"y" * 5000)
        return result

    monkeypatch.setattr(os, "fstat", stale)
    assert locate.read_regular(path, 100) == (b"x" * 10 + b"y" * 5000)[:101]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting(tmp_path, platform):
    """Opening a FIFO for reading blocks until someone writes: with O_NONBLOCK it
    opens at once and fstat refuses it; without, it is stat'ed and never opened."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(DataError) as refused:
        yamlio.read_text(pipe, 1024, "pipe.yaml")
    assert str(refused.value.problems[0]) == "pipe.yaml: 不是普通文件，无法作为数据读取"


def test_a_folder_or_device_is_refused_and_a_missing_file_named(tmp_path, platform):
    (tmp_path / "folder.yaml").mkdir()
    for path in (tmp_path / "folder.yaml", "/dev/null"):
        with pytest.raises(DataError) as refused:
            yamlio.read_text(path, 1024, "f.yaml")
        assert str(refused.value.problems[0]) == "f.yaml: 不是普通文件，无法作为数据读取"
    with pytest.raises(DataError) as missing:
        yamlio.read_text(tmp_path / "none.yaml", 1024, "none.yaml")
    assert str(missing.value.problems[0]).startswith("none.yaml: 无法读取（")


def test_the_cold_read_gives_the_same_reports_and_problems_on_either_platform(data_dir, platform):
    reports = data_dir / "reports"
    (reports / "ok.yaml").write_text(GOOD, encoding="utf-8")
    (reports / "crlf.yaml").write_text(GOOD.replace("\n", "\r\n"), encoding="utf-8")
    (reports / "esc.yaml").write_text(GOOD + 'note: "已完成\\e[2J"\n', encoding="utf-8")
    (reports / "big.yaml").write_text(GOOD + "note: " + "长" * 100_000 + "\n", encoding="utf-8")
    (reports / "gbk.yaml").write_bytes(GOOD.encode("gb18030") + "note: 已完成\n".encode("gb18030"))
    book = load.load_book(data_dir)
    found, problems = load.load_reports(data_dir, book)
    assert sorted(os.path.basename(r.file) for r in found) == ["crlf.yaml", "ok.yaml"]
    assert [str(p).split("reports" + os.sep)[1] for p in problems] == [
        "big.yaml: 文件过大（超过 256 KB），不像是 lanxi 的数据文件",
        "esc.yaml:5: note: 含有控制字符 U+001B；请删去",
        "gbk.yaml:2: 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码；请用编辑器另存为 UTF-8",
    ]


# ---- the one-scan check for control characters -------------------------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(
        list("ab 1:-'\"\\#\t\n\r") + ["苏", "家", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2028"]
    ),
    max_size=30,
)


def _checked(text: str) -> None:
    """Whatever YAML text reaches the check (read_text refuses raw unprintables),
    a value with a control character is never missed by the pre-check."""
    if yamlio._UNPRINTABLE.search(text):
        return
    try:
        data = yamlio.parse(text, "f.yaml")
    except DataError:
        return
    if yamlio.control_problems(data, "f.yaml", {}):
        assert yamlio.may_hold_controls(text), (text, data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.dictionaries(st.sampled_from(["note", "by", "task"]), TEXT | st.lists(TEXT, max_size=3), max_size=3),
       style=st.sampled_from([None, '"', "'", "|"]), unicode=st.booleans(), crlf=st.booleans())
@example(values={"note": "已完成\x1b[2J"}, style=None, unicode=True, crlf=False)
@example(values={"note": "a\r\nb"}, style=None, unicode=True, crlf=True)
def test_the_pre_check_never_misses_a_control_character_in_a_value(values, style, unicode, crlf):
    text = yaml.dump(values, Dumper=yaml.SafeDumper, allow_unicode=unicode, default_style=style)
    _checked(text.replace("\n", "\r\n") if crlf else text)


@settings(max_examples=400, deadline=None)
@given(text=TEXT)
@example(text='note: "\\x9b"')
@example(text="note: |\r\n  a\r\n  b\r\n")
def test_the_pre_check_never_misses_one_in_any_text(text):
    _checked(text)


def test_the_pre_check_passes_plain_reports_and_crlf_files():
    assert not yamlio.may_hold_controls(GOOD)
    assert not yamlio.may_hold_controls(GOOD.replace("\n", "\r\n"))
    assert yamlio.may_hold_controls(GOOD + 'note: "\\e"\n')
    assert yamlio.may_hold_controls(GOOD + "note: a\rb\n")
