"""Measure lanxi against its baselines: the targets of issues 16 and 23, in one run.

    python bench/run.py [--rounds 7] [--quick] [--work DIR]

Every figure is the CPU time (user + system, from os.wait4) of one child
process. The children run as on a user's machine: bytecode is written
(PYTHONDONTWRITEBYTECODE is removed from their environment) and one unmeasured
round first writes every .pyc and fills lanxi's cache. Then, in each of
--rounds rounds, every command below runs once, in a shuffled order, so that
a busy spell of the machine falls on all of them alike; a ratio is the median
over rounds of that round's own pair (or quadruple), never a ratio of medians.

  floor     python -c "import typer, pydantic, yaml, rich.table"
  pass      python -c pass
  json/table N   lanxi tasks --overdue [--format json], warm (cache filled)
  cold N    the same, json, with this data folder's cache removed first
  walk N    a bare os.scandir + stat walk over data/reports/
  parse N   a bare yaml.CSafeLoader parse of every report file
  task N    Taskwarrior's `task overdue` over N equivalent tasks (where `task`
            is installed: apt-get install taskwarrior)
  add N     lanxi report add --no-commit (the file it writes is removed after)
  photo 0   the same with one 5 MB photo (--evidence; the stored copy is removed after)
  hashcopy  python -c: SHA-256 of that photo and a copy of it (the bound's allowance)
  list N    lanxi report list, every report as a table at 80 columns, warm
  csv N     the same as --format csv: the table's bound (≤ 3×, issue 15)
  export N  lanxi export -o ledger.xlsx, warm (at 100k only)
  xlsx N    a bare streaming (write-only) openpyxl write of the export's very
            rows, read from a marshal file made once (its floor, issue 23)
  collect 1000   lanxi collect import --no-commit --confirm of a 1,000-row export (金山表单's layout,
            tests/collect_exports.py) into a copy of the shipped data (emptied before each run)
  rows 1000 its floor: a bare openpyxl read of the same export, each row then written as a
            YAML file (safe_dump, write, fsync, rename), as lanxi writes a report (issue 28)
  status U  lanxi status --format json, warm, with the shipped 33 units and
            with a plan of 2,000 units (bench/generate.py --units): the cost
            per obligation beyond `python -c pass` is compared
  status N  lanxi status --format json, warm, over N reports
  page N    the 总览 page of `lanxi serve` over N reports: the CPU time the
            running server spends on one GET / (from /proc/PID/stat, its
            threads included), warm; compared with `status N` (issue 29)

N = 0 is the shipped data (a copy of it for `report add`); 10k and 100k are
made by bench/generate.py once and kept in --work. Prints the table and
writes bench/out/bench-<time>.json and latest.json (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import marshal
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
AS_OF = "2020-10-15"
FLOOR = "import typer, pydantic, yaml, rich.table"
BARE_WALK = """
import os, sys
stack = [sys.argv[1]]
while stack:
    with os.scandir(stack.pop()) as listing:
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                entry.stat()
"""
BARE_PARSE = """
import os, sys, yaml
loader = yaml.CSafeLoader
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=loader)
"""
BARE_XLSX = """
import datetime as dt, marshal, sys
from openpyxl import Workbook
with open(sys.argv[1], "rb") as handle:
    sheets = marshal.load(handle)
book = Workbook(write_only=True)
for name, rows in sheets:
    ws = book.create_sheet(name)
    for row in rows:
        ws.append([dt.date.fromordinal(v[1]) if type(v) is tuple else v for v in row])
book.save(sys.argv[2])
"""
BARE_ROWS = """
import os, sys, yaml
from openpyxl import load_workbook
sheet = load_workbook(sys.argv[1], data_only=True).worksheets[0]
header = [c.value for c in sheet[2]]
for i, row in enumerate(sheet.iter_rows(min_row=3, values_only=True)):
    path = os.path.join(sys.argv[2], f"{i}.yaml")
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(yaml.safe_dump(dict(zip(header, map(str, row))), allow_unicode=True, sort_keys=False))
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(path + ".tmp", path)
"""
COLLECT_ROWS = 1000
UNITS = 2000  # the plan of the `status` scale figure
ADD = ["report", "add", "--task", "1.1", "--unit", "苏家湖村", "--status", "progress", "--note", "bench", "--no-commit"]
HASH_COPY = """
import hashlib, sys
digest = hashlib.sha256()
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    while chunk := src.read(1 << 20):
        digest.update(chunk)
        dst.write(chunk)
