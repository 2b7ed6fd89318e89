"""Reading a task table (任务清单) from .xlsx, .docx or .csv into rows of cell text.

Merged cells read as their value in every cell they cover: openpyxl keeps
the value in the top-left cell only, so the merged ranges are filled here;
python-docx already gives a vertically or horizontally merged Word cell in
each row and column it spans. The first sheet or table holding a header row
(see core.task_table.find_header) is the task table. Formulas are never
computed: a spreadsheet's cached values are read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from lanxi_cli.core.task_table import COLUMN_NAMES, Row, find_header, table_rows
from lanxi_cli.errors import DataError, UsageError, os_reason

SUFFIXES = (".xlsx", ".docx", ".csv")
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024  # an xlsx or docx is a zip: refuse one that unpacks into more
MAX_ROWS = 5000  # a task list has dozens of rows; a cell far below them is a stray
MAX_COLUMNS = 60
MAX_CELL = 128 * 1024  # characters in one cell (csv's own limit)
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[:：]?\s*")


@dataclass(frozen=True, slots=True)
class TaskTable:
    file: str
    title: str  # the line above the table, if any (附件： dropped)
    columns: dict[str, int]
    rows: list[Row]


def read_table(path: Path) -> TaskTable:
    """The task table in `path`; UsageError for a missing file or another kind
    of file, DataError for one that cannot be read or holds no task table."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"任务清单“{file}”应为 .xlsx、.docx 或 .csv 文件")
    if not path.is_file():
        raise UsageError(f"找不到任务清单文件“{file}”")
    for name, title_lines, grid in read_grids(path):
        found = find_header(grid)
        if found is None:
            continue
        index, columns = found
        prefix = f"{path.name}!" + (f"{name}!" if name else "")
        _refuse_controls(grid, index, prefix)
        above = [_one_value(cells) for cells in grid[:index]]
        title = next((t for t in reversed([*title_lines, *above]) if t), "")
        rows = table_rows(grid, index, columns, lambda i, name=name: f"{path.name} {_shown(name)}第{i + 1}行",
                          lambda i, c, prefix=prefix: f"{prefix}{column_letter(c)}{i + 1}")
        return TaskTable(file, _ATTACHMENT.sub("", title).strip(), columns, rows)
    wanted = "、".join(COLUMN_NAMES[k] for k in ("category", "deadline", "lead", "units"))
    raise DataError(
        f"{file}: 找不到任务清单的表头：表头行应写明“任务”（或 工作任务、任务内容、工作任务及要求），"
        f"以及 {wanted} 中的至少一项"
    )


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a table is read before it is refused, and what it is called in the refusal."""

    what: str = "任务清单"
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS


def read_grids(path: Path, limits: Limits = Limits()) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every sheet or table of an .xlsx, .docx or .csv as (name, title lines,
    grid of cell text), merged cells filled, within `limits` and MAX_BYTES (an
    xlsx or docx also within MAX_UNPACKED); DataError naming the file or cell
    for one that cannot be read."""
    file, suffix = str(path), path.suffix.lower()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"{file}: 文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），不像是{limits.what}")
        if suffix != ".csv":
            _refuse_zip_bomb(path, limits)
        return list({".xlsx": _xlsx, ".docx": _docx, ".csv": _csv}[suffix](path, limits))
    except OSError as exc:
        raise DataError(f"{file}: 无法读取（{os_reason(exc)}）") from None
    except (DataError, UsageError):
        raise
    except Exception as exc:  # a damaged or mislabelled file: the library's own error
        raise DataError(f"{file}: 无法读取，文件可能已损坏或不是 {suffix} 格式（{type(exc).__name__}）") from None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: a column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _shown(name: str) -> str:
    return f"工作表“{name}”" if name and not name.startswith("表格") else name


def _refuse_zip_bomb(path: Path, limits: Limits) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return  # openpyxl or python-docx says what it is not
    if unpacked > MAX_UNPACKED:
        raise DataError(f"{path}: 文件解压后过大（{unpacked // 1024 // 1024} MB，上限 "
                        f"{MAX_UNPACKED // 1024 // 1024} MB），不像是{limits.what}")


