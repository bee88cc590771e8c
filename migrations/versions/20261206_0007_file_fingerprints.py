"""load_run_files.fingerprint: size, times and inode of each file a run read

A load after this one hashes only the files whose fingerprint changed, so "nothing changed" no
longer reads every seed file and document. Older runs have none: their files are hashed as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('load_run_files') as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('load_run_files') as batch_op:
        batch_op.drop_column('fingerprint')
