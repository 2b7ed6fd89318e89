"""What `form import` and `remind` print: plain lines meant to be read and copied
(a reminder is pasted into an SMS or WeChat as it stands), JSON and CSV."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lanxi_cli.render.tables import STATUS_NAMES, print_csv, print_json


def _relative(data_dir: Path, path: Path) -> str:
    """A written file as JSON names it: relative to the data folder's parent."""
    return Path(os.path.relpath(path.resolve(), data_dir.resolve().parent)).as_posix()


def show_imports(data_dir: Path, results, dry_run: bool, fmt: str) -> None:
    """results: [(file as named, forms.Outcome, [paths written])]."""
    from lanxi_cli.io.locate import display_path

    if fmt == "json":
        return print_json([
            {
                "file": shown,
                "form": outcome.form_id or None,
                "unit": outcome.unit or None,
                "reports": [_relative(data_dir, p) for p in written],
                "skipped": outcome.empty + outcome.already,
                "empty": outcome.empty,
                "already": outcome.already,
                "new": 0 if outcome.errors else len(outcome.reports),
                "dry_run": dry_run,
                "errors": outcome.errors,
            }
            for shown, outcome, written in results
        ])
    failed = 0
    for shown, outcome, written in results:
        if outcome.errors:
            failed += 1
            sys.stderr.write("".join(f"{line}\n" for line in outcome.errors))
            sys.stderr.write(f"{shown}：有 {len(outcome.errors)} 处问题，本文件没有导入任何内容。\n")
            continue
        verb = "将新增" if dry_run else "新增"
        sys.stdout.write(
            f"{shown}：表单 {outcome.form_id}（{outcome.unit}）{verb} {len(outcome.reports)} 份报告，"
            f"空行 {outcome.empty}，已导入过 {outcome.already}\n"
        )
        for path in written:
            sys.stdout.write(f"  {display_path(path, data_dir)}\n")
        if dry_run:
            for r in outcome.reports:
                period = f"（{r.period}）" if r.period else ""
                sys.stdout.write(f"  {r.task}{period} {r.date} {STATUS_NAMES[r.status]}\n")
    if dry_run:
        sys.stderr.write("试运行：没有写入任何内容。\n")
    if failed:
        sys.stderr.write(f"{failed} 个文件未导入（共 {len(results)} 个）。\n")


def show_reminders(found, as_of, fmt: str) -> None:
    from lanxi_cli.core.remind import window_text

    if fmt == "json":
        return print_json([r.as_dict() for r in found])
    if fmt == "csv":
        rows = [{"单位": r.unit, "联络员": r.liaison, "电话": r.phone, "内容": message}
                for r in found for message in r.messages]
        return print_csv(rows, ["单位", "联络员", "电话", "内容"])
    if not found:
        sys.stdout.write(f"截至 {as_of}，没有需要催办的单位。\n")
        return
    window = found[0].window
    lines = [f"催办提醒 · 截至 {as_of} · 旬报 {window_text(*window, as_of)} · {len(found)} 个单位",
             "（短信每行一条，每条不超过 70 字）"]
    for r in found:
        what = [f"{label} {len(obs)}" for label, obs in (("逾期", r.overdue), ("即将到期", r.due_soon)) if obs]
        if r.missing_report:
            what.append("旬报未报")
        who = f"联络员 {r.liaison} {r.phone}".rstrip() if r.liaison else "联络员未备案"
        lines += ["", f"{r.unit} · {who} · {'、'.join(what)}", *(f"  {m}" for m in r.messages)]
    sys.stdout.write("\n".join(lines) + "\n")
