"""`lanxi unit liaison`: one record file each under data/liaisons/, committed;
it overrides data/liaisons.yaml (written by earlier versions, still read), which overrides plan.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, git

from lanxi_cli.core.liaisons import normal_phone


def liaison(cli, data_dir, *args):
    return cli("unit", "liaison", *args, "--data", str(data_dir), "--as-of", "2020-09-15")


def units(cli, data_dir) -> dict[str, dict]:
    result = cli("units", "--data", str(data_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    return {u["name"]: u["liaison"] for u in json.loads(result.stdout)}


@pytest.mark.parametrize(("typed", "kept"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width, as a Chinese keyboard gives it
    ("0737-4281234", "0737-4281234"),
    ("07374281234", "0737-4281234"),
    ("(0737)4281234", "0737-4281234"),
    ("010-62345678", "010-62345678"),
    ("0737-4281234-801", "0737-4281234-801"),
    ("0737－4281234转801", "0737-4281234-801"),
])
def test_phone_numbers_in_one_form(typed, kept):
    assert normal_phone(typed) == kept


@pytest.mark.parametrize("typed", [
    "12345", "1381234567", "138123456789", "23812345678", "12812345678", "4281234", "0737-428123",
    "010-6234567", "010-12345678", "0737-123456789", "1381234567a", "电话", "0737-4281234-1234567",
])
def test_phone_numbers_refused(typed):
    assert normal_phone(typed) is None


def records(data_dir) -> list:
    return sorted((data_dir / "liaisons").rglob("*.yaml"))


def test_recorded_committed_and_shown(cli, git_data_dir):
    result = liaison(cli, git_data_dir, "苏家湖", "--name", "张三", "--phone", "138 1234 5678")
    assert result.exit_code == 0, result.output
    [path] = records(git_data_dir)
    assert path.parent == git_data_dir / "liaisons" / "2020" / "09" and path.name.startswith("2020-09-15-苏家湖村-")
    assert result.stdout == f"{path.relative_to(git_data_dir.parent).as_posix()}\n"  # as every record's path
    text = path.read_text(encoding="utf-8")
    recorded = text.split("recorded: '")[1].split("'")[0]
    assert text == f"unit: 苏家湖村\nname: 张三\ndate: 2020-09-15\nphone: '13812345678'\nrecorded: '{recorded}'\n"
    assert git("log", "-1", "--format=%s", cwd=git_data_dir.parent) == "联络员：苏家湖村 张三 13812345678\n"
    assert git("status", "--porcelain", cwd=git_data_dir.parent) == ""
    assert units(cli, git_data_dir)["苏家湖村"] == {"name": "张三", "phone": "13812345678"}
    # a later record wins; the earlier one stays (a file of its own, and in git)
    assert liaison(cli, git_data_dir, "苏家湖村", "--name", "张 三丰").exit_code == 0
    assert units(cli, git_data_dir)["苏家湖村"] == {"name": "张 三丰", "phone": ""}
    assert path.read_text(encoding="utf-8") == text and len(records(git_data_dir)) == 2
    assert not (git_data_dir / "liaisons.yaml").exists()
    # `report missing` names the liaison too
    result = cli("report", "missing", "--data", str(git_data_dir), "--as-of", "2020-09-15", "--format", "csv")
    assert "苏家湖村,村,张 三丰,\n" in result.stdout
    result = cli("units", "--data", str(git_data_dir))
    [row] = [line for line in result.stdout.splitlines() if line.startswith("苏家湖村")]
    assert row.split() == ["苏家湖村", "村", "张", "三丰"]


def _record(data_dir, name: str, recorded: str, unit: str = "苏家湖村", suffix: str = "a") -> None:
    folder = data_dir / "liaisons" / "2020" / "09"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"2020-09-15-{unit}-{suffix}.yaml").write_text(
        f"unit: {unit}\nname: {name}\ndate: 2020-09-15\nrecorded: '{recorded}'\n", encoding="utf-8")


def test_the_newest_record_counts_ties_by_id(cli, data_dir):
    """Two offices' records met after sync: the newest by `recorded`, whatever the file order; a tie by id."""
    _record(data_dir, "后来", "2020-09-15T10:00:00+08:00", suffix="0")
    _record(data_dir, "先前", "2020-09-15T09:00:00+08:00", suffix="f")
    assert units(cli, data_dir)["苏家湖村"]["name"] == "后来"
    _record(data_dir, "同时甲", "2020-09-16T09:00:00+08:00", suffix="b")
    _record(data_dir, "同时乙", "2020-09-16T09:00:00+08:00", suffix="c")
    assert units(cli, data_dir)["苏家湖村"]["name"] == "同时乙"


