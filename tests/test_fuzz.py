"""Fuzzing: whatever a report, a task or the command line holds, lanxi answers
with a result or a clear problem, never a traceback, and exits 0, 1 or 2.

Example counts are modest so the suite stays fast; hypothesis keeps the
failures it finds in .hypothesis/ and replays them first.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import SHIPPED, read_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanxi_cli.core.book import Book
from lanxi_cli.core.domain import Task
from lanxi_cli.errors import DataError
from lanxi_cli.io import load, yamlio

FAST = settings(max_examples=50, deadline=None)
CLI = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def scratch():
    """A data folder shared by the examples of one module (each example rewrites its file)."""
    folder = Path(tempfile.mkdtemp(prefix="lanxi-fuzz-")) / "data"
    (folder / "reports").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, folder / name)
    yield folder
    shutil.rmtree(folder.parent)


@pytest.fixture(scope="module")
def book(scratch):
    return load.load_book(scratch)


# ---- strategies ------------------------------------------------------------------------

TASK_IDS = ["1.1", "1.4", "7.1", "9.1", "10.2", "0.1", "1.99", "１．１"]
UNITS = ["苏家湖村", "枫林社区", "派出所", "兰溪派出所", "禁毒办", "火星村", "", " "]
NAMES = [u for u in UNITS if u]  # what passes validation, known or not
odd_text = st.text(st.characters(codec="utf-8"), max_size=40)
dates = st.one_of(
    st.dates(dt.date(2020, 1, 1), dt.date(2021, 6, 30)).map(str),
    st.dates().map(str),
    st.sampled_from(["2020-02-30", "2020-13-01", "0000-01-01", "2020-9-2", "2020/09/02", "today"]),
    st.integers(-10**12, 10**12),
    odd_text,
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30), st.floats(allow_nan=True), odd_text, st.booleans(), st.none()
)
periods = st.one_of(
    st.sampled_from(["2020-09", "2020-9", "2020-13", "2020-Q4", "0000-01", "3", "²", "9" * 5000]), odd_text
)
report_fields = st.fixed_dictionaries(  # task, unit and date mostly sound, so the rest gets checked
    {
        "task": st.one_of(st.sampled_from(TASK_IDS), odd_text, st.floats(0, 20)),
        "unit": st.one_of(st.sampled_from(UNITS), odd_text),
        "date": st.one_of(st.dates(dt.date(2020, 8, 1), dt.date(2020, 12, 31)).map(str), dates),
    },
    optional={
        "status": st.one_of(st.sampled_from(["done", "progress", "blocked", "完成", ""]), odd_text),
        "count": numbers,
        "rate": numbers,
        "period": periods,
        "note": st.text(max_size=200),
        "by": odd_text,
        "evidence": st.lists(odd_text, max_size=3),
        "file": odd_text,
        "extra": odd_text,
    },
)
sound_reports = st.fixed_dictionaries(  # references that hold, so period, count and status get checked
    {
        "task": st.sampled_from(["1.1", "1.4", "7.1"]),
        "unit": st.sampled_from(["苏家湖村", "枫林社区", "苏家湖　村"]),
        "date": st.dates(dt.date(2020, 8, 1), dt.date(2020, 12, 31)).map(str),
    },
    optional={"status": st.sampled_from(["done", "progress", "blocked"]), "count": numbers, "period": periods},
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), odd_text, dates)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)),
    max_leaves=20,
)
months = st.builds(
    "{:04d}-{:02d}".format, st.sampled_from([0, 1, 2020, 2020, 2021, 9999]), st.integers(0, 13)
)
quarters = st.builds("{:04d}-Q{}".format, st.sampled_from([0, 2020, 2021]), st.integers(0, 5))
campaign_dates = st.dates(dt.date(2020, 7, 1), dt.date(2021, 2, 1)).map(str)  # valid: Book.build gets them
dues = st.dictionaries(st.one_of(months, quarters, odd_text), campaign_dates, max_size=2)
points = st.lists(
    st.fixed_dictionaries({"due": campaign_dates}, optional={"count": st.integers(-2, 50)}), max_size=4
)
deadlines = st.one_of(  # each rule with its own fields, then any mix of fields
    st.fixed_dictionaries({"rule": st.just("once")}, optional={"due": campaign_dates}),
    st.fixed_dictionaries({"rule": st.just("window")}, optional={"start": campaign_dates, "end": campaign_dates}),
    st.fixed_dictionaries(
        {"rule": st.just("monthly"), "day": st.integers(1, 31), "first": months, "last": months},
        optional={"dues": dues},
    ),
    st.fixed_dictionaries(
        {"rule": st.just("quarterly"), "first": quarters, "last": quarters}, optional={"dues": dues}
    ),
    st.fixed_dictionaries({"rule": st.just("milestones"), "points": points}),
    st.fixed_dictionaries(
        {"rule": st.sampled_from(["once", "window", "monthly", "quarterly", "milestones"])},
        optional={
            "due": campaign_dates,
            "start": campaign_dates,
            "end": campaign_dates,
            "day": st.integers(1, 31),
            "first": st.one_of(months, quarters, odd_text),
            "last": st.one_of(months, quarters, odd_text),
            "dues": dues,
            "points": points,
        },
    ),
)
tasks = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.one_of(st.sampled_from(TASK_IDS), st.text(min_size=3, max_size=6)),
            "category": st.sampled_from(["组织领导", "媒体禁毒宣传"]),
            "text": st.just("事项"),
            "deadline_text": st.just("9月03日前"),
            "deadline": deadlines,
            "lead": st.sampled_from(NAMES),
        },
        optional={
            "units": st.lists(st.sampled_from([*NAMES, "各村、社区", "各村(社区)", "镇属各部门"]), max_size=3),
            "targets": st.lists(
                st.fixed_dictionaries({}, optional={
                    "units": st.lists(st.sampled_from(NAMES), max_size=2),
                    "count": st.integers(-1, 10),
                    "rate": st.floats(0, 1.5),
                    "parts": st.lists(
                        st.fixed_dictionaries({"count": st.integers(-1, 5), "what": odd_text}), max_size=2
                    ),
                }),
                max_size=2,
            ),
        },
    ),
    min_size=1,
    max_size=4,
)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def assert_answered(report, problems, file: str) -> None:
    """Either a valid report and no problem, or no report and named problems."""
    if report is None:
        assert problems
        assert all(p.file == file and p.message for p in problems)
    else:
        assert problems == []
        assert report.file == file


# ---- the loader, directly --------------------------------------------------------------


@FAST
@given(fields=st.one_of(report_fields, sound_reports))
def test_report_fields_never_crash_the_loader(scratch, book, fields):
    path = scratch / "reports" / "fuzz.yaml"
    path.write_text(dump(fields), encoding="utf-8")
    report, problems = read_report(path, book)
    assert_answered(report, problems, path.name)
    if report is not None:
        assert report.task in book.task_by_id
        assert report.unit in book.units


@FAST
@given(text=st.one_of(st.text(max_size=300), st.text(st.sampled_from("[]{}:-,&*!|>'\"#%@`? \n\tab1"), max_size=200)))
def test_random_yaml_text_never_crashes_the_loader(scratch, book, text):
    path = scratch / "reports" / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    report, problems = read_report(path, book)
    assert_answered(report, problems, path.name)


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash_the_loader(scratch, book, data):
    path = scratch / "reports" / "fuzz.yaml"
    path.write_bytes(data)
    report, problems = read_report(path, book)
    assert_answered(report, problems, path.name)


@FAST
@given(data=structures)
def test_random_structures_never_crash_the_loader(scratch, book, data):
    path = scratch / "reports" / "fuzz.yaml"
    path.write_text(dump(data), encoding="utf-8")
    report, problems = read_report(path, book)
    assert_answered(report, problems, path.name)


@settings(max_examples=100, deadline=None)
@given(data=tasks)
def test_random_tasks_are_built_or_named(book, data):
    """Task fields, deadline readings above all, reach Book.build or a named problem."""
    value, problems = load.validate(tuple[Task, ...], data, "tasks.yaml", None)
    if value is None:
        assert problems and all(p.file == "tasks.yaml" for p in problems)
        return
    built, faults = Book.build(book.plan, value)
    for fault in faults:
        assert fault.file == "tasks" and fault.message
    if not faults:
        for task in built.tasks:
            assert built.occurrences(task)


# ---- the whole command -------------------------------------------------------------------


@CLI
@given(text=st.one_of(structures.map(dump), report_fields.map(dump), sound_reports.map(dump), st.text(max_size=200)))
def test_any_report_file_gives_exit_0_or_1(cli, scratch, text):
    (scratch / "reports" / "fuzz.yaml").write_text(text, encoding="utf-8")
    for args, codes in ((("check",), {0, 1}), (("status", "--as-of", "2020-09-20"), {0})):
        result = cli(*args, "--data", str(scratch))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in codes, result.output


@CLI
@given(data=st.one_of(tasks, structures))
def test_any_tasks_file_gives_exit_0_or_1(cli, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("data")
    shutil.copy(SHIPPED / "plan.yaml", folder / "plan.yaml")
    (folder / "tasks.yaml").write_text(dump(data), encoding="utf-8")
    result = cli("tasks", "--data", str(folder), "--as-of", "2020-09-20", "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert result.stderr.strip() and "tasks.yaml" in result.stderr


@CLI
@given(
    as_of=st.one_of(st.none(), dates.map(str), odd_text),
    unit=st.one_of(st.none(), st.sampled_from(UNITS), odd_text),
    within=st.one_of(st.none(), st.integers(-5, 5000).map(str), odd_text),
    fmt=st.sampled_from(["table", "json", "csv", "xml"]),
)
def test_any_command_line_gives_exit_0_1_or_2(cli, scratch, as_of, unit, within, fmt):
    args = ["tasks", "--data", str(scratch), "--format", fmt]
    for option, value in (("--as-of", as_of), ("--unit", unit), ("--due-within", within)):
        if value is not None:
            args += [option, value]
    result = cli(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert result.stderr.strip()


def test_the_loader_accepts_what_it_should(scratch, book):
    """The other side: a well-formed report passes the same checks the fuzzers use."""
    path = scratch / "reports" / "fuzz.yaml"
    path.write_text(dump({"task": "1.1", "unit": "苏家湖　村", "date": "2020-09-02"}), encoding="utf-8")
    report, problems = read_report(path, book)
    assert problems == [] and report.unit == "苏家湖村"
    with pytest.raises(DataError):
        yamlio.parse("a: [", "x.yaml")
