"""`claims --help` stays fast: it must not import the database, migration or validation stacks.
A load with nothing changed stays fast too: it reads the last run's files and stats the seeds, so
it must not import the seed reader, nor the modules that query, export or chart claims, nor rich to
print one line; on a SQLite file, not even SQLAlchemy."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

from claimsdb import api
from claimsdb.cli import app

HEAVY = ("sqlalchemy", "alembic", "pydantic", "yaml", "rich.table")


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys\n"
        "from claimsdb.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help_text() -> None:
    import typer.main

    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        assert command.help and len(command.help) > 20, name


NOT_FOR_AN_UNCHANGED_LOAD = (
    "yaml",
    "pydantic",
    "alembic",
    "claimsdb.seeds.schema",
    "claimsdb.seeds.parse",
    "claimsdb.seeds.read",
    "claimsdb.query",
    "claimsdb.provenance",
    "claimsdb.export",
    "claimsdb.figures",
    "claimsdb.linked_data",
    "claimsdb.verify",
    "claimsdb.load.write",
    "claimsdb.db.models",
    "sqlalchemy.orm",
)
"""pydantic among them: Typer 0.29 imports it, and builds a validator, for any option that is not a
flag (about 0.09 s a command), so Typer is pinned at 0.28 (pyproject.toml)."""


NOT_FOR_AN_UNCHANGED_SQLITE_LOAD = ("sqlalchemy", "rich")
"""On a SQLite file the last run is read with sqlite3 alone (db.runs.last_run_in_file), and the one
line is printed without rich; on PostgreSQL the reading needs SQLAlchemy's Core, but the printing no rich."""


def test_a_load_with_nothing_changed_imports_only_what_it_needs(
    basic_db: str, basic_seeds: Path, backend: str
) -> None:
    unwanted = NOT_FOR_AN_UNCHANGED_LOAD + (NOT_FOR_AN_UNCHANGED_SQLITE_LOAD if backend == "sqlite" else ("rich",))
    probe = (
        "import sys\n"
        "from claimsdb.cli import app\n"
        f"try:\n    app(['--db', {basic_db!r}, 'load', {str(basic_seeds)!r}, '--quiet'])\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("Nothing changed: "), result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _quiet_load_after_an_edit(basic_db: str, basic_seeds: Path, watched: tuple[str, ...]) -> tuple[str, str]:
    """`claims load --quiet` in a process of its own after one claim's statement is edited: what it
    printed, and (its last line) which of `watched` it imported."""
    seed = sorted(basic_seeds.glob("*executions*.yaml"))[0]
    text = seed.read_text(encoding="utf-8")
    edited = re.sub(r"^(    statement: )(?=[A-Za-z])", r"\1Edited, ", text, count=1, flags=re.MULTILINE)
    assert edited != text
    seed.write_text(edited, encoding="utf-8")
    probe = (
        "import sys\n"
        "from claimsdb.cli import app\n"
        f"try:\n    app(['--db', {basic_db!r}, 'load', {str(basic_seeds)!r}, '--quiet'])\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        f"print(sorted(m for m in {watched!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout, result.stdout.strip().splitlines()[-1]


def test_a_quiet_load_that_changes_claims_prints_its_report_without_rich(basic_db: str, basic_seeds: Path) -> None:
    """--quiet prints only the load report: plain lines (LoadReport.lines), so rich is never imported."""
    printed, imported = _quiet_load_after_an_edit(basic_db, basic_seeds, ("rich",))
    assert printed.startswith("Loaded "), printed
    assert "\n  changed: " in printed
    assert imported == "[]"


def test_a_load_of_one_changed_file_leaves_the_seed_stack_to_its_worker(basic_db: str, basic_seeds: Path) -> None:
    """The changed file is parsed and validated by the worker started ahead (seeds.workers): this
    process, the one the load waits for, never imports the YAML parser or pydantic."""
    printed, imported = _quiet_load_after_an_edit(basic_db, basic_seeds, ("yaml", "pydantic", "claimsdb.seeds.schema"))
    assert "\n  changed: " in printed, printed
    assert imported == "[]"


def test_api_names_each_lazy_result_for_type_checkers_and_at_run_time() -> None:
    """LAZY_NAMES and api's TYPE_CHECKING imports list the same names, and each is its module's own."""
    tree = ast.parse(inspect.getsource(api))
    checked = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    for_type_checkers = {
        (node.module, alias.name)
        for node in checked.body
        if isinstance(node, ast.ImportFrom) and node.module in api.LAZY_NAMES
        for alias in node.names
    }
    assert for_type_checkers == {(module, name) for module, names in api.LAZY_NAMES.items() for name in names}
    for module, name in sorted(for_type_checkers):
        assert getattr(api, name) is getattr(importlib.import_module(module), name), name
        assert name in dir(api)
    assert not hasattr(api, "no_such_result")


def test_the_program_skips_the_last_sweep_for_cycles() -> None:
    """`claims` and `python -m claimsdb` run cli.run, which leaves the collector nothing to sweep at exit."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="claims")
    assert script.value == "claimsdb.cli:run"
    probe = (
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['claims', '--help']\n"
        "runpy.run_module('claimsdb', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Usage: claims" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "frozen: True"
