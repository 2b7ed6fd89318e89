"""`lanxi collect template` / `collect import`: reports from phones, through
the exports of three online-form services (tests/collect_exports.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import collect_exports as ex
import pytest
import yaml
from conftest import git

AS_OF = "2020-09-15"


def collect(cli, data_dir: Path, file: Path, *args: str):
    return cli("collect", "import", str(file), "--data", str(data_dir), "--as-of", AS_OF, *args)


def reports(data_dir: Path) -> list[dict]:
    docs = []
    for path in sorted((data_dir / "reports").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc.pop("recorded")
        docs.append(doc)
    return sorted(docs, key=lambda d: (str(d["date"]), d["unit"], d["task"]))


def commits(data_dir: Path) -> list[str]:
    return git("log", "--format=%s", cwd=data_dir.parent).splitlines()


# What FIRST comes to, whichever service exported it (the key aside).
EXPECTED = [
    {"task": "1.1", "unit": "苏家湖村", "date": dt.date(2020, 9, 2), "status": "done", "period": None,
     "note": "方案已经村两委会讨论印发", "by": "张三", "evidence_links": ["https://example.org/f/a1b2c3/方案.pdf"]},
    {"task": "1.2", "unit": "黄湖村", "date": dt.date(2020, 9, 3), "status": "done", "period": None, "by": "李四"},
    {"task": "6.3", "unit": "罗湖村", "date": dt.date(2020, 9, 10), "status": "done", "count": 4, "period": "2020-09",
     "note": "本月报送信息4条", "by": "王五",
     "evidence_links": ["https://example.org/f/d4e5/1.jpg", "https://example.org/f/d4e5/2.jpg"]},
    # no 完成日期: the day it was submitted; no 填报人: the account that submitted it
    {"task": "1.3", "unit": "北岸新村", "date": dt.date(2020, 9, 11), "status": "progress", "period": None,
     "note": "已定于9月18日召开", "by": "北岸"},
]


def without_keys(docs: list[dict]) -> list[dict]:
    return [{k: v for k, v in d.items() if k != "collected"} for d in docs]


def expected(keys=EXPECTED, accounts=True) -> list[dict]:
    """`accounts`: the export names the account that submitted (问卷星's does not)."""
    return [{k: v for k, v in d.items() if v is not None and (accounts or (k, v) != ("by", "北岸"))} for d in keys]


LAYOUTS = {
    "kdocs": (lambda folder, subs: ex.kdocs(folder / "金山表单导出.xlsx", subs)),
    "tencent": (lambda folder, subs: ex.tencent(folder / "腾讯文档收集表.csv", subs)),
    "wjx": (lambda folder, subs: ex.wjx(folder / "问卷星_0_导出.xlsx", subs)),
    "wjx-gb18030": (lambda folder, subs: ex.wjx(folder / "问卷星_0_导出.csv", subs)),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_layout_imports_in_one_commit_and_again_adds_nothing(cli, git_data_dir, tmp_path, layout):
    export = LAYOUTS[layout](tmp_path, ex.FIRST)
    first = collect(cli, git_data_dir, export, "--confirm")
    assert first.exit_code == 0, first.output
    assert without_keys(reports(git_data_dir)) == expected(accounts=not layout.startswith("wjx"))
    assert len(first.stdout.splitlines()) == 4  # the four files written
    assert commits(git_data_dir)[0] == f"收集表导入 4 份报告：{export.name}"
    assert len(commits(git_data_dir)) == 2
    assert git("status", "--porcelain", "--", "data", cwd=git_data_dir.parent) == ""  # collect.yaml committed too

    again = collect(cli, git_data_dir, export)  # the mapping kept: no --confirm needed
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert "新增 0 份报告，已导入过 4 次提交" in again.stderr
    assert len(reports(git_data_dir)) == 4
    assert len(commits(git_data_dir)) == 2


def test_upload_links_are_shown_by_report_show_apart_from_evidence(cli, data_dir, tmp_path):
    assert collect(cli, data_dir, ex.kdocs(tmp_path / "k.xlsx", ex.FIRST[2:3]), "--confirm").exit_code == 0
    [path] = (data_dir / "reports").rglob("*.yaml")
    shown = cli("report", "show", path.stem, "--data", str(data_dir), "--as-of", AS_OF)
    assert shown.exit_code == 0, shown.output
    assert "佐证材料：无" in shown.stdout
    assert "  收集表附件链接（会过期）：https://example.org/f/d4e5/2.jpg" in shown.stdout


def test_row_keys_are_the_service_number_else_time_submitter_and_unit(cli, data_dir, tmp_path):
    assert collect(cli, data_dir, ex.tencent(tmp_path / "t.csv", ex.FIRST[:1]), "--confirm").exit_code == 0
    assert reports(data_dir)[0]["collected"] == "2020-09-02T16:05:11|湖畔清风|苏家湖村"
    other = data_dir.parent.parent / "other" / "data"
    other.parent.mkdir()
    import shutil

    shutil.copytree(data_dir, other)
    for path in (other / "reports").rglob("*.yaml"):
        path.unlink()
    assert collect(cli, other, ex.kdocs(tmp_path / "k.xlsx", ex.FIRST[:1]), "--confirm").exit_code == 0
    assert reports(other)[0]["collected"].endswith("#1")


def test_a_later_export_adds_only_the_new_rows(cli, git_data_dir, tmp_path):
    assert collect(cli, git_data_dir, ex.wjx(tmp_path / "a.xlsx", ex.FIRST), "--confirm").exit_code == 0
    result = collect(cli, git_data_dir, ex.wjx(tmp_path / "b.xlsx", ex.later(ex.FIRST)))
    assert result.exit_code == 0, result.output
    assert [line.rsplit("/", 1)[1][:20] for line in result.stdout.splitlines()] == ["2020-09-12-千家洲村-1.1-"]
    assert "共 5 次提交，新增 1 份报告，已导入过 4 次提交" in result.stderr
    assert len(reports(git_data_dir)) == 5
    assert commits(git_data_dir)[0] == "收集表导入 1 份报告：b.xlsx"


def test_a_multiple_choice_cell_gives_a_report_per_task_under_one_key(cli, data_dir, tmp_path):
    result = collect(cli, data_dir, ex.wjx(tmp_path / "m.xlsx", [ex.MULTIPLE]), "--confirm")
    assert result.exit_code == 0, result.output
    found = reports(data_dir)
    assert [(d["task"], d["unit"], d["by"]) for d in found] == [("1.1", "双港子村", "钱七"),
                                                                 ("1.2", "双港子村", "钱七")]
    assert found[0]["collected"] == found[1]["collected"]
    again = collect(cli, data_dir, ex.wjx(tmp_path / "m.xlsx", [ex.MULTIPLE]))
    assert "已导入过 1 次提交" in again.stderr and len(reports(data_dir)) == 2


def test_one_bad_row_names_its_cell_and_the_file_writes_nothing(cli, git_data_dir, tmp_path):
    bad = [*ex.FIRST[:2], dataclasses.replace(ex.FIRST[2], unit="罗胡村"),
           dataclasses.replace(ex.FIRST[3], task="9.9 不存在")]
    export = ex.kdocs(tmp_path / "bad.xlsx", bad)
    result = collect(cli, git_data_dir, export, "--confirm")
    assert result.exit_code == 1
    assert "bad.xlsx!E5: 未知单位“罗胡村”，是不是要找 罗湖村？" in result.stderr
    assert "bad.xlsx!F6: 未知任务“9.9 不存在”" in result.stderr
    assert "有 2 处问题，这个文件没有导入任何内容" in result.stderr
    assert reports(git_data_dir) == []
    assert not (git_data_dir / "collect.yaml").exists()  # the mapping is kept only with an import
    assert len(commits(git_data_dir)) == 1


@pytest.mark.parametrize(("change", "cell", "words"), [
    # a bare done on a counted task, refused as report add refuses it
    ({"status": "完成", "count": ""}, "H5", "任务 6.3 的目标是禁毒宣传信息（条） 至少 4"),
    ({"date": dt.date(2020, 9, 31 - 1), "count": "x"}, "H5", "数量应为整数"),
    ({"task": "1.1 成立专班"}, "F5", "编号 1.1 与名称不符"),
    ({"status": "差不多"}, "G5", "状态应为 完成、进行中、受阻 之一"),
    ({"unit": "兰溪派出所", "task": "1.2"}, "E5", "兰溪派出所 既不牵头也不负责任务 1.2"),
    ({"unit": "禁毒办", "task": "10.2"}, "E5", "任务 10.2 由禁毒办对各单位开展，单位应写被督导的单位"),
    ({"date": dt.date(2020, 9, 20)}, "I5", "晚于今天"),
])
def test_each_kind_of_bad_cell_is_named(cli, data_dir, tmp_path, change, cell, words):
    export = ex.kdocs(tmp_path / "bad.xlsx", [*ex.FIRST[:2], dataclasses.replace(ex.FIRST[2], **change)])
    result = collect(cli, data_dir, export, "--confirm")
    assert result.exit_code == 1, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("bad.xlsx!"))
    assert line.startswith(f"bad.xlsx!{cell}: ") and words in line, result.stderr
    assert reports(data_dir) == []


def test_a_bad_date_in_every_form_the_contract_lists_reads_the_same_day(cli, data_dir, tmp_path):
    rows = ex.tencent_rows(ex.FIRST[:3])
    for row, text in zip(rows, ("2020/9/2", "2020.9.3", "9月10日"), strict=True):
        row[4] = text
    result = collect(cli, data_dir, ex.tencent(tmp_path / "d.csv", [], rows), "--confirm")
    assert result.exit_code == 0, result.output
    assert [d["date"] for d in reports(data_dir)] == [dt.date(2020, 9, 2), dt.date(2020, 9, 3), dt.date(2020, 9, 10)]
    rows[0][4] = "2020年2月30日"
    result = collect(cli, data_dir, ex.tencent(tmp_path / "e.csv", [], rows))
    assert result.exit_code == 1 and "e.csv!E2: 日期应为真实存在的日期" in result.stderr


def test_the_same_key_with_changed_content_is_a_conflict(cli, data_dir, tmp_path):
    assert collect(cli, data_dir, ex.kdocs(tmp_path / "a.xlsx", ex.FIRST), "--confirm").exit_code == 0
    edited = [*ex.FIRST[:2], dataclasses.replace(ex.FIRST[2], count="5"), *ex.LATER]
    result = collect(cli, data_dir, ex.kdocs(tmp_path / "b.xlsx", edited))
    assert result.exit_code == 1
    assert "b.xlsx!A5: 这次提交已导入为报告 2020-09-10-罗湖村-6.3-" in result.stderr
    assert "之后数量又被改动" in result.stderr
    assert len(reports(data_dir)) == 4  # not even the new row: the file writes nothing


def test_without_a_terminal_the_mapping_is_shown_and_confirm_asked(cli, data_dir, tmp_path):
    export = ex.wjx(tmp_path / "w.xlsx", ex.FIRST)
    result = collect(cli, data_dir, export)
    assert result.exit_code == 1
    assert "  G 1、单位 → 单位  （新）" in result.stderr
    assert "  C 所用时间 → 不导入  （新）" in result.stderr
    assert "无误后加 --confirm 重新运行" in result.stderr
    assert reports(data_dir) == [] and not (data_dir / "collect.yaml").exists()
    assert collect(cli, data_dir, export, "--dry-run").exit_code == 0  # a dry run asks nothing, writes nothing
    assert reports(data_dir) == [] and not (data_dir / "collect.yaml").exists()


def test_the_confirmed_mapping_is_kept_in_collect_yaml_and_a_hand_edit_survives(cli, data_dir, tmp_path):
    # a header no usual name matches: named once with --map, kept for the next export
    def rename(ws):
        ws["E2"] = "所在网格"

    export = ex.kdocs(tmp_path / "a.xlsx", ex.FIRST[:2], edit=rename)
    refused = collect(cli, data_dir, export, "--confirm")
    assert refused.exit_code == 1 and "找不到“单位”列" in refused.stderr
    assert collect(cli, data_dir, export, "--confirm", "--map", "所在网格=单位").exit_code == 0
    kept = yaml.safe_load((data_dir / "collect.yaml").read_text(encoding="utf-8"))
    assert kept["所在网格"] == "单位" and kept["填写设备"] == "不导入" and kept["序号"] == "编号"
    text = (data_dir / "collect.yaml").read_text(encoding="utf-8") + "# 张三核对过\n"
    (data_dir / "collect.yaml").write_text(text, encoding="utf-8")

    def more(ws):
        rename(ws)
        ws["M2"] = "备注二"

    result = collect(cli, data_dir, ex.kdocs(tmp_path / "b.xlsx", ex.later(ex.FIRST[:2]), edit=more), "--confirm")
    assert result.exit_code == 0, result.output
    after = (data_dir / "collect.yaml").read_text(encoding="utf-8")
    assert after.startswith(text) and after[len(text):] == "备注二: 不导入\n"
    assert [d["unit"] for d in reports(data_dir)] == ["苏家湖村", "黄湖村", "千家洲村"]


def test_a_bad_collect_yaml_is_named_by_line(cli, data_dir, tmp_path):
    (data_dir / "collect.yaml").write_text("单位: 单位\n村: 乡镇\n", encoding="utf-8")
    result = collect(cli, data_dir, ex.kdocs(tmp_path / "a.xlsx", ex.FIRST), "--confirm")
    assert result.exit_code == 1
    assert "collect.yaml:2: “村”对应的“乡镇”应为" in result.stderr


def test_a_submitter_not_the_units_liaison_is_imported_with_a_warning(cli, git_data_dir, tmp_path):
    data_dir = git_data_dir
    assert cli("unit", "liaison", "苏家湖村", "--name", "张三", "--data", str(data_dir), "--no-commit",
               "--as-of", AS_OF).exit_code == 0
    assert cli("unit", "liaison", "黄湖村", "--name", "周八", "--data", str(data_dir), "--no-commit",
               "--as-of", AS_OF).exit_code == 0
    result = collect(cli, data_dir, ex.kdocs(tmp_path / "a.xlsx", ex.FIRST[:2]), "--confirm")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("警告")]
    assert warnings == ["警告：a.xlsx!A4: 提交者“李四”不是黄湖村备案的联络员（周八）；已照常导入，请核实"]
    assert len(reports(data_dir)) == 2
    again = collect(cli, data_dir, ex.kdocs(tmp_path / "a.xlsx", ex.FIRST[:2]))
    assert again.exit_code == 0 and "警告" not in again.stderr  # warned of once, when imported


