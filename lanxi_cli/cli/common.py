"""What every command shares: the options, opening the data, printing errors.

Only typer and the standard library are imported here; the rest of lanxi is
imported inside the functions, when a command actually runs.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.errors import UsageError


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DataOpt = Annotated[
    Path | None,
    typer.Option("--data", envvar="LANXI_DATA", show_envvar=True,
                 help="数据目录（含 plan.yaml）；默认为当前目录或上级目录中的 data/"),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", envvar="LANXI_TODAY", show_envvar=True,
                 help="按哪一天计算截止状态，默认今天"),
]
TASK_HELP = "任务编号或简称（lanxi tasks 列出）"
PERIOD_HELP = "计入哪个周期：某月（年-月）、某季度（年-Q季度）或第几次"
NoCommitOpt = Annotated[bool, typer.Option("--no-commit", help="只写文件，不提交到 git")]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="输出格式：表格，或供其他程序读取的 json、csv")
]


def _output_file(value: Path | None) -> Path | None:
    """-o FILE as typed: its suffix names csv or json; checked before any data is read."""
    if value is not None:
        from lanxi_cli.io import save

        save.check_output(value, OUTPUT_KINDS)
    return value


OUTPUT_KINDS = {".csv": "csv", ".json": "json"}
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", callback=_output_file,
                 help="写入文件（已存在则覆盖）：.csv（Excel 可直接打开）或 .json，按扩展名定格式"),
]


def emit(view, fmt: Format, output: Path | None = None) -> None:
    """The one way a query command ends: `view` on stdout as `fmt`, or, with
    -o, written whole into FILE (csv with a byte-order mark for Excel) and
    FILE's name alone on stdout. The suffix must fit an explicit --format."""
    from lanxi_cli.render import tables

    if output is None:
        return tables.render(view, fmt.value)
    kind = OUTPUT_KINDS[output.suffix.lower()]
    if fmt is not Format.table and fmt.value != kind:
        raise UsageError(f"输出文件“{output}”的扩展名与 --format {fmt.value} 不符，应为 .{fmt.value}")
    from lanxi_cli.io import save

    content = tables.rendered(view, kind, to_file=True).encode("utf-8")
    save.write_replace(output, lambda handle: handle.write(content))
    typer.echo(str(output))  # an output the user named, shown as named
    return None


YEARS = (1900, 2099)  # a date outside these is a typo (0001-01-05), never meant


def parse_date(text: str, option: str, as_of: dt.date | None = None) -> dt.date:
    """A date as offices write it (core.typed.read_day: 2021-07-01, 2021/7/1,
    2021.7.1, 2021年7月1日, or 7月1日, the latest such day not after `as_of`,
    default today); digits only, full-width folded first. Not int(): it
    would take 2_0 and +9."""
    from lanxi_cli.core.typed import DATE_FORMS, read_day

    try:
        day = read_day(text, as_of or dt.date.today())
    except ValueError:
        raise UsageError(f"{option} 的日期“{text}”无效，应为真实存在的日期，如 {DATE_FORMS}") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise UsageError(f"{option} 的日期“{text}”年份不对，应在 {YEARS[0]} 到 {YEARS[1]} 年之间")
    return day


def today(as_of: str | None) -> dt.date:
    return parse_date(as_of, "--as-of") if as_of else dt.date.today()


def open_session(data: Path | None, as_of: str | None):
    """The options every command takes → the data as of that day (store.snapshot)."""
    from lanxi_cli.io import locate
    from lanxi_cli.store import snapshot

    day = today(as_of)  # a bad date is a usage error, before any file is read
    return snapshot.load(locate.find_data_dir(data), day, warn=warn)


def recorded_now(timespec: str = "seconds") -> str:
    """When a record is written: local time with its offset, to the second
    (or as `timespec` says, where the newest of two records decides)."""
    return dt.datetime.now().astimezone().isoformat(timespec=timespec)


