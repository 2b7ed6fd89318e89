"""The `lanxi` command: thin typer commands over store → engine → views.

Nothing heavy is imported here (no pydantic, yaml or rich): each command
imports what it needs when it runs, so `lanxi --help` stays instant. Nor is
any command module: COMMANDS names the function behind each command, and a
group turns a name into its click command only when that name is used, so
`lanxi tasks` imports one module and builds one command. Help screens list
(and so build) every command; "did you mean" needs only the names.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping

import typer
from typer.core import TyperGroup

from lanxi_cli.errors import LanxiError

# Every command: its name ("group sub" for a group's sub-command) → "module:function",
# in the order help lists them (a group stands where its first sub-command is).
# Adding a command is one line here: a typer command function (Annotated options,
# docstring as its help) in any module under lanxi_cli.cli. A new group also needs
# its help in GROUPS. Nothing else registers commands.
COMMANDS = {
    "tasks": "lanxi_cli.cli.query:tasks",
    "status": "lanxi_cli.cli.query:status",
    "units": "lanxi_cli.cli.query:units",
    "check": "lanxi_cli.cli.query:check",
    "log": "lanxi_cli.cli.report:log",
    "assess": "lanxi_cli.cli.supervise:assess",
    "bulletin": "lanxi_cli.cli.supervise:bulletin",
    "notice": "lanxi_cli.cli.supervise:notice",
    "export": "lanxi_cli.cli.supervise:export",
    "dashboard": "lanxi_cli.cli.supervise:dashboard",
    "serve": "lanxi_cli.cli.serve:serve",
    "goals": "lanxi_cli.cli.goals:list_values",
    "withdraw": "lanxi_cli.cli.corrections:withdraw",
    "remind": "lanxi_cli.cli.remind:remind",
    "ack": "lanxi_cli.cli.receipts:ack",
    "report add": "lanxi_cli.cli.report:add",
    "report list": "lanxi_cli.cli.report:list_",
    "report show": "lanxi_cli.cli.report:show",
    "report missing": "lanxi_cli.cli.report:missing",
    "report review": "lanxi_cli.cli.review:review",
    "report withdraw": "lanxi_cli.cli.corrections:withdraw_report",
    "report amend": "lanxi_cli.cli.corrections:amend",
    "extension request": "lanxi_cli.cli.review:request",
    "extension decide": "lanxi_cli.cli.review:decide",
    "extension list": "lanxi_cli.cli.review:list_extensions",
    "exemption request": "lanxi_cli.cli.review:request_exemption",
    "exemption decide": "lanxi_cli.cli.review:decide_exemption",
    "exemption list": "lanxi_cli.cli.review:list_exemptions",
    "measure record": "lanxi_cli.cli.measures:record",
    "measure list": "lanxi_cli.cli.measures:list_",
    "indicator set": "lanxi_cli.cli.goals:set_value",
    "indicator list": "lanxi_cli.cli.goals:list_values",
    "form make": "lanxi_cli.cli.forms:make",
    "form import": "lanxi_cli.cli.forms:import_",
    "collect template": "lanxi_cli.cli.collect:template",
    "collect import": "lanxi_cli.cli.collect:import_",
    "unit liaison": "lanxi_cli.cli.liaison:liaison",
    "evidence remove": "lanxi_cli.cli.receipts:remove",
    "unit add": "lanxi_cli.cli.setup:unit_add",
    "unit rename": "lanxi_cli.cli.setup:unit_rename",
    "unit remove": "lanxi_cli.cli.setup:unit_remove",
    "task deadline": "lanxi_cli.cli.setup:task_deadline",
    "task short": "lanxi_cli.cli.setup:task_short",
    "sync": "lanxi_cli.cli.sync:sync",
    "init": "lanxi_cli.cli.init:init",
    "schema": "lanxi_cli.cli.schema:schema",
    "county status": "lanxi_cli.cli.county:county_status",
    "county rank": "lanxi_cli.cli.county:county_rank",
    "county bulletin": "lanxi_cli.cli.county:county_bulletin",
    "county export": "lanxi_cli.cli.county:county_export",
}
# Click settings of a command that needs its own.
SETTINGS = {
    "indicator set": {"ignore_unknown_options": True},  # a negative value (-5%) is the VALUE, not an option
}
# Each group of sub-commands → its help line.
GROUPS = {
    "report": "进展报告：记录（add）、列出（list）、查看一份（show）、旬报未报（missing）、销号核验（review）。",
    "extension": "延期：申请、审批、一览。",
    "exemption": "不适用：申请、审批、一览。",
    "measure": "督办措施：记录已采取的措施（record）、一览（list）。",
    "indicator": "工作目标指标：记录数值、查看趋势。",
    "form": "填报表：生成（make）发给各单位填写，导入（import）填好的表。",
    "collect": "网上收集表：生成题目（template），导入导出的结果（import）。",
    "unit": "单位：添加（add）、改名（rename）、删除（remove），备案联络员（liaison）。",
    "task": "任务：改定完成时限（deadline）和简称（short）。",
    "evidence": "佐证材料：删除（remove）涉及个人信息或误传的文件，只留摘要。",
    "county": "全县汇总：各镇进展一览、排名、全县通报，导出 Excel。",
}


class _Commands(MutableMapping):
    """One group's sub-commands by name (its `commands` for click and typer):
    every name is known from COMMANDS at once, each command is built on first use."""

    def __init__(self, prefix: str):
        self._prefix = prefix  # "" for lanxi itself, "report " inside `report`
        names = (full[len(prefix):].split(" ", 1)[0] for full in COMMANDS if full.startswith(prefix))
        self._names = list(dict.fromkeys(names))
        self._built: dict = {}

    def __getitem__(self, name: str):
        command = self._built.get(name)
        if command is None:
            if name not in self._names:
                raise KeyError(name)
            command = self._built[name] = _build(self._prefix + name)
        return command

    def __contains__(self, name) -> bool:  # without building it
        return name in self._built or name in self._names

    def __setitem__(self, name: str, command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _build(name: str):
    """The click command (or group) for one name in COMMANDS, built by typer
    just as `app.command()` / `app.add_typer()` would build it."""
    import importlib

    import typer.main
    from typer.models import CommandInfo

    from lanxi_cli.cli import helptext

    if name in GROUPS:  # a LazyGroup localises itself
        return typer.main.get_group(typer.Typer(cls=LazyGroup, name=name, help=GROUPS[name], no_args_is_help=True))
    module, function = COMMANDS[name].split(":")
    callback = getattr(importlib.import_module(module), function)
    info = CommandInfo(name.rsplit(" ", 1)[-1], callback=callback, context_settings=SETTINGS.get(name))
    command = typer.main.get_command_from_info(
        info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode
    )
    helptext.localise(command)  # Chinese value names and usage pieces, as each command is built
    return command


class LazyGroup(TyperGroup):
    """A typer group whose sub-commands come from COMMANDS, each built when used."""

    def __init__(self, **attrs):
        from lanxi_cli.cli import helptext

        super().__init__(**attrs)
        self.commands = _Commands(f"{self.name} " if self.name in GROUPS else "")
        helptext.localise(self)  # its usage line and options (lanxi's own: completion) in Chinese


def _typed(value: str) -> str:
    from lanxi_cli.cli.helptext import typed

    return typed(value)


class LanxiGroup(LazyGroup):
    """Turns a LanxiError into its sentence on stderr and its exit code, and
    click's usage errors into Chinese (exit 2, as click gives them)."""

    def get_params(self, ctx):
        from lanxi_cli.cli import helptext

        helptext.localise(self)  # typer appends the completion options after __init__
        return super().get_params(ctx)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        from typer._click.exceptions import UsageError as ClickUsageError

        from lanxi_cli.cli import helptext

        given = kwargs.get("args") if kwargs.get("args") is not None else (args[0] if args else sys.argv[1:])
        if helptext.wants_help(list(given or []), GROUPS):
            helptext.install()
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:  # Ctrl-C or Ctrl-D at a prompt
            if not standalone_mode:
                raise
            sys.stderr.write("\n已取消，没有写入任何内容。\n")
            sys.exit(130)
        except ClickUsageError as exc:
            if not standalone_mode:
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already shown
                sys.exit(exc.exit_code)
            from lanxi_cli.cli.usage import usage_text
            from lanxi_cli.render.tables import terminal_safe

            ctx = exc.ctx
            sys.stderr.write(terminal_safe(usage_text(exc.format_message(), ctx.command_path if ctx else None)))
            sys.exit(exc.exit_code)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # typer would turn it into a silent exit 130
            sys.stderr.write("\n已中断。\n")
            raise typer.Exit(130) from None
        except LanxiError as exc:
            from lanxi_cli.render.tables import terminal_safe

            sys.stderr.write(f"{terminal_safe(str(exc))}\n")
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=LanxiGroup,
    name="lanxi",
    help="兰溪：乡镇任务清单跟踪工具——截止日期、进展报告、考核通报。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "token_normalize_func": _typed},
)


