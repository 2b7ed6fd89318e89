"""A task table (任务清单) as rows of cell text → a new plan's units, groups and
tasks. Pure: `lanxi_cli.io.table_read` reads the file, `lanxi_cli.io.scaffold`
writes the YAML.

The header row names the columns in any order by their usual names. Blank 类别
and 时限 cells continue the cell above (时限 within its category); a blank
责任单位 means the lead does the task. Item numbers (1、 1. （1）) are dropped
from the text; every other word is kept as written. Deadline wording is read
by `deadline_text`; what cannot be read is marked 待核实.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from lanxi_cli.core import deadline_text
from lanxi_cli.core.calendar import CalendarError, last_day, occurrences
from lanxi_cli.core.domain import SHORT_MAX, Deadline, Span
from lanxi_cli.errors import DataError, Problem

# Column key → the names a header may give it (compared without spaces or a
# trailing parenthesis: 牵头\n单位, 责任单位（部门）).
COLUMNS = {
    "number": ("序号", "编号", "项次", "序", "任务编号"),
    "category": ("类别", "项目", "项目指标", "类型", "分类", "工作类别", "任务类别", "工作项目", "板块"),
    "text": ("任务", "工作任务", "任务内容", "工作任务及要求", "工作内容", "主要任务", "具体任务", "任务要求",
             "重点任务", "工作措施", "工作要求", "具体措施", "主要内容", "任务名称", "事项"),
    "deadline": ("时限", "完成时间", "完成时限", "时间节点", "时间要求", "完成期限", "办结时限", "时间安排",
                 "完成时间节点", "截止时间"),
    "lead": ("牵头单位", "牵头部门", "牵头", "主责单位", "牵头责任单位"),
    "units": ("责任单位", "责任部门", "责任主体", "承办单位", "实施单位"),
    "helpers": ("配合单位", "配合部门", "协办单位", "协助单位"),
}
COLUMN_NAMES = {"number": "序号", "category": "类别",
                "text": "任务", "deadline": "时限", "lead": "牵头单位", "units": "责任单位",
                "helpers": "配合单位"}
DEFAULT_CATEGORY = "工作任务"

_ITEM_NUMBER = re.compile(
    r"^\s*(?:(\d{1,3})\s*[、.．](?!\d)|[（(]\s*(\d{1,3})\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*"
)
# What a short name leaves out: the units a task begins by naming, quotation
# marks, and a leading "must" (see propose_short).
_GROUPS_AT_HEAD = re.compile(
    r"^(?:(?:各村[、（(]?社区[）)]?|各村|各社区|镇属各部门|镇直各部门|各部门|各单位|各地)(?:及|和|、)?)+"
)
_CLAUSE_END = re.compile(r"[，。；：,;:！!？?（(【\[]")
_MUST = re.compile(r"^(?:要|应|须|必须|均要)")
_SPLIT = re.compile(r"[、，,；;/\\\n\r]+")  # never a space: 安 监 站 is one name, never three
_VILLAGE_GROUPS = ("各村、社区", "各村（社区）", "各村(社区)", "村（社区）", "村(社区)", "各村社区", "各村和社区",
                   "各村及社区", "各村居", "各村（居）", "各村(居)", "各村、居")
_GROUP_KINDS = {
    **dict.fromkeys(_VILLAGE_GROUPS, ("village", "community")),
    "各村": ("village",), "各行政村": ("village",), "各社区": ("community",), "各居委会": ("community",),
}
_DEPARTMENT_GROUP = re.compile(
    r"^(?:镇属|镇直|区直|县直|市直|乡直|街道|镇|区|县|市)?各?(?:有关|相关|职能|成员|直属)?(?:部门|单位|站所|部门单位|部门（单位）)$"
)
_OTHER_KIND = ("协会", "学会", "商会", "公司", "银行", "邮政", "集团", "快递", "企业", "合作社")
_TOWN_SUFFIX = re.compile(r"(?:镇|乡|街道|街道办事处|区|县|市)$")


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: where it stands in the table (for a person checking the
    plan against it) and its cells by column key."""

    where: str
    cells: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)  # column key → the source cell (任务清单.csv!C7)


