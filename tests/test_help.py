"""Help that fits (issue 25): every command's --help at 80 and 120 columns, as
exact screens; no description cut short with "…"; every value name, default
and range in Chinese."""

from __future__ import annotations

import re

import pytest
from test_chinese import COMMANDS, english_words
from towns_support import assert_golden

IDS = [" ".join(p) or "lanxi" for p, _ in COMMANDS]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_screen(cli, path, command, width):
    result = cli(*path, "--help", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout, result.stdout  # no description cut
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    assert_golden(f"help/{'-'.join(path) or 'lanxi'}.{width}.txt", result.stdout)


def value_words(screen: str) -> list[str]:
    """What a help screen shows about values: `<…>` value names, the type
    column, `[默认：…]` and ranges."""
    found = re.findall(r"<[^>]*>", screen) + re.findall(r"\[默认：[^\]]*\]", screen)
    found += re.findall(r"\[[^\]\u4e00-\u9fff]*[<>=]+[^\]]*\]", screen)  # a range as click writes it
    return found


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_value_names_defaults_and_ranges_are_chinese(cli, path, command):
    screen = cli(*path, "--help", env={"COLUMNS": "120"}).stdout
    shown = value_words(screen)
    assert not [w for w in shown if re.search(r"<=|>=|\bx\b", w)], shown  # 0 到 3660, not 0<=x<=3660
    latin = [w for w in shown if english_words(w.replace("json", "").replace("csv", ""))]
    assert latin == [], shown
    assert "table" not in screen and "（必填）" not in screen
