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
    (data / "reports" / "blocked.yaml").write_text(
        "task: '5.1'\nunit: 黄湖村\ndate: 2020-09-12\nstatus: blocked\nnote: 辖区内无客运企业\n", encoding="utf-8")
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


# What the page shows, as the browser computed it: the ranking rows, the legend's colours and marks,
# the page's background, the matrix's column heads and cells.
SEEN = """JSON.stringify({
  ranking: [...document.querySelectorAll('table.ranking tr[data-unit]')].map(r => ({
    unit: r.dataset.unit, rank: r.cells[0].innerText, light: r.querySelector('[data-light]').dataset.light,
    word: r.cells[4].innerText})),
  legend: [...document.querySelectorAll('.legend [data-state]')].map(s => ({
    state: s.dataset.state, mark: s.querySelector('i').innerText,
    colour: getComputedStyle(s.querySelector('i')).backgroundColor})),
  background: getComputedStyle(document.body).backgroundColor,
  heads: [...document.querySelectorAll('table.matrix th.task')].map(h => h.innerText.replace(/\\s+/g, ' ')),
  cells: [...document.querySelectorAll('table.matrix td[class^=state-]')].map(c => ({
    state: c.className.slice(6), mark: c.innerText, colour: getComputedStyle(c).backgroundColor})),
})"""


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
        seen = json.loads(tools.call("Runtime.evaluate", session, expression=SEEN, returnByValue=True)
                          ["result"]["value"])
        shot = base64.b64decode(tools.call("Page.captureScreenshot", session, format="png")["data"])
        requests = [e["params"]["request"]["url"] for e in tools.events
                    if e.get("method") == "Network.requestWillBeSent"]
        yield {"url": url, "text": text, "screenshot": shot, "requests": requests, **seen}
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
    overdue = text.split("五、逾期事项", 1)[1].split("六、", 1)[0]
    for unit in behind:
        assert unit in overdue, unit
    assert "全面推进阶段" in text and "距活动结束还有 107 天" in text
    for legend in ("X已逾期", "!即将到期", "+已完成"):
        assert legend in text.replace(" ", "").replace("\n", "").replace("\t", "")


def test_the_charts_are_drawn(browser, page):
    html = page[0].read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # two ranking groups with more than one unit, and the curve
    assert "应完成（已到期）" in browser["text"] or "应完成（已到期）" in html


# ---- ranking, lights, palette, marks ------------------------------------------------------


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(c):
        lin = [v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_ranking_and_its_lights_are_the_assessments(browser, page):
    from conftest import run_lanxi

    data = page[0].parent / "data"
    rows = json.loads(run_lanxi("assess", "--data", str(data), "--as-of", AS_OF, "--format", "json").stdout)
    shown = browser["ranking"]
    assert [(r["unit"], r["rank"]) for r in shown] == [(r["unit"], str(r["rank"] or "—")) for r in rows]
    words = {"red": "● 红灯", "yellow": "◐ 黄灯", "green": "○ 绿灯"}  # a mark and a word besides the colour
    for seen, row in zip(shown, rows, strict=True):
        assert seen["light"] == row["light"] and seen["word"] == words[row["light"]], seen


def test_every_state_has_a_colour_of_3_to_1_against_the_page_and_a_mark_of_its_own(browser):
    from lanxi_cli.render.words import STATE_MARKS, STATE_ORDER

    legend = {item["state"]: item for item in browser["legend"]}
    assert list(legend) == list(STATE_ORDER)
    page = rgb(browser["background"]) if "0, 0, 0, 0" not in browser["background"] else (255, 255, 255)
    for state, item in legend.items():
        assert contrast(rgb(item["colour"]), page) >= 3, state
        assert item["mark"] == STATE_MARKS[state] and item["mark"].strip(), state
    assert len({item["mark"] for item in legend.values()}) == len(legend)  # no two states share a mark
    assert browser["cells"]
    for cell in browser["cells"]:  # each cell as its legend says: the same mark, the same colour
        assert (cell["mark"], cell["colour"]) == (legend[cell["state"]]["mark"], legend[cell["state"]]["colour"])


def test_the_palette_is_told_apart_with_each_colour_vision_deficiency():
    """Every two states' colours stay apart (CIELAB distance ≥ 15) for normal vision and as seen
    with protanopia, deuteranopia and tritanopia (Machado, Oliveira and Fernandes 2009, severity 1)."""
    import itertools
    import math

    from lanxi_cli.render.words import STATE_INKS

    simulate = {
        "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
        "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
        "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
    }

    def lab(hex_colour: str, matrix=None) -> tuple[float, ...]:
        c = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        if matrix:
            c = [min(1.0, max(0.0, sum(m * v for m, v in zip(row, c, strict=True)))) for row in matrix]
        x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047
        y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
        z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883
        f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
        return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])

    for vision, matrix in (("normal", None), *simulate.items()):
        for (a, ca), (b, cb) in itertools.combinations(STATE_INKS.items(), 2):
            assert math.dist(lab(ca, matrix), lab(cb, matrix)) >= 15, (vision, a, b)


def test_the_matrix_is_headed_by_the_tasks_labels(browser):
    from conftest import SHIPPED

    from lanxi_cli.core.domain import task_label
    from lanxi_cli.io import load, locate

    book = load.load_book(locate.find_data_dir(str(SHIPPED)))
    assert browser["heads"] == [task_label(t) for t in book.tasks]
    assert "1.1 制定方案" in browser["heads"]


def test_blocked_items_and_measures_are_shown(browser, page):
    from conftest import run_lanxi

    text = browser["text"]
    blocked = text.split("六、受阻事项", 1)[1].split("七、", 1)[0]
    assert "黄湖村" in blocked and "5.1 交通运输培训" in blocked and "辖区内无客运企业" in blocked
    measures = text.split("七、督办措施", 1)[1].split("八、", 1)[0].splitlines()
    rows = json.loads(run_lanxi("assess", "--data", str(page[0].parent / "data"), "--as-of", AS_OF,
                                "--format", "json").stdout)
    proposed = [(r["unit"], r["measure"]) for r in rows if r["measure"]]
    assert "尚未记录已采取的督办措施" in "".join(measures)
    proposed_rows = measures[measures.index("建议提请的督办措施："):]
    assert proposed and [tuple(line.split("\t")[:2]) for line in proposed_rows if "\t" in line][1:] == proposed


def test_a_recurring_tasks_cell_is_its_current_occurrence():
    """Every month of 1.4 done so far, October's not yet due: the cell says done, not open; an
    overdue past month still shows overdue."""
    import datetime as dt

    from conftest import SHIPPED

    from lanxi_cli.core import engine
    from lanxi_cli.core.domain import Report
    from lanxi_cli.io import load, locate

    book = load.load_book(locate.find_data_dir(str(SHIPPED)))
    day = dt.date(2020, 10, 10)
    reports = [Report(task="1.4", unit="苏家湖村", date=dt.date(2020, 9, 20), status="done", file="a"),
               Report(task="1.4", unit="黄湖村", date=dt.date(2020, 10, 2), status="done", file="b",
                      period="2020-10")]
    obligations = engine.compute(book, reports, day)
    _units, cells = engine.state_matrix(book, obligations, day)
    assert cells[("苏家湖村", "1.4")] == "done"
    assert cells[("黄湖村", "1.4")] == "overdue"  # September missed, whatever October says
