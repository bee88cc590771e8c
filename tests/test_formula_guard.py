"""The CSV formula guard covers every text column of the export, column by column (issue 13, item 4).

Which cells are guarded follows the columns' declared types (export.COLUMNS): every "string" column,
so a new text column cannot be forgotten. Two ways in: seeds whose every text field, and the seeds
folder's own name (the `seed_file` column), start with a formula trigger, on SQLite and PostgreSQL;
and, for the columns seeds cannot fill (ids, terms, hashes, dates), values written straight into a
SQLite database, as another program could.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from claimsdb.cli import app
from claimsdb.db.engine import database_url
from claimsdb.export import COLUMNS, TERM_FIELDS
from conftest import BACKENDS, _new_pg_database
from hostile import write_hostile_seeds

RUNNER = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})
TEXT_COLUMNS = [column.name for column in COLUMNS if column.type == "string"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def claims(*args: object) -> Any:
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False)


def export_rows(db: str, *options: str) -> dict[str, dict[str, str]]:
    result = claims("--db", db, "export", *options)
    assert result.exit_code == 0, result.output
    return {row["claim_id"].lstrip("'"): row for row in csv.DictReader(io.StringIO(result.stdout))}


# --- through the seeds, on both back ends ------------------------------------------------------------

SEEDED = {
    # column: (field of tests/hostile.py, claim whose row shows it, the text written)
    "statement": ("statement", "hostile-claim", "=HYPERLINK(\"https://evil.example\",\"click\")"),
    "claimant_name": ("org_name", "hostile-claim", "+SUM(1,2) Org"),
    "source_title": ("source_title", "hostile-claim", "-2+3 report"),
    "source_url": ("source_url", "hostile-claim", "@SUM(A1)"),
    "quote": ("quote", "hostile-claim", "=1+2 words"),
    "claimed_on_inferred_reason": ("date_reason", "hostile-claim", "=cmd|' /C calc'!A0"),
    "population": ("population", "hostile-claim", "+defectors"),
    "quantity_phrase": ("phrase", "hostile-claim", "@over five"),
    "period_label": ("period_label", "hostile-claim", "-two years"),
    "claimant_known": ("claimant_known", "described-claim", "=defected in 2023"),
    "place_name": ("place_name", "placed-claim", "@Hwanghae"),
}
SEEDS_FOLDER = "=1+2"
"""The seeds folder's name, which starts every claim's `seed_file`."""


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database loaded from seeds whose text fields, and folder name, start with formula triggers."""
    root = tmp_path_factory.mktemp("seeded")
    db = str(root / "claims.db") if request.param == "sqlite" else _new_pg_database(request.getfixturevalue("postgres"))
    write_hostile_seeds(root / SEEDS_FOLDER, {field: value for field, _, value in SEEDED.values()})
    result = claims("--db", db, "load", root / SEEDS_FOLDER, "-q")
    assert result.exit_code == 0, result.output
    return db


def _seeded_cases() -> Iterator[tuple[str, str, str]]:
    for column, (field, claim, value) in SEEDED.items():
        yield column, claim, value if field != "quote" else f"{value} {SEEDED['quantity_phrase'][2]}"
    for claim in ("hostile-claim", "described-claim", "placed-claim"):
        yield "seed_file", claim, f"{SEEDS_FOLDER}/article.yaml"


SEEDED_CASES = [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in _seeded_cases()]


@pytest.mark.parametrize(("column", "claim", "value"), SEEDED_CASES)
def test_a_seeded_text_starting_a_formula_is_guarded(seeded: str, column: str, claim: str, value: str) -> None:
    assert export_rows(seeded)[claim][column] == "'" + value
    assert export_rows(seeded, "--no-formula-guard")[claim][column] == value


# --- every text column, written behind claimsdb's back (SQLite) -----------------------------------------

