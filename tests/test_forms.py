"""`lanxi form make` / `form import`: the 填报表 round trip, as the villages fill them in."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, git

AS_OF = "2020-09-15"
HEADERS = ("序号", "任务编号", "任务内容", "周期", "截止日期", "当前状态",
           "状态", "数量", "比率", "日期", "说明", "报告人", "佐证")
COLUMNS = {name: chr(ord("A") + i) for i, name in enumerate(HEADERS)}
D = dt.date


def make(cli, data_dir: Path, out: Path, *args: str):
    result = cli("form", "make", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return result


def import_(cli, data_dir: Path, *files, args=("--by", "王五")):
    result = cli("form", "import", *map(str, files), "--data", str(data_dir), "--as-of", AS_OF, *args,
                 "--format", "json")
    return result, json.loads(result.stdout)


def form_path(out: Path, unit: str) -> Path:
    return out / f"{unit}-填报表-{AS_OF}.xlsx"


def rows_of(ws) -> dict[tuple[str, str], int]:
    """(任务编号, 周期 as shown) → the sheet row, read as a village reads the form."""
    return {(ws[f"B{r}"].value, ws[f"D{r}"].value): r for r in range(5, ws.max_row + 1) if ws[f"B{r}"].value}


def fill(path: Path, rows: dict, target: Path | None = None, edit=None) -> dict[tuple[str, str], int]:
    """Fill cells as a village does with its spreadsheet: {(task, period): {column: value}}."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["填报表"]
    where = rows_of(ws)
    for key, cells in rows.items():
        for column, value in cells.items():
            ws[f"{COLUMNS[column]}{where[key]}"] = value
    if edit:
        edit(ws, where)
    wb.save(target or path)
    return where