def test_a_record_overrides_the_old_file_which_overrides_the_plan(cli, data_dir):
    plan = data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "{name: 黄湖村, kind: village, liaison: {name: '', phone: ''}}",
        "{name: 黄湖村, kind: village, liaison: {name: 计划, phone: ''}}"), encoding="utf-8")
    assert units(cli, data_dir)["黄湖村"]["name"] == "计划"
    (data_dir / "liaisons.yaml").write_text("- unit: 黄湖村\n  name: 旧文件\n", encoding="utf-8")
    assert units(cli, data_dir)["黄湖村"]["name"] == "旧文件"
    _record(data_dir, "记录", "2019-01-01T00:00:00+08:00", unit="黄湖村")  # older than the file, still over it
    assert units(cli, data_dir)["黄湖村"]["name"] == "记录"


def test_a_bad_record_is_named_and_skipped(cli, data_dir):
    _record(data_dir, "好", "2020-09-15T10:00:00+08:00", suffix="0")
    bad = data_dir / "liaisons" / "2020" / "09" / "2020-09-15-苏家湖村-1.yaml"
    bad.write_text("unit: 苏家湖村\nname: 坏\ndate: 2020-09-15\nphone: '12345'\nrecorded: '2099'\n", encoding="utf-8")
    result = cli("units", "--data", str(data_dir), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]  # answered
    said = "data/liaisons/2020/09/2020-09-15-苏家湖村-1.yaml:4: phone: 电话“12345”无效："
    assert result.stderr.startswith(f"警告：{said}")
    assert result.stderr.endswith("（已跳过此联络员备案）\n")
    assert units(cli, data_dir)["苏家湖村"]["name"] == "好"
    checked = cli("check", "--data", str(data_dir))
    assert checked.exit_code == 1 and said in checked.stdout


def test_a_plan_liaison_is_overridden(cli, data_dir):
    plan = data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "{name: 黄湖村, kind: village, liaison: {name: '', phone: ''}}",
        "{name: 黄湖村, kind: village, liaison: {name: 旧人, phone: '13900000000'}}"), encoding="utf-8")
    assert units(cli, data_dir)["黄湖村"] == {"name": "旧人", "phone": "13900000000"}
    assert liaison(cli, data_dir, "黄湖村", "--name", "新人", "--phone", "0737-4281234", "--no-commit").exit_code == 0
    assert units(cli, data_dir)["黄湖村"] == {"name": "新人", "phone": "0737-4281234"}
    assert "旧人" in plan.read_text(encoding="utf-8")  # plan.yaml, a human's file, is never written


