"""`lanxi init`: a new data repository from a plan draft (core.task_table).

The YAML is written as text a person edits next: comments say what each part
is and what to check. Before anything is written the files are read back by
the loader every command uses (into a scratch folder), so the new plan passes
`lanxi check` or nothing is written at all. Files are created exclusively.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from lanxi_cli.errors import DataError, UsageError
from lanxi_cli.io.locate import PLAN_FILE, REPORTS_DIR, TASKS_FILE

KIND_WORDS = {"village": "村", "community": "社区", "department": "部门", "other": "其他单位"}


def _flow(value) -> str:
    """One YAML value on one line (flow style), as the loader reads it back."""
    import yaml

    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1 << 20)
    return text.removesuffix("\n...\n").rstrip("\n")


def deadline_fields(rule) -> dict:
    from dataclasses import fields

    out = {}
    for f in fields(rule):
        value = getattr(rule, f.name)
        if value in (None, (), {}, False):
            continue
        if f.name == "points":
            value = [{"due": p.due, **({"count": p.count} if p.count is not None else {})} for p in value]
        out[f.name] = value
    return out


def tasks_text(draft, source: str) -> str:
    lines = [
        f"# {draft.title}：任务清单，由 lanxi init 从 {source} 生成。",
        "# category、text、deadline_text、lead、units 照录原表；deadline 是对完成时限的解读，",
        "# 标有 pending: true 的是“待核实”的解读（lanxi check --pending 列出），请核实后用 lanxi task deadline 改定。",
        "# 责任单位栏空白时 units 为 []，由牵头单位自行承担。",
        "# id 照原表的编号；short 是联络员看到的简称（至多 10 个字），由 lanxi init 按 README 的规则拟定，",
        "# 标有 short_pending: true 的尚待确认：用 lanxi task short 编号 简称 改定，或确认后删去 short_pending。",
    ]
    if not draft.tasks:
        lines += ["# 每项任务一段，例如：", *(f"# {line}" for line in _example_task()), "[]"]
        return "\n".join(lines) + "\n"
    for task in draft.tasks:
        lines += [
            "",
            f"# 原表：{task.where}",
            f"- id: {_flow(task.id)}",
            f"  short: {_flow(task.short)}",
            "  short_pending: true",
            f"  category: {_flow(task.category)}",
            f"  text: {_flow(task.text)}",
            f"  deadline_text: {_flow(task.deadline_text)}",
            f"  deadline: {_flow(deadline_fields(task.deadline))}",
            f"  lead: {_flow(task.lead)}",
            f"  units: {_flow(list(task.units))}",
        ]
        if task.note:
            lines.append(f"  note: {_flow(task.note)}")
    return "\n".join(lines) + "\n"


def _example_task() -> list[str]:
    return [
        "- id: '1'",
        "  short: 制定方案",
        "  category: 组织领导",
        "  text: 制定专项行动实施方案。",
        "  deadline_text: 9月3日前",
        "  deadline: {rule: once, due: 2020-09-03}",
        "  lead: 党政办",
        "  units: [各村（社区）]",
    ]


def plan_text(draft, source: str | None) -> str:
    start, end = draft.campaign
    made = f"由 lanxi init 从 {source} 生成" if source else "由 lanxi init 生成"
    lines = [
        f"# {draft.title}：计划，{made}。",
        "# 请对照通知原文核对、补全（名称须与任务清单 tasks.yaml 一致），再用 lanxi check 检查。",
        f"town: {_flow(draft.town)}",
        f"title: {_flow(draft.title)}",
        f"issued: {draft.issued.isoformat()}  # 通知印发日期：按月、按季度的任务自此日起算",
        "campaign:",
        f"  start: {start.isoformat()}",
        f"  end: {end.isoformat()}",
    ]
    if draft.campaign_note:
        lines.append(f"  note: {_flow(draft.campaign_note)}")
    lines += ["due_soon_days: 7", ""]
    lines += _progress_reports(draft)
    lines += ["", *_assessment(draft)]
    lines += ["", *_units(draft), ""]
    lines += _groups(draft)
    return "\n".join(lines) + "\n"


def _progress_reports(draft) -> list[str]:
    owed = [g.name for g in draft.groups] or [u.name for u in draft.units if u.name != draft.office]
    start = max(draft.issued, draft.campaign[0])
    lines = [
        "# 旬报：每月10日、20日、30日前报告一次进展（30日在较短的月份取该月最后一天），",
        "# 自 start 起实行（取通知印发之日，不早于活动开始）；请按通知核实。",
        "progress_reports:",
        "  days: [10, 20, 30]",
        f"  start: {start.isoformat()}",
        f"  owed_by: {_flow(owed)}",
    ]
    if draft.office:
        lines += [f"  exempt: {_flow([draft.office])}", f"  to: {_flow(draft.office)}",
                  f"  note: {_flow(f'接收单位取牵头任务最多的单位（{draft.office}），它不向自己报告；请核实。')}"]
    return lines


def _assessment(draft) -> list[str]:
    """lanxi's default rules written out, each saying in `basis` that it is not
    the notice's: a town sees what its scores rest on and can change it."""
    own = "本项目规则：lanxi 的默认规则，通知未规定；请按通知核实或改写。"
    return [
        "# 考核评估：计分、亮灯和督办的规则。下面是 lanxi 的默认规则，basis 说明出处；",
        "# 通知规定了考核单位（assessor）或督办措施（escalation，由轻到重，如 [提醒, 约谈, 通报]）时请补上，",
        "# 并在 escalate.overdue_share 中为每项措施给一个门槛：已到期计分事项中已逾期的比例（由轻到重递增）。",
        "assessment:",
        "  escalation: []",
        f"  scoring: {_flow({'late': 0.6, 'punctual': 0.3, 'basis': own})}",
        f"  lights: {_flow({'red_above': 0.2, 'basis': own})}",
        "  escalate: " + _flow({"overdue_share": [0.2, 0.4, 0.6, 0.8], "bottom": 0, "kinds": ["village", "community"],
                                "basis": own}),
    ]