@dataclass(slots=True)
class UnitDraft:
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupDraft:
    name: str
    kinds: tuple[str, ...]  # empty: the members must be listed by a person
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TaskDraft:
    id: str
    short: str  # proposed by propose_short, 待核实 until a person confirms it
    category: str
    text: str
    deadline_text: str
    deadline: Deadline
    lead: str
    units: list[str]
    note: str
    where: str

    @property
    def pending(self) -> bool:
        return self.deadline.pending


@dataclass(slots=True)
class PlanDraft:
    town: str
    title: str
    campaign: tuple[dt.date, dt.date]
    campaign_note: str
    issued: dt.date
    units: list[UnitDraft]
    groups: list[GroupDraft]
    tasks: list[TaskDraft]
    office: str | None  # the unit leading most tasks: it receives the 旬报


# ---- the header ----------------------------------------------------------------------------


def _header_key(cell: str) -> str:
    text = "".join(cell.split())
    return re.sub(r"[（(][^）)]*[）)]$", "", text)


def header_columns(cells: list[str]) -> dict[str, int] | None:
    """The column of each known key in a header row, or None when the row is
    not a header (it must name the task column and one other)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = _header_key(cell)
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = i
                break
    return found if "text" in found and len(found) >= 2 else None


def find_header(rows: list[list[str]], scan: int = 12) -> tuple[int, dict[str, int]] | None:
    """The first header row among the first `scan` rows: (its index, columns)."""
    for index, cells in enumerate(rows[:scan]):
        columns = header_columns(cells)
        if columns:
            return index, columns
    return None


def table_rows(grid: list[list[str]], header: int, columns: dict[str, int], where, ref=None) -> list[Row]:
    """The rows below the header as Rows (blank rows and repeated headers left
    out); `where(i)` names row i of the grid for a person, `ref(i, column)` a cell."""
    rows = []
    for i in range(header + 1, len(grid)):
        cells = grid[i]
        if not any(c.strip() for c in cells) or header_columns(cells):
            continue
        refs = {k: ref(i, c) for k, c in columns.items()} if ref else {}
        rows.append(Row(where(i), {k: (cells[c] if c < len(cells) else "") for k, c in columns.items()}, refs))
    return rows


# ---- rows → tasks ----------------------------------------------------------------------


def _lines(text: str) -> str:
    """A cell's lines joined without spaces: a label broken over lines (禁毒宣传/基础保障)."""
    return "".join(line.strip() for line in (text or "").splitlines())


def strip_item_number(text: str) -> str:
    return _ITEM_NUMBER.sub("", text.strip(), count=1).strip()


def item_number(text: str) -> str | None:
    """The number a cell begins with (`9、`, `9.`, `（9）`), or None."""
    match = _ITEM_NUMBER.match(text.strip())
    return (match[1] or match[2]) if match and (match[1] or match[2]) else None


def propose_short(text: str) -> str:
    """A short name for a task, proposed from its text (README: 任务的简称):
    the first clause (up to the first punctuation mark), without the units it
    begins by naming (各村（社区）、镇属各部门…), quotation marks, or the words up
    to a 要 among its first 12 characters; its first SHORT_MAX characters."""
    body = _GROUPS_AT_HEAD.sub("", re.sub("[“”\"‘’']|[（(]社区[)）]", "", text.strip()))
    clause = _CLAUSE_END.split(body, 1)[0].strip()
    _, must, rest = clause[:12].partition("要")
    if must and rest + clause[12:]:
        clause = rest + clause[12:]
    clause = _MUST.sub("", clause) or clause
    return clause[:SHORT_MAX] or text.strip()[:SHORT_MAX]


