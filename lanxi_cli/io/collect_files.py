"""The files of `collect import`: an online form's export (xlsx or csv, read
within bounds by table_read) and data/collect.yaml, the column mapping a clerk
confirmed. collect.yaml is only ever added to: lines a person edited stay
byte for byte, and it is replaced whole, never half-written."""

from __future__ import annotations

from pathlib import Path

from lanxi_cli.errors import DataError, Problem, UsageError

MAPPING_FILE = "collect.yaml"
MAX_MAPPING_BYTES = 256 * 1024
SUFFIXES = (".xlsx", ".csv")
MAPPING_HEAD = (
    "# lanxi collect import：网上收集表导出的表头 → 导入为哪一项（单位、任务、完成情况……；“不导入”：不用这一列）。\n"
    "# 由 lanxi 在清点确认后追加；可以手工修改，lanxi 不会改动已有的行。\n"
)


def read_export(path: Path) -> list[list[str]]:
    """The export's first sheet holding anything, as a grid of cell text
    (merged title rows filled across); UsageError for a missing file or another kind."""
    from lanxi_cli.io.table_read import MAX_COLUMNS, Limits, read_grids

    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UsageError(f"“{path}”是旧的 .xls 格式：请在导出时选 .xlsx 或 .csv，或用 WPS/Excel 另存为 .xlsx")
    if suffix not in SUFFIXES:
        raise UsageError(f"收集表导出文件“{path}”应为 .xlsx 或 .csv 文件")
    if not path.is_file():
        raise UsageError(f"找不到文件“{path}”")
    grids = read_grids(path, Limits("收集表导出", rows=50_000, columns=MAX_COLUMNS * 3))
    return next((grid for _, _, grid in grids if grid), [])


def load_mapping(data_dir: Path) -> dict[str, str]:
    """data/collect.yaml as {folded header: field}; {} when there is none yet;
    DataError naming the file and line of a bad entry."""
    from lanxi_cli.core.collect import FIELDS, IGNORED, fold_header
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.locate import display_path

    path = data_dir / MAPPING_FILE
    if not path.exists() and not path.is_symlink():
        return {}
    file = display_path(path, data_dir)
    doc, lines = yamlio.parse(yamlio.read_text(path, MAX_MAPPING_BYTES, file, data_dir), file, lines=True)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise DataError.at(file, 1, "应为“表头: 字段”的列表，每行一项")
    problems, out = [], {}
    for header, name in doc.items():
        line = yamlio.line_of(lines, (header,))
        if not isinstance(header, str) or not fold_header(header):
            problems.append(Problem(file, line, f"表头“{header}”应为文字"))
        elif name not in (*FIELDS, IGNORED):
            problems.append(Problem(file, line, f"“{header}”对应的“{name}”应为 {'、'.join((*FIELDS, IGNORED))} 之一"))
        else:
            out[fold_header(header)] = name
    if problems:
        raise DataError(f"{file} 有 {len(problems)} 处问题；请改正后再导入", problems)
    return out


def add_mapping(data_dir: Path, pairs: list[tuple[str, str]]) -> tuple[Path, bytes | None]:
    """Append `pairs` (header, field) to data/collect.yaml, the lines there kept
    as they are: (its path, its bytes before, None if it was new), so a failure
    after can put it back (restore_mapping)."""
    import yaml

    from lanxi_cli.io import save

    path = data_dir / MAPPING_FILE
    save.inside_folder(data_dir, data_dir)
    try:
        before = path.read_bytes() if path.exists() else None
    except OSError as exc:
        from lanxi_cli.errors import os_reason

        raise DataError.at(str(path), None, f"无法读取（{os_reason(exc)}）") from None
    bom = b"\xef\xbb\xbf" if before and before.startswith(b"\xef\xbb\xbf") else b""
    text = (before or MAPPING_HEAD.encode()).decode("utf-8-sig")
    if text and not text.endswith("\n"):
        text += "\n"
    for header, name in pairs:
        text += yaml.safe_dump({header: name}, allow_unicode=True, width=10_000)
    save.refuse_unsafe(data_dir, text, MAX_MAPPING_BYTES, "collect.yaml")
    save.write_replace(path, lambda handle: handle.write(bom + text.encode("utf-8")))
    return path, before


def restore_mapping(path: Path, before: bytes | None) -> None:
    """Put data/collect.yaml back as add_mapping found it."""
    from lanxi_cli.io import save

    if before is None:
        path.unlink(missing_ok=True)
    else:
        save.write_replace(path, lambda handle: handle.write(before))
