"""Shared fixtures: real seed copies, real SQLite files, the real CLI.

Every database test runs against a fresh database file under pytest's tmp_path; nothing is mocked.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimsdb.cli import app

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the project's real seeds, free to edit."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite database file that does not exist yet."""
    return str(tmp_path / "claims.db")


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Run `claims ARGS...` through Typer's test runner, wide enough that tables do not wrap."""
    runner = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def loaded_db(db_url: str, seeds_dir: Path, cli: Callable[..., Any]) -> str:
    """A database with the real seeds loaded through the CLI."""
    result = cli("--db", db_url, "load", seeds_dir, "--quiet")
    assert result.exit_code == 0, result.output
    return db_url


def sqlite_dump(path: str | Path) -> list[str]:
    """Every statement needed to rebuild the database: equal dumps mean equal databases."""
    if not Path(path).exists():
        return []
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def write_seed(directory: Path, name: str, text: str) -> Path:
    """Write a seed YAML file (creating folders) and return its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