def report_docs(data_dir: Path) -> dict[str, dict]:
    import yaml

    docs = {}
    for path in sorted((data_dir / "reports").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc.pop("recorded")
        docs[path.relative_to(data_dir.parent).as_posix()] = doc
    return docs


def pending(cli, data_dir: Path, unit: str) -> list[tuple]:
    """The unit's overdue, due-soon and open obligations, scored or not, as `status --unit` shows them,
    of periods begun by AS_OF (the period as the form shows it: where the lead acts, after the unit
    it acts on)."""
    result = cli("status", "--unit", unit, "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    return [(o["task"], " ".join(filter(None, (o["subject"], o["period"]))) or None, o["due"], o["state"])
            for o in json.loads(result.stdout)["obligations"]
            if o["state"] in ("overdue", "due_soon", "open") and begun(o["period"])]


def begun(period: str | None) -> bool:
    """Has the period begun by AS_OF (2020-09-15)? A one-off's and a milestone's run from the campaign's start."""
    if period is None or period.startswith("第"):
        return True
    year, part = period.split("-")
    month = 3 * int(part[1]) - 2 if part.startswith("Q") else int(part)
    return (int(year), month) <= (2020, 9)


# ---- the form going out ----------------------------------------------------------------------


def test_a_form_for_every_unit_that_owes_something(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    result = make(cli, data_dir, tmp_path / "out")
    status = json.loads(cli("status", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    owing = [u["unit"] for u in status["units"] if u["overdue"] + u["due_soon"] + u["open"]]
    assert len(owing) == 33
    assert result.stdout.splitlines() == [str(form_path(tmp_path / "out", u)) for u in owing]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(form_path(tmp_path, u).name for u in owing)
    total = 0
    for unit in owing:
        ws = load_workbook(form_path(tmp_path / "out", unit))["填报表"]
        shown = [(ws[f"B{r}"].value, None if ws[f"D{r}"].value == "全程" else ws[f"D{r}"].value,
                  ws[f"E{r}"].value.date().isoformat()) for r in range(5, ws.max_row + 1)]
        assert shown == [(t, p, due) for t, p, due, _ in pending(cli, data_dir, unit)], unit
        total += len(shown)
    assert result.stderr == f"已生成 33 份填报表，共 {total} 行待填。\n"


def test_the_form_layout(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    make(cli, data_dir, tmp_path, "--unit", "苏家湖")
    wb = load_workbook(form_path(tmp_path, "苏家湖村"))
    assert wb.sheetnames == ["填报表", "lanxi"]
    ws, meta = wb["填报表"], wb["lanxi"]
    assert ws["A1"].value == "兰溪镇深入推进毒品预防教育宣传专项行动进展填报表（苏家湖村）"
    form_id = meta["B2"].value
    assert ws["A2"].value == ("单位：苏家湖村　截至：2020-09-15　本旬：2020-09-11 至 2020-09-20，"
                              f"请于 2020-09-20 前填好交回　表单编号：{form_id}")
    assert [c.value for c in ws[4]] == list(HEADERS)
    expected = pending(cli, data_dir, "苏家湖村")
    assert ws.max_row == 4 + len(expected)
    first = ws[5]
    assert [c.value for c in first[:6]] == [
        1, "1.1", "【制定方案】结合本镇实际制定专项行动实施方案。", "全程", dt.datetime(2020, 9, 3), "已逾期"]
    assert first[1].data_type == "s"  # the task id is text: 1.10 stays 1.10
    # only the cells to fill are unlocked; the sheet is protected, with no password
    assert ws.protection.sheet is True and not ws.protection.password
    for row in ws.iter_rows(min_row=5):
        assert [not c.protection.locked for c in row] == [False] * 6 + [True] * 7
    assert ws["A1"].protection.locked and ws["G4"].protection.locked
    # the 状态 drop-down over every row
    checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = ws.max_row
    assert checks[f"G5:G{last}"].type == "list" and checks[f"G5:G{last}"].formula1 == '"完成,进行中,受阻"'
    assert checks[f"H5:H{last}"].type == "whole" and checks[f"I5:I{last}"].type == "decimal"
    assert checks[f"J5:J{last}"].type == "date"
    # the task text in full, wrapped; A4 landscape, one page wide
    assert all(ws[f"C{r}"].alignment.wrap_text for r in range(5, last + 1))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$4"
    # the hidden sheet: form id, unit, day, the plan (town, campaign), and each row's task, period and text
    assert meta.sheet_state == "hidden" and wb.security.lockStructure
    values = [[c for c in row] for row in meta.iter_rows(values_only=True)]
    title = "兰溪镇深入推进毒品预防教育宣传专项行动实施方案"
    assert values[:9] == [["lanxi 填报表", "1", None, None, None], ["form_id", form_id, None, None, None],
                          ["unit", "苏家湖村", None, None, None], ["as_of", AS_OF, None, None, None],
                          ["sheet", "填报表", None, None, None], ["header_row", "4", None, None, None],
                          ["town", "兰溪镇", None, None, None], ["campaign", title, None, None, None],
                          ["序号", "任务编号", "周期", "对象", "任务内容"]]
    from lanxi_cli.io import load

    texts = {t.id: t.text for t in load.load_book(data_dir).tasks}
    assert [(int(s), t, p or None, u, x) for s, t, p, u, x in values[9:]] == [
        (i, t, p, None, texts[t]) for i, (t, p, _, _) in enumerate(expected, start=1)]  # the village acts on every row


def test_the_same_rows_on_the_same_day_make_the_same_form_id(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    make(cli, data_dir, tmp_path / "a", "--unit", "苏家湖")
    make(cli, data_dir, tmp_path / "b", "--unit", "苏家湖村")
    ids = [load_workbook(form_path(tmp_path / d, "苏家湖村"))["lanxi"]["B2"].value for d in "ab"]
    assert ids[0] == ids[1] and ids[0].startswith("20200915-")


def test_text_from_the_plan_never_becomes_a_formula(cli, data_dir, tmp_path):
    tasks = data_dir / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("text: 结合本镇实际制定专项行动实施方案。", "text: '=HYPERLINK(\"http://x\",\"看\")'"),
                     encoding="utf-8")
    make(cli, data_dir, tmp_path, "--unit", "苏家湖")
    with zipfile.ZipFile(form_path(tmp_path, "苏家湖村")) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "HYPERLINK" in sheet and "<f>" not in sheet and "<f " not in sheet


def test_a_unit_with_nothing_to_do_gets_no_form(cli, data_dir, tmp_path):
    result = cli("form", "make", "-o", str(tmp_path / "out"), "--unit", "禁毒协会", "--data", str(data_dir),
                 "--as-of", "2020-12-31")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "禁毒协会 截至 2020-12-31 没有待办的任务，不生成填报表" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_make_refuses_an_output_that_is_a_file(cli, data_dir, tmp_path):
    (tmp_path / "f").write_text("x")
    result = cli("form", "make", "-o", str(tmp_path / "f"), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == f"输出目录“{tmp_path / 'f'}”是一个文件\n"


# ---- the round trip ------------------------------------------------------------------------


def test_round_trip(cli, git_data_dir, tmp_path):
    """Forms for all units; some filled well, some as villages get them wrong; one import."""
    from openpyxl import load_workbook

    data_dir, out = git_data_dir, tmp_path / "out"
    make(cli, data_dir, out)
    commits_before = git("rev-list", "--count", "HEAD", cwd=data_dir.parent).strip()
    sizes = {path.name.split("-")[0]: len(rows_of(load_workbook(path)["填报表"])) for path in out.iterdir()}

    good = {}  # unit → [(row key, expected report fields)]
    # 苏家湖村: three filled rows (a date, a date typed as text, a rate typed as text), one row with a name only
    rows = fill(form_path(out, "苏家湖村"), {
        ("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 14), "说明": "方案已印发\n见镇政府网站", "报告人": "李四"},
        ("1.4", "2020-09"): {"状态": "进行中", "日期": "2020/9/15", "数量": 2, "佐证": "会议记录.pdf；照片"},
        ("6.1", "全程"): {"状态": "进行中", "日期": "2020年9月12日", "比率": "85%"},
        ("1.2", "全程"): {"报告人": "李四"},
    })
    good["苏家湖村"] = [
        (rows[("1.1", "全程")], {"task": "1.1", "status": "done", "date": D(2020, 9, 14),
                                "note": "方案已印发\n见镇政府网站", "by": "李四"}),
        (rows[("1.4", "2020-09")], {"task": "1.4", "status": "progress", "date": D(2020, 9, 15), "count": 2,
                                    "period": "2020-09", "by": "王五", "evidence": ["会议记录.pdf", "照片"]}),
        (rows[("6.1", "全程")], {"task": "6.1", "status": "progress", "date": D(2020, 9, 12), "rate": 0.85,
                                "by": "王五"}),
    ]
    # 莲花塘村 deleted the (empty) 比率 column: the columns are found by their names
    rows = fill(form_path(out, "莲花塘村"), {("5.1", "全程"): {"状态": "进行中", "数量": 1, "日期": D(2020, 9, 10)}})
    fill(form_path(out, "莲花塘村"), {}, edit=lambda ws, where: ws.delete_cols(9))
    good["莲花塘村"] = [(rows[("5.1", "全程")], {"task": "5.1", "status": "progress", "date": D(2020, 9, 10),
                                                "count": 1, "by": "王五"})]

    # the bad ones: each names its cells, and writes nothing
    bad = {}
    rows = fill(form_path(out, "罗湖村"), {
        ("1.1", "全程"): {"状态": "完成", "日期": "2020-09-31"},  # a wrong date
        ("1.2", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)},  # a good row, not written either
    })
    bad["罗湖村"] = [f"J{rows[('1.1', '全程')]}: 日期应为真实存在的日期，如 2020-09-20 或 2020年9月20日"
                  "（而不是“2020-09-31”）"]
    rows = fill(form_path(out, "北岸新村"), {
        ("5.1", "全程"): {"状态": "进行中", "数量": "三次", "日期": D(2020, 9, 9)},  # a count in words
    })
    bad["北岸新村"] = [f"H{rows[('5.1', '全程')]}: 数量应为整数，如 3（而不是“三次”）"]

    def extra_row(ws, where):  # a row added below the form, for a task written in by hand
        r = ws.max_row + 1
        ws[f"B{r}"], ws[f"G{r}"], ws[f"J{r}"] = "1.1", "完成", D(2020, 9, 9)
        extra_row.row = r

    fill(form_path(out, "千家洲村"), {("1.2", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}}, edit=extra_row)
    bad["千家洲村"] = [f"A{extra_row.row}: 这一行不是表中原有的行（序号为空或不认识）；请把情况填在对应任务的行里"]
    fill(form_path(out, "双港子村"), {("1.1", "全程"): {"状态": "完成"}}, edit=lambda ws, where: ws.delete_cols(10))
    bad["双港子村"] = None  # the 日期 column is gone: the whole file is refused
    rows = fill(form_path(out, "三岔堤村"), {
        ("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 20)},  # after the as-of day: report add refuses it
        ("5.1", "全程"): {"状态": "进行中", "数量": -1, "日期": D(2020, 9, 9)},
        ("1.2", "全程"): {"状态": "已报", "说明": "无日期"},
    })
    bad["三岔堤村"] = [
        f"J{rows[('1.1', '全程')]}: 报告日期 2020-09-20 晚于今天（2020-09-15）；不能为将来的日子报告",
        f"G{rows[('1.2', '全程')]}: 状态应为 完成、进行中、受阻 之一（而不是“已报”）",
        f"J{rows[('1.2', '全程')]}: 请填写日期，如 2020-09-20",
        f"H{rows[('5.1', '全程')]}: 数量 不能为负数（-1）",
    ]

    files = sorted(out.iterdir())
    result, answer = import_(cli, data_dir, *files)
    assert result.exit_code == 1
    by_unit = {Path(a["file"]).name.split("-")[0]: a for a in answer}
    assert [a["file"] for a in answer] == [str(f) for f in files]

    written = report_docs(data_dir)
    expected_docs = {}
    for unit, reports in good.items():
        entry = by_unit[unit]
        assert (entry["errors"], entry["unit"], entry["already"]) == ([], unit, 0)
        assert len(entry["reports"]) == entry["new"] == len(reports)
        assert entry["skipped"] == entry["empty"] == sizes[unit] - len(reports)
        for path, (row, fields) in zip(entry["reports"], reports, strict=True):
            expected_docs[path] = {"unit": unit, **fields, "form": f"{entry['form']}#{row - 4}"}
    assert written == expected_docs  # every good file's filled rows, and nothing else
    for unit, errors in bad.items():
        entry = by_unit[unit]
        assert entry["reports"] == [] and entry["new"] == 0
        shown = str(form_path(out, unit))
        if errors is None:
            assert entry["errors"] == [f"{shown}: 表头（第4行）缺少“日期”列；请用原表填写，不要删除列"]
        else:
            assert entry["errors"] == [f"{shown}!填报表!{e}" for e in errors]
    for unit, entry in by_unit.items():
        if unit not in good and unit not in bad:
            assert (entry["reports"], entry["errors"], entry["new"]) == ([], [], 0)
            assert entry["skipped"] == entry["empty"] == sizes[unit], unit

    # one commit per imported file, naming the form, holding exactly its reports
    log = git("-c", "core.quotePath=false", "log", "--format=%x1e%s", "--name-only", f"-{len(good)}",
              cwd=data_dir.parent)
    commits = [[line for line in block.splitlines() if line] for block in log.split("\x1e")[1:]]
    assert git("rev-list", "--count", "HEAD", cwd=data_dir.parent).strip() == str(int(commits_before) + len(good))
    for subject, *paths in commits:
        unit = subject.split("（")[1].split("）")[0]
        entry = by_unit[unit]
        count, name = len(entry["reports"]), Path(entry["file"]).name
        assert subject == f"填报表 {entry['form']}（{unit}）导入 {count} 份报告：{name}"
        assert sorted(paths) == sorted(entry["reports"])
    assert git("status", "--porcelain", "--", "data", cwd=data_dir.parent) == ""
    # what was imported counts: 苏家湖村's 1.1 is completed late
    result = cli("status", "--unit", "苏家湖村", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    [ob] = [o for o in json.loads(result.stdout)["obligations"] if o["task"] == "1.1"]
    assert (ob["state"], ob["completed_on"]) == ("late", "2020-09-14")

    # importing again adds nothing; the bad files are refused as before
    again, answer2 = import_(cli, data_dir, *files)
    assert again.exit_code == 1
    assert report_docs(data_dir) == written
    for entry, before in zip(answer2, answer, strict=True):
        assert entry["reports"] == [] and entry["errors"] == before["errors"]
        if not before["errors"]:
            assert entry["already"] == len(before["reports"]) and entry["empty"] == before["empty"]
    assert git("rev-list", "--count", "HEAD", cwd=data_dir.parent).strip() == str(int(commits_before) + len(good))


# ---- files from the field ------------------------------------------------------------------


def soffice() -> str:
    """LibreOffice, installed from Debian's packages when missing (as root), else a skip."""
    found = shutil.which("soffice")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=900)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "libreoffice-calc"],
                       capture_output=True, env=env, timeout=1800)
        found = shutil.which("soffice")
    if found is None:
        pytest.skip("LibreOffice is not installed and apt-get could not install libreoffice-calc (needs root)")
    return found


def resave(path: Path, tmp_path: Path) -> Path:
    """The file opened and saved again by LibreOffice, headless, as a unit's office would."""
    out = tmp_path / "resaved"
    profile = tmp_path / "lo-profile"  # its own profile: another LibreOffice running elsewhere is no matter
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=300,
    )
    saved = out / path.name
    assert saved.is_file(), result.stdout + result.stderr
    return saved


def test_a_form_saved_again_by_libreoffice_still_imports(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "黄湖村")

    def text_note(ws, where):  # text that starts with "=", typed into a text cell: no formula
        ws[f"K{where[('1.1', '全程')]}"].data_type = "s"

    rows = fill(form_path(out, "黄湖村"), {
        ("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 14), "说明": "=已印发", "报告人": "赵六"},
        ("6.1", "全程"): {"状态": "进行中", "比率": 0.85, "日期": "2020-9-12", "佐证": "照片；会议记录"},
        ("1.4", "2020-09"): {"状态": "受阻", "数量": 3, "日期": D(2020, 9, 13)},
    }, target=tmp_path / "黄湖村-填报表.xlsx", edit=text_note)
    saved = resave(tmp_path / "黄湖村-填报表.xlsx", tmp_path)
    result, [entry] = import_(cli, git_data_dir, saved)
    assert result.exit_code == 0, result.output
    assert entry["errors"] == [] and entry["new"] == 3
    form = entry["form"]
    assert sorted(report_docs(git_data_dir).values(), key=lambda doc: doc["task"]) == [
        {"task": "1.1", "unit": "黄湖村", "date": D(2020, 9, 14), "status": "done", "note": "=已印发", "by": "赵六",
         "form": f"{form}#{rows[('1.1', '全程')] - 4}"},
        {"task": "1.4", "unit": "黄湖村", "date": D(2020, 9, 13), "status": "blocked", "count": 3, "period": "2020-09",
         "by": "王五", "form": f"{form}#{rows[('1.4', '2020-09')] - 4}"},
        {"task": "6.1", "unit": "黄湖村", "date": D(2020, 9, 12), "status": "progress", "rate": 0.85, "by": "王五",
         "evidence": ["照片", "会议记录"], "form": f"{form}#{rows[('6.1', '全程')] - 4}"},
    ]
    # the original, as filled, is the same form: nothing more to add
    result, [entry] = import_(cli, git_data_dir, tmp_path / "黄湖村-填报表.xlsx")
    assert result.exit_code == 0 and (entry["new"], entry["already"]) == (0, 3)


def test_copies_renamed_by_wechat_are_the_same_form(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    fill(form_path(out, "苏家湖村"), {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}})
    copies = [tmp_path / "苏家湖村-填报表-2020-09-15(1).xlsx", tmp_path / "微信图片文件_20200916"]
    for copy in copies:
        shutil.copy(form_path(out, "苏家湖村"), copy)
    result, answer = import_(cli, git_data_dir, form_path(out, "苏家湖村"), *copies)
    assert result.exit_code == 0, result.output
    assert [(len(a["reports"]), a["already"]) for a in answer] == [(1, 0), (0, 1), (0, 1)]
    assert len(report_docs(git_data_dir)) == 1


def test_a_row_changed_after_its_import_is_a_conflict(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    rows = fill(path, {("1.1", "全程"): {"状态": "进行中", "日期": D(2020, 9, 2)}})
    result, [first] = import_(cli, git_data_dir, path)
    assert result.exit_code == 0
    before = report_docs(git_data_dir)
    fill(path, {("1.1", "全程"): {"状态": "完成", "说明": "已完成"},
                ("1.2", "全程"): {"状态": "完成", "日期": D(2020, 9, 3)}})
    result, [entry] = import_(cli, git_data_dir, path)
    assert result.exit_code == 1
    assert entry["errors"] == [
        f"{path}!填报表!A{rows[('1.1', '全程')]}: 这一行已导入为报告 {Path(first['reports'][0]).stem}，"
        "之后状态、说明又被改动；为免重复，不再导入。请核实；如需更正，请用 lanxi report add 另行报告"
    ]
    assert report_docs(git_data_dir) == before  # nor the new 1.2 row: the file writes nothing


def test_files_that_are_no_form(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    fill(form_path(out, "苏家湖村"), {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}})
    from openpyxl import Workbook

    Workbook().save(tmp_path / "other.xlsx")
    (tmp_path / "photo.xlsx").write_bytes(b"\xff\xd8\xff\xe0 not a workbook")
    files = [tmp_path / "other.xlsx", tmp_path / "photo.xlsx", tmp_path / "gone.xlsx", form_path(out, "苏家湖村")]
    result = cli("form", "import", *map(str, files), "--data", str(git_data_dir), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{files[0]}: 不是 lanxi 生成的填报表（找不到其隐藏的表单信息）；请用 lanxi form make 生成的表填写\n"
        f"{files[0]}：有 1 处问题，本文件没有导入任何内容。\n"
        f"{files[1]}: 不是有效的 .xlsx 文件（若是 .xls 或 WPS 格式，请另存为 .xlsx 再导入）\n"
        f"{files[1]}：有 1 处问题，本文件没有导入任何内容。\n"
        f"{files[2]}: 文件不存在\n"
        f"{files[2]}：有 1 处问题，本文件没有导入任何内容。\n"
        "3 个文件未导入（共 4 个）。\n"
    )
    [path] = report_docs(git_data_dir)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{files[3]}：表单 20200915-")
    assert lines[0].endswith("（苏家湖村）新增 1 份报告，空行 25，已导入过 0")
    assert lines[1:] == [f"  {path}"]  # shown relative to the data folder's parent, from anywhere


def test_a_formula_typed_into_a_cell_is_refused(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    rows = fill(path, {("5.1", "全程"): {"状态": "进行中", "数量": "=1+2", "日期": D(2020, 9, 2),
                                        "说明": '=HYPERLINK("http://x","看")'}})
    result, [entry] = import_(cli, git_data_dir, path)
    assert result.exit_code == 1
    row = rows[("5.1", "全程")]
    assert entry["errors"] == [f"{path}!填报表!H{row}: 这一格是公式；请直接填写内容",
                               f"{path}!填报表!K{row}: 这一格是公式；请直接填写内容"]
    assert report_docs(git_data_dir) == {}


def test_a_form_whose_hidden_sheet_was_edited_is_refused(cli, git_data_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    fill(path, {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}})
    wb = load_workbook(path)
    form_id = wb["lanxi"]["B2"].value
    wb["lanxi"]["B3"] = "黄湖村"  # claims to be another unit's form
    wb.save(path)
    result, [entry] = import_(cli, git_data_dir, path)
    assert result.exit_code == 1
    assert entry["errors"] == [f"{path}: 表单的隐藏信息与表单编号 {form_id} 不符（被改动过？）；请用原表重新填写"]
    assert report_docs(git_data_dir) == {}


def test_dry_run_writes_nothing(cli, git_data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    fill(path, {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)},
                ("1.4", "2020-09"): {"状态": "进行中", "日期": D(2020, 9, 3)}})
    result = cli("form", "import", str(path), "--dry-run", "--data", str(git_data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("（苏家湖村）将新增 2 份报告，空行 24，已导入过 0")
    assert lines[1:] == ["  1.1 2020-09-02 完成", "  1.4（2020-09） 2020-09-03 进行中"]
    assert result.stderr == "试运行：没有写入任何内容。\n"
    assert report_docs(git_data_dir) == {}
    assert git("status", "--porcelain", "--", "data", cwd=git_data_dir.parent) == ""


def test_without_git_the_reports_stay_and_a_warning_says_so(cli, data_dir, tmp_path):
    out = tmp_path / "out"
    make(cli, data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    fill(path, {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}})
    result, [entry] = import_(cli, data_dir, path)
    assert result.exit_code == 0
    assert len(entry["reports"]) == 1 and list(report_docs(data_dir)) == entry["reports"]
    assert result.stderr.startswith(f"警告：{path} 的报告已保存，但没有提交到 git：")


def test_the_files_written_are_named_from_where_the_folder_was_named(cli, data_dir, tmp_path):
    """Through a symlinked folder (`--data town`), JSON and the table name the
    written reports under town/, as every other answer does, not the link's target."""
    town = data_dir.parent / "town"
    town.symlink_to(data_dir.name)
    out = tmp_path / "out"
    make(cli, town, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")
    fill(path, {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}})
    result, [entry] = import_(cli, town, path, args=("--by", "王五", "--no-commit"))
    assert result.exit_code == 0, result.output
    [written] = entry["reports"]
    assert written.startswith("town/reports/") and (data_dir.parent / written).is_file()
    fill(path, {("1.4", "2020-09"): {"状态": "进行中", "日期": D(2020, 9, 3)}})
    result = cli("form", "import", str(path), "--no-commit", "--data", str(town), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("  town/reports/")


def test_cli_start_up_imports_no_openpyxl():
    code = "import sys, lanxi_cli.cli; print('openpyxl' in sys.modules, 'rich' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.stdout.strip() == "False False"


def test_progress_bar_on_a_terminal_only(data_dir, tmp_path):
    """rich's bar goes to stderr when it is a terminal, and never into a pipe."""
    import pty

    args = [sys.executable, "-m", "lanxi_cli", "form", "make", "-o", str(tmp_path / "out"), "--data", str(data_dir),
            "--as-of", AS_OF, "-u", "苏家湖", "-u", "黄湖", "-u", "罗湖"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "NO_COLOR": "1"}
    piped = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert piped.stderr.startswith("已生成 3 份填报表")
    leader, follower = pty.openpty()
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, env=env) as proc:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=120) == 0
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "生成填报表" in text and "3/3" in text and "已生成 3 份填报表" in text


def test_a_style_down_a_whole_column_is_no_extra_row(cli, git_data_dir, tmp_path):
    from openpyxl.styles import Font

    out = tmp_path / "out"
    make(cli, git_data_dir, out, "--unit", "苏家湖村")
    path = form_path(out, "苏家湖村")

    def style_far_down(ws, where):
        ws["K100000"].font = Font(bold=True)  # a cell with a style and no value

    fill(path, {("1.1", "全程"): {"状态": "完成", "日期": D(2020, 9, 2)}}, edit=style_far_down)
    result, [entry] = import_(cli, git_data_dir, path)
    assert result.exit_code == 0, result.output
    assert (entry["new"], entry["empty"]) == (1, 25)
