"""`lanxi county rank|bulletin`, towns as a git address, a folder or a `.zip`,
and a town started from the county's plan (`init --from-county`)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import SHIPPED
from towns_support import assert_golden, git, identify

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2020-11-15"
OLD_DAY = "2020-10-20"  # the zipped town's copy: committed that day, before the others

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def ok(result):
    assert result.exit_code == 0, result.output + result.stderr
    return result


def report(cli, data: Path, task: str, unit: str, date: str, status: str = "done") -> None:
    ok(cli("report", "add", "--task", task, "--unit", unit, "--date", date, "--status", status,
           "--data", str(data), "--as-of", AS_OF))


def county_plan(root: Path) -> Path:
    """The county's plan as a repository like a town's: the shipped tasks, the plan
    without any village (each town has its own), named for the 区."""
    folder = root / "县方案"
    (folder / "data").mkdir(parents=True)
    shutil.copy(SHIPPED / "tasks.yaml", folder / "data" / "tasks.yaml")
    text = (SHIPPED / "plan.yaml").read_text(encoding="utf-8")
    text = re.sub(r"  - \{name: [^,]+, kind: (village|community),.*\n", "", text)
    text = text.replace("town: 兰溪镇", "town: 赫山区").replace("\ntitle: 兰溪镇", "\ntitle: 赫山区")
    (folder / "data" / "plan.yaml").write_text(text, encoding="utf-8")
    return folder


def new_town(cli, root: Path, county: Path, name: str, villages: list[str]) -> Path:
    """A town from the county's plan: its villages from a roll, one more by `unit add`."""
    root.mkdir(parents=True, exist_ok=True)
    roll = root / f"{name}名册.csv"
    roll.write_text("名称,类型\n" + "".join(f"{v},村\n" for v in villages[:-1]), encoding="utf-8")
    work = root / name
    ok(cli("init", str(work), "--town", name, "--from-county", str(county), "--units", str(roll)))
    identify(work)
    ok(cli("unit", "add", villages[-1], "--kind", "村", "--data", str(work / "data")))
    return work


def status_rates(cli, data: Path) -> dict:
    """The town's rates as `status` gives them, unit by unit, added up."""
    units = json.loads(ok(cli("status", "--data", str(data), "--as-of", AS_OF, "-f", "json")).stdout)["units"]
    due = sum(u["due"] for u in units)
    done = sum(round(u["on_time_rate"] * u["due"]) for u in units if u["due"])
    completed = sum(round(u["rate"] * u["due"]) for u in units if u["due"])
    overdue = sum(u["overdue"] for u in units)
    scored_overdue = overdue - sum(u.get("unscored_overdue", 0) for u in units)
    if not due:
        return {"rate": None, "on_time_rate": None, "overdue": overdue, "due": 0}
    return {"rate": completed / due, "on_time_rate": done / due, "overdue": overdue, "due": due,
            "share": scored_overdue / due}


def zip_folder(folder: Path, archive: Path, top: str | None = None) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as book:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            book.write(path, f"{top}/{name}" if top else name)
    return archive


@pytest.fixture
def three(cli, server, tmp_path, monkeypatch) -> dict:
    """甲镇 by git address, 乙镇 a folder, 丙镇 a .zip of its repository (committed on OLD_DAY),
    all three started from the county's plan; 丁镇 a folder with its own task list."""
    county = county_plan(tmp_path)
    jia = new_town(cli, tmp_path, county, "甲镇", ["东村", "西村", "南村"])
    for task, unit in (("1.1", "东村"), ("1.2", "东村"), ("1.1", "西村"), ("2.1", "南村")):
        report(cli, jia / "data", task, unit, "2020-09-05")
    git("init", "--quiet", "--bare", str(server.base / "jia.git"), cwd=server.base)
    git("push", "--quiet", server.url("jia.git"), "HEAD:refs/heads/master", cwd=jia)

    yi = new_town(cli, tmp_path / "towns", county, "乙镇", ["上村", "下村"])
    report(cli, yi / "data", "1.1", "上村", "2020-09-20")  # late: 1.1 is due by 9月10日

    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{OLD_DAY}T09:00:00+0800")
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"{OLD_DAY}T09:00:00+0800")
    bing = new_town(cli, tmp_path, county, "丙镇", ["前村", "后村"])
    for task in ("1.1", "1.2", "1.3"):
        report(cli, bing / "data", task, "前村", "2020-09-03")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    zip_folder(bing, tmp_path / "towns" / "丙镇.zip", top="丙镇")

    ding = tmp_path / "towns" / "丁镇"
    ok(cli("init", str(ding), "--town", "丁镇", "--from", str(FIXTURES / "石门镇任务清单.csv")))

    towns = tmp_path / "towns" / "towns.yaml"
    towns.write_text(
        "towns:\n"
        f"  - {{name: 甲镇, data: '{server.url('jia.git')}'}}\n"
        "  - {name: 乙镇, data: 乙镇}\n"
        "  - {name: 丙镇, data: 丙镇.zip}\n"
        "  - {name: 丁镇, data: 丁镇}\n"
        "plan: ../县方案\n"
        "rank: {rate: 3, on_time_rate: 1, overdue_share: 1}\n"
        "issuer: 赫山区禁毒委员会办公室\n"
        "doc_code: 赫禁毒委\n", encoding="utf-8")
    return {"file": towns, "county": county, "data": {"甲镇": jia / "data", "乙镇": yi / "data",
                                                      "丙镇": bing / "data", "丁镇": ding / "data"}}


