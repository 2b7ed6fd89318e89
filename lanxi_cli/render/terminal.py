"""What may reach a terminal: nothing a user typed as an escape code. The one
home of that rule, below both `tables` (which names it for the views) and
`grid` (which lays out cells already made safe)."""

from __future__ import annotations

_CONTROL: list = []  # core.domain.CONTROL, imported the first time text is shown


def terminal_safe(text: str) -> str:
    """Text as it may reach a terminal: each control or bidi-override
    character (domain.CONTROL) shown as its escape, `\\x1b`, `\\u202e`."""
    if not _CONTROL:
        from lanxi_cli.core.domain import CONTROL

        _CONTROL.append(CONTROL)
    return _CONTROL[0].sub(_escape, text)


def _escape(match) -> str:
    return match[0].encode("unicode_escape").decode("ascii")
