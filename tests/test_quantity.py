"""A quantity target needs a quantity: a bare `done` is refused where a count or rate target
applies (a count target of 1 excepted), and one already on disk completes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import obligation

AS_OF = "2020-09-20"


def run(cli, data_dir, *args, as_of=AS_OF):
    return cli(*args, "--data", str(data_dir), "--as-of", as_of)


def add(cli, data_dir, *args, as_of=AS_OF):
    return run(cli, data_dir, "report", "add", *args, "--no-commit", as_of=as_of)


@pytest.mark.parametrize(("args", "says"), [
    (("-t", "6.3", "-u", "苏家湖村"), "任务 6.3 的目标是禁毒宣传信息（条） 至少 4：请用 --count 写明本次完成的数量"),
    (("-t", "4.1", "-u", "苏家湖村"), "任务 4.1 的目标是从业人员资格审查和从业培训（次） 至少 2：请用 --count"),
    (("-t", "6.1", "-u", "苏家湖村"), "任务 6.1 的目标是道路沿线路边禁毒墙体宣传标语覆盖率 达到 50%：请用 --rate"),
    (("-t", "2.3", "-u", "苏家湖村", "--rate", "1"), "请用 --part 指明分项（知晓率、竞赛参与率）"),
    (("-t", "7.1", "-u", "禁毒办", "-n", "1"), "请用 --part 指明分项（中央省级、省内其他）"),
])
def test_a_bare_done_is_refused_naming_the_target(cli, data_dir, args, says):
    result = add(cli, data_dir, *args, "-s", "done")
    assert result.exit_code == 2
    assert says in result.stderr
    assert not list((data_dir / "reports").rglob("*.yaml"))


def test_a_done_with_its_quantity_a_progress_and_a_count_of_1_are_taken(cli, data_dir):
    for args in (("-t", "6.3", "-u", "苏家湖村", "-s", "done", "-n", "4"),
                 ("-t", "6.3", "-u", "黄湖村", "-n", "1"),  # progress: no quantity needed
                 ("-t", "2.3", "-u", "罗湖村", "-s", "done", "--part", "知晓率", "--rate", "1", "-d", "2020-09-02"),
                 ("-t", "2.3", "-u", "罗湖村", "-s", "done", "--part", "竞赛参与率", "--rate", "1", "-d", "2020-09-03"),
                 ("-t", "7.1", "-u", "枫林社区", "-s", "done")):  # a count target of 1: done counts 1
        result = add(cli, data_dir, *args)
        assert result.exit_code == 0, (args, result.output)
    assert obligation(cli, data_dir, "苏家湖村", "6.3", AS_OF, "2020-09")["state"] == "done"
    assert obligation(cli, data_dir, "罗湖村", "2.3", AS_OF)["state"] == "done"  # both parts by 09-03
    seventh = obligation(cli, data_dir, "枫林社区", "7.1", AS_OF)
    assert (seventh["state"], seventh["count"], seventh["target"]) == ("done", 1, 1)


def test_a_bare_done_on_disk_completes_nothing_and_check_says_how_to_fix_it(cli, data_dir):
    """The issue's 0/2: 4.1 (2 trainings) with a `done` saying none."""
    (data_dir / "reports" / "r.yaml").write_text(
        "task: '4.1'\nunit: 黄湖村\ndate: 2020-09-02\nstatus: done\n", encoding="utf-8")
    ob = obligation(cli, data_dir, "黄湖村", "4.1", AS_OF)
    assert (ob["state"], ob["count"], ob["target"]) == ("overdue", 0, 2)
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 0
    assert ("data/reports/r.yaml: 任务 4.1 的目标是从业人员资格审查和从业培训（次） 至少 2，这份“完成”报告没有写明，"
            "不计入完成；更正：lanxi report amend r --count N --reason 补报数量") in result.stderr
    found = json.loads(cli("check", "--data", str(data_dir), "--format", "json").stdout)
    assert found["ok"] is True and [w["file"] for w in found["warnings"]] == ["data/reports/r.yaml"]
    # the amend it names fixes it; a bare amend is refused as report add refuses it
    bare = run(cli, data_dir, "report", "amend", "r", "--reason", "x", "--no-commit")
    assert bare.exit_code == 2 and "请用 --count 写明本次完成的数量" in bare.stderr
    fixed = run(cli, data_dir, "report", "amend", "r", "--count", "2", "--reason", "补报数量", "--no-commit")
    assert fixed.exit_code == 0, fixed.output
    assert obligation(cli, data_dir, "黄湖村", "4.1", AS_OF)["state"] == "done"
    assert "warnings" in json.loads(cli("check", "--data", str(data_dir), "--format", "json").stdout)
    assert json.loads(cli("check", "--data", str(data_dir), "--format", "json").stdout)["warnings"] == []


def test_form_import_names_the_cell_of_a_bare_done(cli, git_data_dir, tmp_path):
    from openpyxl import load_workbook

    made = run(cli, git_data_dir, "form", "make", "-o", str(tmp_path), "--unit", "苏家湖村", as_of="2020-09-15")
    assert made.exit_code == 0
    path = tmp_path / "苏家湖村-填报表-2020-09-15.xlsx"
    wb = load_workbook(path)
    ws = wb["填报表"]
    rows = {(ws[f"B{r}"].value, ws[f"D{r}"].value): r for r in range(5, ws.max_row + 1)}
    bare, good = rows[("6.3", "2020-09")], rows[("1.1", "全程")]
    ws[f"G{bare}"], ws[f"J{bare}"] = "完成", dt.datetime(2020, 9, 14)
    ws[f"G{good}"], ws[f"J{good}"] = "完成", dt.datetime(2020, 9, 2)
    wb.save(path)
    result = run(cli, git_data_dir, "form", "import", str(path), "--by", "王五", as_of="2020-09-15")
    assert result.exit_code == 1
    assert f"!填报表!H{bare}: 任务 6.3 的目标是禁毒宣传信息（条） 至少 4：请用 数量 写明本次完成的数量" in result.stderr
    assert not list((git_data_dir / "reports").rglob("*.yaml"))  # nothing from that file, the good row neither
