"""lanxi bulletin: a 通报 that states the day, names every unit behind, and reads like one."""

from __future__ import annotations

import json
import re

import pytest
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
    assert "2020年9月15日" in text  # the as-of day, as a document writes it
    assert "兰溪镇禁毒办" in text  # the issuer signs
    behind_units = overdue_units(cli, data_dir)
    behind = section(text, "## 四、进度滞后的单位", "## 五、")
    assert len(behind_units) > 20
    for unit in behind_units:
        assert unit in behind, unit
    assert "中心校" not in behind  # reported its only due item on time
    assert "邮政" not in behind
    # the overdue task of the departments is named with its period
    assert "6.3 新媒体发布（2020年8月，8月31日到期）" in behind  # periods as a document says them
    for heading in ("一、总体进展", "二、考核排名", "三、进度较快的单位", "五、督办措施", "六、近期截止事项"):
        assert f"## {heading}" in text
    ahead = section(text, "## 三、进度较快的单位", "## 四、")
    # every village still owes a scored overdue item; 中心校 finished its September item early, but
    # with nothing due yet it has no score and no rank, and is not praised
    assert ahead.strip() == "本期暂无排名靠前、已有完成事项且无逾期事项的单位。"
    assert "专项行动自2020年8月1日至2020年12月31日" in text


