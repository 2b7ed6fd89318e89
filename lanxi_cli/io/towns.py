"""The county's towns file, and where each town's data folder is.

`towns: [{name, data}]`: `data` is a folder (relative to the towns file's
own folder), holding `data/plan.yaml` or `plan.yaml` itself, or a git
address, cloned or fetched into the machine-local cache (never into a work
tree) by sync.mirror.
"""

from __future__ import annotations

from pathlib import Path

from lanxi_cli.errors import DataError, Problem
from lanxi_cli.io.locate import PLAN_FILE

MAX_BYTES = 1024 * 1024


def load_towns(path: Path) -> list:
    """The towns listed in `path`, validated; a DataError names each problem by line."""
    from lanxi_cli.core.county import Towns
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.document import load_document

    file = path.as_posix()  # as the user typed it: it lies outside every data folder
    towns, lines, problems = load_document(path, Towns, MAX_BYTES, file)
    if not problems:
        seen: set[str] = set()
        for i, town in enumerate(towns.towns):
            if town.name in seen:
                problems.append(Problem(file, yamlio.line_of(lines, ("towns", i, "name")), f"镇名“{town.name}”重复"))
            seen.add(town.name)
    if problems:
        raise DataError(f"镇清单 {file} 有 {len(problems)} 处问题", problems)
    return list(towns.towns)


def data_folder(source: str, base: Path) -> tuple[Path, str | None]:
    """A town's data folder (holding plan.yaml) and a warning, if any: a git
    address is brought up to date in the cache first."""
    from lanxi_cli.io import sync
    from lanxi_cli.io.locate import cache_root

    warning = None
    if sync.is_url(source):
        folder, warning = sync.mirror(source, cache_root() / "towns")
    else:
        folder = Path(source).expanduser()
        folder = folder if folder.is_absolute() else base / folder
    for candidate in (folder / "data", folder):
        if (candidate / PLAN_FILE).is_file():
            return candidate, warning
    raise DataError(f"{source} 中没有 data/{PLAN_FILE}（也没有 {PLAN_FILE}）")
