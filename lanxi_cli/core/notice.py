"""督办通知单: what a notice to one unit names, worked out from the same reminders
`remind` sends (core.remind) and the light `assess` gives. Pure."""

from __future__ import annotations

import datetime as dt


def lagging(standings) -> list[str]:
    """The units a notice goes to with `--all`: every unit whose light is not green, in ranking order."""
    return [s.unit for s in standings if s.light != "green"]


def make(book, reminder, standings, as_of: dt.date, by: str = "", recorded: str = ""):
    """The Notice record for `reminder`'s unit: its overdue and due-soon items (as remind
    chases them), its light, and the reply deadline plan.yaml sets (`reply_days` after issue)."""
    from lanxi_cli.core.domain import Notice, NoticeItem

    light = next((s.light for s in standings if s.unit == reminder.unit), None)
    items = tuple(
        NoticeItem(task=ob.task.id, due=ob.due, state=state, period=ob.occ.label or None,
                   subject=getattr(ob, "subject", None) or None)
        for state, obligations in (("overdue", reminder.overdue), ("due_soon", reminder.due_soon))
        for ob in obligations
    )
    return Notice(unit=reminder.unit, date=as_of, reply_by=as_of + dt.timedelta(days=book.plan.reply_days),
                  light=light, items=items, by=by, recorded=recorded)