digest.hexdigest()
"""


class Command:
    """One command measured in every round: its argv, environment, and what
    to do before it runs (drop a cache) and after (remove the file it wrote)."""

    def __init__(self, name: str, argv: list[str], env: dict, before=None, after=None):
        self.name, self.argv, self.env, self.before, self.after = name, argv, env, before, after
        self.cpu: list[float] = []
        self.rss: list[float] = []

    def run(self, record: bool = True) -> None:
        if self.before:
            self.before()
        code, out, err, usage = run_child(self.argv, self.env, capture=self.after is not None)
        if code != 0:
            sys.exit(f"bench: {self.name} exited {code}:\n{err}")
        if self.after:
            self.after(out)
        if record:
            self.cpu.append(usage.ru_utime + usage.ru_stime)
            self.rss.append(usage.ru_maxrss / 1024)


class Served:
    """The 总览 page of one `lanxi serve` kept running through the rounds: each run is one
    GET /, measured as the CPU time the server process spent meanwhile (Linux /proc)."""

    def __init__(self, name: str, data: Path, env: dict):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.name, self.cpu, self.rss = name, [], []
        self.proc = subprocess.Popen([PY, "-m", "lanxi_cli", "serve", "--no-browser", "--port", str(self.port),
                                      "--as-of", AS_OF, "--data", str(data)], env=env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit(f"bench: {name}: lanxi serve did not start")

    def _ticks(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def run(self, record: bool = True) -> None:
        import urllib.request

        before = self._ticks()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=300) as response:
            if response.status != 200 or b"<h1>" not in response.read():
                sys.exit(f"bench: {self.name}: the page did not come")
        if record:
            self.cpu.append(self._ticks() - before)
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
            self.rss.append(int(next(x for x in status.splitlines() if x.startswith("VmHWM")).split()[1]) / 1024)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def run_child(argv: list[str], env: dict, capture: bool = False):
    """One child: its exit code, stdout (with `capture`, else ""), stderr and
    its own rusage (from os.wait4). A child's peak RSS (ru_maxrss) counts the
    copy of this process it was between fork and exec, so this process stays
    small: what a child prints is read only where it is needed (report add's
    path), never the megabytes of `report list`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out if capture else subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read().decode(errors="replace"), err.read(1 << 16).decode(errors="replace"), usage


# ---- data ---------------------------------------------------------------------------------------


def data_for(n: int, work: Path, seed: int, units: int | None = None) -> Path:
    """A folder of the shipped plan and tasks with n generated reports (kept
    between runs); with `units`, a plan of that many units."""
    folder = work / (f"data-{n}-{seed}" + (f"-{units}u" if units else ""))
    made_from = hashlib.blake2b(b"".join(
        (ROOT / path).read_bytes() for path in ("data/plan.yaml", "data/tasks.yaml", "bench/generate.py")
    )).hexdigest()  # a changed plan or generator makes the folder again
    marker = folder / ".generated"
    if not marker.exists() or marker.read_text().strip() != made_from:
        print(f"generating {n} reports in {folder} …", file=sys.stderr)
        more = ["--units", str(units)] if units else []
        subprocess.run([PY, str(ROOT / "bench" / "generate.py"), str(folder), "-n", str(n), "--seed", str(seed),
                        *more], check=True, stdout=subprocess.DEVNULL)
        marker.write_text(made_from + "\n")
    return folder


