"""vocabularies.seed_file: which seed file defines each vocabulary

Every other defined thing (organisation, source, claim) already records its seed file; with this,
a load can tell which rows a changed file owns and re-read only the files that changed. Rows from
earlier loads have no seed file (NULL) until the next full load, which every load after an
upgrade is (a new claimsdb version reads every file).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 22:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('vocabularies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_file', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('vocabularies', schema=None) as batch_op:
        batch_op.drop_column('seed_file')