def test_a_town_from_the_county_plan_keeps_its_tasks_and_ids(cli, tmp_path):
    county = county_plan(tmp_path)
    work = new_town(cli, tmp_path, county, "甲镇", ["东村", "西村", "南村"])
    assert (work / "data" / "tasks.yaml").read_bytes() == (county / "data" / "tasks.yaml").read_bytes()
    import yaml

    plan = yaml.safe_load((work / "data" / "plan.yaml").read_text(encoding="utf-8"))
    county_keys = yaml.safe_load((county / "data" / "plan.yaml").read_text(encoding="utf-8"))
    assert plan["town"] == "甲镇" and not {"doc_code", "issuer", "addressees"} & set(plan)  # the county's own
    assert {k: v for k, v in plan.items() if k not in ("town", "units")} == {
        k: v for k, v in county_keys.items() if k not in ("town", "units", "doc_code", "issuer", "addressees",
                                                           "units_source")}
    tasks = json.loads(ok(cli("tasks", "--data", str(work / "data"), "-f", "json")).stdout)
    county_tasks = json.loads(ok(cli("tasks", "--data", str(county / "data"), "-f", "json")).stdout)
    assert [t["id"] for t in tasks] == [t["id"] for t in county_tasks]
    units = json.loads(ok(cli("units", "--data", str(work / "data"), "-f", "json")).stdout)
    assert {"东村", "西村", "南村", "禁毒办"} <= {u["name"] for u in units}
    assert "苏家湖村" not in {u["name"] for u in units}
    ok(cli("check", "--data", str(work / "data")))
    assert git("status", "--porcelain", cwd=work) == ""  # init and unit add each committed


def test_init_from_county_refuses_an_existing_plan_and_mixed_options(cli, tmp_path):
    county = county_plan(tmp_path)
    new_town(cli, tmp_path, county, "甲镇", ["东村"])
    before = (tmp_path / "甲镇" / "data" / "plan.yaml").read_bytes()
    again = cli("init", str(tmp_path / "甲镇"), "--town", "甲镇", "--from-county", str(county))
    assert again.exit_code == 2 and "已存在" in again.stderr
    assert (tmp_path / "甲镇" / "data" / "plan.yaml").read_bytes() == before
    mixed = cli("init", str(tmp_path / "乙镇"), "--town", "乙镇", "--from-county", str(county),
                "--from", str(FIXTURES / "石门镇任务清单.csv"))
    assert mixed.exit_code == 2 and "--from-county" in mixed.stderr and not (tmp_path / "乙镇").exists()
    nowhere = cli("init", str(tmp_path / "丙镇"), "--town", "丙镇", "--from-county", str(tmp_path / "无"))
    assert nowhere.exit_code == 1 and "没有 data/plan.yaml" in nowhere.stderr


