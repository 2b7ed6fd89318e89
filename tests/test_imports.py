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
