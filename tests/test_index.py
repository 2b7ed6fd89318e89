"""The per-obligation index answers exactly as the engine does.

For random reports (every task of the shipped plan, counts, rates, parts,
periods, blocked, dates before and after the campaign, and 旬报 without a
task, which count toward no obligation), random reviews
(approvals and rejections, dated before or after the reports), withdrawals,
amendments, approved extensions and exemptions, and random as-of days:
Index(build(book, every report)).obligations(...) equals
engine.compute(book, the reports that count, ...), field by field (owner and
subject among them, on the shipped plan and on one where the lead does five
more tasks, `actor: lead`): as
built, as read back from its file, with the last reports written and half
the reviews made after it was built, and built before any correction or
review.
"""

from __future__ import annotations

import datetime as dt
import marshal
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanxi_cli.core import corrections, engine
from lanxi_cli.core.book import Book
from lanxi_cli.core.domain import Exemption, Extension, Report, Review, Withdrawal
from lanxi_cli.core.engine import Progress
from lanxi_cli.io import load, locate
from lanxi_cli.store import index_file
from lanxi_cli.store import obligation_index as index

BOOK = load.load_book(locate.find_data_dir("data"))
# The shipped plan has one task the lead does (10.2, milestones); this one has more, of every
# other rule (once, monthly, quarterly, a rate, a window), so the index keys them as the engine does.
LEAD_ACTS = {"1.1", "1.4", "6.1", "9.1", "5.3"}
LEAD_BOOK, _faults = Book.build(BOOK.plan, [replace(t, actor="lead") if t.id in LEAD_ACTS else t for t in BOOK.tasks])
assert not _faults
START, END = BOOK.plan.campaign.start, BOOK.plan.campaign.end
PAIRS = [(task, unit) for task in BOOK.tasks for unit in BOOK.task_units(task)]
SPAN = (END - START).days


OWING = BOOK.owes_progress_reports()


@st.composite
def a_report(draw, n: int) -> Report:
    if draw(st.integers(0, 9)) == 0:  # a 旬报 alone: toward no obligation, kept last in the index
        day = START + dt.timedelta(days=draw(st.integers(0, SPAN)))
        return Report(task=None, unit=draw(st.sampled_from(OWING)), date=day, note="本旬无新进展",
                      recorded=f"{day}T{draw(st.integers(0, 23)):02d}:00:00", file=f"data/reports/r{n:04d}.yaml")
    task, unit = draw(st.sampled_from(PAIRS))
    target = BOOK.target(task, unit)
    occs = BOOK.occurrences(task)
    day = START + dt.timedelta(days=draw(st.integers(-5, SPAN + 5)))
    return Report(
        task=task.id, unit=unit, date=day,
        status=draw(st.sampled_from(["progress", "done", "blocked"])),
        count=draw(st.none() | st.integers(0, 4)),
        rate=draw(st.none() | st.floats(0, 1)) if target is not None and target.rate is not None else None,
        period=draw(st.none() | st.sampled_from([o.label for o in occs if o.label] or [None])),
        part=draw(st.none() | st.sampled_from([p.name for p in target.parts])) if target and target.parts else None,
        recorded=f"{day}T{draw(st.integers(0, 23)):02d}:00:00",
        file=f"data/reports/r{n:04d}.yaml",
    )


@st.composite
def a_world(draw):
    """Reports, and the records that correct, review, extend or exempt them."""
    reports = [draw(a_report(n)) for n in range(draw(st.integers(0, 60)))]
    # a few amendments: a report naming an earlier one it corrects
    for n in range(draw(st.integers(0, 3)) if reports else 0):
        old = draw(st.sampled_from(reports))
        new = draw(a_report(100 + n))
        reports.append(replace(new, task=old.task, unit=old.unit, period=None, part=old.part, supersedes=old.id))
    day = st.integers(-5, SPAN + 5).map(lambda d: START + dt.timedelta(days=d))
    reviews, withdrawals, extensions, exemptions = [], [], [], []
    for n, report in enumerate(draw(st.lists(st.sampled_from(reports), max_size=10)) if reports else []):
        reviews.append(Review(subject=report.id, decision=draw(st.sampled_from(["approved", "rejected"])),
                              by="禁毒办", date=draw(day), recorded=f"x{n}", file=f"data/reviews/v{n}.yaml"))
    for n, report in enumerate(draw(st.lists(st.sampled_from(reports), max_size=3)) if reports else []):
        withdrawals.append(Withdrawal(subject=report.id, reason="误报", date=draw(day), file=f"data/w/w{n}.yaml"))
    for n in range(draw(st.integers(0, 3))):
        task, unit = draw(st.sampled_from(PAIRS))
        occ = draw(st.sampled_from(BOOK.occurrences(task)))
        ext = Extension(task=task.id, unit=unit, until=occ.due + dt.timedelta(days=9), reason="因", date=draw(day),
                        period=occ.label or None, file=f"data/extensions/e{n}.yaml")
        extensions.append(ext)
        reviews.append(Review(subject=ext.id, decision="approved", by="禁毒办", date=draw(day),
                              file=f"data/reviews/ve{n}.yaml"))
    for n in range(draw(st.integers(0, 2))):
        task, unit = draw(st.sampled_from(PAIRS))
        period = draw(st.none() | st.sampled_from([o.label for o in BOOK.occurrences(task) if o.label] or [None]))
        ex = Exemption(task=task.id, unit=unit, reason="因", date=draw(day), period=period,
                       file=f"data/exemptions/x{n}.yaml")
        exemptions.append(ex)
        reviews.append(Review(subject=ex.id, decision=draw(st.sampled_from(["approved", "rejected"])),
                              by="禁毒办", date=draw(day), file=f"data/reviews/vx{n}.yaml"))
    return reports, reviews, withdrawals, extensions, exemptions


