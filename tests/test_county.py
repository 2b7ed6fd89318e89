"""`lanxi county status|export --towns FILE`: many towns in one table. Towns are
local folders or git addresses served by a real `git daemon` on loopback."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import SHIPPED
from towns_support import GitServer, assert_golden, git, identify

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2021-07-01"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")



def report(cli, data: Path, task: str, unit: str, date: str, status: str = "done", as_of: str = AS_OF) -> None:
    result = cli("report", "add", "--task", task, "--unit", unit, "--date", date, "--status", status,
                 "--data", str(data), "--as-of", as_of)
    assert result.exit_code == 0, result.output


def shimen_on_server(cli, server: GitServer, tmp_path: Path) -> tuple[str, Path]:
    """石门镇, made by `lanxi init` from its table, with two reports, pushed to the server."""
    work = tmp_path / "石门镇"
    assert cli("init", str(work), "--town", "石门镇", "--from", str(FIXTURES / "石门镇任务清单.csv")).exit_code == 0
    identify(work)
    report(cli, work / "data", "6", "双溪村", "2021-06-20")
    report(cli, work / "data", "1", "青山村", "2021-03-20")
    bare = server.base / "shimen.git"
    git("init", "--quiet", "--bare", str(bare), cwd=server.base)
    git("push", "--quiet", server.url("shimen.git"), "HEAD:refs/heads/master", cwd=work)
    return server.url("shimen.git"), work


@pytest.fixture
def county(cli, server, tmp_path) -> dict:
    """A towns file: 兰溪镇 as a local folder, 石门镇 by git address."""
    lanxi = tmp_path / "towns" / "兰溪镇" / "data"
    lanxi.mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, lanxi / name)
    report(cli, lanxi, "1.1", "苏家湖村", "2020-09-02", as_of="2020-10-15")
    report(cli, lanxi, "5.1", "黄湖村", "2020-09-20", "progress", as_of="2020-10-15")
    url, work = shimen_on_server(cli, server, tmp_path)
    towns = tmp_path / "towns" / "towns.yaml"
    towns.write_text(f"towns:\n  - {{name: 兰溪镇, data: 兰溪镇}}\n  - {{name: 石门镇, data: '{url}'}}\n",
                     encoding="utf-8")
    return {"file": towns, "lanxi": lanxi, "shimen": work, "url": url}


def expected_row(cli, town: str, data: Path, as_of: str) -> dict:
    """What `status` and `assess` say of one town, added up: the county's row must agree."""
    units = json.loads(cli("status", "--data", str(data), "--as-of", as_of, "-f", "json").stdout)["units"]
    row = {"town": town, "units": len(units)}
    for key in ("total", "done", "late", "overdue", "due_soon", "open"):
        row[key] = sum(u[key] for u in units)
    due = sum(u["due"] for u in units)  # the rates over the scored obligations due, as status gives them
    completed = sum(round(u["rate"] * u["due"]) for u in units if u["due"])
    on_time = sum(round(u["on_time_rate"] * u["due"]) for u in units if u["due"])
    row["rate"], row["on_time_rate"] = round(completed / due, 4), round(on_time / due, 4)
    standings = json.loads(cli("assess", "--data", str(data), "--as-of", as_of, "-f", "json").stdout)
    villages = [s for s in standings if s["kind"] in ("village", "community") and s["score"] is not None]
    lowest = min(s["score"] for s in villages)
    tied = [s for s in villages if s["score"] == lowest]
    worst = next(s for s in tied if s["overdue"] == max(t["overdue"] for t in tied))  # the first of the worst
    row["worst"] = {"unit": worst["unit"], "score": round(worst["score"], 2), "overdue": worst["overdue"]}
    return row


