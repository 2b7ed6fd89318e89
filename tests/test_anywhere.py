"""Answers are the same from anywhere: every command gives identical output
(stdout and stderr) from the repository root, from data/ and from deep inside
data/reports/, and records are known by id, never by a path relative to here."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import run_lanxi
from scenario import AS_OF, write_reports

QUERIES = [
    ("tasks",), ("tasks", "--overdue", "--format", "json"), ("tasks", "--unit", "苏家湖村"),
    ("status",), ("status", "--format", "json"), ("status", "--unit", "苏家湖村"), ("status", "--matrix"),
    ("units",), ("assess",), ("assess", "--format", "json"), ("bulletin",),
    ("report", "list", "--format", "json"), ("report", "list"), ("report", "missing"),
    ("extension", "list", "--format", "json"), ("indicator", "list"),
    ("check",), ("check", "--format", "json"),
]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A scenario with a rejected claim, an approved claim, an approved
    extension and a broken report (named on stderr, the same way everywhere)."""
    from conftest import SHIPPED

    root = tmp_path_factory.mktemp("town")
    data = root / "data"
    (data / "reports" / "2020" / "09").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        (data / name).write_bytes((SHIPPED / name).read_bytes())
    write_reports(data)
    (data / "reports" / "2020" / "09" / "broken.yaml").write_text("task: [\n", encoding="utf-8")
    env = {"LANXI_TODAY": AS_OF, "XDG_CACHE_HOME": str(root / "cache")}
    deep = data / "reports" / "2020" / "09"

    def lanxi(*args, cwd=root):
        result = run_lanxi(*args, cwd=cwd, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    # Made from deep inside the data folder, each naming its subject differently.
    lanxi("report", "review", "00-1.1-苏家湖村", "--reject", "--by", "禁毒办", "--no-commit", cwd=deep)
    lanxi("report", "review", "../../02-1.1-黄湖村.yaml", "--approve", "--by", "禁毒办", "--no-commit", cwd=deep)
    request = lanxi("extension", "request", "-t", "1.4", "-u", "罗湖村", "--until", "2020-10-20",
                    "--reason", "换届", "--period", "2020-09", "--no-commit", cwd=deep)
    lanxi("extension", "decide", request, "--approve", "--by", "禁毒办", "--no-commit", cwd=deep)
    return root, env


@pytest.mark.parametrize("args", QUERIES, ids=" ".join)
def test_every_query_answers_the_same_from_anywhere(town, args):
    root, env = town
    answers = set()
    for cwd in (root, root / "data", root / "data" / "reports" / "2020" / "09"):
        result = run_lanxi(*args, cwd=cwd, env=env)
        answers.add((result.returncode, result.stdout, result.stderr))
    assert len(answers) == 1, answers
    [(code, stdout, stderr)] = answers
    assert "Traceback" not in stderr
    assert code == (1 if args[0] == "check" else 0)


def test_reviews_and_extensions_made_deep_inside_count(town):
    root, env = town
    result = run_lanxi("status", "--unit", "苏家湖村", "--format", "json", cwd=root, env=env)
    states = {(o["task"], o["period"]): o for o in json.loads(result.stdout)["obligations"]}
    assert states[("1.1", None)]["state"] == "overdue"  # its claim was rejected
    result = run_lanxi("status", "--unit", "黄湖村", "--format", "json", cwd=root, env=env)
    assert {o["task"]: o for o in json.loads(result.stdout)["obligations"]}["1.1"]["verification"] == "verified"
    extensions = json.loads(run_lanxi("extension", "list", "--format", "json", cwd=root, env=env).stdout)
    assert [(e["unit"], e["decision"]) for e in extensions] == [("罗湖村", "approved")]
    reviews = sorted((root / "data" / "reviews").rglob("*.yaml"))
    subjects = sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["subject"] for p in reviews)
    assert subjects == sorted(["00-1.1-苏家湖村", "02-1.1-黄湖村", extensions[0]["id"]])


def test_file_fields_are_relative_to_the_data_folders_parent(town):
    root, env = town
    rows = json.loads(run_lanxi("report", "list", "--format", "json", cwd=root / "data", env=env).stdout)
    assert rows and all(r["file"] == f"data/reports/{r['id']}.yaml" for r in rows)
    assert all((root / r["file"]).is_file() for r in rows)


def test_a_duplicate_id_is_a_problem_check_names(data_dir, cli):
    write_reports(data_dir)
    first = data_dir / "reports" / "00-1.1-苏家湖村.yaml"
    (data_dir / "reports" / "2020").mkdir()
    (data_dir / "reports" / "2020" / first.name).write_bytes(first.read_bytes())
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "data/reports/2020/00-1.1-苏家湖村.yaml: 记录编号 00-1.1-苏家湖村 与 data/reports/00-1.1-苏家湖村.yaml 重复；"
        "编号（文件名）须在数据目录中唯一"
    ]