def test_escalations_and_next_deadlines(cli, data_dir):
    write_reports(data_dir)
    text = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout
    measures = section(text, "## 五、督办措施", "## 六、")
    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    for row in rows:
        if row["measure"]:
            line = next(x for x in measures.splitlines() if row["unit"] in x)
            assert line.startswith(f"- {row['measure']}："), line
    upcoming = section(text, "## 六、近期截止事项", "请各单位")
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
    assert result.stdout == f"{md}\n"  # the path written
    assert md.read_text(encoding="utf-8") == stdout
    word = tmp_path / "通报.docx"
    result = cli("bulletin", "-o", str(word), "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in Document(str(word)).paragraphs]
    assert paragraphs[0] == "兰溪镇禁毒办"  # the issuing office's mark heads the page
    assert "关于兰溪镇深入推进毒品预防教育宣传专项行动推进情况的通报" in paragraphs
    body = "\n".join(paragraphs)
    for unit in overdue_units(cli, data_dir):
        assert unit in body
    assert "2020年9月15日" in paragraphs
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


# ---- the Word 通报, to GB/T 9704 ----------------------------------------------------------


@pytest.fixture
def word(cli, data_dir, tmp_path):
    """The scenario's 通报 as .docx, 第3期, 文号 given in full."""
    write_reports(data_dir)
    out = tmp_path / "通报.docx"
    result = cli("bulletin", "-o", str(out), "--number", "兰禁毒办〔2020〕5号", "--issue", "3",
                 "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return out


def east_asian_font(run) -> str | None:
    from docx.oxml.ns import qn

    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_docx_page_is_a4_with_the_standard_margins(word):
    from docx import Document
    from docx.shared import Mm

    section = Document(str(word)).sections[0]
    def mm(length) -> float:  # Word stores twentieths of a point: compare to a tenth of a millimetre
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [mm(m) for m in margins] == [37, 35, 28, 26]


def test_docx_fonts_title_body_and_line_pitch(word):
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraphs = Document(str(word)).paragraphs
    title = next(p for p in paragraphs if p.text.startswith("关于兰溪镇"))
    assert [(east_asian_font(r), r.font.size) for r in title.runs] == [("方正小标宋简体", Pt(22))]
    body = [p for p in paragraphs if p.text.startswith(("本次专项行动", "全镇各单位", "现将截至"))]
    assert len(body) == 3
    for para in body:
        assert [(east_asian_font(r), r.font.size) for r in para.runs] == [("仿宋_GB2312", Pt(16))]
        assert para.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert para.paragraph_format.line_spacing == Pt(28.95)  # 22 lines in the 225 mm type area
        assert para.paragraph_format.first_line_indent == Pt(32)  # two characters
    headings = [p for p in paragraphs if p.text[:2] in [f"{n}、" for n in "一二三四五六七"]]
    assert len(headings) == 6 and all(east_asian_font(p.runs[0]) == "黑体" for p in headings)
    subheadings = [p for p in paragraphs if p.text.startswith("（一）")]
    assert [p.text for p in subheadings] == ["（一）村（社区）"]
    assert east_asian_font(subheadings[0].runs[0]) == "楷体_GB2312"
    for para in (*headings, *subheadings):
        assert para.paragraph_format.keep_with_next  # a heading stays with its text


def test_docx_fonts_are_named_for_east_asian_text_with_their_substitutes(word):
    """Every run names its Chinese face in w:eastAsia; the document's default is the body face, in
    Chinese; the font table names the face Word and WPS take where 仿宋_GB2312 or 方正小标宋 is missing."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(word) as z:
        body, styles, fonts = (etree.fromstring(z.read(f"word/{n}.xml")) for n in ("document", "styles", "fontTable"))
    runs = [r for r in body.iter(f"{w}r") if "".join(t.text or "" for t in r.iter(f"{w}t")).strip()]
    assert runs and all(r.find(f"{w}rPr/{w}rFonts").get(f"{w}eastAsia") for r in runs)
    default = styles.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr")
    assert default.find(f"{w}rFonts").get(f"{w}eastAsia") == "仿宋_GB2312"
    assert default.find(f"{w}lang").get(f"{w}eastAsia") == "zh-CN"
    alt = {f.get(f"{w}name"): f.find(f"{w}altName").get(f"{w}val") for f in fonts if f.find(f"{w}altName") is not None}
    assert alt["仿宋_GB2312"] == "仿宋" and alt["方正小标宋简体"] == "宋体" and alt["楷体_GB2312"] == "楷体"


def test_docx_title_is_the_campaigns_name_two_lines_below_the_rule_then_a_blank_line(cli, data_dir, tmp_path):
    """The title names the campaign, not the paper it is written on (a plan titled …任务清单)."""
    from docx import Document

    plan = data_dir / "plan.yaml"
    title = "title: 兰溪镇深入推进毒品预防教育宣传专项行动"
    plan.write_text(plan.read_text(encoding="utf-8").replace(f"{title}实施方案", f"{title}任务清单"), encoding="utf-8")
    out = tmp_path / "b.docx"
    assert cli("bulletin", "-o", str(out), "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0
    texts = [p.text for p in Document(str(out)).paragraphs]
    title = texts.index("关于兰溪镇深入推进毒品预防教育宣传专项行动推进情况的通报")
    assert texts[title - 2:title] == ["", ""]  # the red rule's line, then one blank: the title on the second
    assert texts[title + 1:title + 3] == ["", "各村（社区）、各部门单位："]  # a blank line, then the 主送
    assert not any("任务清单推进情况" in t for t in texts)


def test_docx_ranking_table_per_group(word, cli, data_dir):
    """名次, 单位, 得分, 完成率, 灯 for every ranked unit, as `assess` ranks them; the head row repeats."""
    from docx import Document

    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    tables = Document(str(word)).tables
    assert len(tables) == 3  # 村（社区）, 镇属部门, 其他单位
    seen = []
    for table in tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        assert cells[0] == ["名次", "单位", "得分", "完成率", "灯"]
        assert table.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
        seen += cells[1:]
    assert [r[1] for r in seen] == [r["unit"] for r in rows]
    for (rank, _unit, score, rate, light), row in zip(seen, rows, strict=True):
        assert rank == ("—" if row["rank"] is None else str(row["rank"]))  # nothing due yet: unranked
        assert score == ("—" if row["score"] is None else f"{row['score']:.1f}")
        assert light == {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[row["light"]]
        assert rate == ("—" if row["rate"] is None else f"{100 * row['rate']:.1f}%")
    assert tuple(next(r for r in seen if r[1] == "中心校")[:2]) == ("—", "中心校")  # nothing due yet


def test_docx_number_from_the_plans_doc_code_and_properties_dated_when_made(cli, data_dir, tmp_path):
    import datetime as dt

    from docx import Document

    out = tmp_path / "b.docx"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    assert cli("bulletin", "-o", str(out), "--number", "5", "--data", str(data_dir), "--as-of", AS_OF).exit_code == 0
    document = Document(str(out))
    assert "兰禁毒办〔2020〕5号" in [p.text for p in document.paragraphs]  # plan.yaml doc_code: 兰禁毒办
    props = document.core_properties
    assert props.author == "兰溪镇禁毒办"
    assert before <= props.created.replace(tzinfo=None) <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert props.modified == props.created


def test_the_closing_keeps_the_signature_with_the_last_paragraph_and_the_record_ends_an_even_page(word):
    """The last paragraph, the blank line and the 落款 hold together (keep with next); the 版记 is in
    a section that starts on an even page, framed at the foot of the type area."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    document = Document(str(word))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    closing = next(i for i, t in enumerate(texts) if t.startswith("请各单位对照任务清单"))
    assert texts[closing + 1:closing + 4] == ["", "兰溪镇禁毒办", "2020年9月15日"]
    assert all(paragraphs[i].paragraph_format.keep_with_next for i in range(closing, closing + 3))
    assert "附件" not in texts  # no appendix unless asked for
    assert document.sections[-1].start_type == WD_SECTION.EVEN_PAGE
    record = paragraphs[-1]
    assert record.text == "兰溪镇禁毒办\t2020年9月15日印发"
    frame = record._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}framePr")
    assert frame is not None and frame.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}yAlign") == "bottom"


