"""The layers hold: every import of lanxi_cli, function-level ones included,
goes the way README.md's table of layers says, and that table says what
RULE says; and no modules import each other round in a cycle, whether the
imports sit at the top of a module or inside a function.

    cli ──▶ store ──▶ io ──▶ core
     └────▶ render ─────────▶ core

`errors` and the package's own `__init__` (its version) may be imported from
anywhere; the package's `__init__`/`__main__` start the cli.
"""

from __future__ import annotations

import ast
import graphlib
import re
import shutil
from pathlib import Path

from conftest import ROOT

# Each layer (a folder of lanxi_cli) and the layers it may import besides itself.
RULE = {
    "core": set(),
    "io": {"core"},
    "render": {"core"},
    "store": {"io", "core"},
    "cli": {"store", "render", "io", "core"},
}
ANYWHERE = {"lanxi_cli", "lanxi_cli.errors"}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(package: Path):
    """(importing module, imported module, line) for every import of lanxi_cli
    in the package, at any depth of the syntax tree (inside functions too)."""
    modules = {module_name(p, package) for p in package.rglob("*.py")}
    for path in sorted(package.rglob("*.py")):
        me = module_name(path, package)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the importing module's package
                    base = me.split(".")[: len(me.split(".")) - node.level + (path.name == "__init__.py")]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                # `from lanxi_cli.io import save` imports the module lanxi_cli.io.save
                found = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
            else:
                continue
            for name in found:
                if name == "lanxi_cli" or name.startswith("lanxi_cli."):
                    yield me, name, node.lineno


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RULE) else "root"


def wrong_way(package: Path) -> dict[tuple[str, str], int]:
    """Every import that goes against RULE: (importer, imported) → its line."""
    found = {}
    for me, name, line in imports(package):
        if name in ANYWHERE:
            continue
        mine, theirs = layer(me), layer(name)
        allowed = {"cli"} if mine == "root" else {mine, *RULE.get(mine, ())}
        if theirs not in allowed:
            found.setdefault((me, name), line)
    return found


def test_every_import_goes_the_way_of_the_layers():
    wrong = wrong_way(ROOT / "lanxi_cli")
    assert not wrong, "\n".join(f"{a} imports {b} (line {line})" for (a, b), line in sorted(wrong.items()))


def test_a_planted_wrong_way_import_is_found(tmp_path):
    """The positive control: an import of the cli inside a function of core,
    and one of io at the top of render, planted in a copy of the package."""
    copy = tmp_path / "lanxi_cli"
    shutil.copytree(ROOT / "lanxi_cli", copy, ignore=shutil.ignore_patterns("__pycache__"))
    calendar = copy / "core" / "calendar.py"
    calendar.write_text(calendar.read_text(encoding="utf-8")
                        + "\n\ndef planted():\n    from lanxi_cli.cli import common  # noqa\n", encoding="utf-8")
    words = copy / "render" / "words.py"
    words.write_text("from lanxi_cli.io import gitio  # noqa\n" + words.read_text(encoding="utf-8"), encoding="utf-8")
    found = wrong_way(copy)
    assert ("lanxi_cli.core.calendar", "lanxi_cli.cli.common") in found
    assert found[("lanxi_cli.render.words", "lanxi_cli.io.gitio")] == 1
    assert ("lanxi_cli.core.calendar", "lanxi_cli.core.domain") not in found  # a right-way import is not


def cycle(package: Path) -> list[str] | None:
    """A cycle of imports among the package's modules (its first module
    repeated at its end), None where there is none. An import of the package
    itself (its version, its Ctrl-C sentence) is no edge: Python imports it
    before anything inside it, and it imports nothing of lanxi at its top
    (test below), so no module can meet it half-imported."""
    graph: dict[str, set[str]] = {}
    for me, name, _line in imports(package):
        if name != me and name != package.name:
            graph.setdefault(me, set()).add(name)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return exc.args[1]
    return None


def test_no_modules_import_each_other_round_in_a_cycle():
    found = cycle(ROOT / "lanxi_cli")
    assert found is None, " imports ".join(reversed(found))
    top = ast.parse((ROOT / "lanxi_cli" / "__init__.py").read_text(encoding="utf-8")).body
    assert not [node for node in top if isinstance(node, ast.Import | ast.ImportFrom)
                and "lanxi_cli" in ast.unparse(node)]  # why the package itself is no edge


def test_a_planted_cycle_is_found(tmp_path):
    """The positive controls: core.domain importing core.engine inside a
    function (engine imports domain at its top), and render.words importing
    render.tables at its top (tables imports words), each in a copy."""
    for module, planted, expected in (
        ("core/domain.py", "\n\ndef planted():\n    from lanxi_cli.core import engine  # noqa\n",
         {"lanxi_cli.core.domain", "lanxi_cli.core.engine"}),
        ("render/words.py", "from lanxi_cli.render import tables  # noqa\n",
         {"lanxi_cli.render.words", "lanxi_cli.render.tables"}),
    ):
        copy = tmp_path / module.split("/")[0] / "lanxi_cli"
        shutil.copytree(ROOT / "lanxi_cli", copy, ignore=shutil.ignore_patterns("__pycache__"))
        path = copy / module
        text = path.read_text(encoding="utf-8")
        path.write_text(text + planted if planted.startswith("\n") else planted + text, encoding="utf-8")
        found = cycle(copy)
        assert found is not None and expected <= set(found), found  # any cycle now runs through the planted edge


def readme_layers() -> dict[str, set[str]]:
    """README.md's table of layers: each layer and what it says it may import."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The layers", 1)[1].split("\n### ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`lanxi_cli/(\w+)/`", cells[0]) if len(cells) == 3 else None
        if match is None:
            continue
        says = cells[2]
        if says == "all of the above":
            table[match[1]] = set(table)
        else:
            table[match[1]] = {name for name in re.findall(r"\b(\w+)\b", says) if name in RULE}
    return table


def test_the_readme_table_of_layers_says_what_the_rule_says():
    assert readme_layers() == RULE
