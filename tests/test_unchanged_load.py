"""A load with nothing changed, on a SQLite file, reads the last run with sqlite3 alone and prints its
one line without rich (tests/test_cli_startup.py holds the imports). What it prints, and what any
other load says about a database it cannot use, must be what they were when both went through
SQLAlchemy and rich: these tests pin them through the real CLI. And the SQLite URLs it reads without
SQLAlchemy must mean what SQLAlchemy's make_url makes of them."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy.engine import make_url

from claimsdb import api
from claimsdb.chars import visible
from claimsdb.errors import ClaimsError
from claimsdb.db.engine import database_url, describe, plain_sqlite_file, sqlite_file
from claimsdb.db.migrate import HEAD_REVISION
from claimsdb.render import text
from conftest import BASIC, execute_sql, loaded_copy, snapshot
from test_hostile_server import PLACES

Cli = Callable[..., Any]


def test_nothing_changed_is_one_line_in_the_report_s_words(cli: Cli, tmp_path: Path) -> None:
    """Read from a folder whose name holds a bidirectional override and an escape: shown visibly,
    as render (rich) shows stored text, never obeyed."""
    seeds = tmp_path / "seeds \u202e\x1b[2J"
    shutil.copytree(BASIC, seeds)
    db = str(tmp_path / "claims.db")
    assert cli("--db", db, "load", seeds, "--quiet").exit_code == 0
    quiet = cli("--db", db, "load", seeds, "--quiet")
    assert quiet.exit_code == 0, quiet.output
    name = api.open_database(db).name
    words = f"Nothing changed: every seed file and document in {visible(str(seeds))} matches load run 1. ({name})"
    assert quiet.stdout == words + "\n" and quiet.stderr == ""
    assert "<U+202E><U+001B>[2J" in quiet.stdout

    report = api.LoadReport(run_id=None, seeds_dir=str(seeds), nothing_changed=True, previous_run_id=1)
    rendered = io.StringIO()
    Console(file=rendered, width=1000, markup=False, highlight=False).print(text(report.lines(name)[0]))
    assert rendered.getvalue() == quiet.stdout

    talkative = cli("--db", db, "load", seeds)
    assert talkative.exit_code == 0
    assert talkative.stdout.startswith(words + "\n32 claims (0 withdrawn) from 3 documents")


REVISION_MESSAGES = {
    "0007": "Error: the database {name} is at schema revision 0007; this claimsdb needs {head}. "
    "Run `claims migrate` to upgrade it (back it up first if it matters).\n",
    "f00dfeedbeef": "Error: the database {name} is at schema revision 'f00dfeedbeef', which this claimsdb does "
    "not know: a newer claimsdb wrote it. Upgrade claimsdb to use it.\n",
}


@pytest.mark.parametrize("revision", sorted(REVISION_MESSAGES))
def test_a_load_with_nothing_changed_at_another_revision_gets_the_loads_message(
    cli: Cli, basic_db: str, basic_seeds: Path, revision: str
) -> None:
    execute_sql(basic_db, f"UPDATE alembic_version SET version_num = '{revision}'")
    before = snapshot(basic_db)
    result = cli("--db", basic_db, "load", basic_seeds, "--quiet")
    assert result.exit_code == 1
    name = api.open_database(basic_db).name
    assert result.stderr == REVISION_MESSAGES[revision].format(name=name, head=HEAD_REVISION)
    assert result.stdout == ""
    assert snapshot(basic_db) == before


UNUSABLE_FILES = {
    "foreign tables": "Error: {name} holds tables but no claimsdb schema revision; is it a claimsdb database?\n",
    "garbage": "Error: the database {name} refused the operation (DatabaseError: file is not a database); "
    "nothing was written\n",
    "truncated": "Error: the database {name} refused the operation (DatabaseError: database disk image is "
    "malformed); nothing was written\n",
}


@pytest.mark.parametrize("kind", sorted(UNUSABLE_FILES))
def test_a_sqlite_file_claimsdb_cannot_use_gets_the_loads_message(
    cli: Cli, tmp_path: Path, basic_seeds: Path, basic_sqlite_template: Path, kind: str
) -> None:
    db = tmp_path / "claims.db"
    if kind == "foreign tables":
        execute_sql(str(db), "CREATE TABLE notes (x TEXT)")
    elif kind == "garbage":
        db.write_bytes(b"not a database at all, " * 100)
    else:
        db.write_bytes(loaded_copy(basic_sqlite_template, basic_seeds, tmp_path / "whole.db").read_bytes()[:4096])
    before = snapshot(str(db)) if kind == "foreign tables" else db.read_bytes()
    result = cli("--db", str(db), "load", basic_seeds, "--quiet")
    assert result.exit_code == 1
    assert result.stderr == UNUSABLE_FILES[kind].format(name=api.open_database(str(db)).name)
    assert (snapshot(str(db)) if kind == "foreign tables" else db.read_bytes()) == before  # (the first: now WAL)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_missing_or_empty_sqlite_file_is_loaded_then_found_unchanged(
    cli: Cli, tmp_path: Path, basic_seeds: Path, kind: str
) -> None:
    db = tmp_path / "claims.db"
    if kind == "empty":
        db.write_bytes(b"")
    first = cli("--db", str(db), "load", basic_seeds, "--quiet")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"Loaded {basic_seeds} into ") and " as load run 1: 32 added, " in first.stdout
    again = cli("--db", str(db), "load", basic_seeds, "--quiet")
    assert again.exit_code == 0 and again.stdout.startswith("Nothing changed: ") and "load run 1." in again.stdout


def test_a_relative_sqlite_url_is_read_and_found_unchanged(
    cli: Cli, tmp_path: Path, basic_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlite:///claims.db is a file in the working folder: read-only reads (the nothing-changed check,
    `claims stats`) open it as SQLAlchemy would, not only the writes."""
    monkeypatch.chdir(tmp_path)
    assert cli("--db", "sqlite:///claims.db", "load", basic_seeds, "--quiet").exit_code == 0
    again = cli("--db", "sqlite:///claims.db", "load", basic_seeds, "--quiet")
    assert again.stdout.startswith("Nothing changed: ") and again.stdout.endswith("(sqlite:///claims.db)\n")
    stats = cli("--db", "sqlite:///claims.db", "stats", "--format", "json")
    assert stats.exit_code == 0, stats.output


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_load_with_nothing_changed_works_where_nothing_can_be_written(
    cli: Cli, tmp_path: Path, basic_seeds: Path, basic_sqlite_template: Path, place: str
) -> None:
    """A read-only mount or a full disk: the last run is read as `claims list` reads it there, so a
    load with nothing to change says so (through SQLAlchemy's writable engine it failed: "unable to
    open database file", "disk I/O error"); a load with something to change still fails cleanly."""
    folder = tmp_path / "data"
    folder.mkdir()
    loaded_copy(basic_sqlite_template, basic_seeds, folder / "claims.db")
    before = (folder / "claims.db").read_bytes()
    with PLACES[place](folder, tmp_path / "mounted") as mounted:
        db = mounted / "claims.db"
        result = cli("--db", db, "load", basic_seeds, "-q")
        assert result.exit_code == 0, result.output
        name = api.open_database(str(db)).name
        words = f"Nothing changed: every seed file and document in {basic_seeds} matches load run 1. ({name})"
        assert result.stdout == words + "\n"
        forced = cli("--db", db, "load", basic_seeds, "-q", "--force")
        assert forced.exit_code == 1 and forced.stderr.startswith("Error: "), forced.output
        assert (mounted / "claims.db").read_bytes() == before


