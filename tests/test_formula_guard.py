"""The CSV formula guard covers every text column of the export that can start with a trigger,
column by column (issue 13, item 4; issue 17).

Which cells are guarded follows the columns' declared types (export.COLUMNS): every "string" column
but those export.UNGUARDED names, so a new text column cannot be forgotten. Guarded columns are tested
two ways: seeds whose every text field, and the seeds folder's own name (the `seed_file` column), start
with a formula trigger, on SQLite and PostgreSQL; and values written straight into a SQLite database,
as another program could. Each UNGUARDED column is tested against the seeds: every field that fills it
refuses a value starting with each trigger, and the values the loader writes there start with none.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from claimsdb import api
from claimsdb.cli import app
from claimsdb.db.engine import database_url
from claimsdb.db.models import CLAIM_STATUSES, DATE_BASES
from claimsdb.errors import SeedError
from claimsdb.export import COLUMNS, FORMULA_TRIGGERS, TERM_FIELDS, UNGUARDED
from claimsdb.rules import PRECISIONS, QUANTITY_QUALIFIERS
from conftest import BACKENDS, _new_pg_database
from hostile import write_hostile_seeds

RUNNER = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})
TEXT_COLUMNS = [column.name for column in COLUMNS if column.type == "string"]
GUARDED_COLUMNS = [name for name in TEXT_COLUMNS if name not in UNGUARDED]
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


# --- guarded text columns seeds cannot start with a trigger, written behind claimsdb's back (SQLite) ------

TAMPERED: dict[str, list[str]] = {
    # column: the statements that make its cell in one claim's row start with a trigger
    "claimant": ["UPDATE organisations SET id = '@org' WHERE id = 'hostile-org'",
                 "UPDATE claims SET claimant_id = '@org' WHERE claimant_id = 'hostile-org'",
                 "UPDATE assessments SET organisation_id = '@org' WHERE organisation_id = 'hostile-org'"],
    "claimant_members": ["INSERT INTO organisation_members (organisation_id, member_id, position)"
                         " VALUES ('hostile-org', 'outlet', 0)",
                         "UPDATE organisations SET name = '=Outlet' WHERE id = 'outlet'"],
    "period_inferred_reason": ["UPDATE claims SET period_inferred_reason = '@last year' WHERE id = 'hostile-claim'"],
}  # fmt: skip


def test_every_text_column_is_guarded_or_shown_safe() -> None:
    """Each text column has its case: seeded or tampered if guarded, the seeds' refusal if not."""
    assert set(TAMPERED) | set(SEEDED) | {"seed_file"} == set(GUARDED_COLUMNS)
    assert set(SAFE_FIELDS) | set(LOADER_WORDS) | {"document_sha256"} == UNGUARDED == set(TAMPERED_TRUSTED)
    assert UNGUARDED <= set(TEXT_COLUMNS)
    assert FORMULA_TRIGGERS == TRIGGERS


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


def _tampered_cell_is_guarded(pristine: Path, tmp_path: Path, column: str, statements: list[str]) -> None:
    """After `statements`, one claim's `column` cell starts with a trigger and the export guards it,
    and no other text cell a tampered value reaches escapes either."""
    db = tmp_path / "claims.db"
    shutil.copyfile(pristine, db)
    _tamper(db, statements)
    raw = export_rows(str(db), "--no-formula-guard", "--withdrawn")
    guarded = export_rows(str(db), "--withdrawn")
    (claim,) = [claim for claim, row in raw.items() if row[column].startswith(TRIGGERS)]
    assert guarded[claim][column] == "'" + raw[claim][column]
    for other, row in guarded.items():
        assert not [name for name in TEXT_COLUMNS if row[name].startswith(TRIGGERS)], other


@pytest.mark.parametrize("column", sorted(TAMPERED))
def test_every_text_column_is_guarded(pristine: Path, tmp_path: Path, column: str) -> None:
    _tampered_cell_is_guarded(pristine, tmp_path, column, TAMPERED[column])


