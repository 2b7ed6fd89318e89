"""Extensions (延期): a unit asks before the due date, the lead decides."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import obligation


def ask(cli, data_dir, *args, as_of="2020-09-20"):
    return cli("extension", "request", *args, "--data", str(data_dir), "--as-of", as_of)


def decide(cli, data_dir, file, *args, as_of="2020-09-21"):
    return cli("extension", "decide", str(file), *args, "--data", str(data_dir), "--as-of", as_of)


def files(data_dir: Path, folder: str) -> list[Path]:
    return sorted((data_dir / folder).rglob("*.yaml"))


def request_monthly(cli, data_dir) -> Path:
    """黄湖村 asks on 09-20 to move its September 1.4 meeting (due 09-25) to 10-20."""
    result = ask(cli, data_dir, "--task", "1.4", "--unit", "黄湖", "--period", "2020-09",
                 "--until", "2020-10-20", "--reason", "村两委换届，会议顺延")
    assert result.exit_code == 0, result.output
    [path] = files(data_dir, "extensions")
    assert result.stdout.strip().endswith(path.name)
    return path


def test_a_request_is_its_own_file(cli, data_dir):
    path = request_monthly(cli, data_dir)
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {k: str(v) for k, v in saved.items() if k != "recorded"} == {
        "task": "1.4", "unit": "黄湖村", "period": "2020-09", "until": "2020-10-20",
        "reason": "村两委换届，会议顺延", "date": "2020-09-20",
    }
    listed = json.loads(cli("extension", "list", "--data", str(data_dir), "--as-of", "2020-09-30", "-f", "json").stdout)
    assert [(r["task"], r["unit"], r["due"], r["until"], r["decision"]) for r in listed] == [
        ("1.4", "黄湖村", "2020-09-25", "2020-10-20", "pending")
    ]


def test_an_approved_extension_moves_that_one_obligation(cli, data_dir):
    before = obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-09")
    assert (before["due"], before["state"]) == ("2020-09-25", "overdue")
    path = request_monthly(cli, data_dir)
    # Asked but not yet decided: nothing moves.
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-09")["state"] == "overdue"
    result = decide(cli, data_dir, path, "--approve", "--by", "禁毒办")
    assert result.exit_code == 0, result.output
    after = obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-09")
    assert (after["due"], after["state"]) == ("2020-10-20", "open")
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-10-15", "2020-09")["state"] == "due_soon"
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-10-21", "2020-09")["state"] == "overdue"
    # Only that one: the next month, and another village's September, keep their dates.
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-10")["due"] == "2020-10-25"
    other = obligation(cli, data_dir, "苏家湖村", "1.4", "2020-09-30", "2020-09")
    assert (other["due"], other["state"]) == ("2020-09-25", "overdue")
    # The task's overdue units no longer name 黄湖村.
    tasks = json.loads(cli("tasks", "--data", str(data_dir), "--as-of", "2020-09-30", "-f", "json").stdout)
    row = next(r for r in tasks if r["id"] == "1.4")
    assert "黄湖村" not in row["overdue_units"] and "苏家湖村" in row["overdue_units"]
    listed = cli("extension", "list", "--data", str(data_dir), "--as-of", "2020-09-30")
    assert "已同意" in listed.stdout
    # Held by the new date, a meeting reported on 10-10 for September is on time, not late.
    report = data_dir / "reports" / "m.yaml"
    report.write_text("task: '1.4'\nunit: 黄湖村\ndate: 2020-10-10\nstatus: done\nperiod: 2020-09\n", encoding="utf-8")
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-10-30", "2020-09")["state"] == "done"
    assert obligation(cli, data_dir, "苏家湖村", "1.4", "2020-10-30", "2020-09")["state"] == "overdue"


def test_a_rejected_extension_moves_nothing(cli, data_dir):
    path = request_monthly(cli, data_dir)
    result = decide(cli, data_dir, path, "--reject", "--by", "禁毒办", "--note", "理由不充分")
    assert result.exit_code == 0, result.output
    ob = obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-09")
    assert (ob["due"], ob["state"]) == ("2020-09-25", "overdue")
    [review] = files(data_dir, "reviews")
    saved = yaml.safe_load(review.read_text(encoding="utf-8"))
    assert (saved["subject"], saved["decision"], saved["note"]) == (
        path.stem, "rejected", "理由不充分"
    )


def test_a_one_off_task_needs_no_period(cli, data_dir):
    result = ask(cli, data_dir, "--task", "5.1", "--unit", "罗湖村", "--until", "2020-11-10", "--reason", "宣传栏维修",
                 as_of="2020-10-20")
    assert result.exit_code == 0, result.output
    [path] = files(data_dir, "extensions")
    assert "period" not in yaml.safe_load(path.read_text(encoding="utf-8"))
    assert obligation(cli, data_dir, "罗湖村", "5.1", "2020-10-30")["state"] == "overdue"
    assert decide(cli, data_dir, path, "--approve", "--by", "派出所", as_of="2020-10-21").exit_code == 0  # 5.1's lead
    ob = obligation(cli, data_dir, "罗湖村", "5.1", "2020-10-30")
    assert (ob["due"], ob["state"]) == ("2020-11-10", "open")
    assert obligation(cli, data_dir, "罗湖村", "5.1", "2020-11-05")["state"] == "due_soon"


def test_requests_refused_and_nothing_written(cli, data_dir):
    cases = [
        (("--task", "1.4", "--unit", "黄湖", "--period", "2020-09", "--until", "2020-10-20", "--reason", "晚了"),
         "2020-09-26", "截止前申请"),
        (("--task", "1.4", "--unit", "黄湖", "--period", "2020-09", "--until", "2020-09-25", "--reason", "同一天"),
         "2020-09-20", "应晚于"),
        (("--task", "1.4", "--unit", "黄湖", "--period", "2020-13", "--until", "2020-10-20", "--reason", "x"),
         "2020-09-20", "没有周期"),
        (("--task", "1.4", "--unit", "派出所", "--until", "2020-10-20", "--reason", "x"), "2020-09-20", "不负责"),
        (("--task", "1.4", "--unit", "黄湖", "--until", "2020-10-20", "--reason", " "), "2020-09-20", "理由"),
        (("--task", "1.4", "--unit", "黄湖", "--until", "2020-02-30", "--reason", "x"), "2020-09-20", "日期"),
        (("--task", "99.1", "--unit", "黄湖", "--until", "2020-10-20", "--reason", "x"), "2020-09-20", "未知任务"),
    ]
    for args, as_of, words in cases:
        result = ask(cli, data_dir, *args, as_of=as_of)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)
    assert files(data_dir, "extensions") == []


def test_the_default_period_is_the_next_one_due(cli, data_dir):
    # On 09-28 September's meeting (due 09-25) is past; the request is for October.
    result = ask(cli, data_dir, "--task", "1.4", "--unit", "黄湖", "--until", "2020-11-01", "--reason", "x",
                 as_of="2020-09-28")
    assert result.exit_code == 0, result.output
    [path] = files(data_dir, "extensions")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["period"] == "2020-10"


def test_only_the_lead_or_the_assessor_decides(cli, data_dir):
    path = request_monthly(cli, data_dir)
    for unit in ("黄湖村", "苏家湖村"):
        result = decide(cli, data_dir, path, "--approve", "--by", unit)
        assert result.exit_code == 2 and "无权审核" in result.stderr
    assert decide(cli, data_dir, path, "--approve", "--reject", "--by", "禁毒办").exit_code == 2
    assert files(data_dir, "reviews") == []
    assert obligation(cli, data_dir, "黄湖村", "1.4", "2020-09-30", "2020-09")["state"] == "overdue"


def test_check_catches_a_hand_written_request(cli, data_dir):
    bad = data_dir / "extensions" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(
        "task: '1.4'\nunit: 黄湖村\nuntil: 2020-10-20\nreason: x\ndate: 2020-09-20\nperiod: 2020-13\n", encoding="utf-8"
    )
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "bad.yaml:6: period:" in result.stdout
    status = cli("status", "--data", str(data_dir), "--as-of", "2020-09-30")
    assert status.exit_code == 0 and "bad.yaml" in status.stderr


def test_request_and_decision_are_each_committed(cli, git_data_dir):
    from conftest import git

    repo = git_data_dir.parent
    path = request_monthly(cli, git_data_dir)
    assert decide(cli, git_data_dir, path, "--approve", "--by", "禁毒办").exit_code == 0
    assert git("log", "--format=%s", cwd=repo).splitlines() == [
        "延期审批：1.4 黄湖村 2020-09 延至 2020-10-20 同意（禁毒办）",
        "延期申请：1.4 黄湖村 2020-09 延至 2020-10-20",
        "plan",
    ]
    assert git("status", "--porcelain", cwd=repo) == ""
    assert decide(cli, git_data_dir, path, "--reject", "--by", "禁毒办", "--no-commit").exit_code == 0
    assert len(git("log", "--format=%s", cwd=repo).splitlines()) == 3


def test_control_characters_in_free_text_are_refused_before_writing(cli, data_dir):
    """What lanxi writes it must be able to read back: an escape code in --reason,
    --note or --by is refused (exit 2) and no file is written."""
    asked = ask(cli, data_dir, "--task", "1.4", "--unit", "黄湖", "--until", "2020-10-20",
                "--reason", "顺延\x1b[31m", "--no-commit")
    assert asked.exit_code == 2 and "--reason 的第 3 个字符是控制字符或无效字符（U+001B）" in asked.stderr
    noted = cli("indicator", "set", "知晓率", "0.9", "--by", "禁毒办", "--note", "a\x07",
                "--data", str(data_dir), "--as-of", "2020-10-31", "--no-commit")
    assert noted.exit_code == 2 and "note 含有控制字符（U+0007）" in noted.stderr
    assert files(data_dir, "extensions") == [] and files(data_dir, "indicators") == []