def counted(reports, reviews, withdrawals):
    """What the snapshot hands the engine: the records that count."""
    fixes = corrections.resolve(reports, withdrawals)
    gone = fixes.withdrawn.keys() | fixes.superseded_by.keys()
    return fixes, [r for r in reports if fixes.counts(r)], [v for v in reviews if v.subject not in gone]


def stored(sections: dict) -> index.Index:
    """The index as a query reads it back: written by store.index_file, read
    again, each section and row decoded from the file."""
    folder = Path(tempfile.mkdtemp())
    parts = index_file._parts(sections)
    parts.update(journal=marshal.dumps([]))
    index_file.Stored(folder).write(("plan",), b"key", parts, [], ([], b""))
    back = index_file.Stored(folder)
    assert back.read(("plan",)) and back.key == b"key"
    return index.Index(back, back.row)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(a_world(), st.lists(st.integers(-10, SPAN + 10), min_size=1, max_size=4), st.floats(0, 1),
       st.sampled_from([BOOK, LEAD_BOOK]))
def test_the_index_answers_as_the_engine(world, offsets, later, book):
    """Decisions (reviews of claims, extensions, exemptions) are dated anywhere in the campaign,
    before or after the as-of days asked, so each counts from its own date in both."""
    reports, reviews, withdrawals, extensions, exemptions = world
    fixes, live, live_reviews = counted(reports, reviews, withdrawals)
    gone = fixes.withdrawn.keys() | fixes.superseded_by.keys()
    sections = index.build(book, reports, gone, live_reviews)
    split = round(len(reports) * (1 - later))  # the last ones written after the index was built
    journal = index.Index(index.build(book, reports[:split], gone, live_reviews[: len(live_reviews) // 2]),
                          extra=reports[split:])
    blind = index.Index(index.build(book, reports))  # built before any correction or review
    for built in (index.Index(sections), stored(sections), journal, blind):
        for offset in offsets:
            as_of = START + dt.timedelta(days=offset)
            expected = engine.compute(book, live, as_of, live_reviews, extensions, exemptions)
            got = built.obligations(book, as_of, live_reviews, extensions, exemptions, fixes)
            assert got == expected
            assert [(o.unit, o.subject) for o in got] == [book.owner(o.task, o.named) for o in got]


def test_no_report_gives_the_engine_s_empty_answer():
    built = stored(index.build(BOOK, []))
    as_of = dt.date(2020, 10, 15)
    assert built.obligations(BOOK, as_of) == engine.compute(BOOK, [], as_of)


def test_ids_and_rows_come_back():
    reports = [Report(task="1.1", unit="苏家湖村", date=START, status="done", file=f"data/reports/{name}.yaml")
               for name in ("b", "a", "c-2")]
    alone = Report(task=None, unit="黄湖村", date=START, note="本旬无新进展", file="data/reports/d.yaml")
    built = stored(index.build(BOOK, [*reports, alone]))
    assert [built.report(built.position(r.id)) for r in reports] == reports
    assert built.find("d") == alone and built.reports_of({(None, "黄湖村")}) == []  # a 旬报 holds no obligation
    assert built.position("zz") is None and built.position("") is None
    assert sorted(built.reports_of({("1.1", "苏家湖村")}), key=lambda r: r.id) == sorted(reports, key=lambda r: r.id)


@pytest.mark.parametrize("day", [START, START + dt.timedelta(days=40), END + dt.timedelta(days=3)])
def test_a_step_per_changed_day_only(day):
    """Two progress reports on one day and a done the next: the timeline of
    1.1's one occurrence has the empty start, the day of the progress (its
    latest report changed) and the day of the done; not one per report."""
    reports = [Report(task="1.1", unit="苏家湖村", date=day, file=f"data/reports/p{n}.yaml", recorded=str(n))
               for n in range(2)]
    reports.append(Report(task="1.1", unit="苏家湖村", date=day + dt.timedelta(days=1), status="done",
                          file="data/reports/d.yaml"))
    sections = index.build(BOOK, reports)
    p = sections["pairs"].index(("1.1", "苏家湖村"))
    first_of_pair = sum(len(BOOK.occurrences(BOOK.task_by_id[t])) for t, _ in sections["pairs"][:p])
    step_days, values = sections["steps"][first_of_pair]
    assert step_days == [0, day.toordinal(), day.toordinal() + 1]
    completed = [Progress.of_plain(index.Step._make(v).progress).completed_on for v in values]
    assert completed == [None, None, day + dt.timedelta(days=1)]


def test_a_rejection_takes_a_report_out_of_every_milestone_it_stood_in():
    """10.2's report adds nothing (no count, not done) and stands in the first
    milestone; rejected the next day, the first milestone has no report from
    that day on, though the report named the second (found by hypothesis)."""
    report = Report(task="10.2", unit="苏家湖村", date=START, period="第2次", file="data/reports/r.yaml")
    review = Review(subject="r", decision="rejected", by="禁毒办", date=START + dt.timedelta(days=1),
                    file="data/reviews/v.yaml")
    built = index.Index(index.build(BOOK, [report], (), [review]))
    for day in (START, START + dt.timedelta(days=1)):
        expected = engine.compute(BOOK, [report], day, [review])
        assert built.obligations(BOOK, day, [review]) == expected
    first = next(o for o in expected if o.task.id == "10.2" and o.named == "苏家湖村")
    assert first.last_report is None and first.verification is None
