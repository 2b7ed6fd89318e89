"""What every command shares: the options, opening the data, printing errors.

Only typer and the standard library are imported here; the rest of lanxi is
imported inside the functions, when a command actually runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
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
                 help="按哪一天计算截止状态（YYYY-MM-DD），默认今天"),
]
NoCommitOpt = Annotated[bool, typer.Option("--no-commit", help="只写文件，不提交到 git")]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="输出格式：table 表格、json、csv")
]


_DATE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
YEARS = (1900, 2099)  # a date outside these is a typo (0001-01-05), never meant


def parse_date(text: str, option: str) -> dt.date:
    """YYYY-MM-DD (or / . as separators), digits only; full-width digits and
    separators are folded first. Not int(): it would take 2_0 and +9."""
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.fullmatch(folded)
    try:
        if match is None:
            raise ValueError(text)
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise UsageError(f"{option} 的日期“{text}”无效，应为真实存在的日期 YYYY-MM-DD") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise UsageError(f"{option} 的日期“{text}”年份不对，应在 {YEARS[0]} 到 {YEARS[1]} 年之间")
    return day


def today(as_of: str | None) -> dt.date:
    return parse_date(as_of, "--as-of") if as_of else dt.date.today()


@dataclass
class Session:
    """One command's view of the data: the book, the day, and (lazily) the reports."""

    data_dir: Path
    as_of: dt.date
    book: object
    cache: object = field(default=None, repr=False)  # a cache.Cache, or None to read every file
    _reports: list | None = field(default=None, repr=False)
    _extensions: list | None = field(default=None, repr=False)
    _reviews: list | None = field(default=None, repr=False)

    @property
    def reports(self) -> list:
        """Every valid report; each broken file is named on stderr and left out."""
        if self._reports is None:
            from lanxi_cli.io import load

            if self.cache is not None:
                self._reports, problems = self.cache.load_reports(self.book)
            else:
                self._reports, problems = load.load_reports(self.data_dir, self.book)
            for problem in problems:
                warn(f"{problem}（已跳过此报告）")
        return self._reports

    @property
    def extensions(self) -> list:
        """Every valid extension request (data/extensions/); broken files warned and skipped."""
        if self._extensions is None:
            from lanxi_cli.io import load

            self._extensions, problems = load.load_extensions(self.data_dir, self.book)
            for problem in problems:
                warn(f"{problem}（已跳过此延期申请）")
        return self._extensions

    @property
    def reviews(self) -> list:
        """Every valid review (data/reviews/) of a report or extension request."""
        if self._reviews is None:
            from lanxi_cli.io import load

            subjects = [*self.reports, *self.extensions]
            self._reviews, problems = load.load_reviews(self.data_dir, self.book, subjects)
            for problem in problems:
                warn(f"{problem}（已跳过此审核）")
        return self._reviews

    def unit(self, text: str | None) -> str | None:
        """The canonical unit a --unit option names, or None when it was not given."""
        return None if text is None else self.book.resolve_unit(text)

    def task_id(self, text: str | None) -> str | None:
        """The task id a --task option names, or None when it was not given."""
        return None if text is None else self.book.resolve_task(text).id

    def obligations(self):
        from lanxi_cli.core import engine

        return engine.compute(self.book, self.reports, self.as_of, self.reviews, self.extensions)


def open_session(data: Path | None, as_of: str | None) -> Session:
    from lanxi_cli.io import locate
    from lanxi_cli.io.cache import Cache

    day = today(as_of)  # a bad date is a usage error, before any file is read
    data_dir = locate.find_data_dir(data)
    cache = Cache(data_dir)
    return Session(data_dir, day, cache.load_book(), cache)


def recorded_now() -> str:
    """When a record is written: local time with its offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def publish(path: Path, message: str, no_commit: bool, what: str = "文件") -> None:
    """Commit a new file (unless --no-commit), then print its path. Committing
    first means a full disk or a closed pipe on stdout cannot leave it
    uncommitted. If git is missing or fails (or Ctrl-C stops it), the file
    stays on disk, unstaged, and a warning names it."""
    from lanxi_cli.io import gitio, locate

    shown = locate.display_path(path)
    if not no_commit:
        try:
            gitio.commit_file(path, message)
        except gitio.GitError as exc:
            warn(f"{what}已保存，但没有提交到 git（{shown}）：{exc}")
        except KeyboardInterrupt:
            warn(f"已中断：{what}已保存，但没有提交到 git（{shown}）")
            raise typer.Exit(130) from None
    typer.echo(shown)


def warn(message: str) -> None:
    from lanxi_cli.render.tables import terminal_safe

    sys.stderr.write(f"警告：{terminal_safe(message)}\n")


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


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


def complete_unit(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return [pair for pair in _names(ctx)[1] if incomplete in pair[0]]
