"""lanxi notice: the 督办通知单 a lagging unit is sent, on one page, with a record whose id is its 编号."""

from __future__ import annotations

import json

import pytest
from conftest import git
from scenario import AS_OF, write_reports


@pytest.fixture
def issued(cli, git_data_dir, tmp_path):
    """The scenario's 罗湖村 notice: (the result, the document, the data folder)."""
    write_reports(git_data_dir)
    git("add", "-A", cwd=git_data_dir.parent)
    git("commit", "-qm", "reports", cwd=git_data_dir.parent)
    out = tmp_path / "督办.docx"
    result = cli("notice", "--unit", "罗湖", "-o", str(out), "--data", str(git_data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return result, out, git_data_dir


def text_of(path) -> str:
    from docx import Document

    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def owed(cli, data_dir, unit) -> list[dict]:
    rows = json.loads(cli("remind", "--unit", unit, "--data", str(data_dir), "--as-of", AS_OF,
                          "--format", "json").stdout)
    return rows[0]["overdue"] + rows[0]["due_soon"]


def test_the_notice_names_its_items_reply_day_liaison_and_light(issued, cli):
    from lanxi_cli.core.domain import task_label
    from lanxi_cli.io import load, locate

    result, out, data_dir = issued
    notice_id = result.stdout.strip()
    records = list((data_dir / "notices").rglob("*.yaml"))
    assert [p.stem for p in records] == [notice_id]  # the record, its id printed alone on stdout
    text = text_of(out)
    assert f"编号：{notice_id}" in text and "罗湖村" in text
    assert "回复时限" in text and "2020年9月18日前" in text  # plan.yaml reply_days: 3 by default
    book = load.load_book(locate.find_data_dir(str(data_dir)))
    tasks = {t.id: t for t in book.tasks}
    items = owed(cli, data_dir, "罗湖村")
    assert len(items) == 8  # 6.3 for August too: due before the notice, chased though not scored
    for item in items:
        task = tasks[item["task"]]
        assert task_label(task) in text and task.text in text
    assert "9月3日" in text and "9月15日" in text  # the due days
    light = json.loads(cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    colour = next(r["light"] for r in light if r["unit"] == "罗湖村")
    assert {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}[colour] in text
    assert "逾期7项" in text and "即将到期1项" in text


def test_the_band_is_in_the_lights_colour_and_the_record_is_committed(issued):
    import zipfile

    result, out, data_dir = issued
    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode()
    assert 'w:fill="C00000"' in body  # 罗湖村's light is red
    log = git("-c", "core.quotepath=off", "log", "--format=%s", "-1", "--name-only", cwd=data_dir.parent)
    assert log.startswith("督办通知单：罗湖村") and f"{result.stdout.strip()}.yaml" in log


def test_check_reads_the_record_and_the_reply_days_come_from_the_plan(cli, issued, tmp_path):
    _result, _out, data_dir = issued
    assert cli("check", "--data", str(data_dir)).exit_code == 0
    plan = data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "reply_days: 5\n", encoding="utf-8")
    out = tmp_path / "again.docx"
    result = cli("notice", "--unit", "罗湖村", "-o", str(out), "--no-commit", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "2020年9月20日前" in text_of(out)
    (data_dir / "notices" / "bad.yaml").write_text("unit: 无此村\ndate: 2020-09-15\nreply_by: 2020-09-18\n",
                                                   encoding="utf-8")
    bad = cli("check", "--data", str(data_dir))
    assert bad.exit_code == 1 and "bad.yaml" in bad.output and "无此村" in bad.output


def test_all_sends_one_to_every_unit_whose_light_is_not_green(cli, git_data_dir, tmp_path):
    write_reports(git_data_dir)
    out = tmp_path / "通知单"
    out.mkdir()
    result = cli("notice", "--all", "-o", str(out), "--data", str(git_data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    ids = result.stdout.split()
    rows = json.loads(cli("assess", "--data", str(git_data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    chased = {r["unit"] for r in json.loads(cli("remind", "--data", str(git_data_dir), "--as-of", AS_OF,
                                                 "--format", "json").stdout) if r["overdue"] or r["due_soon"]}
    lagging = [r["unit"] for r in rows if r["light"] != "green" and r["unit"] in chased]
    assert lagging and len(ids) == len(lagging)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"督办通知单-{u}-{AS_OF}.docx" for u in lagging)
    assert sorted(p.stem for p in (git_data_dir / "notices").rglob("*.yaml")) == sorted(ids)
    assert git("log", "--format=%s", cwd=git_data_dir.parent).count("督办通知单") == 1  # one commit


def test_a_unit_owing_nothing_is_refused_and_nothing_is_written(cli, data_dir, tmp_path):
    out = tmp_path / "n.docx"
    result = cli("notice", "--unit", "罗湖村", "-o", str(out), "--data", str(data_dir), "--as-of", "2020-08-01")
    assert result.exit_code == 2 and "无需督办" in result.output
    assert not out.exists() and not (data_dir / "notices").exists()
    assert cli("notice", "-o", str(out), "--data", str(data_dir)).exit_code == 2  # neither --unit nor --all
    assert cli("notice", "--unit", "罗湖村", "-o", str(tmp_path / "n.pdf"), "--data", str(data_dir)).exit_code == 2


def test_libreoffice_prints_the_notice_on_one_page(issued, cli, tmp_path):
    """The unit owing most fits one A4 page too (a smaller face, past MAX_ITEMS the rest counted)."""
    from debian import to_pdf

    _result, out, data_dir = issued
    _pdf, pages = to_pdf(out, tmp_path)
    assert len(pages) == 1 and "督办通知单" in pages[0]
    status = json.loads(cli("status", "--data", str(data_dir), "--as-of", "2020-10-20", "--format", "json").stdout)
    worst = max(status["units"], key=lambda r: r["overdue"] + r["due_soon"])["unit"]
    many = tmp_path / "many.docx"
    assert cli("notice", "--unit", worst, "-o", str(many), "--no-commit", "--data", str(data_dir),
               "--as-of", "2020-10-20").exit_code == 0
    _pdf, pages = to_pdf(many, tmp_path)
    assert len(pages) == 1 and worst in "".join(pages[0].split())


def test_ack_of_a_notice_only_by_the_unit_it_was_sent_to(issued, cli):
    """罗湖村's 督办通知单 cannot be signed for by 苏家湖村 (or a group holding others), nor before it was issued."""
    result, _out, data_dir = issued
    notice_id = result.stdout.strip()
    args = ("--of", notice_id, "--data", str(data_dir), "--as-of", AS_OF, "--no-commit")
    for units in (["苏家湖"], ["罗湖", "苏家湖村"], ["各村、社区"]):
        wrong = cli("ack", *[a for u in units for a in ("-u", u)], *args)
        assert wrong.exit_code == 2, wrong.output
        assert f"督办通知单 {notice_id} 是发给罗湖村的，不是发给苏家湖村" in wrong.stderr
    early = cli("ack", "-u", "罗湖", "--date", "2020-09-01", *args)
    assert early.exit_code == 2 and f"早于督办通知单 {notice_id} 的印发之日 {AS_OF}" in early.stderr
    assert not (data_dir / "receipts").exists()
    right = cli("ack", "-u", "罗湖", *args)
    assert right.exit_code == 0, right.output
    assert len(list((data_dir / "receipts").rglob("*.yaml"))) == 1
