"""A new SQLite file gets its schema from db/sqlite_schema.py, which must be exactly what the migrations make.

The snapshot spares a first load importing Alembic and replaying every revision. These tests keep it
honest: the statements rebuild, entry for entry and row for row, the file Alembic makes; the module
is what its generator writes now; a first load's database is at head with no drift, and its process
never imports Alembic. PostgreSQL still goes through the migrations.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from claimsdb.db import sqlite_schema
from claimsdb.db.engine import database_url
from claimsdb.db.migrate import HEAD_REVISION, ensure_current
from claimsdb.db.snapshot_schema import COMMAND, MODULE, canonical, migrated_schema, render, schema_entries
from conftest import PROJECT, _new_pg_database, alembic, load_seeds

STALE = f"db/sqlite_schema.py is not what the migrations make now: regenerate it with `{COMMAND}`"


def _raw_entries(path: Path | str) -> list[tuple[str, str, str, str | None]]:
    """Every entry of sqlite_master (autoindexes and FTS5's shadow tables too), as SQLite holds it."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    finally:
        connection.close()


def _contents(path: Path | str) -> dict[str, Any]:
    """What a new database holds beyond its entries: every table's rows (FTS5's own too; not sqlite_master's,
    whose page numbers differ), and the header's user_version."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name for (name,) in connection.execute("SELECT name FROM pragma_table_list WHERE schema = 'main'")
            if not name.startswith("sqlite_")
        ]  # fmt: skip
        rows = {table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
        return {"rows": rows, "user_version": connection.execute("PRAGMA user_version").fetchone()[0]}
    finally:
        connection.close()


def _alembics_file(tmp_path: Path) -> Path:
    """A new file upgraded to head by Alembic through migrations/env.py, as `alembic upgrade head` does."""
    path = tmp_path / "alembic.db"
    alembic(str(path), "upgrade", "head")
    return path


def test_the_snapshot_rebuilds_what_the_migrations_make(tmp_path: Path) -> None:
    expected = _alembics_file(tmp_path)
    path = tmp_path / "snapshot.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    for statement in sqlite_schema.STATEMENTS:
        connection.execute(statement)
    connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (sqlite_schema.REVISION,))
    connection.execute("COMMIT")
    connection.close()

    names = sorted(entry[:3] for entry in _raw_entries(path))
    assert names == sorted(entry[:3] for entry in _raw_entries(expected)), STALE
    assert schema_entries(path) == schema_entries(expected), STALE
    assert _contents(path) == _contents(expected), STALE
    assert _contents(path)["rows"]["alembic_version"] == [(HEAD_REVISION,)], STALE


def test_the_canonical_text_only_puts_a_tables_constraints_in_order(tmp_path: Path) -> None:
    """Alembic's batch mode writes a re-created table's constraints in an order that differs from one
    process to the next; the comparison sorts them, and changes nothing else."""
    columns = "CREATE TABLE t (\n\tb INTEGER, \n\ta INTEGER, \n\t"
    shuffled = columns + "CONSTRAINT z CHECK (b > 0), \n\tCONSTRAINT pk_t PRIMARY KEY (a)\n)"
    assert canonical(shuffled) == columns + "CONSTRAINT pk_t PRIMARY KEY (a), \n\tCONSTRAINT z CHECK (b > 0)\n)"
    for _, _, _, sql in _raw_entries(_alembics_file(tmp_path)):
        assert sorted(canonical(sql) or "") == sorted(sql or "")


def test_the_snapshot_is_taken_at_head() -> None:
    assert sqlite_schema.REVISION == HEAD_REVISION, STALE  # test_migrations ties HEAD_REVISION to Alembic's head


def test_the_module_is_what_its_generator_writes_now(tmp_path: Path) -> None:
    assert MODULE.read_text(encoding="utf-8") == render(*migrated_schema(tmp_path / "schema.db")), STALE


def test_ensure_current_makes_a_new_file_from_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    engine = create_engine(database_url(str(path)))
    try:
        with engine.begin() as connection:
            ensure_current(connection, create=True)
    finally:
        engine.dispose()
    expected = _alembics_file(tmp_path)
    assert schema_entries(path) == schema_entries(expected)
    assert _contents(path) == _contents(expected)


def test_a_first_load_into_a_new_file_has_alembics_schema_at_head_with_no_drift(
    basic_seeds: Path, tmp_path: Path
) -> None:
    path = tmp_path / "claims.db"
    load_seeds(str(path), basic_seeds)
    expected = schema_entries(_alembics_file(tmp_path))
    assert schema_entries(path) == expected

    alembic(str(path), "upgrade", "head")
    assert schema_entries(path) == expected
    assert _contents(path)["rows"]["alembic_version"] == [(HEAD_REVISION,)]
    checked = _alembic_program("check", db=str(path))
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected." in checked.stdout + checked.stderr


def test_a_first_load_on_postgresql_goes_through_the_migrations(
    request: pytest.FixtureRequest, basic_seeds: Path
) -> None:
    """The snapshot is SQLite's alone: PostgreSQL's full-text index, made only by revision 0002, is there."""
    url = _new_pg_database(request.getfixturevalue("postgres"))
    load_seeds(url, basic_seeds)
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        assert "ix_claims_search" in {index["name"] for index in inspect(engine).get_indexes("claims")}
    finally:
        engine.dispose()
    checked = _alembic_program("check", db=url)
    assert checked.returncode == 0, checked.stderr


def _alembic_program(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMS_DB": database_url(db)}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def _imported(args: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m claimsdb ARGS`; the top-level packages it imported."""
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claimsdb", *args],
        cwd=PROJECT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = (line for line in result.stderr.splitlines() if line.startswith("import time:") and "|" in line)
    return result, {line.rsplit("|", 1)[1].strip().split(".")[0] for line in lines}


def test_a_first_load_never_imports_alembic(basic_seeds: Path, tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    result, packages = _imported(["--db", str(path), "load", str(basic_seeds), "-q"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "claimsdb" in packages and "sqlalchemy" in packages  # the list is read right
    assert "alembic" not in packages and "mako" not in packages
    assert _contents(path)["rows"]["alembic_version"] == [(HEAD_REVISION,)]
    assert schema_entries(path) == schema_entries(_alembics_file(tmp_path))

    migrated, packages = _imported(["--db", str(tmp_path / "migrated.db"), "migrate"])
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert "alembic" in packages  # `claims migrate` still runs the revisions
