"""Deadline wording (完成时限) → a structured Deadline rule. Pure.

`lanxi init` reads a task table's 时限 cells with this. A reading is either
plain (the wording says it all) or marked 待核实 (`Deadline.pending`): then the
rule is our best guess and the note says what a person must confirm. The
task's own text is consulted only to confirm or doubt the wording: a text
naming another date, or a recurrence the wording lacks, makes the reading
待核实; a text saying 每个季度 beside a single date reads as quarterly, due
on that date in its last quarter.

Forms read: 某月某日前, 某年某月某日前, 某月底前, 年底前, 每月某日前, 每季度末,
每季度第某月(某日), 某月至某月(底), 长期坚持, and several dates (某日前和某日前,
…各一次) as milestones.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from lanxi_cli.core.calendar import last_day
from lanxi_cli.core.domain import Deadline, Milestone

PENDING = "待核实"


@dataclass(frozen=True, slots=True)
class Context:
    """What a reading needs beyond the wording: the default year, the campaign,
    and the day recurring duties start (the notice's date)."""

    year: int
    start: dt.date
    end: dt.date
    issued: dt.date


@dataclass(frozen=True, slots=True)
class Reading:
    deadline: Deadline
    note: str = ""  # a Chinese sentence wherever the reading is a judgement

    @property
    def pending(self) -> bool:
        return self.deadline.pending


# ---- tokens ---------------------------------------------------------------------------

_CN_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十]+(?=[月日号个季])")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月份?\s*"
    r"(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))?"
)
_ISO = re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})")
_RANGE_SEP = re.compile(r"^\s*(?:至|到|—|–|-|~|～|－)+\s*$")
_MONTHLY = re.compile(r"每(?:个)?月(?:的)?\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))")
_QUARTER_MONTH = re.compile(r"每(?:个)?季度?(?:的)?第\s*(?P<k>[123])\s*个?月\s*(?:(?P<d>\d{1,2})\s*[日号])?")
_QUARTER_END = re.compile(r"每(?:个)?季度?(?:末|底|最后一个月)")
_ONGOING = re.compile(r"长期|常态|持续|全年|全过程|贯穿")
_YEAR_END = re.compile(r"(?:年底|年末|年内|年终)")
_HALF_YEAR = re.compile(r"上半年")
_SEVERAL = re.compile(r"各\s*[一1]\s*次|分别|和|及|、|，|,|；|;")

# What the task's text says about recurrence: 定期 confirms a 每月 wording, never makes one.
_TEXT_MONTHLY = re.compile(r"每(?:个)?月|按月|月度|定期")
_TEXT_EVERY_MONTH = re.compile(r"每(?:个)?月|按月|月度")
_TEXT_QUARTERLY = re.compile(r"每(?:个)?季度|按季度?")


def plain_digits(text: str) -> str:
    """Full-width digits and signs folded; Chinese numerals before 月/日 made digits."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return _CN_NUMBER.sub(lambda m: str(_cn_number(m[0])), text)


def _cn_number(text: str) -> int:
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


@dataclass(frozen=True, slots=True)
class _Token:
    """One date as written: its year if named, month, and day or part of month."""

    year: int | None
    month: int
    day: int | None
    part: str | None
    start: int
    end: int

    @property
    def month_only(self) -> bool:
        return self.day is None and self.part is None


def _tokens(text: str) -> list[_Token]:
    found = [
        _Token(int(m["y"]), int(m["m"]), int(m["d"]), None, m.start(), m.end()) for m in _ISO.finditer(text)
    ]
    taken = [(t.start, t.end) for t in found]
    for m in _DATE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.start() > 0 and text[m.start() - 1] == "每":  # 每月…: a recurrence, not a date
            continue
        found.append(_Token(int(m["y"]) if m["y"] else None, int(m["m"]), int(m["d"]) if m["d"] else None,
                            m["part"], m.start(), m.end()))
    return sorted((t for t in found if 1 <= t.month <= 12), key=lambda t: t.start)


def _day_of(year: int, month: int, day: int | None, part: str | None) -> dt.date:
    """A day of the month as written; raises ValueError for a day that does not exist."""
    if day is not None:
        return dt.date(year, month, day)
    if part == "上旬":
        return dt.date(year, month, 10)
    if part == "中旬":
        return dt.date(year, month, 20)
    return last_day(year, month)  # 底, 末, 下旬, or a month alone


def _year(token: _Token, ctx: Context) -> int:
    """The token's year: as written, else the context's; a date before the
    campaign's start that fits a year later (a campaign over new year) rolls on."""
    if token.year is not None:
        return token.year
    try:
        first = _day_of(ctx.year, token.month, token.day, token.part)
        later = _day_of(ctx.year + 1, token.month, token.day, token.part)
    except ValueError:
        return ctx.year
    return ctx.year + 1 if first < ctx.start and later <= ctx.end else ctx.year


def _date(token: _Token, ctx: Context) -> dt.date:
    return _day_of(_year(token, ctx), token.month, token.day, token.part)


