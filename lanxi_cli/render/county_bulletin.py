"""The county's 通报 over its towns: the same document as a town's (render.bulletin's
Bulletin of blocks, laid out to GB/T 9704 by its `docx`, or as Markdown), with the
county's figures: the towns' ranking table, each town's units with obligations
overdue, and what the figures rest on (towns not read, copies older than the
others, towns whose tasks are not the county plan's)."""

from __future__ import annotations

from lanxi_cli.core.overview import cn_date
from lanxi_cli.render.bulletin import NUMERALS, Block, Bulletin, opening
from lanxi_cli.render.towns import ids, score_text, weights_text
from lanxi_cli.render.words import percent

RANK_HEAD = ("名次", "镇", "得分", "完成率", "按时完成率", "已逾期")
RANK_WIDTHS = (16, 44, 22, 26, 28, 20)  # millimetres, the 156 mm type area
UNITS_SHOWN = 10  # a town's units behind, named at most: the rest counted


def build(reading, ranked, subject: str, number: str | None = None, issue: str | None = None) -> Bulletin:
    """The county's 通报 on `reading` (core.county.Reading) with the towns `ranked`;
    `subject` names the campaign (赫山区深入推进毒品预防教育宣传专项行动)."""
    from lanxi_cli.core.county import county_rates, totals
    from lanxi_cli.core.overview import numbered

    towns, as_of = reading.towns, reading.as_of
    doc = Bulletin(f"关于{subject}推进情况的通报", towns.issuer, as_of,
                   numbered(towns.doc_code or towns.issuer, number, as_of.year),
                   f"第{issue}期" if issue and issue.isdigit() else issue or None)
    sum_, rates = totals(reading.rows), county_rates(reading.rows)
    count = len(reading.rows) + len(reading.failed)
    overall = (f"全县{count}个乡镇（街道）中，{len(reading.rows)}个纳入统计。各镇应办事项共"
               f"{sum(sum_.values())}项，已完成{sum_['done'] + sum_['late']}项（其中逾期完成{sum_['late']}项），"
               f"已逾期{sum_['overdue']}项，7日内到期{sum_['due_soon']}项；全县完成率{percent(rates.rate)}，"
               f"按时完成率{percent(rates.on_time_rate)}。")
    sections = [
        ("总体进展", [Block("para", overall)]),
        ("各镇排名", _ranking(ranked, towns.rank)),
        ("进度滞后的单位", _behind(ranked)),
    ]
    said = _notes(reading)
    if said:
        sections.append(("数据说明", said))
    doc.blocks = opening(doc.title, towns.addressees, as_of, subject, sections)
    doc.blocks += [
        Block("closing", "请各乡镇（街道）对照任务清单查漏补缺，督促逾期单位抓紧办结，排名靠后的乡镇（街道）"
                         "要分析原因、拿出措施，按时报送进展情况。"),
        Block("signature", towns.issuer),
        Block("date", cn_date(as_of)),
        Block("note", f"（数据截至{cn_date(as_of)}，据各乡镇（街道）数据仓库统计。）"),
    ]
    return doc


def _ranking(ranked, weights) -> list[Block]:
    rows = [RANK_HEAD, *((("—" if r.rank is None else str(r.rank)), r.row.town, score_text(r.score),
                          percent(r.row.rate), percent(r.row.on_time_rate), str(r.row.counts["overdue"]))
                         for r in ranked)]
    out = [Block("para", f"各镇得分按“{weights_text(weights)}”计算（百分制），排名如下：")]
    out.append(Block("table", "", tuple(rows), widths=RANK_WIDTHS))
    unranked = [r.row.town for r in ranked if r.rank is None]
    if unranked:
        out.append(Block("para", f"{'、'.join(unranked)}尚无到期事项，暂不排名。"))
    if len([r for r in ranked if r.rank is not None]) > 1:
        first = [r.row.town for r in ranked if r.rank == 1]
        last_place = max(r.rank for r in ranked if r.rank is not None)
        last = [r.row.town for r in ranked if r.rank == last_place]
        if first != last:
            out.append(Block("para", f"{'、'.join(first)}排名第一；{'、'.join(last)}排名末位，请抓紧整改。"))
    return out


def _behind(ranked) -> list[Block]:
    out: list[Block] = []
    towns = [r.row for r in ranked if r.row.behind]
    for numeral, row in zip(NUMERALS, towns, strict=False):
        units = row.behind
        out.append(Block("subheading", f"（{numeral}）{row.town}：{len(units)}个单位有逾期事项，"
                                       f"共{row.counts['overdue']}项"))
        for b in units[:UNITS_SHOWN]:
            out.append(Block("item", f"{b.unit}：已逾期{b.overdue}项（任务{_ids(b.tasks, 4)}）。"))
        if len(units) > UNITS_SHOWN:
            rest = units[UNITS_SHOWN:]
            out.append(Block("item", f"另有{len(rest)}个单位共{sum(b.overdue for b in rest)}项逾期，详见该镇通报。"))
    if len(towns) > len(NUMERALS):  # numerals run out at 十: name the rest together
        out.append(Block("para", f"另有{'、'.join(r.town for r in towns[len(NUMERALS):])}也有逾期事项，详见各镇通报。"))
    return out or [Block("para", "各镇均无逾期事项。")]


def _notes(reading) -> list[Block]:
    out = [Block("para", f"{f.town}的数据未能读取，未计入本次统计（{f.reason}）。") for f in reading.failed]
    out += [Block("para", f"{s.town}的数据最新提交于{cn_date(s.last_commit)}，早于其他乡镇，实际进展可能已有变化，"
                          "请尽快报送最新数据。") for s in reading.stale]
    for d in reading.differs:
        parts = ([f"缺少县方案的任务{_ids(d.missing)}"] if d.missing else []) + (
            [f"另有县方案没有的任务{_ids(d.extra)}"] if d.extra else [])
        out.append(Block("para", f"{d.town}的任务清单与县方案不一致：{'，'.join(parts)}，相应事项未能逐项对照。"))
    return out


def _ids(values, limit: int = 8) -> str:
    """Task ids in running text, with no space a line would break at."""
    return ids(list(values), limit).replace(" ", "")
