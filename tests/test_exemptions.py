"""Exemptions (不适用): a unit asks that an obligation not apply to it; the lead or 禁毒办
decides; an approved one is `exempt` from its approval's date and counts in no total."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import git, obligation


def ask(cli, data_dir, *args, as_of="2020-09-20"):
    return cli("exemption", "request", *args, "--data", str(data_dir), "--as-of", as_of)


def decide(cli, data_dir, ref, *args, as_of="2020-09-21"):
    return cli("exemption", "decide", ref, *args, "--data", str(data_dir), "--as-of", as_of)


def listed(cli, data_dir, as_of="2020-09-30"):
    result = cli("exemption", "list", "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def files(data_dir: Path, folder: str) -> list[Path]:
    return sorted((data_dir / folder).rglob("*.yaml"))


def request_high_school(cli, data_dir) -> str:
    """苏家湖村 has no high school: 3.3 does not apply to it. Returns the request's id."""
    result = ask(cli, data_dir, "--task", "3.3", "--unit", "苏家湖", "--reason", "本村无高中", "--by", "张三")
    assert result.exit_code == 0, result.output
    [path] = files(data_dir, "exemptions")
    assert result.stdout.strip().endswith(path.name)
    return path.stem


def test_a_request_is_its_own_file_and_listed(cli, data_dir):
    rid = request_high_school(cli, data_dir)
    [path] = files(data_dir, "exemptions")
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {k: str(v) for k, v in saved.items() if k != "recorded"} == {
        "task": "3.3", "unit": "苏家湖村", "reason": "本村无高中", "date": "2020-09-20", "by": "张三"}
    [row] = listed(cli, data_dir)
    assert {k: row[k] for k in ("id", "task", "unit", "period", "reason", "decision")} == {
        "id": rid, "task": "3.3", "unit": "苏家湖村", "period": None, "reason": "本村无高中", "decision": None}


def test_an_approved_exemption_is_exempt_from_its_approval_s_date(cli, data_dir):
    """Asked on 09-20, approved on 09-21: before 09-21 every answer is as if it had not been made."""
    rid = request_high_school(cli, data_dir)
    assert obligation(cli, data_dir, "苏家湖村", "3.3", "2020-10-05")["state"] == "overdue"  # asked, not decided
    result = decide(cli, data_dir, rid, "--approve", "--by", "禁毒办", "--note", "情况属实")
    assert result.exit_code == 0, result.output
    assert listed(cli, data_dir)[0]["decision"] == "approved"
    assert listed(cli, data_dir, "2020-09-20")[0]["decision"] is None
    assert listed(cli, data_dir, "2020-09-19") == []
    for as_of in ("2020-08-01", "2020-09-20"):
        assert obligation(cli, data_dir, "苏家湖村", "3.3", as_of)["state"] != "exempt"
    for as_of in ("2020-09-21", "2020-10-05", "2021-01-01"):
        assert obligation(cli, data_dir, "苏家湖村", "3.3", as_of)["state"] == "exempt"
    assert obligation(cli, data_dir, "黄湖村", "3.3", "2020-10-05")["state"] == "overdue"


def test_exempt_counts_in_no_total_and_tables_show_it(cli, data_dir):
    args = ("--data", str(data_dir), "--as-of", "2020-10-05")

    def status_row(unit):
        out = json.loads(cli("status", *args, "--format", "json").stdout)
        return next(r for r in out["units"] if r["unit"] == unit)

    def assess_row(unit):
        return next(r for r in json.loads(cli("assess", *args, "--format", "json").stdout) if r["unit"] == unit)

    before, score_before = status_row("苏家湖村"), assess_row("苏家湖村")
    assert "不适" not in cli("status", *args).stdout  # the column shows once an exemption is approved
    rid = request_high_school(cli, data_dir)
    assert decide(cli, data_dir, rid, "--approve", "--by", "禁毒办").exit_code == 0
    after, score_after = status_row("苏家湖村"), assess_row("苏家湖村")
    assert (after["total"], after["overdue"], after["exempt"]) == (before["total"] - 1, before["overdue"] - 1, 1)
    assert (score_after["total"], score_after["overdue"]) == (score_before["total"] - 1, score_before["overdue"] - 1)
    overall = cli("status", *args).stdout.splitlines()
    assert "不适" in overall[2] and "用" in overall[3]
    assert next(line for line in overall if line.startswith("苏家湖村")).split()[-3] == "1"
    table = cli("status", "--unit", "苏家湖村", *args).stdout
    line = next(line for line in table.splitlines() if line.startswith("3.3 "))
    assert "不适用" in line
    matrix = cli("status", "--matrix", *args).stdout
    row = next(line for line in matrix.splitlines() if line.startswith("苏家湖村"))
    assert "-" in row and "- 不适用" in matrix
    bulletin = cli("bulletin", *args).stdout
    assert "（另有1项经批准不适用，不计入）" in bulletin