def ledger_rows(data: Path, out: Path) -> None:
    """The rows of every sheet `lanxi export` writes for `data`, as marshal
    (dates as ("d", ordinal)): what the bare streaming write writes."""
    sys.path.insert(0, str(ROOT))
    from lanxi_cli.core import overview, reviews
    from lanxi_cli.core.domain import record_order
    from lanxi_cli.render import workbook
    from lanxi_cli.store.snapshot import load

    session = load(data, dt.date.fromisoformat(AS_OF))
    summary = overview.compute(session.book, session.obligations(), session.as_of)
    reports = sorted((r for r in session.records("reports") if r.date <= session.as_of), key=record_order)
    decided = reviews.decisions(session.reviews, session.as_of)
    ledger = workbook.build(session.book, summary, reports, decided, session.corrections)
    def cells(row):
        return [("d", v.toordinal()) if isinstance(v, dt.date) else v for v in row]

    plain = [(sheet.name, [[sheet.title], sheet.columns, *map(cells, sheet.rows)]) for sheet in ledger.sheets]
    out.write_bytes(marshal.dumps(plain))


def obligations_of(data: Path, env: dict) -> int:
    """How many obligations the plan in `data` gives (the status figure's divisor)."""
    code = ("import sys, datetime as dt; from pathlib import Path; from lanxi_cli.store.snapshot import load; "
            f"print(len(load(Path(sys.argv[1]), dt.date.fromisoformat('{AS_OF}')).obligations()))")
    return int(subprocess.run([PY, "-c", code, str(data)], env=env, capture_output=True, text=True,
                              check=True).stdout)


def task_json(data: Path, out: Path, seed: int) -> None:
    """One Taskwarrior task per valid report: pending unless done, due on the
    report's date moved so that the bench's as-of day is today."""
    sys.path.insert(0, str(ROOT))
    from lanxi_cli.io import load

    rng, shift = random.Random(seed), dt.date.today() - dt.date.fromisoformat(AS_OF)
    book = load.load_book(data)
    reports, _ = load.load_reports(data, book)
    tasks = []
    for report in reports:
        due = report.date + shift
        task = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": f"{report.task} {book.task_by_id[report.task].text[:20]}",
            "project": report.unit,
            "status": "completed" if report.status == "done" else "pending",
            "entry": (due - dt.timedelta(days=30)).strftime("%Y%m%dT000000Z"),
            "due": due.strftime("%Y%m%dT000000Z"),
        }
        if report.status == "done":
            task["end"] = task["due"]
        tasks.append(task)
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")


def taskwarrior(n: int, data: Path, work: Path, seed: int) -> Command | None:
    """`task overdue` over a Taskwarrior database of one task per report, or
    None where `task` is not installed."""
    if shutil.which("task") is None:
        return None
    folder = work / f"task-{n}-{seed}"
    rc = folder / "taskrc"
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(folder / "data")}
    argv = ["task", "rc.confirmation=off", "rc.verbose=nothing", "rc.color=off", "rc.hooks=off"]
    made_from = (data / ".generated").read_text()
    if not (folder / ".imported").exists() or (folder / ".imported").read_text() != made_from:
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "data").mkdir(parents=True)
        rc.write_text(f"data.location={folder / 'data'}\nconfirmation=off\nverbose=nothing\n")
        subprocess.run([PY, __file__, "--task-json", str(data), str(folder / "tasks.json"), "--seed", str(seed)],
                       check=True)
        print(f"importing {n} tasks into Taskwarrior …", file=sys.stderr)
        subprocess.run([*argv, "import", str(folder / "tasks.json")], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (folder / ".imported").write_text(made_from)
    return Command(f"task {n}", [*argv, "overdue"], env)


# ---- the run ------------------------------------------------------------------------------------


def _remove_added(data: Path, out: str) -> None:
    """`report add` prints the path it wrote (from the data folder's parent): removed,
    so the data stays as it was."""
    written = [data.parent / line.strip() for line in out.splitlines() if line.strip().endswith(".yaml")]
    if len(written) != 1 or not written[0].is_file():
        sys.exit(f"bench: report add wrote no file it named:\n{out}")
    written[0].unlink()


def photo(work: Path) -> Path:
    """A 5 MB JPEG with an EXIF capture time (Pillow), made once."""
    path = work / "photo-5mb.jpg"
    if not path.exists():
        from PIL import Image

        size = (1900, 1500)
        image = Image.frombytes("RGB", size, random.Random(5).randbytes(size[0] * size[1] * 3))
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = "2020:10:14 09:30:00"
        image.save(path, "JPEG", exif=exif, quality=88)
    return path


def _remove_added_with_evidence(data: Path, out: str) -> None:
    """As _remove_added, and the evidence it stored, so that every run hashes and copies the photo."""
    _remove_added(data, out)
    shutil.rmtree(data / "evidence")


def collect_export(work: Path, seed: int) -> Path:
    """A 1,000-row export of the online form (金山表单's layout), made once: each
    village reports progress on its tasks over September, every row its own note."""
    path = work / f"collect-{COLLECT_ROWS}-{seed}.xlsx"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "tests"))
        import collect_exports as ex

        rng = random.Random(seed)
        villages = ["苏家湖村", "黄湖村", "罗湖村", "北岸新村", "千家洲村", "双港子村", "莲花塘村", "三岔堤村"]
        tasks = ["1.1 制定方案", "1.2 成立专班", "1.3 动员部署会", "2.1", "4.2", "5.4"]
        start = dt.datetime(2020, 9, 1, 8)
        subs = [ex.Submission(i + 1, start + dt.timedelta(seconds=1200 * i + rng.randrange(600)),
                              f"用户{rng.randrange(100)}", rng.choice(villages), rng.choice(tasks), status="进行中",
                              note=f"第{i + 1}次进展", reporter=f"联络员{rng.randrange(50)}",
                              links=(f"https://example.org/f/{i}.jpg",))
                for i in range(COLLECT_ROWS)]
        ex.kdocs(path, subs)
    return path


