"""The pictures pasted into a filled 填报表, by the sheet row they stand in:
Excel's floating pictures (a drawing anchored to a cell: xl/drawings/*.xml)
and WPS's in-cell pictures (a `DISPIMG("ID_…")` formula in the cell, the
picture in xl/cellimages.xml, which openpyxl does not read). Only the
package's own parts are read, by their relationships; XML with a DOCTYPE is
refused (no entities, no external references)."""

from __future__ import annotations

import posixpath
import zipfile
from xml.etree import ElementTree

from lanxi_cli.core.forms import DISPIMG

_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
_EMBED = f"{{{_NS['r']}}}embed"
_ID = f"{{{_NS['r']}}}id"
MAX_PICTURES = 200  # in one form
MAX_PART = 64 * 1024 * 1024


class PictureError(Exception):
    """A form whose pictures cannot be read; `str()` says why, in Chinese."""


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        data = archive.read(name)
    except KeyError:
        return None
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise PictureError(f"{name} 含有 DOCTYPE 或实体声明，拒绝读取")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise PictureError(f"{name} 不是有效的 XML") from None


def _rels(archive, part: str) -> dict[str, str]:
    """A part's relationships: id → the target part's name in the package."""
    folder, name = posixpath.split(part)
    root = _xml(archive, posixpath.join(folder, "_rels", name + ".rels"))
    out = {}
    for rel in [] if root is None else root.findall("rel:Relationship", _NS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = path
    return out


def _sheet_part(archive, sheet: str) -> str | None:
    workbook = _xml(archive, "xl/workbook.xml")
    if workbook is None:
        return None
    rels = _rels(archive, "xl/workbook.xml")
    for node in workbook.iterfind("main:sheets/main:sheet", _NS):
        if node.get("name") == sheet:
            return rels.get(node.get(_ID))
    return None


def _media(archive, name: str | None) -> bytes | None:
    if not name or name.startswith("..") or name not in archive.NameToInfo:
        return None
    if archive.getinfo(name).file_size > MAX_PART:
        raise PictureError(f"图片 {name} 过大")
    return archive.read(name)


def floating(archive: zipfile.ZipFile, sheet: str) -> dict[int, list[tuple[str, bytes]]]:
    """Sheet row (1-based) → [(media name, bytes)] of the pictures whose top-left corner is in that row."""
    part = _sheet_part(archive, sheet)
    root = _xml(archive, part) if part else None
    if root is None:
        return {}
    rels = _rels(archive, part)
    found: dict[int, list[tuple[str, bytes]]] = {}
    for drawing in root.iterfind("main:drawing", _NS):
        name = rels.get(drawing.get(_ID))
        tree = _xml(archive, name) if name else None
        if tree is None:
            continue
        pictures = _rels(archive, name)
        for anchor in list(tree):
            start = anchor.find("xdr:from/xdr:row", _NS)
            blip = anchor.find(".//xdr:pic/xdr:blipFill/a:blip", _NS)
            if start is None or blip is None or not (start.text or "").strip().isdigit():
                continue
            media = pictures.get(blip.get(_EMBED))
            content = _media(archive, media)
            if content is not None:
                found.setdefault(int(start.text) + 1, []).append((posixpath.basename(media), content))
    return found


def in_cell(archive: zipfile.ZipFile) -> dict[str, tuple[str, bytes]]:
    """WPS's cell pictures: the id a DISPIMG formula names → (media name, bytes)."""
    part = "xl/cellimages.xml"
    root = _xml(archive, part)
    if root is None:
        return {}
    rels = _rels(archive, part)
    found = {}
    for pic in root.iter(f"{{{_NS['xdr']}}}pic"):
        props = pic.find("xdr:nvPicPr/xdr:cNvPr", _NS)
        blip = pic.find("xdr:blipFill/a:blip", _NS)
        if props is None or blip is None:
            continue
        media = rels.get(blip.get(_EMBED))
        content = _media(archive, media)
        if content is not None:
            found[props.get("name", "")] = (posixpath.basename(media), content)
    return found


def pictures(data: bytes, sheet: str, formulas: dict[int, list[str]]) -> dict[int, list[tuple[str, bytes]]]:
    """Row → its pictures: the floating ones anchored in it, and the in-cell ones
    its DISPIMG formulas (`formulas`: row → the formulas of its cells) name."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = floating(archive, sheet)
        cells = in_cell(archive) if any(DISPIMG.match(f) for fs in formulas.values() for f in fs) else {}
    for row, texts in formulas.items():
        for text in texts:
            match = DISPIMG.match(text)
            if match and match[1] in cells:
                rows.setdefault(row, []).append(cells[match[1]])
    if sum(map(len, rows.values())) > MAX_PICTURES:
        raise PictureError(f"表中图片超过 {MAX_PICTURES} 张")
    return rows
