"""`lanxi serve`: the workbench, started as a clerk starts it (a subprocess on a free loopback
port) and driven by real headless Chromium (Debian's package, through Playwright), then by
plain HTTP for what a browser would never send (a foreign Host, a forged form, a path for an id)."""

from __future__ import annotations

import concurrent.futures
import html
import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import ROOT, git, run_lanxi
from debian import ensure, ensure_chinese_fonts
from scenario import AS_OF, write_reports


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`lanxi serve` in a subprocess; stopped with Ctrl-C (SIGINT) at the end."""

    def __init__(self, data_dir: Path, *args: str, env: dict | None = None, browser: bool = False):
        self.data_dir, self.port = data_dir, free_port()
        self.host = "127.0.0.1"
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lanxi_cli", "serve", "--data", str(data_dir), "--as-of", AS_OF,
             "--port", str(self.port), *([] if browser else ["--no-browser"]), *args],
            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"lanxi serve ended: {self.proc.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out, err

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, text) of one request, its Host the bound address unless `headers` says."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        given = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        conn.request(method, urllib.parse.quote(path, safe="/%?=&"), body=body, headers=given)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, response.headers, text

    def session(self) -> tuple[str, str]:
        """A session cookie and the token its pages' forms carry, as a browser gets them."""
        status, headers, text = self.request("GET", "/files")  # a page with a writing form
        assert status == 200
        cookie = headers["set-cookie"].split(";")[0]
        return cookie, re.search(r'name="token" value="([0-9a-f]+)"', text)[1]

    def post(self, path: str, fields: dict, cookie: str | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(fields).encode()
        given = {"Content-Type": "application/x-www-form-urlencoded", **({"Cookie": cookie} if cookie else {}),
                 **(headers or {})}
        return self.request("POST", path, body, given)


@pytest.fixture
def repo(git_data_dir) -> Path:
    """The shipped plan with the shared scenario's reports, committed."""
    write_reports(git_data_dir)
    git("add", "--", "data", cwd=git_data_dir.parent)
    git("commit", "-q", "-m", "scenario", cwd=git_data_dir.parent)
    return git_data_dir


@pytest.fixture
def server(repo):
    running = Server(repo)
    yield running
    code, _, err = running.stop()
    assert code == 0, err
    assert "Traceback" not in err


def head(data_dir: Path) -> str:
    return git("rev-parse", "HEAD", cwd=data_dir.parent).strip()


def report_files(data_dir: Path) -> set[str]:
    return {p.relative_to(data_dir).as_posix() for p in (data_dir / "reports").rglob("*.yaml")}


# ---- in a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装：pip install lanxi[test]")
    binary = ensure("chromium", "chromium")
    ensure_chinese_fonts()
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=binary, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, server):
    context = chromium.new_context(accept_downloads=True, locale="zh-CN")
    outside = []
    mine = (server.url, "http://elsewhere.example/")  # the second: a test's own page, served by its route
    context.on("request", lambda r: None if r.url.startswith(mine) else outside.append(r.url))
    page = context.new_page()
    yield page
    context.close()
    assert outside == []  # no request leaves the machine: every style and font is lanxi's own or the system's


