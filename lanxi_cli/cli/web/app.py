"""The workbench's pages: each opens the data as the commands do (store.snapshot, as of the
day), asks core, and renders a Jinja2 template; each write goes through the commands' own
checked write path (cli.report.record, cli.review.*) under one lock, and is committed.

No path from a request reaches the file system except through a record's id, looked up
among the records read (evidence: the n-th file of a report)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from lanxi_cli.cli.web.guard import Gate, Guard
from lanxi_cli.errors import LanxiError, UsageError

HERE = Path(__file__).parent
# A record id as lanxi writes them (a file name without .yaml): no folder, no dot first, no control.
RECORD_ID = re.compile(r"[^\s/\\.\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,200}")
MAX_FILES = 10  # evidence files one report may carry from the page
MAX_FIELDS = 50
FIELD_LIMIT = 64 * 1024  # a text field's bytes (a note is far shorter)
WRITE = threading.Lock()  # one write (files, then commit) at a time in this process; git's lock does the rest


@dataclass
class Workbench:
    data_dir: Path
    as_of: dt.date | None  # None: each page as of the day it is asked
    gate: Gate
    said: set = field(default_factory=set)  # warnings already printed: each once, not on every page

    def open(self):
        """The data as of today (or --as-of), through the store: a record written from the
        command line is on the next page."""
        from lanxi_cli.store import snapshot

        return snapshot.load(self.data_dir, self.as_of or dt.date.today(), warn=self.warn)

    def warn(self, message: str) -> None:
        from lanxi_cli.cli.common import warn

        if message not in self.said:
            self.said.add(message)
            warn(message)


def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)


templates = Jinja2Templates(env=_environment())


def _words() -> None:
    from lanxi_cli.core.evidence import megabytes
    from lanxi_cli.render.words import DECISION_NAMES, STATE_NAMES, STATUS_NAMES, period_name

    templates.env.globals.update(megabytes=megabytes, STATE_NAMES=STATE_NAMES, STATUS_NAMES=STATUS_NAMES,
                                 DECISIONS=DECISION_NAMES, period_name=period_name, links=Links())


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    bench: Workbench = request.app.state.bench
    context.setdefault("title", "")
    return templates.TemplateResponse(
        request, name, {"token": bench.gate.token(request.scope["state"]["session"]), **context}, status_code=status)


def refusal(status: int, sentence: str):
    """An ASGI app answering with the error page (used by the gate, before any route)."""
    def app(scope, receive, send):
        html = templates.get_template("error.html").render(title="无法完成", sentence=sentence, token="")
        return HTMLResponse(html, status_code=status)(scope, receive, send)

    return app


def valid_id(text: str) -> str:
    """A record id from a request, or a refusal: it names a record, never a path."""
    if not RECORD_ID.fullmatch(text) or ".." in text:
        raise UsageError(f"编号“{text[:60]}”无效：应为记录编号（文件名去掉 .yaml），不能含路径")
    return text


async def form_of(request: Request, limit: int) -> dict:
    """A writing request's fields (files among them), read while counting: past `limit` bytes
    it stops and refuses; then its token is checked against the session's."""
    from starlette.datastructures import UploadFile

    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        from lanxi_cli.core.evidence import megabytes

        raise UsageError(f"提交的内容过大（{megabytes(int(declared))}），超过佐证材料的上限；没有写入任何内容")
    seen = 0
    receive = request.receive

    async def counted():
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise UsageError("提交的内容过大，超过佐证材料的上限；没有写入任何内容")
        return message

    limited = Request(request.scope, counted)
    try:
        form = await limited.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=FIELD_LIMIT)
    except HTTPException as exc:  # starlette's own refusals (too many files or fields)
        raise UsageError(f"提交的表单无效（{_form_reason(exc.detail)}）；没有写入任何内容") from None
    gate: Gate = request.app.state.bench.gate
    if not gate.token_valid(request.scope["state"]["session"], form.get("token")):
        raise Refused("拒绝：表单缺少本工作台的令牌或令牌不对（可能来自别的网站，或页面已过期，请刷新后重试），"
                      "没有写入任何内容")
    fields: dict = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if value.filename:
                fields.setdefault(key, []).append(value)
        else:
            fields[key] = value
    return fields