TAMPERED: dict[str, list[str]] = {
    # column: the statements that make its cell in one claim's row start with a trigger
    "claim_id": ["UPDATE claims SET id = '=id' WHERE id = 'hostile-claim'"],
    "claim_type": ["UPDATE claims SET type = '+type' WHERE id = 'hostile-claim'"],
    "status": ["UPDATE claims SET status = '-status' WHERE id = 'hostile-claim'"],
    "claimant": ["UPDATE organisations SET id = '@org' WHERE id = 'hostile-org'",
                 "UPDATE claims SET claimant_id = '@org' WHERE claimant_id = 'hostile-org'",
                 "UPDATE assessments SET organisation_id = '@org' WHERE organisation_id = 'hostile-org'"],
    "claimant_kind": ["UPDATE organisations SET kind_id = '\tngo' WHERE id = 'hostile-org'"],
    "source_id": ["UPDATE sources SET id = '=report' WHERE id = 'hostile-report'",
                  "UPDATE claims SET made_in_id = '=report' WHERE made_in_id = 'hostile-report'"],
    "source_published": ["UPDATE sources SET published = '=2020' WHERE id = 'hostile-report'"],
    "document": ["UPDATE claims SET document_id = '+document' WHERE id = 'hostile-claim'"],
    "document_sha256": ["UPDATE claims SET document_sha256 = '-sha' WHERE id = 'hostile-claim'"],
    "claimed_on": ["UPDATE claims SET claimed_on = '@2020', claimed_on_edtf = '2020' WHERE id = 'hostile-claim'"],
    "claimed_on_precision": ["UPDATE claims SET claimed_on_precision = '\ryear' WHERE id = 'hostile-claim'"],
    "claimed_on_basis": ["UPDATE claims SET claimed_on_basis = '=basis' WHERE id = 'hostile-claim'"],
    "method": ["UPDATE claims SET method = '+method' WHERE id = 'hostile-claim'"],
    "evidence_method": ["UPDATE claims SET evidence_method = '-testimonies' WHERE id = 'hostile-claim'"],
    "offence": ["UPDATE claims SET offence = '@offence' WHERE id = 'hostile-claim'"],
    "punishment": ["UPDATE claims SET punishment = '\tpunishment' WHERE id = 'hostile-claim'"],
    "measure": ["UPDATE claims SET measure = '\rmeasure' WHERE id = 'hostile-claim'"],
    "location": ["UPDATE claims SET location = '=location' WHERE id = 'hostile-claim'"],
    "quantity_qualifier": ["UPDATE claims SET quantity_qualifier = '+more' WHERE id = 'hostile-claim'"],
    "period_start": ["UPDATE claims SET period_start = '-2019' WHERE id = 'hostile-claim'"],
    "period_end": ["UPDATE claims SET period_end = '@2020' WHERE id = 'hostile-claim'"],
    "attribution": ["UPDATE claims SET attribution = '=reported' WHERE id = 'hostile-claim'"],
    "claimed_on_edtf": ["UPDATE claims SET claimed_on_edtf = '+2020' WHERE id = 'hostile-claim'"],
    "claimant_part_of": ["UPDATE organisations SET part_of_id = '-outlet' WHERE id = 'hostile-org'"],
    "claimant_members": ["INSERT INTO organisation_members (organisation_id, member_id, position)"
                         " VALUES ('hostile-org', 'outlet', 0)",
                         "UPDATE organisations SET name = '=Outlet' WHERE id = 'outlet'"],
    "period_edtf": ["UPDATE claims SET period_start = '=2019', period_end = '=2019' WHERE id = 'hostile-claim'"],
    "period_inferred_reason": ["UPDATE claims SET period_inferred_reason = '@last year' WHERE id = 'hostile-claim'"],
    "place": ["UPDATE places SET id = '\tplace' WHERE id = 'hostile-place'",
              "UPDATE claims SET place = '\tplace' WHERE place = 'hostile-place'"],
    "place_iso_3166_2": ["UPDATE places SET iso_3166_2 = '=KP-05' WHERE id = 'hostile-place'"],
    "place_wikidata": ["UPDATE places SET wikidata = '+Q1' WHERE id = 'hostile-place'"],
    "claimant_wikidata": ["UPDATE organisations SET wikidata = '=Q1' WHERE id = 'hostile-org'"],
    "source_reliability": ["UPDATE assessments SET reliability = '='"],
    "source_reliability_of": ["UPDATE sources SET id = '-report' WHERE id = 'hostile-report'",
                              "UPDATE claims SET made_in_id = '-report' WHERE made_in_id = 'hostile-report'",
                              "UPDATE assessments SET source_id = '-report', organisation_id = NULL"],
}  # fmt: skip


