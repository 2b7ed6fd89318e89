"""When git does not know who is committing, lanxi keeps the report and says
exactly how to tell git (a newcomer's first `report add` on a fresh machine)."""

from __future__ import annotations

from conftest import git, run_lanxi


def test_report_add_without_git_identity_says_how_to_set_it(data_dir, tmp_path):
    repo = data_dir.parent
    git("init", "-q", cwd=repo)
    home = tmp_path / "home"  # no ~/.gitconfig, no system config, no identity in the environment
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "EMAIL": "",
           "GIT_AUTHOR_NAME": "", "GIT_AUTHOR_EMAIL": "", "GIT_COMMITTER_NAME": "", "GIT_COMMITTER_EMAIL": ""}
    result = run_lanxi("report", "add", "--task", "1.1", "--unit", "苏家湖", "--status", "done", "--by", "张三",
                       "--data", str(data_dir), "--as-of", "2020-09-02", env=env)
    assert result.returncode == 0, result.stderr
    path = repo / result.stdout.strip()
    assert path.is_file()  # the report is kept
    warning = [line for line in result.stderr.splitlines() if line.startswith("警告：")]
    assert len(warning) == 1
    # in Chinese, never git's own English (fatal: unable to auto-detect email address …)
    assert warning[0].startswith("警告：报告已保存，但没有提交到 git：git commit 失败：git 不知道提交人是谁；")
    assert "fatal" not in warning[0] and "email address" not in warning[0]
    assert f"；请先告诉 git 您是谁（只需一次）：git config --global user.name \"张三\" 和 " \
           "git config --global user.email \"zhangsan@example.org\"；" \
           f"未提交的文件：{result.stdout.strip()}（未暂存，仍在磁盘上，git reset --hard 不会删除它；" \
           f"问题解决后补交：git -C {repo} add -- '{result.stdout.strip()}'" in warning[0]
    assert git("status", "--porcelain", cwd=repo).startswith("?? ")  # kept, unstaged, so no reset can delete it


def test_other_git_failures_get_no_identity_hint(tmp_path):
    import subprocess

    from lanxi_cli.io import gitio

    def failing(args, cwd):
        return subprocess.CompletedProcess(["git", *args], 1, "", "fatal: pathspec 'x' did not match any files")

    try:
        gitio._retrying(["add", "x"], tmp_path, run=failing, sleep=lambda _: None)
    except gitio.GitError as exc:
        assert str(exc) == "git add 失败：fatal: pathspec 'x' did not match any files"
    else:
        raise AssertionError("a failing git call must raise")