def _refuse_controls(grid: list[list[str]], header: int, prefix: str) -> None:
    """A control character in any cell of the table, named by its cell (it
    would reach a terminal or be refused in tasks.yaml, a file not yet written)."""
    from lanxi_cli.core.domain import CONTROL
    from lanxi_cli.errors import Problem

    problems = []
    for i, cells in enumerate(grid[header:], start=header):
        for c, text in enumerate(cells):
            bad = CONTROL.search(text)
            if bad:
                problems.append(Problem(f"{prefix}{column_letter(c)}{i + 1}", None,
                                        f"含有控制字符 U+{ord(bad[0]):04X}；请删去"))
    if problems:
        raise DataError(f"任务清单有 {len(problems)} 个单元格含有控制字符，没有写入任何文件", problems)


def _one_value(cells: list[str]) -> str:
    """A row's text when it holds one value only (a title row, often merged across)."""
    values = {" ".join(c.split()) for c in cells if c and c.strip()}
    return values.pop() if len(values) == 1 else ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(path: Path, limits: Limits = Limits()):
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)  # cached values; no formula is computed
    for sheet in book.worksheets:
        grid = _sparse_grid(sheet, path, limits)
        for merged in sheet.merged_cells.ranges:
            value = _text(sheet.cell(merged.min_row, merged.min_col).value)
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = value
        yield f"工作表“{sheet.title}”", [], grid


def _sparse_grid(sheet, path: Path, limits: Limits) -> list[list[str]]:
    """The sheet's cells holding a value, as a grid: built from the cells the
    file holds, never one per place up to the farthest (one stray cell at
    XFD1048576 would make 17 billion); a value beyond MAX_ROWS or MAX_COLUMNS
    is refused, naming its cell."""
    max_rows, max_columns = limits.rows, limits.columns
    present = {key: cell.value for key, cell in sheet._cells.items() if cell.value not in (None, "")}
    if not present:
        return []
    rows = max(r for r, _ in present)
    columns = max(c for _, c in present)
    if rows > max_rows or columns > max_columns:
        far = max(present, key=lambda key: (key[0] > max_rows or key[1] > max_columns, key))
        raise DataError(
            f"{path.name}!{sheet.title}!{column_letter(far[1] - 1)}{far[0]}: 这个单元格远在{limits.what}之外"
            f"（第 {far[0]} 行、第 {far[1]} 列；{limits.what}最多 {max_rows} 行、{max_columns} 列）：请删去它的内容，"
            "没有写入任何文件")
    grid = [[""] * columns for _ in range(rows)]
    for (r, c), value in present.items():
        grid[r - 1][c - 1] = _text(value)
    return grid


def _docx(path: Path, limits: Limits = Limits()):
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    before: list[str] = []
    number = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                before.append(text)
        elif tag == "tbl":
            number += 1
            table = Table(child, document)
            grid = [[cell.text for cell in row.cells] for row in table.rows]
            yield f"表格{number}", before[-1:], grid
            before = []


def _csv(path: Path, limits: Limits = Limits()):
    import csv
    import io

    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError(f"{path}: 文件既不是 UTF-8 也不是 GBK 编码，请另存为 UTF-8 的 CSV")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: list[list[str]] = []
    try:
        for row in reader:
            grid.append(row)
            if len(grid) > limits.rows or len(row) > limits.columns:
                cell = f"{path.name}!{column_letter(min(len(row), limits.columns + 1) - 1)}{len(grid)}"
                raise DataError(f"{cell}: {limits.what}最多 {limits.rows} 行、{limits.columns} 列，"
                                "这里已经超出；没有写入任何文件")
    except csv.Error as exc:
        start = text.splitlines()[reader.line_num - 1 if "end of data" not in str(exc) else _record_start(grid)]
        column = _open_quote_column(start, delimiter)
        if "field larger" in str(exc):
            column = next((i for i, part in enumerate(start.split(delimiter)) if len(part) > MAX_CELL), column)
        cell = f"{path.name}!{column_letter(column)}{len(grid) + 1}"
        if "field larger" in str(exc):
            raise DataError(f"{cell}: 单元格过长（超过 {MAX_CELL // 1024} KB），不像是{limits.what}；"
                            "没有写入任何文件") from None
        if "end of data" in str(exc):
            raise DataError(f"{cell}: 引号没有闭合：从这个单元格起，后面的内容都会被当成一个单元格；"
                            "请补上右引号（\"）再试，没有写入任何文件") from None
        raise DataError(f"{cell}: 引号的用法不对（{exc}）；没有写入任何文件") from None
    yield "", [], grid


