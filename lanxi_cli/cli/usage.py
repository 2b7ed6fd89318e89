"""Command-line usage errors in Chinese: typer/click's English messages, translated.

Only the shapes click actually produces are matched; anything else is shown
as click wrote it, so no message is ever lost.
"""

from __future__ import annotations

import re

_VALUE_PHRASES = [
    (r"Input should be greater than or equal to (\S+)", r"应不小于 \1"),
    (r"Input should be greater than (\S+)", r"应大于 \1"),
    (r"Input should be less than or equal to (\S+)", r"应不大于 \1"),
    (r"Input should be less than (\S+)", r"应小于 \1"),
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid number.*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为 true 或 false"),
    (r"(?:Value error, )?'(.*)' is not one of (.*?)\.?$", lambda m: f"“{m[1]}”不是可选值之一（可选：{_names(m[2])}）"),
    (r"'(.*)' is not a valid int(?:eger)?(?: range)?\.?", r"“\1”不是整数"),
    (r"'(.*)' is not a valid float(?: range)?\.?", r"“\1”不是数字"),
    (r"'(.*)' is not a valid boolean\..*", r"“\1”不是真假值"),
    (r"(?:Path|File|Directory) '(.*)' does not exist\.?", r"“\1”不存在"),
    (r"(\S+) is not in the range x>=(\S+?)\.?", r"\1 应不小于 \2"),
    (r"(\S+) is not in the range x<=(\S+?)\.?", r"\1 应不大于 \2"),
    (r"(\S+) is not in the range (\S+?)<=x<=(\S+?)\.?", r"\1 应在 \2 到 \3 之间"),
]

_MESSAGES = [
    (
        r"No such option: (\S+?)\.?(?: Did you mean (\S+?)\?| \(Possible options: (.*)\))?",
        lambda m: f"没有选项 {m[1]}" + (f"（是否想用 {_names(m[2] or m[3])}？）" if m[2] or m[3] else ""),
    ),
    (
        r"No such command '(.*?)'\.(?: Did you mean (.*)\?)?",
        lambda m: f"没有命令“{m[1]}”" + (f"（是否想用 {_names(m[2])}？）" if m[2] else ""),
    ),
    (r"Missing option '(.*?)'.*", lambda m: f"缺少选项 {m[1]}"),
    (r"Missing argument '(.*?)'.*", lambda m: f"缺少参数 {m[1]}"),
    (r"Option '(.*)' requires an argument\.", lambda m: f"选项 {m[1]} 需要一个值"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", lambda m: f"多余的参数：{m[1]}"),
    (r"Option '(.*)' does not take a value\.", lambda m: f"选项 {m[1]} 不带值"),
    (r"Option '(.*)' requires (\d+) arguments\.?", lambda m: f"选项 {m[1]} 需要 {m[2]} 个值"),
    (r"Missing parameter: (.*)", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing command\.?", lambda m: "缺少子命令"),
    (r"Invalid value for '(.*?)'(?: / '.*?')?: (.*)",
     lambda m: f"{'选项' if m[1].startswith('-') else '参数'} {m[1]} 的值无效：{_value(m[2])}"),
    (r"Invalid value for (.*?): (.*)", lambda m: f"{m[1]} 的值无效：{_value(m[2])}"),
]


def _names(text: str) -> str:
    """click's `'add', 'list'` → `add、list`."""
    return "、".join(part.strip().strip("'") for part in text.split(","))


def _value(text: str) -> str:
    for pattern, replacement in _VALUE_PHRASES:
        match = re.fullmatch(pattern, text.strip(), flags=re.S)
        if match:
            return replacement(match) if callable(replacement) else match.expand(replacement)
    return text


def translate(message: str) -> str:
    """One of click's usage messages → the same sentence in Chinese."""
    text = " ".join(message.split())
    for pattern, render in _MESSAGES:
        match = re.fullmatch(pattern, text)
        if match:
            return render(match)
    return text


def usage_text(message: str, command_path: str | None) -> str:
    lines = [f"错误：{translate(message)}"]
    if command_path:
        lines.append(f"用 {command_path} -h 查看用法。")
    return "\n".join(lines) + "\n"