TAMPERED_TRUSTED: dict[str, list[str]] = {
    # UNGUARDED column: the statements that make its cell in one claim's row start with a trigger
    "claim_id": ["UPDATE claims SET id = '=id' WHERE id = 'hostile-claim'"],
    "claim_type": ["UPDATE claims SET type = '+type' WHERE id = 'hostile-claim'"],
    "status": ["UPDATE claims SET status = '-status' WHERE id = 'hostile-claim'"],
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
    "period_edtf": ["UPDATE claims SET period_start = '=2019', period_end = '=2019' WHERE id = 'hostile-claim'"],
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


@pytest.mark.parametrize("column", sorted(UNGUARDED))
def test_a_trigger_written_behind_claimsdbs_back_in_a_trusted_column_is_still_guarded(
    pristine: Path, tmp_path: Path, column: str
) -> None:
    """The guard skips UNGUARDED columns in SQL, since seeds cannot start them with a trigger; a
    database changed by another program can, and the export then guards that row in Python."""
    _tampered_cell_is_guarded(pristine, tmp_path, column, TAMPERED_TRUSTED[column])


# --- the columns the guard skips: no seed can start them with a trigger ------------------------------

Field = tuple[str, tuple[str | int, ...]]
"""A seed field: its file in the safe seeds (safe_seeds) and its path in that file's YAML."""

SAFE_FIELDS: dict[str, list[Field]] = {
    # column: every seed field whose value the column shows (for a reference: the field that names
    # it and the definition's id, which must match)
    "claim_id": [("article.yaml", ("claims", 0, "id"))],
    "source_id": [("sources.yaml", ("sources", 0, "id")), ("article.yaml", ("claims", 0, "made_in")),
                  ("article.yaml", ("document", "id"))],
    "document": [("article.yaml", ("document", "id"))],
    "place": [("places.yaml", ("places", 0, "id")), ("article.yaml", ("claims", 2, "value", "place"))],
    "claimant_part_of": [("organisations.yaml", ("organisations", 0, "part_of")),
                         ("article.yaml", ("claims", 1, "claimant", "part_of"))],
    "source_reliability_of": [("article.yaml", ("claims", 0, "made_in")),
                              ("article.yaml", ("assessments", 0, "target", "organisation")),
                              ("article.yaml", ("assessments", 1, "target", "source"))],
    "claim_type": [("article.yaml", ("claims", 1, "type"))],
    "claimant_kind": [("organisations.yaml", ("organisations", 0, "kind")),
                      ("article.yaml", ("claims", 1, "claimant", "kind"))],
    "method": [("article.yaml", ("claims", 3, "value", "method"))],
    "evidence_method": [("article.yaml", ("claims", 0, "value", "method"))],
    "offence": [("article.yaml", ("claims", 4, "value", "offence"))],
    "punishment": [("article.yaml", ("claims", 3, "value", "punishment")),
                   ("article.yaml", ("claims", 4, "value", "punishment"))],
    "measure": [("article.yaml", ("claims", 5, "value", "measure"))],
    "location": [("article.yaml", ("claims", 2, "value", "location"))],
    "attribution": [("article.yaml", ("claims", 0, "attribution"))],
    "source_published": [("sources.yaml", ("sources", 0, "published")), ("article.yaml", ("document", "published"))],
    "claimed_on": [("article.yaml", ("claims", 0, "claimed_on", "date"))],
    "claimed_on_edtf": [("article.yaml", ("claims", 0, "claimed_on", "date")),
                        ("article.yaml", ("claims", 3, "claimed_on")),
                        ("article.yaml", ("claims", 1, "claimed_on", "before")),
                        ("article.yaml", ("claims", 4, "claimed_on", "after"))],
    "period_start": [("article.yaml", ("claims", 0, "value", "period", "start")),
                     ("article.yaml", ("claims", 4, "value", "period"))],
    "period_end": [("article.yaml", ("claims", 0, "value", "period", "end")),
                   ("article.yaml", ("claims", 5, "value", "period"))],
    "period_edtf": [("article.yaml", ("claims", 0, "value", "period", "start")),
                    ("article.yaml", ("claims", 4, "value", "period")),
                    ("article.yaml", ("claims", 5, "value", "period"))],
    "place_iso_3166_2": [("places.yaml", ("places", 0, "iso_3166_2"))],
    "place_wikidata": [("places.yaml", ("places", 0, "wikidata"))],
    "claimant_wikidata": [("organisations.yaml", ("organisations", 0, "wikidata"))],
    "source_reliability": [("article.yaml", ("assessments", 0, "reliability"))],
}  # fmt: skip

LOADER_WORDS = {
    # column: every value the loader writes there (the table's CHECK constraint, or the seeds' forms)
    "status": CLAIM_STATUSES,
    "claimed_on_precision": PRECISIONS,
    "claimed_on_basis": DATE_BASES,
    "quantity_qualifier": QUANTITY_QUALIFIERS,
}
"""document_sha256 is neither: the loader writes the sha256 of the document's bytes, in hex."""

SAFE_ROWS = {
    # column: (claim, its cell), from the safe seeds: shows that the fields above fill the column
    "claim_id": ("hostile-claim", "hostile-claim"),
    "source_id": ("hostile-claim", "hostile-report"),
    "document": ("hostile-claim", "hostile-article"),
    "place": ("placed-claim", "hostile-place"),
    "claimant_part_of": ("described-claim", "outlet"),
    "source_reliability_of": ("hostile-claim", "hostile-report"),
    "claim_type": ("described-claim", "statement"),
    "claimant_kind": ("hostile-claim", "ngo"),
    "method": ("method-claim", "shooting"),
    "evidence_method": ("hostile-claim", "testimonies"),
    "offence": ("offence-claim", "watching_foreign_media"),
    "punishment": ("offence-claim", "public_execution"),
    "measure": ("figure-claim", "arrivals"),
    "location": ("placed-claim", "river_banks"),
    "attribution": ("hostile-claim", "reported"),
    "source_published": ("hostile-claim", "2020"),
    "claimed_on": ("hostile-claim", "2020"),
    "claimed_on_edtf": ("method-claim", "2019/2020"),
    "period_start": ("hostile-claim", "2019"),
    "period_end": ("figure-claim", "2020"),
    "period_edtf": ("offence-claim", "2021-01/2021-03"),
    "place_iso_3166_2": ("placed-claim", "KP-05"),
    "place_wikidata": ("placed-claim", "Q1"),
    "claimant_wikidata": ("hostile-claim", "Q42"),
    "source_reliability": ("hostile-claim", "D"),
    "status": ("hostile-claim", "active"),
    "claimed_on_precision": ("hostile-claim", "year"),
    "claimed_on_basis": ("hostile-claim", "inferred"),
    "quantity_qualifier": ("hostile-claim", "more_than"),
}


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def safe_seeds(root: Path) -> Path:
    """The hostile seeds (plain text) with every field SAFE_FIELDS names filled: claims of each typed
    value, a described claimant's part_of, codes, EDTF dates, a graded source and organisation."""
    write_hostile_seeds(root)
    vocabularies = _read(root / "vocabularies.yaml")
    vocabularies["vocabularies"].update({
        "execution_methods": {"label": "Methods", "terms": {"shooting": {"label": "Shooting", "definition": "Shot."}}},
        "punishments": {"label": "Punishments", "terms": {
            "public_execution": {"label": "Public execution", "definition": "Before an audience."}}},
        "offences": {"label": "Offences", "terms": {
            "watching_foreign_media": {"label": "Foreign media", "definition": "Films made abroad."}}},
        "defection_measures": {"label": "Measures", "terms": {"arrivals": {"label": "Arrivals", "definition": "In."}}},
    })  # fmt: skip
    _dump(root / "vocabularies.yaml", vocabularies)
    organisations = _read(root / "organisations.yaml")
    organisations["organisations"][0].update(part_of="outlet", wikidata="Q42")
    _dump(root / "organisations.yaml", organisations)
    places = _read(root / "places.yaml")
    places["places"][0].update(iso_3166_2="KP-05", wikidata="Q1")
    _dump(root / "places.yaml", places)
    article = _read(root / "article.yaml")
    document = (root / "documents" / "article.txt").read_bytes()
    article["document"]["sha256"] = hashlib.sha256(document).hexdigest()
    claims = article["claims"]
    claims[1]["claimant"]["part_of"] = "outlet"
    claims[1]["claimed_on"] = {"before": "2021-03-01"}
    plain = {"claimant": "outlet", "attribution": "own_voice", "statement": "It says so.", "quote": "The words:"}
    claims += [
        {"id": "method-claim", **plain, "type": "execution_method", "claimed_on": "2019/2020",
         "value": {"method": "shooting", "punishment": "public_execution"}},
        {"id": "offence-claim", **plain, "type": "offence", "claimed_on": {"after": "2019"},
         "value": {"offence": "watching_foreign_media", "punishment": "public_execution", "period": "2021-Q1"}},
        {"id": "figure-claim", **plain, "type": "defection_figure",
         "value": {"quantity": {"exact": 7}, "measure": "arrivals", "period": "2019/2020"}},
    ]  # fmt: skip
    article["assessments"][0]["reliability"] = "B"
    article["assessments"].append({"id": "report-assessment", "target": {"source": "hostile-report"},
                                   "reliability": "D", "assessor": "Curator", "assessed_on": "2024-01-03",
                                   "reason": "Checked."})  # fmt: skip
    _dump(root / "article.yaml", article)
    return root


@pytest.fixture(scope="module")
def safe_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return safe_seeds(tmp_path_factory.mktemp("safe") / "seeds")


def test_the_safe_seeds_fill_every_unguarded_column(safe_root: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "claims.db")
    assert claims("--db", db, "load", safe_root, "-q").exit_code == 0
    rows = export_rows(db, "--withdrawn")
    for column, (claim, cell) in SAFE_ROWS.items():
        assert rows[claim][column] == cell, column
    document = (safe_root / "documents" / "article.txt").read_bytes()
    assert {row["document_sha256"] for row in rows.values()} == {hashlib.sha256(document).hexdigest()}
    for column, words in LOADER_WORDS.items():
        assert {row[column] for row in rows.values()} <= {*words, ""}, column
    assert set(SAFE_ROWS) == set(SAFE_FIELDS) | set(LOADER_WORDS)


@pytest.mark.parametrize("column", sorted(LOADER_WORDS))
def test_no_word_the_loader_writes_starts_a_formula(column: str) -> None:
    assert not [word for word in LOADER_WORDS[column] if word.startswith(TRIGGERS)]


def _started(value: Any, trigger: str) -> Any:
    """`value` (a seed field's) starting with `trigger`; a number (a year) as the text it is written as."""
    return trigger + str(value)


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path).lstrip(".")


