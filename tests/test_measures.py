"""督办 measures taken: `lanxi measure record|list`, a committed, dated, withdrawable
record kind, shown in `status --unit` and the 通报, and the step rule it feeds."""

from __future__ import annotations

import json

from conftest import git

DAY = "2020-09-20"


def record(cli, data_dir, *args, as_of=DAY):
    return cli("measure", "record", *args, "--data", str(data_dir), "--as-of", as_of)


def listed(cli, data_dir, as_of=DAY, *extra):
    result = cli("measure", "list", *extra, "--data", str(data_dir), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_measure_is_a_committed_record_listed_from_its_date(cli, git_data_dir):
    data_dir = git_data_dir
    result = record(cli, data_dir, "--unit", "苏家湖", "--kind", "提醒", "--date", "2020-09-10", "--note", "电话提醒",
                    "--by", "孙军")
    assert result.exit_code == 0, result.output
    path = result.stdout.strip()
    assert path.startswith("data/measures/2020/09/2020-09-10-苏家湖村-")
    assert git("status", "--porcelain", cwd=data_dir.parent) == ""  # committed
    assert "督办措施：苏家湖村 提醒 2020-09-10" in git("log", "-1", "--format=%s", cwd=data_dir.parent)
    [row] = listed(cli, data_dir)
    assert {k: row[k] for k in ("unit", "kind", "date", "note", "by")} == {
        "unit": "苏家湖村", "kind": "提醒", "date": "2020-09-10", "note": "电话提醒", "by": "孙军"}
    assert row["id"] == path.rsplit("/", 1)[1].removesuffix(".yaml")
    assert listed(cli, data_dir, "2020-09-09") == []  # counted from its date
    assert listed(cli, data_dir, DAY, "--unit", "黄湖村") == []


def test_what_a_measure_record_refuses(cli, data_dir):
    cases = [
        (("--unit", "禁毒办", "--kind", "提醒"), "考核单位"),  # the assessor is not given a measure
        (("--unit", "苏家湖", "--kind", "警告"), "提醒、约谈、述职、通报"),
        (("--unit", "火星村", "--kind", "提醒"), "火星村"),
        (("--unit", "苏家湖", "--kind", "提醒", "--date", "2020-09-21"), "晚于"),
        (("--unit", "苏家湖", "--kind", "提醒", "--date", "2020-07-01"), "早于"),
    ]
    for args, words in cases:
        result = record(cli, data_dir, *args, "--no-commit")
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, args
    assert not (data_dir / "measures").exists()


def test_a_withdrawn_measure_counts_nowhere(cli, data_dir):
    path = record(cli, data_dir, "-u", "苏家湖", "-k", "提醒", "-d", "2020-09-04", "--no-commit").stdout.strip()
    assess = json.loads(cli("assess", "--data", str(data_dir), "--as-of", DAY, "--format", "json").stdout)
    assert next(r for r in assess if r["unit"] == "苏家湖村")["measure"] == "约谈"
    result = cli("withdraw", path, "--reason", "记错单位", "--data", str(data_dir), "--as-of", DAY, "--no-commit")
    assert result.exit_code == 0, result.output
    assert listed(cli, data_dir) == []
    assess = json.loads(cli("assess", "--data", str(data_dir), "--as-of", DAY, "--format", "json").stdout)
    assert next(r for r in assess if r["unit"] == "苏家湖村")["measure"] == "提醒"
    assert (data_dir.parent / path).is_file()  # nothing deleted


def test_status_and_the_bulletin_show_the_measures_taken(cli, data_dir):
    record(cli, data_dir, "-u", "苏家湖", "-k", "提醒", "-d", "2020-09-04", "--note", "电话提醒", "--no-commit")
    record(cli, data_dir, "-u", "苏家湖", "-k", "约谈", "-d", "2020-09-18", "--no-commit")
    mine = json.loads(cli("status", "-u", "苏家湖", "--data", str(data_dir), "--as-of", DAY, "--format", "json").stdout)
    assert [(m["kind"], m["date"]) for m in mine["measures"]] == [("提醒", "2020-09-04"), ("约谈", "2020-09-18")]
    table = cli("status", "-u", "苏家湖", "--data", str(data_dir), "--as-of", DAY).stdout
    assert "已采取督办措施：2020-09-04 提醒（电话提醒）。" in table and "已采取督办措施：2020-09-18 约谈。" in table
    other = json.loads(cli("status", "-u", "黄湖", "--data", str(data_dir), "--as-of", DAY, "--format", "json").stdout)
    assert other["measures"] == []
    text = cli("bulletin", "--data", str(data_dir), "--as-of", DAY).stdout
    assert "已采取的督办措施：" in text
    assert "- 2020年9月4日，苏家湖村：提醒（电话提醒）。" in text and "- 2020年9月18日，苏家湖村：约谈。" in text
    assert "述职：苏家湖村" in text  # one step above the last measure taken
    earlier = cli("bulletin", "--data", str(data_dir), "--as-of", "2020-09-10").stdout
    assert "约谈。" not in earlier and "提醒（电话提醒）" in earlier  # the 通报 of 09-10 as it was then


def test_check_names_the_old_count_thresholds_and_their_replacements(cli, data_dir):
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("    overdue_share: [0.2, 0.4, 0.6, 0.8]", "    overdue: [2, 4, 6, 8]")
                        .replace("    red_above: 0.2", "    yellow: 1\n    red: 3"), encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "assessment.escalate.overdue: 已不再使用" in result.output and "overdue_share" in result.output
    assert "assessment.lights.yellow: 已不再使用" in result.output and "red_above" in result.output
    lines = plan.read_text(encoding="utf-8").splitlines()
    assert f"data/plan.yaml:{lines.index('    overdue: [2, 4, 6, 8]') + 1}:" in result.output
    # queries still answer, by the shares' defaults
    assess = cli("assess", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json")
    assert assess.exit_code == 0 and {r["measure"] for r in json.loads(assess.stdout) if r["kind"] == "village"} == {
        "提醒"}