def test_three_towns_by_address_folder_and_zip_are_ranked_by_the_county_rule(cli, three):
    result = ok(cli("county", "rank", "--towns", str(three["file"]), "--as-of", AS_OF, "-f", "json"))
    got = json.loads(result.stdout)
    assert got["failed"] == []
    expected = []
    for town in ("甲镇", "乙镇", "丙镇"):
        r = status_rates(cli, three["data"][town])
        score = (3 * r["rate"] + r["on_time_rate"] + (1 - r["share"])) / 5
        expected.append({"town": town, "score": round(score, 4), "rate": round(r["rate"], 4),
                         "on_time_rate": round(r["on_time_rate"], 4), "overdue": r["overdue"]})
    expected.sort(key=lambda t: -t["score"])
    # 丁镇's own list has nothing due yet: listed, unranked, last
    assert status_rates(cli, three["data"]["丁镇"])["due"] == 0
    expected.append({"town": "丁镇", "score": None, "rate": None, "on_time_rate": None, "overdue": 0})
    assert [{k: v for k, v in t.items() if k != "rank"} for t in got["towns"]] == expected
    assert [t["rank"] for t in got["towns"]] == [1, 2, 3, None]
    # the three started from the county's plan follow it; 丁镇's own list is named, both ways
    assert [d["town"] for d in got["plan_differs"]] == ["丁镇"]
    ding = got["plan_differs"][0]
    assert ding["missing"][:3] == ["1.1", "1.2", "1.3"] and ding["extra"][:2] == ["1", "2"]
    # the zipped copy, committed on OLD_DAY, is older than the others
    assert got["stale"] == [{"town": "丙镇", "last_commit": OLD_DAY}]


def test_the_rank_table_names_the_rule_the_old_copy_and_the_other_plan(cli, three):
    text = ok(cli("county", "rank", "--towns", str(three["file"]), "--as-of", AS_OF)).stdout
    assert_golden("county-rank.txt", text)
    ranked = json.loads(ok(cli("county", "rank", "--towns", str(three["file"]), "--as-of", AS_OF, "-f", "json")).stdout)
    lines = text.splitlines()
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (str(t["rank"]), t["town"], f"{100 * t['score']:.1f}") for t in ranked["towns"] if t["rank"]]
    assert "未排名（尚无到期事项）：丁镇。" in text
    assert "排名规则：得分 = 完成率×0.6 + 按时完成率×0.2 + （1－逾期占比）×0.2，按百分制。" in text
    assert f"副本较旧：丙镇的数据最新提交于 {OLD_DAY}" in text
    assert "任务与县方案不一致：丁镇缺少县方案的任务 1.1、" in text
    status = ok(cli("county", "status", "--towns", str(three["file"]), "--as-of", AS_OF)).stdout
    assert f"副本较旧：丙镇的数据最新提交于 {OLD_DAY}" in status


def test_the_county_bulletin_is_a_document_python_docx_opens(cli, three, tmp_path):
    from docx import Document

    out = tmp_path / "全县通报.docx"
    result = ok(cli("county", "bulletin", "--towns", str(three["file"]), "--as-of", AS_OF, "--number", "3",
                    "--issue", "2", "-o", str(out)))
    assert result.stdout.strip() == str(out)
    document = Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "赫山区禁毒委员会办公室" and "第2期" in texts and "赫禁毒委〔2020〕3号" in texts
    assert "关于赫山区深入推进毒品预防教育宣传专项行动推进情况的通报" in texts  # the county plan's name
    ranked = json.loads(ok(cli("county", "rank", "--towns", str(three["file"]), "--as-of", AS_OF, "-f", "json")).stdout)
    (table,) = document.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["名次", "镇", "得分", "完成率", "按时完成率", "已逾期"]
    assert [(r[0], r[1], r[2], r[5]) for r in cells[1:]] == [
        (str(t["rank"] or "—"), t["town"], f"{100 * t['score']:.1f}" if t["score"] is not None else "—",
         str(t["overdue"])) for t in ranked["towns"]]
    assert "丁镇尚无到期事项，暂不排名。" in texts
    body = "\n".join(texts)
    for town in ("甲镇", "乙镇", "丙镇"):  # each town's units with overdue obligations, by name and count
        data = three["data"][town]
        units = json.loads(ok(cli("status", "--data", str(data), "--as-of", AS_OF, "-f", "json")).stdout)["units"]
        behind = sorted((u for u in units if u["overdue"]), key=lambda u: -u["overdue"])
        assert behind
        assert f"{town}：{len(behind)}个单位有逾期事项，共{sum(u['overdue'] for u in behind)}项" in body
        tasks = json.loads(ok(cli("tasks", "--data", str(data), "--as-of", AS_OF, "-f", "json")).stdout)
        for u in behind[:10]:
            late = [t["id"] for t in tasks if u["unit"] in t["overdue_units"]]
            shown = "、".join(late[:4]) + (f"等{len(late)}项" if len(late) > 4 else "")
            assert f"{u['unit']}：已逾期{u['overdue']}项（任务{shown}）。" in body, (town, u["unit"])
    assert f"丙镇的数据最新提交于{OLD_DAY[:4]}年{int(OLD_DAY[5:7])}月{int(OLD_DAY[8:])}日" in body
    assert "丁镇的任务清单与县方案不一致" in body
    assert texts[-1].startswith("赫山区禁毒委员会办公室\t") and texts[-1].endswith("印发")  # the 版记


