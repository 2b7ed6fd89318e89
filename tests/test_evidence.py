"""佐证材料 (issue 27): files attached to reports, stored once by content under
data/evidence/, with their digests, names, sizes and a photo's EXIF time;
the plan's limits, a sensitive task, `report amend --evidence`, and how
every view shows them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import git

AS_OF = "2020-09-20"


# ---- real files, made here ----------------------------------------------------------------


def jpeg(path: Path, taken: str | None, colour=(200, 30, 30), size=(64, 48), noise: int = 0) -> Path:
    """A real JPEG; `taken` (EXIF `2020:09:18 10:22:31`) as DateTimeOriginal."""
    from PIL import Image

    image = Image.new("RGB", size, colour)
    if noise:
        image = Image.frombytes("RGB", size, _random_bytes(size[0] * size[1] * 3, noise))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
        exif[0x0132] = "2000:01:01 00:00:00"  # DateTime (last edited): the original time wins
    image.save(path, "JPEG", exif=exif, quality=95)
    return path


def _random_bytes(n: int, seed: int) -> bytes:
    import random

    return random.Random(seed).randbytes(n)


def pdf(path: Path) -> Path:
    """A minimal valid PDF of one empty page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def docx(path: Path, text: str = "签到表：张三、李四") -> Path:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(text)
    document.save(path)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reports(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports").rglob("*.yaml"))


def stored(data_dir: Path) -> list[str]:
    folder = data_dir / "evidence"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


@pytest.fixture
def files(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("材料")  # outside the data repository
    return {
        "photo": jpeg(src / "签到.JPG", "2020:09:18 10:22:31"),
        "late": jpeg(src / "晚拍.jpg", "2020:09:25 08:00:00", colour=(10, 200, 10)),
        "old": jpeg(src / "旧照.jpeg", "2020:07:01 08:00:00", colour=(10, 10, 200)),
        "plain": jpeg(src / "无时间.png".replace(".png", ".jpg"), None, colour=(90, 90, 90)),
        "pdf": pdf(src / "方案.pdf"),
        "docx": docx(src / "总结.docx"),
    }


def add(cli, data_dir, *args: str, as_of: str = AS_OF):
    return cli("report", "add", "--data", str(data_dir), "--as-of", as_of, *args)


def read(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ---- item 1: stored by content -------------------------------------------------------------


def test_files_are_stored_by_digest_and_recorded(cli, git_data_dir, files):
    data = git_data_dir
    result = add(cli, data, "-t", "1.1", "-u", "苏家湖", "-s", "done", "-d", "2020-09-18",
                 "-e", str(files["photo"]), "-e", str(files["pdf"]), "-e", str(files["docx"]),
                 "-e", "https://example.org/签到", "--by", "张三")
    assert result.exit_code == 0, result.output
    [path] = reports(data)
    assert result.stdout == f"data/reports/2020/09/{path.name}\n"  # stdout: the report's path alone
    record = read(path)
    assert record["evidence"] == ["https://example.org/签到"]  # a link stays a link
    assert record["evidence_files"] == [
        {"sha256": sha(files["photo"]), "name": "签到.JPG", "bytes": files["photo"].stat().st_size,
         "taken": "2020-09-18T10:22:31"},
        {"sha256": sha(files["pdf"]), "name": "方案.pdf", "bytes": files["pdf"].stat().st_size, "taken": None},
        {"sha256": sha(files["docx"]), "name": "总结.docx", "bytes": files["docx"].stat().st_size, "taken": None},
    ]
    assert stored(data) == sorted([f"{sha(files['photo'])}.jpg", f"{sha(files['pdf'])}.pdf",
                                   f"{sha(files['docx'])}.docx"])
    for name in stored(data):  # each copy is the file itself
        assert hashlib.sha256((data / "evidence" / name).read_bytes()).hexdigest() == name.split(".")[0]
    # one commit holds the report, the files and the folder's attributes; nothing is left over
    assert git("status", "--porcelain", cwd=data.parent) == ""
    committed = git("show", "--name-only", "--format=", "HEAD", cwd=data.parent).split()
    assert len(committed) == 5 and "data/evidence/.gitattributes" in committed
    name = f"data/evidence/{stored(data)[0]}"
    attributes = git("check-attr", "diff", "text", "--", name, cwd=data.parent)
    assert attributes == f"{name}: diff: unset\n{name}: text: unset\n"


def test_one_file_sent_twice_is_stored_once(cli, git_data_dir, files):
    data = git_data_dir
    copy = files["photo"].with_name("另一个名字.jpg")
    copy.write_bytes(files["photo"].read_bytes())
    assert add(cli, data, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]), "-e", str(copy)).exit_code == 0
    assert add(cli, data, "-t", "1.1", "-u", "黄湖", "-e", str(copy)).exit_code == 0
    assert add(cli, data, "-t", "5.3", "-u", "各村、社区", "-n", "1", "-e", str(files["photo"])).exit_code == 0
    assert stored(data) == [f"{sha(files['photo'])}.jpg"]
    first = read(reports(data)[0])
    assert len(first["evidence_files"]) == 1  # the same content twice in one report: once
    assert git("status", "--porcelain", cwd=data.parent) == ""


def test_photo_dates_far_from_the_report_are_warned(cli, data_dir, files):
    late = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-d", "2020-09-20", "-e", str(files["late"]),
               "--no-commit", as_of="2020-09-20")
    assert late.exit_code == 0
    assert "照片“晚拍.jpg”拍摄于 2020-09-25，晚于报告日期 2020-09-20" in late.stderr
    old = add(cli, data_dir, "-t", "1.1", "-u", "黄湖", "-d", "2020-09-20", "-e", str(files["old"]), "--no-commit")
    assert "照片“旧照.jpeg”拍摄于 2020-07-01，早于报告日期 2020-09-20 超过 30 天" in old.stderr
    fine = add(cli, data_dir, "-t", "1.1", "-u", "罗湖", "-d", "2020-09-20", "-e", str(files["photo"]),
               "-e", str(files["plain"]), "--no-commit")
    assert fine.exit_code == 0 and "拍摄于" not in fine.stderr
    [mine] = [p for p in reports(data_dir) if "罗湖村" in p.name]
    assert [f["taken"] for f in read(mine)["evidence_files"]] == ["2020-09-18T10:22:31", None]