def task_ids(numbers: list[list[str | None]], categories: list[str]) -> list[str]:
    """Each task's id as the table printed it. `numbers` holds, per source
    (the 序号 column, then the number the text begins with), each row's number.
    The first source that numbers every row 1 … n down the sheet gives `1` …
    `n`; one that numbers inside each category gives `<category>.<item>`;
    otherwise (no numbers, or out of order) the rows are counted that way."""
    order = {c: i for i, c in enumerate(dict.fromkeys(categories), start=1)}
    counted, items = [], Counter()
    for category in categories:
        items[category] += 1
        counted.append(f"{order[category]}.{items[category]}")
    for written in numbers:
        if written and all(n and re.fullmatch(r"[1-9]\d*\.[1-9]\d*", n) for n in written) \
                and len(set(written)) == len(written):
            return list(written)  # the table's own <category>.<item>
        if not written or any(n is None or not n.isdigit() for n in written):
            continue
        values = [int(n) for n in written]
        if values == list(range(1, len(values) + 1)):
            return [str(v) for v in values]
        if [int(i.split(".")[1]) for i in counted] == values:
            return counted
    return counted


def split_units(cell: str) -> list[str]:
    """Names in a 牵头/责任单位 cell, as written, in order; group names holding a
    separator (各村、社区) kept whole; invisible characters and surrounding
    spaces removed (book.clean_name), a space inside a name kept."""
    from lanxi_cli.core.book import INVISIBLE, clean_name

    text, names, i = INVISIBLE.sub("", cell or "").strip(), [], 0
    groups = sorted(_VILLAGE_GROUPS, key=len, reverse=True)
    while i < len(text):
        whole = next((g for g in groups if text.startswith(g, i)), None)
        if whole:
            names.append(whole)
            i += len(whole)
            continue
        match = _SPLIT.search(text, i)
        end = match.start() if match else len(text)
        if end > i:
            names.append(clean_name(text[i:end]))
        i = match.end() if match else len(text)
    return [n for n in names if n]


def group_kinds(name: str) -> tuple[str, ...] | None:
    """The unit kinds a group name stands for; () for a group whose members a
    person must list (各街道); None when the name is no group."""
    if name in _GROUP_KINDS:
        return _GROUP_KINDS[name]
    if _DEPARTMENT_GROUP.match(name):
        return ("department",)
    if name.startswith("各") and len(name) > 1:
        return ()
    return None


def unit_kind(name: str) -> str:
    """A kind guessed from a unit's name: …村, …社区, a company or association, else a department."""
    if name.endswith("村") and not name.endswith("农村"):
        return "village"
    if name.endswith(("社区", "居委会")):
        return "community"
    if any(word in name for word in _OTHER_KIND):
        return "other"
    return "department"


def _stems(town: str) -> tuple[str, ...]:
    """Prefixes by which a table may name one unit two ways: 兰溪派出所 = 派出所."""
    bare = _TOWN_SUFFIX.sub("", town)
    return tuple(s for s in dict.fromkeys((town, bare, "本镇", "镇", "区", "县", "乡")) if s)


def _units(names: list[str], town: str) -> list[UnitDraft]:
    """One unit per name; a name that is another with the town's name (or 镇)
    in front is the same unit: the longer name leads, the shorter is an alias."""
    stems = _stems(town)
    units: dict[str, UnitDraft] = {}
    canonical: dict[str, str] = {}
    for name in sorted(dict.fromkeys(names), key=len, reverse=True):
        base = next((name[len(s):] for s in stems if name.startswith(s) and len(name) > len(s) + 1), None)
        if name in canonical:
            continue
        units[name] = UnitDraft(name, unit_kind(name))
        canonical[name] = name
        if base and base not in canonical:
            canonical[base] = name
    for name in names:  # shorter names that another one covers
        if canonical.get(name, name) != name and name not in units[canonical[name]].aliases:
            units[canonical[name]].aliases.append(name)
    order = {name: i for i, name in enumerate(dict.fromkeys(canonical.get(n, n) for n in names))}
    return sorted(units.values(), key=lambda u: order[u.name])


