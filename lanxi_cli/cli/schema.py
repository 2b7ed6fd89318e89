"""`schema`: the JSON Schema of each kind of data file."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class SchemaKind(StrEnum):  # io.schema.KINDS (tested equal), named here so no module loads before a command runs
    plan = "plan"
    tasks = "tasks"
    report = "report"
    review = "review"
    extension = "extension"
    exemption = "exemption"
    indicator = "indicator"
    measure = "measure"
    withdrawal = "withdrawal"
    liaisons = "liaisons"
    removal = "removal"
    receipt = "receipt"
    liaison = "liaison"
    notice = "notice"


def schema(
    kind: Annotated[SchemaKind, typer.Argument(
        help="哪种文件：plan tasks report，或一种记录 review extension exemption indicator measure withdrawal "
             "notice liaison（data/liaisons/ 中的一条） removal receipt，或 liaisons（旧的 liaisons.yaml）")],
) -> None:
    """打印数据文件的 JSON Schema（格式说明），供编辑器边写边检查（见 README.md）。"""
    import sys

    from lanxi_cli.io.schema import schema as make
    from lanxi_cli.render.tables import json_text

    sys.stdout.write(json_text(make(kind.value)))