def test_the_county_bulletin_in_markdown_says_the_same(cli, three):
    text = ok(cli("county", "bulletin", "--towns", str(three["file"]), "--as-of", AS_OF)).stdout
    assert text.startswith("# 关于赫山区深入推进毒品预防教育宣传专项行动推进情况的通报\n\n各乡镇（街道）禁毒委员会：")
    assert "| 名次 | 镇 | 得分 | 完成率 | 按时完成率 | 已逾期 |" in text


def test_equal_scores_share_a_place():
    from lanxi_cli.core.county import TownRow, Weights, rank
    from lanxi_cli.core.engine import Rates

    def row(town, rates):
        return TownRow(town, 1, dict.fromkeys(("done", "late", "overdue", "due_soon", "open"), 0), None, rates)

    rows = [row("甲", Rates(3, 1, 0, 2)), row("乙", Rates(0, 0, 0)), row("丙", Rates(6, 2, 0, 4)),
            row("丁", Rates(4, 4, 0))]
    got = [(r.row.town, r.rank) for r in rank(rows, Weights(rate=1))]
    assert got == [("丁", 1), ("甲", 2), ("丙", 2), ("乙", None)]
    by_overdue = [(r.row.town, r.rank, r.score) for r in rank(rows, Weights(overdue_share=1))]
    assert by_overdue[0] == ("丁", 1, 1.0) and by_overdue[-1] == ("乙", None, None)


@pytest.mark.parametrize(("content", "message"), [
    ("towns:\n  - {name: 甲镇, data: a}\nrank: {rate: 0}\n", "至少有一项大于 0"),
    ("towns:\n  - {name: 甲镇, data: a}\nrank: {speed: 1}\n", "rank.speed: 未知字段"),
    ("towns:\n  - {name: 甲镇, data: a}\nrank: {rate: -1}\n", "rank.rate"),
])
def test_a_bad_rank_rule_is_named_by_line(cli, tmp_path, content, message):
    towns = tmp_path / "towns.yaml"
    towns.write_text(content, encoding="utf-8")
    result = cli("county", "rank", "--towns", str(towns))
    assert result.exit_code == 1
    assert message in result.stderr and f"{towns}:3" in result.stderr


# ---- hostile archives ---------------------------------------------------------------------------


def _entry(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2020, 9, 1, 0, 0, 0))
    info.external_attr = mode << 16
    return info


def hostile(kind: str, archive: Path, town: Path) -> None:
    zip_folder(town, archive)
    with zipfile.ZipFile(archive, "a") as book:
        if kind == "dotdot":
            book.writestr(_entry("data/../../逃逸.txt"), "x")
        elif kind == "absolute":
            book.writestr(_entry("/tmp/lanxi-absolute.txt"), "x")
        elif kind == "backslash":
            book.writestr(_entry("data\\..\\..\\逃逸.txt"), "x")
        elif kind == "link":
            book.writestr(_entry("data/reports/link.yaml", stat.S_IFLNK | 0o777), "/etc/passwd")


