"""Make a synthetic data folder: the shipped plan and tasks, and N report files.

    python bench/generate.py OUT [-n 10000] [--seed 1] [--units 2000]

With --units, the plan holds that many units: the shipped ones and as many
more villages (第0001村 …), each owing every task the villages owe.

Reports are spread over every task, the units that owe it (book.task_units),
dates inside the campaign, the three statuses and (for quantity tasks) counts.
Beside them, what a year of supervision leaves: a review of about one
report in forty (one in ten of them rejected), a withdrawal and an amendment of
about one in five hundred, and a few extension and exemption requests, each
decided by the task's lead.
Each file is the text `yamlio.record_document` makes, at the path
`save.report_path` gives — exactly what `lanxi report add` writes — only
without the per-file fsync of `save.write_new` (100k fsyncs take minutes and
change nothing a reader sees). The same --seed gives the same folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lanxi_cli.core.book import report_faults  # noqa: E402
from lanxi_cli.core.domain import Exemption, Extension, Report, Review, Withdrawal  # noqa: E402
from lanxi_cli.io import load, locate, save, yamlio  # noqa: E402

NOTES = ("", "", "", "已开展宣传活动", "张贴标语10幅", "入户走访", "组织培训一次", "上报材料")
PEOPLE = ("", "", "李明", "王芳", "张伟", "刘洋")


def reports(book, n: int, seed: int):
    """N reports, deterministic for a seed, every one valid against the book."""
    rng = random.Random(seed)
    campaign = book.plan.campaign
    days = (campaign.end - campaign.start).days
    pairs = [(task, unit) for task in book.tasks for unit in book.task_units(task)]
    for i in range(n):
        task, unit = pairs[rng.randrange(len(pairs))]
        date = campaign.start + dt.timedelta(days=rng.randint(0, days))
        status = rng.choices(("progress", "done", "blocked"), (6, 3, 1))[0]
        target = book.target(task, unit)
        count = rng.randint(1, 3) if target is not None and target.count and rng.random() < 0.7 else None
        started = [occ for occ in book.occurrences(task) if occ.start <= date]  # a period is reported once begun
        period = None
        if started and started[0].label and rng.random() < 0.2:
            period = started[rng.randrange(len(started))].label
        recorded = dt.datetime.combine(date, dt.time(8 + i % 10, i % 60, (i // 60) % 60)).isoformat()
        yield Report(
            task=task.id, unit=unit, date=date, status=status, count=count, period=period,
            note=rng.choice(NOTES), by=rng.choice(PEOPLE), recorded=recorded,
        ), rng.randbytes(3).hex()


def supervision(book, made: list[Report], seed: int):
    """(folder, record, name parts) of the reviews, corrections and requests a
    year of `made` reports leaves, deterministic for a seed."""
    rng = random.Random(seed + 1)
    end = book.plan.campaign.end
    for report in made:
        lead = book.lead(book.task_by_id[report.task])
        later = min(end, report.date + dt.timedelta(days=rng.randint(0, 5)))
        roll = rng.random()
        if roll < 0.06 and (report.status == "done" or report.count is not None):  # claims only
            decision = "rejected" if rng.random() < 0.1 else "approved"
            review = Review(subject=report.id, decision=decision, by=lead, date=later, recorded=f"{later}T18:00:00")
            yield locate.REVIEWS_DIR, review, (lead, report.task, report.unit)
        elif 0.06 <= roll < 0.062:
            withdrawal = Withdrawal(subject=report.id, reason="误报", date=later, recorded=f"{later}T18:00:00")
            yield locate.WITHDRAWALS_DIR, withdrawal, ("撤回", report.id)
        elif 0.062 <= roll < 0.064:
            amended = Report(
                task=report.task, unit=report.unit, date=report.date, status="done", count=report.count,
                period=report.period, note="更正", recorded=f"{later}T18:00:00",
                supersedes=report.id, reason="数量有误",
            )
            yield locate.REPORTS_DIR, amended, (report.unit, report.task)
        elif 0.064 <= roll < 0.065:
            task = book.task_by_id[report.task]
            occ = book.occurrence_for(task, report.period, report.date)
            early = report.date <= occ.due  # an extension must be asked before the due day
            asked = early and rng.random() < 0.7
            kind, folder = (Extension, locate.EXTENSIONS_DIR) if asked else (Exemption, locate.EXEMPTIONS_DIR)
            extra = {"until": occ.due + dt.timedelta(days=10)} if kind is Extension else {}
            request = kind(task=report.task, unit=report.unit, reason="人员外出", date=report.date,
                           period=occ.label or None, recorded=f"{report.date}T09:00:00", **extra)
            yield folder, request, (report.unit, report.task)
            review = Review(subject="", decision="approved", by=lead, date=later, recorded=f"{later}T18:00:00")
            yield locate.REVIEWS_DIR, review, (lead, report.task, report.unit)  # its subject set once written


def _write(out: Path, folder: str, record, name: tuple, suffix: str, made: set) -> Path | None:
    path = save.record_path(out, folder, record, name, suffix)
    if path in made:  # a 24-bit suffix can repeat; the tool would draw again
        return None
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)
    made.add(path)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(yamlio.record_document(record))
    return path


def more_units(plan: str, units: int) -> str:
    """plan.yaml's text with villages added until it lists `units` units."""
    head, sep, rest = plan.partition("\nunits:\n")
    have = sum(1 for line in rest.splitlines() if line.startswith("  - {name:"))
    extra = "".join(f"  - {{name: 第{i:04d}村, kind: village, liaison: {{name: '', phone: ''}}}}\n"
                    for i in range(1, max(0, units - have) + 1))
    return head + sep + extra + rest


def generate(out: Path, n: int, seed: int, units: int | None = None) -> int:
    """Fill `out` (replacing it) and return the number of report files."""
    if out.exists():
        shutil.rmtree(out)
    (out / locate.REPORTS_DIR).mkdir(parents=True)
    for name in (locate.PLAN_FILE, locate.TASKS_FILE):
        shutil.copy(ROOT / "data" / name, out / name)
    if units:
        plan = out / locate.PLAN_FILE
        plan.write_text(more_units(plan.read_text(encoding="utf-8"), units), encoding="utf-8")
    book = load.load_book(out)
    made: set = set()
    written: list[Report] = []
    for report, suffix in reports(book, n, seed):
        faults = report_faults(book, report)[1]
        if faults:  # every report valid, or the bench would time lanxi's warnings
            raise SystemExit(f"generate: an invalid report {report}: {faults}")
        path = _write(out, locate.REPORTS_DIR, report, (report.unit, report.task), suffix, made)
        if path is not None:
            written.append(replace(report, file=path.name))
    rng = random.Random(seed + 2)
    request = None
    for folder, record, name in supervision(book, written, seed):
        if isinstance(record, Review) and not record.subject:  # the decision on the request just written
            record = replace(record, subject=request.stem)
        request = _write(out, folder, record, name, rng.randbytes(3).hex(), made)
    return sum(1 for _ in locate.report_files(out))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (replaced if present)")
    parser.add_argument("-n", type=int, default=10_000, help="number of reports (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--units", type=int, help="units in the plan (villages added to the shipped ones)")
    args = parser.parse_args(argv)
    count = generate(args.out, args.n, args.seed, args.units)
    print(f"{args.out}: {count} reports")


if __name__ == "__main__":
    main()
