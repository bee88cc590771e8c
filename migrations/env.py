"""Alembic environment for claimsdb: SQLite (batch mode) and PostgreSQL from the same revisions."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from claimsdb.db import models  # noqa: F401 - registers every table on Base.metadata
from claimsdb.db.base import Base
from claimsdb.db.engine import database_url
from claimsdb.db.search import SEARCH_OBJECTS

config = context.config
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    if x_url:
        return database_url(x_url)
    if os.environ.get("CLAIMS_DB"):  # read here, as the CLI reads it: the library takes URLs it is given
        return database_url(os.environ["CLAIMS_DB"])
    return config.get_main_option("sqlalchemy.url") or database_url(None)


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the dialect-specific search objects of revision 0002 out of model comparison."""
    return not (name and name.startswith(SEARCH_OBJECTS))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    # claimsdb hands in a Connection inside its own transaction; pytest-alembic hands in an Engine.
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = given or engine_from_config({"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
