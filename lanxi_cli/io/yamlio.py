"""YAML in and out, safely, with every fault named by FILE:LINE.

YAML is read with libyaml's CSafeLoader (pure-Python SafeLoader where libyaml
is missing), with three changes: dates stay strings (pydantic parses them, so
2020-02-30 becomes a clear error instead of a crash), duplicate keys are
refused, and anchors/aliases are refused (no alias bombs; data needs none).
Only the commands that read or write YAML import this module: a warm start
served from the cache never loads yaml.
"""

from __future__ import annotations

import os
import re

import yaml

from lanxi_cli.core.domain import CONTROL  # one rule for records, written or read
from lanxi_cli.errors import DataError, Problem, os_reason

MAX_DEPTH = 64
_EVENT_SCAN_BYTES = 4096  # above this, check nesting depth before composing

# what YAML allows in a file (YAML 1.1 "printable"): the rest is named, by line
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader: no timestamps, no duplicate keys, no aliases."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    _plain_tags: dict[str, str] = {}  # plain scalar → its implicit tag; reports repeat their values

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:  # then the tag depends on the value alone
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._plain_tags) < 65536:
                    self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "不支持 YAML 锚点和别名（&、*）", node.start_mark
            )
        if node.tag not in _PLAIN_TAGS:  # !!binary, !!set, !!timestamp…: data is text, numbers, lists, mappings
            raise yaml.constructor.ConstructorError(
                None, None, f"不允许的 YAML 标签 {_tag_name(node.tag)}（lanxi 只读普通的文字、数字、列表和键值）",
                node.start_mark,
            )
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # a 5000-digit number
            raise yaml.constructor.ConstructorError(None, None, _unreadable(exc), node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"重复的键“{key_node.value}”", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq"))
MAX_DIGITS = 100  # a number written with more digits than this is no count, rate or year


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _unreadable(exc: Exception) -> str:
    if "digits" in str(exc):
        return "数字位数过多，无法读取"
    return f"无法读取的值（{exc}）"


# ---- reading YAML ------------------------------------------------------------


def read_text(path: str | os.PathLike, limit: int, file: str | None = None, root: os.PathLike | None = None) -> str:
    """The file as text: UTF-8 (a BOM is fine), or a clear DataError. Only a
    regular file is read, at most `limit` bytes; with `root` (the data
    folder), not through a symlink leading out of it (locate.read_regular)."""
    from lanxi_cli.io.locate import read_regular

    file = file or str(path)
    try:
        raw = read_regular(path, limit, root)  # a FIFO or device would block or never end: refused
    except ValueError as exc:
        raise DataError.at(file, None, str(exc)) from None
    except OSError as exc:
        raise DataError.at(file, None, f"无法读取（{os_reason(exc)}）") from None
    if len(raw) > limit:
        raise DataError.at(file, None, f"文件过大（超过 {limit // 1024} KB），不像是 lanxi 的数据文件")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "，看起来是 GBK/GB18030 编码；请用编辑器另存为 UTF-8"
        except UnicodeDecodeError:
            pass
        raise DataError.at(file, line, f"文件不是 UTF-8 编码{hint}") from None
    bad = _UNPRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError.at(file, line, f"含有不允许的控制字符 U+{ord(bad[0]):04X}；请删去")
    return text


def _mark_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


# libyaml's words for the usual slips → ours (matched by their start)
_YAML_PROBLEMS = {
    "could not determine a constructor for the tag": "不允许的 YAML 标签（lanxi 只读普通数据）：",
    "did not find expected key": "缩进不对，或缺少“键:”",
    "did not find expected ',' or '}'": "花括号 { } 里缺少逗号或右括号",
    "did not find expected ',' or ']'": "方括号 [ ] 里缺少逗号或右括号",
    "did not find expected '-' indicator": "缩进不对：同一列表的各项应以“- ”开头并对齐",
    "did not find expected node content": "此处缺少值",
    "mapping values are not allowed": "此处不能出现“键: 值”（缩进不对，或值里的冒号需加引号）",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合？）",
    "found character that cannot start any token": "有不能作为开头的字符（Tab 缩进？以 @ 或 ` 开头的值需加引号）",
    "found a tab character that violates indentation": "用了 Tab 缩进；请改用空格",
    "could not find expected ':'": "缺少冒号“:”",
    "found unknown escape character": "双引号里有无效的转义（\\ 之后）；可改用单引号",
    "control characters are not allowed": "含有不允许的控制字符",
    "expected a single document": "文件里只能有一个 YAML 文档（去掉多余的 ---）",
    "exceeded maximum nesting depth": "嵌套层数过多，拒绝读取",  # libyaml ≥ 0.2.6 stops at its own limit
}


def _yaml_error(file: str, exc: yaml.YAMLError) -> DataError:
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.constructor.ConstructorError) and not problem.startswith("could not"):
        return DataError.at(file, _mark_line(exc), problem)  # already ours: alias, duplicate key, value
    start = getattr(exc, "context_mark", None)
    line = _mark_line(exc)
    for prefix, ours in _YAML_PROBLEMS.items():
        if problem.startswith(prefix):
            problem, context = ours + problem.removeprefix(prefix).strip(), None
            if start is not None and start.line + 1 != line:
                problem += f"（从第 {start.line + 1} 行开始的部分）"
            break
        if context and context.startswith(prefix):
            problem, context = ours, None
            break
    message = f"YAML 格式错误：{problem}" + (f"（{context}）" if context else "")
    return DataError.at(file, line, message)


