"""Every record kind goes through the cache as reports do: the same records
and problems as the files alone (`cached=False`), and no edit ever missed."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from lanxi_cli.errors import Problem
from lanxi_cli.store import cache, snapshot

AS_OF = dt.date(2020, 10, 15)
HOUR_AGO = time.time() - 3600
KINDS = snapshot.KINDS

# The subject every review and withdrawal names (by path, reduced to its id by the loader).
SUBJECT = "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-05\nstatus: done\n"

# One valid file of each kind, as a user might write it: a unit with a space in
# it, a month without its zero, an alias, a subject named by path; the loader
# makes each canonical.
GOOD = {
    "reports": "task: '6.3'\nunit: 苏家湖 村\ndate: 2020-09-20\ncount: 1\nperiod: 2020-9\n",
    "extensions": "task: '6.3'\nunit: 苏家湖 村\nperiod: 2020-9\nuntil: 2020-10-20\nreason: 人手少\ndate: 2020-09-20\n",
    "exemptions": "task: '6.3'\nunit: 苏家湖 村\nperiod: 2020-9\nreason: 本村无此项工作\ndate: 2020-09-20\n",
    "reviews": "subject: data/reports/subject.yaml\ndecision: approved\nby: 镇禁毒办\ndate: 2020-09-20\n",
    "indicators": "measure: 外流贩毒人数\nvalue: 3\ndate: 2020-09-20\nby: 苏家湖 村\n",
    "withdrawals": "subject: data/reports/subject.yaml\nreason: 填错了\ndate: 2020-09-20\n",
    "notices": "unit: 苏家湖 村\ndate: 2020-09-20\nreply_by: 2020-09-23\nlight: red\nitems:\n"
               "- task: '6.3'\n  due: 2020-09-30\n  state: due_soon\n  period: 2020-09\n",
    "measures": "unit: 苏家湖 村\nkind: 提醒\ndate: 2020-09-20\n",
    "removals": f"sha256: {'a' * 64}\nreason: 照片中有在戒人员\ndate: 2020-09-20\n",
    "receipts": "unit: 苏家湖 村\ndate: 2020-09-20\nby: 张三\n",
}
# What the loader makes of each GOOD file: (field, value as written → canonical).
CANONICAL = {
    "reports": {"unit": "苏家湖村", "period": "2020-09"},
    "extensions": {"unit": "苏家湖村", "period": "2020-09"},
    "exemptions": {"unit": "苏家湖村", "period": "2020-09"},
    "reviews": {"by": "禁毒办", "subject": "subject"},
    "indicators": {"by": "苏家湖村"},
    "withdrawals": {"subject": "subject"},
    "notices": {"unit": "苏家湖村"},
    "measures": {"unit": "苏家湖村"},
    "removals": {},
    "receipts": {"unit": "苏家湖村"},
}
# A fault only the book or another record shows (withdrawals have none of their own).
FAULT = {
    "reports": ("苏家湖 村", "火星村"), "extensions": ("苏家湖 村", "火星村"), "exemptions": ("苏家湖 村", "火星村"),
    "reviews": ("data/reports/subject.yaml", "no-such-record"), "indicators": ("苏家湖 村", "火星村"),
    "notices": ("苏家湖 村", "火星村"),
    "measures": ("苏家湖 村", "火星村"),
    "receipts": ("苏家湖 村", "火星村"),
}


def age(*paths) -> None:
    """Written an hour ago: old enough for the cache to trust their stamps."""
    for path in paths:
        os.utime(path, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


def put(data_dir, kind: str, name: str, text: str):
    folder = data_dir / kind
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    age(path)
    return path


@pytest.fixture
def data(data_dir):
    put(data_dir, "reports", "subject.yaml", SUBJECT)
    age(data_dir / "plan.yaml", data_dir / "tasks.yaml")
    return data_dir


def answer(data_dir, kind: str, cached: bool = True) -> tuple[list, list[Problem]]:
    snap = snapshot.load(data_dir, AS_OF, cached=cached)
    records = snap.records(kind)
    for other in KINDS:  # every kind's problems, in the order they are met
        snap.records(other)
    return records, snap.problems


def same(data_dir, kind: str) -> tuple[list, list[Problem]]:
    """The cached answer, which must be the files' own. Reports come in the
    folders' order (10⁵ of them are not sorted), every other kind in file order."""
    records, problems = answer(data_dir, kind)
    truth = answer(data_dir, kind, cached=False)
    if kind == "reports":
        records = sorted(records, key=lambda r: r.file)
    assert (records, problems) == truth
    return records, problems


def mine(records, name: str):
    """The record of the file `name`, None where it does not count."""
    return next((r for r in records if r.id == name), None)