def test_the_tampered_cases_cover_every_text_column_seeds_cannot_fill() -> None:
    assert set(TAMPERED) | set(SEEDED) | {"seed_file"} == set(TEXT_COLUMNS)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    write_hostile_seeds(root / "seeds")
    db = root / "claims.db"
    assert claims("--db", db, "load", root / "seeds", "-q").exit_code == 0
    return db


def _tamper(db: Path, statements: list[str]) -> None:
    """Change the database behind claimsdb's back, foreign keys and checks off, as another program could."""
    engine = create_engine(database_url(str(db)))
    with engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys = OFF"))
        connection.execute(text("PRAGMA ignore_check_constraints = ON"))
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


@pytest.mark.parametrize("column", sorted(TAMPERED))
def test_every_text_column_is_guarded(pristine: Path, tmp_path: Path, column: str) -> None:
    db = tmp_path / "claims.db"
    shutil.copyfile(pristine, db)
    _tamper(db, TAMPERED[column])
    raw = export_rows(str(db), "--no-formula-guard", "--withdrawn")
    guarded = export_rows(str(db), "--withdrawn")
    (claim,) = [claim for claim, row in raw.items() if row[column].startswith(TRIGGERS)]
    assert guarded[claim][column] == "'" + raw[claim][column]
    for other, row in guarded.items():  # and no other text cell a tampered value reaches escapes either
        assert not [name for name in TEXT_COLUMNS if row[name].startswith(TRIGGERS)], other


# --- terms.csv, beside claims.csv in `claims export --out DIR` ---------------------------------------

TERM_TAMPERED = {
    "term": ["UPDATE terms SET id = '=ngo' WHERE id = 'ngo'"],
    "vocabulary": ["UPDATE terms SET vocabulary_id = '+kinds' WHERE id = 'ngo'"],
    "label": ["UPDATE terms SET label = '-NGO' WHERE id = 'ngo'"],
    "definition": ["UPDATE terms SET definition = '@A group' WHERE id = 'ngo'"],
    "huridocs": ["UPDATE terms SET huridocs = '\tNGO' WHERE id = 'ngo'"],
}


def test_the_terms_cases_cover_every_text_column_of_terms_csv() -> None:
    assert set(TERM_TAMPERED) == {column.name for column in TERM_FIELDS if column.type == "string"}


def _terms(db: Path, out: Path, *options: str) -> list[dict[str, str]]:
    result = claims("--db", db, "export", "--out", out, *options)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO((out / "terms.csv").read_text(encoding="utf-8"), newline="")))


@pytest.mark.parametrize("column", sorted(TERM_TAMPERED))
def test_every_text_column_of_terms_csv_is_guarded(pristine: Path, tmp_path: Path, column: str) -> None:
    db = tmp_path / "claims.db"
    shutil.copyfile(pristine, db)
    _tamper(db, TERM_TAMPERED[column])
    (raw,) = [row for row in _terms(db, tmp_path / "raw", "--no-formula-guard") if row[column].startswith(TRIGGERS)]
    guarded = _terms(db, tmp_path / "guarded")
    assert "'" + raw[column] in [row[column] for row in guarded]
    assert not [row for row in guarded for cell in row.values() if cell.startswith(TRIGGERS)]
