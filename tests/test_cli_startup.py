"""`claims --help` stays fast: it must not import the database, migration or validation stacks."""

from __future__ import annotations

import subprocess
import sys

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
