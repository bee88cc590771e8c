"""The declared layers hold: import-linter checks pyproject.toml's contracts on every test run.

cli -> web -> render -> api -> export | figures | linked_data | load | verify -> provenance -> query
-> seeds | db -> progress | errors; and the CLI, the web site and render reach the library only
through claimsdb.api, with no SQLAlchemy of their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"  # installed by the dev group's import-linter


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the claimsdb package found under `source_root`, with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=source_root, check=False,
    )  # fmt: skip


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path) -> None:
    """The check can fail: the web reaching past api into query, and query reaching up into api."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "claimsdb", copy / "claimsdb", ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "claimsdb" / "web" / "views.py").open("a", encoding="utf-8") as views:
        views.write("\nfrom claimsdb.query import list_claims  # noqa: E402\n")
    with (copy / "claimsdb" / "query.py").open("a", encoding="utf-8") as query:
        query.write("\nfrom claimsdb import api  # noqa: E402\n")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert "claimsdb.web.views -> claimsdb.query" in result.stdout
    assert "claimsdb.query -> claimsdb.api" in result.stdout


LONGEST_LINE = 120


def test_no_line_is_longer_than_120_characters() -> None:
    """Code reads side by side in a review: the package, its migrations, tests and benchmarks."""
    too_long = [
        f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
        for folder in ("src", "migrations", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LONGEST_LINE
    ]
    assert not too_long, "\n".join(too_long)
