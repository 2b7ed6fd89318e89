"""Trust, second round (issue 24): what a fresh outside attack found.

Real git repositories, a real small file system where the machine lets the
test mount one, real bare remotes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED, git, run_lanxi

AS_OF = "2020-09-20"


def reports(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports").rglob("*.yaml"))


def staged(repo: Path) -> str:
    return git("diff", "--cached", "--name-status", cwd=repo)


# ---- 1. nothing staged is left behind ------------------------------------------------------


def _steps(fail_at: int, monkeypatch):
    """Fail the `fail_at`-th step as a full disk would: 0 `git add` in the
    private index, 1 the commit, 2 the private index taking the index's place."""
    from lanxi_cli.io import gitio

    calls = []

    def run(args, cwd, index=None):
        calls.append(args[0])
        if len(calls) - 1 == fail_at:
            return subprocess.CompletedProcess(args, 128, "", "fatal: write error: No space left on device")
        return gitio._git(args, cwd, index)

    def install(private, real):
        calls.append("install")
        raise OSError(28, "No space left on device")

    if fail_at == 2:
        monkeypatch.setattr(gitio, "_install", install)
    return run, calls


@pytest.mark.parametrize("step", [0, 1, 2])
def test_a_failure_at_each_git_step_leaves_nothing_staged(git_data_dir, step, monkeypatch):
    """add, commit, and the index catching up: a failure at any of them leaves
    the report on disk, the index never holding it staged, and `git reset --hard` harmless."""
    from lanxi_cli.io import gitio

    repo = git_data_dir.parent
    path = git_data_dir / "reports" / "r.yaml"
    path.write_text("task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n", encoding="utf-8")
    run, calls = _steps(step, monkeypatch)
    with pytest.raises(gitio.GitError) as raised:
        gitio.commit_file(path, "报告", run=run, sleep=lambda _: None)
    assert calls == ["add", "commit", "install"][: step + 1]
    said = str(raised.value) + raised.value.remedy
    assert "data/reports/r.yaml" in said
    if step < 2:
        assert git("status", "--porcelain", cwd=repo) == "?? data/reports/\n"
        assert "git reset --hard 不会删除它" in said and f"git -C {repo} add -- data/reports/r.yaml" in said
        assert git("rev-list", "--count", "HEAD", cwd=repo) == "1\n"
    else:  # committed; the index lags and the warning says how to bring it level
        assert isinstance(raised.value, gitio.IndexBehind)
        assert git("rev-list", "--count", "HEAD", cwd=repo) == "2\n"
        assert staged(repo) == "D\tdata/reports/r.yaml\n"
        command = said.split("请运行 ")[1].split(" 使暂存区")[0]
        subprocess.run(command, shell=True, check=True)
        assert git("status", "--porcelain", cwd=repo) == ""
    git("reset", "-q", "--hard", cwd=repo)
    assert path.read_text(encoding="utf-8").startswith("task: '1.1'")
    assert not list((repo / ".git").glob("lanxi-index*")) and not (repo / ".git" / "index.lock").exists()


def _tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def test_a_full_disk_at_any_git_step_leaves_nothing_staged(git_data_dir, tmp_path_factory):
    """The finding: with 12–28 KB free, `git add` succeeded, the commit and the
    unstaging failed, and `git reset --hard` deleted the report. On a real
    3 MB file system left with 4 … 60 KB free: the report survives `git reset
    --hard` every time, and is never left staged without a warning saying so."""
    small = tmp_path_factory.mktemp("small")
    if not _tmpfs(small):
        pytest.skip("cannot mount a tmpfs here (not root); the injected faults above cover each step")
    try:
        outcomes = set()
        for free in range(4, 64, 4):
            repo = small / "town"
            shutil.copytree(git_data_dir.parent, repo, symlinks=True)
            fill = small / "fill"
            stat = os.statvfs(small)
            with open(fill, "wb") as handle, contextlib.suppress(OSError):
                handle.truncate(0)
                left = stat.f_bavail * stat.f_frsize - free * 1024
                chunk = b"\0" * (1 << 20)
                while left > 0:
                    left -= handle.write(chunk[: min(left, len(chunk))])
            result = run_lanxi("report", "add", "--task", "1.2", "--unit", "苏家湖", "-s", "done", "--by", "x",
                               "--as-of", AS_OF, "--data", str(repo / "data"))
            fill.unlink()
            written = reports(repo / "data")
            if result.returncode != 0:  # the file itself could not be written: nothing is
                assert "未保存任何内容" in result.stderr, result.stderr
                assert written == [] and git("status", "--porcelain", cwd=repo) == ""
                outcomes.add("refused")
            else:
                [path] = written
                if "没有提交到 git" in result.stderr:
                    assert staged(repo) == "" and "git reset --hard 不会删除它" in result.stderr
                    outcomes.add("untracked")
                elif "暂存区没能随之更新" in result.stderr:
                    assert staged(repo).startswith("D\t") and "reset -q --" in result.stderr
                    outcomes.add("index behind")
                else:
                    assert result.stderr.count("警告") == 0 and staged(repo) == ""
                    outcomes.add("committed")
                git("reset", "-q", "--hard", cwd=repo)
                assert path.exists(), (free, result.stderr)
            shutil.rmtree(repo)
        assert {"untracked", "committed"} <= outcomes, outcomes  # the range reaches both sides
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True)


