"""Help screens in Chinese: typer's panel titles and option words, set only
when a help screen is about to be shown (so no other run pays for rich)."""

from __future__ import annotations

HELP_FLAGS = frozenset({"-h", "--help"})


def wants_help(args: list[str]) -> bool:
    return not args or any(arg in HELP_FLAGS for arg in args)


def install() -> None:
    """Replace typer's English help words with Chinese ones (typer 0.26–0.28)."""
    try:
        from typer import rich_utils
        from typer._click import decorators
    except ImportError:  # another typer: its English words stay, nothing breaks
        return
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.DEPRECATED_STRING = "（已弃用）"
    english = decorators.help_option

    def help_option(param_decls):
        option = english(param_decls)

        def decorator(command):
            command = option(command)
            command.params[-1].help = "显示本帮助并退出"
            return command

        return decorator

    decorators.help_option = help_option
