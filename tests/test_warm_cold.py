"""Warm answers equal cold ones, seen from outside: the rules' code, the
reproductions of findings.md's "Warm against cold", each a test.

Cold = the same command with XDG_CACHE_HOME pointing at a folder never used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from conftest import ROOT

AS_OF = "2020-10-15"
HOUR_AGO = time.time() - 3600


def lanxi(*args, cwd, cache, pythonpath=ROOT):
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "COLUMNS": "80", "NO_COLOR": "1",
           "XDG_CACHE_HOME": str(cache)}
    env.pop("LANXI_DATA", None)
    env.pop("LANXI_TODAY", None)
    return subprocess.run([sys.executable, "-m", "lanxi_cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def age(folder) -> None:
    """Every file an hour old: the caches trust only stamps older than a few seconds."""
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (HOUR_AGO, HOUR_AGO))


def test_a_changed_rule_changes_the_warm_answer(data_dir, tmp_path):
    """A cache file follows the code of the rules, not only the version
    number: a `git pull` of new rules under the same version gives the new
    answers on the next query (issue 23, item 3)."""
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "lanxi_cli", package / "lanxi_cli", ignore=shutil.ignore_patterns("__pycache__"))
    (data_dir / "reports" / "r1.yaml").write_text(
        "task: '6.3'\nunit: 苏家湖村\ndate: 2020-09-05\nstatus: done\n", encoding="utf-8"
    )
    age(data_dir)
    cache = tmp_path / "cache"
    args = ("status", "--unit", "苏家湖村", "--as-of", AS_OF, "--format", "json",
            "--data", str(data_dir))

    def state():
        result = lanxi(*args, cwd=tmp_path, cache=cache, pythonpath=package)
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout)["obligations"]
        return [o["state"] for o in found if o["task"] == "6.3" and o["period"] == "2020-09"]

    assert state() == ["done"]
    assert state() == ["done"]  # warm, from the cache files just written
    assert {p.name for p in cache.rglob("*.marshal")} >= {"book.marshal", "reports.marshal", "index.marshal"}
    engine = package / "lanxi_cli" / "core" / "engine.py"
    text = engine.read_text(encoding="utf-8")
    rule = 'if self.done is None and report.status == "done":'
    assert rule in text
    engine.write_text(text.replace(rule, 'if self.done is None and report.status == "never":'), encoding="utf-8")
    assert state() != ["done"]  # the new rule, warm: `done` no longer completes
    shutil.rmtree(cache)
    assert state() != ["done"]  # and cold alike
