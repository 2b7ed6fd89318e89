"""Time lanxi against its baselines, at N = 0 (the shipped data), 10k and 100k reports.

    python bench/run.py [--quick] [--runs 3] [--work DIR] [--county]

Each figure is the median of --runs subprocess runs: wall seconds, CPU
seconds (user + system, steadier than wall on a busy machine) and peak RSS,
all from os.wait4 of that one child. "cold" removes the cache before every
run; "warm" is a run on unchanged data after a first run has filled it.
Baselines, measured in the same run so ratios hold on a noisy machine:
  floor    python -c "import typer, pydantic, yaml, rich.table"
  typer    a one-command typer app given lanxi's option types (typer 0.2x
           coerces each option through a pydantic TypeAdapter: a cost every
           typer command pays)
  parse    a bare loop reading every report file with yaml.CSafeLoader
  task     Taskwarrior's `task overdue` over N equivalent tasks (skipped
           where `task` is not installed)
Prints a table and writes bench/out/bench-<time>.json (and latest.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2020-10-15"
COMMANDS = {
    "tasks --overdue": ["tasks", "--overdue"],
    "status": ["status"],
    "status --unit 派出所": ["status", "--unit", "派出所"],
    "check": ["check"],
}
FLOOR = "import typer, pydantic, yaml, rich.table"
TYPER_APP = """
import enum, pathlib, typer
class F(str, enum.Enum):
    table = "table"
app = typer.Typer()
@app.command()
def status(unit: str | None = None, data: pathlib.Path | None = None, as_of: str | None = None, fmt: F = F.table):
    pass
@app.command()
def other():
    pass
app()
"""
BARE_PARSE = """
import os, sys, yaml
loader = yaml.CSafeLoader
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=loader)
"""


def run_once(argv: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """One subprocess: wall and CPU seconds and peak RSS (MB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024, "exit": proc.returncode,
    }


def measure(argv, runs: int, env=None, before=None, cwd=None, pair=None) -> dict:
    """Median of `runs` runs; `before` is called before each (e.g. to drop the
    cache). With `pair` (the import floor's argv), the floor runs just before
    each sample too, and `per_floor` is the median of the paired ratios: the
    load of a shared machine changes less between two neighbouring runs."""
    samples, ratios = [], []
    for _ in range(runs):
        floor = run_once(pair, env) if pair else None
        if before:
            before()
        samples.append(run_once(argv, env, cwd))
        if floor:
            ratios.append((samples[-1]["cpu"] / floor["cpu"], samples[-1]["wall"] / floor["wall"]))
    out = {
        "wall": statistics.median(s["wall"] for s in samples),
        "cpu": statistics.median(s["cpu"] for s in samples),
        "rss_mb": max(s["rss_mb"] for s in samples),
        "exit": samples[-1]["exit"],
        "runs": len(samples),
    }
    if ratios:
        out["per_floor"] = statistics.median(r[0] for r in ratios)
        out["per_floor_wall"] = statistics.median(r[1] for r in ratios)
    return out


# ---- data ---------------------------------------------------------------------