@dataclass(slots=True)
class Options:
    town: str
    title: str | None = None
    year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    issued: dt.date | None = None
    today: dt.date = field(default_factory=dt.date.today)


def draft(rows: list[Row], options: Options, table_title: str = "") -> PlanDraft:
    """The plan a task table gives (see the module's docstring)."""
    filled = _continue_cells(rows)
    wordings = [cells["deadline"] for _, cells, _ in filled]
    year, start, end, campaign_note = _campaign(wordings, options)
    issued = options.issued or start
    ctx = deadline_text.Context(year, start, end, issued)

    named: list[str] = []
    groups: dict[str, GroupDraft] = {}
    leads: Counter = Counter()
    tasks: list[TaskDraft] = []
    refused: list[Problem] = []
    ids = task_ids([[cells["number"] for _, cells, _ in filled], [cells["item"] for _, cells, _ in filled]],
                   [cells["category"] for _, cells, _ in filled])
    for (row, cells, notes), task_id in zip(filled, ids, strict=True):
        category = cells["category"]
        units = split_units(cells["units"])
        lead_names = split_units(cells["lead"])
        helpers = split_units(cells["helpers"])
        refused += _name_faults(row, {"units": units, "lead": lead_names, "helpers": helpers})
        lead = next((n for n in lead_names if group_kinds(n) is None), None)
        if lead is None:
            lead = next((n for n in units if group_kinds(n) is None), None) or options.town
            notes.append(f"牵头单位栏{'只写了单位组' if lead_names else '未写单位'}，暂以“{lead}”为牵头单位，请核实。")
        elif len(lead_names) > 1:
            notes.append(f"牵头单位栏写有多个单位（{'、'.join(lead_names)}），以“{lead}”为牵头单位。")
        if helpers and "units" in row.cells:
            notes.append(f"配合单位：{'、'.join(helpers)}（未列为责任单位）。")
        elif helpers:
            units = helpers
        if not units:
            notes.append("责任单位栏空白，由牵头单位自行承担。")
        for name in (lead, *units):
            kinds = group_kinds(name)
            if kinds is None:
                named.append(name)
            else:
                _add_group(groups, name, kinds)
        leads[lead] += 1
        reading = read_deadline(cells["deadline"], cells["text"], ctx)
        if reading.note:
            notes.append(reading.note)
        tasks.append(TaskDraft(
            id=task_id, short=propose_short(cells["text"]), category=category, text=cells["text"],
            deadline_text=cells["deadline"], deadline=reading.deadline, lead=lead, units=units,
            note="".join(n for n in notes if n), where=row.where,
        ))
    if refused:
        raise DataError(f"任务清单有 {len(refused)} 个单位名称不能用，没有写入任何文件", refused)
    office = leads.most_common(1)[0][0] if leads else None
    from lanxi_cli.core.book import name_key

    spelled: dict[str, str] = {}  # 安 监 站 and 安监站 are one unit, named as first written
    units = _units([spelled.setdefault(name_key(name), name) for name in named], options.town)
    return PlanDraft(
        town=options.town,
        title=options.title or table_title or f"{options.town}工作任务清单",
        campaign=(start, end), campaign_note=campaign_note, issued=issued,
        units=units, groups=list(groups.values()), tasks=tasks, office=office,
    )


def _name_faults(row: Row, names: dict[str, list[str]]) -> list[Problem]:
    """A unit name the plan would refuse (one character, < > : " | ? *…), named by its source cell."""
    from lanxi_cli.core.book import name_fault

    found = []
    for key, written in names.items():
        for name in written:
            fault = name_fault(name) if group_kinds(name) is None else None
            if fault:
                found.append(Problem(row.refs.get(key, row.where), None, fault))
    return found


