"""The attack run (tests/attack.sh, issue 11) inside the suite, with 10 SIGTERM
writes instead of 200 so it stays short; `bash tests/attack.sh` runs it whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("mkfifo") is None, reason="needs bash and coreutils")
def test_attack_run_holds(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable, "ATTACK_WRITES": "10", "TMPDIR": str(tmp_path)}
    result = subprocess.run(["bash", str(ROOT / "tests" / "attack.sh")], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "attack run passed"
    assert list(tmp_path.iterdir()) == []  # the scratch repository is removed
