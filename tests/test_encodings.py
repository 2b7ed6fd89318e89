"""Files from Windows editors and input from Chinese keyboards.

UTF-8 with a BOM and CRLF line ends read exactly like plain UTF-8; GBK and
GB18030 files are named as not UTF-8 (tests/errors/report-gbk, tasks-gb18030);
full-width digits, punctuation and spaces typed on the command line fold to
their ASCII forms or give a clear usage error.
"""

from __future__ import annotations

import json

import pytest

REPORT = "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\nnote: 已召开动员会\n"


def windows_copy(path, text: str) -> None:
    """Save text the way Notepad does: a BOM, CRLF line ends."""
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))


def answers(cli, data_dir) -> list[str]:
    args = ("--data", str(data_dir), "--as-of", "2020-09-20", "--format", "json")
    out = []
    for command in (("tasks",), ("status",), ("status", "--unit", "苏家湖村"), ("units",)):
        result = cli(*command, *args)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        out.append(result.stdout)
    return out


def test_bom_and_crlf_read_like_plain_utf8(cli, data_dir, tmp_path):
    (data_dir / "reports" / "r.yaml").write_text(REPORT, encoding="utf-8")
    plain = answers(cli, data_dir)

    for name in ("plan.yaml", "tasks.yaml"):
        path = data_dir / name
        windows_copy(path, path.read_text(encoding="utf-8"))
    windows_copy(data_dir / "reports" / "r.yaml", REPORT)
    assert (data_dir / "plan.yaml").read_bytes().startswith(b"\xef\xbb\xbf")
    assert answers(cli, data_dir) == plain
    assert json.loads(plain[2])["obligations"][0]["state"] == "done"  # the report counted


def test_bom_is_not_part_of_the_text(data_dir):
    """libyaml skips a BOM at the very start; lanxi drops it before YAML sees it,
    so no later use of the text (line maps, messages) meets a stray U+FEFF."""
    from lanxi_cli.io import load, yamlio

    path = data_dir / "reports" / "r.yaml"
    windows_copy(path, REPORT)
    text = yamlio.read_text(path, load.MAX_REPORT_BYTES)
    assert text.startswith("task:")


def test_crlf_lines_are_still_counted_right(cli, data_dir):
    """A fault in a CRLF file is named on its true line, not a doubled one."""
    windows_copy(data_dir / "reports" / "r.yaml", REPORT.replace("status: done", "status: 完成"))
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].endswith("r.yaml:4: status: 应为以下之一：'done', 'progress' or 'blocked'")


def test_utf16_file_is_named_as_not_utf8(cli, data_dir):
    """Notepad's 'Unicode' (UTF-16) is neither UTF-8 nor GBK: say so plainly."""
    (data_dir / "reports" / "r.yaml").write_bytes(REPORT.encode("utf-16"))
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    assert "r.yaml:1: 文件不是 UTF-8 编码" in line and "GBK" not in line


def test_gbk_report_hint_names_the_file_and_line(cli, data_dir):
    text = REPORT.replace("已召开动员会", "已召开动员会（补记）")
    (data_dir / "reports" / "gbk.yaml").write_bytes(text.encode("gbk"))
    result = cli("tasks", "--data", str(data_dir), "--as-of", "2020-09-04")
    assert result.exit_code == 0
    assert "gbk.yaml:2: 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码" in result.stderr


# ---- the command line ----------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "２０２０－０９－０４",      # full-width digits and hyphens
    "　2020-09-04　",            # ideographic spaces around
    "2020/9/4",
    "２０２０．０９．０４",
])
def test_full_width_as_of_folds_to_the_same_day(cli, data_dir, typed):
    base = ("tasks", "--data", str(data_dir), "--format", "json")
    plain = cli(*base, "--as-of", "2020-09-04")
    folded = cli(*base, "--as-of", typed)
    assert folded.exit_code == 0, folded.output
    assert folded.stdout == plain.stdout


def test_full_width_date_in_environment(cli, data_dir):
    base = ("status", "--data", str(data_dir), "--format", "json")
    plain = cli(*base, "--as-of", "2020-09-04")
    folded = cli(*base, env={"LANXI_TODAY": "２０２０－０９－０４"})
    assert folded.exit_code == 0
    assert json.loads(folded.stdout)["as_of"] == "2020-09-04"
    assert folded.stdout == plain.stdout


@pytest.mark.parametrize("typed", ["2020-09-04 10:00", "２０２０－０２－３０", "二〇二〇-九-四", "２０２０年９月４号"])
def test_unreadable_date_is_a_usage_error(cli, data_dir, typed):
    result = cli("tasks", "--data", str(data_dir), "--as-of", typed)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"--as-of 的日期“{typed}”无效" in result.stderr


def test_a_date_in_chinese_words_full_width_is_read(cli, data_dir):
    """２０２０年９月４日 is a date as offices write it (issue 25), full-width folded first."""
    plain = cli("tasks", "--data", str(data_dir), "--as-of", "2020-09-04", "-f", "json")
    assert cli("tasks", "--data", str(data_dir), "--as-of", "２０２０年９月４日", "-f", "json").stdout == plain.stdout


@pytest.mark.parametrize("typed", ["苏家湖　村", " 苏家湖村 ", "苏家湖", "苏家湖村　"])
def test_unit_names_with_full_width_spaces(cli, data_dir, typed):
    base = ("status", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json")
    result = cli(*base, "--unit", typed)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unit"] == "苏家湖村"


def test_full_width_alias_and_group_names(cli, data_dir):
    base = ("status", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json")
    result = cli(*base, "--unit", "派出所")
    assert json.loads(result.stdout)["unit"] == "兰溪派出所"
    # tasks.yaml writes the group 各村（社区） with full-width brackets; a report
    # or a unit typed with ASCII ones is the same name once folded
    from lanxi_cli.io import load

    book = load.load_book(data_dir)
    assert book.group("各村(社区)") == book.group("各村（社区）") != ()


@pytest.mark.parametrize("typed", ["１．１", "1。1", " 1.1 ", "１.１"])
def test_full_width_task_ids(data_dir, typed):
    from lanxi_cli.io import load

    book = load.load_book(data_dir)
    assert book.resolve_task(typed).id == "1.1"


def test_unknown_unit_typed_full_width_is_a_usage_error(cli, data_dir):
    result = cli("tasks", "--data", str(data_dir), "--unit", "火星　村")
    assert result.exit_code == 2
    assert "未知单位“火星　村”" in result.stderr