def photo(day: str) -> bytes:
    """A small JPEG whose EXIF says it was taken on `day` (YYYY:MM:DD)."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = f"{day} 10:30:00"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_recording_a_report_with_a_photo(browser_page, server):
    page, data_dir = browser_page, server.data_dir
    before = report_files(data_dir)
    page.goto(server.url + "/")
    page.click("nav >> text=记录报告")
    page.select_option("select[name=unit]", "北岸新村")
    page.select_option("select[name=task]", "1.1")
    page.click("text=下一步")
    page.check("input[name=status][value=done]")
    page.fill("input[name=date]", "2020-09-14")
    page.fill("textarea[name=note]", "方案已印发，见照片")
    page.fill("input[name=by]", "王会计")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "印发会议.jpg", "mimeType": "image/jpeg", "buffer": photo("2020:09:14")}])
    page.click("text=保存并提交")
    assert "报告已保存，并已提交到 git" in page.inner_text("main")
    new = report_files(data_dir) - before
    assert len(new) == 1
    shown = json.loads(run_lanxi("report", "show", new.pop(), "--data", str(data_dir), "--as-of", AS_OF,
                                 "--format", "json").stdout)
    assert (shown["unit"], shown["task"], shown["status"], shown["date"]) == ("北岸新村", "1.1", "done", "2020-09-14")
    assert shown["note"] == "方案已印发，见照片" and shown["by"] == "王会计"
    (attached,) = shown["evidence_files"]
    assert attached["name"] == "印发会议.jpg" and attached["taken"].startswith("2020-09-14T10:30")
    stored = next((data_dir / "evidence").glob("*.jpg"))
    assert stored.read_bytes() == photo("2020:09:14")
    subject = git("log", "-1", "--format=%s", cwd=data_dir.parent).strip()
    assert subject == "报告：1.1 北岸新村 2020-09-14 完成（王会计）"
    assert git("status", "--porcelain", cwd=data_dir.parent) == ""  # the report and its photo in that commit
    page.click("text=印发会议.jpg")  # the photo opens from the report's page, through the report's id
    assert page.evaluate("document.contentType") == "image/jpeg"


def test_a_bare_done_on_a_counted_task_is_refused_with_the_commands_sentence(browser_page, server):
    page, data_dir = browser_page, server.data_dir
    before, commit = report_files(data_dir), head(data_dir)
    page.goto(server.url + "/report/new?unit=" + urllib.parse.quote("中心校") + "&task=6.3")
    assert page.is_visible("input[name=count]")  # 6.3 counts items: the form asks how many
    page.check("input[name=status][value=done]")
    page.click("text=保存并提交")
    said = page.inner_text("[data-field=count]")
    cli = run_lanxi("report", "add", "--task", "6.3", "--unit", "中心校", "--status", "done",
                    "--data", str(data_dir), "--as-of", AS_OF)
    assert cli.returncode == 2
    assert said == cli.stderr.strip() == "任务 6.3 的目标是禁毒宣传信息（条） 至少 4：请用 --count 写明本次完成的数量"
    assert report_files(data_dir) == before and head(data_dir) == commit  # nothing written, nothing committed
    page.fill("input[name=count]", "4")  # the form keeps what was typed; with the count it is taken
    page.click("text=保存并提交")
    assert "报告已保存" in page.inner_text("main")


def test_a_task_without_a_quantity_asks_for_none(browser_page, server):
    browser_page.goto(server.url + "/report/new?unit=" + urllib.parse.quote("苏家湖村") + "&task=1.1")
    assert browser_page.locator("input[name=count]").count() == 0
    assert browser_page.locator("input[name=rate]").count() == 0


def test_approving_a_claim(browser_page, server):
    page, data_dir = browser_page, server.data_dir
    claim = "00-1.1-苏家湖村"
    page.goto(server.url + "/")
    page.click("nav >> text=销号")
    section = page.locator(f"section[data-report='{claim}']")
    section.locator("select[name=by]").select_option("禁毒办")
    section.locator("input[name=note]").fill("方案齐全")
    section.locator("button[value=approve]").click()
    assert "已记录并提交：销号核验：1.1 苏家湖村 2020-09-02 同意（禁毒办）" in page.inner_text("main")
    assert page.locator(f"section[data-report='{claim}']").count() == 0  # out of the queue
    shown = json.loads(run_lanxi("report", "show", claim, "--data", str(data_dir), "--as-of", AS_OF,
                                 "--format", "json").stdout)
    assert [(r["decision"], r["by"], r["note"]) for r in shown["reviews"]] == [("approved", "禁毒办", "方案齐全")]
    subject = git("log", "-1", "--format=%s", cwd=data_dir.parent).strip()
    assert subject == "销号核验：1.1 苏家湖村 2020-09-02 同意（禁毒办）"


def test_downloading_the_bulletin(browser_page, server, tmp_path):
    import docx

    page = browser_page
    page.goto(server.url + "/files")
    page.fill("input[name=number]", "5")
    page.fill("input[name=issue]", "3")
    with page.expect_download() as waiting:
        page.click("text=下载通报（Word）")
    download = waiting.value
    assert download.suggested_filename == f"通报-{AS_OF}.docx"
    saved = tmp_path / "通报.docx"
    download.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    assert "兰禁毒办〔2020〕5号" in text and "第3期" in text
    cli = tmp_path / "cli.docx"
    run_lanxi("bulletin", "--number", "5", "--issue", "3", "-o", str(cli), "--data", str(server.data_dir),
              "--as-of", AS_OF)
    assert text == "\n".join(p.text for p in docx.Document(cli).paragraphs)  # the command's document


def test_the_overview_shows_the_numbers_of_status(browser_page, server):
    page = browser_page
    page.goto(server.url + "/")
    status = json.loads(run_lanxi("status", "--format", "json", "--data", str(server.data_dir),
                                  "--as-of", AS_OF).stdout)
    rows = page.eval_on_selector_all(
        "table.units tr[data-unit]",
        "rows => rows.map(r => [r.dataset.unit, ...[...r.cells].slice(1).map(c => c.innerText)])")
    assert len(rows) == len(status["units"])
    for row, unit in zip(rows, status["units"], strict=True):
        rate = "—" if unit["rate"] is None else f"{100 * unit['rate']:.1f}%"
        expected = [unit["unit"], *(str(unit[k]) for k in ("total", "done", "late", "overdue", "due_soon", "open")),
                    rate]
        assert row == expected
    cards = dict(zip(page.eval_on_selector_all(".card", "cs => cs.map(c => c.firstChild.textContent)"),
                     page.eval_on_selector_all(".card b", "bs => bs.map(b => b.innerText)"), strict=True))
    assert int(cards["全部事项"]) == sum(u["total"] for u in status["units"])
    assert int(cards["逾期未完成"]) == sum(u["overdue"] for u in status["units"])
    page.click("table.units >> text=苏家湖村")  # each unit a link to its page
    assert page.inner_text("h1") == "苏家湖村"


def test_a_page_from_another_site_cannot_write(browser_page, server):
    """A form on another site posting to the workbench (the browser holds its session cookie):
    refused, nothing written."""
    page, data_dir = browser_page, server.data_dir
    page.goto(server.url + "/report/new")  # the clerk has the workbench open
    before, commit = report_files(data_dir), head(data_dir)
    forged = (f'<form method="post" action="{server.url}/report/new"><input name="unit" value="苏家湖村">'
              '<input name="task" value="1.2"><input name="status" value="done"></form>'
              "<script>document.forms[0].submit()</script>")
    page.route("http://elsewhere.example/**", lambda route: route.fulfill(body=forged, content_type="text/html"))
    with page.expect_navigation():
        page.goto("http://elsewhere.example/")
    assert "拒绝" in page.inner_text("body")
    assert report_files(data_dir) == before and head(data_dir) == commit


# ---- the gate, by plain HTTP ---------------------------------------------------------------


def test_a_write_without_the_sessions_token_writes_nothing(server):
    data_dir = server.data_dir
    before, commit = report_files(data_dir), head(data_dir)
    fields = {"unit": "苏家湖村", "task": "1.2", "status": "done"}
    cookie, token = server.session()
    attempts = [
        server.post("/report/new", fields),  # no session at all (a cross-site request carries no cookie)
        server.post("/report/new", fields, cookie),  # the cookie without the page's token
        server.post("/report/new", {**fields, "token": "0" * 64}, cookie),  # a guessed token
        server.post("/report/new", {**fields, "token": token}, cookie, {"Origin": "http://elsewhere.example"}),
        server.post("/review/00-1.1-苏家湖村", {"decision": "approve", "by": "禁毒办"}, cookie),
    ]
    for status, _, text in attempts:
        assert status == 403
        assert "拒绝" in text and "没有写入任何内容" in text and "Traceback" not in text
    assert report_files(data_dir) == before and head(data_dir) == commit
    status, _, _ = server.post("/report/new", {**fields, "token": token}, cookie)  # the control: the real form
    assert status == 303 and len(report_files(data_dir)) == len(before) + 1


def test_a_request_for_another_host_is_refused(server):
    """DNS rebinding: a name that resolves to this machine is not the address the workbench is bound to."""
    for host in (f"elsewhere.example:{server.port}", f"127.0.0.1:{server.port + 1}", "127.0.0.1"):
        status, _, text = server.request("GET", "/", headers={"Host": host})
        assert status == 421 and "不是本工作台的地址" in text
    assert server.request("GET", "/", headers={"Host": f"localhost:{server.port}"})[0] == 200


@pytest.mark.parametrize("path", [
    "/report/..%2F..%2Fplan", "/report/..", "/evidence/..%2Fplan.yaml/0", "/report/%2Fetc%2Fpasswd",
    "/evidence/00-1.1-苏家湖村/0", "/report/.git",
])
def test_an_id_that_is_a_path_is_refused(server, path):
    status, _, text = server.request("GET", path)
    assert status in (400, 404)
    assert re.search(r"编号“[^”]*”无效|找不到", text) and "root:" not in text and "Traceback" not in text


def test_a_path_for_an_id_writes_nothing(server):
    data_dir = server.data_dir
    commit = head(data_dir)
    cookie, token = server.session()
    status, _, text = server.post("/review/..%2F..%2Fplan", {"decision": "approve", "by": "禁毒办", "token": token},
                                  cookie)
    assert status in (400, 404) and head(data_dir) == commit


def test_listening_beyond_this_machine_asks_for_the_access_code(repo):
    running = Server(repo, "--host", "0.0.0.0", env={"LANXI_SERVE_CODE": "ABCD2345"})
    try:
        status, headers, _ = running.request("GET", "/")
        assert status == 303 and headers["location"] == "/login"
        cookie = headers["set-cookie"].split(";")[0]
        status, _, text = running.request("GET", "/login", headers={"Cookie": cookie})
        token = re.search(r'name="token" value="([0-9a-f]+)"', text)[1]
        commit = head(repo)
        status, _, text = running.post("/report/new", {"unit": "苏家湖村", "task": "1.2", "token": token}, cookie)
        assert status == 403 and "访问码" in text and head(repo) == commit
        assert running.post("/login", {"code": "WRONG999", "token": token}, cookie)[0] == 403
        assert running.request("GET", "/", headers={"Cookie": cookie})[0] == 303
        status, headers, _ = running.post("/login", {"code": "ABCD2345", "token": token}, cookie)
        assert status == 303 and headers["location"] == "/"
        assert running.request("GET", "/", headers={"Cookie": cookie})[0] == 200
        assert running.request("GET", "/", headers={"Host": f"elsewhere.example:{running.port}",
                                                     "Cookie": cookie})[0] == 421
    finally:
        assert running.stop()[0] == 0


def test_the_access_code_is_printed_when_none_is_set(repo):
    running = Server(repo, "--host", "0.0.0.0", env={"LANXI_SERVE_CODE": ""})
    code, out, _ = running.stop()
    assert code == 0 and re.search(r"访问码：[2-9A-Z]{8}", out)


def test_a_busy_port_is_one_sentence(server):
    result = run_lanxi("serve", "--port", str(server.port), "--no-browser", "--data", str(server.data_dir))
    assert result.returncode == 2
    assert f"无法在 127.0.0.1:{server.port} 上启动工作台（端口已被占用）" in result.stderr
    assert "Traceback" not in result.stderr


def test_fifty_page_writes_and_fifty_command_line_writes_lose_nothing(repo):
    running = Server(repo)
    before = report_files(repo)
    commits = int(git("rev-list", "--count", "HEAD", cwd=repo.parent))
    units = ["苏家湖村", "黄湖村", "罗湖村", "枫林社区", "北岸新村"]

    def page_write(i: int) -> int:
        cookie, token = running.session()
        fields = {"unit": units[i % 5], "task": "1.1", "status": "progress", "note": f"网页-{i}", "token": token}
        return running.post("/report/new", fields, cookie)[0]

    def cli_write(i: int) -> int:
        return run_lanxi("report", "add", "--task", "1.1", "--unit", units[i % 5], "--status", "progress",
                         "--note", f"命令行-{i}", "--data", str(repo), "--as-of", AS_OF, timeout=300).returncode

    try:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            pages = [pool.submit(page_write, i) for i in range(50)]
            clis = [pool.submit(cli_write, i) for i in range(50)]
            assert [f.result() for f in pages] == [303] * 50
            assert [f.result() for f in clis] == [0] * 50
    finally:
        assert running.stop()[0] == 0
    new = report_files(repo) - before
    assert len(new) == 100
    listed = json.loads(run_lanxi("report", "list", "--data", str(repo), "--as-of", AS_OF, "--format", "json").stdout)
    notes = sorted(r["note"] for r in listed if r["note"])
    assert notes == sorted([f"网页-{i}" for i in range(50)] + [f"命令行-{i}" for i in range(50)])
    assert int(git("rev-list", "--count", "HEAD", cwd=repo.parent)) == commits + 100  # one commit each
    assert git("status", "--porcelain", cwd=repo.parent) == ""
    assert run_lanxi("check", "--data", str(repo)).returncode == 0


def test_every_page_answers_in_chinese(server):
    for path in ("/", "/report/new", "/review", "/decisions", "/files", "/log",
                 "/unit/" + urllib.parse.quote("苏家湖村"), "/task/6.3",
                 "/report/00-1.1-" + urllib.parse.quote("苏家湖村"), "/no-such-page"):
        status, headers, text = server.request("GET", path)
        assert status == (404 if path == "/no-such-page" else 200), path
        assert '<html lang="zh-CN">' in text and "Traceback" not in text
        assert "script-src 'none'" in headers["content-security-policy"]
    status, _, text = server.request("GET", "/unit/" + urllib.parse.quote("没有这个村"))
    assert status == 400 and "没有这个村" in text


def test_an_extension_asked_and_decided_from_the_page(server):
    data_dir = server.data_dir
    cookie, token = server.session()
    status, headers, _ = server.post("/extension/new", {
        "unit": "苏家湖村", "task": "6.3", "until": "2020-10-10", "period": "2020-09", "reason": "宣传员生病",
        "by": "王会计", "token": token}, cookie)
    assert status == 303 and "延期申请" in urllib.parse.unquote(headers["location"])
    (ext,) = json.loads(run_lanxi("extension", "list", "--data", str(data_dir), "--as-of", AS_OF,
                                  "--format", "json").stdout)
    assert (ext["task"], ext["unit"], ext["period"], ext["until"], ext["decision"]) == (
        "6.3", "苏家湖村", "2020-09", "2020-10-10", "pending")
    record = Path(ext["file"]).stem
    status, _, text = server.request("GET", "/decisions")
    assert f'action="/extension/{urllib.parse.quote(record)}"' in text
    status, _, _ = server.post(f"/extension/{record}", {"decision": "approve", "by": "苏家湖村", "token": token},
                               cookie)
    assert status == 400  # the village is not the task's lead: the command's sentence, nothing written
    status, _, _ = server.post(f"/extension/{record}", {"decision": "approve", "by": "禁毒办", "token": token},
                               cookie)
    assert status == 303
    (ext,) = json.loads(run_lanxi("extension", "list", "--data", str(data_dir), "--as-of", AS_OF,
                                  "--format", "json").stdout)
    assert ext["decision"] == "approved"
    subjects = git("log", "-2", "--format=%s", cwd=data_dir.parent).split("\n")[:2]
    assert subjects == ["延期审批：6.3 苏家湖村 2020-09 延至 2020-10-10 同意（禁毒办）",
                        "延期申请：6.3 苏家湖村 2020-09 延至 2020-10-10"]


def test_a_refused_request_says_the_commands_sentence(server):
    cookie, token = server.session()
    status, _, text = server.post("/extension/new", {
        "unit": "苏家湖村", "task": "1.1", "until": "2020-09-20", "reason": "来不及", "token": token}, cookie)
    cli = run_lanxi("extension", "request", "--task", "1.1", "--unit", "苏家湖村", "--until", "2020-09-20",
                    "--reason", "来不及", "--data", str(server.data_dir), "--as-of", AS_OF)
    assert status == 400 and cli.returncode == 2
    assert cli.stderr.strip() in text
    # beside a field of the form it came from (not an error page), with what was typed kept
    extension_form = text[text.index('action="/extension/new"'):text.index('action="/exemption/new"')]
    sentence = re.escape(html.escape(cli.stderr.strip(), quote=False))
    assert re.search(r'<p class="error" role="alert" data-field="\w+">' + sentence, extension_form)
    assert ">来不及</textarea>" in extension_form and 'value="2020-09-20"' in extension_form
    assert '<option selected>苏家湖村</option>' in extension_form and '<p class="error"' not in text.split(
        'action="/exemption/new"')[1]


def test_the_files_come_as_the_commands_make_them(server, tmp_path):
    import zipfile

    import openpyxl

    status, headers, _ = server.request("GET", "/files/ledger.xlsx")
    assert status == 200 and "attachment" in headers["content-disposition"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", "/files/ledger.xlsx", headers={"Host": f"127.0.0.1:{server.port}"})
    (tmp_path / "台账.xlsx").write_bytes(conn.getresponse().read())
    assert "义务" in openpyxl.load_workbook(tmp_path / "台账.xlsx", read_only=True).sheetnames
    conn.request("GET", "/files/forms", headers={"Host": f"127.0.0.1:{server.port}"})
    bundle = zipfile.ZipFile(io.BytesIO(conn.getresponse().read()))
    made = run_lanxi("form", "make", "-o", str(tmp_path / "forms"), "--data", str(server.data_dir), "--as-of", AS_OF)
    assert made.returncode == 0
    assert sorted(bundle.namelist()) == sorted(p.name for p in (tmp_path / "forms").glob("*.xlsx"))
    commit = head(server.data_dir)
    cookie, token = server.session()
    status, headers, _ = server.post("/files/notice", {"unit": "北岸新村", "by": "禁毒办", "token": token}, cookie)
    assert status == 200 and "docx" in headers["content-disposition"]
    assert head(server.data_dir) != commit  # the notice is on record, committed
    assert list((server.data_dir / "notices").rglob("*.yaml"))


def test_uploads_stop_at_the_plans_evidence_limits(repo):
    """plan.yaml's evidence.max_mb bounds a file (the command's sentence) and the whole upload
    (counted as it streams in: a body past the bound is cut off); nothing is written either way."""
    with open(repo / "plan.yaml", "a", encoding="utf-8") as plan:
        plan.write("evidence:\n  max_mb: 0.1\n")
    git("commit", "-q", "-am", "limits", cwd=repo.parent)
    running = Server(repo)
    try:
        before, commit = report_files(repo), head(repo)
        cookie, token = running.session()
        boundary = "lanxi-test-boundary"

        def multipart(size: int) -> bytes:
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in (("token", token), ("unit", "北岸新村"), ("task", "1.1"), ("status", "done"))]
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="大.jpg"\r\n'
                         "Content-Type: image/jpeg\r\n\r\n".encode() + b"\xff" * size + b"\r\n")
            return b"".join(parts) + f"--{boundary}--\r\n".encode()

        headers = {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, _, text = running.request("POST", "/report/new", multipart(200 * 1024), headers)
        assert status == 400 and "超过 plan.yaml 的上限 evidence.max_mb：0.1 MB；没有写入任何内容" in text

        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=60)  # streamed, no length said
        conn.putrequest("POST", "/report/new", skip_host=True)
        for name, value in {**headers, "Host": f"127.0.0.1:{running.port}", "Transfer-Encoding": "chunked"}.items():
            conn.putheader(name, value)
        conn.endheaders()
        body, sent = multipart(3 * 1024 * 1024), 0
        try:
            while sent < len(body):
                chunk = body[sent:sent + 65536]
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            conn.send(b"0\r\n\r\n")
        except OSError:  # the server may close the connection once it has said no
            pass
        response = conn.getresponse()
        assert response.status == 400 and "提交的内容过大" in response.read().decode()
        assert report_files(repo) == before and head(repo) == commit
        assert not any((repo / "evidence").glob("*.jpg"))
    finally:
        assert running.stop()[0] == 0


def test_it_opens_the_browser_on_its_address_unless_told_not_to(repo, tmp_path):
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    browser = {"BROWSER": f"{sys.executable} {script} %s", "DISPLAY": ""}
    running = Server(repo, env=browser, browser=True)
    for _ in range(100):
        if opened.exists():
            break
        time.sleep(0.1)
    assert running.stop()[0] == 0
    assert opened.read_text() == f"http://127.0.0.1:{running.port}/\n"
    quiet = Server(repo, env=browser)  # --no-browser
    time.sleep(1.5)
    assert quiet.stop()[0] == 0
    assert opened.read_text().count("\n") == 1


def test_what_the_command_line_records_is_on_the_next_page(server):
    unit_page = "/unit/" + urllib.parse.quote("北岸新村")
    assert "联络员" not in server.request("GET", unit_page)[2]
    for args in (["unit", "liaison", "北岸新村", "--name", "张三", "--phone", "13812345678"],
                 ["report", "add", "--task", "2.1", "--unit", "北岸新村", "--note", "学习会已开"]):
        assert run_lanxi(*args, "--data", str(server.data_dir), "--as-of", AS_OF).returncode == 0
    text = server.request("GET", unit_page)[2]
    assert "联络员：张三 13812345678" in text and "学习会已开" in text


def test_wrong_access_codes_lock_the_gate_for_a_minute():
    from lanxi_cli.cli.web.guard import TRIES_PER_MINUTE, Gate

    gate = Gate("0.0.0.0", 8750, "ABCD2345")
    for i in range(TRIES_PER_MINUTE):
        assert not gate.locked(now=100.0 + i)
        gate.note_wrong(now=100.0 + i)
    assert gate.locked(now=100.0 + TRIES_PER_MINUTE)
    assert gate.locked(now=159.5)  # the first wrong code is still within the minute
    assert not gate.locked(now=160.5)  # it has passed: one more try


def test_a_guesser_is_stopped_before_the_right_code_is_compared(repo):
    running = Server(repo, "--host", "0.0.0.0", env={"LANXI_SERVE_CODE": "ABCD2345"})
    try:
        cookie = running.request("GET", "/")[1]["set-cookie"].split(";")[0]
        login = running.request("GET", "/login", headers={"Cookie": cookie})[2]
        token = re.search(r'name="token" value="([0-9a-f]+)"', login)[1]
        answers = [running.post("/login", {"code": f"WRONG{i:03d}", "token": token}, cookie)[0] for i in range(5)]
        assert answers == [403] * 5
        status, _, text = running.post("/login", {"code": "ABCD2345", "token": token}, cookie)
        assert status == 429 and "一分钟后再试" in text
        assert running.request("GET", "/", headers={"Cookie": cookie})[0] == 303  # still not let in
    finally:
        assert running.stop()[0] == 0
