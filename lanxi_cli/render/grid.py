"""Plain-text tables that use the width they have, for Chinese text.

A column either keeps each line whole (ids, dates, names, file names) or
wraps. Wrapping columns share what the fixed ones leave: narrow ones get
their whole width first, the widest (the task text) takes the rest. Lines
break between characters of Chinese text and between words of Latin text,
never inside a number, a date or a file name, and follow the usual rules
of Chinese typesetting (避头尾): a closing mark such as "、" or "）" never
starts a line and an opening one never ends it.

Widths are terminal cells (`rich.cells.cell_len`: a Chinese character is
two). Output is plain strings; colour, where allowed, is a bare ANSI code
around a cell's text, so a table of 10,000 rows renders in a blink. Every
cell and title goes through `terminal_safe` before it is measured: a control
or bidi character a user typed is shown as its escape, never obeyed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len

from lanxi_cli.render.terminal import terminal_safe

# 避头尾: marks that may not start a line, and marks that may not end one.
CLOSING = frozenset("、。，．；：？！）］｝」』】〕〉》”’％…—・·ー々〜～")
OPENING = frozenset("（［｛「『【〔〈《“‘")
# ASCII brackets always count as marks; other ASCII punctuation only where it stands
# alone, after Chinese text or a space: inside a number it belongs to it ("5.1", "0.85").
ASCII_CLOSING = frozenset("!,.:;?%")
CLOSING |= frozenset(")]}")
OPENING |= frozenset("([{")
GAP = "  "  # between columns
MIN_WRAP = 8  # a wrapping column is never squeezed below this many cells (or its longest word)
RULE = "─"
SEPARATORS = "、；，, "  # between names in a list


@dataclass(slots=True)
class Column:
    header: str
    wrap: bool = False  # may this column's text break over lines?
    grow: bool = False  # the column that takes the spare width first (the task text)
    words: bool | str = False  # names: break only after 、；， or a space (or after these marks), never inside one
    right: bool = False  # numbers: aligned to the right
    width: int = 0  # set by layout


@dataclass(slots=True)
class Grid:
    columns: list[Column]
    title: str = ""
    rows: list[list] = field(default_factory=list)  # each cell: text, or (text, style)
    sections: list[int] = field(default_factory=list)  # row indexes that start a new section
    measured: tuple | None = None  # (natural, least, usual) widths, once all rows are in (see `measure`)

    def add(self, *cells) -> None:
        """One row; each cell a text, or (text, style). Texts are made terminal-safe here."""
        self.rows.append([(terminal_safe(c[0]), c[1]) if isinstance(c, tuple)
                          else terminal_safe("" if c is None else str(c)) for c in cells])

    def section(self) -> None:
        if self.rows:
            self.sections.append(len(self.rows))


def pieces(text: str) -> list[str]:
    """`text` cut where a line may break: each wide character alone, each run of
    narrow non-space characters (a number, a date, a file name, a word) whole,
    each space alone; closing marks stuck to what precedes them, opening marks
    to what follows."""
    out: list[str] = []
    run = ""
    closing = set(CLOSING)
    for char in text:
        alone = not run and char in ASCII_CLOSING
        if char == " " or cell_len(char) > 1 or char in CLOSING or char in OPENING or alone:
            if run:
                out.append(run)
                run = ""
            out.append(char)
            if alone:
                closing.add(char)
        else:
            run += char
    if run:
        out.append(run)
    glued: list[str] = []
    carry = ""
    for piece in out:
        if piece in OPENING or (carry and piece == " "):
            carry += piece
        elif piece in closing and glued and not carry:
            glued[-1] += piece
        else:
            glued.append(carry + piece)
            carry = ""
    if carry:
        glued.append(carry)
    return glued


def names(text: str, separators: str = SEPARATORS) -> list[str]:
    """A list of names cut after each separator (、；， or a space), so no name is
    split; a separator between two digits belongs to its number (2020-09-02, 1,000)."""
    out, run = [], ""
    for i, char in enumerate(text):
        run += char
        inside = char in ",-" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        if char in separators and not (inside and text[i - 1].isascii() and text[i + 1].isascii()):
            out.append(run)
            run = ""
    return [*out, run] if run else out


def _splitter(words: bool | str):
    """How a column's text is cut where a line may break: see `Column.words`."""
    if not words:
        return pieces
    separators = words if isinstance(words, str) else SEPARATORS
    return lambda text: names(text, separators)


def wrap(text: str, width: int, words: bool | str = False) -> list[str]:
    """`text` in lines of at most `width` cells (a piece wider than that is cut).
    `words`: a list of names (True: separated by 、；， or a space; a string: by those marks)."""
    lines: list[str] = []
    split = _splitter(words)
    separators = words if isinstance(words, str) else SEPARATORS
    for paragraph in text.split("\n"):
        if cell_len(paragraph) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0
        for piece in split(paragraph):
            size = cell_len(piece)
            if used + size > width:
                if line.strip():
                    lines.append(line.rstrip())
                line, used = "", 0  # (a line of spaces alone is dropped)
                if piece.isspace():
                    continue
            if words and size > width and cell_len(piece.rstrip(separators)) <= width:
                piece = piece.rstrip(separators)  # a name alone on its line: the break separates it
                size = cell_len(piece)
            while size > width:  # one piece wider than the column: cut it by characters
                head, head_size = "", 0
                for char in piece:
                    if head_size + cell_len(char) > width:
                        break
                    head += char
                    head_size += cell_len(char)
                while len(head) > 1 and (piece[len(head)] in CLOSING or head[-1] in OPENING):  # 避头尾 here too
                    head_size -= cell_len(head[-1])
                    head = head[:-1]
                lines.append(head)
                piece, size = piece[len(head):], size - head_size
            line += piece
            used += size
        lines.append(line.rstrip())
    return lines


