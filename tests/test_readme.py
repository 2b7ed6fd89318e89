"""Every `lanxi …` example of README.md runs.

The examples are the lines starting with `lanxi ` inside ```sh blocks. They run
in order, through bash (so `> 短信.csv` and `2>&1` work as a reader's shell
does them), in one scratch data repository made from the shipped plan (git
initialised, a name and e-mail set), at LANXI_TODAY=2020-09-15 unless a line
names its own --as-of. Each must exit 0, and each `report add` must count
toward an obligation (its feedback on stderr says 计入：任务 …, never that it
completes nothing).

A record's id in an example (`2020-09-15-黄湖村-1.4-f339b8`) ends in a random
tail; it is replaced by the id of the report an earlier example added for the
same day, unit and task, as a reader copies it from the screen.

A block that cannot run here (it needs a filled form, the town's own task
table, a git server…) is left out by this comment on the line before its
fence, saying why:

    <!-- examples: not run (needs the forms filled in by the units) -->
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from conftest import ROOT, SHIPPED, git

MARKER = re.compile(r"<!-- examples: not run \(.+\) -->")
RECORD_ID = re.compile(r"(\d{4}-\d{2}-\d{2}-[^\s/-]+-(?:[0-9.]+|旬报)-)[0-9a-f]{6}")


def examples(text: str) -> tuple[list[str], int]:
    """(the lanxi lines of the runnable sh blocks, how many blocks were left out)."""
    found, skipped, block, skip, previous = [], 0, None, False, ""
    for line in text.splitlines():
        if block is None and line.startswith("```"):
            block = line[3:].strip()
            skip = bool(MARKER.fullmatch(previous.strip()))
            skipped += block == "sh" and skip
        elif block is not None and line.startswith("```"):
            block = None
        elif block == "sh" and not skip and line.startswith("lanxi "):
            found.append(line)
        if line.strip():
            previous = line
    return found, skipped


def test_marker_leaves_out_only_the_block_after_it():
    text = "```sh\nlanxi a\n```\n<!-- examples: not run (why) -->\n```sh\nlanxi b\n```\n```text\nlanxi c\n```\n"
    assert examples(text) == (["lanxi a"], 1)


def test_every_readme_example_runs(tmp_path):
    lines, skipped = examples((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(lines) >= 30 and skipped <= 13  # most run; a few need a server (lanxi serve is one) or a filled form
    home, town = tmp_path / "home", tmp_path / "town"
    home.mkdir()
    (town / "data").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, town / "data" / name)
    identity = "[user]\n\tname = 测试员\n\temail = test@example.org\n[commit]\n\tgpgsign = false\n"
    (home / ".gitconfig").write_text(identity, encoding="utf-8")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANXI_TODAY": "2020-09-15", "COLUMNS": "100",
           "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHON": sys.executable, "LANG": "C.UTF-8", "GIT_CONFIG_NOSYSTEM": "1"}
    git("init", "-q", cwd=town)
    subprocess.run(["git", "add", "data"], cwd=town, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "plan"], cwd=town, env=env, check=True)

    added: dict[str, str] = {}  # "2020-09-15-黄湖村-1.4-" → the full id report add printed
    failures = []
    for line in lines:
        command = RECORD_ID.sub(lambda m: added.get(m[1], m[0]), line)
        result = subprocess.run(["bash", "-c", 'lanxi() { "$PYTHON" -m lanxi_cli "$@"; }; ' + command],
                                cwd=town, env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            failures.append(f"{line}\n  exit {result.returncode}: {result.stderr.strip()}")
            continue
        if line.startswith("lanxi report add "):
            for path in result.stdout.split():
                found = RECORD_ID.search(path)
                added[found[1]] = found[0]
            if "计入：" not in result.stderr or "不计入任何义务" in result.stderr:  # a task, or a 旬报's window
                failures.append(f"{line}\n  counts toward nothing: {result.stderr.strip()}")
    assert not failures, "README examples that fail:\n" + "\n".join(failures)
