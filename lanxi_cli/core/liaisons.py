"""Liaisons (联络员): phone numbers checked, and the liaisons recorded laid
over plan.yaml's. Pure: no files here.

Entries come in the order they were recorded (data/liaisons.yaml's list, then
the records of data/liaisons/ by `recorded` time and id); for each unit the
last one wins (see io/liaisons.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from lanxi_cli.core.domain import Liaison, LiaisonEntry, LiaisonRecord

MAX_NAME = 20  # a person's name, perhaps with a title (张三主任)

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# area code 010 or 02X with an 8-digit number, or 0[3-9]XX with a 7- or 8-digit one; an extension may follow
_LANDLINE = re.compile(r"\(?(0(?:10|2\d)|0[3-9]\d\d)\)?-?([2-9]\d{6,7})(?:(?:-|转|#)(\d{1,6}))?")


def normal_phone(text: str) -> str | None:
    """A phone number in one written form (13812345678, 0737-4281234,
    010-12345678-801), or None if `text` is neither an 11-digit mobile number
    nor a landline with its area code. Full-width digits and spaces are folded."""
    folded = "".join(unicodedata.normalize("NFKC", text).split()).replace("－", "-").replace("—", "-")
    mobile = _MOBILE.fullmatch(folded.replace("-", ""))
    if mobile:
        return mobile[1]
    landline = _LANDLINE.fullmatch(folded)
    if landline is None or (len(landline[1]) == 3 and len(landline[2]) != 8):
        return None
    return "-".join(part for part in landline.groups() if part)


PHONE_HINT = "应为11位手机号（如 13812345678）或带区号的固定电话（如 0737-4281234）"


def entry_faults(book, entry: LiaisonEntry) -> list[tuple[str, str]]:
    """What is wrong with one entry of liaisons.yaml: [(field, message)]."""
    faults = []
    if book.canonical(entry.unit) is None:
        faults.append(("unit", f"未知单位“{entry.unit}”"))
    if len(entry.name) > MAX_NAME:
        faults.append(("name", f"联络员姓名过长（{len(entry.name)} 个字，上限 {MAX_NAME}）"))
    if entry.phone != "" and normal_phone(str(entry.phone)) is None:
        faults.append(("phone", f"电话“{entry.phone}”无效：{PHONE_HINT}"))
    return faults


def overlay(book, entries: tuple[LiaisonEntry | LiaisonRecord, ...]):
    """The book with each unit's liaison taken from its last entry (entries are
    checked: entry_faults found nothing). plan.yaml's stay where none is recorded."""
    latest = {book.canonical(e.unit): Liaison(e.name.strip(), normal_phone(str(e.phone)) or "") for e in entries}
    if not latest:
        return book
    units = tuple(replace(u, liaison=replace(latest[u.name], leader=u.liaison.leader)) if u.name in latest else u
                  for u in book.plan.units)  # the 分管领导 stays as plan.yaml names it
    plan = replace(book.plan, units=units)
    return replace(book, plan=plan, units={u.name: u for u in units if u.name in book.units})


def make_record(unit: str, name: str, phone: str, day, recorded: str, by: str = "") -> LiaisonRecord:
    """What `unit liaison` records, checked: a name, and a phone that is a real number."""
    from lanxi_cli.core.reporting import check_text
    from lanxi_cli.errors import UsageError

    name = check_text(" ".join(name.split()), "--name", MAX_NAME)
    if not name:
        raise UsageError("--name 不能为空")
    number = normal_phone(phone) if phone.strip() else ""
    if number is None:
        raise UsageError(f"--phone“{phone}”无效：{PHONE_HINT}")
    return LiaisonRecord(unit=unit, name=name, date=day, phone=number, by=by, recorded=recorded)
