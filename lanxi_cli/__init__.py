"""lanxi: a command-line tracker for town task lists (任务清单)."""

__version__ = "0.1.0"


def interrupted() -> None:
    """Ctrl-C: one sentence and exit 130, never a traceback."""
    import sys

    sys.stderr.write("\n已中断，没有写入任何内容。\n")
    sys.exit(130)


def main() -> None:
    """The console script. lanxi_cli.cli is imported here, inside the guard,
    so Ctrl-C while it loads (typer, click…) is handled like any other."""
    try:
        from lanxi_cli.cli import main as run
    except KeyboardInterrupt:
        interrupted()
    run()