# ---- 8. sync runs no hook of the remote's --------------------------------------------------


def _office(tmp_path: Path, name: str, shared: Path) -> Path:
    """An office's data repository: the first pushes the shipped plan to the
    bare repository `shared`, the next ones clone it."""
    repo = tmp_path / name
    if git("for-each-ref", cwd=shared):
        git("clone", "-q", str(shared), str(repo), cwd=tmp_path)
    else:
        (repo / "data").mkdir(parents=True)
        for file in ("plan.yaml", "tasks.yaml"):
            shutil.copy(SHIPPED / file, repo / "data" / file)
        git("init", "-q", "--initial-branch=main", cwd=repo)
    for key, value in (("user.name", name), ("user.email", f"{name}@example.org"), ("commit.gpgsign", "false")):
        git("config", key, value, cwd=repo)
    if not git("for-each-ref", cwd=shared):
        git("add", "data", cwd=repo)
        git("commit", "-q", "-m", "计划", cwd=repo)
        git("remote", "add", "origin", str(shared), cwd=repo)
        git("push", "-q", "-u", "origin", "HEAD", cwd=repo)
    return repo


def test_sync_runs_no_hook_of_a_folder_remote(tmp_path):
    """The finding: an executable hooks/post-receive in a bare repository on a
    shared drive ran as the clerk during `lanxi sync`."""
    shared = tmp_path / "shared.git"
    git("init", "-q", "--bare", "--initial-branch=main", str(shared), cwd=tmp_path)
    office = _office(tmp_path, "a", shared)
    ran = tmp_path / "ran"
    for hook in ("pre-receive", "update", "post-receive", "post-update", "reference-transaction", "push-to-checkout"):
        path = shared / "hooks" / hook
        path.write_text(f"#!/bin/sh\necho {hook} >>{ran}\n")
        path.chmod(0o755)
    added = run_lanxi("report", "add", "--task", "1.1", "--unit", "苏家湖", "-s", "done", "--as-of", AS_OF,
                      "--data", str(office / "data"))
    assert added.returncode == 0, added.stderr
    synced = run_lanxi("sync", "--data", str(office / "data"))
    assert synced.returncode == 0, synced.stderr
    assert git("rev-parse", "main", cwd=shared) == git("rev-parse", "HEAD", cwd=office)  # the push went through
    assert not ran.exists(), ran.read_text()
    git("push", "-q", "origin", "HEAD:other", cwd=office)  # the control: plain git does run them
    assert "post-receive" in ran.read_text()


# ---- 7. every field to its type and bounds; only plain YAML ---------------------------------


HUGE = "9" * 5000
QUERIES = [("status", "--format", "json"), ("tasks", "--format", "json"), ("report", "list", "--format", "json"),
           ("assess", "--format", "json"), ("report", "missing", "--format", "json"), ("bulletin",),
           ("remind", "--format", "json")]