def _plan_with(data_dir: Path, text: str) -> None:
    plan = data_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_limits_from_the_plan_refuse_and_write_nothing(cli, data_dir, files):
    tmp_path = files["photo"].parent
    exe = tmp_path / "病毒.exe"
    exe.write_bytes(b"MZ")
    result = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]), "-e", str(exe))
    assert result.exit_code == 2
    assert "“.exe”" in result.stderr and "evidence.types" in result.stderr
    big = tmp_path / "大.pdf"
    big.write_bytes(b"%PDF" + b"0" * (20 * 1024 * 1024))
    result = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(big))
    assert result.exit_code == 2 and "上限 evidence.max_mb：20 MB" in result.stderr
    _plan_with(data_dir, "\nevidence:\n  max_mb: 0.001\n  types: [docx]\n")
    result = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(files["docx"]))
    assert result.exit_code == 2 and "上限 evidence.max_mb：0.001 MB" in result.stderr
    result = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]))
    assert result.exit_code == 2 and "只收 docx" in result.stderr
    missing = add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(tmp_path / "没有.jpg"))
    assert missing.exit_code == 2 and "没有.jpg" in missing.stderr
    assert reports(data_dir) == [] and stored(data_dir) == []


def test_a_sensitive_task_refuses_files(cli, data_dir, files):
    from lanxi_cli.io.load import load_book

    assert load_book(data_dir).task_by_id["6.2"].sensitive  # 6.2: people in drug rehabilitation
    result = add(cli, data_dir, "-t", "6.2", "-u", "派出所", "-e", str(files["photo"]))
    assert result.exit_code == 2 and "任务 6.2 涉及个人信息" in result.stderr
    assert reports(data_dir) == [] and stored(data_dir) == []
    assert add(cli, data_dir, "-t", "6.2", "-u", "派出所", "--note", "已开展教育 3 次", "--no-commit").exit_code == 0


