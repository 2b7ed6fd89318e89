"""Exports of an online form built from `lanxi collect template`, as three
services lay them out (from their documented column conventions; no real
export yet: the README asks offices for an anonymised one):

- 金山表单 / WPS 表单 (`kdocs`, .xlsx): a merged title row above the header,
  the service's 序号, then 提交者, 提交时间 (`2020/09/02 16:05:11`) and 填写设备,
  the questions under their own names, uploads as links one a line.
- 腾讯文档收集表 (`tencent`, .csv in UTF-8 with a byte-order mark): no row
  number; 提交者（自动） and 提交时间（自动） (`2020-09-02 16:05:11`) last; the
  clerk's own wording for some questions (所在村（社区）, 进展, 次数, 情况说明,
  上传附件), dates as `2020年9月2日`.
- 问卷星 (`wjx`, .xlsx, or .csv in GB18030 as its Excel-friendly download):
  序号, 提交答卷时间 (`2020/9/2 16:05:11`), 所用时间, 来源, 来源详情, 来自IP, then
  the questions numbered (`1、单位`); a multiple-choice answer joined by ┋.

Run as a script to write the three into a folder: `python tests/collect_exports.py DIR`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Submission:
    number: int  # the service's row number
    submitted: dt.datetime
    submitter: str  # account name (WeChat nickname)
    unit: str
    task: str  # as the form's option reads: `1.1 制定方案`, or several
    status: str = "完成"
    count: str = ""
    date: dt.date | None = None
    note: str = ""
    reporter: str = ""
    links: tuple[str, ...] = ()


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


FIRST = [
    Submission(1, _t("2020-09-02 16:05:11"), "湖畔清风", "苏家湖村", "1.1 制定方案", date=dt.date(2020, 9, 2),
               note="方案已经村两委会讨论印发", reporter="张三",
               links=("https://example.org/f/a1b2c3/方案.pdf",)),
    Submission(2, _t("2020-09-03 09:12:40"), "黄湖李四", "黄湖村", "1.2 成立专班", date=dt.date(2020, 9, 3),
               reporter="李四"),
    Submission(3, _t("2020-09-10 20:31:02"), "罗湖王五", "罗湖村", "6.3 新媒体发布", count="4",
               date=dt.date(2020, 9, 10), note="本月报送信息4条", reporter="王五",
               links=("https://example.org/f/d4e5/1.jpg", "https://example.org/f/d4e5/2.jpg")),
    Submission(4, _t("2020-09-11 08:00:59"), "北岸", "北岸新村", "动员部署会", status="进行中",
               note="已定于9月18日召开"),
]
LATER = [
    Submission(5, _t("2020-09-12 10:20:30"), "千家洲赵六", "千家洲村", "1.1 制定方案", date=dt.date(2020, 9, 12),
               reporter="赵六"),
]
# 问卷星's multiple choice: one submission, two tasks
MULTIPLE = Submission(6, _t("2020-09-13 11:11:11"), "双港子", "双港子村", "1.1 制定方案┋1.2 成立专班",
                      date=dt.date(2020, 9, 13), reporter="钱七")


def _links(s: Submission, sep: str) -> str:
    return sep.join(s.links)


# ---- 金山表单 / WPS 表单 ----------------------------------------------------------------

KDOCS_HEADER = ("序号", "提交者", "提交时间", "填写设备", "单位", "任务", "完成情况", "数量", "完成日期", "说明",
                "填报人", "佐证")


def kdocs_rows(subs) -> list[list]:
    return [[s.number, s.submitter, s.submitted.strftime("%Y/%m/%d %H:%M:%S"), "手机", s.unit, s.task, s.status,
             s.count, s.date.strftime("%Y-%m-%d") if s.date else "", s.note, s.reporter, _links(s, "\n")]
            for s in subs]


def kdocs(path: Path, subs, edit=None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws.append(["兰溪镇禁毒工作进展填报（收集结果）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(KDOCS_HEADER))
    ws.append(list(KDOCS_HEADER))
    for row in kdocs_rows(subs):
        ws.append(row)
    if edit:
        edit(ws)
    book.save(path)
    return path


# ---- 腾讯文档收集表 ------------------------------------------------------------------------

TENCENT_HEADER = ("所在村（社区）", "任务编号", "进展", "次数", "日期", "情况说明", "填报人", "上传附件",
                  "提交者（自动）", "提交时间（自动）")


def _chinese_day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def tencent_rows(subs) -> list[list[str]]:
    return [[s.unit, s.task.split(" ")[0], s.status, s.count, _chinese_day(s.date), s.note, s.reporter,
             _links(s, "；"), s.submitter, s.submitted.strftime("%Y-%m-%d %H:%M:%S")] for s in subs]


def tencent(path: Path, subs, rows=None) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TENCENT_HEADER)
    writer.writerows(rows if rows is not None else tencent_rows(subs))
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


# ---- 问卷星 -----------------------------------------------------------------------------

WJX_HEADER = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、单位", "2、任务", "3、完成情况",
              "4、数量", "5、完成日期", "6、说明", "7、填报人", "8、佐证（上传文件）")


def wjx_rows(subs) -> list[list[str]]:
    return [[str(s.number), f"{s.submitted:%Y}/{s.submitted.month}/{s.submitted.day} {s.submitted:%H:%M:%S}",
             "95秒", "微信", "N/A", "112.5.3.1(湖南-岳阳)", s.unit, s.task, s.status, s.count,
             f"{s.date.year}/{s.date.month}/{s.date.day}" if s.date else "(跳过)",
             s.note or "(空)", s.reporter, _links(s, "┋")] for s in subs]


def wjx(path: Path, subs) -> Path:
    rows = [list(WJX_HEADER), *wjx_rows(subs)]
    if path.suffix == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode("gb18030"))
        return path
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def later(subs) -> list[Submission]:
    """A later export: what the earlier one held, then what came in since."""
    return [*subs, *LATER]


def renumbered(subs, start: int) -> list[Submission]:
    return [replace(s, number=start + i) for i, s in enumerate(subs)]


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    folder.mkdir(parents=True, exist_ok=True)
    print(kdocs(folder / "金山表单-兰溪镇禁毒工作进展填报.xlsx", FIRST))
    print(tencent(folder / "腾讯文档-兰溪镇禁毒工作进展填报.csv", FIRST))
    print(wjx(folder / "问卷星-123456789_0_兰溪镇禁毒工作进展填报.xlsx", [*FIRST, MULTIPLE]))
