"""`lanxi log`: the history of data changes, from git."""

from __future__ import annotations

import json

import pytest
from conftest import git


def add(cli, data_dir, task, unit, date, when, monkeypatch, by=""):
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"{when}T10:00:00+08:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{when}T10:00:00+08:00")
    extra = ("--by", by) if by else ()
    result = cli("report", "add", "--data", str(data_dir), "--as-of", "2020-12-31",
                 "--task", task, "--unit", unit, "--date", date, *extra)
    assert result.exit_code == 0 and "没有提交到 git" not in result.stderr, result.output


@pytest.fixture
def history(cli, git_data_dir, monkeypatch):
    add(cli, git_data_dir, "5.1", "派出所", "2020-09-20", "2020-09-20", monkeypatch, by="张三")
    add(cli, git_data_dir, "1.4", "苏家湖村", "2020-09-25", "2020-09-26", monkeypatch)
    add(cli, git_data_dir, "1.4", "黄湖村", "2020-10-05", "2020-10-06", monkeypatch)
    plan = git_data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git("commit", "-q", "-m", "plan: tidy", "--", "data/plan.yaml", cwd=git_data_dir.parent)
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return git_data_dir


def log(cli, data_dir, *args):
    result = cli("log", "--data", str(data_dir), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_change_newest_first(cli, history):
    rows = log(cli, history)
    assert [r["subject"] for r in rows] == [
        "plan: tidy",
        "报告：1.4 黄湖村 2020-10-05 进行中",
        "报告：1.4 苏家湖村 2020-09-25 进行中",
        "报告：5.1 兰溪派出所 2020-09-20 进行中（张三）",
        "plan",
    ]
    assert {r["author"] for r in rows} == {"测试员"}
    assert rows[1]["date"] == "2020-10-06"
    assert rows[0]["files"] == ["data/plan.yaml"]
    [file] = rows[1]["files"]
    assert file.startswith("data/reports/2020/10/2020-10-05-黄湖村-1.4-")
    assert (history.parent / file).is_file()


@pytest.mark.parametrize(
    ("args", "units"),
    [
        (["--unit", "苏家湖"], ["苏家湖村"]),
        (["--unit", "派出所"], ["兰溪派出所"]),
        (["--task", "1.4"], ["黄湖村", "苏家湖村"]),
        (["--task", "1.4", "--unit", "黄湖村"], ["黄湖村"]),
        (["--since", "2020-09-26"], ["plan:", "黄湖村", "苏家湖村", "plan:"]),  # the fixture commits today
        (["--unit", "枫林社区"], []),
    ],
)
def test_filters(cli, history, args, units):
    rows = log(cli, history, *args)
    assert [r["subject"].split()[1] if r["subject"].startswith("报告：") else "plan:" for r in rows] == units


def test_table(cli, history):
    from rich.cells import cell_len

    result = cli("log", "--data", str(history))
    assert result.exit_code == 0
    assert "作者" in result.stdout and "测试员" in result.stdout and "黄湖村" in result.stdout
    assert all(cell_len(line) <= 80 for line in result.stdout.splitlines())


def test_outside_a_repo_warns_and_shows_nothing(cli, data_dir, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(data_dir.parent.parent))
    result = cli("log", "--data", str(data_dir), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "不在 git 仓库中" in result.stderr


def test_bad_unit_is_a_usage_error(cli, history):
    assert cli("log", "--data", str(history), "--unit", "火星村").exit_code == 2


def test_subjects_written_before_this_version_still_filter(cli, history):
    """Histories keep their English `report: TASK UNIT …` subjects; --unit still finds them."""
    from lanxi_cli.core.reporting import select_changes
    from lanxi_cli.io.gitio import history as read_history

    (history / "old.txt").write_text("x", encoding="utf-8")
    git("add", "data/old.txt", cwd=history.parent)
    git("commit", "-q", "-m", "report: 9.1 罗湖村 2020-10-01 done", cwd=history.parent)
    found = select_changes(read_history(history), unit="罗湖村")
    assert [c.subject for c in found] == ["report: 9.1 罗湖村 2020-10-01 done"]
