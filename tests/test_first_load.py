"""A first load into an empty database writes claims the fast way; it must write what any load writes.

Into an empty claims table, a load makes the change records in SQL from the claims it inserted and
builds the indexes of claims, claim changes and relations once, after their rows. A load into a
table that already holds claims writes the same rows one by one. Both are compared here, on the
tests' own seeds (tests/fixtures/basic) plus a padding document, on each back end. A load of every
file also skips reading the ids of reference rows when none can be gone: a row that is gone must
still be deleted.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from claimsdb.db import models as m
from claimsdb.db.engine import database_url
from conftest import _new_pg_database, add_filler_claims, load_seeds

CLAIM_FILES = (
    "herald-2018-06-14-hrdc-executions.yaml",
    "undated-ministry-figures.yaml",
    "wire-2022-11-03-hrdc-media-executions.yaml",
    "assessments.yaml",  # assesses claims of those files
)


def _rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _index_names(db: str, table: str) -> set[str]:
    engine = create_engine(database_url(db))
    try:
        return {index["name"] for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def _second_database(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """Another empty database on the same back end as `db_url`."""
    if "://" not in db_url:
        return str(tmp_path / "second.db")
    return _new_pg_database(request.getfixturevalue("postgres"))


def test_a_first_load_writes_what_a_load_into_a_table_with_claims_writes(
    request: pytest.FixtureRequest, db_url: str, basic_seeds: Path, tmp_path: Path
) -> None:
    add_filler_claims(basic_seeds, 3)
    load_seeds(db_url, basic_seeds)  # into an empty database: the first-load way

    partial = tmp_path / "partial"
    shutil.copytree(basic_seeds, partial)
    for name in CLAIM_FILES:
        (partial / name).unlink()
    other = _second_database(request, db_url, tmp_path)
    load_seeds(other, partial)  # the padding claims only
    load_seeds(other, basic_seeds)  # the fixture's claims now join a table that holds claims: row by row

    relations = "SELECT claim_id, kind, target_id FROM claim_relations ORDER BY claim_id, kind, target_id"
    assert _rows(db_url, relations) == _rows(other, relations)
    assert len(_rows(db_url, relations)) > 0
    claims = [key for (key,) in _rows(db_url, "SELECT id FROM claims ORDER BY id")]
    changes = "SELECT run_id, claim_id, action FROM claim_changes ORDER BY claim_id"
    assert _rows(db_url, changes) == [(1, key, "added") for key in claims]
    added_later = [row[1:] for row in _rows(other, changes) if row[0] == 2]
    assert added_later == [(key, "added") for key in claims if not key.startswith("filler-")]
    for model in (m.Claim, m.ClaimChange, m.ClaimRelation):
        table = model.__table__
        assert _index_names(db_url, table.name) == _index_names(other, table.name) >= {i.name for i in table.indexes}


def test_a_first_load_records_additions_in_the_order_of_the_claims(sqlite_path: str, basic_seeds: Path) -> None:
    add_filler_claims(basic_seeds, 3)
    load_seeds(sqlite_path, basic_seeds)
    in_order = [key for (key,) in _rows(sqlite_path, "SELECT id FROM claims ORDER BY rowid")]
    assert _rows(sqlite_path, "SELECT claim_id FROM claim_changes ORDER BY rowid") == [(key,) for key in in_order]


def test_a_load_of_every_file_deletes_what_they_no_longer_define(db_url: str, basic_seeds: Path) -> None:
    organisations = basic_seeds / "organisations.yaml"
    original = organisations.read_text(encoding="utf-8")
    extra = "\n  - id: {key}\n    name: {name}\n    kind: ngo\n"
    organisations.write_text(
        original.replace("organisations:\n", "organisations:" + extra.format(key="spare-one", name="Spare One"), 1),
        encoding="utf-8",
    )
    load_seeds(db_url, basic_seeds)
    count = "SELECT count(*) FROM organisations"
    before = _rows(db_url, count)
    # one organisation gone and another new: as many rows as before, and the gone one must still go
    organisations.write_text(
        original.replace("organisations:\n", "organisations:" + extra.format(key="spare-two", name="Spare Two"), 1),
        encoding="utf-8",
    )
    load_seeds(db_url, basic_seeds)
    spares = "SELECT id FROM organisations WHERE id LIKE 'spare-%' ORDER BY id"
    assert _rows(db_url, spares) == [("spare-two",)]
    assert _rows(db_url, count) == before
    organisations.write_text(original, encoding="utf-8")
    load_seeds(db_url, basic_seeds)
    assert _rows(db_url, spares) == []
