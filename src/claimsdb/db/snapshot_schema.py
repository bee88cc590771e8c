"""Write db/sqlite_schema.py: the SQLite schema the migrations make, taken from a database they made.

    uv run python -m claimsdb.db.snapshot_schema

Run it after adding a revision (tests/test_schema_snapshot.py fails until it is run). A new SQLite
file is then built from those statements (db.migrate.ensure_current) instead of importing Alembic
and replaying every revision, as Rails' `db:schema:load` does; the migrations stay the one source.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from claimsdb.errors import DatabaseStateError

MODULE = Path(__file__).with_name("sqlite_schema.py")
COMMAND = "uv run python -m claimsdb.db.snapshot_schema"
WIDTH = 120

_HEADER = '''"""The SQLite schema of migrations/versions at revision {revision}: generated, do not edit.

Written by `{command}` (db/snapshot_schema.py) from a new file that Alembic
upgraded to head: every entry of its sqlite_master (tables and views in creation order, then indexes
and triggers by name; a table's constraints sorted), less what SQLite makes by itself (autoindexes,
its own tables, FTS5's shadow tables). db.migrate.ensure_current runs these on a new SQLite file
instead of importing Alembic and replaying each revision (about 0.2 s of CPU a first load);
tests/test_schema_snapshot.py keeps them equal to what the migrations make.
"""

REVISION = {revision_literal}

STATEMENTS: tuple[str, ...] = ('''

Entry = tuple[str, str, str, str | None]
"""An entry of sqlite_master: type, name, tbl_name, sql."""

_CONSTRAINT_WORDS = ("CONSTRAINT ", "PRIMARY KEY (", "UNIQUE (", "CHECK (", "FOREIGN KEY(")


def migrated_schema(path: Path) -> tuple[str, tuple[str, ...]]:
    """Upgrade the new SQLite file `path` with Alembic as `claims migrate` does; the revision it reached and
    the statements that rebuild it."""
    from claimsdb.db.engine import make_engine
    from claimsdb.db.migrate import migrate

    engine = make_engine(f"sqlite:///{path}")
    try:
        _, revision = migrate(engine)
    finally:
        engine.dispose()
    return revision, schema_statements(path)


def schema_entries(path: Path | str) -> list[Entry]:
    """Every entry of sqlite_master in an order and a text that do not depend on the process that made them.

    Alembic's batch mode re-creates a table with its constraints and then its indexes in the order of
    SQLAlchemy's sets of them, which differs from one process to the next (they hash by identity):
    tables and views keep their creation order (each may need those before it), indexes and triggers
    come after them by name, and a CREATE TABLE's constraints are sorted (canonical).
    """
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "ORDER BY type NOT IN ('table', 'view'), CASE WHEN type IN ('table', 'view') THEN rowid END, name"
        ).fetchall()
    finally:
        connection.close()
    return [(kind, name, table, canonical(sql)) for kind, name, table, sql in rows]


def canonical(sql: str | None) -> str | None:
    """A CREATE TABLE as SQLAlchemy writes it ("(\\n\\t" item ", \\n\\t" item "\\n)") with its
    constraints sorted after its columns; any other statement as it is."""
    if sql is None or not sql.startswith("CREATE TABLE") or "(\n\t" not in sql or not sql.endswith("\n)"):
        return sql
    head, body = sql[:-2].split("(\n\t", 1)
    items = body.split(", \n\t")
    columns = [item for item in items if not item.startswith(_CONSTRAINT_WORDS)]
    constraints = sorted(item for item in items if item.startswith(_CONSTRAINT_WORDS))
    return head + "(\n\t" + ", \n\t".join(columns + constraints) + "\n)"


def schema_statements(path: Path) -> tuple[str, ...]:
    """The statements of schema_entries, less the entries SQLite makes on its own."""
    connection = sqlite3.connect(path)
    try:
        shadow = {name for (name,) in connection.execute("SELECT name FROM pragma_table_list WHERE type = 'shadow'")}
        _refuse_rows(connection, shadow)
    finally:
        connection.close()
    return tuple(
        sql for _, name, _, sql in schema_entries(path)
        if sql is not None and not name.startswith("sqlite_") and name not in shadow
    )  # fmt: skip


def _refuse_rows(connection: sqlite3.Connection, shadow: set[str]) -> None:
    """A revision that writes rows (beyond alembic_version's) cannot be snapshot as statements alone."""
    tables = connection.execute("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
    for (table,) in tables.fetchall():
        if table in shadow or table.startswith("sqlite_") or table == "alembic_version":
            continue
        if connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            raise DatabaseStateError(
                f"the migrations leave rows in {table}: the schema snapshot holds statements only; "
                "make db.migrate.ensure_current write them too, or leave new files to Alembic"
            )


def render(revision: str, statements: tuple[str, ...]) -> str:
    """The module's text: each statement one literal per line of SQL, split where a line is too long."""
    lines = [_HEADER.format(revision=revision, command=COMMAND, revision_literal=json.dumps(revision))]
    for statement in statements:
        pieces = [_literal(chunk) for line in statement.splitlines(keepends=True) for chunk in _chunks(line)]
        lines.extend(f"    {piece}" for piece in pieces[:-1])
        lines.append(f"    {pieces[-1]},")
    lines.append(")\n")
    return "\n".join(lines)


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # JSON's escapes are Python's too


def _chunks(line: str) -> list[str]:
    """Pieces of one SQL line whose literals fit WIDTH with the indent and a trailing comma, cut after
    a space where there is one."""
    room = WIDTH - 4 - 1
    chunks: list[str] = []
    while len(_literal(line)) > room:
        cut = room - 2
        while len(_literal(line[:cut])) > room:
            cut -= 1
        space = line.rfind(" ", 0, cut)
        cut = space + 1 if space > 0 else cut
        chunks.append(line[:cut])
        line = line[cut:]
    return [*chunks, line]


def write(module: Path = MODULE) -> str:
    """Migrate a temporary file to head, write the module; returns the revision it was taken at."""
    with tempfile.TemporaryDirectory(prefix="claimsdb-schema-") as folder:
        revision, statements = migrated_schema(Path(folder) / "schema.db")
    module.write_text(render(revision, statements), encoding="utf-8")
    return revision


if __name__ == "__main__":
    taken_at = write()
    print(f"wrote {MODULE} at revision {taken_at}")