ODD_PATHS = (
    "/tmp/claims.db", "/tmp/a b/claims.db", "/tmp/100%25/claims.db", "/tmp/#1/claims.db", "/tmp/u@h:5/claims.db",
    "/tmp/\u00fcber/\u202eclaims.db", "/tmp/new\nline.db", "relative/claims.db", "claims.db", ":memory:", "",
)  # fmt: skip


@pytest.mark.parametrize("scheme", ["sqlite:///", "sqlite+pysqlite:///", "SQLite:///", "sqlite://"])
@pytest.mark.parametrize("path", ODD_PATHS)
@pytest.mark.parametrize("query", ["", "?timeout=5"])
def test_sqlite_urls_read_without_sqlalchemy_mean_what_make_url_reads(scheme: str, path: str, query: str) -> None:
    given = f"{scheme}{path}{query}"
    lowered = given.replace("SQLite", "sqlite")
    try:
        parsed = make_url(lowered)
    except ValueError:  # sqlite://:memory: (a port that is not a number): refused with the reason, as ever
        with pytest.raises(ClaimsError, match="^cannot read the sqlite URL in --db or \\$CLAIMS_DB"):
            database_url(given)
        return
    url = database_url(given)
    assert url == lowered  # a SQLite URL is given back as it was written, scheme lowered
    expected = None if parsed.database in (None, "", ":memory:") else Path(parsed.database)
    assert sqlite_file(url) == expected
    plain = url.partition("://")[2].startswith("/") and not query  # not sqlite://host/db (a host SQLite ignores)
    assert plain_sqlite_file(url) == (expected if plain else None)
    assert describe(url) == parsed.render_as_string(hide_password=True)