def test_amend_replaces_the_evidence(cli, git_data_dir, files):
    data = git_data_dir
    add(cli, data, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]))
    [old] = reports(data)
    result = cli("report", "amend", old.stem, "--data", str(data), "--as-of", AS_OF, "-e", str(files["pdf"]),
                 "--reason", "传错了照片")
    assert result.exit_code == 0, result.output
    new = next(p for p in reports(data) if p != old)
    assert [f["name"] for f in read(new)["evidence_files"]] == ["方案.pdf"]
    assert git("status", "--porcelain", cwd=data.parent) == ""
    kept = cli("report", "amend", new.stem, "--data", str(data), "--as-of", AS_OF, "--note", "补充说明",
               "--reason", "补说明")
    newest = next(p for p in reports(data) if p not in (old, new))
    assert kept.exit_code == 0 and read(newest)["evidence_files"] == read(new)["evidence_files"]


def test_report_list_counts_the_files(cli, data_dir, files):
    add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]), "-e", str(files["pdf"]), "--no-commit")
    add(cli, data_dir, "-t", "1.1", "-u", "黄湖", "--no-commit")
    table = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF)
    lines = table.stdout.splitlines()
    assert "佐证" in lines[1]
    assert any("苏家湖村" in line and "2份" in line for line in lines)
    assert not any("黄湖村" in line and "份" in line for line in lines)
    rows = json.loads(cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout)
    assert [len(r["evidence_files"]) for r in rows] == [2, 0]
    assert rows[0]["evidence_files"][1] == {"sha256": sha(files["pdf"]), "name": "方案.pdf",
                                            "bytes": files["pdf"].stat().st_size, "taken": None}
    csv = cli("report", "list", "--data", str(data_dir), "--as-of", AS_OF, "--format", "csv").stdout
    assert "签到.JPG、方案.pdf" in csv


def test_a_digest_that_is_not_one_is_refused_on_reading(cli, data_dir):
    folder = data_dir / "reports" / "2020" / "09"
    folder.mkdir(parents=True)
    (folder / "2020-09-18-苏家湖村-1.1-aaaaaa.yaml").write_text(
        "task: '1.1'\nunit: 苏家湖村\ndate: 2020-09-18\nevidence_files:\n"
        "- {sha256: ../../../../etc/passwd, name: x.jpg, bytes: 1}\n", encoding="utf-8")
    result = cli("check", "--data", str(data_dir))
    assert result.exit_code == 1
    assert "2020-09-18-苏家湖村-1.1-aaaaaa.yaml:5: evidence_files.0.sha256: 应为 64 位小写十六进制的 SHA-256 摘要" \
        in result.stdout


def test_the_docx_made_here_is_a_real_one(files):
    with zipfile.ZipFile(io.BytesIO(files["docx"].read_bytes())) as z:
        assert "word/document.xml" in z.namelist()


# ---- item 2: evidence wherever a claim is judged ---------------------------------------------


def _claim(cli, data, files) -> str:
    result = add(cli, data, "-t", "1.1", "-u", "苏家湖", "-s", "done", "-d", "2020-09-18", "--by", "张三",
                 "-e", str(files["photo"]), "-e", str(files["pdf"]), "-e", "https://example.org/会议")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip()).stem