def _empty_reports(data: Path) -> None:
    shutil.rmtree(data / "reports", ignore_errors=True)
    (data / "reports").mkdir()
    (data / "collect.yaml").unlink(missing_ok=True)


def commands(sizes: list[int], work: Path, seed: int) -> tuple[dict[str, Command], list[str], dict]:
    """Every command of a round, by name, notes on what could not be measured,
    and counts the figures divide by."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(work / "cache"),
           "COLUMNS": "80", "NO_COLOR": "1"}
    for name in ("PYTHONDONTWRITEBYTECODE", "LANXI_DATA", "LANXI_TODAY"):
        env.pop(name, None)
    lanxi = [PY, "-m", "lanxi_cli"]
    query = ["tasks", "--overdue", "--as-of", AS_OF]
    notes: list[str] = []
    counts: dict = {}

    shipped = work / "data-0"
    shutil.rmtree(shipped, ignore_errors=True)
    (shipped / "reports").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(ROOT / "data" / name, shipped / name)
    found = {
        "floor": Command("floor", [PY, "-c", FLOOR], env),
        "pass": Command("pass", [PY, "-c", "pass"], env),
        "json 0": Command("json 0", [*lanxi, *query, "--format", "json", "--data", str(ROOT / "data")], env),
        "table 0": Command("table 0", [*lanxi, *query, "--data", str(ROOT / "data")], env),
        "add 0": Command("add 0", [*lanxi, *ADD, "--data", str(shipped), "--as-of", AS_OF], env,
                         after=partial(_remove_added, shipped)),
        "status 0": Command("status 0", [*lanxi, "status", "--format", "json", "--as-of", AS_OF,
                                         "--data", str(ROOT / "data")], env),
        "photo 0": Command("photo 0", [*lanxi, *ADD, "--evidence", str(photo(work)), "--data", str(shipped),
                                       "--as-of", AS_OF], env, after=partial(_remove_added_with_evidence, shipped)),
        "hashcopy": Command("hashcopy", [PY, "-c", HASH_COPY, str(photo(work)), str(work / "photo-copy")], env),
    }
    counts["obligations 0"] = obligations_of(ROOT / "data", env)
    export, collected, written = collect_export(work, seed), work / "data-collect", work / "rows-collect"
    shutil.rmtree(collected, ignore_errors=True)
    shutil.copytree(shipped, collected)
    found[f"collect {COLLECT_ROWS}"] = Command(
        f"collect {COLLECT_ROWS}", [*lanxi, "collect", "import", str(export), "--no-commit", "--confirm",
                                    "--data", str(collected), "--as-of", AS_OF], env,
        before=partial(_empty_reports, collected))
    found[f"rows {COLLECT_ROWS}"] = Command(
        f"rows {COLLECT_ROWS}", [PY, "-c", BARE_ROWS, str(export), str(written)], env,
        before=lambda: (shutil.rmtree(written, ignore_errors=True), written.mkdir()))
    wide = data_for(10_000, work, seed, UNITS)
    found[f"status {UNITS}u"] = Command(f"status {UNITS}u", [*lanxi, "status", "--format", "json", "--as-of", AS_OF,
                                                             "--data", str(wide)], env)
    counts[f"obligations {UNITS}u"] = obligations_of(wide, env)
    for n in (n for n in sizes if n):
        data = data_for(n, work, seed)
        cache_dir = Path(subprocess.run(
            [PY, "-c", "import sys; from lanxi_cli.store import cache as c; "
             "print(c.cache_file(sys.argv[1], 'x').parent)",
             str(data)], env=env, capture_output=True, text=True, check=True).stdout.strip())
        found[f"json {n}"] = Command(f"json {n}", [*lanxi, *query, "--format", "json", "--data", str(data)], env)
        found[f"cold {n}"] = Command(f"cold {n}", [*lanxi, *query, "--format", "json", "--data", str(data)], env,
                                     before=lambda d=cache_dir: shutil.rmtree(d, ignore_errors=True))
        found[f"walk {n}"] = Command(f"walk {n}", [PY, "-c", BARE_WALK, str(data / "reports")], env)
        found[f"parse {n}"] = Command(f"parse {n}", [PY, "-c", BARE_PARSE, str(data / "reports")], env)
        found[f"add {n}"] = Command(f"add {n}", [*lanxi, *ADD, "--data", str(data), "--as-of", AS_OF], env,
                                    after=partial(_remove_added, data))
        if n == 10_000 and os.path.isdir("/proc/self"):
            found[f"status {n}"] = Command(f"status {n}", [*lanxi, "status", "--format", "json", "--as-of", AS_OF,
                                                           "--data", str(data)], env)
            found[f"page {n}"] = Served(f"page {n}", data, env)
        listing = [*lanxi, "report", "list", "--as-of", AS_OF, "--data", str(data)]
        found[f"list {n}"] = Command(f"list {n}", listing, env)
        found[f"csv {n}"] = Command(f"csv {n}", [*listing, "--format", "csv"], env)
        if n == 100_000:
            ledger, rows = work / "ledger.xlsx", work / f"ledger-rows-{n}-{seed}.marshal"
            found[f"export {n}"] = Command(f"export {n}", [*lanxi, "export", "-o", str(ledger), "--as-of", AS_OF,
                                                           "--data", str(data)], env)
            subprocess.run([PY, __file__, "--ledger-rows", str(data), str(rows)], env=env, check=True)
            found[f"xlsx {n}"] = Command(f"xlsx {n}", [PY, "-c", BARE_XLSX, str(rows), str(work / "bare.xlsx")], env)
        if n == 10_000:
            task = taskwarrior(n, data, work, seed)
            if task:
                found[f"task {n}"] = task
            else:
                notes.append("Taskwarrior is not installed (apt-get install taskwarrior): 10k vs `task overdue` "
                             "not measured")
    return found, notes, counts


def bench(sizes: list[int], rounds: int, work: Path, seed: int) -> dict:
    started = time.monotonic()
    found, notes, counts = commands(sizes, work, seed)
    for command in found.values():  # writes every .pyc, fills every cache; not measured
        command.run(record=False)
    bytecode = Path(importlib.util.cache_from_source(str(ROOT / "lanxi_cli" / "cli" / "__init__.py"))).is_file()
    load = [os.getloadavg()[0]]
    try:
        for r in range(rounds):
            order = list(found.values())
            random.shuffle(order)
            for command in order:
                command.run()
            load.append(os.getloadavg()[0])
            print(f"round {r + 1}/{rounds} done, {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        for command in found.values():
            if isinstance(command, Served):
                command.stop()
    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "rounds": rounds, "as_of": AS_OF,
        "bytecode_written": bytecode, "load_average": load, "seconds": round(time.monotonic() - started),
        "notes": notes, "counts": counts,
        "cpu": {name: c.cpu for name, c in found.items()},
        "rss_mb": {name: c.rss for name, c in found.items()},
    }


# ---- the figures ----------------------------------------------------------------------------------


def _spread(values: list[float]) -> tuple[float, float, float]:
    """Median and the interquartile range (25th, 75th percentile)."""
    q = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    return statistics.median(values), q[0], q[2]


def county(n: int, towns: int, runs: int, work: Path, seed: int) -> dict:
    """`county status` over `towns` towns of N reports each: local folders
    (hard-linked copies of one generated folder, each a town of its own to
    the cache), cold (cache removed) and warm; and `county rank` warm against
    its baseline in the same rounds: each town's own `status --format json`,
    warm, one process a town (what a county clerk would run without lanxi
    county), the ratio taken round by round."""
    source = data_for(n, work, seed)
    base = work / f"county-{towns}x{n}-{seed}"
    made_from = (source / ".generated").read_text()
    marker = base / ".made_from"
    if not marker.exists() or marker.read_text() != made_from:
        shutil.rmtree(base, ignore_errors=True)
        for i in range(towns):
            shutil.copytree(source, base / f"town{i:02d}" / "data", copy_function=os.link)
        lines = [f"  - {{name: 镇{i + 1:02d}, data: town{i:02d}}}" for i in range(towns)]
        (base / "towns.yaml").write_text("towns:\n" + "\n".join(lines) + "\n", encoding="utf-8")
        marker.write_text(made_from)  # the towns are copies of the generated folder: made with it
    cache_home = work / "cache-county"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home), "COLUMNS": "80"}
    lanxi = [sys.executable, "-m", "lanxi_cli"]
    towns_file = ["--towns", str(base / "towns.yaml"), "--as-of", AS_OF, "--format", "json"]
    argv = [*lanxi, "county", "status", *towns_file]
    rank = [*lanxi, "county", "rank", *towns_file]
    each = [[*lanxi, "status", "--format", "json", "--as-of", AS_OF, "--data", str(base / f"town{i:02d}" / "data")]
            for i in range(towns)]

    def once(command: list[str]) -> tuple[float, float]:
        code, _, err, usage = run_child(command, env)
        if code != 0:
            raise SystemExit(f"{' '.join(command[3:5])} failed: {err}")
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

    def measure(before=None) -> dict:
        cpu, rss = [], []
        for _ in range(runs):
            if before:
                before()
            seconds, peak = once(argv)
            cpu.append(seconds)
            rss.append(peak)
        return {"cpu": statistics.median(cpu), "rss_mb": max(rss)}

    cold = measure(before=lambda: shutil.rmtree(cache_home, ignore_errors=True))
    warm = measure()  # the first cold run left the cache behind
    for command in each:  # each town's own cache, as `status` in its folder keeps it: warm before measuring
        once(command)
    ranked, baseline, ratios, peak = [], [], [], 0.0
    for _ in range(runs):
        seconds, rss = once(rank)
        alone = sum(once(command)[0] for command in each)
        ranked.append(seconds)
        baseline.append(alone)
        ratios.append(seconds / alone)
        peak = max(peak, rss)
    low_high = _spread(ratios)
    return {"towns": towns, "reports_each": n, "cold": cold, "warm": warm,
            "rank": {"cpu": statistics.median(ranked), "rss_mb": peak, "baseline_cpu": statistics.median(baseline),
                     "ratio": round(low_high[0], 3), "ratio_q1": round(low_high[1], 3),
                     "ratio_q3": round(low_high[2], 3)}}


def targets(out: dict) -> list[dict]:
    """The issue's table, each ratio the median of per-round figures, with its spread."""
    cpu, rss, rows = out["cpu"], out["rss_mb"], []

    def add(measure: str, per_round: list[float], limit: float, unit: str = "×") -> None:
        median, low, high = _spread(per_round)
        rows.append({"measure": measure, "value": round(median, 3), "q1": round(low, 3), "q3": round(high, 3),
                     "limit": limit, "unit": unit, "met": median <= limit})

    def ratio(a: str, b: str) -> list[float]:
        return [x / y for x, y in zip(cpu[a], cpu[b], strict=True)]

    add("shipped data, tasks --overdue --format json / import floor", ratio("json 0", "floor"), 0.90)
    add("shipped data, tasks --overdue (table) / import floor", ratio("table 0", "floor"), 1.00)
    if "task 10000" in cpu:
        add("10k reports, warm tasks --overdue --format json / task overdue (10k tasks)",
            ratio("json 10000", "task 10000"), 0.60)
    for n, label in ((10_000, "10k"), (100_000, "100k")):
        if f"json {n}" not in cpu:
            continue
        per = [(t - t0) / (w - p) for t, t0, w, p in zip(cpu[f"json {n}"], cpu["json 0"], cpu[f"walk {n}"],
                                                         cpu["pass"], strict=True)]
        add(f"warm per-report cost, (T({label}) − T(0)) / (bare scandir+stat walk − python -c pass)", per, 1.2)
    if "json 100000" in rss:
        add("warm peak RSS at 100k (largest of the rounds)", [max(rss["json 100000"])], 64, "MB")
    for n, label in ((10_000, "10k"), (100_000, "100k")):
        if f"cold {n}" in cpu:
            add(f"cold (every report file read) / bare CSafeLoader parse, at {label}", ratio(f"cold {n}", f"parse {n}"),
                1.15)
    for n, label in ((10_000, "10k"), (100_000, "100k")):
        if f"add {n}" in cpu:
            per = [a / (a0 + w - p) for a, a0, w, p in zip(cpu[f"add {n}"], cpu["add 0"], cpu[f"walk {n}"],
                                                            cpu["pass"], strict=True)]
            add(f"report add --no-commit at {label} / (at 0 + bare walk of {label} − python -c pass)", per, 1.2)
    allowance = [h - p for h, p in zip(cpu["hashcopy"], cpu["pass"], strict=True)]
    add("report add with a 5 MB photo, less hashing and copying it, / without (issue 27)",
        [(t - a) / t0 for t, a, t0 in zip(cpu["photo 0"], allowance, cpu["add 0"], strict=True)], 1.5)
    for n, label in ((10_000, "10k"), (100_000, "100k")):
        if f"list {n}" in cpu:
            add(f"report list over {label} reports: table / csv (issue 15)", ratio(f"list {n}", f"csv {n}"), 3.0)
    if "page 10000" in cpu:
        add("lanxi serve: the 总览 page at 10k, served warm / status --format json at 10k, warm (issue 29)",
            ratio("page 10000", "status 10000"), 3.0)
    if "export 100000" in cpu:
        add("export -o x.xlsx at 100k / bare streaming openpyxl write of its rows",
            ratio("export 100000", "xlsx 100000"), 3.0)
        add("export -o x.xlsx at 100k, peak RSS (largest of the rounds)", [max(rss["export 100000"])], 200, "MB")
    if f"collect {COLLECT_ROWS}" in cpu:
        add(f"collect import of {COLLECT_ROWS:,} rows / bare openpyxl read + a YAML file written per row (issue 28)",
            ratio(f"collect {COLLECT_ROWS}", f"rows {COLLECT_ROWS}"), 3.0)
    wide = f"status {UNITS}u"
    if wide in cpu:
        counts = out["counts"]
        per = [((t - p) / counts[f"obligations {UNITS}u"]) / ((t0 - p) / counts["obligations 0"])
               for t, t0, p in zip(cpu[wide], cpu["status 0"], cpu["pass"], strict=True)]
        add(f"status per obligation beyond python -c pass: {UNITS} units / the shipped 33", per, 2.0)
    return rows