def _add_group(groups: dict[str, GroupDraft], name: str, kinds: tuple[str, ...]) -> None:
    """One group per set of kinds: other spellings of it become its aliases."""
    if kinds:
        same = next((g for g in groups.values() if g.kinds == kinds), None)
        if same is not None:
            if name != same.name and name not in same.aliases:
                same.aliases.append(name)
            return
    groups.setdefault(name, GroupDraft(name, kinds))


def _continue_cells(rows: list[Row]) -> list[tuple[Row, dict[str, str], list[str]]]:
    """Rows with a task, their blank 类别 and 时限 filled from above: (row,
    cells by key, notes). A row with no task text but one value is a heading:
    it names the category of the rows below it."""
    out, lost = [], []
    category, deadline = DEFAULT_CATEGORY, ""
    for row in rows:
        raw_text = row.cells.get("text", "")
        text = strip_item_number(raw_text)
        if not text:
            values = {v.strip() for v in row.cells.values() if v.strip()}
            if len(values) == 1:  # a heading row (一、组织领导), often merged across
                category, deadline = strip_item_number(_lines(values.pop())) or category, ""
            elif values:  # content but no task: never dropped without a word
                lost.append(Problem(row.refs.get("text", row.where), None,
                                    f"任务栏空白，但这一行写有内容（{'、'.join(sorted(values))[:60]}）；"
                                    "请填上任务，或删去这一行"))
            continue
        notes: list[str] = []
        written = strip_item_number(_lines(row.cells.get("category", "")))
        if written and written != category:
            category, deadline = written, ""
        wording = _lines(row.cells.get("deadline", ""))
        if wording:
            deadline = wording
        elif deadline:
            notes.append(f"完成时间栏空白，沿用上一行“{deadline}”。")
        number = unicodedata.normalize("NFKC", row.cells.get("number", "")).strip().rstrip("、.")
        out.append((row, {
            "number": number or None, "item": item_number(raw_text),
            "category": category, "text": text, "deadline": deadline,
            "lead": row.cells.get("lead", "").strip(), "units": row.cells.get("units", "").strip(),
            "helpers": row.cells.get("helpers", "").strip(),
        }, notes))
    if lost:
        raise DataError(f"任务清单有 {len(lost)} 行有内容但没有任务，没有写入任何文件", lost)
    return out


def _campaign(wordings: list[str], options: Options) -> tuple[int, dt.date, dt.date, str]:
    """The year dates without one fall in, and the campaign: as given, else the
    span of the months the deadlines name, else the whole year."""
    given = options.start or options.issued or options.end
    year = options.year or (given.year if given else None)
    if year is None:
        year = next((y for y in map(deadline_text.named_year, wordings) if y), None) or options.today.year
    days = sorted(d for w in wordings for d in deadline_text.named_dates(w, year))
    if days:
        span_start, span_end = days[0].replace(day=1), last_day(days[-1].year, days[-1].month)
        note = f"活动期默认取任务清单所列时限的范围（{span_start.isoformat()} 至 {span_end.isoformat()}），请核实。"
    else:
        span_start, span_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        note = f"任务清单未写具体日期，活动期暂定为{year}年全年，请核实。"
    start = options.start or min(span_start, options.issued or span_start)
    end = options.end or span_end
    if end < start:  # only a start was given, after every date named
        end = dt.date(start.year, 12, 31)
    if options.start and options.end:
        note = ""
    return year, start, end, note


def read_deadline(wording: str, text: str, ctx: deadline_text.Context) -> deadline_text.Reading:
    """The wording's reading; one that the campaign cannot hold is 待核实 too."""
    reading = deadline_text.read(wording, text, ctx)
    try:
        occurrences(reading.deadline, Span(ctx.start, ctx.end))
    except CalendarError as exc:
        return deadline_text.pending(ctx, f"按“{wording}”读出的截止日期无法排入活动期（{exc.message}）")
    return reading