def test_report_show_prints_the_evidence_reviews_and_corrections(cli, git_data_dir, files):
    data = git_data_dir
    rid = _claim(cli, data, files)
    assert cli("report", "review", rid, "--reject", "--by", "禁毒办", "--note", "未见签到表", "--data", str(data),
               "--as-of", AS_OF).exit_code == 0
    (data / "evidence" / f"{sha(files['pdf'])}.pdf").unlink()
    shown = cli("report", "show", rid, "--data", str(data), "--as-of", AS_OF)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert f"报告 {rid}" in text and "佐证材料（2 份）" in text
    assert f"  1. 签到.JPG（1 KB，拍摄于 2020-09-18 10:22:31）\n     data/evidence/{sha(files['photo'])}.jpg" in text
    assert f"  2. 方案.pdf（1 KB）  【文件不见了】\n     data/evidence/{sha(files['pdf'])}.pdf" in text
    assert "链接或说明：https://example.org/会议" in text
    assert "2020-09-20 禁毒办 退回：未见签到表" in text
    fixed = cli("report", "amend", rid, "--note", "补签到表", "--reason", "补材料", "--data", str(data),
                "--as-of", AS_OF)
    new = Path(fixed.stdout.strip()).stem
    again = json.loads(cli("report", "show", rid, "--data", str(data), "--as-of", AS_OF, "--format", "json").stdout)
    assert again["superseded_by"] == new
    assert [(f["name"], f["present"]) for f in again["evidence_files"]] == [("签到.JPG", True), ("方案.pdf", False)]
    assert [(v["decision"], v["note"]) for v in again["reviews"]] == [("rejected", "未见签到表")]
    assert f"已被报告 {new} 更正" in cli("report", "show", rid, "--data", str(data), "--as-of", AS_OF).stdout
    missing = cli("report", "show", "2020-09-18-无此-1.1-000000", "--data", str(data), "--as-of", AS_OF)
    assert missing.exit_code == 2


def test_review_shows_the_evidence_before_asking(cli, git_data_dir, files, monkeypatch):
    from lanxi_cli.cli import report

    data = git_data_dir
    rid = _claim(cli, data, files)
    refused = cli("report", "review", rid, "--by", "禁毒办", "--data", str(data), "--as-of", AS_OF)
    assert refused.exit_code == 2 and "--approve" in refused.stderr  # no terminal: the choice is required
    monkeypatch.setattr(report, "_interactive", lambda: True)
    result = cli("report", "review", rid, "--by", "禁毒办", "--data", str(data), "--as-of", AS_OF, input="也许\n退回\n")
    assert result.exit_code == 0, result.output
    shown = result.stderr
    assert shown.index("签到.JPG") < shown.index("方案.pdf") < shown.index("同意还是退回") < shown.index("请回答")
    decided = json.loads(cli("report", "show", rid, "--data", str(data), "--as-of", AS_OF, "--format", "json").stdout)
    assert [v["decision"] for v in decided["reviews"]] == ["rejected"]


def test_the_ledger_links_each_file_relatively(cli, git_data_dir, files, tmp_path_factory):
    from openpyxl import load_workbook

    data = git_data_dir
    _claim(cli, data, files)
    add(cli, data, "-t", "1.1", "-u", "黄湖", "-e", str(files["docx"]))
    for where in (data.parent / "台账", tmp_path_factory.mktemp("别处")):  # beside the data, and far from it
        where.mkdir(exist_ok=True)
        out = where / "台账.xlsx"
        assert cli("export", "-o", str(out), "--data", str(data), "--as-of", AS_OF).exit_code == 0
        ledger = load_workbook(out)
        rows = {r[0].value: r for r in ledger["报告"].iter_rows(min_row=3)}
        [one] = [r for k, r in rows.items() if "黄湖村" in k]
        target = one[11].hyperlink.target
        assert not Path(target).is_absolute()
        assert sha(out.parent / target) == sha(files["docx"])  # the link opens the very file
        [several] = [r for k, r in rows.items() if "苏家湖村" in k]
        assert several[11].value == "https://example.org/会议\n签到.JPG\n方案.pdf"
        assert several[11].hyperlink.location == "'佐证材料'!A3"
        listed = list(ledger["佐证材料"].iter_rows(min_row=3))
        assert [r[4].value for r in listed] == ["签到.JPG", "方案.pdf", "总结.docx"]
        for row, source in zip(listed, ("photo", "pdf", "docx"), strict=True):
            assert sha(out.parent / row[8].hyperlink.target) == sha(files[source])
        assert listed[0][6].value == "2020-09-18 10:22:31"


# ---- item 3: pictures pasted into a 填报表 -----------------------------------------------------