def test_docx_head_number_issue_author_and_signature(word):
    from docx import Document

    document = Document(str(word))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["兰溪镇禁毒办", "第3期", "兰禁毒办〔2020〕5号"]
    mark = document.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == "FF0000"  # the issuing office's mark in red
    assert document.core_properties.author == "兰溪镇禁毒办"  # the plan's office, not python-docx
    assert "python-docx" not in (document.core_properties.comments or "")
    assert texts.index("兰溪镇禁毒办", 1) < texts.index("2020年9月15日")  # signed, then dated
    assert any(t.endswith("2020年9月15日印发") for t in texts)  # 版记


def test_docx_names_every_unit_behind_with_full_task_texts(word, cli, data_dir):
    from docx import Document

    body = "\n".join(p.text for p in Document(str(word)).paragraphs)
    for unit in overdue_units(cli, data_dir):
        assert unit in body, unit
    tasks = {t["id"]: t["text"] for t in json.loads(cli("tasks", "--data", str(data_dir), "--as-of", AS_OF,
                                                          "--format", "json").stdout)}
    assert tasks["4.1"] in body  # the longest text, whole
    assert "…" not in body
    assert "6.3 新媒体发布（2020年8月，8月31日到期）" in body
    assert "10.2 督导各村（第1次，8月30日到期：苏家湖村、黄湖村、罗湖村、北岸新村等23个单位）" in body


def test_docx_has_a_native_completion_chart_per_group(word, cli, data_dir):
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    document = Document(str(word))
    charts = [rel.target_part for rel in document.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.CHART]
    assert len(charts) == 2  # villages and communities; departments (邮政 stands alone: no chart)
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    tree = etree.fromstring(charts[0].blob)
    units = [v.text for v in tree.find(".//c:ser/c:cat", ns).iterfind(".//c:v", ns)]
    names = [s.text for s in tree.iterfind(".//c:ser/c:tx/c:v", ns)]
    assert names == ["按时完成", "逾期完成", "已逾期", "未到期"]
    status = {r["unit"]: r for r in json.loads(cli("status", "--data", str(data_dir), "--as-of", AS_OF,
                                                     "--format", "json").stdout)["units"]}
    assert units[0] == "苏家湖村" and len(units) == 23
    series = [[int(float(v.text)) for v in s.find("c:val", ns).iterfind(".//c:v", ns)]
              for s in tree.iterfind(".//c:ser", ns)]
    for i, unit in enumerate(units):
        row = status[unit]
        assert [s[i] for s in series] == [row["done"], row["late"], row["overdue"], row["due_soon"] + row["open"]]
    assert "图1" in "\n".join(p.text for p in document.paragraphs)