def _text(cell) -> str:
    return cell[0] if isinstance(cell, tuple) else ("" if cell is None else str(cell))


def measure(grid: Grid) -> tuple[list[int], list[int], list[int]]:
    """Each column's natural width (its widest line), least width (whole where
    it does not wrap, else its widest piece kept whole, within limits) and usual
    width (what four lines in five need); worked out once, after the last row."""
    if grid.measured is not None:
        return grid.measured
    natural, least, usual = [], [], []
    for i, column in enumerate(grid.columns):
        texts = [column.header, *(_text(row[i]) for row in grid.rows)]
        lines = [line for text in texts for line in text.split("\n")]
        sizes = sorted(cell_len(line) for line in lines)
        full = sizes[-1] if sizes else 0
        natural.append(full)
        usual.append(sizes[len(sizes) * 4 // 5] if sizes else 0)  # what four lines in five need
        if column.wrap:
            split = _splitter(column.words)
            longest = max((cell_len(p) for line in lines for p in split(line) if len(p) > 1), default=0)
            head = max(cell_len(line) for line in column.header.split("\n"))
            least.append(min(full, max(MIN_WRAP, head, min(longest, 24))))
        else:
            least.append(full)
    grid.measured = natural, least, usual
    return grid.measured


def least_width(grid: Grid) -> int:
    """The narrowest the table can be without cutting what it keeps whole."""
    return sum(measure(grid)[1]) + cell_len(GAP) * (len(grid.columns) - 1)


def layout(grid: Grid, width: int) -> None:
    """Set each column's width: whole widths where they fit, else the wrapping
    columns share what is left (narrow ones first, the widest takes the rest)."""
    natural, least, usual = measure(grid)
    spare = width - cell_len(GAP) * (len(grid.columns) - 1) - sum(
        n for n, c in zip(natural, grid.columns, strict=True) if not c.wrap
    )
    for i, column in enumerate(grid.columns):
        column.width = natural[i]
    wrapping = [i for i, c in enumerate(grid.columns) if c.wrap]
    if sum(natural[i] for i in wrapping) <= spare:
        return
    grow = next((i for i in wrapping if grid.columns[i].grow), None)
    others = [i for i in wrapping if i != grow]
    reserved = 0 if grow is None else max(least[grow], min(natural[grow], spare * 3 // 5))
    left = spare - reserved
    for k, i in enumerate(sorted(others, key=lambda i: usual[i])):  # narrow ones first
        share = left // (len(others) - k) if left > 0 else 0
        grid.columns[i].width = max(least[i], min(usual[i], share))
        left -= grid.columns[i].width
    if grow is not None:
        grid.columns[grow].width = max(least[grow], min(natural[grow], reserved + max(0, left)))
        left -= grid.columns[grow].width - reserved
    for i in sorted(others, key=lambda i: natural[i]):  # what the task text left: to the others
        extra = max(0, min(natural[i] - grid.columns[i].width, left))
        grid.columns[i].width += extra
        left -= extra
    if grow is not None and left < 0:  # the others' least widths took more: the task text gives way
        grid.columns[grow].width = max(least[grow], grid.columns[grow].width + left)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - cell_len(text))
    return fill + text if right else text + fill


def render(grid: Grid, width: int, colour: bool = False) -> str:
    """The table as text: title, header, a rule, the rows; no line wider than
    `width` unless the columns' least widths already are."""
    layout(grid, width)
    columns = grid.columns
    out: list[str] = []
    if grid.title:
        out.append(terminal_safe(grid.title))
    heads = [c.header.split("\n") for c in columns]
    depth = max(len(h) for h in heads)
    for k in range(depth):
        cells = [(h[k - depth + len(h)] if k >= depth - len(h) else "") for h in heads]
        out.append(GAP.join(_pad(t, c.width, c.right) for t, c in zip(cells, columns, strict=True)).rstrip())
    out.append(GAP.join(RULE * c.width for c in columns))
    starts = set(grid.sections)
    for r, row in enumerate(grid.rows):
        if r in starts:
            out.append("")
        cells = []
        for cell, column in zip(row, columns, strict=True):
            text, style = (cell if isinstance(cell, tuple) else (_text(cell), ""))
            lines = wrap(text, column.width, column.words) if column.wrap else text.split("\n")
            cells.append((lines, style))
        height = max(len(lines) for lines, _ in cells)
        for k in range(height):
            parts = []
            for (lines, style), column in zip(cells, columns, strict=True):
                line = lines[k] if k < len(lines) else ""
                padded = _pad(line, column.width, column.right)
                if colour and style and line:
                    padded = padded.replace(line, f"\x1b[{style}m{line}\x1b[0m", 1)
                parts.append(padded)
            out.append(GAP.join(parts).rstrip())
    return "\n".join(out) + "\n"
