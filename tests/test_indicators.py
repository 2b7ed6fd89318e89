"""Goals (工作目标): `lanxi indicator set` and `lanxi indicator list` / `lanxi goals`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def put(cli, data_dir, *args, as_of="2020-11-01"):
    return cli("indicator", "set", *args, "--data", str(data_dir), "--as-of", as_of)


def measures(cli, data_dir, as_of="2020-11-01", command=("indicator", "list")) -> dict:
    result = cli(*command, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return {m["measure"]: m for m in json.loads(result.stdout)["measures"]}


def values(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "indicators").rglob("*.yaml"))


def test_a_value_is_its_own_file_under_the_measures_full_name(cli, data_dir):
    result = put(cli, data_dir, "知晓率", "0.93", "--date", "2020-10-31", "--by", "镇禁毒办", "--note", "抽样300人")
    assert result.exit_code == 0, result.output
    [path] = values(data_dir)
    assert result.stdout.strip().endswith(path.name)
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (saved["measure"], saved["value"], str(saved["date"]), saved["by"], saved["note"]) == (
        "公众对禁毒知识知晓率", 0.93, "2020-10-31", "禁毒办", "抽样300人"
    )
    assert put(cli, data_dir, "外流贩毒", "3", "--by", "派出所").exit_code == 0
    assert sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["value"] for p in values(data_dir)) == [0.93, 3]
    assert cli("check", "--data", str(data_dir)).exit_code == 0


def test_each_measure_against_its_direction(cli, data_dir):
    assert put(cli, data_dir, "知晓率", "85%", "--date", "2020-08-31", "--by", "禁毒办").exit_code == 0
    assert put(cli, data_dir, "知晓率", "0.93", "--date", "2020-10-31", "--by", "禁毒办").exit_code == 0
    assert put(cli, data_dir, "外流贩毒", "2", "--date", "2020-08-31", "--by", "派出所").exit_code == 0
    assert put(cli, data_dir, "外流贩毒", "4", "--date", "2020-10-31", "--by", "派出所").exit_code == 0
    found = measures(cli, data_dir)
    rise = found["公众对禁毒知识知晓率"]
    assert (rise["direction"], rise["baseline"], rise["value"], rise["date"], rise["trend"]) == (
        "rise", 0.85, 0.93, "2020-10-31", "met"
    )
    fall = found["外流贩毒人数"]
    assert (fall["direction"], fall["baseline"], fall["value"], fall["trend"]) == ("fall", 2, 4, "unmet")
    assert found["公众对禁毒工作满意度"]["trend"] == "no_data"
    # On 10-01 only the first values exist: nothing to compare them with yet.
    early = measures(cli, data_dir, as_of="2020-10-01")
    assert (early["公众对禁毒知识知晓率"]["value"], early["公众对禁毒知识知晓率"]["trend"]) == (0.85, "no_data")
    assert measures(cli, data_dir, command=("goals",)) == found
    table = cli("goals", "--data", str(data_dir), "--as-of", "2020-11-01").stdout
    line = next(ln for ln in table.splitlines() if "知晓率" in ln)
    assert "上升" in line and "达标" in line and "未达标" not in line
    line = next(ln for ln in table.splitlines() if "外流贩毒人数" in ln)
    assert "下降" in line and "未达标" in line
    from rich.cells import cell_len

    assert max(cell_len(ln) for ln in table.splitlines()) <= 80


def test_a_baseline_in_plan_yaml_is_the_reference(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "{name: 新滋生吸毒人员增幅, direction: fall, kind: growth}"
    assert old in text
    new = "{name: 新滋生吸毒人员增幅, direction: fall, kind: growth, baseline: 0.05}"
    plan.write_text(text.replace(old, new), encoding="utf-8")
    assert put(cli, data_dir, "增幅", "0.03", "--by", "派出所").exit_code == 0
    row = measures(cli, data_dir)["新滋生吸毒人员增幅"]
    assert (row["baseline"], row["baseline_from"], row["value"], row["trend"]) == (0.05, "plan", 0.03, "met")
    assert put(cli, data_dir, "增幅", "0.06", "--by", "派出所", as_of="2020-11-02").exit_code == 0
    assert measures(cli, data_dir, as_of="2020-11-02")["新滋生吸毒人员增幅"]["trend"] == "unmet"


def test_bad_values_are_refused_and_nothing_written(cli, data_dir):
    cases = [
        (("率", "0.9", "--by", "禁毒办"), "不明确"),
        (("幸福指数", "0.9", "--by", "禁毒办"), "未知指标"),
        (("知晓率", "很高", "--by", "禁毒办"), "无效"),
        (("知晓率", "nan", "--by", "禁毒办"), "无效"),
        (("知晓率", "0.9", "--by", "禁毒办", "--date", "2020-11-02"), "晚于"),
        (("知晓率", "0.9", "--by", "不存在的单位"), "未知单位"),
    ]
    for args, words in cases:
        result = put(cli, data_dir, *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)
    assert values(data_dir) == []


def test_check_and_list_catch_a_broken_value_file(cli, data_dir):
    assert put(cli, data_dir, "知晓率", "0.9", "--by", "禁毒办").exit_code == 0
    bad = data_dir / "indicators" / "bad.yaml"
    bad.write_text("measure: 幸福指数\nvalue: 1\ndate: 2020-10-01\nby: 禁毒办\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1 and "bad.yaml:1: measure:" in result.stdout
    listed = cli("goals", "--data", str(data_dir), "--as-of", "2020-11-01", "-f", "json")
    assert listed.exit_code == 0 and "bad.yaml" in listed.stderr
    assert json.loads(listed.stdout)["measures"][1]["value"] == 0.9


def test_a_value_is_committed_like_a_report(cli, git_data_dir):
    from conftest import git

    repo = git_data_dir.parent
    result = put(cli, git_data_dir, "知晓率", "0.93", "--date", "2020-10-31", "--by", "禁毒办")
    assert result.exit_code == 0, result.output
    subject = git("log", "-1", "--format=%s", cwd=repo).strip()
    assert subject == "指标：公众对禁毒知识知晓率 0.93 2020-10-31（禁毒办）"
    assert git("status", "--porcelain", cwd=repo) == ""
