"""docs/commands.md and docs/img/*.svg are generated from lanxi itself by
docs/build.py; these tests fail when either no longer matches what lanxi
says and shows now. After a deliberate change: `python docs/build.py`, then
review the diff."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT

REGENERATE = "stale: regenerate with `python docs/build.py` and review the diff"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_current(build):
    path = ROOT / "docs" / "commands.md"
    assert path.read_text(encoding="utf-8") == build.commands_md(), f"docs/commands.md is {REGENERATE}"


def test_command_reference_names_every_command_and_option(build):
    from lanxi_cli.cli import COMMANDS

    text = build.commands_md()
    for name in COMMANDS:
        assert f"## `lanxi {name}`" in text
    assert "| `--date`, `-d` |" in text and "| `--as-of` |" in text  # options with their short forms


def test_screen_pictures_are_current(build):
    pictures = build.screens()
    assert sorted(pictures) == sorted(f"{name}.svg" for name in build.SCREENS)
    stale = [name for name, svg in pictures.items()
             if (ROOT / "docs" / "img" / name).read_text(encoding="utf-8") != svg]
    assert not stale, f"docs/img/{', '.join(stale)}: {REGENERATE}"


def test_pictures_are_shown_in_the_readme(build):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in build.SCREENS:
        assert f"(docs/img/{name}.svg)" in readme


def test_no_file_points_outside_the_repository():
    tracked = [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".md", ".yaml", ".py", ".txt", ".toml"}
               and not {".git", ".venv", "build", "node_modules"} & set(p.relative_to(ROOT).parts)]
    assert tracked
    for path in tracked:
        text = path.read_text(encoding="utf-8", errors="replace")
        for outside in ("shared" + "/contract", "shared" + "/source"):  # the project's own notes, not in a clone
            assert outside not in text, f"{path} points outside the repository ({outside})"
