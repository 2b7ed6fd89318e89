"""Build a wheelhouse: lanxi and every dependency as wheels, for a machine
with no internet access (government intranets often have none).

    python tools/wheelhouse.py                 # wheelhouse/ for Linux and Windows (x86-64), CPython 3.11–3.13
    python tools/wheelhouse.py --here -o DIR   # for this machine's Python only

Then, on the offline machine:

    pip install --no-index --find-links wheelhouse/ lanxi
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ["manylinux2014_x86_64", "win_amd64"]
PYTHONS = ["3.11", "3.12", "3.13"]


def dependencies() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def build(out: Path, here: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT))  # lanxi itself
    deps = dependencies()
    if here:
        pip("download", "--quiet", "--only-binary=:all:", "--dest", str(out), *deps)
        return
    for platform in PLATFORMS:
        for python in PYTHONS:
            pip("download", "--quiet", "--only-binary=:all:", "--platform", platform, "--python-version", python,
                "--implementation", "cp", "--dest", str(out), *deps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "wheelhouse", help="the folder to fill")
    parser.add_argument("--here", action="store_true", help="only for this machine's platform and Python")
    args = parser.parse_args(argv)
    build(args.out, args.here)
    print(f"{args.out}: {len(list(args.out.glob('*.whl')))} wheels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
