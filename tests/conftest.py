"""Shared fixtures: the shipped data, a scratch copy of it, and ways to run lanxi."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # test this checkout, whatever is installed
SHIPPED = ROOT / "data"


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory, monkeypatch) -> Path:
    """lanxi's machine-local cache goes to a scratch folder, never ~/.cache."""
    home = tmp_path_factory.getbasetemp() / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A writable copy of the shipped plan and tasks, with no reports."""
    target = tmp_path / "data"
    target.mkdir()
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, target / name)
    (target / "reports").mkdir()
    return target


@pytest.fixture
def cli(monkeypatch):
    """Invoke lanxi in-process at COLUMNS=80: cli("tasks", "--overdue") → Result."""
    from typer.testing import CliRunner

    from lanxi_cli.cli import app

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LANXI_DATA", raising=False)
    monkeypatch.delenv("LANXI_TODAY", raising=False)
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None, input: str | None = None):
        return runner.invoke(app, list(args), env=env, input=input)

    return invoke


def run_lanxi(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 60):
    """Run `python -m lanxi_cli` in a subprocess of this checkout."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "NO_COLOR": "1"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lanxi_cli", *args],
        cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def git(*args: str, cwd: Path) -> str:
    """Run git in `cwd` (argument list) and return its stdout; fail the test on error."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def git_data_dir(data_dir) -> Path:
    """`data_dir` inside a fresh git repo (local identity, one commit of the plan)."""
    repo = data_dir.parent
    git("init", "-q", cwd=repo)
    for key, value in (("user.name", "测试员"), ("user.email", "test@example.org"), ("commit.gpgsign", "false")):
        git("config", key, value, cwd=repo)
    git("add", "--", "data", cwd=repo)
    git("commit", "-q", "-m", "plan", cwd=repo)
    return data_dir


def obligation(cli, data_dir, unit, task, as_of, period=None):
    """One obligation of `unit`, as `status --unit --format json` shows it."""
    import json

    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    found = [o for o in json.loads(result.stdout)["obligations"] if o["task"] == task and o["period"] == period]
    assert len(found) == 1
    return found[0]


def read_report(path: Path, book):
    """One report file, read exactly as every command reads reports (read_records,
    then place_reports) → (Report with canonical unit, []) or (None, problems)."""
    from lanxi_cli.io import load

    base, file = str(path.parent), path.name
    [(report, found)] = load.read_records("reports", [file], base)
    placed, problems = load.place_reports(book, [(file, report, found)], base)
    return (placed[0] if placed else None), problems


@pytest.fixture(autouse=True)
def _unfreeze():
    """A bulk load freezes the heap for the rest of its run (io/gc_pause.py); in-process
    runs share the test session's heap, so it is given back after each test."""
    import gc

    yield
    gc.unfreeze()


@pytest.fixture
def server(tmp_path):
    """A git server on loopback for this test (`git daemon`, see towns_support), serving tmp_path/server."""
    from towns_support import GitServer

    base = tmp_path / "server"
    base.mkdir()
    daemon = GitServer(base)
    yield daemon
    daemon.stop()


class Reads:
    """What lanxi reads and builds, counted by wrapping (never replacing) the
    functions it goes through: every data file's text (yamlio.read_text), by
    the folder under the data folder it lies in ("reports", "plan.yaml" …);
    each pydantic validation (document.adapter); each cache file read
    (Cache.stored), by name; each build of the obligation index. A test that
    a warm run reads nothing first sees the cold run read (its positive
    control): if the code stopped going through these, that would fail."""

    def __init__(self, monkeypatch):
        from collections import Counter

        from lanxi_cli.io import document, yamlio
        from lanxi_cli.store import cache
        from lanxi_cli.store import obligation_index as index

        self.files, self.cached = Counter(), Counter()
        self.validations = self.builds = 0

        def read_text(path, limit, file=None, *rest):
            parts = str(file).replace("\\", "/").split("/") if file else [os.path.basename(path)]
            self.files[parts[1] if len(parts) > 1 else parts[0]] += 1
            return real_text(path, limit, file, *rest)

        def adapter(kind):
            self.validations += 1
            return real_adapter(kind)

        def stored(cache_self, name):
            self.cached[name] += 1
            return real_stored(cache_self, name)

        def build(*args, **kwargs):
            self.builds += 1
            return real_build(*args, **kwargs)

        real_text, real_adapter = yamlio.read_text, document.adapter
        real_stored, real_build = cache.Cache.stored, index.build
        monkeypatch.setattr(yamlio, "read_text", read_text)
        monkeypatch.setattr(document, "adapter", adapter)
        monkeypatch.setattr(cache.Cache, "stored", stored)
        monkeypatch.setattr(index, "build", build)

    def reset(self) -> Reads:
        self.files.clear()
        self.cached.clear()
        self.validations = self.builds = 0
        return self


@pytest.fixture
def reads(monkeypatch) -> Reads:
    return Reads(monkeypatch)
