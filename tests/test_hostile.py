"""Hostile YAML: no tag runs code, no alias bomb or giant file takes the machine down.

These run lanxi in a subprocess under a memory cap (RLIMIT_AS) and a timeout
that is only a guard against hanging: what is asserted is the answer, a clear
FILE:LINE sentence and the contract's exit code. Without the handling they
test, these documents run code, segfault libyaml, or never finish.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys

import pytest
from conftest import ROOT

MEMORY_CAP = 1024 * 1024 * 1024  # 1 GiB of address space for the whole process
GUARD = 60  # seconds: a hang shows as a failure, never as a stuck suite

GOOD = "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n"


def lanxi(*args: str, cwd) -> subprocess.CompletedProcess:
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "NO_COLOR": "1"}
    env.pop("LANXI_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "lanxi_cli", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=GUARD, preexec_fn=cap,
    )


def clean(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)


def assert_refused(data_dir, name: str, line: int | None, message: str) -> None:
    """`check`, in a capped subprocess, names the file (and line) and exits 1."""
    where = f"data/{name}:{line}: " if line else f"data/{name}: "
    check = lanxi("check", cwd=data_dir.parent)
    clean(check)
    assert check.returncode == 1
    assert any(where in ln and message in ln for ln in check.stdout.splitlines()), check.stdout


# ---- tags that would run code --------------------------------------------------------


def payloads(marker) -> list[str]:
    """Documents that, under yaml.unsafe_load, create `marker`."""
    m = str(marker)
    return [
        f"!!python/object/apply:os.system ['touch {m}']\n",
        f"task: !!python/object/apply:builtins.open ['{m}', 'w']\nunit: 苏家湖村\ndate: 2020-09-02\n",
        f"task: '1.1'\nunit: !!python/object/new:builtins.open ['{m}', 'w']\ndate: 2020-09-02\n",
        "date: !!python/name:os.system\n",
        f"- !!python/object/apply:subprocess.call [[touch, {m}]]\n",
    ]


def test_payloads_really_would_run(tmp_path):
    """The control: an unsafe loader does create the marker from each payload that calls."""
    import yaml

    marker = tmp_path / "pwned"
    for doc in payloads(marker)[:3]:
        with contextlib.suppress(Exception):  # creating the file is what matters
            yaml.unsafe_load(doc)
        assert marker.exists()
        marker.unlink()


@pytest.mark.parametrize("where", ["reports/evil.yaml", "tasks.yaml", "plan.yaml"])
@pytest.mark.parametrize("n", range(5))
def test_python_tags_are_never_executed(cli, data_dir, tmp_path, where, n):
    marker = tmp_path / "pwned"
    doc = payloads(marker)[n]
    (data_dir / where).write_text(doc, encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert not marker.exists()
    assert "不允许的 YAML 标签" in result.stdout
    assert f"{where}:" in result.stdout.replace("\\", "/")
    query = cli("status", "--data", str(data_dir), "--as-of", "2020-09-04")
    assert query.exit_code == (0 if where.startswith("reports/") else 1)
    assert not marker.exists()


# ---- alias bombs ---------------------------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> list[str]:
    """A billion laughs: 9**9 strings if expanded; a few hundred bytes as written."""
    lines = ["unit: 苏家湖村", "date: 2020-09-02", "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return [*lines, f"evidence: *l{levels}"]


@pytest.mark.parametrize("where, padding", [("reports/bomb.yaml", 0), ("tasks.yaml", 8192)])
def test_alias_bomb_is_refused(data_dir, where, padding):
    """Refused at the first anchor (line 4), before anything is composed."""
    if where == "tasks.yaml":
        lines = ["- id: '1.1'", *("  " + ln for ln in alias_bomb())]
    else:
        lines = ["task: '1.1'", *alias_bomb()]
    if padding:
        lines.insert(0, "# " + "x" * padding)
    (data_dir / where).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_refused(data_dir, where, 4 + bool(padding), "不支持 YAML 锚点和别名")


def test_alias_bomb_refused_by_the_loader_itself():
    """Behind the pre-scan, the loader refuses a second use of any node too."""
    from lanxi_cli.errors import DataError
    from lanxi_cli.io import yamlio

    loader = yamlio.Loader("a: &x [1]\nb: *x\n")
    try:
        with pytest.raises(Exception) as caught:
            loader.get_single_data()
    finally:
        loader.dispose()
    assert "锚点和别名" in str(caught.value)
    with pytest.raises(DataError, match="r.yaml:2: 不支持 YAML 锚点和别名"):
        yamlio.parse("a: 1\nb: &x [1]\n", "r.yaml")


# ---- giant and deep documents ------------------------------------------------------------


@pytest.mark.parametrize("where", ["reports/big.yaml", "tasks.yaml", "plan.yaml"])
def test_fifty_megabyte_file_is_refused(cli, data_dir, where):
    with open(data_dir / where, "w", encoding="utf-8") as handle:
        handle.write(GOOD + "note: ")
        handle.write("长" * (50 * 1024 * 1024 // 3))
        handle.write("\n")
    assert (data_dir / where).stat().st_size > 50_000_000
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert f"{where}: 文件过大" in result.stdout
    query = cli("tasks", "--data", str(data_dir), "--as-of", "2020-09-04")
    assert query.exit_code == (0 if where.startswith("reports/") else 1)
    assert f"{where}: 文件过大" in query.stderr


def test_one_megabyte_note_is_refused_by_name(cli, data_dir):
    (data_dir / "reports" / "note.yaml").write_text(GOOD + "note: " + "记" * (1024 * 1024 // 3 + 1) + "\n")
    result = cli("status", "--data", str(data_dir), "--as-of", "2020-09-04")
    assert result.exit_code == 0
    assert "reports/note.yaml: 文件过大" in result.stderr


@pytest.mark.parametrize("where, opening, closing", [
    ("reports/deep.yaml", "[", "]"),
    ("reports/deep.yaml", "{a: ", "}"),
    ("tasks.yaml", "[{a: ", "}]"),
])
def test_deep_nesting_is_refused(data_dir, where, opening, closing):
    depth = 36_000  # libyaml's recursive composer overflows the C stack on this
    (data_dir / where).write_text(f"note: {opening * depth}x{closing * depth}\n", encoding="utf-8")
    assert_refused(data_dir, where, 1, "嵌套层数过多")


def test_deep_but_small_document_is_answered(cli, data_dir):
    """Under the 4 KB pre-scan, nesting is bounded by size: pydantic answers.
    (500 levels: newer libyaml refuses flow nesting past its own limit of 1000.)"""
    depth = 500
    text = GOOD.replace("status: done", "status: " + "[" * depth + "]" * depth)
    (data_dir / "reports" / "deep.yaml").write_text(text, encoding="utf-8")
    assert len(text.encode()) < 4096
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "deep.yaml:4: status: 应为以下之一" in result.stdout


# ---- odd files and characters ----------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_in_reports_does_not_hang(data_dir):
    """Opening a FIFO for reading blocks until someone writes: never open one."""
    os.mkfifo(data_dir / "reports" / "pipe.yaml")
    (data_dir / "reports" / "ok.yaml").write_text(GOOD, encoding="utf-8")
    assert_refused(data_dir, "reports/pipe.yaml", None, "不是普通文件")


def test_device_as_tasks_file_is_refused(cli, data_dir):
    """A symlink to /dev/zero leads out of the data folder: refused before it is opened."""
    (data_dir / "tasks.yaml").unlink()
    (data_dir / "tasks.yaml").symlink_to("/dev/zero")
    result = cli("tasks", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "tasks.yaml: 是指向数据目录之外（/dev/zero）的符号链接，不予读取" in result.stderr


def test_device_node_as_tasks_file_is_refused(cli, data_dir):
    """A device inside the data folder (/dev/zero's numbers) is opened without blocking and never read."""
    import stat

    (data_dir / "tasks.yaml").unlink()
    try:
        os.mknod(data_dir / "tasks.yaml", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = cli("tasks", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "tasks.yaml: 不是普通文件" in result.stderr


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x00", "\x7f", "\x08", "\x9b"])
def test_raw_control_characters_in_a_note_are_named(cli, data_dir, char):
    (data_dir / "reports" / "ctl.yaml").write_text(GOOD + f"note: 已完成{char}[2J\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert f"ctl.yaml:5: 含有不允许的控制字符 U+{ord(char):04X}" in result.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_escapes_written_in_quotes_never_reach_the_terminal(cli, data_dir, fmt):
    """`"\\e[2J"` is printable YAML that decodes to a terminal escape: the report
    is named and skipped, so `report list` never prints it."""
    (data_dir / "reports" / "esc.yaml").write_text(
        GOOD + 'note: "\\e]52;c;cm0gLXJmIH4K\\a\\e[2J已完成\\x9b"\n', encoding="utf-8"
    )
    (data_dir / "reports" / "ok.yaml").write_text(GOOD, encoding="utf-8")
    result = cli("report", "list", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output
    assert "esc.yaml:5: note: 含有控制字符 U+001B" in result.stderr
    assert "苏家湖村" in result.stdout  # the good report is still listed
