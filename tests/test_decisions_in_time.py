"""Decisions count from their own date (valid time); corrections apply on every day.

An exemption, an extension and a 销号 review change answers from the day they
were decided; with `--as-of` before it every command answers as if it had not
been made. A withdrawal or an amendment fixes a record and applies on every day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from scenario import write_reports

from lanxi_cli.core import engine
from lanxi_cli.core.domain import Exemption, Extension, Report, Review
from lanxi_cli.io import load, locate

D = dt.date


@pytest.fixture(scope="module")
def book():
    return load.load_book(locate.find_data_dir("data"))


def one(book, as_of, task, unit, period=None, **records):
    [ob] = [o for o in engine.compute(book, [], as_of, **records)
            if (o.task.id, o.named, o.occ.label) == (task, unit, period)]
    return ob


def test_the_09_22_exemption_does_not_reach_back_to_09_10(book):
    """1.1 (due 09-03) for 苏家湖村: asked 09-05, approved 09-22. At 09-10 it is overdue, as it was
    that day; from 09-22 exempt."""
    ex = Exemption(task="1.1", unit="苏家湖村", reason="合并办理", date=D(2020, 9, 5), file="data/exemptions/x.yaml")
    approval = Review(subject="x", decision="approved", by="禁毒办", date=D(2020, 9, 22), file="data/reviews/v.yaml")
    records = {"exemptions": [ex], "reviews": [approval]}
    assert one(book, D(2020, 9, 10), "1.1", "苏家湖村", **records).state == "overdue"
    assert one(book, D(2020, 9, 21), "1.1", "苏家湖村", **records).state == "overdue"
    assert one(book, D(2020, 9, 22), "1.1", "苏家湖村", **records).state == "exempt"
    # rejected on 09-30 after all: exempt from 09-22 to 09-29, overdue again from 09-30
    rejection = Review(subject="x", decision="rejected", by="禁毒办", date=D(2020, 9, 30), file="data/reviews/w.yaml")
    records["reviews"] = [approval, rejection]
    assert one(book, D(2020, 9, 29), "1.1", "苏家湖村", **records).state == "exempt"
    assert one(book, D(2020, 9, 30), "1.1", "苏家湖村", **records).state == "overdue"


def test_an_extension_moves_the_due_day_from_its_approval(book):
    """1.4 for 2020-09 (due 09-25), asked 09-20, moved to 10-20 by an approval of 09-24: due 09-25
    on 09-23, due 10-20 from 09-24."""
    ext = Extension(task="1.4", unit="黄湖村", until=D(2020, 10, 20), reason="换届", date=D(2020, 9, 20),
                    period="2020-09", file="data/extensions/e.yaml")
    approval = Review(subject="e", decision="approved", by="禁毒办", date=D(2020, 9, 24), file="data/reviews/v.yaml")
    records = {"extensions": [ext], "reviews": [approval]}
    before = one(book, D(2020, 9, 23), "1.4", "黄湖村", "2020-09", **records)
    after = one(book, D(2020, 9, 26), "1.4", "黄湖村", "2020-09", **records)
    assert (before.due, before.state) == (D(2020, 9, 25), "due_soon")
    assert (after.due, after.state) == (D(2020, 10, 20), "open")


def test_a_done_report_rejected_later_counted_until_then(book):
    report = Report(task="1.1", unit="黄湖村", date=D(2020, 9, 2), status="done", file="data/reports/r.yaml")
    rejection = Review(subject="r", decision="rejected", by="禁毒办", date=D(2020, 9, 20), file="data/reviews/v.yaml")

    def state(as_of):
        [ob] = [o for o in engine.compute(book, [report], as_of, [rejection]) if o.task.id == "1.1"
                and o.unit == "黄湖村"]
        return ob.state

    assert (state(D(2020, 9, 10)), state(D(2020, 9, 20))) == ("done", "overdue")


# ---- a document made again for a past day says what it said then ----------------------------


def run(cli, data_dir, *args, as_of):
    result = cli(*args, "--data", str(data_dir), "--as-of", as_of)
    assert result.exit_code == 0, result.output
    return result


def test_the_bulletin_for_a_past_day_is_unchanged_by_later_decisions(cli, data_dir):
    """The 通报 of 09-15, made on 09-15 and again after decisions of 09-20..09-25 (an exemption,
    an extension, a rejection of a claim the 09-15 figures rest on), reads the same."""
    write_reports(data_dir)
    past = "2020-09-15"
    issued = run(cli, data_dir, "bulletin", "--appendix", as_of=past).stdout
    ledger = run(cli, data_dir, "status", "--format", "json", as_of=past).stdout

    ask = run(cli, data_dir, "exemption", "request", "--task", "2.1", "--unit", "苏家湖村", "--reason", "已并入1.1",
              as_of="2020-09-20").stdout.strip()
    run(cli, data_dir, "exemption", "decide", ask, "--approve", "--by", "禁毒办", as_of="2020-09-22")
    ext = run(cli, data_dir, "extension", "request", "--task", "1.4", "--unit", "黄湖村", "--period", "2020-09",
              "--until", "2020-10-20", "--reason", "换届", as_of="2020-09-20").stdout.strip()
    run(cli, data_dir, "extension", "decide", ext, "--approve", "--by", "禁毒办", as_of="2020-09-21")
    [claim] = [p for p in (data_dir / "reports").glob("*.yaml") if "1.1-苏家湖村" in p.name]
    run(cli, data_dir, "report", "review", str(claim), "--reject", "--by", "禁毒办", as_of="2020-09-25")

    assert run(cli, data_dir, "bulletin", "--appendix", as_of=past).stdout == issued
    assert run(cli, data_dir, "status", "--format", "json", as_of=past).stdout == ledger
    # ... and the decisions do show from their days on
    later = run(cli, data_dir, "bulletin", "--appendix", as_of="2020-09-25").stdout
    assert "审核未通过" in later and "经批准不适用" in later
