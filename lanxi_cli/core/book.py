"""The plan and its tasks, cross-checked and indexed: units, groups, occurrences.

`Book.build` reports every broken reference (as a path into plan.yaml or
tasks.yaml, so the loader can name the line); the engine then trusts the book.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace

from lanxi_cli.core.calendar import (
    CalendarError,
    Occurrence,
    find_period,
    latest_window,
    occurrences,
    period_of,
    window_holding,
)
from lanxi_cli.core.domain import CONTROL, Plan, Target, Task, Unit, id_order
from lanxi_cli.errors import UsageError

# A task id as the table printed it: `<category>.<item>` (1.1 … 10.2), or the
# item's number down the whole sheet (1 … n).
_TASK_ID = re.compile(r"^[1-9]\d*(?:\.[1-9]\d*)?$")


# Characters that show nothing: zero-width spaces and joiners, direction marks,
# word joiners, the byte-order mark, the soft hyphen. Removed from names
# wherever they are read (a table's cell, an option, a form): two names that
# print alike are one name.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
WINDOWS_RESERVED = '<>:"|?*'  # never in a Windows file name


def clean_name(text: str) -> str:
    """A name as read from a table, an option or a form: invisible characters
    removed, surrounding spaces (full-width too) stripped; inner spaces kept."""
    return INVISIBLE.sub("", text).strip()


def visible(name: str) -> str:
    """A name with its invisible characters shown as <U+200B>, for a message."""
    return INVISIBLE.sub(lambda m: f"<U+{ord(m[0]):04X}>", name)


def name_key(text: str) -> str:
    """Compare names as a user types them: full-width forms folded, no spaces, nothing invisible."""
    return "".join(unicodedata.normalize("NFKC", INVISIBLE.sub("", text)).split())


def name_fault(name: str) -> str | None:
    """Why a name cannot become part of a file name (units and their aliases,
    measures: record files are named after them), or None. A `/`, `\\` or
    `..` could lead out of the data folder, a leading dot hides the file,
    Windows refuses `< > : " | ? *`; a character that shows nothing makes a
    look-alike, and a one-character name is no name (安 of 安 监 站)."""
    hidden = INVISIBLE.search(name)
    if hidden:
        return f"名称“{visible(name)}”含有看不见的字符 U+{ord(hidden[0]):04X}；请删去"
    if name != name.strip():
        return f"名称“{name}”前后有空格；请删去"
    if len(name) < 2:
        return f"名称“{name}”只有一个字，不像是单位或指标的名称"
    reserved = [c for c in WINDOWS_RESERVED if c in name]
    if reserved:
        return f"名称“{name}”不能含有 {' '.join(reserved)}（它会成为文件名的一部分，Windows 不允许）"
    if "/" in name or "\\" in name:
        return f"名称“{name}”不能含有 / 或 \\（它会成为文件名的一部分）"
    if ".." in name:
        return f"名称“{name}”不能含有 ..（它会成为文件名的一部分）"
    if name.startswith("."):
        return f"名称“{name}”不能以 . 开头（它会成为文件名的一部分）"
    bad = CONTROL.search(name)
    if bad:
        return f"名称含有控制字符 U+{ord(bad[0]):04X}（它会成为文件名的一部分）"
    return None


@dataclass(frozen=True, slots=True)
class Fault:
    """A broken reference: which file ("plan" or "tasks"), where, what."""

    file: str
    path: tuple
    message: str


@dataclass(slots=True)
class Book:
    plan: Plan
    tasks: tuple[Task, ...]
    units: dict[str, Unit] = field(default_factory=dict)  # canonical name → unit, plan order
    task_by_id: dict[str, Task] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)  # folded name or alias → canonical
    _groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded → members
    _order: dict[str, int] = field(default_factory=dict)
    _occurrences: dict[str, tuple[Occurrence, ...]] = field(default_factory=dict)
    _task_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _position: dict[str, int] = field(default_factory=dict)  # task id → its place in tasks.yaml

    # ---- building --------------------------------------------------------

    @classmethod
    def build(cls, plan: Plan, tasks: tuple[Task, ...] | list[Task]) -> tuple[Book, list[Fault]]:
        book = cls(plan, tuple(sorted(tasks, key=lambda t: id_order(t.id))))
        faults: list[Fault] = []
        book._index_units(faults)
        book._check_plan(faults)
        book._index_tasks(tasks, faults)
        return book, faults

    def _index_units(self, faults: list[Fault]) -> None:
        for i, unit in enumerate(self.plan.units):
            for j, name in enumerate((unit.name, *unit.aliases)):
                key = name_key(name)
                where = ("units", i, "name") if j == 0 else ("units", i, "aliases", j - 1)
                unsafe = name_fault(name)
                if unsafe:
                    faults.append(Fault("plan", where, unsafe))
                if key in self._names:
                    other = self._names[key]
                    alike = name_key(other) == key and INVISIBLE.search(name + other)
                    said = (f"单位名称“{visible(name)}”与“{visible(other)}”只差看不见的字符，是同一个名称" if alike
                            else f"单位名称“{name}”重复")
                    faults.append(Fault("plan", where, said))
                    continue
                self._names[key] = unit.name
            self.units.setdefault(unit.name, unit)
            self._order.setdefault(unit.name, i)
        for i, group in enumerate(self.plan.groups):
            members = [u.name for u in self.plan.units if u.kind in group.kinds]
            for j, member in enumerate(group.members):
                name = self._names.get(name_key(member))
                if name is None:
                    faults.append(Fault("plan", ("groups", i, "members", j), f"未知单位“{member}”"))
                elif name not in members:
                    members.append(name)
            for j, name in enumerate((group.name, *group.aliases)):
                key = name_key(name)
                if key in self._names or key in self._groups:
                    where = ("groups", i, "name") if j == 0 else ("groups", i, "aliases", j - 1)
                    faults.append(Fault("plan", where, f"名称“{name}”重复"))
                    continue
                self._groups[key] = tuple(sorted(members, key=self._order.__getitem__))

    def _check_plan(self, faults: list[Fault]) -> None:
        plan = self.plan
        if plan.campaign.start > plan.campaign.end:
            faults.append(Fault("plan", ("campaign", "end"), "活动结束日期早于开始日期"))
        for i, phase in enumerate(plan.phases):
            if phase.start > phase.end:
                faults.append(Fault("plan", ("phases", i, "end"), "阶段结束日期早于开始日期"))
        refs = [
            (("progress_reports", "owed_by"), plan.progress_reports.owed_by, True),
            (("progress_reports", "exempt"), plan.progress_reports.exempt, True),
            (("liaison", "required_for"), plan.liaison.required_for, True),
            (("progress_reports", "to"), (plan.progress_reports.to,), False),
            (("assessment", "assessor"), (plan.assessment.assessor,), False),
            (("organisation", "lead_unit"), (plan.organisation.lead_unit,), False),
        ]
        if plan.organisation.office:
            refs.append((("organisation", "office", "unit"), (plan.organisation.office.unit,), False))
        for path, names, groups_ok in refs:
            for j, name in enumerate(names):
                if name and not self._known(name, groups_ok):
                    faults.append(Fault("plan", (*path, j) if groups_ok else path, f"未知单位“{name}”"))
        for i, measure in enumerate(plan.goals.measures):
            unsafe = name_fault(measure.name)
            if unsafe:
                faults.append(Fault("plan", ("goals", "measures", i, "name"), unsafe))
        faults.extend(_assessment_faults(plan.assessment))
        if not known_timezone(plan.timezone):
            faults.append(Fault("plan", ("timezone",), f"未知时区“{plan.timezone}”（如 Asia/Shanghai）"))

    def _index_tasks(self, tasks, faults: list[Fault]) -> None:
        categories: dict[str, str] = {}
        for i, task in enumerate(tasks):
            if not _TASK_ID.match(task.id):
                message = f"任务编号“{task.id}”应为 类别序号.事项序号（如 1.1）或序号（如 9）"
                faults.append(Fault("tasks", (i, "id"), message))
                continue
            if task.id in self.task_by_id:
                faults.append(Fault("tasks", (i, "id"), f"任务编号“{task.id}”重复"))
                continue
            self.task_by_id[task.id] = task
            self._position[task.id] = i
            number = task.id.split(".")[0]
            if "." in task.id and categories.setdefault(number, task.category) != task.category:
                faults.append(Fault(
                    "tasks", (i, "category"),
                    f"第{number}类已名为“{categories[number]}”，与“{task.category}”不一致",
                ))
            if task.short != task.short.strip() or any(c in task.short for c in "\n\r\t"):
                faults.append(Fault("tasks", (i, "short"), f"简称“{task.short}”不能含有换行或首尾空格"))
            if name_key(task.lead) not in self._names:
                faults.append(Fault("tasks", (i, "lead"), f"未知牵头单位“{task.lead}”"))
            for j, name in enumerate(task.units):
                if not self._known(name, True):
                    faults.append(Fault("tasks", (i, "units", j), f"未知单位或单位组“{name}”"))
            for j, target in enumerate(task.targets):
                for k, name in enumerate(target.units):
                    if not self._known(name, True):
                        faults.append(Fault("tasks", (i, "targets", j, "units", k), f"未知单位或单位组“{name}”"))
                counted = [p.count for p in target.parts if p.count is not None]
                if counted and target.count != sum(counted):
                    faults.append(Fault("tasks", (i, "targets", j, "count"), "count 应等于各 parts 之和"))
                for k, part in enumerate(target.parts):
                    if (part.count is None) == (part.rate is None):
                        faults.append(Fault("tasks", (i, "targets", j, "parts", k),
                                            f"分项“{part.name}”应有 count 或 rate 之一"))
                names = [p.name for p in target.parts]
                for k, name in enumerate(names):
                    if name in names[:k]:
                        faults.append(Fault("tasks", (i, "targets", j, "parts", k, "name"), f"分项名称“{name}”重复"))
            if task.actor == "lead" and not task.units:
                faults.append(Fault("tasks", (i, "actor"),
                                    "actor: lead 表示由牵头单位对各责任单位开展，须写明责任单位"))
            try:
                self._occurrences[task.id] = occurrences(task.deadline, self.plan.campaign)
            except CalendarError as exc:
                path = (i, "deadline", *exc.field.split("."))
                faults.append(Fault("tasks", path, f"无法排定截止日期：{exc.message}"))
        self.tasks = tuple(t for t in self.tasks if t.id in self._occurrences)

    def _known(self, name: str, groups_ok: bool) -> bool:
        key = name_key(name)
        return key in self._names or (groups_ok and key in self._groups)

    # ---- queries ---------------------------------------------------------

    def canonical(self, name: str) -> str | None:
        return self._names.get(name_key(name))

    def expand(self, names) -> tuple[str, ...]:
        """Names as written (units, aliases, groups) → canonical units, plan order."""
        out: set[str] = set()
        for name in names:
            key = name_key(name)
            out.update(self._groups.get(key) or ((self._names[key],) if key in self._names else ()))
        return tuple(sorted(out, key=self._order.__getitem__))

    def group(self, name: str) -> tuple[str, ...]:
        return self._groups.get(name_key(name), ())

    def lead(self, task: Task) -> str:
        return self._names[name_key(task.lead)]

    def occurrences(self, task: Task) -> tuple[Occurrence, ...]:
        return self._occurrences[task.id]

    def occurrence_for(self, task: Task, period: str | None = None, day: dt.date | None = None) -> Occurrence | None:
        """The occurrence a record counts toward, the one rule for every kind of
        record: the one `period` names (None if it names none); else the one
        `day` falls in (before the first: the first; after the last, or after
        the campaign: the last); else, with neither, the task's only one (None
        when it has several)."""
        occs = self._occurrences[task.id]
        if period is not None:
            index = find_period(occs, period)
            return None if index is None else occs[index]
        if day is not None:
            return occs[period_of(occs, day)]
        return occs[0] if len(occs) == 1 else None

    def scored(self, task: Task, occ: Occurrence) -> bool:
        """Does this occurrence count toward scores and measures? Not where tasks.yaml
        marks the task unscored, nor where it fell due before the notice was issued."""
        issued = self.plan.issued
        return task.scored and (issued is None or occ.due >= issued)

    def task_units(self, task: Task) -> tuple[str, ...]:
        """Every unit that records on the task name (each keys its obligations):
        the responsible units (the lead where none are written) and any unit a
        target names. Where the lead acts, these are its subjects (see owners)."""
        units = self._task_units.get(task.id)
        if units is None:
            named = [*(task.units or (task.lead,)), *(n for t in task.targets for n in t.units)]
            units = self._task_units[task.id] = self.expand(named)
        return units

    def owners(self, task: Task) -> tuple[str, ...]:
        """The units that must act on the task: its lead where the lead acts
        (tasks.yaml `actor: lead`), else the units holding its obligations."""
        return (self.lead(task),) if task.actor == "lead" else self.task_units(task)

    def subjects(self, task: Task) -> tuple[str, ...]:
        """The units the lead acts on (10.2: the villages inspected), or () where the units act."""
        return self.task_units(task) if task.actor == "lead" else ()

    def owner(self, task: Task, unit: str) -> tuple[str, str | None]:
        """(owner, subject) of the obligations records name `unit` under: the
        lead and `unit` where the lead acts, else `unit` and None."""
        return (self.lead(task), unit) if task.actor == "lead" else (unit, None)

    def target(self, task: Task, unit: str) -> Target | None:
        """The target that applies to `unit`: one naming it, else one naming no units."""
        fallback = None
        for target in task.targets:
            if not target.units:
                fallback = fallback or target
            elif unit in self.expand(target.units):
                return target
        return fallback

    def empty_groups(self) -> list[Fault]:
        """Each place a task is given to a group that has no members (各村（社区）
        in a town whose villages are not listed yet): the task has no one to do it.
        Not a fault of the files (every command still runs); `check` fails on it."""
        first: dict[str, tuple] = {}  # each empty group → where a task first names it
        given: dict[str, list[str]] = {}  # → the tasks given to it
        for task in self.tasks:
            for j, name in enumerate(task.units):
                if name_key(name) in self._groups and not self._groups[name_key(name)]:
                    first.setdefault(name, (self._position[task.id], "units", j))
                    given.setdefault(name, []).append(task.id)
        return [Fault("tasks", first[name], f"单位组“{name}”还没有成员，{len(ids)} 项任务（{id_ranges(ids)}）无人承担："
                      f"{self.how_to_fill(name)}") for name, ids in given.items()]

    def how_to_fill(self, name: str) -> str:
        """The command that gives an empty group members: one per kind it takes."""
        kinds = next((g.kinds for g in self.plan.groups if name_key(name) in map(name_key, (g.name, *g.aliases))), ())
        words = {"village": "村", "community": "社区", "department": "部门", "other": "其他"}
        if not kinds:
            return "请在 plan.yaml 的 groups 中列出它的成员（members），并提交"
        return f"用 lanxi unit add 名称 --kind {' 或 --kind '.join(words[k] for k in kinds)} 添加它的成员"

    def unit_order(self, name: str) -> int:
        return self._order[name]

    def owes_progress_reports(self) -> tuple[str, ...]:
        rule = self.plan.progress_reports
        exempt = set(self.expand(rule.exempt))
        return tuple(u for u in self.expand(rule.owed_by) if u not in exempt)

    def progress_season(self) -> tuple[tuple[int, ...], dt.date, dt.date]:
        """旬报: the reporting days, and the season they run in: from the day the
        rule begins (plan.yaml progress_reports.start, else the campaign's start)
        to the campaign's last day."""
        rule, campaign = self.plan.progress_reports, self.plan.campaign
        return rule.days, rule.start or campaign.start, campaign.end

    def progress_window(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The 旬报 window that holds `day`, None outside every one of the season."""
        return window_holding(day, *self.progress_season())

    # ---- resolving what the user typed ------------------------------------

    def resolve_unit(self, text: str) -> str:
        """A canonical name, alias, or part of a name matching one unit."""
        key = name_key(text)
        if not key:
            raise UsageError("单位名称不能为空")
        if key in self._names:
            return self._names[key]
        found = sorted(
            {canon for name, canon in self._names.items() if key in name},
            key=self._order.__getitem__,
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(f"单位“{text}”不明确，可能是：{'、'.join(found)}")
        from lanxi_cli.core.typed import closest

        near = closest(text, self._names)
        near = list(dict.fromkeys(self._names[name_key(n)] for n in near))
        offer = f"，是不是要找 {'、'.join(near)}？" if near else "；"
        raise UsageError(f"未知单位“{text}”{offer}用 lanxi units 查看全部单位")

    def resolve_task(self, text: str) -> Task:
        """A task by its id (`9`, `1.1`, full-width or with 。) or its short name."""
        key = name_key(text).replace("。", ".")
        task = self.task_by_id.get(key) or self._by_short().get(key)
        if task is None:
            from lanxi_cli.core.domain import task_label
            from lanxi_cli.core.typed import closest

            labels = {t.id: task_label(t) for t in self.tasks}
            shorts = {t.short: t.id for t in self.tasks if t.short}
            near = [*(i for i in self.tasks_near(key)), *(shorts[n] for n in closest(key, shorts))]
            near = list(dict.fromkeys(near))[:3]
            offer = f"是不是要找 {'、'.join(labels[i] for i in near)}？" if near else ""
            raise UsageError(f"未知任务“{text}”；{offer}本方案的任务编号为 {id_ranges(list(labels))}"
                             "（lanxi tasks 列出全部任务）")
        return task

    def _by_short(self) -> dict[str, Task]:
        """Tasks by their short name, where no two tasks share it."""
        seen: dict[str, list[Task]] = {}
        for task in self.tasks:
            if task.short:
                seen.setdefault(name_key(task.short), []).append(task)
        return {name: tasks[0] for name, tasks in seen.items() if len(tasks) == 1}

    def tasks_near(self, key: str) -> list[str]:
        """Ids close to a mistyped one: 9 → 9.1 … in a plan numbered by
        category; 32 → 3.2; 1.10 → 10.1's neighbours by characters."""
        from lanxi_cli.core.typed import closest

        ids = [t.id for t in self.tasks]
        inside = [i for i in ids if i.split(".")[0] == key and "." in i]
        undotted = [i for i in ids if i.replace(".", "") == key.replace(".", "")]
        return [*undotted, *inside, *closest(key, ids, limit=2)] if key else []


def id_ranges(ids: list[str]) -> str:
    """Task ids in runs, as a person reads a list: `1–12`, `1.1–1.4、2.1–2.3、10.1–10.2`."""
    runs: list[list[str]] = []
    for task_id in ids:
        head, _, item = task_id.rpartition(".")
        if runs:
            last_head, _, last_item = runs[-1][-1].rpartition(".")
            if last_head == head and item.isdigit() and last_item.isdigit() and int(item) == int(last_item) + 1:
                runs[-1].append(task_id)
                continue
        runs.append([task_id])
    return "、".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def _assessment_faults(rules) -> list[Fault]:
    """Cross-field rules of plan.yaml `assessment` that a field type cannot say."""
    faults = []
    scoring, escalate = rules.scoring, rules.escalate
    if scoring.punctual > scoring.late or scoring.punctual >= 1 - scoring.late:
        faults.append(Fault("plan", ("assessment", "scoring", "punctual"),
                            "punctual 不得大于 late，且须小于 1 − late"))
    shares = escalate.overdue_share
    if any(a >= b for a, b in zip(shares, shares[1:], strict=False)):
        faults.append(Fault("plan", ("assessment", "escalate", "overdue_share"), "门槛应由轻到重逐项递增"))
    return faults


# Keys plan.yaml no longer reads, with what replaced them (`check` names them; queries ignore them).
OBSOLETE = {
    ("assessment", "escalate", "overdue"): "已不再使用（原为已逾期项数门槛）；请改用 overdue_share："
                                           "已到期计分事项中已逾期的比例，每项措施一个，如 [0.2, 0.4, 0.6, 0.8]",
    ("assessment", "lights", "yellow"): "已不再使用（原为已逾期项数）；请改用 red_above：已到期计分事项中"
                                        "已逾期的比例超过此值亮红灯，不超过亮黄灯，无逾期亮绿灯，如 0.2",
    ("assessment", "lights", "red"): "已不再使用（原为已逾期项数）；请改用 red_above，如 0.2",
}


def obsolete_keys(plan) -> list[Fault]:
    """The keys of OBSOLETE that plan.yaml still sets."""
    rules = plan.assessment
    found = {("assessment", "escalate", "overdue"): rules.escalate.overdue,
             ("assessment", "lights", "yellow"): rules.lights.yellow,
             ("assessment", "lights", "red"): rules.lights.red}
    return [Fault("plan", path, OBSOLETE[path]) for path, value in found.items() if value is not None]


def period_choices(book: Book, task: Task, option: str = "period") -> str:
    """The periods a user may name for `task`, as the tail of a refusal."""
    labels = [o.label for o in book.occurrences(task) if o.label]
    return f"；可选：{'、'.join(labels)}" if labels else f"；该任务只有一个周期，不需要 {option}"


def lead_acts(book: Book, task: Task) -> str:
    """Why a record on a task the lead does must name the unit it was done to."""
    subjects = book.task_units(task)
    return (f"任务 {task.id} 由{book.lead(task)}对各单位开展，单位应写被督导的单位"
            f"（{'、'.join(task.units)}：{'、'.join(subjects)}）")


def task_and_unit(book: Book, record) -> tuple[Task | None, str | None, list[tuple[str, str]]]:
    """A record's task and canonical unit, with a fault for each that is unknown."""
    task = book.task_by_id.get(record.task)
    unit = book.canonical(record.unit)
    faults = [("task", f"未知任务编号“{record.task}”")] if task is None else []
    if unit is None:
        faults.append(("unit", f"未知单位“{record.unit}”"))
    return task, unit, faults


def report_faults(book: Book, report, options: bool = False) -> tuple[object, list[tuple[str, str]]]:
    """Check a report's references, for `report add` and the loader alike:
    (report with canonical unit and period label, [(field, message)]).
    `options`: name the fields as report add's options (--period, --part)."""
    dash = "--" if options else ""
    if report.task is None:
        return progress_report_faults(book, report, dash)
    task, unit, faults = task_and_unit(book, report)
    if task is None or unit is None:
        return report, faults
    if task.actor == "lead" and unit not in book.task_units(task):
        faults.append(("unit", lead_acts(book, task)))
    elif unit != book.lead(task) and unit not in book.task_units(task):
        faults.append(("unit", f"{unit} 既不牵头也不负责任务 {task.id}"))
    start = book.plan.campaign.start
    if report.date < start:
        faults.append(("date", f"报告日期 {report.date} 早于活动开始日期 {start}"))
    period = report.period
    if period is not None:
        occ = book.occurrence_for(task, period)
        if occ is None:
            faults.append(("period", f"任务 {task.id} 没有周期“{period}”{period_choices(book, task, dash + 'period')}"))
        elif occ.start > report.date:
            faults.append(("period", f"周期“{occ.label}”自 {occ.start} 开始，报告日期 {report.date} 时尚未开始；"
                                     "只能为已开始的周期报告"))
        else:
            period = occ.label
    if report.part is not None:
        target = book.target(task, unit)
        names = [p.name for p in target.parts] if target else []
        if report.part not in names:
            choices = f"；可选：{'、'.join(names)}" if names else f"；该目标不分项，不需要 {dash}part"
            faults.append(("part", f"任务 {task.id} 中 {unit} 的目标没有分项“{report.part}”{choices}"))
    if (unit, period) != (report.unit, report.period):
        report = replace(report, unit=unit, period=period)
    return report, faults


def progress_report_faults(book: Book, report, dash: str = "") -> tuple[object, list[tuple[str, str]]]:
    """A 旬报 alone (no task): from a unit that owes 旬报, dated inside a
    旬报 window (Book.progress_window), saying something (note) and nothing an obligation's
    report says (status, count, rate, period, part). It may carry evidence
    (the 旬报 itself is often a document)."""
    faults: list[tuple[str, str]] = []
    unit = book.canonical(report.unit)
    rule = book.plan.progress_reports
    if unit is None:
        faults.append(("unit", f"未知单位“{report.unit}”"))
    elif unit not in book.owes_progress_reports():
        receiver = book.canonical(rule.to) if rule.to else None
        why = "是旬报的接收方" if unit == receiver else "不在旬报报送单位之列"
        faults.append(("unit", f"{unit}{why}（plan.yaml progress_reports），无需报送旬报"))
    extra = progress_report_extras(report, dash, status_given=report.status != "progress")
    if extra:
        faults.append(("task", extra))
    if not report.note.strip():
        faults.append(("note", f"旬报应写明本旬进展（{dash}note），如“本旬无新进展”"))
    if book.progress_window(report.date) is None:
        days, start, end = book.progress_season()
        last = latest_window(end, days, start, end)
        season = f"{start} 至 {last[1]}" if last else f"自 {start} 起"
        faults.append(("date", f"旬报日期 {report.date} 不在任何旬报期内（{season}）"))
    if unit is not None and unit != report.unit:
        report = replace(report, unit=unit)
    return report, faults


def progress_report_extras(report, dash: str = "", status_given: bool = False) -> str | None:
    """What a 旬报 alone says that only a task's report may (status, count,
    rate, period, part), as a refusal; None where it says none of them."""
    said = (("status", status_given), ("count", report.count is not None), ("rate", report.rate is not None),
            ("period", report.period is not None), ("part", report.part is not None))
    given = [f"{dash}{name}" for name, found in said if found]
    if not given:
        return None
    return (f"旬报（没有 {dash}task）不属于任何任务，不能写 {'、'.join(given)}；"
            f"报告任务进展请用 {dash}task 指明任务")


def known_timezone(name: str) -> bool:
    """Whether `name` is a time zone this machine knows (Asia/Shanghai)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True