def _form_reason(detail: str) -> str:
    if "files" in detail:
        return f"一次最多 {MAX_FILES} 个文件"
    if "fields" in detail:
        return "字段过多"
    return "字段过长"


class Refused(LanxiError):
    """A write refused by the gate's token check: 403."""

    exit_code = 2


# ---- pages -----------------------------------------------------------------------------


async def overview(request: Request):
    def build():
        from lanxi_cli.core import overview as core
        from lanxi_cli.core import receipts, reporting
        from lanxi_cli.core.assess import GROUP_NAMES
        from lanxi_cli.render import dashboard

        session = request.app.state.bench.open()
        book = session.book
        summary = core.compute(book, session.obligations(), session.as_of, session.measures)
        acks, late = receipts.state(book, session.records("receipts"), session.reports, session.as_of,
                                    [t.unit for t in summary.units])
        parts = dashboard.sections(summary, GROUP_NAMES, book.tasks, (acks, late, receipts.deadline(book)),
                                   Links(), charts=False)
        window = reporting.season_window(book, session.as_of)
        missing = reporting.missing_units(book, session.reports, *window) if window else []
        return dict(title=core.campaign_name(summary.campaign), campaign=summary.campaign,
                    where=dashboard.where(summary.campaign), cards=dashboard.cards(summary), sections=parts,
                    window=window, missing=missing, links=Links(), owe=len(book.owes_progress_reports()))

    return page(request, "overview.html", **await run_in_threadpool(build))


class Links:
    """The dashboard's names as links to the workbench's unit and task pages."""

    links = True

    def unit(self, name: str) -> str:
        from html import escape

        return f'<a href="/unit/{quote(name, safe="")}">{escape(name)}</a>'

    def task(self, task) -> str:
        from html import escape

        from lanxi_cli.core.domain import task_label

        return f'<a href="/task/{quote(task.id, safe="")}" title="{escape(task.text)}">{escape(task_label(task))}</a>'


# ---- the report form ---------------------------------------------------------------------

FIELDS = (  # the form's field each of report add's sentences is about, by what the sentence names
    ("--count", "count"), ("数量", "count"), ("--rate", "rate"), ("比率", "rate"), ("--part", "part"),
    ("--period", "period"), ("周期", "period"), ("--note", "note"), ("--by", "by"), ("佐证", "evidence"),
    ("--evidence", "evidence"), ("--date", "date"), ("报告日期", "date"), ("单位", "unit"), ("任务", "task"),
)


def field_of(sentence: str) -> str:
    return next((name for word, name in FIELDS if word in sentence), "form")


def _choices(book):
    from lanxi_cli.core.domain import task_label

    return list(book.units), [(t.id, task_label(t)) for t in book.tasks]


def _target(book, task_id: str | None, unit: str | None):
    """The target the chosen task sets for the chosen unit (None where none, or not yet chosen)."""
    if not task_id or not unit:
        return None
    try:
        task, name = book.resolve_task(task_id), book.resolve_unit(unit)
    except UsageError:
        return None
    return book.target(task, name) if name in book.task_units(task) else None


async def report_form(request: Request):
    def build():
        session = request.app.state.bench.open()
        values = {k: request.query_params.get(k, "") for k in ("unit", "task")}
        units, tasks = _choices(session.book)
        return dict(units=units, tasks=tasks, values={**values, "date": session.as_of.isoformat(),
                                                      "status": "progress"},
                    target=_target(session.book, values["task"], values["unit"]), errors={}, as_of=session.as_of)

    return page(request, "report_form.html", title="记录报告", **await run_in_threadpool(build))


async def report_submit(request: Request):
    bench: Workbench = request.app.state.bench
    session = await run_in_threadpool(bench.open)
    rule = session.book.plan.evidence
    fields = await form_of(request, MAX_FILES * int(rule.max_mb * 1024 * 1024) + 1024 * 1024)
    uploads = fields.pop("evidence", [])
    contents = [(u.filename, await u.read()) for u in uploads]
    for upload in uploads:  # its spooled copy goes now, not when collected
        await upload.close()

    def write():
        with WRITE:
            fresh = bench.open()  # what the command line wrote meanwhile counts too
            return _record(fresh, fields, contents)

    try:
        record_id = await run_in_threadpool(write)
    except UsageError as exc:
        units, tasks = _choices(session.book)
        values = {k: v for k, v in fields.items() if isinstance(v, str)}
        sentence = str(exc)
        return page(request, "report_form.html", status=400, title="记录报告", units=units, tasks=tasks,
                    values=values, target=_target(session.book, values.get("task"), values.get("unit")),
                    errors={field_of(sentence): sentence}, as_of=session.as_of)
    return RedirectResponse(f"/report/{quote(record_id, safe='')}?saved=1", status_code=303)


