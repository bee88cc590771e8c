"""assessments, Wikidata ids on organisations, HURIDOCS equivalents on terms

- assessments: the curator's Admiralty grades (source reliability A-F on an organisation or a
  publication, information credibility 1-6 on a claim), with assessor, date and reason, in a table
  of their own so they never mix with what claimants claim.
- organisations.wikidata and terms.huridocs: identifiers other tools share.

Nothing existing changes; the next load fills them from the seeds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assessments',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.String(length=120), nullable=True),
    sa.Column('source_id', sa.String(length=120), nullable=True),
    sa.Column('claim_id', sa.String(length=120), nullable=True),
    sa.Column('reliability', sa.String(length=1), nullable=True),
    sa.Column('credibility', sa.Integer(), nullable=True),
    sa.Column('assessor', sa.String(length=300), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessed_on_precision', sa.String(length=5), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('seed_file', sa.String(length=500), nullable=False),
    sa.Column('seed_line', sa.Integer(), nullable=True),
    sa.CheckConstraint("reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name=op.f('ck_assessments_reliability')),
    sa.CheckConstraint(
        '(CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) + '
        '(CASE WHEN source_id IS NULL THEN 0 ELSE 1 END) + '
        '(CASE WHEN claim_id IS NULL THEN 0 ELSE 1 END) = 1',
        name=op.f('ck_assessments_one_target'),
    ),
    sa.CheckConstraint('credibility BETWEEN 1 AND 6', name=op.f('ck_assessments_credibility')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_assessments_claim_id_claims')),
    sa.ForeignKeyConstraint(
        ['organisation_id'], ['organisations.id'],
        name=op.f('fk_assessments_organisation_id_organisations'),
    ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_assessments_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_source_id'), ['source_id'], unique=False)

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wikidata', sa.String(length=20), nullable=True))

    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('huridocs', sa.String(length=300), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.drop_column('huridocs')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('wikidata')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_source_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_claim_id'))

    op.drop_table('assessments')
