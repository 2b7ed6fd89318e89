"""`lanxi schema plan|tasks|report|…`: the JSON Schema pydantic generates from the
dataclasses that validate the files. The shipped files and every kind of record
lanxi writes must pass it (checked with the `jsonschema` package, as an editor
would), and what the loader refuses the schema refuses too."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SHIPPED

jsonschema = pytest.importorskip("jsonschema")

CJK = re.compile(r"[\u4e00-\u9fff]")


def printed(cli, kind: str) -> dict:
    result = cli("schema", kind)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def validator(cli, kind: str):
    schema = printed(cli, kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def yaml_file(path):
    """The file as an editor's YAML 1.2 parser sees it: dates stay text."""
    from lanxi_cli.io import yamlio

    return yamlio.parse(yamlio.read_text(path, 5 << 20), str(path))


def errors(check, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(document)]


def test_the_shipped_plan_and_tasks_pass_their_schemas(cli):
    assert errors(validator(cli, "plan"), yaml_file(SHIPPED / "plan.yaml")) == []
    assert errors(validator(cli, "tasks"), yaml_file(SHIPPED / "tasks.yaml")) == []


def test_a_report_lanxi_wrote_passes_the_report_schema(cli, data_dir):
    photo = data_dir.parent / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")
    result = cli("report", "add", "--task", "6.3", "--unit", "苏家湖村", "--count", "2", "--note", "第一行\n第二行",
                 "-e", str(photo), "-e", "https://example.org/x", "--by", "张三", "--date", "2020-09-20",
                 "--as-of", "2020-09-21",
                 "--data", str(data_dir), "--no-commit")
    assert result.exit_code == 0, result.output
    [path] = (data_dir / "reports").rglob("*.yaml")
    assert "evidence_files" in yaml_file(path)
    assert errors(validator(cli, "report"), yaml_file(path)) == []


def test_a_plan_made_by_init_passes_too(cli, tmp_path):
    from pathlib import Path

    table = Path(__file__).parent / "fixtures" / "石门镇任务清单.csv"
    assert cli("init", str(tmp_path / "n"), "--town", "石门镇", "--from", str(table)).exit_code == 0
    assert errors(validator(cli, "plan"), yaml_file(tmp_path / "n" / "data" / "plan.yaml")) == []
    assert errors(validator(cli, "tasks"), yaml_file(tmp_path / "n" / "data" / "tasks.yaml")) == []


ALL_KINDS = ["plan", "tasks", "report", "review", "extension", "exemption", "indicator", "measure", "withdrawal",
             "liaisons", "removal", "receipt", "liaison", "notice"]


def test_the_command_offers_every_kind_the_module_knows():
    from lanxi_cli.cli.schema import SchemaKind
    from lanxi_cli.io.schema import KINDS

    assert [k.value for k in SchemaKind] == list(KINDS) == ALL_KINDS


def test_every_kind_of_record_lanxi_writes_passes_its_schema(cli, data_dir):
    """One record of each kind, written by the commands a clerk uses, with the
    fields main's corrections, parts and forms added (part, supersedes, reason)."""

    def run(*args: str) -> str:
        result = cli(*args, "--data", str(data_dir), "--as-of", "2020-10-15", "--no-commit")
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]

    part = run("report", "add", "-t", "7.1", "-u", "禁毒办", "-n", "1", "--part", "中央省级", "-d", "2020-10-01")
    done = run("report", "add", "-t", "1.4", "-u", "黄湖村", "-d", "2020-09-20")
    amended = run("report", "amend", done, "--reason", "日期写错", "-d", "2020-09-21")
    run("report", "review", part, "--approve", "--by", "禁毒办")
    run("extension", "request", "-t", "5.1", "-u", "黄湖村", "--until", "2020-12-20", "--reason", "人手不足")
    run("exemption", "request", "-t", "3.3", "-u", "黄湖村", "--reason", "本村无高中")
    run("indicator", "set", "知晓率", "0.9", "--by", "禁毒办")
    run("measure", "record", "-u", "黄湖村", "-k", "提醒", "--note", "电话提醒", "--by", "孙军")
    run("withdraw", amended, "--reason", "重复")
    run("unit", "liaison", "黄湖村", "--name", "张三", "--phone", "13800000000")
    run("notice", "--unit", "罗湖村", "-o", str(data_dir.parent / "督办.docx"))
    folders = {"report": "reports", "review": "reviews", "extension": "extensions", "exemption": "exemptions",
               "indicator": "indicators", "measure": "measures", "withdrawal": "withdrawals", "notice": "notices"}
    written = {kind: sorted((data_dir / folder).rglob("*.yaml")) for kind, folder in folders.items()}
    assert {kind: len(files) for kind, files in written.items()} == dict.fromkeys(folders, 1) | {"report": 3}
    seen = set()
    for kind, files in written.items():
        check = validator(cli, kind)
        for path in files:
            document = yaml_file(path)
            seen |= document.keys()
            assert errors(check, document) == [], path
    assert {"part", "supersedes", "reason"} <= seen
    [liaison] = (data_dir / "liaisons").rglob("*.yaml")
    assert errors(validator(cli, "liaison"), yaml_file(liaison)) == []


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_field_is_described_in_chinese(cli, kind):
    schema = printed(cli, kind)
    classes = dict(schema.get("$defs", {}))
    if "properties" in schema:
        classes["(top)"] = schema
    assert CJK.search(schema["title"]) and CJK.search(schema["description"])
    for name, definition in classes.items():
        assert CJK.search(definition["title"]) and CJK.search(definition["description"]), name
        for field, value in definition.get("properties", {}).items():
            assert CJK.search(value.get("description", "")), f"{name}.{field} has no Chinese description"
            assert "title" not in value, f"{name}.{field} keeps pydantic's English title"


@pytest.mark.parametrize("kind", [k for k in ALL_KINDS if k not in ("plan", "tasks", "liaisons", "liaison")])
def test_the_loader_s_own_field_is_not_offered(kind):
    from lanxi_cli.io.schema import schema

    offered = schema(kind)["properties"]
    assert "file" not in offered and {"date", "recorded"} <= offered.keys()


@pytest.mark.parametrize(("kind", "change"), [
    ("report", lambda d: d.update(status="finished")),
    ("report", lambda d: d.update(colour="red")),
    ("report", lambda d: d.update(count=-1)),
    ("report", lambda d: d.pop("unit")),
    ("tasks", lambda d: d[0]["deadline"].update(rule="weekly")),
    ("tasks", lambda d: d[0].update(id=1.1)),
    ("plan", lambda d: d["units"][0].update(kind="city")),
    ("plan", lambda d: d["campaign"].update(end="2020-13-01")),
])
def test_what_the_loader_refuses_the_schema_refuses(cli, tmp_path, kind, change):
    from lanxi_cli.core.domain import Plan, Report, Task
    from lanxi_cli.io import load

    document = {
        "report": {"task": "5.1", "unit": "兰溪派出所", "date": "2020-09-20", "status": "done"},
        "tasks": yaml_file(SHIPPED / "tasks.yaml"),
        "plan": yaml_file(SHIPPED / "plan.yaml"),
    }[kind]
    model = {"report": Report, "tasks": tuple[Task, ...], "plan": Plan}[kind]
    assert load.validate(model, document, "f", None)[1] == []  # valid before the change
    assert errors(validator(cli, kind), document) == []
    change(document)
    assert load.validate(model, document, "f", None)[1] != []
    assert errors(validator(cli, kind), document) != []


def test_an_unknown_kind_is_a_usage_error(cli):
    result = cli("schema", "reports")
    assert result.exit_code == 2