HEADING = re.compile(r"^\s*([一二三四五六七八九十]、|（[一二三四五六七八九十]）)")
FOOTER = re.compile(r"^\s*—\s*(\d+)\s*—\s*$", re.M)


@pytest.mark.parametrize("as_of,appendix", [(AS_OF, False), ("2020-10-20", True)])
def test_libreoffice_prints_the_docx_as_the_standard_lays_it_out(cli, data_dir, tmp_path, as_of, appendix):
    """LibreOffice (as offices open it), with free faces standing in for 宋体, 仿宋, 黑体 and 楷体:
    A4 pages in serif CJK faces, numbered; no heading last on its page; no page holding only
    the 落款; the 版记 alone at the foot of the last page, an even one."""
    import subprocess

    from debian import to_pdf

    write_reports(data_dir)
    out = tmp_path / "通报.docx"
    args = ["--appendix"] if appendix else ["--number", "5", "--issue", "5"]  # (two lines more on page 1)
    assert cli("bulletin", "-o", str(out), *args, "--data", str(data_dir), "--as-of", as_of).exit_code == 0
    pdf, pages = to_pdf(out, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info and len(pages) == int(re.search(r"Pages:\s+(\d+)", info)[1])
    # the 版记 on the back of the last sheet: an even page (LibreOffice leaves a blank page it inserts
    # out of the PDF, but numbers past it)
    last_number = int(FOOTER.search(pages[-1])[1])
    assert len(pages) >= 4 and last_number % 2 == 0 and last_number in (len(pages), len(pages) + 1)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts and "UKai" in fonts  # 仿宋/宋体, 黑体, 楷体
    flat = "".join("".join(pages).split())
    assert "关于兰溪镇深入推进毒品预防教育宣传专项行动推进情况的通报" in flat and "三河口村" in flat
    assert ("报告编号清单" in flat) == appendix
    signature = {"兰溪镇禁毒办", f"{int(as_of[:4])}年{int(as_of[5:7])}月{int(as_of[8:])}日"}
    for number, page in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not FOOTER.match(line)]
        if not body:
            continue  # the blank page before a 版记 page
        assert any(FOOTER.match(line) and str(number) in line for line in lines), number  # — N —
        assert not HEADING.match(body[-1]), (number, body[-1])
        assert not set(body) - {"（"} <= signature | {line for line in body if line.startswith("（数据截至")}, number
    last = [line.strip() for line in pages[-1].splitlines() if line.strip() and not FOOTER.match(line)]
    assert ["".join(line.split()) for line in last] == [f"兰溪镇禁毒办{''.join(sorted(signature)[0].split())}印发"]
    layout = subprocess.run(["pdftotext", "-bbox", "-f", str(len(pages)), "-l", str(len(pages)), str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    tops = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>[^<]*印发', layout)]
    assert tops and tops[0] > 0.75 * 842  # at the foot of the page (A4: 842 points high)
    # no half-empty page: a chart that would not fit below its table is sized to the room left
    # there; only the page the body ends on (the 落款) and those after it may stand part empty
    ends = next(n for n, page in enumerate(pages) if "（数据截至" in page)
    full = page_fill(pdf)
    assert len(full) == len(pages) and min(full[:ends]) >= 0.5, full
    # every village named twice before 图1's caption: in the ranking table and beside its bar
    # (not every other one, as LibreOffice does where the bars are thin)
    before = flat.split("图1")[0]
    villages = [u for u in json.loads(cli("units", "--data", str(data_dir), "--format", "json").stdout)
                if u["kind"] in ("village", "community")]
    assert {u["name"]: before.count(u["name"]) for u in villages} == {u["name"]: 2 for u in villages}


def page_fill(pdf) -> list[float]:
    """How far down its type area (GB/T 9704: 37 mm from the top, 225 mm high) each page's
    lowest word stands, 0 to 1; the page number below the type area left out. Chart labels
    are words too, so a chart counts as what it fills."""
    import subprocess

    top, height = 37 * 72 / 25.4, 225 * 72 / 25.4
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    fill = []
    for page in layout.split("<page ")[1:]:
        bottoms = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)"',
                                                page)]
        inside = [y for y in bottoms if y <= top + height + 3]
        fill.append((max(inside) - top) / height if inside else 0.0)
    return fill


