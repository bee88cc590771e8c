"""Models and migrations never drift; revisions go up and down; odd schema states are refused clearly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_alembic.tests import (  # noqa: F401 - collected as tests here
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)


from claimsdb.db.engine import database_url, make_engine
from claimsdb.db.migrate import head_revision, migrations_dir
from conftest import PROJECT, alembic, execute_sql

Cli = Callable[..., Any]


@pytest.fixture
def alembic_config() -> dict[str, str]:
    return {"script_location": str(migrations_dir()), "path_separator": "os"}


@pytest.fixture
def alembic_engine(db_url: str) -> Any:
    """pytest-alembic's built-in tests run on an empty SQLite file and an empty PostgreSQL database."""
    return make_engine(database_url(db_url))



def _alembic(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMS_DB": url}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def test_the_head_constant_is_alembics_head() -> None:
    from claimsdb.db.migrate import KNOWN_REVISIONS, alembic_head

    assert head_revision() == alembic_head()
    versions = {p.name.split("_")[1] for p in (migrations_dir() / "versions").glob("*.py")}
    assert versions == KNOWN_REVISIONS


def test_alembic_check_finds_no_drift_through_the_real_command(db_url: str) -> None:
    alembic(db_url, "upgrade", "head")
    result = _alembic("check", url=database_url(db_url))
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected." in result.stdout + result.stderr


def test_a_database_from_a_newer_claimsdb_is_refused(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    execute_sql(basic_db, "UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    for args in (("list",), ("load", str(basic_seeds), "--force"), ("migrate",)):
        result = cli("--db", basic_db, *args)
        assert result.exit_code == 1, args
        assert "is at schema revision 'f00dfeedbeef', which this claimsdb does not know" in result.stderr
        assert "Upgrade claimsdb to use it." in result.stderr


def test_a_database_with_foreign_tables_is_refused(cli: Cli, db_url: str, basic_seeds: Path) -> None:
    execute_sql(db_url, "CREATE TABLE notes (x TEXT)")
    result = cli("--db", db_url, "load", basic_seeds)
    assert result.exit_code == 1
    assert "holds tables but no claimsdb schema revision; is it a claimsdb database?" in result.stderr


def test_migrate_creates_then_reports_current(cli: Cli, db_url: str) -> None:
    first = cli("--db", db_url, "migrate")
    assert first.exit_code == 0 and f"Schema upgraded from empty to {head_revision()}." in first.stdout
    again = cli("--db", db_url, "migrate")
    assert again.exit_code == 0 and f"Schema already at {head_revision()}." in again.stdout


def test_an_older_schema_is_refused_until_migrated(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    """A database left at revision 0001 (before full-text search) by an older claimsdb."""
    alembic(basic_db, "downgrade", "0001")
    for args in (("list",), ("load", str(basic_seeds), "--force")):
        result = cli("--db", basic_db, *args)
        assert result.exit_code == 1, args
        assert (
            f"is at schema revision 0001; this claimsdb needs {head_revision()}. Run `claims migrate`" in result.stderr
        )
    result = cli("--db", basic_db, "migrate")
    assert result.exit_code == 0 and f"Schema upgraded from 0001 to {head_revision()}." in result.stdout
    listed = cli("--db", basic_db, "list", "--search", "bullets", "-f", "json")
    assert [row["id"] for row in json.loads(listed.stdout)] == ["hrdc-2018-interviewee-not-worth-bullets"]
