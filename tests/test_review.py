"""销号 review: `lanxi report review FILE --approve|--reject --by UNIT`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import obligation


def write_report(data_dir: Path, name: str, **fields) -> Path:
    path = data_dir / "reports" / "2020" / "09" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")
    return path


def task_row(cli, data_dir, task, as_of):
    result = cli("tasks", "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return next(row for row in json.loads(result.stdout) if row["id"] == task)


def review(cli, data_dir, report, *args, as_of="2020-09-05"):
    return cli("report", "review", str(report), *args, "--data", str(data_dir), "--as-of", as_of)


def review_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reviews").rglob("*.yaml"))


def test_an_unreviewed_done_report_is_claimed(cli, data_dir):
    write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    ob = obligation(cli, data_dir, "苏家湖村", "1.1", "2020-09-05")
    assert (ob["state"], ob["verification"]) == ("done", "claimed")
    other = obligation(cli, data_dir, "黄湖村", "1.1", "2020-09-05")
    assert (other["state"], other["verification"]) == ("overdue", None)
    row = task_row(cli, data_dir, "1.1", "2020-09-05")
    assert (row["units_done"], row["units_verified"]) == (1, 0)


def test_the_lead_approving_verifies_the_claim(cli, data_dir):
    report = write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    before = report.read_bytes()
    result = review(cli, data_dir, report, "--approve", "--by", "镇禁毒办", "--note", "材料齐全")
    assert result.exit_code == 0, result.output
    [written] = review_files(data_dir)
    assert result.stdout.strip().endswith(written.name)
    saved = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert saved["subject"] == "a"  # the subject is named by its id
    assert (saved["decision"], saved["by"], saved["note"]) == ("approved", "禁毒办", "材料齐全")
    assert str(saved["date"]) == "2020-09-05"
    assert report.read_bytes() == before  # the report is never edited
    ob = obligation(cli, data_dir, "苏家湖村", "1.1", "2020-09-05")
    assert (ob["state"], ob["verification"]) == ("done", "verified")
    row = task_row(cli, data_dir, "1.1", "2020-09-05")
    assert (row["units_done"], row["units_verified"]) == (1, 1)
    # A review counts from its own day on: the day before, the claim is still unverified.
    assert obligation(cli, data_dir, "苏家湖村", "1.1", "2020-09-04")["verification"] == "claimed"


def test_a_rejected_claim_reopens_the_obligation(cli, data_dir):
    report = write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    result = review(cli, data_dir, report, "--reject", "--by", "禁毒办", "--note", "未见方案原件")
    assert result.exit_code == 0, result.output
    ob = obligation(cli, data_dir, "苏家湖村", "1.1", "2020-09-05")
    assert (ob["state"], ob["verification"], ob["completed_on"]) == ("overdue", "rejected", None)
    assert "苏家湖村" in task_row(cli, data_dir, "1.1", "2020-09-05")["overdue_units"]
    # A later approval of the same claim is the decision in force.
    assert review(cli, data_dir, report, "--approve", "--by", "禁毒办", as_of="2020-09-06").exit_code == 0
    ob = obligation(cli, data_dir, "苏家湖村", "1.1", "2020-09-06")
    assert (ob["state"], ob["verification"]) == ("done", "verified")


def test_a_rejected_report_loses_its_counts_too(cli, data_dir):
    # 4.1 is done when two trainings are counted; each village reports its own.
    first = write_report(data_dir, "a", task="4.1", unit="罗湖村", date="2020-08-20", count=1)
    write_report(data_dir, "b", task="4.1", unit="罗湖村", date="2020-09-01", count=1)
    ob = obligation(cli, data_dir, "罗湖村", "4.1", "2020-09-05")
    assert (ob["state"], ob["count"], ob["verification"]) == ("done", 2, "claimed")
    assert review(cli, data_dir, first, "--reject", "--by", "文化综合服务站").exit_code == 0
    ob = obligation(cli, data_dir, "罗湖村", "4.1", "2020-09-05")
    assert (ob["state"], ob["count"], ob["verification"]) == ("overdue", 1, "rejected")


def test_only_the_lead_or_the_assessor_may_review(cli, data_dir):
    report = write_report(data_dir, "a", task="4.1", unit="罗湖村", date="2020-08-20", status="done")
    refused = review(cli, data_dir, report, "--approve", "--by", "苏家湖村")
    assert refused.exit_code == 2
    assert "无权审核" in refused.stderr
    assert review_files(data_dir) == []
    assert review(cli, data_dir, report, "--approve", "--by", "文化综合服务站").exit_code == 0  # the lead
    assert review(cli, data_dir, report, "--approve", "--by", "禁毒办").exit_code == 0  # the assessor
    assert len(review_files(data_dir)) == 2


def test_review_refuses_bad_requests_and_writes_nothing(cli, data_dir):
    progress = write_report(data_dir, "p", task="1.1", unit="苏家湖村", date="2020-09-02", status="progress")
    done = write_report(data_dir, "d", task="1.1", unit="黄湖村", date="2020-09-02", status="done")
    cases = [
        (progress, ("--approve", "--by", "禁毒办"), "无需核验"),
        (done, ("--approve", "--reject", "--by", "禁毒办"), "选择一个"),
        (done, ("--by", "禁毒办"), "选择一个"),
        (data_dir / "reports" / "nope.yaml", ("--approve", "--by", "禁毒办"), "找不到"),
        (done, ("--approve", "--by", "没有这个单位"), "未知单位"),
    ]
    for file, args, words in cases:
        result = review(cli, data_dir, file, *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr
    assert review(cli, data_dir, done, "--approve", "--by", "禁毒办", as_of="2020-09-01").exit_code == 2
    assert review_files(data_dir) == []


def test_tables_tell_claimed_from_verified(cli, data_dir):
    write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    verified = write_report(data_dir, "b", task="1.2", unit="苏家湖村", date="2020-09-02", status="done")
    assert review(cli, data_dir, verified, "--approve", "--by", "禁毒办").exit_code == 0
    table = cli("status", "--unit", "苏家湖村", "--data", str(data_dir), "--as-of", "2020-09-05").stdout
    lines = table.splitlines()
    row_11 = lines.index(next(line for line in lines if line.lstrip().startswith("1.1 ")))
    row_12 = lines.index(next(line for line in lines if line.lstrip().startswith("1.2 ")))
    assert "已申报" in lines[row_11 + 1] and "已核验" not in lines[row_11 + 1]
    assert "已核验" in lines[row_12 + 1]
    summary = cli("status", "--data", str(data_dir), "--as-of", "2020-09-05").stdout
    assert "已核验 1 项，已申报待核验 1 项" in summary
    rows = json.loads(cli("status", "--data", str(data_dir), "--as-of", "2020-09-05", "-f", "json").stdout)
    mine = next(u for u in rows["units"] if u["unit"] == "苏家湖村")
    assert (mine["done"], mine["verified"]) == (2, 1)


def test_check_and_queries_catch_a_hand_written_review(cli, data_dir):
    write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    bad = data_dir / "reviews" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(
        "subject: reports/2020/09/a.yaml\ndecision: rejected\nby: 苏家湖村\ndate: 2020-09-05\n", encoding="utf-8"
    )
    gone = data_dir / "reviews" / "gone.yaml"
    gone.write_text("subject: reports/none.yaml\ndecision: approved\nby: 禁毒办\ndate: 2020-09-05\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "bad.yaml:3: by:" in result.stdout and "无权审核" in result.stdout
    assert "gone.yaml:1: subject:" in result.stdout
    status = cli("status", "--unit", "苏家湖村", "--data", str(data_dir), "--as-of", "2020-09-05", "-f", "json")
    assert status.exit_code == 0
    assert "bad.yaml" in status.stderr  # warned about, and left out: the claim stands
    ob = next(o for o in json.loads(status.stdout)["obligations"] if o["task"] == "1.1")
    assert (ob["state"], ob["verification"]) == ("done", "claimed")


def test_review_from_inside_the_data_folder_with_a_relative_path(data_dir):
    from conftest import run_lanxi

    write_report(data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    result = run_lanxi("report", "review", "reports/2020/09/a.yaml", "--approve", "--by", "禁毒办",
                       "--data", str(data_dir), "--as-of", "2020-09-05", "--no-commit", cwd=data_dir)
    assert result.returncode == 0, result.stderr
    [written] = review_files(data_dir)
    assert result.stdout.strip() == written.relative_to(data_dir.parent).as_posix()  # the same from anywhere
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["subject"] == "a"
    status = run_lanxi("status", "--unit", "苏家湖村", "--as-of", "2020-09-05", "-f", "json", cwd=data_dir.parent)
    ob = next(o for o in json.loads(status.stdout)["obligations"] if o["task"] == "1.1")
    assert ob["verification"] == "verified"


def test_the_new_commands_keep_start_up_light():
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import sys, lanxi_cli.cli, lanxi_cli.cli.review, lanxi_cli.cli.goals\n"
        "heavy = [m for m in ('pydantic', 'yaml', 'rich') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_review_is_committed_alone_with_a_plain_message(cli, git_data_dir):
    from conftest import git

    repo = git_data_dir.parent
    report = write_report(git_data_dir, "a", task="1.1", unit="苏家湖村", date="2020-09-02", status="done")
    result = review(cli, git_data_dir, report, "--reject", "--by", "禁毒办")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert git("log", "-1", "--format=%s", cwd=repo).strip() == "销号核验：1.1 苏家湖村 2020-09-02 退回（禁毒办）"
    changed = git("-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD", cwd=repo).split()
    assert changed == [p.relative_to(repo).as_posix() for p in review_files(git_data_dir)]
    assert "?? data/reports/" in git("status", "--porcelain", cwd=repo)  # the report itself is not mine to commit
