"""lanxi bulletin: a 通报 that states the day, names every unit behind, and reads like one."""

from __future__ import annotations

import json

from conftest import run_lanxi
from scenario import AS_OF, write_reports


def overdue_units(cli, data_dir) -> list[str]:
    result = cli("status", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json")
    return [row["unit"] for row in json.loads(result.stdout)["units"] if row["overdue"]]


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_markdown_names_every_unit_behind(cli, data_dir):
    write_reports(data_dir)
    result = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# 关于兰溪镇深入推进毒品预防教育宣传专项行动推进情况的通报\n")
    assert AS_OF in text and "2020年9月15日" in text
    assert "兰溪镇禁毒办" in text  # the issuer signs
    behind_units = overdue_units(cli, data_dir)
    behind = section(text, "## 三、进度滞后的单位", "## 四、")
    assert len(behind_units) > 20
    for unit in behind_units:
        assert unit in behind, unit
    assert "中心校" not in behind  # reported its only due item on time
    assert "邮政" not in behind
    # the overdue task of the departments is named with its period
    assert "6.3" in behind and "2020-08" in behind
    for heading in ("一、总体进展", "二、进度较快的单位", "四、督办措施", "五、近期截止事项"):
        assert f"## {heading}" in text
    ahead = section(text, "## 二、进度较快的单位", "## 三、")
    assert "苏家湖村" in ahead and "中心校" in ahead
    assert "专项行动自2020年8月1日至2020年12月31日" in text


def test_escalations_and_next_deadlines(cli, data_dir):
    write_reports(data_dir)
    text = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout
    measures = section(text, "## 四、督办措施", "## 五、")
    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    for row in rows:
        if row["measure"]:
            line = next(x for x in measures.splitlines() if row["unit"] in x)
            assert line.startswith(f"- {row['measure']}："), line
    upcoming = section(text, "## 五、近期截止事项", "请各单位")
    assert "2020年9月25日前：1.3" in upcoming  # 动员部署会, due 09-25, within two weeks
    assert "2020年10月" not in upcoming


def test_file_outputs_markdown_and_docx(cli, data_dir, tmp_path):
    from docx import Document

    write_reports(data_dir)
    stdout = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout
    md = tmp_path / "通报.md"
    md.write_text("old", encoding="utf-8")  # -o names the user's own file: it is replaced whole
    result = cli("bulletin", "-o", str(md), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert md.read_text(encoding="utf-8") == stdout
    word = tmp_path / "通报.docx"
    result = cli("bulletin", "-o", str(word), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in Document(str(word)).paragraphs]
    assert paragraphs[0] == "关于兰溪镇深入推进毒品预防教育宣传专项行动推进情况的通报"
    body = "\n".join(paragraphs)
    for unit in overdue_units(cli, data_dir):
        assert unit in body
    assert "2020年9月15日" in paragraphs and AS_OF in body
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_bad_output_is_a_usage_error_and_writes_nothing(cli, data_dir, tmp_path):
    plan = (data_dir / "plan.yaml").read_text(encoding="utf-8")
    result = cli("bulletin", "-o", str(data_dir / "plan.yaml"), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert ".docx" in result.output
    assert (data_dir / "plan.yaml").read_text(encoding="utf-8") == plan
    result = cli("bulletin", "-o", str(tmp_path / "nowhere" / "b.md"), "--data", str(data_dir))
    assert result.exit_code == 2 and "目录不存在" in result.output


def test_no_overdue_before_the_first_deadline(cli, data_dir):
    result = cli("bulletin", "--data", str(data_dir), "--as-of", "2020-08-01")
    assert result.exit_code == 0, result.output
    assert "各单位均无逾期未完成事项" in result.stdout
    assert "本期无需提请督办措施" in result.stdout


def test_subprocess_run_writes_docx_without_traceback(data_dir, tmp_path):
    write_reports(data_dir)
    out = tmp_path / "b.docx"
    result = run_lanxi("bulletin", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"  # a zip container, as .docx is
