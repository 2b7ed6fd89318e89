"""One YAML file read, parsed and validated into a domain type, every fault
named by file and line; and the size limits readers accept (writers check
them too, so nothing is written that cannot be read back). Below `load`,
`liaisons` and `save`, which all use it; it imports none of them."""

from __future__ import annotations

from pathlib import Path

from lanxi_cli.errors import DataError, Problem

MAX_PLAN_BYTES = 5 * 1024 * 1024


MAX_REPORT_BYTES = 256 * 1024


_MESSAGES = {
    "missing": "缺少必填字段",
    "missing_argument": "缺少必填字段",
    "unexpected_keyword_argument": "未知字段",
    "extra_forbidden": "未知字段",
    "literal_error": "应为以下之一：{expected}",
    "date_from_datetime_parsing": "不是有效日期（应为 YYYY-MM-DD 的真实日期）",
    "date_parsing": "不是有效日期（应为 YYYY-MM-DD 的真实日期）",
    "date_type": "应为日期 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD",
    "date_future": "不应晚于今天",
    "finite_number": "应为有限的数",
    "float_finite_number": "应为有限的数",
    "union_tag_invalid": "类型无效",
    "value_error": "值无效",
    "set_type": "应为列表",
    "frozen_set_type": "应为列表",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_too_long": "至多 {max_length} 个字",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "dataclass_type": "应为键值映射",
    "dataclass_exact_type": "应为键值映射",
    "predicate_failed": "应为 64 位小写十六进制的 SHA-256 摘要",  # the one predicate: domain.is_digest
}


def _message(error: dict) -> str:
    template = _MESSAGES.get(error["type"])
    if template is None:  # a kind of fault not translated yet: say so in Chinese, keep pydantic's words
        return f"值无效（{error['msg']}）"
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template


_ADAPTERS: dict = {}


def adapter(kind):
    """The pydantic validator of `kind`, built once (tests count its uses)."""
    found = _ADAPTERS.get(kind)
    if found is None:
        from pydantic import TypeAdapter

        from lanxi_cli.core.domain import schema_names

        schema_names()  # the constraint names the domain's annotations use
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found


def validate(kind, data, file: str, lines: dict[tuple, int] | None):
    """data → an instance of `kind`, or (None, problems)."""
    from pydantic import ValidationError

    from lanxi_cli.io import yamlio

    try:
        return adapter(kind).validate_python(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = yamlio.line_of(lines, loc) if lines else None
            problems.append(Problem(file, line, f"{yamlio.dotted(loc)}: {_message(error)}"))
        return None, problems


def load_document(path: Path, kind, limit: int, display: str | None = None, root: Path | None = None):
    """Read, parse and validate one file: (instance, lines, problems)."""
    from lanxi_cli.io import yamlio

    file = display or str(path)
    try:
        data, lines = yamlio.parse(yamlio.read_text(path, limit, file, root), file, lines=True)
    except DataError as exc:
        return None, {}, exc.problems
    value, problems = validate(kind, data, file, lines)
    return value, lines, problems + yamlio.control_problems(data, file, lines)