def _record(session, fields: dict, contents):
    """The form's fields → one report through `report add`'s own path (checks, evidence, commit); its id."""
    from lanxi_cli.cli.common import parse_date
    from lanxi_cli.cli.report import record
    from lanxi_cli.core import reporting
    from lanxi_cli.core.domain import id_of
    from lanxi_cli.core.evidence import is_link
    from lanxi_cli.io import evidence as files
    from lanxi_cli.render.words import status_code

    book = session.book
    text = {k: (v.strip() if isinstance(v, str) else "") for k, v in fields.items()}
    if not text.get("unit"):
        raise UsageError("请选择单位")
    if not text.get("task"):
        raise UsageError("请选择任务")
    task = book.resolve_task(text["task"])
    unit = book.resolve_unit(text["unit"])
    status = status_code(text.get("status") or "progress")
    if status is None:
        raise UsageError(f"状态“{text.get('status')}”无效，应为 完成、进行中 或 受阻")
    day = parse_date(text["date"], "--date", session.as_of) if text.get("date") else session.as_of
    count = rate = None
    if text.get("count"):
        if not text["count"].isdigit():
            raise UsageError(f"数量“{text['count']}”应为不小于 0 的整数")
        count = int(text["count"])
    if text.get("rate"):
        try:
            rate = float(text["rate"].rstrip("%")) / (100 if text["rate"].endswith("%") else 1)
        except ValueError:
            raise UsageError(f"--rate 应在 0 到 1 之间（{text['rate']}），如 0.85 表示 85%") from None
    link = text.get("link", "")
    if link and not is_link(link):
        raise UsageError(f"佐证材料的网址“{link[:60]}”应以 https:// 或 http:// 开头")
    links, _ = files.prepare(book, task, [link] if link else [])
    sources = [files.in_memory(_file_name(name), content) for name, content in contents]
    prepared = files.attachments(book, task, sources)
    draft = reporting.Draft(task.id, unit, day, status, count, rate, text.get("period") or None,
                            fields.get("note", "") if isinstance(fields.get("note"), str) else "",
                            text.get("by", ""), links, text.get("part") or None, tuple(item for _, item in prepared))
    _reports, paths, _before = record(session, draft, [unit], prepared)
    return id_of(paths[0].name)


def _file_name(name: str) -> str:
    """An uploaded file's own name, without any folder the browser sent."""
    from lanxi_cli.core.reporting import check_text

    shown = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "文件"
    return check_text(shown, "佐证材料的文件名", 200)


# ---- records -----------------------------------------------------------------------------


async def report_page(request: Request):
    def build():
        from lanxi_cli.cli.report import report_view

        session = request.app.state.bench.open()
        record = session.record(valid_id(request.path_params["id"]), ("reports",), "报告")
        view = report_view(session, record)
        return dict(view=view, report=record, saved=request.query_params.get("saved") == "1",
                    task=session.book.task_by_id.get(record.task))

    return page(request, "report.html", title="报告", **await run_in_threadpool(build))


async def evidence_file(request: Request):
    """The n-th evidence file of a report, found through the report's id; served as a download
    in a sandbox (a stored file never runs in the workbench's origin)."""
    from starlette.responses import FileResponse

    from lanxi_cli.io import save
    from lanxi_cli.io.evidence import EVIDENCE_DIR

    bench: Workbench = request.app.state.bench
    session = await run_in_threadpool(bench.open)
    record = session.record(valid_id(request.path_params["id"]), ("reports",), "报告")
    index = request.path_params["n"]
    if not 0 <= index < len(record.evidence_files):
        raise HTTPException(404)
    item = record.evidence_files[index]
    folder = session.data_dir / EVIDENCE_DIR
    save.inside_folder(session.data_dir, folder)
    path = folder / item.stored
    if path.is_symlink() or not path.is_file():
        raise UsageError(f"佐证材料“{item.name}”已不在 {EVIDENCE_DIR}/ 中（可能已按 evidence remove 删除）")
    inline = item.stored.rsplit(".", 1)[-1].lower() in ("jpg", "jpeg", "png", "gif", "webp", "pdf")
    return FileResponse(path, filename=item.name, content_disposition_type="inline" if inline else "attachment",
                        headers={"content-security-policy": "sandbox"})