@pytest.mark.parametrize(("kind", "said"), [
    ("dotdot", "指向压缩包以外"), ("absolute", "指向压缩包以外"), ("backslash", "指向压缩包以外"),
    ("link", "是链接或特殊文件"),
])
def test_a_hostile_zip_is_refused_naming_the_town_and_the_others_count(cli, tmp_path, cache_home, kind, said):
    county = county_plan(tmp_path)
    good = new_town(cli, tmp_path / "towns", county, "乙镇", ["上村"])
    bad = new_town(cli, tmp_path, county, "丙镇", ["前村"])
    hostile(kind, tmp_path / "towns" / "丙镇.zip", bad)
    towns = tmp_path / "towns" / "towns.yaml"
    towns.write_text("towns:\n  - {name: 乙镇, data: 乙镇}\n  - {name: 丙镇, data: 丙镇.zip}\n", encoding="utf-8")
    cache = cache_home / "lanxi" / "towns"
    before = set(cache.rglob("*")) if cache.is_dir() else set()
    result = ok(cli("county", "rank", "--towns", str(towns), "--as-of", AS_OF, "-f", "json"))
    got = json.loads(result.stdout)
    assert [t["town"] for t in got["towns"]] == ["乙镇"]
    (failed,) = got["failed"]
    assert failed["town"] == "丙镇" and "丙镇.zip" in failed["reason"] and said in failed["reason"]
    assert "警告：丙镇 无法读取，未计入：压缩包 丙镇.zip 中的" in result.stderr
    assert not list(tmp_path.rglob("逃逸.txt")) and not Path("/tmp/lanxi-absolute.txt").exists()
    assert (set(cache.rglob("*")) if cache.is_dir() else set()) == before  # nothing unpacked
    assert good.is_dir()


@pytest.mark.parametrize("limit", ["ZIP_MAX_ENTRIES", "ZIP_MAX_BYTES"])
def test_a_zip_past_the_limits_is_refused(cli, tmp_path, monkeypatch, limit):
    from lanxi_cli.io import towns as towns_io

    county = county_plan(tmp_path)
    bing = new_town(cli, tmp_path, county, "丙镇", ["前村"])
    zip_folder(bing, tmp_path / "丙镇.zip")
    with zipfile.ZipFile(tmp_path / "丙镇.zip") as book:
        entries, size = len(book.infolist()), sum(i.file_size for i in book.infolist())
    monkeypatch.setattr(towns_io, limit, entries - 1 if limit == "ZIP_MAX_ENTRIES" else size - 1)
    towns = tmp_path / "towns.yaml"
    towns.write_text("towns:\n  - {name: 丙镇, data: 丙镇.zip}\n", encoding="utf-8")
    result = cli("county", "rank", "--towns", str(towns), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "丙镇 无法读取" in result.stderr
    assert ("超过上限" if limit == "ZIP_MAX_ENTRIES" else "MB 的上限") in result.stderr


def test_a_zip_s_git_configuration_and_hooks_never_run(cli, tmp_path, cache_home):
    """The day of the last commit is read from the archive's .git; its config
    (an fsmonitor command) and hooks are never unpacked, so nothing of them runs."""
    county = county_plan(tmp_path)
    bing = new_town(cli, tmp_path, county, "丙镇", ["前村"])
    marker = tmp_path / "ran"
    with open(bing / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[core]\n\tfsmonitor = touch {marker}\n\tpager = touch {marker}\n")
    hook = bing / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    (bing / "data" / "evidence").mkdir()
    (bing / "data" / "evidence" / "照片.jpg").write_bytes(b"\xff\xd8 people \xff\xd9")
    zip_folder(bing, tmp_path / "丙镇.zip")
    towns = tmp_path / "towns.yaml"
    towns.write_text("towns:\n  - {name: 丙镇, data: 丙镇.zip}\n  - {name: 乙镇, data: 丙镇.zip}\n", encoding="utf-8")
    ok(cli("county", "status", "--towns", str(towns), "--as-of", AS_OF, "-f", "json"))
    assert not marker.exists()
    key = hashlib.blake2b(str((tmp_path / "丙镇.zip").resolve()).encode(), digest_size=8).hexdigest()
    copy = cache_home / "lanxi" / "towns" / f"zip-{key}"
    assert (copy / "copy" / "data" / "plan.yaml").is_file() and (copy / "copy" / ".git" / "HEAD").is_file()
    assert not list(copy.rglob("config")) and not list(copy.rglob("post-checkout"))
    assert not list(copy.rglob("照片.jpg"))  # the county never copies evidence


def test_a_bulletin_to_a_file_lanxi_cannot_write_is_refused_before_any_town_is_read(cli, tmp_path, cache_home):
    towns = tmp_path / "towns.yaml"
    towns.write_text("towns:\n  - {name: 甲镇, data: 'git://127.0.0.1:9/none.git'}\n", encoding="utf-8")
    result = cli("county", "bulletin", "--towns", str(towns), "-o", str(tmp_path / "通报.pdf"))
    assert result.exit_code == 2 and ".docx" in result.stderr
    assert "甲镇" not in result.stderr and not (tmp_path / "通报.pdf").exists()
