"""Warm equals cold through the command line, for random histories.

Seeded random sequences of what happens to a town's data folder: reports
written, corrected (amended, withdrawn), reviewed; files edited in place
with their mtime put back, removed, renamed; `git checkout` and `git revert`
of the folder; the plan's deadlines edited. After each step a random query
(every answer's stdout, stderr and exit code) runs on the cache as it is,
twice (the first run may rebuild or journal, the second is warm), and on a
cache folder never used; all three must be equal. Every file is aged after
each step, so that the caches keep what they read (they never keep a file
changed in the last seconds). Bounded: a few sequences of a few steps, well
under a minute.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from conftest import git

SEQUENCES = 6
STEPS = 9
HOUR_AGO = time.time() - 3600
UNITS = ("罗湖村", "苏家湖村", "黄湖村", "派出所")  # 派出所 leads 5.1: its own report holds no obligation
TASKS = ("1.1", "5.1", "6.3", "1.4")
QUERIES = (
    ("status", "--format", "json"),
    ("report", "list", "--all", "--format", "json"),
    ("report", "missing"),
    ("bulletin",),
    ("tasks", "--overdue"),
)
AS_OF = ("2020-09-21", "2020-10-15", "2020-12-31")


def aged(folder) -> None:
    for path in [folder, *folder.rglob("*")]:
        if ".git" not in path.parts:
            os.utime(path, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


class History:
    """One data folder in git and what can happen to it."""

    def __init__(self, cli, repo, rng: random.Random):
        self.cli, self.repo, self.data, self.rng = cli, repo, repo / "data", rng
        self.log: list[str] = []

    def lanxi(self, *args):
        """A change made through lanxi; one it refuses (exit 2: amending a superseded
        report, a unit the task does not concern) is a step where nothing happened."""
        result = self.cli(*args, "--data", str(self.data))
        assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output, (self.log, args, result.output)
        return result

    def reports(self) -> list:
        return sorted((self.data / "reports").rglob("*.yaml"))

    def some_report(self):
        found = self.reports()
        return self.rng.choice(found) if found else None

    # ---- what happens ---------------------------------------------------------------

    def write(self):
        day = f"2020-{self.rng.choice(('09', '10'))}-{self.rng.randint(1, 28):02d}"
        status = self.rng.choice(("done", "progress", "blocked"))
        self.lanxi("report", "add", "--task", self.rng.choice(TASKS), "--unit", self.rng.choice(UNITS),
                   "--status", status, "--count", str(self.rng.randint(1, 3)), "--date", day, "--as-of", "2020-11-30")

    def amend(self):
        if (old := self.some_report()) is not None:
            self.lanxi("report", "amend", old.stem, "--reason", "更正", "--count", "2", "--as-of", "2020-11-30")

    def withdraw(self):
        if (old := self.some_report()) is not None:
            self.lanxi("withdraw", old.stem, "--reason", "误报", "--as-of", "2020-11-30")

    def review(self):
        if (old := self.some_report()) is not None:
            self.lanxi("report", "review", old.stem, self.rng.choice(("--approve", "--reject")), "--by", "禁毒办",
                       "--as-of", "2020-12-30")

    def edit_in_place(self):
        if (path := self.some_report()) is not None:
            before = path.stat()
            text = path.read_text(encoding="utf-8")
            one = "count: 1" in text
            swapped = text.replace("count: 1", "count: 3") if one else text.replace("count: ", "count: 1")
            path.write_text(swapped, encoding="utf-8")
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    def remove(self):
        if (path := self.some_report()) is not None:
            path.unlink()

    def rename(self):
        if (path := self.some_report()) is not None:
            path.rename(path.with_name(f"renamed-{self.rng.randint(0, 999)}-{path.name}"))

    def checkout(self):
        git("checkout", "-q", "HEAD", "--", "data", cwd=self.repo)
        git("clean", "-qfd", "--", "data", cwd=self.repo)

    def revert(self):
        if len(git("log", "--format=%h", cwd=self.repo).split()) > 1:
            self.checkout()
            git("revert", "--no-edit", "HEAD", cwd=self.repo)

    def plan_edit(self):
        tasks = self.data / "tasks.yaml"
        text = tasks.read_text(encoding="utf-8")
        early, late = "due: 2020-09-03}", "due: 2020-09-13}"
        tasks.write_text(text.replace(early, late) if early in text else text.replace(late, early), encoding="utf-8")

    ACTIONS = (write, write, write, amend, withdraw, review, review, edit_in_place, remove, rename, checkout,
               revert, plan_edit)

    def step(self):
        action = self.rng.choice(self.ACTIONS)
        self.log.append(action.__name__)
        action(self)
        aged(self.data)


def answer(history, query, as_of):
    result = history.cli(*query, "--as-of", as_of, "--data", str(history.data))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("seed", range(SEQUENCES))
def test_random_histories_answer_warm_as_cold(cli, git_data_dir, monkeypatch, cache_home, tmp_path, seed):
    history = History(cli, git_data_dir.parent, random.Random(seed))
    for _ in range(3):
        history.write()
    aged(history.data)
    for n in range(STEPS):
        history.step()
        query, as_of = history.rng.choice(QUERIES), history.rng.choice(AS_OF)
        first, warm = answer(history, query, as_of), answer(history, query, as_of)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cold-{n}"))
        cold = answer(history, query, as_of)
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
        assert first == cold, (history.log, query, as_of)
        assert warm == cold, (history.log, query, as_of)