def test_county_status_json_adds_up_each_town_as_its_own_commands_do(cli, county, cache_home):
    result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    clone = next((cache_home / "lanxi" / "towns").iterdir()) / "data"
    assert got == {
        "as_of": AS_OF,
        "towns": [expected_row(cli, "兰溪镇", county["lanxi"], AS_OF), expected_row(cli, "石门镇", clone, AS_OF)],
        "failed": [],
        "stale": [],
        "plan_differs": [],
    }
    assert got["towns"][1]["done"] + got["towns"][1]["late"] == 2  # the two reports pushed to the server
    # the clone lives in the machine-local cache, outside every work tree
    assert not (county["file"].parent / ".git").exists()
    assert git("rev-parse", "HEAD", cwd=clone.parent) == git("rev-parse", "HEAD", cwd=county["shimen"])


def test_the_county_never_copies_a_towns_evidence(cli, county, cache_home, tmp_path):
    """佐证材料 (issue 27) show people: the county's copy of a town holds its reports, never its evidence,
    on the first clone and on later fetches."""
    work = county["shimen"]
    photo = tmp_path / "签到.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of people \xff\xd9")

    def evidence_report(task: str, as_of: str) -> None:
        result = cli("report", "add", "-t", task, "-u", "青山村", "-e", str(photo), "--data", str(work / "data"),
                     "--as-of", as_of)
        assert result.exit_code == 0, result.output
        git("push", "--quiet", county["url"], "HEAD:refs/heads/master", cwd=work)

    evidence_report("1", "2021-03-21")
    assert list((work / "data" / "evidence").glob("*.jpg"))  # the town has it
    for round_ in range(2):  # cloned, then fetched after a new push
        result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "--format", "json")
        assert result.exit_code == 0, result.output
        clone = cache_home / "lanxi" / "towns" / hashlib.blake2b(county["url"].encode(), digest_size=8).hexdigest()
        assert (clone / "data" / "reports").is_dir() and not (clone / "data" / "evidence").exists(), result.stderr
        assert "无法" not in result.stderr, result.stderr
        assert git("rev-parse", "HEAD", cwd=clone) == git("rev-parse", "HEAD", cwd=work)
        if round_ == 0:
            photo.write_bytes(b"\xff\xd8 another photo \xff\xd9")
            evidence_report("3", "2021-06-21")