async def unit_page(request: Request):
    def build():
        from lanxi_cli.core import engine, reporting

        session = request.app.state.bench.open()
        book = session.book
        name = book.resolve_unit(request.path_params["name"])
        obligations = session.obligations()
        own = [o for o in obligations if o.unit == name]
        reports = reporting.select_reports(session.reports, unit=name, until=session.as_of)
        return dict(title=name, unit=book.units[name], obligations=own, reports=list(reversed(reports)),
                    leads=engine.lead_summaries(book, obligations, name), links=Links(), as_of=session.as_of)

    return page(request, "unit.html", **await run_in_threadpool(build))


async def task_page(request: Request):
    def build():
        from lanxi_cli.core import reporting

        session = request.app.state.bench.open()
        book = session.book
        task = book.resolve_task(request.path_params["id"])
        obligations = [o for o in session.obligations() if o.task.id == task.id]
        reports = reporting.select_reports(session.reports, task=task.id, until=session.as_of)
        return dict(title=f"任务 {task.id}", task=task, lead=book.lead(task), obligations=obligations,
                    reports=list(reversed(reports)), links=Links(), as_of=session.as_of)

    return page(request, "task.html", **await run_in_threadpool(build))


# ---- 销号 and decisions ----------------------------------------------------------------


async def review_queue(request: Request):
    def build():
        from lanxi_cli.core import reviews

        session = request.app.state.bench.open()
        book = session.book
        decided = reviews.decisions(session.reviews, session.as_of)
        waiting = reviews.awaiting(session.reports, decided, session.as_of)
        return dict(claims=[(r, book.task_by_id[r.task], reviews.deciders(book, book.task_by_id[r.task]))
                            for r in waiting], links=Links(), done=request.query_params.get("done"))

    return page(request, "review.html", title="销号", **await run_in_threadpool(build))


def _decision(kind: str):
    """POST handler: approve or reject one claim or request, through the commands' own function."""
    from lanxi_cli.cli import review

    decide, back = {"reports": (review.review_claim, "/review"),
                    "extensions": (review.decide_extension, "/decisions"),
                    "exemptions": (review.decide_exemption_request, "/decisions")}[kind]

    async def handler(request: Request):
        from lanxi_cli.cli.common import commit_or_warn

        bench: Workbench = request.app.state.bench
        fields = await form_of(request, 256 * 1024)
        record = valid_id(request.path_params["id"])
        choice = fields.get("decision")
        if choice not in ("approve", "reject"):
            raise UsageError("请选择同意或退回")

        def write():
            with WRITE:
                session = bench.open()
                path, message = decide(session, record, choice == "approve", choice == "reject",
                                       str(fields.get("by", "")), str(fields.get("note", "")))
                commit_or_warn(session.data_dir, [path], message, "审核")
                return message

        message = await run_in_threadpool(write)
        return RedirectResponse(f"{back}?done={quote(message, safe='')}", status_code=303)

    return handler