def data_for(n: int, work: Path, seed: int) -> Path:
    """The shipped data for 0, else a generated folder (kept between runs).
    Heavy preparation runs in child processes: a child's peak RSS counts its
    parent's memory at fork, so this process stays small."""
    if n == 0:
        return ROOT / "data"
    folder = work / f"data-{n}-{seed}"
    marker = folder / ".generated"
    if not marker.exists():
        print(f"generating {n} reports in {folder} …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(folder), "-n", str(n),
                        "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        marker.write_text("ok\n")
    return folder


def task_json(data: Path, out: Path, seed: int) -> None:
    """One Taskwarrior task per valid report: pending unless done, due on the
    report's date moved so that the bench's as-of day is today."""
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


def taskwarrior(n: int, data: Path, work: Path, seed: int) -> dict | None:
    """A Taskwarrior database of one task per report: pending unless done, due
    on the report's date moved to today's calendar (as-of = today)."""
    if n == 0 or shutil.which("task") is None:
        return None
    folder = work / f"task-{n}-{seed}"
    rc = folder / "taskrc"
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(folder / "data")}
    argv = ["task", "rc.confirmation=off", "rc.verbose=nothing", "rc.color=off", "rc.hooks=off"]
    if not (folder / ".imported").exists():
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "data").mkdir(parents=True)
        rc.write_text(f"data.location={folder / 'data'}\nconfirmation=off\nverbose=nothing\n")
        subprocess.run([sys.executable, __file__, "--task-json", str(data), str(folder / "tasks.json"),
                        "--seed", str(seed)], check=True)
        print(f"importing {n} tasks into Taskwarrior …", file=sys.stderr)
        subprocess.run([*argv, "import", str(folder / "tasks.json")], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (folder / ".imported").write_text("ok\n")
    run_once([*argv, "overdue"], env)  # let it settle (gc) before timing
    return {"argv": [*argv, "overdue"], "env": env}


# ---- the run --------------------------------------------------------------------


def bench(sizes: list[int], runs: int, work: Path, seed: int) -> dict:
    cache_home = work / "cache"
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home),
        "COLUMNS": "80", "NO_COLOR": "1",
    }
    env.pop("LANXI_DATA", None)
    drop = lambda: shutil.rmtree(cache_home, ignore_errors=True)  # noqa: E731
    py = sys.executable
    floor_argv = [py, "-c", FLOOR]
    out: dict = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "runs": runs, "as_of": AS_OF,
        "baselines": {
            "floor": measure(floor_argv, runs, env),
            "typer": measure([py, "-c", TYPER_APP, "status", "--unit", "x", "--data", ".", "--as-of", "y"], runs, env),
        },
        "sizes": {},
    }
    for n in sizes:
        data = data_for(n, work, seed)
        row: dict = {"commands": {}}
        if n:
            row["parse"] = measure([py, "-c", BARE_PARSE, str(data / "reports")], runs, env)
        tw = taskwarrior(n, data, work, seed)
        if tw:
            row["task overdue"] = measure(tw["argv"], runs, tw["env"])
        for name, args in COMMANDS.items():
            argv = [py, "-m", "lanxi_cli", *args, "--data", str(data)]
            if args[0] != "check":
                argv += ["--as-of", AS_OF]
            pair = floor_argv if n == 0 else None
            cold = measure(argv, runs, env, before=drop, pair=pair)
            run_once(argv, env)  # fill the cache
            warm = measure(argv, runs, env, pair=pair)
            row["commands"][name] = {"cold": cold, "warm": warm}
            print(f"N={n:>6} {_pad(name, 22)} cold {cold['cpu']:.3f}s  warm {warm['cpu']:.3f}s cpu", file=sys.stderr)
        out["sizes"][str(n)] = row
    out["targets"] = targets(out)
    return out


def county(n: int, towns: int, runs: int, work: Path, seed: int) -> dict:
    """`county status` over `towns` towns of N reports each: local folders
    (hard-linked copies of one generated folder, each a town of its own to
    the cache), cold (cache removed) and warm."""
    source = data_for(n, work, seed)
    base = work / f"county-{towns}x{n}-{seed}"
    if not (base / "towns.yaml").exists():
        shutil.rmtree(base, ignore_errors=True)
        for i in range(towns):
            shutil.copytree(source, base / f"town{i:02d}" / "data", copy_function=os.link)
        lines = [f"  - {{name: 镇{i + 1:02d}, data: town{i:02d}}}" for i in range(towns)]
        (base / "towns.yaml").write_text("towns:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    cache_home = work / "cache-county"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home), "COLUMNS": "80"}
    argv = [sys.executable, "-m", "lanxi_cli", "county", "status", "--towns", str(base / "towns.yaml"),
            "--as-of", AS_OF, "--format", "json"]
    cold = measure(argv, runs, env, before=lambda: shutil.rmtree(cache_home, ignore_errors=True))
    run_once(argv, env)
    warm = measure(argv, runs, env)
    print(f"county {towns}×{n}: cold {cold['cpu']:.3f}s  warm {warm['cpu']:.3f}s cpu", file=sys.stderr)
    return {"towns": towns, "reports_each": n, "cold": cold, "warm": warm}


def targets(out: dict) -> list[dict]:
    """The issue's targets, judged on CPU seconds (wall shown alongside)."""
    found = []
    sizes = out["sizes"]

    def add(name, value, limit, basis, info=False):
        found.append({"target": name, "ratio": round(value, 2), "limit": limit, "met": value <= limit,
                      "basis": basis, "info": info})

    if "0" in sizes:
        for name, m in sizes["0"]["commands"].items():
            add(f"N=0 warm {name} / import floor", m["warm"]["per_floor"], 1.2, "cpu")
            add(f"N=0 warm {name} / import floor (wall)", m["warm"]["per_floor_wall"], 1.2, "wall")
    if "10000" in sizes and "task overdue" in sizes["10000"]:
        ours, theirs = sizes["10000"]["commands"]["tasks --overdue"]["warm"], sizes["10000"]["task overdue"]
        add("10k warm tasks --overdue / task overdue", ours["cpu"] / theirs["cpu"], 1.0, "cpu")
        add("10k warm tasks --overdue / task overdue (wall)", ours["wall"] / theirs["wall"], 1.0, "wall")
    if "10000" in sizes and "100000" in sizes:
        for name in COMMANDS:
            big, small = sizes["100000"]["commands"][name]["warm"], sizes["10000"]["commands"][name]["warm"]
            # check reads every file on every run, by design: shown, not judged
            add(f"100k warm {name} / 10k warm", big["cpu"] / small["cpu"], 3.0, "cpu", info=name == "check")
            add(f"100k warm {name} peak RSS MB", big["rss_mb"], 300, "MB")
    for n, row in sizes.items():
        if "parse" in row:
            for name, m in row["commands"].items():
                add(f"N={n} cold {name} / bare parse", m["cold"]["cpu"] / row["parse"]["cpu"], 1.3, "cpu")
    return found


def _pad(text: str, width: int) -> str:
    """Left-align in terminal cells (a CJK character takes two)."""
    import unicodedata

    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - cells)