def test_two_submissions_in_one_second_are_two_reports_and_a_repeated_number_is_refused(cli, data_dir, tmp_path):
    twin = dataclasses.replace(ex.FIRST[0], task="1.2 成立专班", note="")
    rows = ex.tencent_rows([ex.FIRST[0], twin])
    assert collect(cli, data_dir, ex.tencent(tmp_path / "a.csv", [], rows), "--confirm").exit_code == 0
    assert [d["task"] for d in reports(data_dir)] == ["1.1", "1.2"]
    assert [d["collected"] for d in reports(data_dir)] == ["2020-09-02T16:05:11|湖畔清风|苏家湖村",
                                                          "2020-09-02T16:05:11|湖畔清风|苏家湖村#2"]
    again = collect(cli, data_dir, ex.tencent(tmp_path / "a.csv", [], rows))
    assert again.exit_code == 0 and "已导入过 2 次提交" in again.stderr
    result = collect(cli, data_dir, ex.kdocs(tmp_path / "k.xlsx", [ex.FIRST[1], dataclasses.replace(ex.FIRST[2],
                                                                                                      number=2)]),
                     "--confirm")
    assert result.exit_code == 1 and "k.xlsx!A4: 序号 2 在这个文件中出现了两次" in result.stderr


def test_a_row_saying_what_a_report_already_says_is_skipped_with_a_warning(cli, data_dir, tmp_path):
    assert cli("report", "add", "--task", "1.2", "--unit", "黄湖村", "--date", "2020-09-03", "--status", "done",
               "--data", str(data_dir), "--as-of", AS_OF, "--no-commit").exit_code == 0
    result = collect(cli, data_dir, ex.tencent(tmp_path / "a.csv", ex.FIRST[:2]), "--confirm")
    assert result.exit_code == 0, result.output
    assert "a.csv!A3: 与已记录的报告 2020-09-03-黄湖村-1.2-" in result.stderr
    assert len(reports(data_dir)) == 2