def _units(draft) -> list[str]:
    example = [
        "#   - {name: 示例村, kind: village}",
        "#   - {name: 示例社区, kind: community}",
        "#   - {name: 党政办, kind: department, aliases: [党政综合办]}",
        "#   - {name: 邮政, kind: other}",
    ]
    if not draft.units:
        return ["# 单位名册：kind 为 village（村）、community（社区）、department（部门）或 other（其他单位）。",
                "# 请在此列出本地的村（社区）、部门和其他单位，例如：", *example, "units: []"]
    lines = [
        "# 单位名册：取自任务清单的牵头单位和责任单位。kind 按名称推断（…村 village、…社区 community、",
        "# 协会、公司、邮政等 other，其余 department），请核对；同一单位的其他写法列为 aliases。",
    ]
    if any(g.kinds and set(g.kinds) & {"village", "community"} for g in draft.groups):
        lines.append("# 任务清单按单位组（各村、社区）派发任务：请在下面补上本地的每个村和社区，例如：")
        lines += example[:2]
    lines.append("units:")
    for unit in draft.units:
        entry = {"name": unit.name, "kind": unit.kind, **({"aliases": unit.aliases} if unit.aliases else {})}
        lines.append(f"  - {_flow(entry)}")
    return lines


def _groups(draft) -> list[str]:
    if not draft.groups:
        return ["# 单位组：任务清单里代表多个单位的名称，如“各村（社区）”，例如：",
                "#   - {name: 各村（社区）, kinds: [village, community]}", "groups: []"]
    lines = ["# 单位组：任务清单里代表多个单位的名称。kinds 按类型包括全部单位；members 逐个列出。"]
    if any(not g.kinds for g in draft.groups):
        lines.append("# members 为空的组（如各街道）暂不包括任何单位：请列出其成员，否则这些任务没有责任单位。")
    lines.append("groups:")
    for group in draft.groups:
        entry = {"name": group.name, **({"aliases": group.aliases} if group.aliases else {})}
        entry.update({"kinds": list(group.kinds)} if group.kinds else {"members": []})
        lines.append(f"  - {_flow(entry)}")
    return lines


# ---- writing the repository -----------------------------------------------------------------


def refuse_existing(data_dir: Path) -> None:
    for name in (PLAN_FILE, TASKS_FILE):
        if (data_dir / name).exists() or (data_dir / name).is_symlink():
            raise UsageError(f"{data_dir / name} 已存在：lanxi init 不会覆盖已有的计划；请换一个目录")