def table(out: dict) -> str:
    floor = out["baselines"]["floor"]
    lines = [
        f"lanxi bench {out['when']} · python {out['python']} · {out['cpus']} CPUs · median of {out['runs']} · "
        "seconds are CPU (user+sys), wall in brackets",
        f"import floor {floor['cpu']:.3f} ({floor['wall']:.3f}) · typer app {out['baselines']['typer']['cpu']:.3f} "
        f"({out['baselines']['typer']['wall']:.3f})",
        "",
        f"{'N':>7}  {'command':<20} {'cold':>14} {'warm':>14} {'RSS MB':>7} {'warm/floor':>10} {'cold/parse':>10}",
    ]
    for n, row in out["sizes"].items():
        parse = row.get("parse")
        extra = []
        if parse:
            extra.append(f"bare CSafeLoader parse {parse['cpu']:.3f} ({parse['wall']:.3f}) {parse['rss_mb']:.0f} MB")
        if "task overdue" in row:
            t = row["task overdue"]
            extra.append(f"task overdue {t['cpu']:.3f} ({t['wall']:.3f}) {t['rss_mb']:.0f} MB")
        for name, m in row["commands"].items():
            cold, warm = m["cold"], m["warm"]
            rss = max(cold["rss_mb"], warm["rss_mb"])
            per_floor = warm.get("per_floor", warm["cpu"] / floor["cpu"])
            lines.append(
                f"{n:>7}  {_pad(name, 20)} {cold['cpu']:6.3f} ({cold['wall']:5.2f})"
                f" {warm['cpu']:6.3f} ({warm['wall']:5.2f}) {rss:7.0f} {per_floor:10.2f}"
                + (f" {cold['cpu'] / parse['cpu']:10.2f}" if parse else f" {'—':>10}")
            )
        if extra:
            lines.append(f"{'':>9}" + " · ".join(extra))
    if "county" in out:
        c = out["county"]
        lines.append(f"county status, {c['towns']} towns × {c['reports_each']} reports: cold {c['cold']['cpu']:.3f} "
                     f"({c['cold']['wall']:.2f}) · warm {c['warm']['cpu']:.3f} ({c['warm']['wall']:.2f}) · "
                     f"RSS {max(c['cold']['rss_mb'], c['warm']['rss_mb']):.0f} MB")
    lines += ["", "targets:"]
    for t in out["targets"]:
        mark = "info" if t["info"] else "met " if t["met"] else "MISS"
        lines.append(f"  {mark}  {t['target']}: {t['ratio']} (≤ {t['limit']})")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip N=100k")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 0,10000")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median), at least 3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--county", action="store_true", help="also time `county status` over 20 towns × 10k reports")
    parser.add_argument("--task-json", nargs=2, type=Path, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lanxi-bench",
                        help="where generated data and caches go (kept, to skip generating again)")
    args = parser.parse_args(argv)
    if args.task_json:
        return task_json(*args.task_json, args.seed)
    sizes = args.sizes or ([0, 10_000] if args.quick else [0, 10_000, 100_000])
    args.work.mkdir(parents=True, exist_ok=True)
    out = bench(sizes, max(3, args.runs), args.work, args.seed)
    if args.county:
        out["county"] = county(10_000, 20, max(3, args.runs), args.work, args.seed)
    text = table(out)
    print(text)
    folder = ROOT / "bench" / "out"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = out["when"].replace(":", "").replace("-", "")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (folder / name).write_text(json.dumps({**out, "table": text}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
