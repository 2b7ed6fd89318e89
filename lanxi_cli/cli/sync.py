"""`sync`: sharing records with the other hands through the shared repository."""

from __future__ import annotations

import typer

from lanxi_cli.cli.common import DataOpt


def sync(data: DataOpt = None) -> None:
    """与共享仓库同步：取回别人的记录，把本地的提交推送上去。"""
    from lanxi_cli.io import locate
    from lanxi_cli.io import sync as syncing

    outcome = syncing.sync(locate.find_data_dir(data))
    if not outcome.fetched and not outcome.pushed:
        typer.echo(f"已是最新：与 {outcome.upstream} 一致，无需同步。")
    else:
        typer.echo(f"已同步：取回 {outcome.fetched} 个提交，推送 {outcome.pushed} 个提交（{outcome.upstream}）。")