def _request_handler(kind: str):
    """POST handler: a new 延期 or 不适用 request, through the commands' own function."""
    from lanxi_cli.cli import review

    async def handler(request: Request):
        from lanxi_cli.cli.common import commit_or_warn

        bench: Workbench = request.app.state.bench
        fields = await form_of(request, 256 * 1024)
        text = {k: str(v).strip() for k, v in fields.items()}

        def write():
            for name, word in (("unit", "单位"), ("task", "任务")):
                if not text.get(name):
                    raise UsageError(f"请选择{word}")
            with WRITE:
                session = bench.open()
                args = (session, text["task"], text["unit"])
                if kind == "extension":
                    if not text.get("until"):
                        raise UsageError("请填写申请延至哪一天（--until）")
                    path, message = review.extension_request(*args, text["until"], text.get("reason", ""),
                                                             text.get("period") or None, text.get("by", ""))
                else:
                    path, message = review.exemption_request(*args, text.get("reason", ""),
                                                             text.get("period") or None, text.get("by", ""))
                commit_or_warn(session.data_dir, [path], message, "申请")
                return message

        try:
            message = await run_in_threadpool(write)
        except UsageError as exc:  # the command's sentence, beside the field it is about, the values kept
            sentence = str(exc)
            field = next((name for word, name in REQUEST_FIELDS if word in sentence), None) or field_of(sentence)
            context = await run_in_threadpool(_decisions, request)
            return page(request, "decisions.html", status=400, title="延期与不适用", **context,
                        failed=kind, values=text, errors={field: sentence})
        return RedirectResponse(f"/decisions?done={quote(message, safe='')}", status_code=303)

    return handler


REQUEST_FIELDS = (("--until", "until"), ("延至", "until"), ("--reason", "reason"), ("理由", "reason"))


def _decisions(request: Request) -> dict:
    from lanxi_cli.core import reviews

    session = request.app.state.bench.open()
    book = session.book
    decided = reviews.decisions(session.reviews, session.as_of)
    extensions = reviews.extension_rows(book, session.extensions, decided, session.as_of)
    exemptions = reviews.exemption_rows(session.exemptions, session.reviews, session.as_of)
    return dict(extensions=[(e, due, d, reviews.deciders(book, book.task_by_id[e.task])) for e, due, d in extensions],
                exemptions=[(e, d or "pending", reviews.deciders(book, book.task_by_id[e.task]))
                            for e, d in exemptions],
                links=Links(), done=request.query_params.get("done"), choices=_choices(book), as_of=session.as_of)


async def decisions_page(request: Request):
    return page(request, "decisions.html", title="延期与不适用", **await run_in_threadpool(_decisions, request))


# ---- files -------------------------------------------------------------------------------


async def files_page(request: Request):
    def build():
        session = request.app.state.bench.open()
        return dict(units=list(session.book.units), as_of=session.as_of)

    return page(request, "files.html", title="文件", **await run_in_threadpool(build))


