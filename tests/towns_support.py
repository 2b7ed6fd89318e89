"""Helpers for the many-hands-many-towns tests: the 兰溪 task table rebuilt
from the published notice as .xlsx and .docx (merged cells as in the
original Word table), and a real git server on loopback (`git daemon`)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path

from conftest import SHIPPED

NOTICE = SHIPPED / "source" / "plan-notice-2020.txt"
TITLE = "兰溪镇深入推进毒品预防教育宣传专项行动任务清单"


def attachment_rows() -> list[list[str]]:
    """The attachment's table, header first, as published: five cells a row,
    a cell's further lines kept (牵头\\n单位), blank cells blank."""
    text = NOTICE.read_text(encoding="utf-8")
    table = text[text.index(TITLE, text.rindex("附件：")) + len(TITLE):]
    cells: list[list[str]] = []
    for line in table.splitlines():
        if line.startswith("\t"):
            cells.append([line[1:]])
        elif line.strip():
            cells[-1].append(line)
    flat = ["\n".join(c).strip() for c in cells]
    assert len(flat) % 5 == 0, len(flat)
    return [flat[i : i + 5] for i in range(0, len(flat), 5)]


def _runs(rows: list[list[str]], column: int, within: int | None = None) -> list[tuple[int, int]]:
    """(first, last) row indexes of each cell of `column` that continues over the
    blank cells below it (inside one category when `within` names its column)."""
    runs, start = [], None
    for i, row in enumerate(rows):
        new_group = within is not None and row[within] and i != start
        if row[column] or new_group:
            if start is not None:
                runs.append((start, i - 1))
            start = i if row[column] else None
    if start is not None:
        runs.append((start, len(rows) - 1))
    return [(a, b) for a, b in runs if b > a]


def write_xlsx(rows: list[list[str]], path: Path) -> Path:
    """Title row merged across, header, then the rows; 类别 and 完成时间 merged
    down over their blank cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    for row in rows:
        sheet.append([cell or None for cell in row])
    body = rows[1:]
    for column, within in ((0, None), (1, 0)):
        for first, last in _runs(body, column, within):
            sheet.merge_cells(start_row=first + 3, start_column=column + 1, end_row=last + 3, end_column=column + 1)
    book.save(path)
    return path


def write_docx(rows: list[list[str]], path: Path) -> Path:
    """附件： and the title as paragraphs, then the table with vertically merged cells."""
    from docx import Document

    document = Document()
    document.add_paragraph("附件：")
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                cell = table.cell(r, c)
                lines = value.split("\n")
                cell.text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    body = rows[1:]
    for column, within in ((0, None), (1, 0)):
        for first, last in _runs(body, column, within):
            top = table.cell(first + 1, column)
            keep = [p.text for p in top.paragraphs]
            merged = top.merge(table.cell(last + 1, column))
            for paragraph in list(merged.paragraphs)[len(keep):]:  # merge appends the empty cells' paragraphs
                paragraph._element.getparent().remove(paragraph._element)
    document.save(str(path))
    return path


# ---- a git server on loopback -------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GitServer:
    """`git daemon` serving every bare repository under `base`, pushes allowed,
    on 127.0.0.1 only; started and stopped by the fixture."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.process = subprocess.Popen(
            ["git", "daemon", "--export-all", "--enable=receive-pack", "--reuseaddr", "--informative-errors",
             f"--base-path={base}", "--listen=127.0.0.1", f"--port={self.port}", str(base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("git daemon did not start") from None
                time.sleep(0.05)

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def bare(self, name: str) -> Path:
        path = self.base / name
        git("init", "--quiet", "--bare", str(path), cwd=self.base)
        return path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def git(*args: str, cwd: Path, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def identify(repo: Path, name: str = "测试员") -> None:
    for key, value in (("user.name", name), ("user.email", "test@example.org"), ("commit.gpgsign", "false")):
        git("config", key, value, cwd=repo)


# ---- exact screens ------------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, text: str) -> None:
    """The screen must equal tests/golden/NAME exactly. To accept a changed
    screen after reading the diff: LANXI_UPDATE_GOLDEN=1 python -m pytest …"""
    path = GOLDEN / name
    if os.environ.get("LANXI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with LANXI_UPDATE_GOLDEN=1 once and read it"
    assert text == path.read_text(encoding="utf-8")