def _prescan(text: str, file: str) -> None:
    """Refuse deep nesting and anchors before libyaml's recursive composer sees them.

    Events come one at a time, so this runs in bounded memory whatever the text;
    the first anchor or alias is named on its own line.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                line = event.start_mark.line + 1
                raise DataError.at(file, line, "不支持 YAML 锚点和别名（&、*）；请把内容直接写出")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise DataError.at(file, line, f"嵌套层数过多（超过 {MAX_DEPTH} 层），拒绝读取")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(file, exc) from None


def parse(text: str, file: str, lines: bool = False):
    """YAML text → data, or (data, {path: line}) with lines=True."""
    if len(text) > _EVENT_SCAN_BYTES or "&" in text or "*" in text:
        _prescan(text, file)
    loader = Loader(text)
    try:
        if not lines:
            node = loader.get_single_node()
            if node is None:
                return None
            flat = _flat(loader, node) if "&" not in text else None  # no anchor, so no alias
            return flat if flat is not None else loader.construct_document(node)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, _line_map(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(file, exc) from None
    finally:
        loader.dispose()


_STR = "tag:yaml.org,2002:str"
_FLAT_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))


def _flat(loader, node) -> dict | None:
    """A mapping of plain scalars to plain scalars (a report as the tool writes
    it) → the dict SafeConstructor would build, without its per-node
    bookkeeping; None for anything else, left to the loader."""
    if type(node) is not yaml.MappingNode:
        return None
    constructors, scalar, out = loader.yaml_constructors, yaml.ScalarNode, {}
    for key_node, value_node in node.value:
        if (
            type(key_node) is not scalar or type(value_node) is not scalar
            or key_node.tag not in _FLAT_TAGS or value_node.tag not in _FLAT_TAGS
        ):
            return None
        tag = key_node.tag
        key = key_node.value if tag == _STR else constructors[tag](loader, key_node)
        if key in out:  # a duplicate: the loader names it
            return None
        tag = value_node.tag
        if tag != _STR and len(value_node.value) > MAX_DIGITS:  # a number too long: the loader names it
            return None
        out[key] = value_node.value if tag == _STR else constructors[tag](loader, value_node)
    return out


def _line_map(root) -> dict[tuple, int]:
    """Map each path (keys and list indexes) in the document to its 1-based line."""
    lines: dict[tuple, int] = {}
    stack = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), item) for i, item in enumerate(node.value))
    return lines


def dotted(path: tuple) -> str:
    """A path into a document as the user reads it: units.3.name."""
    return ".".join(str(part) for part in path) if path else "（文件）"


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of the deepest part of `path` found in the document."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())




def may_hold_controls(text: str) -> bool:
    """Whether a value parsed from this YAML text can hold a CONTROL character:
    only if the text holds one itself or may write one as an escape (a
    backslash, in double quotes). A CRLF line end never reaches a value (YAML
    reads it as a line break), so it does not count. One scan of the text;
    control_problems need walk the values only where this says yes."""
    if "\\" in text:
        return True
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return CONTROL.search(text) is not None


def control_problems(data, file: str, lines: dict[tuple, int]) -> list[Problem]:
    """A problem for each text value holding a control character, such as an
    escape written \\e in quotes that would drive the terminal when shown."""
    found, stack = [], [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            bad = CONTROL.search(value)
            if bad:
                message = f"{dotted(path)}: 含有控制字符 U+{ord(bad[0]):04X}；请删去"
                found.append(Problem(file, line_of(lines, path), message))
        elif isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return sorted(found, key=lambda p: p.line or 0)


# ---- writing -----------------------------------------------------------------


def record_document(record) -> str:
    """A record as the YAML a human can read and edit: its fields in the
    dataclass's order, Chinese unescaped, empty fields left out. Dates are
    written bare (2020-09-20)."""
    from lanxi_cli.core.domain import stored_fields

    names = tuple(type(record).__dataclass_fields__)
    fields = {key: getattr(record, key) for key in (stored_fields(type(record)) if "file" in names else names)}
    data = {k: _plain(v) for k, v in fields.items() if v not in (None, "", ())}
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096
    )


def _plain(value):
    """A field's value as YAML holds it: tuples as lists, a nested record (a notice's items) as a
    mapping of all its fields in order."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


class _Dumper(yaml.SafeDumper):
    """Safe dumper writing multi-line text as a literal block (`note: |-`).

    The emitter falls back to a quoted scalar where a block cannot hold the
    text exactly (trailing spaces, tabs, \r), so text always round-trips."""


def _represent_str(dumper, text: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_str)