def table(out: dict) -> str:
    cpu, rss = out["cpu"], out["rss_mb"]
    floor = _spread(cpu["floor"])
    lines = [
        f"lanxi bench {out['when']} · python {out['python']} · {out['cpus']} CPUs · {out['rounds']} interleaved "
        f"rounds · {out['seconds']} s in all · bytecode written: {'yes' if out['bytecode_written'] else 'NO'}",
        "CPU seconds (user+sys) of each child: median [quartiles]; ratios are medians of per-round ratios",
        "",
        f"{'command':<12} {'median':>7} {'q1':>7} {'q3':>7} {'RSS MB':>7}",
    ]
    for name in cpu:
        median, low, high = _spread(cpu[name])
        lines.append(f"{name:<12} {median:7.3f} {low:7.3f} {high:7.3f} {max(rss[name]):7.0f}")
    lines += ["", f"{'measure':<90} {'value':>7} {'[q1, q3]':>15}  target", ""]
    for t in out["targets"]:
        spread = f"[{t['q1']:.2f}, {t['q3']:.2f}]" if t["unit"] == "×" else ""
        value = f"{t['value']:.2f}" if t["unit"] == "×" else f"{t['value']:.0f} MB"
        mark = "met " if t["met"] else "MISS"
        limit = f"≤ {t['limit']:.2f}" if t["unit"] == "×" else f"≤ {t['limit']} MB"
        lines.append(f"{t['measure']:<90} {value:>7} {spread:>15}  {limit}  {mark}")
    loads = out["load_average"]
    lines += ["", f"noise: import floor {floor[0]:.3f} s, quartiles {floor[1]:.3f}–{floor[2]:.3f} "
              f"({(floor[2] - floor[1]) / floor[0] * 100:.0f}% of the median); 1-minute load average "
              f"{min(loads):.1f}–{max(loads):.1f} during the run"]
    lines += [f"note: {note}" for note in out["notes"]]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument("--quick", action="store_true", help="N = 0 and 10k only")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 0,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--county", action="store_true",
                        help="also time `county status` and `county rank` over 20 towns × 10k reports")
    parser.add_argument("--county-only", action="store_true", help="only the county's figures (--county alone)")
    parser.add_argument("--task-json", nargs=2, type=Path, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--ledger-rows", nargs=2, type=Path, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lanxi-bench",
                        help="where generated data and caches go (kept, to skip generating again)")
    args = parser.parse_args(argv)
    if args.task_json:
        return task_json(*args.task_json, args.seed)
    if args.ledger_rows:
        return ledger_rows(*args.ledger_rows)
    sizes = args.sizes or ([0, 10_000] if args.quick else [0, 10_000, 100_000])
    args.work.mkdir(parents=True, exist_ok=True)
    if args.county_only:
        out, text = {"when": dt.datetime.now().isoformat(timespec="seconds")}, ""
    else:
        out = bench(sizes, max(3, args.rounds), args.work, args.seed)
        out["targets"] = targets(out)
        text = table(out)
    if args.county or args.county_only:
        c = out["county"] = county(10_000, 20, max(3, args.rounds), args.work, args.seed)
        peak = max(c["cold"]["rss_mb"], c["warm"]["rss_mb"])
        r = c["rank"]
        text += (f"\ncounty status, {c['towns']} towns × {c['reports_each']} reports (CPU s, median): "
                 f"cold {c['cold']['cpu']:.2f}, warm {c['warm']['cpu']:.2f}, peak {peak:.0f} MB\n"
                 f"county rank, warm: {r['cpu']:.2f} s CPU, peak {r['rss_mb']:.0f} MB; the {c['towns']} towns' own "
                 f"`status --format json`, warm, one process each: {r['baseline_cpu']:.2f} s CPU; ratio "
                 f"{r['ratio']:.3f} (quartiles {r['ratio_q1']:.3f}–{r['ratio_q3']:.3f}, round by round)\n")
    print(text)
    folder = ROOT / "bench" / "out"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = out["when"].replace(":", "").replace("-", "")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (folder / name).write_text(json.dumps({**out, "table": text}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
