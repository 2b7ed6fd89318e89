"""The set-up commands' one way of changing plan.yaml or tasks.yaml: splice
one entry (io.yamledit), check the result as `lanxi check` does, write it
whole (never half), and commit the file in one commit."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from lanxi_cli.errors import DataError, UsageError
from lanxi_cli.io.locate import PLAN_FILE, TASKS_FILE, display_path

FILES = {"plan": PLAN_FILE, "tasks": TASKS_FILE}


def read(data_dir: Path, key: str) -> str:
    from lanxi_cli.io import yamlio
    from lanxi_cli.io.document import MAX_PLAN_BYTES

    path = data_dir / FILES[key]
    return yamlio.read_text(path, MAX_PLAN_BYTES, display_path(path, data_dir), data_dir)


def uncommitted(data_dir: Path) -> list[tuple[Path, str]]:
    """plan.yaml and tasks.yaml where they differ from the last commit, each
    with the one git command that commits it; [] outside git or without it."""
    from lanxi_cli.io import gitio

    try:
        top = gitio.work_tree(data_dir)
        if top is None:
            return []
        paths = [(data_dir / name).resolve() for name in FILES.values()]
        rels = [str(p.relative_to(top.resolve())) for p in paths]
        result = gitio._git(["status", "--porcelain", "--", *rels], top)
    except (gitio.GitError, ValueError, OSError):
        return []
    changed = {line[3:].strip().strip('"') for line in result.stdout.splitlines() if line.strip()}
    return [(path, f"git -C {top} commit -m 修改计划 -- {rel}")
            for path, rel in zip(paths, rels, strict=True) if rel in changed]


def validate(data_dir: Path, texts: dict[str, str]):
    """The Book the new texts give, read as every command reads them; else a
    UsageError (nothing written) naming each problem at its line, as `check` would."""
    from dataclasses import replace

    from lanxi_cli.io import load

    with tempfile.TemporaryDirectory(prefix="lanxi-edit-") as scratch:
        folder = Path(scratch)
        for key, name in FILES.items():
            (folder / name).write_text(texts[key], encoding="utf-8")
        try:
            return load.load_book(folder)
        except DataError as exc:
            problems = [replace(p, file=display_path(data_dir / Path(p.file).name, data_dir)) for p in exc.problems]
            raise UsageError("这样修改后计划将无法通过检查，没有写入任何内容", problems) from None


def change(data_dir: Path, key: str, edit: Callable[[object], None]):
    """Apply `edit` to the Document of plan.yaml or tasks.yaml (`key`), check,
    and write (the caller commits). Refused (nothing written) while the file holds an
    uncommitted hand edit, which lanxi's commit would otherwise take along.
    Returns (the new Book, or None when nothing changed; the file)."""
    from lanxi_cli.io import gitio, save, yamledit

    gitio.refuse_unfinished(data_dir)
    path = data_dir / FILES[key]
    for dirty, command in uncommitted(data_dir):
        if dirty == path.resolve():
            raise UsageError(f"{display_path(path, data_dir)} 有尚未提交的修改，lanxi 不会把它们混进自己的提交；"
                             f"请先提交：{command}")
    texts = {k: read(data_dir, k) for k in FILES}
    document = yamledit.Document(texts[key])
    edit(document)
    if document.text == texts[key]:
        return None, path
    texts[key] = document.text
    book = validate(data_dir, texts)
    save.write_replace(path, lambda handle: handle.write(document.text.encode("utf-8")))
    return book, path