def _download(content: bytes, name: str, kind: str) -> Response:
    types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "zip": "application/zip"}
    return Response(content, media_type=types[kind], headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"})


async def bulletin_file(request: Request):
    def build():
        from lanxi_cli.cli.supervise import bulletin_document

        session = request.app.state.bench.open()
        params = request.query_params
        content = bulletin_document(session, params.get("number") or None, params.get("issue") or None,
                                    params.get("appendix") == "1", "docx")
        return content, f"通报-{session.as_of.isoformat()}.docx"

    content, name = await run_in_threadpool(build)
    return _download(content, name, "docx")


async def ledger_file(request: Request):
    def build():
        from lanxi_cli.cli.supervise import ledger_document

        session = request.app.state.bench.open()
        return ledger_document(session, "xlsx", "evidence"), f"工作台账-{session.as_of.isoformat()}.xlsx"

    content, name = await run_in_threadpool(build)
    return _download(content, name, "xlsx")


async def form_files(request: Request):
    """填报表: one unit's workbook, or every unit's in one zip."""
    def build():
        import io
        import zipfile

        from lanxi_cli.core import forms
        from lanxi_cli.render import form as sheet

        session = request.app.state.bench.open()
        wanted = request.query_params.get("unit") or None
        units = [session.book.resolve_unit(wanted)] if wanted else None
        made = [f for f in forms.forms_for(session.book, session.obligations(), session.as_of, units) if f.rows]
        if not made:
            raise UsageError(f"{wanted or '各单位'} 截至 {session.as_of} 没有待办的任务，不生成填报表")
        contents = []
        for form in made:
            buffer = io.BytesIO()
            sheet.workbook(form, session.book.plan.campaign.start).save(buffer)
            contents.append((sheet.file_name(form), buffer.getvalue()))
        if wanted:
            return contents[0][1], contents[0][0], "xlsx"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, content in contents:
                bundle.writestr(name, content)
        return buffer.getvalue(), f"填报表-{session.as_of.isoformat()}.zip", "zip"

    content, name, kind = await run_in_threadpool(build)
    return _download(content, name, kind)


async def notice_file(request: Request):
    """督办通知单: a record under data/notices/ (committed), and its Word page downloaded."""
    from lanxi_cli.cli.common import commit_or_warn
    from lanxi_cli.cli.supervise import make_notices, notices_message

    bench: Workbench = request.app.state.bench
    fields = await form_of(request, 64 * 1024)

    def write():
        with WRITE:
            session = bench.open()
            unit = session.book.resolve_unit(str(fields.get("unit", "")))
            made = make_notices(session, [unit], str(fields.get("by", "")))
            commit_or_warn(session.data_dir, [path for path, _, _ in made], notices_message(made), "督办通知单记录")
            return made[0][2], f"督办通知单-{unit}-{session.as_of.isoformat()}.docx"

    content, name = await run_in_threadpool(write)
    return _download(content, name, "docx")


# ---- history -----------------------------------------------------------------------------


async def log_page(request: Request):
    def build():
        from lanxi_cli.io import gitio

        bench = request.app.state.bench
        try:
            changes = gitio.history(bench.data_dir)
            problem = None
        except gitio.GitError as exc:
            changes, problem = [], f"没有修改记录可看：{exc}"
        return dict(changes=changes[:500], problem=problem)

    return page(request, "log.html", title="记录", **await run_in_threadpool(build))


# ---- access code -------------------------------------------------------------------------


async def login(request: Request):
    gate: Gate = request.app.state.bench.gate
    if request.method == "GET":
        return page(request, "login.html", title="访问码", wrong=False)
    fields = await form_of(request, 16 * 1024)
    if gate.locked():
        return page(request, "login.html", status=429, title="访问码", wrong=False, locked=True)
    if gate.code_valid(str(fields.get("code", ""))):
        gate.opened.add(request.scope["state"]["session"])
        return RedirectResponse("/", status_code=303)
    gate.note_wrong()
    return page(request, "login.html", status=403, title="访问码", wrong=True)


# ---- errors: always a page with a Chinese sentence ------------------------------------------


async def on_lanxi_error(request: Request, exc: LanxiError):
    status = 403 if isinstance(exc, Refused) else 400 if isinstance(exc, UsageError) else 500
    return page(request, "error.html", status=status, title="无法完成", sentence=str(exc))


async def on_http_error(request: Request, exc: HTTPException):
    words = {404: "找不到这个页面", 405: "这个页面不接受这种请求", 400: "请求无效"}
    return page(request, "error.html", status=exc.status_code, title="无法完成",
                sentence=words.get(exc.status_code, f"请求无法完成（{exc.status_code}）"))


async def on_other_error(request: Request, exc: Exception):
    html = templates.get_template("error.html").render(title="无法完成", token="",
                                                        sentence="工作台出错了，这次操作没有完成；请重试，或改用命令行")
    return HTMLResponse(html, status_code=500)


def build(data_dir: Path, as_of: dt.date | None, gate: Gate) -> Guard:
    routes = [
        Route("/", overview),
        Route("/report/new", report_form),
        Route("/report/new", report_submit, methods=["POST"]),
        Route("/report/{id}", report_page),
        Route("/evidence/{id}/{n:int}", evidence_file),
        Route("/unit/{name}", unit_page),
        Route("/task/{id}", task_page),
        Route("/review", review_queue),
        Route("/review/{id}", _decision("reports"), methods=["POST"]),
        Route("/decisions", decisions_page),
        Route("/extension/new", _request_handler("extension"), methods=["POST"]),
        Route("/exemption/new", _request_handler("exemption"), methods=["POST"]),
        Route("/extension/{id}", _decision("extensions"), methods=["POST"]),
        Route("/exemption/{id}", _decision("exemptions"), methods=["POST"]),
        Route("/files", files_page),
        Route("/files/bulletin.docx", bulletin_file),
        Route("/files/ledger.xlsx", ledger_file),
        Route("/files/forms", form_files),
        Route("/files/notice", notice_file, methods=["POST"]),
        Route("/log", log_page),
        Route("/login", login, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        LanxiError: on_lanxi_error, HTTPException: on_http_error, Exception: on_other_error})
    app.state.bench = Workbench(data_dir, as_of, gate)
    _words()
    return Guard(app, gate, refusal)
