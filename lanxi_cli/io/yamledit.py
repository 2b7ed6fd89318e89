"""Edits of plan.yaml and tasks.yaml that change one entry and leave every
other byte as it was: comments, blank lines, quoting, order, indentation.

Not a round trip through a YAML library (which re-emits the whole file in its
own layout): the file is composed once to find where each node starts and
ends, and the new text is spliced in there. A new value is written in flow
style on one line, as lanxi writes these files.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml


def flow(value) -> str:
    """One YAML value on one line (flow style), as the loader reads it back."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1 << 20)
    return text.removesuffix("\n...\n").rstrip("\n")


def _end(node) -> int:
    """Where a node's own text ends: a block collection's end mark lies at the
    next token (after blank lines and comments), so take its last child's."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    return node.end_mark.index


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just past the newline ending the line `index` is on (or the text's end)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


@dataclass
class Document:
    """A YAML file's text and its composed node tree, edited in place."""

    text: str

    def __post_init__(self) -> None:
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)

    def _splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)

    # ---- finding nodes ---------------------------------------------------------------

    @staticmethod
    def pair(mapping, key: str):
        """(key node, value node) of `key` in a mapping node, or None."""
        return next(((k, v) for k, v in mapping.value if k.value == key), None)

    def top(self, key: str):
        found = self.pair(self.root, key) if isinstance(self.root, yaml.MappingNode) else None
        return found[1] if found else None

    def item(self, sequence, index: int):
        return sequence.value[index]

    # ---- edits -------------------------------------------------------------------------

    def set_key(self, mapping, key: str, value, after: str | None = None) -> None:
        """Set `key` of a block mapping to `value`: in place where the key is,
        else on a new line after the key `after` (else after the last key)."""
        found = self.pair(mapping, key)
        if found is not None:
            knode, vnode = found
            start = self.text.index(":", knode.end_mark.index)
            self._splice(start, _end(vnode), f": {flow(value)}")
            return
        if mapping.flow_style:
            raise ValueError("flow mapping")
        anchor = self.pair(mapping, after) if after else None
        anchor = anchor or mapping.value[-1]
        column = anchor[0].start_mark.column
        at = _line_end(self.text, _end(anchor[1]) - 1) if _end(anchor[1]) > 0 else 0
        self._splice(at, at, f"{' ' * column}{key}: {flow(value)}\n")

    def drop_key(self, mapping, key: str) -> None:
        """Remove `key` and its value (their own lines) from a block mapping."""
        found = self.pair(mapping, key)
        if found is None:
            return
        if mapping.flow_style:
            raise ValueError("flow mapping")
        knode, vnode = found
        self._splice(_line_start(self.text, knode.start_mark.index), _line_end(self.text, _end(vnode) - 1), "")

    def replace(self, node, value) -> None:
        """A node's text replaced by `value` in flow style (one sequence item, say)."""
        self._splice(node.start_mark.index, _end(node), flow(value))

    def append(self, sequence, value, parent=None, key: str | None = None) -> None:
        """Add an item at the end of a sequence: a line like its last item's,
        or, in an empty flow sequence (`units: []`), a first block item."""
        if sequence.value and not sequence.flow_style:
            last = sequence.value[-1]
            dash = self.text.rfind("-", 0, last.start_mark.index)
            column = dash - _line_start(self.text, dash)
            at = _line_end(self.text, _end(last) - 1)
            self._splice(at, at, f"{' ' * column}- {flow(value)}\n")
            return
        if sequence.value:  # a non-empty flow sequence: one more item inside it
            self._splice(sequence.end_mark.index - 1, sequence.end_mark.index - 1, f", {flow(value)}")
            return
        column = parent and self.pair(parent, key)[0].start_mark.column or 0
        self._splice(sequence.start_mark.index, sequence.end_mark.index,
                     f"\n{' ' * (column + 2)}- {flow(value)}")

    def remove(self, sequence, index: int) -> None:
        """Remove one item of a block sequence (its own lines); an emptied
        sequence becomes `[]`."""
        item = sequence.value[index]
        if sequence.flow_style:
            items = [yaml.safe_load(self.text[n.start_mark.index:_end(n)]) for n in sequence.value]
            del items[index]
            self._splice(sequence.start_mark.index, sequence.end_mark.index, flow(items))
            return
        dash = self.text.rfind("-", 0, item.start_mark.index)
        start, end = _line_start(self.text, dash), _line_end(self.text, _end(item) - 1)
        if len(sequence.value) == 1:
            colon = self.text.rfind(":", 0, dash)
            self._splice(colon, end, ": []\n")
        else:
            self._splice(start, end, "")
