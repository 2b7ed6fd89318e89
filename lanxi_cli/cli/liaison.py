"""`unit liaison`: recording a unit's liaison."""

from __future__ import annotations

from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, NoCommitOpt, complete_unit, open_session, publish, recorded_now


def liaison(
    name: Annotated[str, typer.Argument(metavar="NAME", shell_complete=complete_unit, help="单位名称或别名")],
    person: Annotated[str, typer.Option("--name", help="联络员姓名")],
    phone: Annotated[str, typer.Option("--phone", help="电话：11位手机号，或带区号的固定电话")] = "",
    no_commit: NoCommitOpt = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """备案单位联络员：在 data/liaisons/ 写入一份记录（覆盖 plan.yaml 中的联络员）并提交到 git。"""
    from lanxi_cli.core import liaisons
    from lanxi_cli.io import liaisons as liaison_files

    session = open_session(data, as_of)
    unit = session.unit(name)
    record = liaisons.make_record(unit, person, phone, session.as_of, recorded_now("microseconds"))
    path = liaison_files.save(session.data_dir, record)
    publish(session.data_dir, path, f"联络员：{unit} {record.name} {record.phone}".rstrip(), no_commit, "联络员备案")