def test_no_unit_under_two_contradictory_headings(cli, data_dir):
    """A unit named as ahead is never named as behind nor for a measure; overdue items that
    count toward no score are listed apart, and do not make a unit behind."""
    from scenario import REPORTS

    due_0903 = ("1.1", "1.2", "2.1", "2.2", "2.3", "4.1", "4.2")
    quantity = {"4.1": [{"count": 2}], "2.3": [{"rate": 1.0, "part": "知晓率"}, {"rate": 1.0, "part": "竞赛参与率"}]}
    extra = [(task, "苏家湖村", "2020-09-02", "done", None, more)
             for task in due_0903 if task not in ("1.1", "1.2") for more in quantity.get(task, [{}])]
    write_reports(data_dir, [*REPORTS, *extra])
    text = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout
    ahead = section(text, "## 三、进度较快的单位", "## 四、")
    behind = section(text, "## 四、进度滞后的单位", "以下逾期事项不计入考核")
    unscored = section(text, "以下逾期事项不计入考核", "## 五、")
    measures = section(text, "## 五、督办措施", "## 六、")
    assert "苏家湖村（" in ahead  # completed everything scored that is due; owes 6.3 for August
    assert "苏家湖村" not in behind and "苏家湖村" not in measures
    assert "苏家湖村" in unscored and "6.3 新媒体发布（2020年8月，8月31日到期）" in unscored
    # 10.2 is 禁毒办's to do: the village is never asked to do it
    assert ("禁毒办（24项）：6.3 新媒体发布（2020年8月，8月31日到期）、10.2 督导各村（第1次，8月30日到期：苏家湖村"
            in unscored)
    rows = json.loads(cli("assess", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    for row in rows:
        if f"{row['unit']}（" in ahead:
            assert row["unit"] not in behind and row["unit"] not in measures, row


def test_blocked_reports_are_for_the_lead_to_act_on(cli, data_dir):
    (data_dir / "reports" / "b.yaml").write_text(
        "task: '5.1'\nunit: 黄湖村\ndate: 2020-09-12\nstatus: blocked\nnote: 辖区内无客运企业，无法组织培训\n",
        encoding="utf-8")
    text = cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout
    stuck = text.split("## 七、需牵头单位协调解决的问题", 1)[1].split("请各单位", 1)[0]
    assert stuck.strip() == ("- 黄湖村 5.1 交通运输培训：对交通运输行业从业人员开展禁毒知识培训，"
                             "包含“两客一危”、校车、出租车、"
                             "网约车、货车等从业人员，要求完成3场以上培训，2020年9月12日报告受阻："
                             "辖区内无客运企业，无法组织培训（报告编号 b）。请兰溪派出所协调解决。")
    # a later report that is not blocked clears it
    (data_dir / "reports" / "c.yaml").write_text("task: '5.1'\nunit: 黄湖村\ndate: 2020-09-14\n", encoding="utf-8")
    assert "## 七、" not in cli("bulletin", "--data", str(data_dir), "--as-of", AS_OF).stdout


# ---- the appendix: the ids every figure rests on ------------------------------------------


def write(folder, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def corrected(data_dir):
    """Reports counted, withdrawn, amended, rejected, blocked, toward nothing, and after the day."""
    reports = data_dir / "reports"
    write(reports, "a", "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-02\nstatus: done\n")
    write(reports, "b", "task: '1.1'\nunit: 黄湖村\ndate: 2020-09-03\nstatus: done\n")
    write(reports, "c", "task: '1.1'\nunit: 罗湖村\ndate: 2020-09-04\nstatus: done\n")
    write(reports, "d", "task: '1.1'\nunit: 罗湖村\ndate: 2020-09-05\nstatus: done\nsupersedes: c\nreason: 日期有误\n")
    write(reports, "e", "task: '1.2'\nunit: 罗湖村\ndate: 2020-09-06\nstatus: done\n")
    write(reports, "f", "task: '5.1'\nunit: 黄湖村\ndate: 2020-09-12\nstatus: blocked\nnote: 无客运企业\n")
    write(reports, "g", "task: '1.1'\nunit: 禁毒办\ndate: 2020-09-02\nstatus: done\n")  # leads 1.1, owes nothing
    write(reports, "h", "task: '1.2'\nunit: 苏家湖村\ndate: 2020-09-20\nstatus: done\n")  # after the as-of day
    write(data_dir / "withdrawals", "w", "subject: b\nreason: 报错了村\ndate: 2020-09-04\n")
    write(data_dir / "reviews", "r", "subject: e\ndecision: rejected\nby: 禁毒办\ndate: 2020-09-07\n")


def test_docx_appendix_lists_the_ids_every_figure_rests_on(cli, data_dir, tmp_path):
    from docx import Document

    corrected(data_dir)
    out = tmp_path / "通报.docx"
    result = cli("bulletin", "-o", str(out), "--appendix", "--data", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    paragraphs = Document(str(out)).paragraphs
    texts = [p.text for p in paragraphs]
    # 附件说明: one line below the body, before the signature
    note = texts.index("附件：报告编号清单")
    assert texts[note - 2].startswith("请各单位对照任务清单") and texts[note - 1] == ""
    assert texts[note + 1:note + 4] == ["", "兰溪镇禁毒办", "2020年9月15日"]
    # the appendix: on a page of its own, "附件" in 黑体 at the top left, the title on the third line
    mark = texts.index("附件")
    assert paragraphs[mark].paragraph_format.page_break_before
    assert paragraphs[mark].paragraph_format.first_line_indent is None
    assert [east_asian_font(r) for r in paragraphs[mark].runs] == ["黑体"]
    assert texts[mark + 1:] == [
        "",
        "报告编号清单",
        "本通报的统计依据截至2020年9月15日的以下3份报告，按单位列出报告编号（即报告文件名去掉 .yaml）：",
        "苏家湖村（1份）：a。",
        "黄湖村（1份）：f。",
        "罗湖村（1份）：d。",
        "以下3份报告已撤回、已更正或审核未通过，不计入统计：",
        "黄湖村 b：已撤回（撤回记录 w）。",
        "罗湖村 c：已更正，以报告 d 为准。",
        "罗湖村 e：审核未通过。",
        "",
        "兰溪镇禁毒办\t2020年9月15日印发",  # the 版记 follows the appendix
    ]
    # the body's figures agree: 苏家湖村 done, 罗湖村 late through d; b, c and e count nowhere
    status = {r["unit"]: r for r in json.loads(cli("status", "--data", str(data_dir), "--as-of", AS_OF,
                                                     "--format", "json").stdout)["units"]}
    assert [status[u]["done"] + status[u]["late"] for u in ("苏家湖村", "黄湖村", "罗湖村")] == [1, 0, 1]


def test_appendix_is_bounded_and_says_where_the_rest_is(cli, data_dir, monkeypatch):
    """A town of many reports gets a few pages: each unit its newest ids within the
    limit (a unit with few lists them all), and a sentence counting what is left out."""
    from lanxi_cli.render import bulletin

    monkeypatch.setattr(bulletin, "APPENDIX_IDS", 5)
    monkeypatch.setattr(bulletin, "APPENDIX_LEFT_OUT", 1)
    reports = data_dir / "reports"
    for unit, n in (("苏家湖村", 1), ("黄湖村", 3), ("罗湖村", 4)):
        for day in range(1, n + 1):
            write(reports, f"{unit}-{day}", f"task: '1.1'\nunit: {unit}\ndate: 2020-09-0{day}\nstatus: progress\n")
    write(data_dir / "withdrawals", "w1", "subject: 黄湖村-1\nreason: 重复\ndate: 2020-09-05\n")
    write(data_dir / "withdrawals", "w2", "subject: 罗湖村-1\nreason: 重复\ndate: 2020-09-05\n")
    text = cli("bulletin", "--appendix", "--data", str(data_dir), "--as-of", AS_OF).stdout
    assert text.split("# 报告编号清单\n\n", 1)[1] == (
        "本通报的统计依据截至2020年9月15日的以下6份报告，按单位列出报告编号（即报告文件名去掉 .yaml）：\n"
        "\n"
        "- 苏家湖村（1份）：苏家湖村-1。\n"
        "- 黄湖村（2份）：黄湖村-2、黄湖村-3。\n"
        "- 罗湖村（共3份，列出最近2份）：罗湖村-3、罗湖村-4。\n"
        "\n"
        "以下2份报告已撤回、已更正或审核未通过，不计入统计：\n"
        "\n"
        "- 罗湖村 罗湖村-1：已撤回（撤回记录 w2）。\n"  # record order: same day, by file
        "\n"
        "另有2份报告的编号未列出。全部报告编号可用“lanxi report list --all --as-of 2020-09-15 --format csv”导出。\n"
    )


def test_praise_goes_to_the_assessed_never_to_the_assessor(cli, data_dir):
    """09-30: 苏家湖村 and 禁毒办 have each completed on time all they owe that is due. The 通报
    praises 苏家湖村 (100 points) and never 禁毒办, the assessing office."""
    from scenario import complete_on_time

    assert complete_on_time(cli, data_dir, "苏家湖村", "2020-09-30")
    assert complete_on_time(cli, data_dir, "禁毒办", "2020-09-30")
    text = cli("bulletin", "--data", str(data_dir), "--as-of", "2020-09-30").stdout
    ahead = section(text, "## 三、进度较快的单位", "## 四、")
    assert "苏家湖村（100.0分）" in ahead and "禁毒办" not in ahead
    assert "禁毒办" not in section(text, "## 五、督办措施", "## 六、")


def test_overdue_items_name_their_due_days_not_the_deadline_wording(cli, data_dir):
    """1.3 is a one-off due 09-25 whose table cell reads 每月25日前; 9.1 is quarterly, its
    third quarter due 09-30 while the cell reads 12月20日前: the 通报 gives the days."""
    text = cli("bulletin", "--data", str(data_dir), "--as-of", "2020-10-05").stdout
    behind = section(text, "## 四、进度滞后的单位", "## 五、")
    assert "1.3 动员部署会（9月25日到期）" in behind and "9.1 季度专题培训（2020年第三季度，9月30日到期）" in behind
    assert "每月25日前" not in behind and "12月20日前" not in behind
    assert "（逾期事项的截止日期：2020年9月25日）" in behind and "（逾期事项的截止日期：2020年9月30日）" in behind


def test_the_campaign_sentence_fits_the_day_with_and_without_phases(cli, data_dir):
    def said(as_of):
        text = cli("bulletin", "--data", str(data_dir), "--as-of", as_of).stdout
        return section(text, "## 一、总体进展", "全镇各单位").strip()

    span = "本次专项行动自2020年8月1日至2020年12月31日"
    assert said("2020-09-30") == f"{span}，现处于全面推进阶段，距活动结束还有92天。"
    assert said("2020-12-31") == f"{span}，现处于巩固总结阶段，今天是活动的最后一天。"
    assert said("2021-01-05") == f"{span}，已于2020年12月31日结束。"
    plan = data_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    start, end = text.index("phases:"), text.index("assessment:")
    plan.write_text(text[:start] + text[end:], encoding="utf-8")  # a plan without phases
    assert said("2020-09-30") == f"{span}，正在进行，距活动结束还有92天。"  # not 活动已结束
    assert said("2021-01-05") == f"{span}，已于2020年12月31日结束。"
    assert said("2020-07-22") == f"{span}，尚未开始，距活动开始还有10天。"