def _add(cli, data_dir: Path, *args: str) -> Path:
    result = cli("report", "add", "--data", str(data_dir), "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return data_dir.parent / result.stdout.strip()


def _every_query_skips(cli, data_dir: Path, bad: Path, said: str, every: bool = True) -> None:
    """check names the file; every query answers, none with a traceback or a raw escape; each
    warns of the file (`every`), or those that use that kind of record do, at least one."""
    shown = bad.relative_to(data_dir.parent).as_posix()
    checked = cli("check", "--data", str(data_dir))
    assert checked.exit_code == 1 and f"{shown}:" in checked.stdout and said in checked.stdout, checked.output
    warned = []
    for query in QUERIES:
        result = cli(*query, "--data", str(data_dir), "--as-of", AS_OF)
        assert result.exit_code == 0, (query, result.output)
        warned.append(f"警告：{shown}:" in result.stderr)
        assert warned[-1] or not every, query
        assert "Traceback" not in result.output and "\x1b" not in result.stderr
    assert any(warned)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("count", HUGE, "数字位数过多"),
    ("count", "1000000001", "count: 应不大于 1000000000"),
    ("count", "true", "count: 应为整数"),
    ("rate", "true", "rate: 应为数字"),
    ("note", HUGE, "数字位数过多"),
    ("note", "!!binary GwowO1BXTkVEBxtbMzFtUkVE", "不允许的 YAML 标签 !!binary"),
    ("note", "!!set {a: null}", "不允许的 YAML 标签 !!set"),
    ("note", "!!timestamp 2020-09-01", "不允许的 YAML 标签 !!timestamp"),
], ids=["huge-count", "count-over-bound", "bool-count", "bool-rate", "huge-note", "binary", "set", "timestamp"])
def test_a_report_field_out_of_type_or_bounds_is_named_and_skipped(cli, data_dir, field, value, said):
    """The findings: a 4,301-digit count or note broke every query with a
    traceback; `count: true` read as 1; `!!binary` carried escape codes past
    `check` into a traceback of export and bulletin."""
    path = _add(cli, data_dir, "--task", "5.3", "--unit", "苏家湖", "--count", "1")
    text = path.read_text(encoding="utf-8").replace("count: 1\n", "" if field != "count" else f"count: {value}\n")
    path.write_text(text + (f"{field}: {value}\n" if field != "count" else ""), encoding="utf-8")
    _every_query_skips(cli, data_dir, path, said)


def test_a_huge_number_in_a_review_is_named_and_skipped(cli, data_dir):
    report = _add(cli, data_dir, "--task", "1.1", "--unit", "苏家湖", "-s", "done", "--date", "2020-09-02")
    reviewed = cli("report", "review", report.stem, "--reject", "--by", "禁毒办", "--note", "x",
                   "--data", str(data_dir), "--as-of", AS_OF)
    assert reviewed.exit_code == 0, reviewed.output
    [review] = (data_dir / "reviews").rglob("*.yaml")
    review.write_text(review.read_text(encoding="utf-8").replace("note: x", f"note: {HUGE}"), encoding="utf-8")
    _every_query_skips(cli, data_dir, review, "数字位数过多", every=False)