@pytest.mark.parametrize(("args", "message"), [
    (("苏家湖", "--name", "张三", "--phone", "12345"),
     "--phone“12345”无效：应为11位手机号（如 13812345678）或带区号的固定电话（如 0737-4281234）\n"),
    (("苏家湖", "--name", "  "), "--name 不能为空\n"),
    (("苏家湖", "--name", "张" * 21), "--name 过长（21 个字符，上限 20）\n"),
    (("苏家湖", "--name", "张\x1b[2J"), "--name 的第 2 个字符是控制字符或无效字符（U+001B），请删去\n"),
    (("火星村", "--name", "张三"), "未知单位“火星村”；用 lanxi units 查看全部单位\n"),
])
def test_refusals_write_nothing(cli, git_data_dir, args, message):
    result = liaison(cli, git_data_dir, *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert not (git_data_dir / "liaisons.yaml").exists() and not (git_data_dir / "liaisons").exists()


def test_the_old_file_is_read_and_never_written(cli, data_dir):
    path = data_dir / "liaisons.yaml"
    # CRLF line ends, a comment, a phone typed without quotes (a number to YAML), and no final newline
    hand = "# 我们村的联络员\r\n- unit: 罗湖村   # 2020年9月换人\r\n  name: 王五\r\n  phone: 13700000000"
    path.write_bytes(hand.encode())
    assert liaison(cli, data_dir, "苏家湖", "--name", "张三", "--no-commit").exit_code == 0
    assert path.read_bytes() == hand.encode()
    assert units(cli, data_dir)["罗湖村"] == {"name": "王五", "phone": "13700000000"}
    assert units(cli, data_dir)["苏家湖村"]["name"] == "张三"


def test_a_broken_old_file_stops_commands_and_is_never_written(cli, data_dir):
    path = data_dir / "liaisons.yaml"
    broken = "- unit: 罗湖村\n  name: 王五\n  phone: 12345\n- unit: 火星村\n  name: 赵六\n"
    path.write_text(broken, encoding="utf-8")
    expected = (
        "计划数据有 2 处问题，请先修正\n"
        "data/liaisons.yaml:3: 0.phone: 电话“12345”无效："
        "应为11位手机号（如 13812345678）或带区号的固定电话（如 0737-4281234）\n"
        "data/liaisons.yaml:4: 1.unit: 未知单位“火星村”\n"
    )
    result = cli("units", "--data", str(data_dir))
    assert (result.exit_code, result.stderr) == (1, expected)
    result = liaison(cli, data_dir, "苏家湖", "--name", "张三")
    assert (result.exit_code, result.stderr) == (1, expected)
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1 and result.stdout == "".join(expected.splitlines(True)[1:])
    assert path.read_text(encoding="utf-8") == broken


def test_an_old_file_in_flow_style_is_read_and_left_alone(cli, data_dir):
    path = data_dir / "liaisons.yaml"
    flow = "[{unit: 罗湖村, name: 王五}]\n"
    path.write_text(flow, encoding="utf-8")
    assert units(cli, data_dir)["罗湖村"]["name"] == "王五"
    assert liaison(cli, data_dir, "苏家湖", "--name", "张三", "--no-commit").exit_code == 0
    assert path.read_text(encoding="utf-8") == flow
    assert units(cli, data_dir)["苏家湖村"]["name"] == "张三"


def test_a_symlinked_file_is_refused(cli, data_dir, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("- {unit: 罗湖村, name: 王五}\n", encoding="utf-8")
    (data_dir / "liaisons.yaml").symlink_to(outside)
    result = liaison(cli, data_dir, "苏家湖", "--name", "张三")
    assert result.exit_code == 1
    assert result.stderr.endswith("liaisons.yaml: 是符号链接；lanxi 不经符号链接读写数据目录中的文件\n")
    assert outside.read_text(encoding="utf-8") == "- {unit: 罗湖村, name: 王五}\n"


def test_the_cache_sees_a_new_liaison(cli, data_dir):
    for path in data_dir.rglob("*"):  # old enough to be cached
        os.utime(path, (path.stat().st_atime - 3600, path.stat().st_mtime - 3600))
    assert units(cli, data_dir)["苏家湖村"]["name"] == ""
    assert units(cli, data_dir)["苏家湖村"]["name"] == ""  # from the cache
    assert liaison(cli, data_dir, "苏家湖", "--name", "张三", "--no-commit").exit_code == 0
    assert units(cli, data_dir)["苏家湖村"]["name"] == "张三"


def test_many_at_once_lose_nothing(data_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    names = [f"联络员{i}" for i in range(8)]
    procs = [subprocess.Popen([sys.executable, "-m", "lanxi_cli", "unit", "liaison", "苏家湖村", "--name", name,
                               "--no-commit", "--data", str(data_dir)], env=env, stderr=subprocess.PIPE)
             for name in names]
    assert [p.wait(timeout=120) for p in procs] == [0] * len(names)
    found = [line.split(": ")[1] for path in records(data_dir)
             for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("name: ")]
    assert sorted(found) == names
