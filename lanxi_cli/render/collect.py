"""What `form import` and `remind` print: plain lines meant to be read and copied
(a reminder is pasted into an SMS or WeChat as it stands), JSON and CSV.
Both are views for `tables.render`."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from lanxi_cli.render import shapes
from lanxi_cli.render.tables import View, terminal_safe
from lanxi_cli.render.words import STATUS_NAMES


@dataclass
class ImportsView(View):
    """form import: results are [(file as named, forms.Outcome, [files written,
    as every answer shows them])]. A file's problems and the totals go to
    stderr; stdout names what was imported."""

    results: list
    dry_run: bool

    def data(self):
        return [shapes.form_import(shown, outcome, written, self.dry_run) for shown, outcome, written in self.results]

    def text(self, width, colour):
        out: list[str] = []
        failed = 0
        for shown, outcome, written in self.results:
            if outcome.errors:
                failed += 1
                sys.stderr.write(terminal_safe("".join(f"{line}\n" for line in outcome.errors)))
                sys.stderr.write(terminal_safe(f"{shown}：有 {len(outcome.errors)} 处问题，本文件没有导入任何内容。\n"))
                continue
            verb = "将新增" if self.dry_run else "新增"
            out.append(f"{shown}：表单 {outcome.form_id}（{outcome.unit}）{verb} {len(outcome.reports)} 份报告，"
                       f"空行 {outcome.empty}，已导入过 {outcome.already}\n")
            out += [f"  {name}\n" for name in written]
            if self.dry_run:
                for r in outcome.reports:
                    period = f"（{r.period}）" if r.period else ""
                    out.append(f"  {r.task}{period} {r.date} {STATUS_NAMES[r.status]}\n")
        if self.dry_run:
            sys.stderr.write("试运行：没有写入任何内容。\n")
        if failed:
            sys.stderr.write(f"{failed} 个文件未导入（共 {len(self.results)} 个）。\n")
        return terminal_safe("".join(out))


@dataclass
class RemindersView(View):
    """remind: one reminder per unit; csv holds one message (one SMS) a row."""

    found: list  # core.remind.Reminder
    as_of: object
    columns = ("unit", "liaison", "phone", "sms", "note")
    headers = {"sms": "内容", "note": "备注"}  # noqa: RUF012  (read only)

    def data(self):
        return [shapes.reminder(r) for r in self.found]

    def records(self):
        return [{"unit": r.unit, "liaison": r.liaison, "phone": r.phone, "sms": message, "note": unreachable(r)}
                for r in self.found for message in r.messages]

    def text(self, width, colour):
        from lanxi_cli.core.remind import window_text

        if not self.found:
            return f"截至 {self.as_of}，没有需要催办的单位。\n"
        window = self.found[0].window  # None before the 旬报 season's first reporting day
        checked = f"旬报 {window_text(*window, self.as_of)}" if window else "第一个旬报期尚未结束"
        lines = [f"催办提醒 · 截至 {self.as_of} · {checked} · {len(self.found)} 个单位",
                 "（短信每行一条，每条不超过 70 字）"]
        for r in self.found:
            what = [f"{label} {len(obs)}" for label, obs in (("逾期", r.overdue), ("即将到期", r.due_soon)) if obs]
            if r.missing_report:
                what.append("旬报未报")
            if r.unacknowledged:
                what.insert(0, "未签收")
            who = f"联络员 {r.liaison} {r.phone}".rstrip() if r.liaison else ""
            who = "，".join(filter(None, (who, unreachable(r, brief=True))))
            lines += ["", f"{r.unit} · {who} · {'、'.join(what)}", *(f"  {m}" for m in r.messages)]
        return terminal_safe("\n".join(lines)) + "\n"


def unreachable(r, brief: bool = False) -> str:
    """Why a reminder cannot be sent as it stands (no liaison, or no phone), and (unless
    `brief`) the command that records what is missing."""
    if not r.liaison:
        return "联络员未备案" + ("" if brief else f"（lanxi unit liaison {r.unit} --name 姓名 --phone 电话）")
    if not r.phone:
        return "未登记电话，短信无法发送" + ("" if brief else
                                           f"（lanxi unit liaison {r.unit} --name {r.liaison} --phone 电话）")
    return ""