def test_a_new_push_is_fetched_and_a_lost_server_falls_back_to_the_copy(cli, county, server):
    first = json.loads(cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json").stdout)
    report(cli, county["shimen"] / "data", "1", "双溪村", "2021-03-10")
    git("push", "--quiet", county["url"], "HEAD:refs/heads/master", cwd=county["shimen"])
    second = json.loads(cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json").stdout)
    assert second["towns"][1]["done"] == first["towns"][1]["done"] + 1
    server.stop()
    offline = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json")
    assert offline.exit_code == 0
    assert json.loads(offline.stdout) == second
    assert offline.stderr.startswith(f"警告：石门镇：无法从 {county['url']} 更新，使用上次取得的副本（最新提交于 ")


def test_a_town_that_cannot_be_read_is_named_and_the_others_still_count(cli, county, server, tmp_path):
    broken = tmp_path / "towns" / "坏镇" / "data"
    broken.mkdir(parents=True)
    (broken / "plan.yaml").write_text("town: [\n", encoding="utf-8")
    (broken / "tasks.yaml").write_text("[]\n", encoding="utf-8")
    text = county["file"].read_text(encoding="utf-8")
    county["file"].write_text(text + f"  - {{name: 坏镇, data: 坏镇}}\n  - {{name: 无名镇, data: 无名镇}}\n"
                                     f"  - {{name: 远镇, data: '{server.url('nowhere.git')}'}}\n", encoding="utf-8")
    result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [t["town"] for t in got["towns"]] == ["兰溪镇", "石门镇"]
    failed = {f["town"]: f["reason"] for f in got["failed"]}
    assert list(failed) == ["坏镇", "无名镇", "远镇"]
    assert failed["坏镇"].startswith("计划数据有 1 处问题，请先修正") and "plan.yaml:" in failed["坏镇"]
    assert failed["无名镇"] == "无名镇 中没有 data/plan.yaml（也没有 plan.yaml）"
    assert failed["远镇"].startswith(f"无法从 {server.url('nowhere.git')} 取得数据。")
    for town in failed:
        assert f"警告：{town} 无法读取，未计入：" in result.stderr


def test_the_county_table(cli, county, tmp_path):
    text = county["file"].read_text(encoding="utf-8")
    county["file"].write_text(text + "  - {name: 无名镇, data: 无名镇}\n", encoding="utf-8")
    result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF)
    assert result.exit_code == 0
    assert_golden("county-status.txt", result.stdout)


def test_county_export_writes_the_same_rows_to_a_workbook(cli, county, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "county.xlsx"
    result = cli("county", "export", "--towns", str(county["file"]), "--as-of", AS_OF, "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json").stdout)
    sheet = load_workbook(out)["各镇"]
    title, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert title[0] == f"全县各镇进展（截至{AS_OF}）"  # the as-of day in the title row, as in every ledger
    assert values[0] == ["镇", "单位数", "义务总数", "已完成", "逾期完成", "已逾期", "即将到期", "未到期", "完成率",
                         "按时完成率", "最差村（社区）", "其逾期项数"]
    assert [v[:10] for v in values[1:]] == [
        [t["town"], t["units"], t["total"], t["done"], t["late"], t["overdue"], t["due_soon"], t["open"], t["rate"],
         t["on_time_rate"]]
        for t in rows["towns"]
    ]
    assert sheet["I3"].number_format == sheet["J3"].number_format == "0.0%"  # fractions shown as percentages
    worst = rows["towns"][0]["worst"]
    assert values[1][10:] == [f"{worst['unit']} {worst['score']:g}分", worst["overdue"]]


@pytest.mark.parametrize(("content", "message"), [
    ("towns: []\n", "towns: 不能为空"),
    ("towns:\n  - {name: 甲镇}\n", "towns.0.data: 缺少必填字段"),
    ("towns:\n  - {name: 甲镇, data: a}\n  - {name: 甲镇, data: b}\n", "镇名“甲镇”重复"),
    ("places: []\n", "places: 未知字段"),
])
def test_a_bad_towns_file_is_named_by_line(cli, tmp_path, content, message):
    towns = tmp_path / "towns.yaml"
    towns.write_text(content, encoding="utf-8")
    result = cli("county", "status", "--towns", str(towns))
    assert result.exit_code == 1
    assert message in result.stderr and str(towns) in result.stderr


def test_a_missing_towns_file_is_a_usage_error(cli, tmp_path):
    result = cli("county", "status", "--towns", str(tmp_path / "none.yaml"))
    assert (result.exit_code, result.stderr) == (2, f"找不到镇清单文件“{tmp_path / 'none.yaml'}”\n")


def test_county_status_as_csv(cli, county):
    result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    as_json = json.loads(cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "-f", "json").stdout)
    assert [(r["镇"], int(r["义务总数"]), r["最差村（社区）"]) for r in rows] == [  # headers in Chinese
        (t["town"], t["total"], t["worst"]["unit"]) for t in as_json["towns"]]


def test_no_town_s_records_stay_frozen_after_it_is_read(cli, county, monkeypatch):
    """A town's loads freeze what they built (io/gc_pause); reading twenty towns in
    one process, each town's garbage must go back to the collector after it."""
    import gc

    from lanxi_cli.io import gc_pause

    released = []
    real = gc_pause.release
    monkeypatch.setattr(gc_pause, "release", lambda: released.append(gc.get_freeze_count()) or real())
    result = cli("county", "status", "--towns", str(county["file"]), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(released) == 2 and released[0] > 0  # after each town, with its loads frozen
    assert gc.get_freeze_count() == 0
