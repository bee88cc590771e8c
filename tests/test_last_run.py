"""db.runs reads the newest load run for a load with nothing changed, with plain SQL: on a SQLAlchemy
connection (either back end), or on a SQLite file with sqlite3 alone. Each must read exactly what the
load's own ORM reading (claimsdb.load.write, the models) reads, and name the models' own columns; the
sqlite3 reading must give up (None: "not known to be unchanged") on anything unusual, and never
create, change or lock a file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import DateTime, select

from claimsdb import api
from claimsdb.db import models
from claimsdb.db.migrate import HEAD_REVISION
from claimsdb.db.runs import NEWEST_RUN, RUN_FILES, LastRun, last_run, last_run_in_file
from claimsdb.load.write import last_run_files, last_run_fingerprints, last_run_version
from claimsdb.seeds import files
from conftest import execute_sql, loaded_copy


def test_the_core_reading_is_the_loads_own(basic_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RACY_NS", 0)  # every recorded fingerprint trusted: the sets compared are whole
    with api.open_database(basic_db) as database:
        with database.reading_connection() as connection:
            run = last_run(connection)
        with database.reading() as session:
            run_id, recorded = last_run_files(session)
            version = last_run_version(session, run_id)
            trusted_by_the_load = last_run_fingerprints(session, run_id)
            started = session.scalar(select(models.LoadRun.started_at).where(models.LoadRun.id == run_id))
    assert run is not None and run.read_from_ns is not None
    assert (run.run_id, run.claimsdb_version, run.files) == (run_id, version, recorded)
    assert recorded and trusted_by_the_load
    trusted = {path: f for path, f in run.fingerprints.items() if files.trusted(f, run.read_from_ns)}
    assert trusted == trusted_by_the_load
    assert started is not None
    as_recorded = started if started.tzinfo is not None else started.replace(tzinfo=dt.UTC)  # SQLite: UTC, no zone
    assert run.read_from_ns == int(as_recorded.timestamp()) * 1_000_000_000 + as_recorded.microsecond * 1_000


def test_sqlite3_alone_reads_what_sqlalchemy_reads(tmp_path: Path, basic_seeds: Path) -> None:
    """On a database made by a real load (the CLI's, into a new file), and again after a second
    load that read a changed file (a second run, with files of both kinds)."""
    path = tmp_path / "claims.db"
    api.load(str(path), basic_seeds)
    first = _both_readings(path)
    edited = sorted(basic_seeds.rglob("*.yaml"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    api.load(str(path), basic_seeds)
    second = _both_readings(path)
    assert first.run_id != second.run_id
    assert second.read_from_ns is not None and second.read_from_ns >= (first.read_from_ns or 0)


def _both_readings(path: Path) -> LastRun:
    with api.open_database(str(path)) as database, database.reading_connection() as connection:
        through_sqlalchemy = last_run(connection)
    through_sqlite3 = last_run_in_file(path, 5)
    assert through_sqlalchemy is not None and through_sqlalchemy.files and through_sqlalchemy.fingerprints
    assert through_sqlite3 == through_sqlalchemy
    return through_sqlite3


def test_the_last_run_says_whether_the_database_holds_claims(tmp_path: Path, basic_seeds: Path) -> None:
    """A load into a database whose runs left no claim writes as it parses (api._holds_no_claims)."""
    import yaml

    for path in basic_seeds.rglob("*.yaml"):
        if "claims" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) or path.name == "assessments.yaml":
            path.rename(path.with_suffix(".later"))
    path = tmp_path / "claims.db"
    assert api.load(str(path), basic_seeds).claims_total == 0
    assert not _both_readings(path).holds_claims
    for later in basic_seeds.rglob("*.later"):
        later.rename(later.with_suffix(".yaml"))
    assert api.load(str(path), basic_seeds).claims_total > 0
    assert _both_readings(path).holds_claims


def test_a_database_with_no_run_yet_has_no_last_run(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    api.migrate(str(path))
    with api.open_database(str(path)) as database, database.reading_connection() as connection:
        assert last_run(connection) is None
    assert last_run_in_file(path, 5) is None


def test_sqlite3_gives_up_on_anything_unusual_and_changes_nothing(
    tmp_path: Path, basic_seeds: Path, basic_sqlite_template: Path
) -> None:
    loaded = loaded_copy(basic_sqlite_template, basic_seeds, tmp_path / "claims.db")
    assert last_run_in_file(loaded, 5) is not None

    def copy(name: str, *changes: str) -> Path:
        path = tmp_path / name
        shutil.copyfile(loaded, path)
        for change in changes:
            execute_sql(str(path), change)
        return path

    unusual = {
        "missing": tmp_path / "missing.db",
        "empty": _written(tmp_path / "empty.db", b""),
        "garbage": _written(tmp_path / "garbage.db", b"not a database at all, " * 100),
        "truncated": _written(tmp_path / "truncated.db", loaded.read_bytes()[:4096]),
        "no schema": _written(tmp_path / "other.db", b"", "CREATE TABLE notes (x TEXT)"),
        "older revision": copy("older.db", "UPDATE alembic_version SET version_num = '0007'"),
        "newer revision": copy("newer.db", "UPDATE alembic_version SET version_num = 'f00dfeedbeef'"),
        "two revisions": copy("two.db", f"INSERT INTO alembic_version VALUES ('{HEAD_REVISION}x')"),
        "no runs table": copy("noruns.db", "DROP TABLE load_run_files", "DROP TABLE load_runs"),
        "a start that is no time": copy("notime.db", "UPDATE load_runs SET started_at = 'yesterday'"),
        "a start that is a number": copy("number.db", "UPDATE load_runs SET started_at = 12345"),
    }
    for what, path in unusual.items():
        before = path.read_bytes() if path.exists() else None
        assert last_run_in_file(path, 5) is None, what
        assert (path.read_bytes() if path.exists() else None) == before, what
    assert not list(tmp_path.glob("missing.db*"))  # never created


def _written(path: Path, data: bytes, *statements: str) -> Path:
    path.write_bytes(data)
    if statements:
        with sqlite3.connect(path) as connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
    return path


def test_sqlite3_waits_for_no_lock_it_cannot_get_and_gives_up(tmp_path: Path, basic_seeds: Path) -> None:
    """A database another process holds locked (rollback journal, a write under way): None after the wait."""
    path = tmp_path / "claims.db"
    api.load(str(path), basic_seeds)
    with sqlite3.connect(path, isolation_level=None) as holder:
        holder.execute("PRAGMA journal_mode=DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        assert last_run_in_file(path, 0.1) is None
        holder.execute("ROLLBACK")
    holder.close()
    assert last_run_in_file(path, 0.1) is not None


def test_the_sql_names_the_models_columns() -> None:
    for sql in (NEWEST_RUN, RUN_FILES):
        found = re.fullmatch(r"SELECT (?P<columns>[\w, ]+) FROM (?P<table>\w+) .*", sql)
        assert found is not None, sql
        model = models.Base.metadata.tables[found["table"]]
        for name in found["columns"].split(", "):
            assert name in model.columns, f"{found['table']}.{name}"
    started = models.Base.metadata.tables["load_runs"].columns["started_at"].type
    assert isinstance(started, DateTime) and started.timezone  # what runs._moment reads back
