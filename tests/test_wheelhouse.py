"""The offline install: tools/wheelhouse.py builds a wheelhouse for this machine
(downloading lanxi's dependencies from PyPI: this test needs the network to
PyPI, as `pip install` does), then lanxi is installed from it into a fresh
venv with `--no-index`, as on an intranet machine, and runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.network  # downloads from PyPI; about 20 s


def test_install_from_a_wheelhouse_without_an_index(tmp_path):
    house, venv = tmp_path / "wheelhouse", tmp_path / "venv"
    subprocess.run([sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "--here", "-o", str(house)],
                   check=True, capture_output=True, timeout=300)
    wheels = {path.name.split("-")[0].lower() for path in house.glob("*.whl")}
    assert {"lanxi", "typer", "pyyaml", "pydantic", "rich", "openpyxl", "python_docx"} <= wheels
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    env = {"PATH": str(bindir), "PIP_CONFIG_FILE": "/dev/null", "HOME": str(tmp_path)}
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(house),
                    "lanxi"], check=True, env=env, timeout=300)
    result = subprocess.run([str(bindir / "lanxi"), "tasks", "--overdue", "--as-of", "2020-09-04", "--format", "json",
                             "--data", str(ROOT / "data")], capture_output=True, text=True, env=env, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[") and '"id": "10.2"' in result.stdout