def test_a_boolean_is_no_number_in_the_plan(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "due_soon_days: 7" in text
    plan.write_text(text.replace("due_soon_days: 7", "due_soon_days: true"), encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1 and "due_soon_days: 应为整数" in result.stdout, result.output


# ---- 2. liaisons as records: two offices and sync ----------------------------------------------


def test_two_offices_recording_liaisons_both_keep_theirs_after_sync(tmp_path):
    """The finding: both appended to data/liaisons.yaml, sync stopped on a
    conflict, and its advice (`git rebase -X ours`) dropped 李四 silently."""
    shared = tmp_path / "shared.git"
    git("init", "-q", "--bare", "--initial-branch=main", str(shared), cwd=tmp_path)
    a = _office(tmp_path, "a", shared)
    b = _office(tmp_path, "b", shared)

    def lanxi(repo: Path, *args: str):
        result = run_lanxi(*args, "--data", str(repo / "data"))
        assert result.returncode == 0, result.stderr
        return result

    lanxi(a, "unit", "liaison", "苏家湖", "--name", "张三", "--phone", "13812345678")
    lanxi(a, "sync")
    lanxi(b, "unit", "liaison", "黄湖", "--name", "李四", "--phone", "13912345678")
    lanxi(b, "sync")
    lanxi(a, "sync")
    for repo in (a, b):
        shown = {u["name"]: u["liaison"]["name"] for u in json.loads(lanxi(repo, "units", "--format", "json").stdout)}
        assert (shown["苏家湖村"], shown["黄湖村"]) == ("张三", "李四")
        assert git("status", "--porcelain", cwd=repo) == ""
    assert git("rev-parse", "HEAD", cwd=a) == git("rev-parse", "HEAD", cwd=b)


def test_the_advice_after_a_real_conflict_keeps_both_sides(tmp_path):
    """Two offices change one line of tasks.yaml: sync refuses and its advice
    is a merge by hand, never `-X ours`/`-X theirs`, which drop one side."""
    shared = tmp_path / "shared.git"
    git("init", "-q", "--bare", "--initial-branch=main", str(shared), cwd=tmp_path)
    a = _office(tmp_path, "a", shared)
    b = _office(tmp_path, "b", shared)
    for repo, text in ((a, "（甲）"), (b, "（乙）")):
        tasks = repo / "data" / "tasks.yaml"
        old = "结合本镇实际制定专项行动实施方案"
        tasks.write_text(tasks.read_text(encoding="utf-8").replace(old, f"{old}{text}", 1), encoding="utf-8")
        git("commit", "-qam", f"改 {text}", cwd=repo)
    assert run_lanxi("sync", "--data", str(a / "data")).returncode == 0
    refused = run_lanxi("sync", "--data", str(b / "data"))
    assert refused.returncode == 1
    assert "-X" not in refused.stderr and "git rebase @{upstream}" in refused.stderr
    assert "git rebase --continue" in refused.stderr and "两边的内容都不会丢失" in refused.stderr


# ---- 5, 6, 9. tables and forms: no row lost, bounded reads, the source cell named -----------------


def _limited_run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """lanxi in a subprocess held to 1.5 GB and 60 s: what hung or exhausted memory fails here instead."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "LANXI_TODAY": AS_OF}
    return subprocess.run([sys.executable, "-m", "lanxi_cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, preexec_fn=limit)


def _csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(("序号,类别,工作任务,完成时限,牵头单位,责任单位", *lines)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("lines", "said"), [
    (("1,组织保障,成立工作专班。,2021年3月15日前,安监站,双溪村", "2,组织保障,,2021年3月15日前,安监站,双溪村"),
     "t.csv!C3: 任务栏空白，但这一行写有内容（2、2021年3月15日前、双溪村、安监站、组织保障）；"
     "请填上任务，或删去这一行"),
    (("1,组织保障,成立工作专班。,2021年3月15日前,\"安监站,双溪村", "2,宣传,宣传。,2021年3月15日前,安监站,双溪村"),
     "t.csv!E2: 引号没有闭合：从这个单元格起，后面的内容都会被当成一个单元格；"
     "请补上右引号（\"）再试，没有写入任何文件"),
    (("1,组织保障,成立" + "专" * 200_000 + "。,2021年3月15日前,安监站,双溪村",),
     "t.csv!C2: 单元格过长（超过 128 KB），不像是任务清单；没有写入任何文件"),
    (("1,组织保障,成立\x1b[2J专班。,2021年3月15日前,安监站,双溪村",), "t.csv!C2: 含有控制字符 U+001B；请删去"),
], ids=["blank-task", "unclosed-quote", "5MB-field", "control"])
def test_init_from_loses_no_row_and_names_the_source_cell(tmp_path, lines, said):
    """The findings: a row with a blank task cell was skipped, an unclosed quote
    swallowed the rest ("1 项任务", exit 0), a 5 MB field said "(Error)", a
    control character was blamed on tasks.yaml:12, a file never written."""
    table = _csv(tmp_path / "t.csv", *lines)
    result = _limited_run("init", str(tmp_path / "z"), "--town", "石门镇", "--from", str(table))
    assert result.returncode == 1, result.stdout
    assert said in result.stderr.splitlines(), result.stderr
    assert not (tmp_path / "z").exists()


def _table_xlsx(path: Path, far: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "清单"
    sheet.append(["序号", "类别", "工作任务", "完成时限", "牵头单位", "责任单位"])
    sheet.append([1, "组织保障", "成立工作专班。", "2021年3月15日前", "安监站", "双溪村"])
    sheet[far] = "x"
    book.save(path)
    return path


@pytest.mark.parametrize("far", ["XFD300", "XFD1048576", "A6000"])
def test_init_from_a_stray_far_cell_is_refused_at_once(tmp_path, far):
    table = _table_xlsx(tmp_path / "t.xlsx", far)
    result = _limited_run("init", str(tmp_path / "z"), "--town", "石门镇", "--from", str(table))
    assert result.returncode == 1
    assert result.stderr.startswith(f"t.xlsx!清单!{far}: 这个单元格远在任务清单之外"), result.stderr
    assert not (tmp_path / "z").exists()


@pytest.mark.parametrize(("sheet", "far", "refused"), [
    ("填报表", "XFD300", False), ("填报表", "XFD2004", False), ("填报表", "A9000", True),
    ("lanxi", "XFD1048576", False), ("lanxi", "A1048576", True),
])
def test_a_form_with_a_stray_far_cell_is_read_at_once(cli, git_data_dir, tmp_path_factory, sheet, far, refused):
    """The finding: one cell at column XFD made form import build every cell up
    to it (XFD300: 30 s and 1.2 GB; XFD2004: MemoryError; XFD1048576 on the
    hidden sheet: never ended). Columns beyond the form's are not read; a row far below is refused."""
    from openpyxl import load_workbook

    folder = tmp_path_factory.mktemp("forms")
    made = cli("form", "make", "-o", str(folder), "--unit", "苏家湖村", "--data", str(git_data_dir), "--as-of", AS_OF)
    assert made.exit_code == 0, made.output
    [path] = folder.glob("*.xlsx")
    book = load_workbook(path)
    main = book["填报表"]
    [row] = [r for r in range(5, main.max_row + 1) if main[f"B{r}"].value == "1.1"]
    main[f"G{row}"], main[f"J{row}"] = "完成", "2020-09-02"
    book[sheet][far] = "x"
    book.save(path)
    result = _limited_run("form", "import", str(path), "--dry-run", "--by", "王五", "--data", str(git_data_dir))
    if refused:
        assert result.returncode == 1 and f"{far} 远在表格之外" in result.stderr, result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "将新增 1 份报告" in result.stdout


# ---- 4. names cleaned or refused ---------------------------------------------------------------


def test_invisible_characters_make_no_look_alike_unit_from_a_table(tmp_path):
    """The finding: 安监站 followed by U+200B (or U+FEFF) gave two units that
    print alike, and `安 监 站` became a unit named 安."""
    table = _csv(tmp_path / "zw.csv",
                 "1,组织保障,成立工作专班。,2021年3月15日前,安监站,双溪村",
                 "2,组织保障,制定方案。,2021年3月15日前,安监站\u200b,\ufeff双溪村 ",
                 "3,组织保障,宣传。,2021年3月15日前,安 监 站,双溪村\u2060")
    made = _limited_run("init", str(tmp_path / "z1"), "--town", "石门镇", "--from", str(table))
    assert made.returncode == 0, made.stderr
    listed = _limited_run("units", "--format", "json", "--data", str(tmp_path / "z1" / "data"))
    assert [u["name"] for u in json.loads(listed.stdout)] == ["安监站", "双溪村"]
    assert _limited_run("check", "--data", str(tmp_path / "z1" / "data")).returncode == 0


@pytest.mark.parametrize(("cell", "said"), [
    ("安", "名称“安”只有一个字，不像是单位或指标的名称"),
    ("双溪<村", "名称“双溪<村”不能含有 <（它会成为文件名的一部分，Windows 不允许）"),
    ('安"监站', '名称“安"监站”不能含有 "（它会成为文件名的一部分，Windows 不允许）'),
])
def test_a_name_from_a_table_that_cannot_be_a_file_name_is_named_by_its_cell(tmp_path, cell, said):
    quoted = cell.replace('"', '""')
    table = _csv(tmp_path / "t.csv", f'1,组织保障,成立工作专班。,2021年3月15日前,"{quoted}",双溪村')
    result = _limited_run("init", str(tmp_path / "z"), "--town", "石门镇", "--from", str(table))
    assert result.returncode == 1
    assert f"t.csv!E2: {said}" in result.stderr.splitlines(), result.stderr
    assert not (tmp_path / "z").exists()


def _plan_unit(data_dir: Path, entry: str) -> None:
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    anchor = "  - {name: 黄湖村, kind: village"
    assert anchor in text
    plan.write_text(text.replace(anchor, f"  - {entry}\n{anchor}", 1), encoding="utf-8")


@pytest.mark.parametrize(("entry", "said"), [
    ('{name: "苏家湖村\\u200b", kind: village}',
     "单位名称“苏家湖村<U+200B>”与“苏家湖村”只差看不见的字符，是同一个名称"),
    ('{name: "\\ufeff金石", kind: village}', "名称“<U+FEFF>金石”含有看不见的字符 U+FEFF；请删去"),
    ("{name: 石, kind: village}", "名称“石”只有一个字，不像是单位或指标的名称"),
    ("{name: 石门:村, kind: village}", "名称“石门:村”不能含有 :（它会成为文件名的一部分，Windows 不允许）"),
    ("{name: 石门村, kind: village, aliases: ['石门*']}",
     "名称“石门*”不能含有 *（它会成为文件名的一部分，Windows 不允许）"),
])
def test_a_look_alike_or_unfit_name_in_the_plan_is_refused_by_name(cli, data_dir, entry, said):
    """The finding: "金石村\\u200b" beside 金石村 passed `check`, and `status` showed two 金石村."""
    _plan_unit(data_dir, entry)
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert said in result.stdout, result.stdout


def test_an_option_with_invisible_characters_names_the_unit(cli, data_dir):
    path = _add(cli, data_dir, "--task", "1.1", "--unit", "\ufeff苏家湖\u200b ", "-s", "done", "--date", "2020-09-02")
    assert "苏家湖村" in path.name


def test_a_town_name_that_cannot_be_a_file_name_is_refused(cli, tmp_path):
    result = cli("init", str(tmp_path / "z"), "--town", "石门:镇")
    assert result.exit_code == 2
    assert result.stderr == "镇名“石门:镇”无效：名称“石门:镇”不能含有 :（它会成为文件名的一部分，Windows 不允许）\n"
    assert not (tmp_path / "z").exists()


# ---- 9. the smaller messages -------------------------------------------------------------------


def test_a_data_folder_name_too_long_says_so_and_not_that_a_result_could_not_be_written(cli):
    result = cli("status", "--data", "a" * 300)
    assert result.exit_code == 1
    assert result.stderr == f"数据目录“{'a' * 300}”无法使用（文件名过长）\n"


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--number", "-1", "--number“-1”无效：文号的序号应为正整数，如 5"),
    ("--issue", "-1", "--issue“-1”无效：期数应为正整数，如 5"),
    ("--issue", "0", "--issue“0”无效：期数应为正整数，如 5"),
])
def test_bulletin_refuses_a_serial_number_below_one(cli, data_dir, option, value, said):
    result = cli("bulletin", option, value, "--data", str(data_dir), "--as-of", AS_OF)
    assert (result.exit_code, result.stderr) == (2, said + "\n")