FORM_AS_OF = "2020-09-15"
_CELL_IMAGES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData"><etc:cellImage><xdr:pic><xdr:nvPicPr>
<xdr:cNvPr id="2" name="ID_3F2A9C" descr=""/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/>
<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr/></xdr:pic></etc:cellImage></etc:cellImages>"""
_CELL_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image9.jpeg"/>
</Relationships>"""


def _form(cli, data, unit: str) -> tuple[Path, dict]:
    import tempfile

    from openpyxl import load_workbook

    out = Path(tempfile.mkdtemp(prefix="填报表", dir=data.parent.parent))  # outside the data repository
    result = cli("form", "make", "-o", str(out), "--unit", unit, "--data", str(data), "--as-of", FORM_AS_OF)
    assert result.exit_code == 0, result.output
    path = out / f"{unit}-填报表-{FORM_AS_OF}.xlsx"
    ws = load_workbook(path)["填报表"]
    rows = {ws[f"B{r}"].value: r for r in range(5, ws.max_row + 1) if ws[f"B{r}"].value}
    return path, rows


def test_a_form_lets_pictures_be_pasted(cli, data_dir):
    from openpyxl import load_workbook

    path, _ = _form(cli, data_dir, "苏家湖村")
    ws = load_workbook(path)["填报表"]
    assert ws.protection.sheet and not ws.protection.objects  # protected, but pictures may be inserted


def test_pictures_pasted_in_a_form_become_the_rows_evidence(cli, git_data_dir, files, tmp_path_factory):
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image

    data = git_data_dir
    path, rows = _form(cli, data, "苏家湖村")
    book = load_workbook(path)
    ws = book["填报表"]
    for task in ("1.1", "1.2"):
        ws[f"G{rows[task]}"], ws[f"J{rows[task]}"] = "完成", "2020-09-14"
    picture = Image(str(files["photo"]))
    picture.anchor = f"M{rows['1.1']}"  # Excel: a floating picture over the row's 佐证 cell
    ws.add_image(picture)
    ws[f"M{rows['1.2']}"] = '=_xlfn.DISPIMG("ID_3F2A9C",1)'  # WPS: a picture in the cell
    filled = tmp_path_factory.mktemp("收回") / "苏家湖村.xlsx"
    book.save(filled)
    wps = files["late"].read_bytes()
    with zipfile.ZipFile(filled, "a") as archive:  # what WPS adds beside the sheet, and openpyxl does not read
        archive.writestr("xl/cellimages.xml", _CELL_IMAGES)
        archive.writestr("xl/_rels/cellimages.xml.rels", _CELL_RELS)
        archive.writestr("xl/media/image9.jpeg", wps)
    result = cli("form", "import", str(filled), "--by", "王五", "--data", str(data), "--as-of", FORM_AS_OF)
    assert result.exit_code == 0, result.output
    made = {read(p)["task"]: read(p) for p in reports(data)}
    [excel] = made["1.1"]["evidence_files"]
    assert (excel["sha256"], excel["taken"]) == (sha(files["photo"]), "2020-09-18T10:22:31")
    assert excel["name"].startswith(f"第{rows['1.1']}行-")
    [cell] = made["1.2"]["evidence_files"]
    assert cell == {"sha256": hashlib.sha256(wps).hexdigest(), "name": f"第{rows['1.2']}行-image9.jpeg",
                    "bytes": len(wps), "taken": "2020-09-25T08:00:00"}
    assert "evidence" not in made["1.2"]  # the DISPIMG formula is a picture, not text
    assert {name.split(".")[0] for name in stored(data)} == {sha(files["photo"]), cell["sha256"]}
    assert git("status", "--porcelain", cwd=data.parent) == ""  # one commit: the reports and the pictures


