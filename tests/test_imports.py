"""Start-up stays light: the command module imports no heavy library."""

from __future__ import annotations

import pytest
from conftest import ROOT

from lanxi_cli.cli import COMMANDS


def test_importing_the_cli_imports_no_pydantic_yaml_or_rich():
    import subprocess
    import sys

    code = (
        "import sys, lanxi_cli.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'yaml', 'rich'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.stdout.strip() == "[]"


def test_a_warm_query_imports_neither_yaml_nor_pydantic(data_dir, tmp_path):
    """Served from the cache, a query never loads the YAML parser or the validator."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lanxi_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'pydantic'})))\n"
    )
    for path in data_dir.rglob("*"):  # the cache leaves files changed in the last seconds alone
        os.utime(path, (path.stat().st_atime - 3600, path.stat().st_mtime - 3600))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = [sys.executable, "-c", code, "tasks", "--overdue", "--data", str(data_dir), "--as-of", "2020-09-04"]
    cold = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    warm = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    assert "yaml" in cold.stderr  # the first run reads the files
    assert warm.stderr == "[]"
    assert warm.stdout == cold.stdout


def _modules_after(args: list[str], env: dict) -> tuple[set[str], str]:
    """Run lanxi with `args` in a fresh interpreter: (every module then loaded, its stdout)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lanxi_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return set(result.stderr.rsplit("MODULES ", 1)[1].split()), result.stdout


COMMAND_MODULES = {target.split(":")[0] for target in COMMANDS.values()}


def test_a_query_imports_its_own_command_module_and_nothing_it_does_not_use(data_dir, tmp_path):
    """Warm `tasks --format json`: one command module, no validator, no constraint
    markers, no YAML, no rich (json needs no table), no OpenSSL for the cache digest."""
    import os

    for path in data_dir.rglob("*"):
        os.utime(path, (path.stat().st_atime - 3600, path.stat().st_mtime - 3600))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["tasks", "--overdue", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json"]
    _modules_after(args, env)  # fills the cache
    loaded, out = _modules_after(args, env)
    assert out.startswith("[")
    assert loaded & COMMAND_MODULES == {"lanxi_cli.cli.query"}
    roots = {name.split(".")[0] for name in loaded}
    assert roots & {"annotated_types", "pydantic", "pydantic_core", "yaml", "rich", "_hashlib", "csv"} == set()
    loaded, _ = _modules_after(args[:-2], env)  # the table form needs rich, not json or csv
    assert "rich" in loaded and {"json", "csv"} & loaded == set()


def test_importing_the_cli_imports_no_command_module():
    import subprocess
    import sys

    code = "import sys, lanxi_cli.cli; print(sorted(m for m in sys.modules if m.startswith('lanxi_cli.cli.')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.stdout.strip() == "[]"


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """The names of the commands typer builds, in order, while a test runs."""
    import typer.main

    names: list[str] = []
    build = typer.main.get_command_from_info

    def counting(command_info, **kwargs):
        names.append(command_info.name)
        return build(command_info, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    return names


def test_a_command_builds_only_itself(cli, data_dir, built):
    result = cli("tasks", "--overdue", "--data", str(data_dir), "--as-of", "2020-09-04", "--format", "json")
    assert result.exit_code == 0, result.output
    assert built == ["tasks"]
    built.clear()
    result = cli("report", "list", "--data", str(data_dir), "--as-of", "2020-09-04")
    assert result.exit_code == 0, result.output
    assert built == ["list"]


def test_help_lists_and_builds_every_command(cli, built):
    from lanxi_cli.cli import COMMANDS

    result = cli("--help")
    assert result.exit_code == 0, result.output
    top = [name for name in COMMANDS if " " not in name]
    assert built == top
    for name in top:
        assert f"│ {name} " in result.stdout
    for group in ("report", "extension", "exemption", "indicator", "form", "unit"):
        assert f"│ {group} " in result.stdout


def test_an_unknown_name_is_named_with_its_near_misses(cli, built):
    result = cli("repot")
    assert result.exit_code == 2
    assert "repot" in result.stderr and "是否想用 report" in result.stderr  # "did you mean", from the names alone
    assert built == []
    result = cli("report", "ad")
    assert result.exit_code == 2
    assert "是否想用 add" in result.stderr
    assert built == []


def test_every_entry_names_a_command_function_and_every_group_has_help(cli, built):
    """The whole tree builds: each COMMANDS entry is a function with a docstring,
    each group (the first word of a two-word name) has its help line in GROUPS."""
    import typer.main

    from lanxi_cli.cli import COMMANDS, GROUPS, app

    root = typer.main.get_command(app)
    assert {name.split(" ")[0] for name in COMMANDS if " " in name} == set(GROUPS)
    for name in COMMANDS:
        command = root
        for word in name.split(" "):
            assert word in command.commands
            command = command.commands[word]
        assert command.help, name
    assert sorted(built) == sorted(name.rsplit(" ", 1)[-1] for name in COMMANDS)
    for name, help_line in GROUPS.items():
        assert root.commands[name].help == help_line


def test_every_domain_class_builds_its_validator_without_an_earlier_import():
    """The domain's constraint markers come from annotated_types only when pydantic
    needs them (domain.schema_names): in a fresh interpreter every class gets a
    validator, and the constraints are those the annotations state."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from lanxi_cli.core import domain\n"
        "from lanxi_cli.io import document\n"
        "assert 'annotated_types' not in sys.modules\n"
        "classes = [c for c in vars(domain).values() if isinstance(c, type) and c.__module__ == domain.__name__\n"
        "           and hasattr(c, '__dataclass_fields__')]\n"
        "print(json.dumps({c.__name__: document.adapter(c).json_schema() for c in classes}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    schemas = json.loads(result.stdout)
    assert len(schemas) >= 25
    report = schemas["Report"]["properties"]
    assert report["task"]["anyOf"] == [{"minLength": 1, "type": "string"}, {"type": "null"}]  # None: a 旬报 alone
    assert report["unit"]["minLength"] == 1
    assert report["count"]["anyOf"][0]["minimum"] == 0
    assert (report["rate"]["anyOf"][0]["minimum"], report["rate"]["anyOf"][0]["maximum"]) == (0, 1)
    scoring = schemas["Scoring"]["properties"]
    assert (scoring["late"]["exclusiveMinimum"], scoring["late"]["exclusiveMaximum"]) == (0, 1)
    days = schemas["ProgressReports"]["properties"]["days"]
    assert days["minItems"] == 1 and days["items"] == {"maximum": 31, "minimum": 1, "type": "integer"}


def test_no_command_but_serve_imports_the_web_stack(data_dir):
    """The workbench's libraries load only for `lanxi serve`: help (which builds every command, serve's
    among them) and a query start as fast as before."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lanxi_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'starlette', 'uvicorn', 'jinja2', 'multipart', 'anyio'})))\n"
    )
    for args in (["--help"], ["serve", "--help"], ["status", "--data", str(data_dir), "--as-of", "2020-09-04"]):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                env={"PYTHONPATH": str(ROOT), "PATH": "", "COLUMNS": "80"})
        assert result.stderr.endswith("[]"), (args, result.stderr[-300:])
    control = subprocess.run([sys.executable, "-c", "import lanxi_cli.cli.web.app, sys;"
                              "print('starlette' in sys.modules)"], capture_output=True, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert control.stdout.strip() == "True"  # the check would see them
