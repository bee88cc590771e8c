"""claims seed_file index: a load of a few changed files finds their claims by file

A load after one file changed asks which claims the changed files held (to compare, update or
withdraw them). Without an index on the seed file, each such question reads every claim: two
scans of the table a load, a few hundredths of a second at 50,000 claims, most of a second at a
million.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_seed_file', ['seed_file'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_seed_file')