def test_a_picture_on_a_sensitive_task_names_the_cell(cli, data_dir, files, tmp_path_factory):
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image

    path, rows = _form(cli, data_dir, "兰溪派出所")
    book = load_workbook(path)
    ws = book["填报表"]
    ws[f"G{rows['6.2']}"], ws[f"J{rows['6.2']}"] = "进行中", "2020-09-14"
    picture = Image(str(files["photo"]))
    picture.anchor = f"M{rows['6.2']}"
    ws.add_image(picture)
    filled = tmp_path_factory.mktemp("收回") / "派出所.xlsx"
    book.save(filled)
    result = cli("form", "import", str(filled), "--data", str(data_dir), "--as-of", FORM_AS_OF)
    assert result.exit_code == 1
    assert f"!填报表!M{rows['6.2']}: 任务 6.2 涉及个人信息" in result.output
    assert reports(data_dir) == [] and stored(data_dir) == []


# ---- item 4: kept honest and lawful -----------------------------------------------------------


def check(cli, data) -> tuple[int, list[str]]:
    result = cli("check", "--data", str(data))
    return result.exit_code, result.stdout.splitlines()


def test_check_names_a_tampered_a_missing_and_an_unnamed_file(cli, git_data_dir, files):
    data = git_data_dir
    rid = _claim(cli, data, files)
    assert check(cli, data)[0] == 0
    photo, paper = data / "evidence" / f"{sha(files['photo'])}.jpg", data / "evidence" / f"{sha(files['pdf'])}.pdf"
    photo.write_bytes(photo.read_bytes() + b"tampered")  # changed after it was stored
    paper.unlink()  # gone without a record
    stray = data / "evidence" / f"{sha(files['docx'])}.docx"
    stray.write_bytes(files["docx"].read_bytes())  # no report names it
    code, lines = check(cli, data)
    assert code == 1
    tampered = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (f"data/evidence/{photo.name}: 文件内容的 SHA-256 摘要（{tampered[:12]}…）与文件名不符："
            "文件已被改动或损坏") in lines
    assert f"data/evidence/{stray.name}: 没有任何报告引用这份佐证材料（可用 lanxi evidence remove 删除）" in lines
    [report] = reports(data)
    assert (f"data/reports/2020/09/{report.name}: 佐证材料 data/evidence/{paper.name} 不见了"
            "（没有 lanxi evidence remove 的删除记录）") in lines
    assert rid in report.name


def test_a_git_lfs_pointer_with_the_digest_is_valid(cli, data_dir, files):
    add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(files["photo"]), "--no-commit")
    stored_file = data_dir / "evidence" / f"{sha(files['photo'])}.jpg"
    size = stored_file.stat().st_size
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n"
    stored_file.write_text(pointer.format(sha(files["photo"]), size), encoding="ascii")  # as an LFS clone leaves it
    assert check(cli, data_dir)[0] == 0
    stored_file.write_text(pointer.format("b" * 64, size), encoding="ascii")
    code, lines = check(cli, data_dir)
    assert code == 1 and any("Git LFS 指针所指的摘要（bbbbbbbbbbbb…）与文件名不符" in line for line in lines)


