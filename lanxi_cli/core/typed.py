"""Words a person types, read one way wherever lanxi takes them (options, forms,
collected rows, set-up commands): dates in the forms offices write them, and
names close to a known one, offered as "did you mean". Standard library only;
the pinyin reading is imported on the error path alone."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from difflib import SequenceMatcher

# 2021-07-01, 2021/7/1, 2021.7.1, 2021年7月1日 (one separator kind or the Chinese words)
_FULL = re.compile(r"([0-9]{4})\s*(?:[-/.]|年)\s*([0-9]{1,2})\s*(?:[-/.]|月)\s*([0-9]{1,2})\s*日?")
_MONTH_DAY = re.compile(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?")  # 7月1日: the year is the as-of day's, or before
DATE_FORMS = "2021-07-01、2021/7/1、2021.7.1、2021年7月1日 或 7月1日"
# Every word a person may type for a report's status: the codes, and the words
# lanxi shows (完成, and 已完成 as its state tables say it; 进行中; 受阻).
STATUS_WORDS = {
    "done": "done", "progress": "progress", "blocked": "blocked",
    "完成": "done", "已完成": "done", "进行中": "progress", "受阻": "blocked",
}


def status_code(text) -> str | None:
    """A report status as typed (done, 完成, 已完成 …) → its code; None if no status."""
    return STATUS_WORDS.get(unicodedata.normalize("NFKC", str(text)).strip().lower())


def read_day(text: str, as_of: dt.date | None = None) -> dt.date:
    """The day `text` names; ValueError when it names none. `7月1日` is the
    latest such day not after `as_of` (so in January, 12月31日 is last year's)."""
    folded = unicodedata.normalize("NFKC", str(text)).strip()
    match = _FULL.fullmatch(folded)
    if match:
        return dt.date(*(int(part) for part in match.groups()))
    match = _MONTH_DAY.fullmatch(folded)
    if match and as_of is not None:
        month, day = int(match[1]), int(match[2])
        for year in range(as_of.year, as_of.year - 9, -1):  # 2月29日 waits for a leap year
            try:
                found = dt.date(year, month, day)
            except ValueError:
                if not (month == 2 and day == 29):
                    raise
                continue
            if found <= as_of:
                return found
    raise ValueError(text)


# ---- did you mean ----------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _sound(text: str) -> str:
    """The text as toneless pinyin (花乔村 = 花桥村 = huaqiaocun); '' without pypinyin."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # the offer by characters still stands
        return ""
    return "".join(lazy_pinyin(text))


def closest(typed: str, names, limit: int = 3) -> list[str]:
    """Names close to what was typed, closest first: by characters (most in
    common, in order) or by sound (the same pinyin, or nearly). Few and good:
    an offer that is no help is worse than none."""
    key = _fold(typed)
    if not key:
        return []
    heard = _sound(key)
    scored = []
    for name in dict.fromkeys(names):
        other = _fold(name)
        chars = SequenceMatcher(None, key, other).ratio()
        sound = SequenceMatcher(None, heard, _sound(other)).ratio() if heard else 0.0
        score = max(chars, sound - 0.05)  # the same characters beat the same sound
        if chars >= 0.5 or sound >= 0.85:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)[:limit]]
