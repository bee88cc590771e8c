"""claimants described on claims, how claims are attributed, dates known by bounds, named places

- organisations: `known` and `described_in_id`, for unnamed people and groups and collectives
  described on a claim; organisation_members for a collective's named members.
- places and place_aliases: the gazetteer (provinces and special cities, with ISO 3166-2 codes).
- claims: `attribution` (an attribution_modes term), `claimed_on_edtf` (the date as EDTF; claimed_on
  and claimed_on_end become its earliest and latest days, either may be open), `place`, and
  `period_inferred_reason`; the date basis gains `document` (no later than the held document).

Claims loaded before this revision keep every value; their EDTF form is filled in from the date
they hold. Attribution and places are known only from the seeds: the next load (every load after
an upgrade reads every file) fills them in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BASES_BEFORE = "'stated', 'inferred', 'publication', 'unknown'"
_BASES_NOW = "'stated', 'inferred', 'publication', 'document', 'unknown'"


def _fill_edtf() -> None:
    """Claims loaded before: their one date, as precise as known, is already valid EDTF."""
    op.execute(
        "UPDATE claims SET claimed_on_edtf = substr(CAST(claimed_on AS VARCHAR(10)), 1, "
        "CASE claimed_on_precision WHEN 'year' THEN 4 WHEN 'month' THEN 7 ELSE 10 END) "
        "WHERE claimed_on IS NOT NULL"
    )


def _reindex_search() -> None:
    """SQLite rebuilt the claims table (batch mode): put each search entry back at its claim's rowid."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM claims_fts")
        op.execute("INSERT INTO claims_fts(rowid, id, statement, quote) SELECT rowid, id, statement, quote FROM claims")


def upgrade() -> None:
    op.create_table('places',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind_id', sa.String(length=120), nullable=False),
    sa.Column('part_of_id', sa.String(length=120), nullable=True),
    sa.Column('iso_3166_2', sa.String(length=10), nullable=True),
    sa.Column('wikidata', sa.String(length=20), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('seed_file', sa.String(length=500), nullable=False),
    sa.Column('seed_line', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['kind_id'], ['terms.id'], name=op.f('fk_places_kind_id_terms')),
    sa.ForeignKeyConstraint(['part_of_id'], ['places.id'], name=op.f('fk_places_part_of_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places'))
    )
    op.create_table('organisation_members',
    sa.Column('organisation_id', sa.String(length=120), nullable=False),
    sa.Column('member_id', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(
        ['member_id'], ['organisations.id'],
        name=op.f('fk_organisation_members_member_id_organisations'),
    ),
    sa.ForeignKeyConstraint(
        ['organisation_id'], ['organisations.id'],
        name=op.f('fk_organisation_members_organisation_id_organisations'),
    ),
    sa.PrimaryKeyConstraint('organisation_id', 'member_id', name=op.f('pk_organisation_members'))
    )
    op.create_table('place_aliases',
    sa.Column('place_id', sa.String(length=120), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_aliases_place_id_places')),
    sa.PrimaryKeyConstraint('place_id', 'alias', name=op.f('pk_place_aliases'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_on_edtf', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('attribution', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('period_inferred_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=120), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_claims_attribution_terms'), 'terms', ['attribution'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claims_place_places'), 'places', ['place'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_claims_claimed_on_basis'), type_='check')
        batch_op.create_check_constraint('claimed_on_basis', sa.text(f"claimed_on_basis IN ({_BASES_NOW})"))
    _fill_edtf()
    _reindex_search()

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('known', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('described_in_id', sa.String(length=120), nullable=True))



def downgrade() -> None:
    op.execute("UPDATE claims SET claimed_on_basis = 'inferred' WHERE claimed_on_basis = 'document'")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('described_in_id')
        batch_op.drop_column('known')

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_claims_place_places'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claims_attribution_terms'), type_='foreignkey')
        batch_op.drop_column('place')
        batch_op.drop_column('period_inferred_reason')
        batch_op.drop_column('attribution')
        batch_op.drop_column('claimed_on_edtf')
        batch_op.drop_constraint(batch_op.f('ck_claims_claimed_on_basis'), type_='check')
        batch_op.create_check_constraint('claimed_on_basis', sa.text(f"claimed_on_basis IN ({_BASES_BEFORE})"))
    _reindex_search()

    op.drop_table('place_aliases')
    op.drop_table('organisation_members')
    op.drop_table('places')
