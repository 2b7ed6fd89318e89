"""Setting a town up without editing YAML: `unit add|rename|remove`, `task
deadline|short`. Each changes the one entry it names (io.plan_edit), is checked
as `lanxi check` checks, and is committed in one commit with a Chinese subject."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanxi_cli.cli.common import DataOpt, commit_or_warn, complete_task, complete_unit
from lanxi_cli.errors import UsageError

KINDS = {"村": "village", "社区": "community", "部门": "department", "其他": "other"}
KIND_HELP = "单位的类型"


def kind_code(text: str) -> str:
    """A unit kind typed as its Chinese word or its code."""
    word = text.strip()
    code = KINDS.get(word) or (word.lower() if word.lower() in KINDS.values() else None)
    if code is None:
        raise UsageError(f"单位类型“{text}”无效，应为 村、社区、部门 或 其他")
    return code


def _data(data: Path | None) -> Path:
    from lanxi_cli.io import locate

    return locate.find_data_dir(data)


def _book(data_dir: Path):
    from lanxi_cli.io import load

    return load.load_book(data_dir)


def _apply(data_dir: Path, key: str, edit, message: str, done: str) -> None:
    from lanxi_cli.io import plan_edit

    book, path = plan_edit.change(data_dir, key, edit)
    if book is None:
        typer.echo("没有变化：文件未改动。")
        return
    commit_or_warn(data_dir, [path], message, "修改")
    typer.echo(done)


def _unit_item(book, name: str) -> tuple[int, str]:
    """The index in plan.yaml's units of the unit `name` names exactly (its name
    or an alias), and its canonical name; else "did you mean"."""
    canonical = book.canonical(name)
    if canonical is None:
        book.resolve_unit(name)  # refuses with the closest names (a part of a name is not enough here)
        raise UsageError(f"未知单位“{name}”：请写出单位的全名或别名；用 lanxi units 查看全部单位")
    index = next(i for i, unit in enumerate(book.plan.units) if unit.name == canonical)
    return index, canonical


def unit_add(
    name: Annotated[str, typer.Argument(metavar="名称", help="单位的正式名称，如 某某村")],
    kind: Annotated[str, typer.Option("--kind", metavar="<村|社区|部门|其他>", help=KIND_HELP)],
    alias: Annotated[list[str] | None, typer.Option("--alias", metavar="别名", help="别名，可写多次")] = None,
    data: DataOpt = None,
) -> None:
    """在 plan.yaml 的单位名册中添加一个单位，检查后提交到 git。"""
    from lanxi_cli.render.words import KIND_NAMES

    data_dir = _data(data)
    name, aliases = name.strip(), [a.strip() for a in alias or ()]
    entry = {"name": name, "kind": kind_code(kind), **({"aliases": aliases} if aliases else {})}

    def edit(document):
        document.append(document.top("units"), entry, document.root, "units")

    _apply(data_dir, "plan", edit, f"单位：添加{name}", f"已添加单位“{name}”（{KIND_NAMES[entry['kind']]}）。")


def unit_rename(
    old: Annotated[str, typer.Argument(metavar="原名", shell_complete=complete_unit, help="单位现在的名称或别名")],
    new: Annotated[str, typer.Argument(metavar="新名", help="新的正式名称；原名留作别名")],
    data: DataOpt = None,
) -> None:
    """给单位改名：新名成为正式名称，原名留作别名，已有的报告不改动。"""
    from dataclasses import asdict

    data_dir = _data(data)
    book = _book(data_dir)
    new = new.strip()
    index, canonical = _unit_item(book, old)
    unit = book.plan.units[index]
    aliases = [a for a in (*unit.aliases, canonical) if a != new]

    def edit(document):
        import yaml

        node = document.top("units").value[index]
        entry = yaml.safe_load(document.text[node.start_mark.index:node.end_mark.index]) if node.flow_style else None
        entry = entry or {k: v for k, v in asdict(unit).items() if v not in (None, (), "", [])}
        entry.update(name=new, aliases=aliases)
        document.replace(node, entry)

    _apply(data_dir, "plan", edit, f"单位：{canonical}改名为{new}", f"已把“{canonical}”改名为“{new}”，原名留作别名。")


def unit_remove(
    name: Annotated[str, typer.Argument(metavar="名称", shell_complete=complete_unit, help="单位名称或别名")],
    data: DataOpt = None,
) -> None:
    """从单位名册中删去一个单位；已有报告等记录写到它时不能删除。"""
    import datetime as dt

    from lanxi_cli.store import snapshot

    data_dir = _data(data)
    book = _book(data_dir)
    index, canonical = _unit_item(book, name)
    snap = snapshot.load(data_dir, dt.date.today(), cached=False)
    named = [r for kind in snapshot.KINDS for r in snap.records(kind) if getattr(r, "unit", None) == canonical]
    if named:
        raise UsageError(f"不能删除“{canonical}”：有 {len(named)} 份记录写到它（如 {named[0].file}）；"
                         f"单位改名请用 lanxi unit rename")

    def edit(document):
        document.remove(document.top("units"), index)

    _apply(data_dir, "plan", edit, f"单位：删除{canonical}", f"已删除单位“{canonical}”。")


# ---- tasks --------------------------------------------------------------------------------

TaskArg = Annotated[str, typer.Argument(metavar="任务", autocompletion=complete_task, help="任务编号")]


def _task_item(document, task_id: str):
    return next(n for n in document.root.value if document.pair(n, "id")[1].value == task_id)


def task_deadline(
    task: TaskArg,
    wording: Annotated[str, typer.Argument(
        metavar="时限", help="完成时限的中文写法，如 每季度末、6月30日前（可用的写法见使用说明）")],
    data: DataOpt = None,
) -> None:
    """按中文写法改定一项任务的截止规则（与 lanxi init 的读法相同），并去掉“待核实”。"""
    import re

    from lanxi_cli.core import deadline_text, task_table
    from lanxi_cli.io.scaffold import deadline_fields

    data_dir = _data(data)
    book = _book(data_dir)
    the_task = book.resolve_task(task)
    plan = book.plan
    ctx = deadline_text.Context(plan.campaign.start.year, plan.campaign.start, plan.campaign.end,
                                plan.issued or plan.campaign.start)
    reading = task_table.read_deadline(wording, the_task.text, ctx)
    if reading.deadline.pending:
        reason = reading.note.removeprefix(f"{deadline_text.PENDING}：").split("；")[0]
        why = "" if reason.startswith("无法自动识别") else f"（{reason}）"
        raise UsageError(f"读不出完成时限“{wording.strip()}”{why}；可用的写法见 README 的“完成时限的写法”")
    rule = deadline_fields(reading.deadline)
    kept = re.sub(rf"{deadline_text.PENDING}：.*?(?:{re.escape(deadline_text.CONFIRM)}|删去 pending。)", "",
                  the_task.note)
    note = kept + f"完成时限按“{wording.strip()}”读（lanxi task deadline）。" + (reading.note or "")

    def edit(document):
        document.set_key(_task_item(document, the_task.id), "deadline", rule)
        document.set_key(_task_item(document, the_task.id), "note", note)

    _apply(data_dir, "tasks", edit, f"任务{the_task.id}：完成时限改为“{wording.strip()}”",
           f"任务 {the_task.id} 的完成时限已改为“{wording.strip()}”：{describe(reading.deadline)}。")


def describe(rule) -> str:
    """A reading said back in plain words, so the person sees what was understood."""
    if rule.rule == "once":
        return f"一次，{rule.due.isoformat()} 前"
    if rule.rule == "window":
        return f"{rule.start.isoformat()} 至 {rule.end.isoformat()}"
    if rule.rule == "monthly":
        return f"每月 {rule.day} 日前，{rule.first} 至 {rule.last}"
    if rule.rule == "quarterly":
        return f"每季度末，{rule.first} 至 {rule.last}"
    return "分次：" + "、".join(p.due.isoformat() for p in rule.points)


def task_short(
    task: TaskArg,
    short: Annotated[str, typer.Argument(metavar="简称", help="联络员看到的任务名，至多 10 个字，如 制定方案")],
    data: DataOpt = None,
) -> None:
    """改定一项任务的简称（短信、填报表、通报中写在编号旁），并去掉“待核实”。"""
    data_dir = _data(data)
    the_task = _book(data_dir).resolve_task(task)
    short = short.strip()

    def edit(document):
        document.set_key(_task_item(document, the_task.id), "short", short, after="id")
        document.drop_key(_task_item(document, the_task.id), "short_pending")

    _apply(data_dir, "tasks", edit, f"任务{the_task.id}：简称改为“{short}”",
           f"任务 {the_task.id} 的简称已改为“{short}”。")
