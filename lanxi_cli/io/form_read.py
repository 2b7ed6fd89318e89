"""Reading a filled 填报表 back: whatever saved it last (Excel, WPS, LibreOffice)
and whatever it is called now (WeChat renames files), it is known by its
hidden sheet. Nothing here judges a cell: core/forms.py does.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

from lanxi_cli.core.forms import HEADER_ROW, META_MARK, META_SHEET, SHEET, Cell, Filled
from lanxi_cli.errors import os_reason

MAX_BYTES = 20 * 1024 * 1024  # a form is a few dozen KB; a photo pasted in is allowed for
MAX_UNPACKED = 200 * 1024 * 1024  # an xlsx is a zip: refuse one that unpacks into more
MAX_ROWS = 2000  # below the header; a form has one row per obligation


class FormError(Exception):
    """A file that cannot be read as a 填报表; `str()` says why, in Chinese."""


def _open(path: Path):
    from openpyxl import load_workbook

    try:
        if not path.is_file():
            raise FormError("文件不存在" if not path.exists() else "不是普通文件")
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise FormError(f"无法读取（{os_reason(exc)}）") from None
    if len(data) > MAX_BYTES:
        raise FormError(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），不像是填报表")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise FormError("文件解压后过大，不像是填报表")
        with warnings.catch_warnings():  # openpyxl's notes on WPS/LibreOffice extensions it drops
            warnings.simplefilter("ignore")
            # from bytes, so a name WeChat changed (or no .xlsx at all) does not matter
            return load_workbook(io.BytesIO(data), data_only=False), data
    except FormError:
        raise
    except Exception:  # not a zip, not a workbook, or a broken one: openpyxl raises many kinds
        raise FormError("不是有效的 .xlsx 文件（若是 .xls 或 WPS 格式，请另存为 .xlsx 再导入）") from None


def _values(ws, columns: int, rows: int) -> dict[tuple[int, int], object]:
    """The cells of `ws` holding a value, by (row, column), from the cells the
    file holds: never one made per place up to the farthest (a stray value at
    XFD1048576 would make 17 billion). Values beyond `columns` are not read;
    one below `rows` makes the sheet no form."""
    found = {}
    for (row, column), cell in ws._cells.items():
        if cell.value is None or column > columns:
            continue
        if row > rows:
            raise FormError(f"工作表“{ws.title}”的 {cell.coordinate} 远在表格之外（第 {row} 行），不像是填报表；"
                            "请删去它的内容")
        found[row, column] = cell.value
    return found


def _meta(book) -> dict:
    """The hidden sheet: the form's id, unit, day, and 序号 → (task, period, subject)."""
    if META_SHEET not in book.sheetnames:
        raise FormError("不是 lanxi 生成的填报表（找不到其隐藏的表单信息）；请用 lanxi form make 生成的表填写")
    values = _values(book[META_SHEET], 5, MAX_ROWS + 20)
    height = max((row for row, _ in values), default=0)
    rows = [["" if values.get((r, c)) is None else str(values[r, c]).strip() for c in (1, 2, 3, 4, 5)]
            for r in range(1, height + 1)]
    head = next((i for i, row in enumerate(rows) if row[0] == "序号"), min(len(rows), 6))
    fields = {row[0]: row[1] for row in rows[:head]}
    if not rows or rows[0][0] != META_MARK or not fields.get("form_id"):
        raise FormError("填报表的隐藏信息不完整；请用 lanxi form make 生成的表重新填写")
    keys, texts = {}, {}
    for row in rows[head + 1:]:
        if row[0].isdigit():
            keys[int(row[0])] = (row[1], row[2] or None, row[3] or None)
            texts[int(row[0])] = row[4]
    return {**fields, "keys": keys, "texts": texts}


def read(path: Path, shown: str) -> Filled:
    """The filled form at `path` (named `shown` in messages), or FormError."""
    book, data = _open(path)
    meta = _meta(book)
    sheet = meta.get("sheet") or SHEET
    if sheet not in book.sheetnames:
        raise FormError(f"找不到工作表“{sheet}”（被改名或删除了？）；请用原表填写")
    ws = book[sheet]
    from openpyxl.utils import get_column_letter

    header = {}
    for (row, _), cell in sorted(ws._cells.items()):  # the header row, from the cells the file holds
        if row == HEADER_ROW and isinstance(cell.value, str) and cell.value.strip() not in ("", *header):
            header[cell.value.strip()] = cell.coordinate
    columns = {name: ws[ref].column for name, ref in header.items()}
    # the last row holding a value: a style given to a whole column may reach row 1048576 without one,
    # and a stray value far out is refused before any row is built
    values = _values(ws, max(columns.values(), default=0), HEADER_ROW + MAX_ROWS)
    last = max((row for row, _ in values), default=HEADER_ROW)
    rows = []
    for row in range(HEADER_ROW + 1, max(last, HEADER_ROW) + 1):
        found = {}
        for name, column in columns.items():
            cell = ws._cells.get((row, column))
            ref = f"{get_column_letter(column)}{row}"
            found[name] = Cell(ref, None if cell is None else cell.value, getattr(cell, "data_type", None) == "f")
        rows.append((row, found))
    formulas = {row: [str(c.value) for c in cells.values() if c.formula] for row, cells in rows}
    pictures, contents = _pictures(data, sheet, {r: f for r, f in formulas.items() if f})
    return Filled(shown, sheet, meta["form_id"], meta.get("unit", ""), meta.get("as_of", ""), meta["keys"],
                  header, rows, pictures, contents, meta.get("town", ""), meta.get("campaign", ""), meta["texts"])


def _pictures(data: bytes, sheet: str, formulas: dict[int, list[str]]) -> tuple[dict, dict]:
    """(sheet row → the pictures pasted in it, each an Attachment: digest, a name
    saying where it was, size, EXIF time; digest → its bytes, for storing)."""
    from lanxi_cli.io import evidence
    from lanxi_cli.io.form_pictures import PictureError, pictures

    try:
        found = pictures(data, sheet, formulas)
    except PictureError as exc:
        raise FormError(f"无法读取表中的图片（{exc}）") from None
    rows, contents = {}, {}
    for row, items in found.items():
        described = []
        for name, content in items:
            src = evidence.in_memory(f"第{row}行-{name}", content)
            item = evidence.describe(src)
            contents.setdefault(item.sha256, src)
            if all(d.sha256 != item.sha256 for d in described):
                described.append(item)
        rows[row] = tuple(described)
    return rows, contents
