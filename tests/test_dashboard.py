"""lanxi dashboard: one self-contained page, checked in a real headless Chromium.

Chromium (Debian's package; installed when absent, as root) is driven over the
DevTools protocol on a pipe: it loads the file, records every request the page
makes, reads the page's visible text and takes a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import zlib

import pytest
from scenario import AS_OF, write_reports


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    import shutil

    from conftest import SHIPPED, run_lanxi

    root = tmp_path_factory.mktemp("dashboard")
    data = root / "data"
    (data / "reports").mkdir(parents=True)
    for name in ("plan.yaml", "tasks.yaml"):
        shutil.copy(SHIPPED / name, data / name)
    write_reports(data)
    out = root / "看板.html"
    result = run_lanxi("dashboard", "-o", str(out), "--data", str(data), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}\n"
    status = run_lanxi("status", "--data", str(data), "--as-of", AS_OF, "--format", "json")
    behind = [u["unit"] for u in json.loads(status.stdout)["units"] if u["overdue"]]
    return out, behind


def test_the_page_names_no_outside_resource(page):
    text = page[0].read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", text, re.I) and "@import" not in text


class DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, chromium: str, profile):
        self.cmd_r, self.cmd_w = os.pipe()
        self.res_r, self.res_w = os.pipe()
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "about:blank"]
        shell = f'exec "$0" "$@" 3<&{self.cmd_r} 4>&{self.res_w} {self.cmd_r}<&- {self.res_w}>&-'
        self.proc = subprocess.Popen(["bash", "-c", shell, chromium, *args], pass_fds=(self.cmd_r, self.res_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.cmd_r)
        os.close(self.res_w)
        self.buffer, self.next_id, self.events = b"", 0, []

    def _read(self) -> dict:
        while b"\0" not in self.buffer:
            chunk = os.read(self.res_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def close(self):
        with contextlib.suppress(RuntimeError, OSError, AssertionError):
            self.call("Browser.close")
        self.proc.wait(timeout=30)
        os.close(self.cmd_w)
        os.close(self.res_r)


def ink(png: bytes) -> float:
    """The share of pixel bytes in a PNG that are not white (0xFF): 0 for a blank page."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(data)
    return sum(1 for b in pixels[::7] if b != 0xFF) / len(pixels[::7])


@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    from debian import ensure, ensure_chinese_fonts

    chromium = ensure("chromium", "chromium")
    ensure_chinese_fonts()
    tools = DevTools(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            tools.call(f"{domain}.enable", session)
        tools.call("Emulation.setDeviceMetricsOverride", session, width=1280, height=900, deviceScaleFactor=1,
                   mobile=False)
        url = page[0].as_uri()
        tools.call("Page.navigate", session, url=url)
        tools.wait_for("Page.loadEventFired")
        text = tools.call("Runtime.evaluate", session, expression="document.body.innerText",
                          returnByValue=True)["result"]["value"]
        shot = base64.b64decode(tools.call("Page.captureScreenshot", session, format="png")["data"])
        requests = [e["params"]["request"]["url"] for e in tools.events
                    if e.get("method") == "Network.requestWillBeSent"]
        yield {"url": url, "text": text, "screenshot": shot, "requests": requests}
    finally:
        tools.close()


def test_no_request_leaves_the_page(browser):
    assert browser["requests"] == [browser["url"]]  # the page itself, and nothing else


def test_the_screenshot_is_not_blank(browser, page):
    (page[0].parent / "看板.png").write_bytes(browser["screenshot"])  # for a person to look at
    assert ink(browser["screenshot"]) > 0.05


def test_the_visible_text_names_every_overdue_unit(browser, page):
    text, behind = browser["text"], page[1]
    assert len(behind) == 31
    overdue = text.split("四、逾期事项", 1)[1].split("五、", 1)[0]
    for unit in behind:
        assert unit in overdue, unit
    assert "全面推进阶段" in text and "距活动结束还有 107 天" in text
    for legend in ("X已逾期", "!即将到期", "+已完成"):
        assert legend in text.replace(" ", "").replace("\n", "").replace("\t", "")


def test_the_charts_are_drawn(browser, page):
    html = page[0].read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # two ranking groups with more than one unit, and the curve
    assert "应完成（已到期）" in browser["text"] or "应完成（已到期）" in html