# ---- 3. forms know their plan; the same row twice counts once ------------------------------------


def _form(cli, data_dir: Path, folder: Path, as_of: str, task: str, **cells) -> Path:
    """苏家湖村's form made on `as_of`, the row of `task` filled (column letter → value)."""
    from openpyxl import load_workbook

    made = cli("form", "make", "-o", str(folder), "--unit", "苏家湖", "--data", str(data_dir), "--as-of", as_of)
    assert made.exit_code == 0, made.output
    [path] = folder.glob("*.xlsx")
    book = load_workbook(path)
    sheet = book["填报表"]
    [row] = [r for r in range(5, sheet.max_row + 1) if sheet[f"B{r}"].value == task]
    for column, value in cells.items():
        sheet[f"{column}{row}"] = value
    book.save(path)
    return path


def test_a_form_made_from_another_plan_is_refused_naming_both(cli, data_dir, tmp_path_factory):
    """The finding: a 兰溪 form filled for 1.2 completed an unrelated task of another campaign."""
    form = _form(cli, data_dir, tmp_path_factory.mktemp("a"), AS_OF, "1.2", G="完成", J="2020-09-18", L="张三")
    other = tmp_path_factory.mktemp("b") / "data"
    shutil.copytree(data_dir, other)
    plan, tasks = other / "plan.yaml", other / "tasks.yaml"
    old_title = "兰溪镇深入推进毒品预防教育宣传专项行动实施方案"
    new_title = "兰溪镇秋季防火专项行动方案"
    plan.write_text(plan.read_text(encoding="utf-8").replace(f"title: {old_title}", f"title: {new_title}"),
                    encoding="utf-8")
    result = cli("form", "import", str(form), "--by", "王五", "--data", str(other), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert (f"{form}: 这张表是按另一份计划生成的（兰溪镇“{old_title}”），"
            "不是本数据的计划（兰溪镇“兰溪镇秋季防火专项行动方案”）") in result.stderr
    assert not list((other / "reports").rglob("*.yaml"))
    # the same town and title, but task 1.2 says something else
    plan.write_text(plan.read_text(encoding="utf-8").replace(f"title: {new_title}", f"title: {old_title}"),
                    encoding="utf-8")
    text = tasks.read_text(encoding="utf-8")
    [line] = [t for t in text.splitlines() if t.startswith("  text: ")][1:2]
    tasks.write_text(text.replace(line, "  text: 清理林区可燃物。", 1), encoding="utf-8")
    result = cli("form", "import", str(form), "--by", "王五", "--data", str(other), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "表中任务 1.2 的内容（“" in result.stderr and "与本计划的任务 1.2（“清理林区可燃物。”）不同" in result.stderr
    assert not list((other / "reports").rglob("*.yaml"))
    # the control: the plan it was made from takes it
    assert cli("form", "import", str(form), "--by", "王五", "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0


def test_the_same_row_on_the_next_round_s_form_counts_once(cli, data_dir, tmp_path_factory):
    """The finding: 5.3 filled alike on two rounds' forms (进行中, 2, 09-14, 宣传2场) counted 4 of 3, 已完成."""
    row = {"G": "进行中", "H": 2, "J": "2020-09-14", "K": "宣传2场"}
    first = _form(cli, data_dir, tmp_path_factory.mktemp("a"), "2020-09-15", "5.3", **row)
    second = _form(cli, data_dir, tmp_path_factory.mktemp("b"), AS_OF, "5.3", **row)
    done = cli("form", "import", str(first), "--by", "王五", "--data", str(data_dir), "--as-of", AS_OF)
    assert done.exit_code == 0, done.output
    [report] = reports(data_dir)
    again = cli("form", "import", str(second), "--by", "王五", "--data", str(data_dir), "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    assert reports(data_dir) == [report]
    assert f"与已记录的报告 {report.stem} 完全相同" in again.stderr and "已跳过" in again.stderr
    status = cli("status", "--unit", "苏家湖", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    [row53] = [o for o in json.loads(status.stdout)["obligations"] if o["task"] == "5.3"]
    assert row53["count"] == 2 and row53["state"] != "done"
    # a different note is another piece of work: recorded
    third = _form(cli, data_dir, tmp_path_factory.mktemp("c"), AS_OF, "5.3", **{**row, "K": "宣传2场（第二批）"})
    assert cli("form", "import", str(third), "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0
    assert len(reports(data_dir)) == 2


def test_a_failed_commit_of_a_changed_tracked_file_leaves_it_unstaged(git_data_dir, monkeypatch):
    """The set-up commands commit plan.yaml and tasks.yaml, which git already tracks: a failure
    leaves the change in the work tree, never staged (HEAD holding an older version is no commit)."""
    from lanxi_cli.io import gitio

    repo = git_data_dir.parent
    plan = git_data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "# 改动\n", encoding="utf-8")
    run, _ = _steps(1, monkeypatch)
    with pytest.raises(gitio.GitError):
        gitio.commit_file(plan, "改计划", run=run, sleep=lambda _: None)
    assert staged(repo) == "" and git("status", "--porcelain", cwd=repo) == " M data/plan.yaml\n"


def test_a_lanxi_killed_between_its_commit_and_the_index_update_is_mended_by_the_next(git_data_dir):
    """kill -9 after git committed in lanxi's private index, before that index
    became the repository's: HEAD holds the report, the index does not (git
    status: deleted and untracked; sync refuses). The next commit puts it back."""
    from lanxi_cli.io import gitio

    repo = git_data_dir.parent
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = repo / ".git" / f"lanxi-index.{dead.pid}"
    shutil.copyfile(repo / ".git" / "index", leftover)
    first = git_data_dir / "reports" / "a.yaml"
    first.write_text("task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n", encoding="utf-8")
    env = {**os.environ, "GIT_INDEX_FILE": str(leftover)}
    for args in (["add", "--", "data/reports/a.yaml"],
                 ["commit", "-q", "--only", "-m", "a", "--", "data/reports/a.yaml"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    assert staged(repo) == "D\tdata/reports/a.yaml\n"  # the state the kill left
    second = git_data_dir / "reports" / "b.yaml"
    second.write_text("task: '1.1'\nunit: 黄湖村\ndate: 2020-09-02\nstatus: done\n", encoding="utf-8")
    gitio.commit_file(second, "b")
    assert git("status", "--porcelain", cwd=repo) == "" and not leftover.exists()