def entry_files(data_dir, kind: str) -> list[str]:
    entry = cache.Cache(data_dir).stored(kind)
    return entry[0] if entry else []


@pytest.mark.parametrize("kind", KINDS)
def test_every_edit_of_every_kind_is_seen(data, kind, tmp_path):
    path = put(data, kind, "a.yaml", GOOD[kind])
    first = mine(same(data, kind)[0], "a")
    assert first is not None and first.date == dt.date(2020, 9, 20)
    assert "a.yaml" in entry_files(data, kind)  # kept, so what follows goes through the cache
    assert mine(same(data, kind)[0], "a") == first  # warm

    before = path.stat()  # an edit in place, keeping size and mtime
    path.write_text(GOOD[kind].replace("2020-09-20", "2020-09-21"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert mine(same(data, kind)[0], "a").date == dt.date(2020, 9, 21)

    put(data, kind, "b.yaml", GOOD[kind])  # a new file
    assert mine(same(data, kind)[0], "b").date == dt.date(2020, 9, 20)

    path.unlink()  # a removed file
    records, _ = same(data, kind)
    assert mine(records, "a") is None and mine(records, "b") is not None

    broken = put(data, kind, "b.yaml", GOOD[kind].replace("2020-09-20", "2020-09-31"))  # turned invalid…
    records, problems = same(data, kind)
    assert mine(records, "b") is None
    assert [p.file for p in problems] == [f"data/{kind}/b.yaml"]
    put(data, kind, "b.yaml", GOOD[kind])  # …and back
    records, problems = same(data, kind)
    assert mine(records, "b") is not None and problems == []

    outside = tmp_path / "outside.yaml"  # a symlink out of the data folder, in place of a cached file
    outside.write_text(GOOD[kind], encoding="utf-8")
    broken.unlink()
    broken.symlink_to(outside)
    age(outside, broken)
    records, problems = same(data, kind)
    assert mine(records, "b") is None
    assert [p.file for p in problems] == [f"data/{kind}/b.yaml"] and "符号链接" in problems[0].message
    assert "b.yaml" not in entry_files(data, kind)  # never kept


def variants(kind: str) -> dict[str, str]:
    """Files of one kind with every sort of problem, each found where the files alone find it."""
    good = GOOD[kind]
    found = {
        "good": good,
        "invalid": good.replace("2020-09-20", "2020-09-31"),
        "controls": good + 'recorded: "\\e[2J"\n',
        "reserved": good + "file: elsewhere.yaml\n",
        "broken": "[not: a mapping\n",
    }
    if kind in FAULT:
        wrong = good.replace(*FAULT[kind])
        found |= {"fault": wrong, "fault-and-controls": wrong + 'recorded: "\\e[2J"\n'}
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_cached_and_uncached_give_the_same_records_and_problems(data, kind, reads):
    for name, text in variants(kind).items():
        put(data, kind, f"{name}.yaml", text)
    cold = same(data, kind)
    assert {f"{name}.yaml" for name in variants(kind)} <= set(entry_files(data, kind))  # all kept
    assert reads.files[kind] >= len(variants(kind)) and reads.validations  # the control: cold reads them all
    # A warm run reads no file of any kind into pydantic…
    reads.reset()
    warm = answer(data, kind)
    faulty = [name for name in variants(kind) if name.startswith("fault")]  # read again for their lines only
    assert not reads.validations and reads.files[kind] == len(faulty)
    # …and gives the files' answer: canonical values, and every problem, faults first, at its line.
    assert warm == cold == same(data, kind)
    records, problems = cold
    good = mine(records, "good")
    assert {name: getattr(good, name) for name in CANONICAL[kind]} == CANONICAL[kind]
    assert sorted(r.id for r in records) == ["good", "subject"] if kind == "reports" else ["good"]
    expected = {f"data/{kind}/{name}.yaml" for name in variants(kind)} - {f"data/{kind}/good.yaml"}
    assert {p.file for p in problems} == expected
    if kind in FAULT:
        both = [p for p in problems if p.file.endswith("/fault-and-controls.yaml")]
        assert len(both) == 2 and both[0].line < both[1].line and "控制字符" in both[1].message


def test_a_withdrawal_names_its_subject_by_id_whether_cached_or_not(data):
    """The subject's id is worked out on every run, never taken from the cache as written."""
    put(data, "withdrawals", "w.yaml", GOOD["withdrawals"])
    same(data, "withdrawals")
    entry = cache.Cache(data).stored("withdrawals")
    assert "data/reports/subject.yaml" in entry[2][0]  # kept as written…
    [withdrawal], _ = same(data, "withdrawals")
    assert withdrawal.subject == "subject"  # …answered as an id