def _show_version(value: bool) -> None:
    if value:
        from lanxi_cli import __version__

        typer.echo(f"lanxi（兰溪）版本 {__version__}")
        raise typer.Exit()


@app.callback()
def _root(  # a callback also makes typer build a group, not a lone command
    version: bool = typer.Option(False, "--version", "-V", callback=_show_version, is_eager=True,
                                 help="显示版本号并退出"),
) -> None:
    """兰溪：乡镇任务清单跟踪工具——截止日期、进展报告、考核通报。"""


def main() -> None:
    """Run the app. Ctrl-C anywhere is one sentence and exit 130; stdout that
    cannot be written (a closed pipe, a full disk) ends quietly or with one
    sentence, never a traceback. Whatever a command records is committed
    before its path is printed, so neither loses a record."""
    from lanxi_cli import interrupted

    try:
        app(prog_name="lanxi")  # also under `python -m lanxi_cli`: messages name the command users type
    except KeyboardInterrupt:
        interrupted()
    except BrokenPipeError:  # `lanxi tasks | head`
        _quiet_stdout()
        sys.exit(0)
    except OSError as exc:  # typically stdout on a full disk (> /dev/full)
        _stdout_failed(exc)
    except SystemExit as exc:  # a normal end: stdout is flushed here, where its failure can be named
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a Ctrl-C now cannot undo it, nor end it in a traceback
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
        except OSError as flush_error:
            _stdout_failed(flush_error)
        raise exc from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit finds nothing to complain of."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _stdout_failed(exc: OSError) -> None:
    from lanxi_cli.errors import os_reason

    _quiet_stdout()
    sys.stderr.write(f"无法写出结果（{os_reason(exc)}）\n")
    sys.exit(1)
