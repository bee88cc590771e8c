"""full-text search over statements and quotes

SQLite gets an FTS5 table (filled here, then kept in step by every load); PostgreSQL gets a GIN
expression index that the server maintains. Neither is in the ORM metadata: env.py tells Alembic's
comparison to leave them alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE claims_fts USING fts5("
            "id UNINDEXED, statement, quote, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims")
    else:
        op.execute(
            "CREATE INDEX ix_claims_search ON claims "
            "USING gin (to_tsvector('english'::regconfig, statement || ' ' || quote))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE claims_fts")
    else:
        op.execute("DROP INDEX ix_claims_search")
