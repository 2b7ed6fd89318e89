"""`lanxi remind`: what to send each liaison, checked against a scenario (golden files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenario import AS_OF, write_reports

from lanxi_cli.core.remind import SMS_CHARS, split

GOLDEN = Path(__file__).parent / "golden"
LIAISONS = """\
# 手工写的注释
- {unit: 苏家湖村, name: 张三, phone: '13812345678'}
- {unit: 黄湖村, name: 李四, phone: 0737-4281234}
- {unit: 兰溪派出所, name: 王警官, phone: ''}
"""


def golden(name: str, text: str) -> None:
    """`text` must equal tests/golden/NAME; LANXI_UPDATE_GOLDEN=1 rewrites the file (review the diff)."""
    path = GOLDEN / name
    if os.environ.get("LANXI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def scenario(data_dir) -> Path:
    write_reports(data_dir)
    (data_dir / "liaisons.yaml").write_text(LIAISONS, encoding="utf-8")
    return data_dir


def remind(cli, data_dir, *args, as_of=AS_OF):
    result = cli("remind", "--data", str(data_dir), "--as-of", as_of, *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_the_scenario(cli, scenario, fmt):
    golden(f"remind-{AS_OF}.{'txt' if fmt == 'table' else fmt}", remind(cli, scenario, "--format", fmt))


def test_every_unit_with_an_overdue_item_is_named(cli, scenario):
    """Every unit with an overdue obligation of its own, scored or not (a duty is reminded either
    way; 10.2 is 禁毒办's, never its inspected villages'), is named with exactly those items."""
    status = json.loads(cli("status", "--data", str(scenario), "--as-of", AS_OF, "--format", "json").stdout)

    def counted(unit):
        own = json.loads(cli("status", "--unit", unit, "--data", str(scenario), "--as-of", AS_OF,
                             "--format", "json").stdout)["obligations"]
        return [o for o in own if o["state"] == "overdue"]

    overdue = [u["unit"] for u in status["units"] if u["overdue"] and counted(u["unit"])]
    # the villages and the community, 禁毒办 (10.2 第1次 for each village), and the departments but
    # 中心校 (6.3 for August, unscored but owed)
    assert len(overdue) == 23 + 1 + 7
    assert all(o["owner"] == "禁毒办" and o["subject"] for o in counted("禁毒办") if o["task"] == "10.2")
    rows = json.loads(remind(cli, scenario, "--format", "json"))
    named = {r["unit"]: r for r in rows}
    assert set(overdue) <= set(named)
    table = remind(cli, scenario)
    for unit in overdue:
        late = [{key: o[key] for key in ("task", "period", "due", "owner", "subject")} for o in counted(unit)]
        assert sorted(named[unit]["overdue"], key=lambda o: (o["due"], o["task"])) == \
            sorted(late, key=lambda o: (o["due"], o["task"]))
        assert f"\n{unit} · " in table
        text = "".join(m.split("）", 1)[1] if m.startswith("（") else m for m in named[unit]["sms"])
        ask = "请先签收专项行动通知；" if named[unit]["unacknowledged"] else ""  # asked first (issue 27)
        assert text.startswith(f"{unit}联络员{named[unit]['liaison']}：{ask}逾期{len(late)}项：")
        assert all(o["task"] in text for o in late)


def test_one_unit(cli, scenario):
    assert remind(cli, scenario, "--unit", "苏家湖") == (
        "催办提醒 · 截至 2020-09-15 · 旬报 9月1日至10日 · 1 个单位\n"
        "（短信每行一条，每条不超过 70 字）\n"
        "\n"
        "苏家湖村 · 联络员 张三 13812345678 · 逾期 6、即将到期 1\n"
        "  （1/2）苏家湖村联络员张三：逾期6项：6.3 新媒体发布（8月31日），2.1 专题学习、2.2 纳入轮训、"
        "2.3 公职人员培训、\n"
        "  （2/2）4.1 娱乐场所宣传、4.2 公共场所宣传（9月3日）；即将到期1项：8.2 禁毒协会建设（9月15日）。"
        "请抓紧办理。\n"
    )


def test_the_lead_is_reminded_of_what_it_owes_each_unit(cli, scenario):
    """10.2: 禁毒办 owes 第1次 to each of the 23 villages and communities (due 08-30), named once."""
    [row] = json.loads(remind(cli, scenario, "--unit", "禁毒办", "--format", "json"))
    inspections = [o for o in row["overdue"] if o["task"] == "10.2"]
    assert len(inspections) == 23 and {o["owner"] for o in inspections} == {"禁毒办"}
    assert [o["subject"] for o in inspections][:2] == ["苏家湖村", "黄湖村"]
    assert row["sms"] == ["禁毒办联络员：逾期24项：10.2 督导各村（23个单位，8月30日），6.3 新媒体发布（8月31日）。"
                          "请抓紧办理。"]
    village = json.loads(remind(cli, scenario, "--unit", "苏家湖村", "--format", "json"))[0]["overdue"]
    assert "10.2" not in [o["task"] for o in village]


def test_a_missing_report_alone(cli, data_dir):
    """禁毒协会 owes no 旬报 and nothing is overdue on 09-11; 中心校 filed nothing in 09-01..09-10
    (its August 6.3 was done in August)."""
    write_reports(data_dir, [])
    (data_dir / "reports" / "6.3.yaml").write_text(
        "task: '6.3'\nunit: 中心校\ndate: 2020-08-20\nstatus: done\ncount: 4\n", encoding="utf-8")
    rows = json.loads(remind(cli, data_dir, "--unit", "中心校", "--format", "json", as_of="2020-09-11"))
    assert rows == [{
        "unit": "中心校", "liaison": "", "phone": "",
        "overdue": [], "due_soon": [],
        "missing_report": True, "unacknowledged": False, "window": {"start": "2020-09-01", "end": "2020-09-10"},
        "text": "中心校联络员：9月1日至10日旬报未报。请尽快报送。",
        "sms": ["中心校联络员：9月1日至10日旬报未报。请尽快报送。"],
    }]
    assert remind(cli, data_dir, "--unit", "禁毒协会", as_of="2020-09-11") == "截至 2020-09-11，没有需要催办的单位。\n"


def test_a_unit_that_has_not_acknowledged_is_asked_to_first(cli, data_dir):
    """签收 (issue 27): 2 days after the notice (09-01) a unit that neither acknowledged nor filed a report is
    asked to acknowledge, before anything else; on 09-03 (the last day allowed) it is not yet. 邮政 owes
    nothing else on 09-04 (its 8.2 falls due on 09-15)."""
    assert json.loads(remind(cli, data_dir, "--unit", "邮政", "--format", "json", as_of="2020-09-03")) == []
    [row] = json.loads(remind(cli, data_dir, "--unit", "邮政", "--format", "json", as_of="2020-09-04"))
    assert (row["unacknowledged"], row["overdue"], row["due_soon"]) == (True, [], [])
    assert row["sms"] == ["邮政联络员：请先签收专项行动通知。请回复已收到。"]
    table = remind(cli, data_dir, "--unit", "邮政", as_of="2020-09-04")
    assert "\n邮政 · 联络员未备案 · 未签收\n  邮政联络员：请先签收专项行动通知。请回复已收到。\n" in table
    assert cli("ack", "-u", "邮政", "--data", str(data_dir), "--as-of", "2020-09-04", "--no-commit").exit_code == 0
    assert json.loads(remind(cli, data_dir, "--unit", "邮政", "--format", "json", as_of="2020-09-04")) == []


def test_a_long_list_is_summarised_in_one_message(cli, scenario):
    [row] = json.loads(remind(cli, scenario, "--unit", "苏家湖村", "--format", "json", as_of="2020-12-15"))
    assert len(row["overdue"]) == 27  # 6.3 for August among them; 10.2 is 禁毒办's, not the inspected village's
    assert row["sms"] == ["苏家湖村联络员张三：逾期27项（最早8月31日），即将到期3项（最早12月15日），"
                          "12月1日至10日旬报未报。明细见任务清单，请抓紧办理。"]


@pytest.mark.parametrize("as_of", ["2020-09-04", "2020-09-15", "2020-10-08", "2020-11-21", "2020-12-31"])
def test_every_message_fits_one_sms(cli, scenario, as_of):
    rows = json.loads(remind(cli, scenario, "--format", "json", as_of=as_of))
    assert rows
    for row in rows:
        assert 1 <= len(row["sms"]) <= 3
        assert all(len(message) <= SMS_CHARS for message in row["sms"]), row["sms"]
        assert row["text"] == "\n".join(row["sms"])
        if len(row["sms"]) > 1:
            assert [m[: len(f"（{k}/{len(row['sms'])}）")] for k, m in enumerate(row["sms"], 1)] == [
                f"（{k}/{len(row['sms'])}）" for k in range(1, len(row["sms"]) + 1)]


@given(st.lists(st.text(alphabet="苏家湖1.2（）、，", min_size=1, max_size=90), min_size=1, max_size=40))
def test_split_keeps_every_character_in_order_within_the_limit(pieces):
    parts = split(pieces)
    assert all(len(p) <= SMS_CHARS for p in parts)
    if len(parts) == 1:
        assert parts == ["".join(pieces)]
    else:
        marks = [f"（{k}/{len(parts)}）" for k in range(1, len(parts) + 1)]
        assert [p[: len(m)] for p, m in zip(parts, marks, strict=True)] == marks
        assert "".join(p[len(m):] for p, m in zip(parts, marks, strict=True)) == "".join(pieces)


def test_csv_is_one_row_per_message(cli, scenario):
    lines = remind(cli, scenario, "--unit", "黄湖", "--format", "csv").splitlines()
    assert lines == [
        "单位,联络员,电话,内容,备注",
        "黄湖村,李四,0737-4281234,（1/2）黄湖村联络员李四：逾期6项：6.3 新媒体发布（8月31日），2.1 专题学习、"
        "2.2 纳入轮训、2.3 公职人员培训、,",
        "黄湖村,李四,0737-4281234,（2/2）4.1 娱乐场所宣传、4.2 公共场所宣传（9月3日）；即将到期1项："
        "8.2 禁毒协会建设（9月15日）。请抓紧办理。,",
    ]


@pytest.fixture(scope="module")
def shipped_book():
    from lanxi_cli.io import load, locate

    return load.load_book(locate.find_data_dir(str(Path(__file__).resolve().parent.parent / "data")))


def test_one_sms_of_each_kind(shipped_book):
    """One message of every kind a liaison receives, each task named by its label (id and short
    name): overdue, due soon, both (tasks due on one day share it), a missing 旬报 alone and with
    items, a liaison not recorded, a message split into parts, and one summarised."""
    import datetime as dt
    from types import SimpleNamespace

    from lanxi_cli.core.remind import Reminder, messages

    as_of = dt.date(2020, 9, 15)
    window = (dt.date(2020, 9, 1), dt.date(2020, 9, 10))
    tasks = {t.id: t for t in shipped_book.tasks}

    def obs(*pairs):
        return [SimpleNamespace(task=tasks[t], due=dt.date(2020, m, d), subject=None) for t, (m, d) in pairs]

    # earliest due first, as core.remind.reminders orders them
    many = obs(*[(t, (9, 3)) for t in ("1.1", "1.2", "2.1", "2.2", "2.3", "4.1", "4.2")])
    kinds = {
        "逾期": Reminder("苏家湖村", "张三", "13812345678", overdue=obs(("1.1", (9, 3)))),
        "即将到期": Reminder("黄湖村", "李四", "", due_soon=obs(("8.2", (9, 15)))),
        "逾期和即将到期": Reminder("罗湖村", "王五", "",
                               overdue=obs(("6.3", (8, 31)), ("1.1", (9, 3)), ("1.2", (9, 3))),
                               due_soon=obs(("8.2", (9, 15)))),
        "旬报未报": Reminder("中心校", "赵六", "", missing_report=True, window=window),
        "逾期和旬报未报": Reminder("枫林社区", "钱七", "", overdue=obs(("2.1", (9, 3))), missing_report=True,
                               window=window),
        "联络员未备案": Reminder("千家洲村", "", "", overdue=obs(("4.1", (9, 3)))),
        "分条发送": Reminder("北岸新村", "孙八", "", overdue=many, due_soon=obs(("8.2", (9, 15))),
                         missing_report=True, window=window),
        "摘要": Reminder("双港子村", "周九", "", overdue=many + obs(*[(t, (9, 10)) for t in ("3.1", "3.2", "3.3",
                                                                                            "5.1", "5.2")]),
                       due_soon=obs(("8.2", (9, 15))), missing_report=True, window=window),
    }
    text = "".join(f"# {kind}\n" + "".join(f"{m}\n" for m in messages(r, as_of)) for kind, r in kinds.items())
    assert all(len(m) <= SMS_CHARS for r in kinds.values() for m in messages(r, as_of))
    golden("sms-kinds.txt", text)