SAFE_CASES = [
    pytest.param(column, field, id=f"{column}-{_dotted(field[1])}") for column, fields in SAFE_FIELDS.items()
    for field in fields
]  # fmt: skip


@pytest.mark.parametrize(("column", "field"), SAFE_CASES)
def test_seeds_refuse_a_trigger_in_every_field_of_an_unguarded_column(
    safe_root: Path, tmp_path: Path, column: str, field: Field
) -> None:
    """The field refuses a value starting with each trigger, or (dates: a leading tab or carriage
    return is whitespace, stripped) takes it but the loader writes the column without it.

    If this fails, a seed can now start `column` with a trigger: take it out of export.UNGUARDED."""
    name, path = field
    assert _get(_read(safe_root / name), path) is not None, f"the safe seeds leave {_dotted(path)} empty"
    for trigger in TRIGGERS:
        root = tmp_path / f"seeds-{ord(trigger)}"
        shutil.copytree(safe_root, root)
        data = _read(root / name)
        _set(data, path, _started(_get(data, path), trigger))
        _dump(root / name, data)
        try:
            api.check(root)
        except SeedError as refused:
            places = (_dotted(path), f"{_dotted(path[:-1])}: ")  # the field, or its item (a claim's type)
            where = [issue for issue in refused.issues if issue.path.endswith(name)]
            assert [issue for issue in where if issue.message.startswith(places)], (repr(trigger), where)
            continue
        db = str(root / "claims.db")
        assert claims("--db", db, "load", root, "-q").exit_code == 0
        cells = [row[column] for row in export_rows(db, "--withdrawn", "--no-formula-guard").values()]
        assert not [cell for cell in cells if cell.startswith(TRIGGERS)], (repr(trigger), cells)


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
