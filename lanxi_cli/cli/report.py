"""Recording progress: report add/list/missing, and the git log of the data."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the `report` group and `log` (see issue 4)."""
