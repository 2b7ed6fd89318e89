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
    context_settings={"help_option_names": ["-h", "--help"]},
)

from lanxi_cli.cli import corrections, forms, goals, query, report, review, supervise  # noqa: E402  (commands register on `app`)

for _module in (query, report, supervise, review, goals, corrections, forms):
    _module.register(app)


def main() -> None:
    """Run the app. Ctrl-C anywhere is one sentence and exit 130; stdout that
    cannot be written (a closed pipe, a full disk) ends quietly or with one
    sentence, never a traceback. Whatever a command records is committed
    before its path is printed, so neither loses a record."""
    from lanxi_cli import interrupted

    try:
        app()
    except KeyboardInterrupt:
        interrupted()
    except BrokenPipeError:  # `lanxi tasks | head`
        _quiet_stdout()
        sys.exit(0)
    except OSError as exc:  # typically stdout on a full disk (> /dev/full)
        _stdout_failed(exc)
    except SystemExit as exc:  # a normal end: stdout is flushed here, where its failure can be named
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
