"""The `lanxi` command: thin typer commands over store → engine → views.

Nothing heavy is imported here (no pydantic, yaml or rich): each command
imports what it needs when it runs, so `lanxi --help` stays instant.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from lanxi_cli.errors import LanxiError


class LanxiGroup(TyperGroup):
    """Turns a LanxiError into its sentence on stderr and its exit code, and
    click's usage errors into Chinese (exit 2, as click gives them)."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        from typer._click.exceptions import UsageError as ClickUsageError

        from lanxi_cli.cli import helptext

        given = kwargs.get("args") if kwargs.get("args") is not None else (args[0] if args else sys.argv[1:])
        if helptext.wants_help(list(given or [])):
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

            ctx = exc.ctx
            sys.stderr.write(usage_text(exc.format_message(), ctx.command_path if ctx else None))
            sys.exit(exc.exit_code)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LanxiError as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=LanxiGroup,
    name="lanxi",
    help="兰溪：乡镇任务清单跟踪工具——截止日期、进展报告、考核通报。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

from lanxi_cli.cli import corrections, forms, goals, query, report, review, supervise, towns  # noqa: E402  (commands register on `app`)

for _module in (query, report, supervise, review, goals, corrections, forms, towns):
    _module.register(app)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `lanxi tasks | head`
        sys.stderr.close()
        sys.exit(0)
