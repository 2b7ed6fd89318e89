"""Start-up stays light: the command module imports no heavy library."""

from __future__ import annotations

from conftest import ROOT


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