def publish(data_dir: Path, paths: Path | list[Path], message: str, no_commit: bool, what: str = "文件",
            evidence: list[Path] = ()) -> None:
    """Commit new files, with the evidence files they name, in one commit
    (unless --no-commit), then print their paths, one a line. Committing first
    means a full disk or a closed pipe on stdout cannot leave them uncommitted
    (see commit_or_warn)."""
    from lanxi_cli.io import locate

    paths = [paths] if isinstance(paths, Path) else paths
    if not no_commit:
        commit_or_warn(data_dir, [*paths, *evidence], message, what)
    for path in paths:
        typer.echo(locate.display_path(path, data_dir))


def commit_or_warn(data_dir: Path, paths: list[Path], message: str, what: str = "文件") -> None:
    """Commit `paths` in one commit. If git is missing or fails, the files
    stay on disk, unstaged (gitio.commit_files), and a warning names them;
    after Ctrl-C the same, then exit 130."""
    from lanxi_cli.io import gitio, locate

    shown = "、".join(locate.display_path(path, data_dir) for path in paths)
    try:
        gitio.commit_files(paths, message)
    except gitio.IndexBehind as exc:
        warn(f"{what}已保存。{exc}")
    except gitio.GitError as exc:
        warn(f"{what}已保存，但没有提交到 git：{exc}；未提交的文件：{shown}"
             + (f"（{exc.remedy}）" if exc.remedy else ""))
    except KeyboardInterrupt:
        warn(f"已中断：{what}已保存，但没有提交到 git；未提交的文件：{shown}")
        raise typer.Exit(130) from None


def warn(message: str) -> None:
    from lanxi_cli.render.tables import terminal_safe

    sys.stderr.write(f"警告：{terminal_safe(message)}\n")


# ---- tab completion: fast, and never raises ---------------------------------------------


def _names(ctx: typer.Context) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(task id, help) and (unit name or alias, help) straight from the YAML, no validation."""
    try:
        from lanxi_cli.io import load, locate, yamlio

        data_dir = locate.find_data_dir(ctx.params.get("data") or os.environ.get("LANXI_DATA"))
        tasks = yamlio.parse(yamlio.read_text(data_dir / locate.TASKS_FILE, load.MAX_PLAN_BYTES), "tasks")
        plan = yamlio.parse(yamlio.read_text(data_dir / locate.PLAN_FILE, load.MAX_PLAN_BYTES), "plan")
        task_names = [(str(t["id"]), str(t.get("text", ""))[:30]) for t in tasks]
        unit_names = []
        for unit in plan["units"]:
            unit_names.append((str(unit["name"]), ""))
            unit_names += [(str(alias), str(unit["name"])) for alias in unit.get("aliases") or ()]
        return task_names, unit_names
    except Exception:  # a completion must never raise, whatever the data holds
        return [], []


def complete_task(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return [pair for pair in _names(ctx)[0] if pair[0].startswith(incomplete)]


def complete_unit(ctx: typer.Context, param, incomplete: str) -> list:
    """Unit names and aliases holding what was typed anywhere (湖 → 苏家湖村, 黄湖村,
    罗湖村…). Used as click's `shell_complete`: typer's `autocompletion` would
    keep only the names starting with it."""
    from typer._click.shell_completion import CompletionItem

    return [CompletionItem(name, help=note or None) for name, note in _names(ctx)[1] if incomplete in name]


def complete_id(*folders: str):
    """Completion of record ids under data/FOLDER/ for each folder given (file names, no validation)."""

    def complete(ctx: typer.Context, param, incomplete: str) -> list[str]:  # click's shell_complete: any part
        try:
            from lanxi_cli.core.domain import id_of
            from lanxi_cli.io import locate

            data_dir = locate.find_data_dir(ctx.params.get("data") or os.environ.get("LANXI_DATA"))
            ids = (id_of(rel) for folder in folders for rel, _ in locate.scan_reports(data_dir, folder=folder))
            return sorted(i for i in ids if incomplete in i)
        except Exception:  # a completion must never raise, whatever the data holds
            return []

    return complete
