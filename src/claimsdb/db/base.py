"""The declarative base: one MetaData with a constraint naming convention.

Named constraints let Alembic's batch mode alter SQLite tables and let the same migration drop a
constraint on PostgreSQL; without names, SQLite leaves them anonymous and they cannot be dropped.
"""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

BATCH_SIZE = 10_000
"""Rows or ids handled at a time (per executemany, per IN list, per fetch and CSV write): few enough
that memory stays flat at a million claims and an IN list stays under SQLite's 32,766 and
PostgreSQL's 65,535 bound parameters; many enough that round trips do not dominate."""

PATH_LENGTH = 500
"""The longest stored path (a seed file's or a document's "<dir name>/<relative path>")."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Id = Annotated[str, mapped_column(String(120), primary_key=True)]
"""A curator's stable, human-readable id (a slug)."""
Term = Annotated[str | None, mapped_column(String(120))]
"""A controlled vocabulary term id."""
LongText = Annotated[str, mapped_column(Text)]
