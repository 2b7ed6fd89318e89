"""Every word a user sees on the terminal is Chinese: each command's help and
each kind of usage error, walked over the whole command tree. English may
stand only as option names, file names, command names, the values an option
takes, and a few proper names (git, Word, Markdown, bash…)."""

from __future__ import annotations

import re

import pytest

PROPER = {"lanxi", "git", "Markdown", "Word", "JSON", "CSV", "YAML", "Excel", "YYYY", "MM", "DD", "bash", "zsh",
          "fish", "PowerShell", "LANXI_DATA", "LANXI_TODAY", "URL", "Qn", "Schema",  # JSON Schema, a standard
          "LANXI_SERVE_CODE", "Ctrl"}  # Ctrl: the key, as printed on it


def tree():
    """(command path, click command) for every command and group."""
    import typer.main

    from lanxi_cli.cli import app

    root = typer.main.get_command(app)
    out, todo = [], [((), root)]
    while todo:
        path, command = todo.pop(0)
        out.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            todo.append(((*path, name), sub))
    return out


COMMANDS = tree()
NAMES = {name for path, _ in COMMANDS for name in path}
VALUES = {str(c) for _, command in COMMANDS for p in command.params for c in getattr(p.type, "choices", ())}
VALUES |= {"done", "progress", "blocked"}  # report statuses, typed as codes or as 完成, 进行中, 受阻


def english_words(text: str, typed: list[str] = ()) -> list[str]:
    """Latin words left once option names, file names, known names and what the user typed are taken out."""
    for arg in typed:
        text = re.sub(rf"(?<![\w-]){re.escape(arg)}(?![\w-])", " ", text)
    text = re.sub(r"(?<![\w])--?[A-Za-z][\w-]*", " ", text)  # option names
    text = re.sub(r"\S*[/.]\S*", " ", text)  # paths, file names, dotted ids
    words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
    return [w for w in words if w not in PROPER and w not in NAMES and w not in VALUES]


def usage_errors(path, command):
    """Argument lists that are usage errors of `command`, one of each kind click knows."""
    cases = [[*path, "--no-such-option"], [*path, "--no-such-option", "x"]]
    if hasattr(command, "commands"):
        first = sorted(command.commands)[0]
        return [*cases, [*path, "no-such-command"], [*path, first[:-1] + "x"]]
    options = [p for p in command.params if p.param_type_name == "option" and p.name != "help"]
    for p in options:
        if p.is_flag:
            cases.append([*path, f"{p.opts[0]}=1"])
        else:
            cases.append([*path, p.opts[0]])  # the value missing
            if p.type.name in ("int", "float", "int range", "float range", "choice"):
                cases.append([*path, p.opts[0], "xyz"])
    if not any(p.param_type_name == "argument" for p in command.params):
        cases.append([*path, "extra"])
    else:
        cases.append(list(path))  # the argument missing
    if path[-1:] == ("unit",):  # `--unit` typed one letter short: click suggests the right one
        cases.append([*path, "--uni", "x"])
    return cases


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "lanxi" for p, _ in COMMANDS])
def test_help_has_no_english(cli, path, command):
    result = cli(*path, "--help", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "用法：" in result.stdout
    assert english_words(result.stdout) == [], result.stdout


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "lanxi" for p, _ in COMMANDS])
def test_usage_errors_have_no_english(path, command):
    from conftest import run_lanxi

    for args in usage_errors(path, command):
        result = run_lanxi(*args, env={"COLUMNS": "100", "LANXI_DATA": "/nonexistent"})
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("错误："), (args, result.stderr)
        assert english_words(result.stderr + result.stdout, args) == [], (args, result.stderr)


def test_did_you_mean_is_chinese():
    from conftest import run_lanxi

    result = run_lanxi("report", "ad")
    assert result.stderr.splitlines()[0] == "错误：没有命令“ad”（是否想用 add？）"
    result = run_lanxi("tasks", "--overdu")
    assert result.stderr.splitlines()[0] == "错误：没有选项 --overdu（是否想用 --overdue？）"


def test_version():
    from conftest import run_lanxi

    from lanxi_cli import __version__

    result = run_lanxi("--version")
    assert result.returncode == 0 and result.stdout == f"lanxi（兰溪）版本 {__version__}\n"


def test_the_completion_options_speak_chinese(cli):
    result = cli("--help", env={"COLUMNS": "120"})
    assert "为当前终端安装命令补全" in result.stdout and "显示当前终端的命令补全脚本" in result.stdout