def test_evidence_remove_deletes_the_file_and_keeps_its_digest(cli, git_data_dir, files):
    data = git_data_dir
    rid = _claim(cli, data, files)
    digest = sha(files["photo"])
    bad = cli("evidence", "remove", "../../etc/passwd", "--reason", "x", "--data", str(data), "--as-of", AS_OF)
    assert bad.exit_code == 2
    result = cli("evidence", "remove", digest, "--reason", "照片中有群众面部", "--by", "禁毒办",
                 "--data", str(data), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert not (data / "evidence" / f"{digest}.jpg").exists()
    [record] = sorted((data / "removals").rglob("*.yaml"))
    assert read(record)["sha256"] == digest and read(record)["reason"] == "照片中有群众面部"
    assert git("status", "--porcelain", cwd=data.parent) == ""  # the deletion and the record, one commit
    changed = git("show", "--name-status", "--format=", "HEAD", cwd=data.parent)
    assert f"D\tdata/evidence/{digest}.jpg" in changed
    assert check(cli, data)[0] == 0  # the report still names it: gone on purpose
    shown = cli("report", "show", rid, "--data", str(data), "--as-of", AS_OF).stdout
    assert "签到.JPG（1 KB，拍摄于 2020-09-18 10:22:31）  【文件不见了】" in shown
    again = cli("evidence", "remove", digest, "--reason", "x", "--data", str(data), "--as-of", AS_OF)
    assert again.exit_code == 2


def _lfs() -> bool:
    import shutil
    import subprocess

    return shutil.which("git-lfs") is not None and subprocess.run(
        ["git", "lfs", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _lfs(), reason="git lfs is not installed (apt-get install git-lfs)")
def test_lanxi_works_unchanged_on_git_lfs(cli, git_data_dir, files, tmp_path_factory):
    """A town that moved data/evidence to Git LFS: report add commits a pointer, a clone without the
    LFS objects holds pointer files, and check, report show and the 台账 still work there."""
    import subprocess

    data = git_data_dir
    repo = data.parent
    git("lfs", "install", "--local", cwd=repo)
    git("lfs", "track", "data/evidence/*", cwd=repo)
    git("add", ".gitattributes", cwd=repo)
    git("commit", "-qm", "佐证材料用 Git LFS", cwd=repo)
    rid = _claim(cli, data, files)
    assert git("status", "--porcelain", cwd=repo) == ""
    name = f"data/evidence/{sha(files['photo'])}.jpg"
    blob = git("cat-file", "-p", f"HEAD:{name}", cwd=repo)
    assert blob.startswith("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha(files["photo"]))
    assert check(cli, data)[0] == 0  # the work tree holds the photo itself
    clone = tmp_path_factory.mktemp("副本") / "town"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True,
                   env={**__import__("os").environ, "GIT_LFS_SKIP_SMUDGE": "1"})
    copied = clone / name
    assert copied.read_text(encoding="ascii").startswith("version https://git-lfs")  # a pointer, not the photo
    assert check(cli, clone / "data")[0] == 0
    assert "签到.JPG" in cli("report", "show", rid, "--data", str(clone / "data"), "--as-of", AS_OF).stdout


def test_the_bulletin_appendix_names_the_evidence(cli, data_dir, files):
    add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-s", "done", "-d", "2020-09-18", "-e", str(files["photo"]),
        "-e", str(files["pdf"]), "--no-commit")
    add(cli, data_dir, "-t", "1.1", "-u", "黄湖", "-s", "done", "-d", "2020-09-18", "--no-commit")
    # the appendix comes with --appendix (issue 26), where that option has landed
    appendix = ["--appendix"] if "--appendix" in cli("bulletin", "--help").stdout else []
    text = cli("bulletin", *appendix, "--data", str(data_dir), "--as-of", AS_OF).stdout
    [mine] = [p.stem for p in reports(data_dir) if "苏家湖村" in p.name]
    assert "以上报告中有1份附有佐证材料" in text
    assert f"- 苏家湖村 {mine}：签到.JPG、方案.pdf。" in text


def test_a_heic_photo_has_its_time_where_pillow_heif_is_installed(cli, data_dir, tmp_path_factory):
    """iPhones send HEIC: its EXIF time is read with pillow-heif (`pip install lanxi[heic]`); without it the
    photo is stored all the same, with `taken: null`."""
    import importlib.util

    heif = importlib.util.find_spec("pillow_heif") is not None
    path = tmp_path_factory.mktemp("heic") / "IMG_0001.HEIC"
    if heif:
        from PIL import Image
        from pillow_heif import register_heif_opener

        register_heif_opener()
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = "2020:09:18 10:22:31"
        Image.new("RGB", (64, 48), (1, 2, 3)).save(path, exif=exif.tobytes())
    else:
        path.write_bytes(b"\x00\x00\x00\x18ftypheic not a real one")
    assert add(cli, data_dir, "-t", "1.1", "-u", "苏家湖", "-e", str(path), "--no-commit").exit_code == 0
    [item] = read(reports(data_dir)[0])["evidence_files"]
    assert (item["name"], item["taken"]) == ("IMG_0001.HEIC", "2020-09-18T10:22:31" if heif else None)
    assert stored(data_dir) == [f"{sha(path)}.heic"]
