"""reading order index: (document_id, quote_start, id), the default order of lists and exports

With it, the first page of a search or a listing walks the index and stops after a page instead of
sorting every match; it also serves every lookup the single-column document_id index served.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:28:21.466453
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_document_id'))
        batch_op.create_index('ix_claims_reading_order', ['document_id', 'quote_start', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_reading_order')
        batch_op.create_index(batch_op.f('ix_claims_document_id'), ['document_id'], unique=False)

