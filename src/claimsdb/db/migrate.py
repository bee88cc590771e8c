"""Schema revisions: bring a database to head, or say plainly why it is not usable as it is.

Migrations run on a connection the caller hands in, inside the caller's transaction, so creating
the schema of a new database and loading it commit together or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from claimsdb.db.engine import describe
from claimsdb.errors import DatabaseStateError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

HEAD_REVISION = "0009"
KNOWN_REVISIONS = frozenset({"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"})
"""The newest revision in migrations/versions. Checking a database against it needs no Alembic
(which costs a third of a second to import); tests/test_migrations.py keeps it equal to Alembic's head."""


def migrations_dir() -> Path:
    """`migrations/` in a source checkout, or the copy packed into an installed wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "migrations", here.parents[1] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseStateError("claimsdb's migrations folder is missing from this installation")  # pragma: no cover


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    return HEAD_REVISION


def alembic_head() -> str:
    """The head as Alembic sees the revision files (slow: imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text  # here: HEAD_REVISION is read without SQLAlchemy (db.runs)

    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to head in one transaction, with SQLite's foreign keys checked once at the end.

    SQLite alters a table by re-creating it (Alembic's batch mode), which with foreign keys on
    fails whenever other tables point at it; SQLite's own procedure for schema changes is to turn
    them off (possible only outside a transaction), change, and run foreign_key_check before commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                result = upgrade(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
                if broken:
                    raise DatabaseStateError(
                        f"the upgrade would leave {len(broken)} broken references (first: {tuple(broken[0])}); "
                        "nothing was changed"
                    )
            return result
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(connection: Connection) -> tuple[str | None, str]:
    """Upgrade to head inside the connection's transaction; returns (before, after)."""
    from alembic import command

    before = current_revision(connection)
    _refuse_newer(connection, before)
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    return before, head_revision()


def _refuse_newer(connection: Connection, revision: str | None) -> None:
    if revision is None or revision in KNOWN_REVISIONS:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(_config()).get_revision(revision)
    except CommandError:
        raise DatabaseStateError(
            f"the database {describe(str(connection.engine.url))} is at schema revision {revision!r}, which this "
            "claimsdb does not know: a newer claimsdb wrote it. Upgrade claimsdb to use it."
        ) from None


def _create_from_snapshot(connection: Connection) -> bool:
    """Make an empty SQLite database's schema from db/sqlite_schema.py, as the migrations would have.

    Importing Alembic and replaying every revision costs a new file about 0.2 s of CPU; the snapshot
    (generated from those revisions, kept equal to them by tests/test_schema_snapshot.py) is a few
    statements. Run one by one on the caller's connection, so they commit with its transaction.
    False, leaving the database untouched, on PostgreSQL or when the snapshot is older than head.
    """
    if connection.dialect.name != "sqlite":
        return False
    from claimsdb.db import sqlite_schema

    if sqlite_schema.REVISION != HEAD_REVISION:
        return False
    for statement in sqlite_schema.STATEMENTS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (sqlite_schema.REVISION,))
    return True


def ensure_current(connection: Connection, *, create: bool) -> None:
    """Check the schema is at head; on an empty database, create it when `create` is set."""
    revision = current_revision(connection)
    head = head_revision()
    if revision == head:
        return
    where = describe(str(connection.engine.url))
    if revision is None:
        from sqlalchemy import inspect

        if inspect(connection).get_table_names():
            raise DatabaseStateError(
                f"{where} holds tables but no claimsdb schema revision; is it a claimsdb database?"
            )
        if create:
            if not _create_from_snapshot(connection):
                upgrade(connection)
            return
        raise DatabaseStateError(f"no claims in {where} yet; run `claims load` first")
    _refuse_newer(connection, revision)
    raise DatabaseStateError(
        f"the database {where} is at schema revision {revision}; this claimsdb needs {head}. "
        "Run `claims migrate` to upgrade it (back it up first if it matters)."
    )
