"""`lanxi unit liaison`: data/liaisons.yaml, appended to and committed; it overrides plan.yaml."""

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


def test_recorded_committed_and_shown(cli, git_data_dir):
    result = liaison(cli, git_data_dir, "苏家湖", "--name", "张三", "--phone", "138 1234 5678")
    assert result.exit_code == 0, result.output
    path = git_data_dir / "liaisons.yaml"
    assert result.stdout == "data/liaisons.yaml\n"  # relative to the data folder's parent, from anywhere
    text = path.read_text(encoding="utf-8")
    recorded = text.split("recorded: '")[1].split("'")[0]
    assert text == (
        "# 联络员备案，由 lanxi unit liaison 写入：每个单位以最后一条为准，覆盖 plan.yaml 中的联络员。\n"
        "# 可以手工更正；lanxi 只在文件末尾追加新的一条，不改动已有内容。\n"
        "- unit: 苏家湖村\n  name: 张三\n  phone: '13812345678'\n"
        f"  recorded: '{recorded}'\n"
    )
    assert git("log", "-1", "--format=%s", cwd=git_data_dir.parent) == "联络员：苏家湖村 张三 13812345678\n"
    assert git("status", "--porcelain", cwd=git_data_dir.parent) == ""
    assert units(cli, git_data_dir)["苏家湖村"] == {"name": "张三", "phone": "13812345678"}
    # a later entry wins; the earlier one stays in the file (and in git)
    assert liaison(cli, git_data_dir, "苏家湖村", "--name", "张 三丰").exit_code == 0
    assert units(cli, git_data_dir)["苏家湖村"] == {"name": "张 三丰", "phone": ""}
    assert path.read_text(encoding="utf-8").startswith(text)
    # `report missing` names the liaison too
    result = cli("report", "missing", "--data", str(git_data_dir), "--as-of", "2020-09-15", "--format", "csv")
    assert "苏家湖村,村,张 三丰,\n" in result.stdout
    result = cli("units", "--data", str(git_data_dir))
    [row] = [line for line in result.stdout.splitlines() if line.startswith("苏家湖村")]
    assert row.split() == ["苏家湖村", "村", "张", "三丰"]


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
    assert not (git_data_dir / "liaisons.yaml").exists()


def test_hand_edits_are_kept_byte_for_byte(cli, data_dir):
    path = data_dir / "liaisons.yaml"
    # CRLF line ends, a comment, a phone typed without quotes (a number to YAML), and no final newline
    hand = "# 我们村的联络员\r\n- unit: 罗湖村   # 2020年9月换人\r\n  name: 王五\r\n  phone: 13700000000"
    path.write_bytes(hand.encode())
    assert liaison(cli, data_dir, "苏家湖", "--name", "张三", "--no-commit").exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith(hand.encode() + b"\r\n- unit: ")
    assert units(cli, data_dir)["罗湖村"] == {"name": "王五", "phone": "13700000000"}
    assert units(cli, data_dir)["苏家湖村"]["name"] == "张三"


def test_a_broken_hand_edit_stops_commands_and_is_never_appended_to(cli, data_dir):
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


def test_a_file_that_cannot_be_appended_to_is_left_alone(cli, data_dir):
    path = data_dir / "liaisons.yaml"
    flow = "[{unit: 罗湖村, name: 王五}]\n"
    path.write_text(flow, encoding="utf-8")
    assert units(cli, data_dir)["罗湖村"]["name"] == "王五"
    result = liaison(cli, data_dir, "苏家湖", "--name", "张三")
    assert result.exit_code == 1
    assert result.stderr == (
        "data/liaisons.yaml: 文件末尾的写法无法接着追加（应为每条以“- ”开头的列表）；没有写入任何内容\n"
    )
    assert path.read_text(encoding="utf-8") == flow


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
    text = (data_dir / "liaisons.yaml").read_text(encoding="utf-8")
    assert sorted(line.split(": ")[1] for line in text.splitlines() if line.startswith("  name: ")) == names