def test_a_rejected_exemption_changes_nothing(cli, data_dir):
    rid = request_high_school(cli, data_dir)
    assert decide(cli, data_dir, rid, "--reject", "--by", "禁毒办").exit_code == 0
    assert listed(cli, data_dir)[0]["decision"] == "rejected"
    assert obligation(cli, data_dir, "苏家湖村", "3.3", "2020-10-05")["state"] == "overdue"


def test_one_period_of_a_monthly_task(cli, data_dir):
    result = ask(cli, data_dir, "--task", "6.3", "--unit", "金石村", "--period", "2020-10", "--reason", "网站改版停更")
    assert result.exit_code == 0, result.output
    [path] = files(data_dir, "exemptions")
    assert decide(cli, data_dir, str(path), "--approve", "--by", "党建办").exit_code == 0  # by path, by the lead
    assert obligation(cli, data_dir, "金石村", "6.3", "2020-11-05", "2020-10")["state"] == "exempt"
    assert obligation(cli, data_dir, "金石村", "6.3", "2020-11-05", "2020-09")["state"] == "overdue"


def test_requests_and_decisions_refused_write_nothing(cli, data_dir):
    for args, says in (
        (("--task", "3.3", "--unit", "邮政", "--reason", "x"), "邮政 不负责任务 3.3"),
        (("--task", "6.3", "--unit", "金石村", "--period", "2021-01", "--reason", "x"), "没有周期“2021-01”"),
        (("--task", "3.3", "--unit", "金石村", "--period", "2020-09", "--reason", "x"), "只有一个周期"),
        (("--task", "3.3", "--unit", "金石村", "--reason", " "), "--reason 不能为空"),
        (("--task", "99.9", "--unit", "金石村", "--reason", "x"), "99.9"),
    ):
        result = ask(cli, data_dir, *args)
        assert result.exit_code == 2 and says in result.stderr, (args, result.output)
    assert files(data_dir, "exemptions") == []
    rid = request_high_school(cli, data_dir)
    for args, says in (
        ((rid, "--approve", "--by", "苏家湖村"), "无权审核"),  # the unit itself may not decide
        ((rid, "--approve", "--reject", "--by", "禁毒办"), "选择一个"),
        (("no-such-id", "--approve", "--by", "禁毒办"), "找不到不适用申请"),
    ):
        result = decide(cli, data_dir, *args)
        assert result.exit_code == 2 and says in result.stderr, (args, result.output)
    assert files(data_dir, "reviews") == []


def test_check_refuses_a_decision_by_someone_else(cli, data_dir):
    rid = request_high_school(cli, data_dir)
    [path] = files(data_dir, "exemptions")
    review = data_dir / "reviews" / "r.yaml"
    review.parent.mkdir()
    review.write_text(f"subject: exemptions/2020/09/{path.name}\ndecision: approved\nby: 司法所\ndate: 2020-09-21\n",
                      encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "r.yaml:3: by: 司法所 不是任务 3.3 的牵头单位，也不是考核单位，无权审核" in result.stdout
    assert obligation(cli, data_dir, "苏家湖村", "3.3", "2020-10-05")["state"] == "overdue"
    assert rid


def test_request_and_decision_are_each_committed(cli, git_data_dir):
    repo = git_data_dir.parent
    rid = request_high_school(cli, git_data_dir)
    assert decide(cli, git_data_dir, rid, "--approve", "--by", "禁毒办").exit_code == 0
    subjects = git("log", "--format=%s", cwd=repo).splitlines()[:2]
    assert subjects == ["不适用审批：3.3 苏家湖村 同意（禁毒办）", "不适用申请：3.3 苏家湖村"]
    assert git("status", "--porcelain", cwd=repo) == ""
