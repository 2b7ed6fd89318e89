"""Help screens and usage lines in Chinese.

`localise(command)` runs on every command as it is built (it only sets
attributes): value names (metavars) such as 文本 and 路径, the usage line's
[选项] and 命令, and the completion options with their messages. `install()`
sets typer's rich panel titles and option words, only when a help screen is
about to be shown, so no other run pays for importing rich.
"""

from __future__ import annotations

import copy
import sys

HELP_FLAGS = frozenset({"-h", "--help"})
# Value names for options that name none themselves, by click type.
TYPE_METAVARS = {"str": "文本", "text": "文本", "path": "路径", "int": "整数", "integer": "整数", "float": "数字",
                 "int range": "整数", "float range": "数字", "filename": "文件"}
# Value names the commands spell in English.
METAVARS = {"DAYS": "天数", "PATH|URL": "路径或网址", "ID": "编号", "NAME": "名称", "DIR": "目录",
            "FILE": "文件", "FILE...": "文件..."}
# The words a help screen shows for a choice's values and a default (`<表格|json|csv>`, `默认：表格`);
# the same words are accepted where the value is typed (see TYPED).
CHOICE_WORDS = {"table": "表格"}
TYPED = {word: value for value, word in CHOICE_WORDS.items()}
DEFAULT_WORD = "[默认："


def typed(value: str) -> str:
    """A choice typed in the words the help shows (`-f 表格`) → its value."""
    return TYPED.get(value, value)
BY_NAME = {"as_of": "日期", "date": "日期", "since": "日期", "until": "日期", "start": "日期", "end": "日期",
           "issued": "日期", "unit": "单位", "task": "任务编号",
           "by": "单位或姓名", "period": "周期", "output": "文件", "file": "文件", "name": "名称", "value": "数值",
           "towns": "文件", "dir": "目录", "kind": "种类"}
COMPLETION_HELP = {
    "install_completion": "为当前终端安装命令补全（支持 bash、zsh、fish、PowerShell），重开终端后生效",
    "show_completion": "显示当前终端的命令补全脚本，可复制后自行安装",
}


def wants_help(args: list[str], groups) -> bool:
    """Will this run show a help screen: -h/--help anywhere, lanxi alone, or a
    command group (a name in `groups`, cli.GROUPS) named alone? Worked out from
    the names, building no command."""
    if any(arg in HELP_FLAGS for arg in args):
        return True
    if any(arg.startswith("-") for arg in args):
        return False
    return not args or " ".join(args) in groups


def localise(command) -> None:
    """Chinese value names, usage pieces and completion options on `command`
    (its sub-commands are localised as they are built: see cli._build)."""
    command.options_metavar = "[选项]"
    if hasattr(command, "commands"):
        command.subcommand_metavar = "命令 [参数]..."
    for param in command.params:
        if param.name in COMPLETION_HELP:
            param.help = COMPLETION_HELP[param.name]
            if param.name == "install_completion":
                param.callback = _install_completion
        elif getattr(param, "param_type_name", "") == "argument":
            shown = TYPE_METAVARS.get(param.type.name.lower(), "值")
            param.metavar = METAVARS.get(param.metavar) or param.metavar or BY_NAME.get(param.name, shown)
            param.type = copy.copy(param.type)  # the help shows the type's name beside it
            param.type.name = shown
            if hasattr(param.type, "choices"):  # not <plan|tasks|…> beside it: the help text lists them
                param.type.get_metavar = lambda *args, **kwargs: None
        elif hasattr(param.type, "choices") and any(str(c) in CHOICE_WORDS for c in param.type.choices):
            words = [CHOICE_WORDS.get(str(c), str(c)) for c in param.type.choices]
            param.metavar = f"<{'|'.join(words)}>"
            default = getattr(param.default, "value", param.default)
            if default in CHOICE_WORDS:
                param.show_default = CHOICE_WORDS[default]
        elif param.metavar in METAVARS:
            param.metavar = METAVARS[param.metavar]
        elif param.metavar is None and param.name in BY_NAME and not getattr(param, "is_flag", 0):
            param.metavar = BY_NAME[param.name]
        elif param.metavar is None and param.type.name.lower() in TYPE_METAVARS and not getattr(param, "is_flag", 0):
            param.metavar = TYPE_METAVARS[param.type.name.lower()]
        if hasattr(param.type, "_describe_range"):  # 0 到 3660, not [0<=x<=3660]
            param.type = copy.copy(param.type)
            param.type._describe_range = _range_words(param.type)


def _range_words(kind):
    def describe() -> str:
        low = "" if kind.min is None else f"{kind.min}"
        high = "" if kind.max is None else f"{kind.max}"
        return f"{low} 到 {high}" if low and high else (f"至少 {low}" if low else f"至多 {high}")

    return describe


def _install_completion(ctx, param, value):
    """typer's --install-completion, saying what it did in Chinese."""
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import install

    shell, path = install(shell=value) if isinstance(value, str) else install()
    sys.stdout.write(f"已为 {shell} 安装命令补全：{path}\n重新打开终端后生效。\n")
    sys.exit(0)


def _fold_help(rich_utils) -> None:
    """Descriptions wrap, never end in "…": typer lays an option's help out in
    rich Columns, which cut a line with no space to break at (Chinese has
    none) and cut a command's description in the commands table too. One
    Text, folded where no space falls, keeps every word."""
    if getattr(rich_utils, "_lanxi_folded", False):  # once per process (tests show many help screens)
        return
    rich_utils._lanxi_folded = True
    parameter_help, command_help = rich_utils._get_parameter_help, rich_utils._make_command_help

    def folded_parameter_help(**kwargs):
        columns = parameter_help(**kwargs)
        parts = list(columns.renderables)
        if not parts or not all(isinstance(p, rich_utils.Text) for p in parts):
            return columns
        parts = [rich_utils.Text(p.plain.replace("：(", "：").replace(")]", "]"), style=p.style)
                 if p.plain.startswith(DEFAULT_WORD) else p for p in parts]  # typer puts a default word in ()
        text = rich_utils.Text(" ").join(parts)
        text.overflow = "fold"
        return text

    def folded_command_help(**kwargs):
        text = command_help(**kwargs)
        if isinstance(text, rich_utils.Text):
            text.overflow = "fold"
        return text

    rich_utils._get_parameter_help = folded_parameter_help
    rich_utils._make_command_help = folded_command_help


def install() -> None:
    """Replace typer's English help words with Chinese ones (typer 0.26–0.28)."""
    try:
        from typer import rich_utils
        from typer._click import decorators, formatting
    except ImportError:  # another typer: its English words stay, nothing breaks
        return
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.DEFAULT_STRING = DEFAULT_WORD + "{}]"
    _fold_help(rich_utils)
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.DEPRECATED_STRING = "（已弃用）"
    english_usage = formatting.HelpFormatter.write_usage

    def write_usage(self, prog, args="", prefix=None):
        english_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage
    english = decorators.help_option

    def help_option(param_decls):
        option = english(param_decls)

        def decorator(command):
            command = option(command)
            command.params[-1].help = "显示本帮助并退出"
            return command

        return decorator

    decorators.help_option = help_option
