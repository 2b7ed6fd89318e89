"""Reminders (催办提醒): for each unit with something overdue, due soon or a
missing 旬报, the text to send its liaison. Pure.

One SMS holds 70 characters once it holds a Chinese one. A message that does
not fit is split at item boundaries into numbered parts, `（1/2）…`, each
within 70; where that would take more than MAX_PARTS messages it is summarised
instead (how many items, the earliest due date), which fits in one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lanxi_cli.core.domain import task_label

SMS_CHARS = 70
MAX_PARTS = 3


@dataclass(slots=True)
class Reminder:
    unit: str
    liaison: str
    phone: str
    overdue: list = field(default_factory=list)  # engine Obligations, earliest due first
    due_soon: list = field(default_factory=list)
    missing_report: bool = False
    unacknowledged: bool = False  # has not acknowledged the notice (签收) in the days allowed
    window: tuple[dt.date, dt.date] | None = None  # the 旬报 window checked
    messages: list[str] = field(default_factory=list)  # each one SMS

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


def reminders(book, obligations, reports, as_of: dt.date, unit: str | None = None,
              unacknowledged=()) -> list[Reminder]:
    """A reminder for each unit (or the one named) that has something to be reminded of,
    villages and communities first. The 旬报 is checked as `report missing` checks it;
    `unacknowledged`: units late to acknowledge the notice (core.receipts), asked for that first."""
    from lanxi_cli.core.engine import unit_order
    from lanxi_cli.core.reporting import missing_units, season_window

    window = season_window(book, as_of)  # None until the season's first window has ended
    missing = set(missing_units(book, reports, *window)) if window else set()
    by_unit: dict[str, Reminder] = {}

    def reminder(name: str) -> Reminder:
        if name not in by_unit:
            liaison = book.units[name].liaison
            by_unit[name] = Reminder(name, liaison.name, liaison.phone, window=window)
        return by_unit[name]

    for ob in sorted(obligations, key=lambda o: o.due):  # stable: plan order within a day
        # what the unit owns, scored or not (a duty is reminded either way); where the lead
        # acts (10.2), that is the lead's, never the inspected unit's
        if ob.state in ("overdue", "due_soon") and unit in (None, ob.unit):
            getattr(reminder(ob.unit), ob.state).append(ob)
    for name in missing:
        if unit in (None, name):
            reminder(name).missing_report = True
    for name in unacknowledged:
        if unit in (None, name):
            reminder(name).unacknowledged = True
    out = sorted(by_unit.values(), key=lambda r: unit_order(book, r.unit))
    for r in out:
        r.messages = messages(r, as_of)
    return out


# ---- the text ----------------------------------------------------------------------


def day_text(day: dt.date, as_of: dt.date) -> str:
    return f"{day.month}月{day.day}日" if day.year == as_of.year else f"{day.year}年{day.month}月{day.day}日"


def window_text(start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """`9月11日至20日`, or `8月31日至9月10日` across a month."""
    tail = f"{end.day}日" if (start.year, start.month) == (end.year, end.month) else day_text(end, as_of)
    return f"{day_text(start, as_of)}至{tail}"


def _items(label: str, obligations, as_of: dt.date) -> list[str]:
    """`逾期3项：1.1 制定方案、`, `1.2 成立专班（9月3日），`, `5.1 交通培训（9月30日）；`: a piece
    per task, named by its label (id and short name);
    the tasks due on one day share their date, written after the last of them.
    A lead owing a task to several units on one day names it once (`10.2（23个单位，8月30日）`)."""

    shown: dict[tuple, list] = {}  # (due, task id) → its obligations, in order
    for ob in obligations:
        shown.setdefault((ob.due, ob.task.id), []).append(ob)
    keys = list(shown)
    pieces = []
    for i, (due, task_id) in enumerate(keys):
        obs = shown[due, task_id]
        named = task_label(obs[0].task)
        subjects = [ob.subject for ob in obs if ob.subject]
        who = (subjects[0] if len(subjects) == 1 else f"{len(subjects)}个单位") + "，" if subjects else ""
        last = i + 1 == len(keys)
        if last or keys[i + 1][0] != due:
            pieces.append(f"{named}（{who}{day_text(due, as_of)}）{'；' if last else '，'}")
        else:
            pieces.append(f"{named}（{who.rstrip('，')}）、" if who else f"{named}、")
    pieces[0] = f"{label}{len(obligations)}项：{pieces[0]}"
    return pieces


def _pieces(r: Reminder, as_of: dt.date) -> list[str]:
    """The full message in pieces, each ending where a message may be split."""
    pieces = [f"{r.unit}联络员{r.liaison}："]
    if r.unacknowledged:
        pieces.append("请先签收专项行动通知；")
    for label, obligations in (("逾期", r.overdue), ("即将到期", r.due_soon)):
        if obligations:
            pieces += _items(label, obligations, as_of)
    if r.missing_report:
        pieces.append(f"{window_text(*r.window, as_of)}旬报未报；")
    ask = "请抓紧办理。" if r.overdue or r.due_soon else "请尽快报送。" if r.missing_report else "请回复已收到。"
    pieces[-1] = pieces[-1].removesuffix("；") + "。" + ask
    return pieces


def _summary(r: Reminder, as_of: dt.date) -> str:
    parts = ["请先签收专项行动通知"] if r.unacknowledged else []
    parts += [f"{label}{len(obs)}项（最早{day_text(obs[0].due, as_of)}）"
              for label, obs in (("逾期", r.overdue), ("即将到期", r.due_soon)) if obs]
    if r.missing_report:
        parts.append(f"{window_text(*r.window, as_of)}旬报未报")
    return f"{r.unit}联络员{r.liaison}：{'，'.join(parts)}。明细见任务清单，请抓紧办理。"


def split(pieces: list[str], limit: int = SMS_CHARS) -> list[str]:
    """Pieces packed into as few messages as fit in `limit` characters each,
    numbered `（k/n）` when more than one. A piece longer than a message is cut."""
    if len("".join(pieces)) <= limit:
        return ["".join(pieces)]
    total = 2
    while True:
        room = limit - len(f"（{total}/{total}）")
        parts = [""]
        for piece in pieces:
            for chunk in (piece[i : i + room] for i in range(0, len(piece), room)):  # cut only beyond reason
                if len(parts[-1]) + len(chunk) > room:
                    parts.append("")
                parts[-1] += chunk
        if len(parts) <= total:
            return [f"（{k}/{len(parts)}）{p}" for k, p in enumerate(parts, start=1)]
        total = len(parts)


def messages(r: Reminder, as_of: dt.date) -> list[str]:
    parts = split(_pieces(r, as_of))
    return parts if len(parts) <= MAX_PARTS else split([_summary(r, as_of)])
