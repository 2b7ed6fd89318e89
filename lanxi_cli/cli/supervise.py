"""Supervision: assess, bulletin, export, indicators, reviews and extensions."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds assess, bulletin, export and the supervision groups (see issue 7)."""