def test_formula_looking_text_stays_text(cli, data_dir, tmp_path):
    sub = dataclasses.replace(ex.FIRST[0], note='=HYPERLINK("http://evil.example","点此")')
    assert collect(cli, data_dir, ex.tencent(tmp_path / "f.csv", [sub]), "--confirm").exit_code == 0
    assert reports(data_dir)[0]["note"] == '=HYPERLINK("http://evil.example","点此")'
    out = tmp_path / "台账.xlsx"
    assert cli("export", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0
    from openpyxl import load_workbook

    cells = [c for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_hostile_export_is_refused_by_the_bounds_and_writes_nothing(cli, data_dir, tmp_path):
    def far(ws):
        ws["A60000"] = "x"

    result = collect(cli, data_dir, ex.kdocs(tmp_path / "far.xlsx", ex.FIRST, edit=far), "--confirm")
    assert result.exit_code == 1
    assert "far.xlsx!Sheet1!A60000: 这个单元格远在收集表导出之外" in result.stderr
    (tmp_path / "bin.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    result = collect(cli, data_dir, tmp_path / "bin.xlsx", "--confirm")
    assert result.exit_code == 1 and "无法读取" in result.stderr and "Traceback" not in result.output
    assert reports(data_dir) == []


def test_the_template_lists_the_questions_and_the_plans_answers(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    from lanxi_cli.io.load import load_book

    out = tmp_path / "题目.xlsx"
    result = cli("collect", "template", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    ws = book["题目"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows] == ["单位", "任务", "完成情况", "数量", "比率", "分项", "完成日期", "说明", "填报人",
                                    "佐证"]
    plan = load_book(data_dir)
    assert rows[0][4].split("\n") == [u.name for u in plan.plan.units]
    assert rows[1][4].split("\n")[0] == "1.1 制定方案"
    assert len(rows[1][4].split("\n")) == len(plan.tasks)
    assert rows[2][4].split("\n") == ["完成", "进行中", "受阻"]
    assert [c.value for c in book["任务选项"]["A"]][1:] == rows[1][4].split("\n")
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    # the template's own titles are the headers an export of that form has: they import with no --map
    from lanxi_cli.core import collect as rules

    assert [rules.guess_field(r[1]) for r in rows] == [r[1] for r in rows]


@pytest.mark.parametrize(("header", "field"), [
    ("提交时间", "提交时间"), ("填写时间", "提交时间"), ("提交答卷时间", "提交时间"), ("提交者（自动）", "提交者"),
    ("填写人", "提交者"), ("微信昵称", "提交者"), ("村（社区）", "单位"), ("所属单位", "单位"), ("任务编号", "任务"),
    ("进展", "完成情况"), ("次数", "数量"), ("日期", "完成日期"), ("3、完成情况（必填）", "完成情况"),
    ("Q4. 数量", "数量"), ("请选择您所在的村（社区）", "单位"), ("【多选题】本次完成的任务", "任务"),
    ("任务完成情况说明", None), ("所用时间", None),
])
def test_headers_by_their_usual_names(header, field):
    from lanxi_cli.core.collect import guess_field

    assert guess_field(header) == field


@pytest.mark.parametrize(("answer", "code"), [("y", 0), ("n", 1)])
def test_on_a_terminal_the_clerk_is_asked_once(data_dir, tmp_path, answer, code):
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    export = ex.tencent(tmp_path / "t.csv", ex.FIRST)
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "80"}
    proc = subprocess.Popen([sys.executable, "-m", "lanxi_cli", "collect", "import", str(export), "--no-commit",
                             "--data", str(data_dir), "--as-of", AS_OF],
                            stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    import select

    seen = b""
    while "记入 data/collect.yaml？".encode() not in seen:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, f"no question within 60 s: {seen.decode(errors='replace')}"
        seen += os.read(master, 4096)
    os.write(master, f"{answer}\n".encode())
    proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == code
    assert "A 所在村（社区） → 单位" in seen.decode()
    assert len(reports(data_dir)) == (4 if answer == "y" else 0)
    assert (data_dir / "collect.yaml").exists() == (answer == "y")


def test_times_and_dates_stored_as_spreadsheet_dates_read_the_same(cli, data_dir, tmp_path):
    def typed(ws):  # some services write real date cells, not text
        for row in range(3, ws.max_row + 1):
            ws[f"C{row}"] = dt.datetime.strptime(ws[f"C{row}"].value, "%Y/%m/%d %H:%M:%S")
            if ws[f"I{row}"].value:
                ws[f"I{row}"] = dt.date.fromisoformat(ws[f"I{row}"].value)
            if ws[f"H{row}"].value:
                ws[f"H{row}"] = int(ws[f"H{row}"].value)

    assert collect(cli, data_dir, ex.kdocs(tmp_path / "k.xlsx", ex.FIRST, edit=typed), "--confirm").exit_code == 0
    assert without_keys(reports(data_dir)) == expected()
    assert collect(cli, data_dir, ex.kdocs(tmp_path / "text.xlsx", ex.FIRST)).stderr.count("已导入过 4 次提交") == 1


def test_a_parted_target_takes_its_part_from_the_fenxiang_column(cli, data_dir, tmp_path):
    rows = ex.tencent_rows([dataclasses.replace(ex.FIRST[0], task="2.3")])
    header = [*ex.TENCENT_HEADER, "分项", "比率"]
    bare = ex.tencent(tmp_path / "bare.csv", [], rows)
    result = collect(cli, data_dir, bare, "--confirm")
    assert result.exit_code == 1 and "bare.csv!B2: 任务 2.3 的目标分项计算" in result.stderr
    import csv

    with (tmp_path / "parts.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, [*rows[0], "知晓率", "85%"]])
    result = collect(cli, data_dir, tmp_path / "parts.csv", "--confirm")
    assert result.exit_code == 0, result.output
    [doc] = reports(data_dir)
    assert (doc["task"], doc["part"], doc["rate"]) == ("2.3", "知晓率", 0.85)