def named_dates(wording: str, year: int) -> list[dt.date]:
    """Every day the wording names, a month alone as its first and last day
    (for the campaign's default span)."""
    out = []
    for token in _tokens(plain_digits(wording)):
        y = token.year or year
        try:
            if token.month_only:
                out += [dt.date(y, token.month, 1), last_day(y, token.month)]
            else:
                out.append(_day_of(y, token.month, token.day, token.part))
        except ValueError:
            continue
    return out


def named_year(wording: str) -> int | None:
    """The first year a wording names (2021年3月底前 → 2021), if any."""
    for token in _tokens(plain_digits(wording)):
        if token.year:
            return token.year
    return None


# ---- periods ---------------------------------------------------------------------------


def _month_label(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def _quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _months(first: dt.date, last: dt.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _monthly(day: int, first: dt.date, last: dt.date, ctx: Context, open_start: bool) -> Deadline | None:
    """Monthly on `day` (clamped), over the months from `first` to `last` whose
    due lies in the campaign (and, for an open-ended rule, not before the notice)."""
    floor = max(ctx.start, ctx.issued) if open_start else ctx.start
    months = [
        (y, m) for y, m in _months(first, last)
        if floor <= dt.date(y, m, min(day, _cal.monthrange(y, m)[1])) <= ctx.end
    ]
    if not months:
        return None
    return Deadline(rule="monthly", day=day, first=f"{months[0][0]}-{months[0][1]:02d}",
                    last=f"{months[-1][0]}-{months[-1][1]:02d}")


def _quarterly(first: dt.date, last: dt.date, ctx: Context, due_of=None, open_start: bool = True) -> Deadline | None:
    """Quarterly over the quarters from `first`'s to `last`'s; `due_of(label,
    quarter end)` gives a quarter's due day where it is not the quarter's end."""
    floor = max(ctx.start, ctx.issued) if open_start else ctx.start
    labels, dues = [], {}
    for y, m in _months(_quarter_start(first), last):
        if (m - 1) % 3:
            continue
        end = last_day(y, m + 2)
        label = f"{y}-Q{(m - 1) // 3 + 1}"
        due = due_of(label, y, m) if due_of else end
        if floor <= due <= ctx.end:
            labels.append(label)
            if due != end:
                dues[label] = due
    if not labels:
        return None
    return Deadline(rule="quarterly", first=labels[0], last=labels[-1], dues=dues)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# ---- the reading ----------------------------------------------------------------------


def pending(ctx: Context, why: str, guess: Deadline | None = None) -> Reading:
    """A 待核实 reading: the guess (else due on the campaign's last day) and why."""
    from dataclasses import replace

    rule = guess or Deadline(rule="once", due=ctx.end)
    fallback = "" if guess else f"暂按活动结束日 {ctx.end.isoformat()} 截止，"
    return Reading(replace(rule, pending=True), f"{PENDING}：{why}；{fallback}{CONFIRM}")


CONFIRM = "请核实后用 lanxi task deadline 编号 时限 改定。"  # ends every 待核实 note: task deadline takes it away


def read(wording: str, text: str, ctx: Context) -> Reading:
    """The structured rule a deadline wording gives, in the context of a campaign."""
    shown = (wording or "").strip()
    folded = plain_digits(wording)
    if not folded:
        return pending(ctx, "完成时限空白")
    body = plain_digits(text)
    try:
        reading = _read(folded, body, ctx, shown)
    except ValueError:  # a day that does not exist, such as 2月30日
        reading = None
    return reading or pending(ctx, f"无法自动识别完成时限“{shown}”")


def _read(w: str, body: str, ctx: Context, shown: str) -> Reading | None:
    tokens = _tokens(w)
    monthly = _MONTHLY.search(w)
    if monthly:
        return _read_monthly(monthly, tokens, w, body, ctx, shown)
    quarter_month = _QUARTER_MONTH.search(w)
    if quarter_month or _QUARTER_END.search(w):
        return _read_quarterly(quarter_month, tokens, ctx, shown)
    if not tokens:
        return _read_undated(w, ctx, shown)
    if len(tokens) == 2 and _RANGE_SEP.match(w[tokens[0].end : tokens[1].start]):
        return _read_range(tokens, body, ctx, shown)
    if len(tokens) >= 2:
        return _read_milestones(tokens, w, ctx, shown)
    return _read_date(tokens[0], body, ctx, shown)


def _read_monthly(match, tokens, w, body, ctx, shown) -> Reading | None:
    day = int(match["d"]) if match["d"] else {"上旬": 10, "中旬": 20}.get(match["part"], 31)
    if not 1 <= day <= 31:
        return None
    if len(tokens) == 2 and _RANGE_SEP.match(w[tokens[0].end : tokens[1].start]):
        first, last, open_start = _date(tokens[0], ctx), _date(tokens[1], ctx), False
    elif not tokens:
        first, last, open_start = ctx.start, ctx.end, True
    else:
        return None
    rule = _monthly(day, first, last, ctx, open_start)
    if rule is None:
        return pending(ctx, f"“{shown}”在活动期内没有截止日")
    span = f"{rule.first[:4]}年{int(rule.first[5:])}月至{rule.last[:4]}年{int(rule.last[5:])}月"
    if not _TEXT_MONTHLY.search(body):
        return pending(ctx, f"完成时限写“{shown}”，任务内容却未写明每月都做；暂按月读（{span}）"
                            "，若只做一次请改为 rule: once", rule)
    return Reading(rule, f"按月：{span}，每月{day}日前（较短的月份取最后一天）。")


def _read_quarterly(match, tokens, ctx, shown) -> Reading | None:
    if tokens:
        return None
    if match:
        k, day = int(match["k"]), int(match["d"]) if match["d"] else None

        def due_of(label, year, month):
            return _day_of(year, month + k - 1, min(day, _cal.monthrange(year, month + k - 1)[1]) if day else None,
                           None)

        rule = _quarterly(ctx.start, ctx.end, ctx, due_of)
        what = f"每季度第{k}个月" + (f"{day}日前" if day else "底前")
    else:
        rule, what = _quarterly(ctx.start, ctx.end, ctx), "每季度末"
    if rule is None:
        return pending(ctx, f"“{shown}”在活动期内没有截止日")
    return Reading(rule, f"按季度：{rule.first} 至 {rule.last}，{what}。")


def _read_undated(w, ctx, shown) -> Reading | None:
    if _ONGOING.search(w):
        rule = Deadline(rule="window", start=ctx.start, end=ctx.end)
        return Reading(rule, f"“{shown}”：按活动期全程读，{ctx.start.isoformat()} 至 {ctx.end.isoformat()}，"
                             "活动结束日截止。")
    if _YEAR_END.search(w) or _HALF_YEAR.search(w):
        due = dt.date(ctx.year, 6, 30) if _HALF_YEAR.search(w) else dt.date(ctx.year, 12, 31)
        return Reading(Deadline(rule="once", due=due), f"“{shown}”：截止 {due.isoformat()}。")
    return None


def _read_range(tokens, body, ctx, shown) -> Reading | None:
    start = _date(tokens[0], ctx)
    if tokens[0].month_only:  # 8月至12月底: from the first of August
        start = start.replace(day=1)
    end = _date(tokens[1], ctx)
    if start > end:
        return None
    if _TEXT_QUARTERLY.search(body):
        rule = _quarterly(start, end, ctx, open_start=False)
        if rule is None:
            return None
        return Reading(rule, f"任务内容写明每季度：{rule.first} 至 {rule.last}，各季度末截止。")
    if _TEXT_EVERY_MONTH.search(body):
        rule = _monthly(31, start, end, ctx, open_start=False)
        if rule is None:
            return None
        return Reading(rule, f"任务内容写明每月：{rule.first} 至 {rule.last}，各月最后一天截止。")
    return Reading(Deadline(rule="window", start=start, end=end),
                   f"时段：{start.isoformat()} 至 {end.isoformat()}，{end.isoformat()} 截止。")


def _read_milestones(tokens, w, ctx, shown) -> Reading | None:
    """Several dates joined by 和、及 or a comma, or 各一次: one milestone each."""
    if not _SEVERAL.search(w) or any(t.month_only for t in tokens) and not re.search(r"各\s*[一1]\s*次", w):
        return None
    dues = [_date(t, ctx) for t in tokens]
    if any(b <= a for a, b in zip(dues, dues[1:], strict=False)):
        return None
    points = tuple(Milestone(due=due, count=i + 1) for i, due in enumerate(dues))
    listed = "、".join(d.isoformat() for d in dues)
    return Reading(Deadline(rule="milestones", points=points),
                   f"分{len(dues)}次完成，次数自活动开始累计：{listed} 前各完成1次。")


def _read_date(token, body, ctx, shown) -> Reading | None:
    due = _date(token, ctx)
    if token.month_only:
        return pending(ctx, f"“{shown}”只写了月份；暂按该月最后一天 {due.isoformat()} 读",
                       Deadline(rule="once", due=due))
    once = Deadline(rule="once", due=due)
    others = sorted({d for t in _tokens(body) if not t.month_only for d in [_safe_date(t, ctx)] if d and d != due})
    if others:
        listed = "、".join(d.isoformat() for d in others)
        return pending(ctx, f"任务内容另写有日期（{listed}），与完成时限“{shown}”不同；暂按“{shown}”读", once)
    if _TEXT_QUARTERLY.search(body):
        def due_of(label, year, month):
            return due if label == _quarter_label(due) else last_day(year, month + 2)

        rule = _quarterly(ctx.start, due, ctx, due_of)
        if rule is not None and rule.last == _quarter_label(due):
            return Reading(rule, f"任务内容写明每季度：{rule.first} 至 {rule.last}，"
                                 f"各季度末截止，最后一个季度按完成时限 {due.isoformat()} 前。")
    if _TEXT_EVERY_MONTH.search(body):
        return pending(ctx, f"任务内容写有“每月”，完成时限只写了一个日期“{shown}”；暂按一次读", once)
    return Reading(once)


def _safe_date(token, ctx) -> dt.date | None:
    try:
        return _date(token, ctx)
    except ValueError:
        return None
