"""The plan, its tasks and the reports, as plain frozen dataclasses.

These classes are the file schema too: `store` validates YAML into them with
pydantic (`__pydantic_config__` forbids unknown fields), but this module never
imports pydantic, so the engine and a warm start stay light.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Literal

# Every number in a file is a number (never true/false, never text) and at most
# this large: a count, a day, a year or a weight, never a 4,301-digit integer.
MAX_NUMBER = 10**9

if TYPE_CHECKING:  # at run time, put here by schema_names() when pydantic first needs them
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
    from pydantic import Strict

    Text = Annotated[str, MinLen(1)]
    Digest = str
    Int = Annotated[int, Strict(), Ge(-MAX_NUMBER), Le(MAX_NUMBER)]
    Real = Annotated[float, Strict(), Ge(-MAX_NUMBER), Le(MAX_NUMBER)]
    Flag = Annotated[bool, Strict()]
    Digits = Annotated[int, Strict(), Ge(0), Lt(10**15)]
    TextOrNone = Text | None


# Text that would drive a terminal or reorder what it shows: C0 controls but
# newline and tab, DEL, C1, and the bidi embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069). Refused in records (save and load alike),
# shown escaped wherever text reaches a terminal.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SHORT_MAX = 10  # a task's short name, in characters: it stands beside the id in an SMS
FORBID = {"extra": "forbid", "allow_inf_nan": False}  # no unknown fields; no .nan or .inf
UnitKind = Literal["village", "community", "department", "other"]
Status = Literal["done", "progress", "blocked"]
PROGRESS_REPORT = "旬报"  # where a 旬报 alone (a report without a task) shows a task's id: file name, commit, tables


class State(StrEnum):
    """An obligation's state, as the contract names it; `order` runs worst first,
    so a task or a unit takes the state of its worst obligation. An exempt
    obligation (不适用) is the mildest: it counts nowhere."""

    overdue = "overdue"
    due_soon = "due_soon"
    open = "open"
    late = "late"
    done = "done"
    exempt = "exempt"

    @property
    def order(self) -> int:
        return _STATE_ORDER[self]


_STATE_ORDER = {state: i for i, state in enumerate(State)}
COMPLETED = frozenset({State.done, State.late})
# How units are grouped for display and ranking: villages and communities together.
UNIT_GROUPS = (
    ("villages", "村（社区）", frozenset({"village", "community"})),
    ("departments", "镇属部门", frozenset({"department"})),
    ("others", "其他单位", frozenset({"other"})),
)
GROUP_OF_KIND = {kind: i for i, (_, _, kinds) in enumerate(UNIT_GROUPS) for kind in kinds}


# ---- plan.yaml -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Liaison:
    __pydantic_config__ = FORBID
    name: str = ""
    phone: str = ""
    leader: str = ""  # the unit's 分管领导: the 台账's 责任领导


@dataclass(frozen=True, slots=True)
class Unit:
    __pydantic_config__ = FORBID
    name: Text
    kind: UnitKind
    aliases: tuple[Text, ...] = ()
    liaison: Liaison = field(default_factory=Liaison)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """A name in the plan that stands for several units: by kind, or listed."""

    __pydantic_config__ = FORBID
    name: Text
    aliases: tuple[Text, ...] = ()
    kinds: tuple[UnitKind, ...] = ()
    members: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    __pydantic_config__ = FORBID
    start: dt.date
    end: dt.date
    text: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Phase:
    __pydantic_config__ = FORBID
    name: Text
    start: dt.date
    end: dt.date
    text: str = ""


@dataclass(frozen=True, slots=True)
class Measure:
    """A goal measure. `kind` says what its values are (our reading, see
    Goals.note): `rate` a share from 0 to 1 (entered 0.93 or 93%), `count` a
    whole number of people or cases, `growth` a change that may be negative
    (-0.05, or -5%) but not below -100%. Without a kind, any finite number."""

    __pydantic_config__ = FORBID
    name: Text
    direction: Literal["rise", "fall"]
    baseline: Real | None = None
    unit: str = ""
    kind: Literal["rate", "count", "growth"] | None = None


@dataclass(frozen=True, slots=True)
class Goals:
    __pydantic_config__ = FORBID
    text: str = ""
    measures: tuple[Measure, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    __pydantic_config__ = FORBID
    name: Text
    title: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Office:
    __pydantic_config__ = FORBID
    unit: Text
    name: str = ""
    director: Person | None = None


@dataclass(frozen=True, slots=True)
class Organisation:
    __pydantic_config__ = FORBID
    text: str = ""
    lead_unit: str = ""
    leader: Person | None = None
    deputies: str = ""
    office: Office | None = None
    task_forces: tuple[Text, ...] = ()
    village_offices: str = ""


@dataclass(frozen=True, slots=True)
class Scoring:
    """The assessment score, on 100 points, over the scored obligations due by
    the as-of day (see lanxi_cli.core.assess for the formula).

    An obligation completed on time earns 1, a late one `late`; `punctual`
    weighs the share of those due that are not overdue. `book` checks
    punctual <= late and punctual < 1 - late.
    """

    __pydantic_config__ = FORBID
    late: Annotated[Real, Gt(0), Lt(1)] = 0.6
    punctual: Annotated[Real, Ge(0), Lt(0.5)] = 0.3
    text: str = ""
    basis: str = ""  # where the rule comes from: the plan's text, or the project's own reading


@dataclass(frozen=True, slots=True)
class Lights:
    """红黄绿 by the share of a unit's scored obligations due that are overdue:
    green with none, yellow up to `red_above`, red above it."""

    __pydantic_config__ = FORBID
    red_above: Annotated[Real, Gt(0), Lt(1)] = 0.2
    yellow: Int | None = None  # obsolete: counts of overdue items; `check` names the replacement
    red: Int | None = None  # obsolete, as `yellow`
    text: str = ""
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Escalate:
    """When a unit is proposed for a measure of `Assessment.escalation`: one
    threshold per measure, mildest first, rising, each a share of the unit's
    scored obligations due that are overdue."""

    __pydantic_config__ = FORBID
    overdue_share: tuple[Annotated[Real, Gt(0), Le(1)], ...] = (0.2, 0.4, 0.6, 0.8)
    overdue: tuple[Int, ...] | None = None  # obsolete: counts of overdue items; `check` names the replacement
    bottom: Annotated[Int, Ge(0)] = 0  # the last N of a ranking group get at least the mildest measure
    kinds: tuple[UnitKind, ...] = ("village", "community")  # who measures are proposed for
    text: str = ""
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    __pydantic_config__ = FORBID
    text: str = ""
    assessor: str = ""
    escalation: tuple[Text, ...] = ()  # mildest first
    escalation_note: str = ""
    scoring: Scoring = field(default_factory=Scoring)
    lights: Lights = field(default_factory=Lights)
    escalate: Escalate = field(default_factory=Escalate)


@dataclass(frozen=True, slots=True)
class Requirement:
    __pydantic_config__ = FORBID
    title: Text
    text: str = ""


@dataclass(frozen=True, slots=True)
class ProgressReports:
    """旬报: who reports to whom on which days of the month. The rule begins on
    `start` (default: the campaign's start); no window ends after the campaign."""

    __pydantic_config__ = FORBID
    days: Annotated[tuple[Annotated[Int, Ge(1), Le(31)], ...], MinLen(1)] = (10, 20, 30)
    start: dt.date | None = None
    owed_by: tuple[Text, ...] = ()
    exempt: tuple[Text, ...] = ()
    to: str = ""
    text: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class LiaisonRule:
    __pydantic_config__ = FORBID
    text: str = ""
    required_for: tuple[Text, ...] = ()
    file_with: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    __pydantic_config__ = FORBID
    title: Text
    base_year: Int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Issuer:
    __pydantic_config__ = FORBID
    title: Text
    issuer: str = ""


EVIDENCE_TYPES = ("jpg", "jpeg", "png", "heic", "pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "et", "mp4")


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """佐证材料: which files a report may carry (by extension, lower case) and how
    large each may be; how long before its report a photo may have been taken."""

    __pydantic_config__ = FORBID
    max_mb: Annotated[Real, Gt(0), Le(2048)] = 20
    types: Annotated[tuple[Text, ...], MinLen(1)] = EVIDENCE_TYPES
    photo_days: Annotated[Int, Ge(0), Le(3660)] = 30  # a photo taken longer before its report is warned
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptRule:
    """签收: the days a unit has, after the notice's date (`Plan.issued`), to
    acknowledge receiving it (`lanxi ack`)."""

    __pydantic_config__ = FORBID
    days: Annotated[Int, Ge(0), Le(366)] = 2
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    __pydantic_config__ = FORBID
    town: Text
    title: Text
    campaign: Span
    units: tuple[Unit, ...]
    groups: tuple[Group, ...] = ()
    county: str = ""
    city: str = ""
    issuer: str = ""
    doc_code: str = ""  # 机关代字 of the issuing office (兰禁毒办): the 文号 兰禁毒办〔2020〕5号
    notice_title: str = ""
    notice_number: str = ""  # the notice's 文号 as printed (兰政发〔2020〕12号); blank where it bears none
    issued: dt.date | None = None
    addressees: str = ""
    implements: Issuer | None = None
    timezone: str = "Asia/Shanghai"  # where times are shown to people (the 台账's 记录时间)
    reply_days: Annotated[Int, Ge(1), Le(60)] = 3  # a 督办通知单's 回复时限, days after it is issued
    due_soon_days: Annotated[Int, Ge(0), Le(366)] = 7
    goals: Goals = field(default_factory=Goals)
    organisation: Organisation = field(default_factory=Organisation)
    phases: tuple[Phase, ...] = ()
    assessment: Assessment = field(default_factory=Assessment)
    requirements: tuple[Requirement, ...] = ()
    progress_reports: ProgressReports = field(default_factory=ProgressReports)
    liaison: LiaisonRule = field(default_factory=LiaisonRule)
    units_source: Source | None = None
    evidence: EvidenceRule = field(default_factory=EvidenceRule)
    receipt: ReceiptRule = field(default_factory=ReceiptRule)


# ---- tasks.yaml ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestone:
    __pydantic_config__ = FORBID
    due: dt.date
    count: Annotated[Int, Gt(0)] | None = None  # cumulative from the campaign's start


@dataclass(frozen=True, slots=True)
class Deadline:
    """A structured reading of a 完成时间 cell. `rule` says which fields apply:

    once: due · window: start, end (due at end) · monthly: day (clamped to the
    month's last day), first, last as YYYY-MM · quarterly: first, last as YYYY-Qn,
    due on the quarter's last day · milestones: points. `dues` moves the due
    day of named periods (e.g. {"2020-Q4": 2020-12-20}).
    """

    __pydantic_config__ = FORBID
    rule: Literal["once", "window", "monthly", "quarterly", "milestones"]
    due: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    day: Annotated[Int, Ge(1), Le(31)] | None = None
    first: str | None = None
    last: str | None = None
    dues: dict[str, dt.date] = field(default_factory=dict)
    points: tuple[Milestone, ...] = ()
    pending: Flag = False  # 待核实: a reading made by `lanxi init`, to be confirmed by a person


@dataclass(frozen=True, slots=True)
class TargetPart:
    """One named part of a target, counted on its own (report add --part NAME):
    a count (7.1: 中央省级 1 article) or a rate (2.3: 知晓率 100%)."""

    __pydantic_config__ = FORBID
    name: Text
    what: Text
    count: Annotated[Int, Gt(0)] | None = None
    rate: Annotated[Real, Gt(0), Le(1)] | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A quantity (count per occurrence) or a rate; for `units`, or for all.
    A quantity target needs a quantity: a bare `done` completes nothing there,
    except where the target is a count of 1 (see `needs_quantity`)."""

    __pydantic_config__ = FORBID
    what: str = ""
    units: tuple[Text, ...] = ()
    count: Annotated[Int, Gt(0)] | None = None
    rate: Annotated[Real, Gt(0), Le(1)] | None = None
    parts: tuple[TargetPart, ...] = ()

    @property
    def needs_quantity(self) -> bool:
        """A count or rate decides here: a `done` must say how many (a count of 1 excepted)."""
        return bool(self.parts) or self.rate is not None or (self.count or 0) > 1

    def words(self) -> str:
        """`每期至少 4 条`-like: what the target asks, for a refusal naming it."""
        if self.parts:
            return "，".join(f"{p.name} {_amount(p.count, p.rate)}" for p in self.parts)
        return f"{self.what or '数量'} {_amount(self.count, self.rate)}"


def _amount(count, rate) -> str:
    return f"至少 {count}" if count is not None else f"达到 {rate:.0%}"


@dataclass(frozen=True, slots=True)
class Task:
    __pydantic_config__ = FORBID
    id: Annotated[str, MinLen(1)]
    category: Text
    text: Text
    deadline_text: str  # verbatim; blank where the table's cell is
    deadline: Deadline
    lead: Text
    units: tuple[Text, ...] = ()
    targets: tuple[Target, ...] = ()
    scored: Flag = True  # false: shown with its states, but counts toward no score or measure
    # "lead": the lead does the task to each responsible unit (10.2: 禁毒办 inspects each
    # village), so the lead owes one obligation per such unit (its subject), which does not act
    actor: Literal["lead"] | None = None
    sensitive: Flag = False  # its records concern people (6.2): reports carry no evidence files
    note: str = ""
    short: Annotated[str, MaxLen(SHORT_MAX)] = ""  # the name a liaison reads beside the id
    short_pending: Flag = False  # 待核实: proposed by `lanxi init`, to be confirmed by a person


def task_label(task: Task) -> str:
    """A task as a liaison reads it (SMS, forms, 督办单, dashboard, 通报): its id
    and short name, `1.1 制定方案`; the id alone where tasks.yaml gives none."""
    return f"{task.id} {task.short}" if task.short else task.id


# ---- records: files lanxi writes, one each, never edited ------------------------


def id_of(text: str) -> str:
    """The record id a user or a file names: an id as it is, or a path (any
    folder, either slash) reduced to its file name without .yaml/.yml."""
    name = text.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if name.endswith((".yaml", ".yml")) else name


def stored_fields(cls) -> tuple[str, ...]:
    """The fields a record's file holds, in the dataclass's order: all but
    `file`, which the loader sets and which every record class has last."""
    names = tuple(cls.__dataclass_fields__)
    if names[-1] != "file":
        raise TypeError(f"{cls.__name__}: `file` must be the last field")
    return names[:-1]


class Layout:
    """A record as plain values (for the caches): its stored fields in order,
    dates as ordinals, `file` apart. A file with problems is kept as None in
    every field: `key` is the position of the first field that is required
    and never None (a report's `unit`: its `task` may be None), so a record
    never has None there."""

    __slots__ = ("cls", "fields", "dates", "values", "nested", "key")

    def __init__(self, cls):
        from dataclasses import MISSING

        self.cls = cls
        types = cls.__dataclass_fields__
        self.fields = stored_fields(cls) if "file" in types else tuple(types)  # a nested record has no file
        self.dates = tuple(i for i, name in enumerate(self.fields) if types[name].type in ("dt.date", dt.date))
        # fields holding records of their own (a notice's items): position → their Layout
        self.nested = {i: Layout(globals()[m[1]]) for i, name in enumerate(self.fields)
                       if (m := re.fullmatch(r"tuple\[(\w+), \.\.\.\]", str(types[name].type)))
                       and hasattr(globals().get(m[1]), "__dataclass_fields__")}
        self.values = attrgetter(*self.fields)
        self.key = next((i for i, name in enumerate(self.fields)
                         if types[name].default is MISSING and types[name].default_factory is MISSING
                         and "None" not in str(types[name].type)), None)
        if self.key is None:
            raise TypeError(f"{cls.__name__}: one field must be required, never None")

    def row(self, record, intern: bool = False) -> tuple:
        """The record's stored fields, a date as its ordinal; with `intern`,
        short text interned (marshal then writes each once in one dump)."""
        row = list(self.values(record))
        if intern:
            row = [sys.intern(v) if type(v) is str and len(v) < 64 else v for v in row]
        for i in self.dates:
            row[i] = row[i].toordinal()
        for i, inner in self.nested.items():
            row[i] = tuple(inner.row(item) for item in row[i])
        return tuple(row)

    def record(self, row, file: str, days: dict | None = None):
        """The record a row holds; `days` shares one date object per day among many."""
        row = list(row)
        for i in self.dates:
            day = row[i]
            date = days.get(day) if days is not None else None
            if date is None:
                date = dt.date.fromordinal(day)
                if days is not None:
                    days[day] = date
            row[i] = date
        for i, inner in self.nested.items():
            row[i] = tuple(inner.record(item, None) for item in row[i])
        return self.cls(*row, file=file) if file is not None else self.cls(*row)


class Record:
    """What every record shares: it is known by its id, its file name without
    .yaml, unique in the data folder; `file` (set by the loader) is its path
    relative to the data folder's parent."""

    __slots__ = ()

    @property
    def id(self) -> str:
        return id_of(self.file)


# ---- data/reports/ -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    """One evidence file (佐证材料) of a report, stored once by its content as
    data/evidence/<sha256>.<ext>; `name` is the name it was sent under, `taken`
    a photo's EXIF capture time (YYYY-MM-DDTHH:MM:SS), else None."""

    __pydantic_config__ = FORBID
    sha256: Digest
    name: Text
    bytes: Digits  # a file of up to 2 GB (max_mb), beyond MAX_NUMBER
    taken: str | None = None

    @property
    def stored(self) -> str:
        """Its file name under data/evidence/: the digest, then the extension it was sent with."""
        return evidence_name(self.sha256, self.name)


DIGEST = re.compile("[0-9a-f]{64}")
_EXTENSION = re.compile("[0-9a-z]{1,10}")


def extension(name: str) -> str:
    """A file name's extension, lower case, or "" where it has none a folder could hold safely."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if _EXTENSION.fullmatch(ext) else ""


def evidence_name(sha256: str, name: str) -> str:
    """<sha256>.<ext> (lower case), so a link to it opens with the right program."""
    ext = extension(name)
    return f"{sha256}.{ext}" if ext else sha256


@dataclass(frozen=True, slots=True)
class Report(Record):
    __pydantic_config__ = FORBID
    task: TextOrNone  # None: a 旬报 alone (report add without --task), toward no obligation; a file may leave it out
    unit: Text
    date: dt.date
    status: Status = "progress"
    count: Annotated[Int, Ge(0)] | None = None
    rate: Annotated[Real, Ge(0), Le(1)] | None = None
    period: str | None = None
    part: str | None = None  # the part of a parted target its count goes to (7.1: 中央省级)
    note: str = ""
    by: str = ""
    evidence: tuple[str, ...] = ()  # links (URLs) and free text, as typed
    evidence_files: tuple[Attachment, ...] = ()  # 佐证材料 stored under data/evidence/
    recorded: str = ""  # when the tool wrote the file (ISO timestamp)
    supersedes: str = ""  # `report amend`: the id of the report this one corrects
    reason: str = ""  # ... and why
    form: str = ""  # the 填报表 row it was imported from: "<form id>#<row number>"
    collected: str = ""  # the online form's submission it was imported from (core/collect.py: row_key)
    evidence_links: tuple[str, ...] = ()  # links the online form gave for uploads (they expire: not 佐证材料)
    file: str = ""  # set by the loader, never read from the file


# ---- data/liaisons.yaml: liaisons recorded by `lanxi unit liaison` ---------------


@dataclass(frozen=True, slots=True)
class LiaisonEntry:
    """One recorded liaison; the last entry for a unit overrides plan.yaml's."""

    __pydantic_config__ = FORBID
    unit: Text
    name: Text
    phone: str | Digits = ""  # a mobile number typed by hand without quotes reads as a number
    recorded: str = ""


@dataclass(frozen=True, slots=True)
class LiaisonRecord(Record):
    """A liaison recorded by `lanxi unit liaison`, one file each under
    data/liaisons/ (so two offices recording at once never conflict on sync);
    for a unit the newest by `recorded` counts (ties by id)."""

    __pydantic_config__ = FORBID
    unit: Text
    name: Text
    date: dt.date  # the day it was recorded
    phone: str | Digits = ""
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


# ---- supervision: data/reviews/, data/extensions/, data/indicators/ ------------

Decision = Literal["approved", "rejected"]


@dataclass(frozen=True, slots=True)
class Review(Record):
    """A lead's decision on a filed request: a completion claim (a report), an
    extension request or an exemption request. `subject` is that record's id,
    e.g. 2020-09-20-苏家湖村-5.1-3fa2c1 (a path to it is read as its file name)."""

    __pydantic_config__ = FORBID
    subject: Text
    decision: Decision
    by: Text
    date: dt.date
    note: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class Extension(Record):
    """A unit's request (延期申请) to move one obligation's due date to `until`."""

    __pydantic_config__ = FORBID
    task: Text
    unit: Text
    until: dt.date
    reason: Text
    date: dt.date  # the day it was asked
    period: str | None = None  # the occurrence's label; None for a one-off task
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class Exemption(Record):
    """A unit's request (不适用) that an obligation not apply to it: one occurrence
    (`period`), or every occurrence of the task where `period` is None."""

    __pydantic_config__ = FORBID
    task: Text
    unit: Text
    reason: Text
    date: dt.date  # the day it was asked
    period: str | None = None
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class IndicatorValue(Record):
    """One measured value of a goal (工作目标) measure, as of `date`."""

    __pydantic_config__ = FORBID
    measure: Text
    value: Real
    date: dt.date
    by: Text
    note: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class MeasureTaken(Record):
    """A 督办 measure actually taken on a unit (提醒, 约谈, 述职, 通报: plan.yaml
    `assessment.escalation`), counting from its date: `assess` proposes at most
    one step above the last one recorded."""

    __pydantic_config__ = FORBID
    unit: Text
    kind: Text
    date: dt.date
    note: str = ""
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class Withdrawal(Record):
    """撤回: the record `subject` (an id) counts nowhere, on any as-of day.
    Nothing is deleted: the withdrawn file stays, and so does this one."""

    __pydantic_config__ = FORBID
    subject: Text
    reason: Text
    date: dt.date  # the day it was withdrawn
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class EvidenceRemoval(Record):
    """`evidence remove`: the file data/evidence/<sha256>.* was deleted (it showed
    people, or was sent by mistake); its digest stays on record. Reports that
    named it keep naming it: `check` knows it is gone on purpose."""

    __pydantic_config__ = FORBID
    sha256: Digest
    reason: Text
    date: dt.date  # the day it was removed
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


@dataclass(frozen=True, slots=True)
class Acknowledgement(Record):
    """签收: `unit` received the notice (the plan), or with `of` a 督办通知单
    (the id of its record under data/notices/), on `date`."""

    __pydantic_config__ = FORBID
    unit: Text
    date: dt.date
    of: str = ""  # a notice's id; empty: the campaign's notice itself
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


# ---- data/notices/ -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeItem:
    """One item a 督办通知单 names: an obligation overdue or due soon when it was issued."""

    __pydantic_config__ = FORBID
    task: Text
    due: dt.date
    state: Literal["overdue", "due_soon"]
    period: str | None = None
    subject: str | None = None  # the inspected unit, where the task's actor is the lead


@dataclass(frozen=True, slots=True)
class Notice(Record):
    """督办通知单: a unit was sent a notice naming `items`, to be answered by `reply_by`.
    Its id stands on the document as 编号, so an acknowledgement can name it."""

    __pydantic_config__ = FORBID
    unit: Text
    date: dt.date  # the day it was issued
    reply_by: dt.date
    light: Literal["green", "yellow", "red"] | None = None  # None: a unit that is not assessed
    items: tuple[NoticeItem, ...] = ()
    by: str = ""
    recorded: str = ""
    file: str = ""  # set by the loader, never read from the file


def schema_names() -> None:
    """Make this module's annotations resolvable: the field constraints (Ge, MinLen,
    Text …) come from annotated_types, which only pydantic needs. The annotations
    are strings (from __future__), evaluated in this namespace when pydantic builds
    a validator, so load.py calls this first and a run that validates nothing never
    imports annotated_types. A new constraint name goes both here and above."""
    if "Text" in globals():
        return
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen, Predicate
    from pydantic import Field, Strict

    number = (Strict(), Ge(-MAX_NUMBER), Le(MAX_NUMBER))
    text = Annotated[str, MinLen(1)]
    globals().update(Ge=Ge, Gt=Gt, Le=Le, Lt=Lt, MaxLen=MaxLen, MinLen=MinLen, Text=text,
                     TextOrNone=Annotated[text | None, Field(default=None)],  # positional in code, optional in a file
                     Digest=Annotated[str, Predicate(is_digest)],
                     Int=Annotated[(int, *number)], Real=Annotated[(float, *number)], Flag=Annotated[bool, Strict()],
                     Digits=Annotated[int, Strict(), Ge(0), Lt(10**15)])


def is_digest(text: str) -> bool:
    """A SHA-256 digest as lanxi writes it: 64 lower-case hex digits (and so never a path)."""
    return DIGEST.fullmatch(text) is not None


def record_order(record) -> tuple:
    """Records in the order they happened: by date, then when written, then by file."""
    return (record.date, record.recorded, record.file)


def first_named(record) -> str:
    """Where two files carry one id (a copy, a bad merge), the one an id names:
    the first by path, on every path (files, cache, index), warm as cold."""
    return record.file


def by_id(records) -> dict:
    """Records by id, where two carry one id the first_named."""
    out: dict = {}
    for record in records:
        known = out.get(record.id)
        if known is None or first_named(record) < first_named(known):
            out[record.id] = record
    return out


def id_order(task_id: str) -> tuple:
    """Task ids in plan order, numerically: 2.1 before 10.1 (a malformed id sorts last)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in task_id.split("."))