def _record_start(grid: list[list[str]]) -> int:
    """The line (0-based) where the record after `grid`'s rows starts: each row
    ends its line count by its own newlines (quoted cells may hold some)."""
    return sum(1 + sum(cell.count("\n") for cell in row) for row in grid)


def _open_quote_column(line: str, delimiter: str) -> int:
    """The column (0-based) of the cell whose quote opens on `line` and never closes."""
    column, quoted, last = 0, False, 0
    for char in line:
        if char == '"':
            quoted = not quoted
            if quoted:
                last = column
        elif char == delimiter and not quoted:
            column += 1
    return last if quoted else column


# ---- the town's units (init --units) ---------------------------------------------------------

_NAME_HEADERS = ("名称", "单位", "单位名称", "名字", "村（社区）", "村社区")
_KIND_HEADERS = ("类型", "类别", "性质", "单位类型", "种类")
KIND_WORDS = {
    "村": "village", "行政村": "village", "village": "village",
    "社区": "community", "居委会": "community", "community": "community",
    "部门": "department", "站所": "department", "单位": "department", "department": "department",
    "其他": "other", "其他单位": "other", "企业": "other", "other": "other",
}


def read_units(path: Path) -> list[tuple[str, str]]:
    """(name, kind) of each row of a units list (.xlsx or .csv, columns 名称 and
    类型, any order; a blank 类型 is guessed from the name: …村, …社区). A row
    that cannot be read is named (`FILE 第N行`) and nothing is taken."""
    from lanxi_cli.core.task_table import unit_kind

    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"单位名册“{file}”应为 .xlsx 或 .csv 文件")
    if not path.is_file():
        raise UsageError(f"找不到单位名册文件“{file}”")
    try:
        grids = list({".xlsx": _xlsx, ".csv": _csv}[suffix](path))
    except OSError as exc:
        raise DataError(f"{file}: 无法读取（{os_reason(exc)}）") from None
    except (DataError, UsageError):
        raise
    except Exception as exc:
        raise DataError(f"{file}: 无法读取，文件可能已损坏或不是 {suffix} 格式（{type(exc).__name__}）") from None
    for sheet, _, grid in grids:
        for index, cells in enumerate(grid[:12]):
            keys = ["".join(c.split()) for c in cells]
            name_col = next((i for i, k in enumerate(keys) if k in _NAME_HEADERS), None)
            if name_col is None:
                continue
            kind_col = next((i for i, k in enumerate(keys) if k in _KIND_HEADERS), None)
            units, bad = [], []
            for number, row in enumerate(grid[index + 1:], start=index + 2):
                name = row[name_col].strip() if name_col < len(row) else ""
                word = "".join(row[kind_col].split()) if kind_col is not None and kind_col < len(row) else ""
                if not name:
                    continue
                kind = KIND_WORDS.get(word.lower()) if word else unit_kind(name)
                if kind is None:
                    bad.append(f"{path.name} {sheet}第{number}行：类型“{word}”应为 村、社区、部门 或 其他")
                units.append((name, kind))
            if bad:
                raise DataError(f"{file}: 单位名册有 {len(bad)} 处问题，没有导入任何单位\n" + "\n".join(bad))
            return units
    raise DataError(f"{file}: 找不到单位名册的表头：应有“名称”一列（可另有“类型”一列：村、社区、部门 或 其他）")
