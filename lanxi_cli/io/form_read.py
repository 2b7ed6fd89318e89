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
            return load_workbook(io.BytesIO(data), data_only=False)
    except FormError:
        raise
    except Exception:  # not a zip, not a workbook, or a broken one: openpyxl raises many kinds
        raise FormError("不是有效的 .xlsx 文件（若是 .xls 或 WPS 格式，请另存为 .xlsx 再导入）") from None


def _meta(book) -> dict:
    """The hidden sheet: the form's id, unit, day, and 序号 → (task, period, subject)."""
    if META_SHEET not in book.sheetnames:
        raise FormError("不是 lanxi 生成的填报表（找不到其隐藏的表单信息）；请用 lanxi form make 生成的表填写")
    rows = [["" if v is None else str(v).strip() for v in row] for row in book[META_SHEET].iter_rows(values_only=True)]
    rows = [row + ["", "", ""] for row in rows]
    fields = {row[0]: row[1] for row in rows[:6]}
    if not rows or rows[0][0] != META_MARK or not fields.get("form_id"):
        raise FormError("填报表的隐藏信息不完整；请用 lanxi form make 生成的表重新填写")
    keys = {}
    for row in rows[7:]:
        if row[0].isdigit():
            keys[int(row[0])] = (row[1], row[2] or None, row[3] or None)
    return {**fields, "keys": keys}


def read(path: Path, shown: str) -> Filled:
    """The filled form at `path` (named `shown` in messages), or FormError."""
    book = _open(path)
    meta = _meta(book)
    sheet = meta.get("sheet") or SHEET
    if sheet not in book.sheetnames:
        raise FormError(f"找不到工作表“{sheet}”（被改名或删除了？）；请用原表填写")
    ws = book[sheet]
    header = {}
    for cell in ws[HEADER_ROW]:
        if isinstance(cell.value, str) and cell.value.strip() and cell.value.strip() not in header:
            header[cell.value.strip()] = cell.coordinate
    # the last row holding a value: a style given to a whole column may reach row 1048576 without one
    # (openpyxl keeps a sheet's cells in `_cells`; iterating to max_row would make a cell for each place)
    last = max((row for (row, _), cell in ws._cells.items() if cell.value is not None), default=HEADER_ROW)
    if last - HEADER_ROW > MAX_ROWS:
        raise FormError(f"表中行数过多（{last - HEADER_ROW} 行），不像是填报表")
    columns = {name: ws[ref].column for name, ref in header.items()}
    rows = []
    for cells in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=max(last, HEADER_ROW)):
        by_column = {cell.column: cell for cell in cells}
        row = cells[0].row
        found = {}
        for name, column in columns.items():
            cell = by_column.get(column)
            ref = f"{ws.cell(row=row, column=column).coordinate}" if cell is None else cell.coordinate
            value = None if cell is None else cell.value
            found[name] = Cell(ref, value, getattr(cell, "data_type", None) == "f")
        rows.append((row, found))
    return Filled(shown, sheet, meta["form_id"], meta.get("unit", ""), meta.get("as_of", ""), meta["keys"],
                  header, rows)
