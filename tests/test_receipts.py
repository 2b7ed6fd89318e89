"""签收 (issue 27): `lanxi ack` for the notice and for a 督办通知单; a unit that filed a report has
received the notice; `status` names who is late to acknowledge; the 台账 and the dashboard show the dates."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git


def run(cli, data, *args, as_of="2020-09-15"):
    return cli(*args, "--data", str(data), "--as-of", as_of)


def status(cli, data, as_of="2020-09-15") -> dict:
    return {u["unit"]: u for u in json.loads(run(cli, data, "status", "--format", "json", as_of=as_of).stdout)["units"]}


def receipts(data: Path) -> list[Path]:
    return sorted((data / "receipts").rglob("*.yaml")) if (data / "receipts").exists() else []


def test_ack_for_the_notice_a_group_in_one_commit(cli, git_data_dir):
    data = git_data_dir
    before = git("rev-list", "--count", "HEAD", cwd=data.parent)
    result = run(cli, data, "ack", "-u", "各村、社区", "-u", "邮政", "--date", "2020-09-02", "--by", "王五")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 24 == len(receipts(data))  # 22 villages, 1 community, 邮政
    assert int(git("rev-list", "--count", "HEAD", cwd=data.parent)) == int(before) + 1
    assert git("log", "-1", "--format=%s", cwd=data.parent).strip() == "签收：苏家湖村 等 24 个单位 2020-09-02 签收通知"
    rows = status(cli, data)
    assert rows["苏家湖村"]["ack"] == {"date": "2020-09-02", "by": "ack"}
    assert rows["中心校"]["ack"] is None
    again = run(cli, data, "ack", "-u", "苏家湖", "-u", "中心校")
    assert again.exit_code == 0 and "苏家湖村 已于 2020-09-02 签收" in again.stderr
    assert status(cli, data)["中心校"]["ack"] == {"date": "2020-09-15", "by": "ack"}
    assert len(receipts(data)) == 25


def test_a_report_counts_as_receipt_and_status_names_the_late(cli, data_dir):
    data = data_dir
    assert run(cli, data, "report", "add", "-t", "1.1", "-u", "黄湖", "-d", "2020-09-05", "--no-commit").exit_code == 0
    assert run(cli, data, "ack", "-u", "罗湖", "-d", "2020-09-03", "--no-commit").exit_code == 0
    rows = status(cli, data)
    assert rows["黄湖村"]["ack"] == {"date": "2020-09-05", "by": "report"}  # already at work: it got the notice
    assert rows["罗湖村"]["ack"] == {"date": "2020-09-03", "by": "ack"}
    on_time = run(cli, data, "status", as_of="2020-09-03").stdout
    assert "未签收" not in on_time  # 2 days after 09-01 are allowed
    late = run(cli, data, "status", as_of="2020-09-04").stdout
    assert "未签收 31 个单位（应于 2020-09-03 前签收" in late  # 33 owing units, less 罗湖村; 黄湖村's report is 09-05
    table = run(cli, data, "status").stdout
    line = table[table.index("未签收"):].replace("\n", "")
    assert "苏家湖村" in line and "黄湖村" not in line and "罗湖村" not in line and "禁毒办" not in line
    csv = run(cli, data, "status", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",签收") and any(r.startswith("黄湖村,") and r.endswith(",2020-09-05") for r in csv)


def test_ack_of_a_notice_names_a_record_under_notices(cli, git_data_dir):
    data = git_data_dir
    folder = data / "notices" / "2020" / "09"
    folder.mkdir(parents=True)
    (folder / "2020-09-20-督办-苏家湖村-1a2b3c.yaml").write_text(
        "unit: 苏家湖村\ndate: 2020-09-20\nreply_by: 2020-09-23\n", encoding="utf-8")  # as `lanxi notice` records one
    missing = run(cli, data, "ack", "-u", "苏家湖", "--of", "2020-09-20-督办-苏家湖村-ffffff", as_of="2020-09-21")
    assert missing.exit_code == 2 and "找不到督办通知单" in missing.stderr
    result = run(cli, data, "ack", "-u", "苏家湖", "--of", "2020-09-20-督办-苏家湖村-1a2b3c", "--by", "张三",
                 as_of="2020-09-21")
    assert result.exit_code == 0, result.output
    import yaml

    [path] = receipts(data)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "unit": "苏家湖村", "date": __import__("datetime").date(2020, 9, 21), "of": "2020-09-20-督办-苏家湖村-1a2b3c",
        "by": "张三", "recorded": yaml.safe_load(path.read_text(encoding="utf-8"))["recorded"]}
    assert "督办通知单 2020-09-20-督办-苏家湖村-1a2b3c" in git("log", "-1", "--format=%s", cwd=data.parent)
    assert status(cli, data, "2020-09-21")["苏家湖村"]["ack"] is None  # a 督办通知单's 签收 is not the notice's
    twice = run(cli, data, "ack", "-u", "苏家湖", "--of", "2020-09-20-督办-苏家湖村-1a2b3c", as_of="2020-09-22")
    assert "已于 2020-09-21 签收" in twice.stderr and len(receipts(data)) == 1


def test_ack_refusals_write_nothing(cli, data_dir):
    assert run(cli, data_dir, "ack", "-u", "火星村").exit_code == 2
    assert run(cli, data_dir, "ack", "-u", "苏家湖", "-d", "2020-08-31").exit_code == 2  # before the notice
    assert run(cli, data_dir, "ack", "-u", "苏家湖", "-d", "2020-09-16").exit_code == 2  # after today
    assert receipts(data_dir) == []


def test_the_ledger_and_the_dashboard_show_each_units_receipt(cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    run(cli, data_dir, "ack", "-u", "苏家湖", "-d", "2020-09-02", "--no-commit")
    run(cli, data_dir, "report", "add", "-t", "1.1", "-u", "黄湖", "-d", "2020-09-05", "--no-commit")
    assert run(cli, data_dir, "export", "-o", str(tmp_path / "台账.xlsx")).exit_code == 0
    sheet = load_workbook(tmp_path / "台账.xlsx")["按单位"]
    header = [c.value for c in sheet[2]]
    column = header.index("签收")
    dates = {row[0].value: row[column].value for row in sheet.iter_rows(min_row=3)}
    assert dates["苏家湖村"].date().isoformat() == "2020-09-02" and dates["黄湖村"].date().isoformat() == "2020-09-05"
    assert dates["罗湖村"] is None
    assert run(cli, data_dir, "dashboard", "-o", str(tmp_path / "看板.html")).exit_code == 0
    page = (tmp_path / "看板.html").read_text(encoding="utf-8")
    part = page[page.index("十、签收情况"):]
    assert "<td>苏家湖村</td><td>2020-09-02" in part and "<td>黄湖村</td><td>2020-09-05" in part
    assert '<td>罗湖村</td><td><span class="overdue">未签收</span>' in part


def test_an_inspection_under_a_villages_name_is_not_its_receipt(cli, data_dir):
    """10.2 (`actor: lead`): 禁毒办 inspects 苏家湖村 and records it under the village's name; the village
    has not thereby received the notice."""
    result = run(cli, data_dir, "report", "add", "-t", "10.2", "-u", "苏家湖", "-d", "2020-09-03", "--no-commit")
    assert result.exit_code == 0, result.output
    assert status(cli, data_dir)["苏家湖村"]["ack"] is None
