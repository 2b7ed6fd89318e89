"""`lanxi serve`: the workbench in a browser (lanxi_cli.cli.web), on this machine only unless --host."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from lanxi_cli.cli.common import AsOfOpt, DataOpt, today
from lanxi_cli.errors import UsageError

CODE_ENV = "LANXI_SERVE_CODE"


def serve(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口")] = 8750,
    host: Annotated[str | None, typer.Option(
        "--host", metavar="地址",
        help="允许别的电脑访问时监听的地址（如 0.0.0.0）；此时须输入启动时显示的访问码（或环境变量 LANXI_SERVE_CODE）")]
    = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """工作台：在浏览器里看进展、记录报告、销号、审批延期和不适用、下载通报和台账。

    默认只有本机能访问（127.0.0.1）；每次写入都经过与命令行相同的检查，并提交到 git。按 Ctrl-C 停止。
    """
    import socket

    from lanxi_cli.cli.web.guard import Gate, loopback
    from lanxi_cli.io import locate

    day = today(as_of) if as_of else None  # a bad date is a usage error before anything starts
    data_dir = locate.find_data_dir(data)
    from lanxi_cli.store import snapshot

    snapshot.load(data_dir, day or today(None))  # a broken data folder is said here, not on the first page
    address = host or "127.0.0.1"
    code = None
    if not loopback(address):
        code = os.environ.get(CODE_ENV, "").strip() or _new_code()
        if len(code) < 6:
            raise UsageError(f"访问码（{CODE_ENV}）至少要 6 个字符")
    try:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address.strip("[]"), port))
    except OSError as exc:
        from lanxi_cli.errors import os_reason

        raise UsageError(f"无法在 {address}:{port} 上启动工作台（{_bind_reason(exc) or os_reason(exc)}）；"
                         "可用 --port 换一个端口") from None
    shown = f"[{address}]" if ":" in address else address
    url = f"http://{'127.0.0.1' if address in ('0.0.0.0', '::') else shown}:{port}/"
    say = typer.echo
    say(f"兰溪工作台已启动：{url}")
    say(f"数据目录：{locate.display_path(data_dir, data_dir.parent)}（{data_dir}）")
    if code:
        say(f"访问码：{code}（别的电脑打开工作台时须输入；只告诉需要的人）")
    say("按 Ctrl-C 停止（正在进行的保存会先完成）。")
    _run(sock, data_dir, day, Gate(address, port, code), url, not no_browser)


def _new_code() -> str:
    import secrets

    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed from a screen
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _bind_reason(exc: OSError) -> str | None:
    import errno

    return {errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "本机没有这个地址"}.get(exc.errno)


def _run(sock, data_dir, day, gate, url: str, browser: bool) -> None:
    """Serve until Ctrl-C: uvicorn lets a request in flight finish (a write completes, or was never
    begun: each is one file written whole, then committed) before it stops."""
    try:
        import uvicorn

        from lanxi_cli.cli.web.app import build
    except ImportError as exc:
        raise UsageError(f"工作台所需的组件 {exc.name} 没有安装：请按 README 的安装命令重新安装 lanxi") from None

    config = uvicorn.Config(build(data_dir, day, gate), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=30, server_header=False)
    server = uvicorn.Server(config)
    if browser:
        import threading
        import webbrowser

        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn raises the Ctrl-C again once every request has finished: the normal stop
        pass
    finally:
        sock.close()
    sys.stderr.write("工作台已停止。\n")