def validate(plan: str, tasks: str, shown: str):
    """Read the texts back as every command does: the Book, or a DataError
    naming each problem in the file as it would have been (`shown`/plan.yaml)."""
    from dataclasses import replace

    from lanxi_cli.io import load

    with tempfile.TemporaryDirectory(prefix="lanxi-init-") as scratch:
        folder = Path(scratch)
        (folder / PLAN_FILE).write_text(plan, encoding="utf-8")
        (folder / TASKS_FILE).write_text(tasks, encoding="utf-8")
        try:
            return load.load_book(folder)
        except DataError as exc:
            problems = [replace(p, file=f"{shown}/{Path(p.file).name}") for p in exc.problems]
            raise DataError("生成的计划未能通过检查，没有写入任何文件", problems) from None


def create(root: Path, plan: str, tasks: str, message: str) -> tuple[Path, str | None]:
    """Write ROOT/data/{plan,tasks}.yaml and reports/, then git init (unless ROOT
    is already a repository's top) and commit the two files. Returns the data
    folder and, where the commit failed, why (the files stay)."""
    from lanxi_cli.errors import os_reason
    from lanxi_cli.io import gitio, save

    data_dir = root / "data"
    refuse_existing(data_dir)
    if root.is_dir():
        gitio.refuse_unfinished(root)  # as every writer: not in the middle of a merge, rebase…
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法建立目录 {data_dir}（{os_reason(exc)}）") from None
    try:
        save.write_new(data_dir / PLAN_FILE, plan)
        save.write_new(data_dir / TASKS_FILE, tasks)
        (data_dir / REPORTS_DIR).mkdir(exist_ok=True)
    except FileExistsError:
        raise UsageError(f"{data_dir} 中的计划文件刚刚被另一进程创建；没有覆盖") from None
    except OSError as exc:
        raise DataError(f"无法写入 {data_dir}（{os_reason(exc)}）") from None
    try:
        top = gitio.work_tree(root)
        if top is None or top.resolve() != root.resolve():
            result = gitio._git(["init", "--quiet", "--", str(root.resolve())], root)
            if result.returncode != 0:
                raise gitio.GitError(f"git init 失败：{result.stderr.strip()}")
        gitio.commit_files([data_dir / PLAN_FILE, data_dir / TASKS_FILE], message)  # unstaged if it fails
    except gitio.GitError as exc:
        return data_dir, str(exc)
    return data_dir, None


# ---- a town's repository from the county's plan (init --from-county) ------------------------------

# The county's own keys, which the town's documents must not carry: its issuing office, 机关代字,
# addressees and the source of its unit roll. The town fills in its own (README).
COUNTY_ONLY = ("issuer", "doc_code", "addressees", "units_source")


def from_county(county_data: Path, shown: str, town: str, units: list[tuple[str, str]]) -> tuple[str, str]:
    """plan.yaml and tasks.yaml of a town that follows the county's plan in
    `county_data`: tasks.yaml as the county wrote it (tasks, deadlines, rules,
    ids: the county matches tasks by id), plan.yaml the county's with the
    town's name, without the county's own keys, with `units` (name, kind;
    none the county's plan has) added to the units the tasks name."""
    from lanxi_cli.io import yamledit, yamlio
    from lanxi_cli.io.load import MAX_PLAN_BYTES

    plan = yamlio.read_text(county_data / PLAN_FILE, MAX_PLAN_BYTES, f"{shown}/{PLAN_FILE}", county_data)
    tasks = yamlio.read_text(county_data / TASKS_FILE, MAX_PLAN_BYTES, f"{shown}/{TASKS_FILE}", county_data)
    document = yamledit.Document(plan)
    document.set_key(document.root, "town", town)
    for key in COUNTY_ONLY:
        if document.top(key) is not None:
            document.drop_key(document.root, key)
    for name, kind in units:
        document.append(document.top("units"), {"name": name, "kind": kind}, document.root, "units")
    head = (f"# 由 lanxi init 从县方案 {shown} 生成：任务、时限、规则和编号照录县方案（tasks.yaml 原样复制，\n"
            "# 县里按编号汇总各镇）。请补上本镇的村（社区）和部门（lanxi unit add，或 init 时 --units 名册），\n"
            "# 并填写本镇的发文机关（issuer）、机关代字（doc_code）和主送（addressees）。\n")
    return head + document.text, tasks
