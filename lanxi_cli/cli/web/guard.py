"""The workbench's gate, in front of every page: the Host header must be the address it is bound
to (no DNS rebinding); where it listens beyond this machine, the access code opens a session
first; every writing request carries the session's token (no cross-site request can write).

Pure ASGI, so it costs no more than a few dictionary look-ups per request."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

COOKIE = "lanxi_session"
READING = frozenset({"GET", "HEAD"})
OPEN_PATHS = ("/static/", "/login")  # reachable before the access code is given
# Wrong access codes allowed in a minute, from every address together: a guesser gets five tries
# a minute (a code chosen by hand may be short), a clerk who mistypes is not locked out for long.
TRIES_PER_MINUTE = 5


def loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass
class Gate:
    """What the workbench is bound to, its access code (None on a loopback address), and its sessions."""

    host: str
    port: int
    code: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    opened: set[str] = field(default_factory=set)  # sessions that gave the access code
    wrong: list[float] = field(default_factory=list)  # monotonic times of the last wrong codes

    def host_allowed(self, header: str) -> bool:
        """The Host a browser sends: the bound address and port. A name (attacker.example that
        resolves here) never passes; bound to every address (0.0.0.0), any address literal does."""
        parts = urlsplit(f"//{header}")
        try:
            port = parts.port or 80
        except ValueError:
            return False
        name = parts.hostname or ""
        if port != self.port:
            return False
        if loopback(self.host):
            return loopback(name)
        if self.host in ("0.0.0.0", "::"):
            return _ip_literal(name)
        return name == self.host.strip("[]").lower()

    def token(self, session: str) -> str:
        """The token a page's forms carry: tied to its session, unknowable without the cookie."""
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def token_valid(self, session: str | None, given: str | None) -> bool:
        return bool(session and given) and hmac.compare_digest(self.token(session), given)

    def code_valid(self, given: str) -> bool:
        return self.code is not None and hmac.compare_digest(given.strip().encode(), self.code.encode())

    def locked(self, now: float | None = None) -> bool:
        """Too many wrong codes in the last minute: no code is even compared until it has passed."""
        now = time.monotonic() if now is None else now
        self.wrong[:] = [t for t in self.wrong if now - t < 60]
        return len(self.wrong) >= TRIES_PER_MINUTE

    def note_wrong(self, now: float | None = None) -> None:
        self.wrong.append(time.monotonic() if now is None else now)


def session_of(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no session
                return None
            if COOKIE in jar and len(jar[COOKIE].value) == 43:
                return jar[COOKIE].value
    return None


def header(scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1")
    return None


class Guard:
    """ASGI middleware: refuses a foreign Host, a foreign Origin on a write, and (with an access
    code) any page of a session that has not given it. Every response is marked: no framing, no
    referrer, no script but lanxi's own (the pages have none)."""

    def __init__(self, app, gate: Gate, refuse):
        self.app, self.gate, self.refuse = app, gate, refuse  # refuse(status, sentence) → an ASGI app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        gate = self.gate
        if not gate.host_allowed(header(scope, b"host") or ""):
            return await self.refuse(421, "拒绝访问：请求的地址不是本工作台的地址（请用启动时显示的网址打开）")(
                scope, receive, send)
        writing = scope["method"] not in READING
        origin = header(scope, b"origin")
        if writing and origin is not None and not gate.host_allowed(urlsplit(origin).netloc):
            return await self.refuse(403, "拒绝：这个请求来自别的网站，没有写入任何内容")(scope, receive, send)
        session = session_of(scope)
        fresh = None
        if session is None:
            if writing:
                return await self.refuse(403, "拒绝：请求没有带上本工作台的会话（请先打开工作台页面再提交），"
                                              "没有写入任何内容")(scope, receive, send)
            session = fresh = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["session"] = session
        if gate.code is not None and session not in gate.opened and not scope["path"].startswith(OPEN_PATHS):
            if writing:
                return await self.refuse(403, "拒绝：请先输入访问码，没有写入任何内容")(scope, receive, send)
            return await _redirect("/login")(scope, receive, send, fresh)

        started = False

        async def marked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                headers += [
                    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"cache-control", b"no-store"),
                    (b"content-security-policy", b"default-src 'self'; script-src 'none'; "
                                                 b"style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                                 b"frame-ancestors 'none'; form-action 'self'"),
                ]
                if fresh is not None:
                    headers.append((b"set-cookie", _cookie(fresh)))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, marked)
        except Exception as exc:  # the page (Chinese) is sent by the app's handler; the console gets one line
            import sys

            sys.stderr.write(f"工作台内部错误：{type(exc).__name__}: {exc}\n")
            if not started:
                await self.refuse(500, "工作台出错了，这次操作没有完成；请重试，或改用命令行")(scope, receive, send)


def _cookie(session: str) -> bytes:
    return f"{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict".encode()


def _redirect(location: str):
    async def app(scope, receive, send, fresh=None):
        headers = [(b"location", location.encode()), (b"content-length", b"0"), (b"cache-control", b"no-store")]
        if fresh is not None:
            headers.append((b"set-cookie", _cookie(fresh)))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    return app
