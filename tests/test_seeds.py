"""The project's own seeds: the three articles, byte-identical, and every claim anchored exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import create_engine, text

from claimsdb.api import check
from claimsdb.db.engine import database_url
from conftest import SEEDS

# sha256 of the three articles as captured in shared/seed-documents/ (never to be edited).
CAPTURED = {
    "000_cdb9ae21624a475a.txt": "5d5d3a15d71d3cd8309ada9deddc9c64043b01459bb47b8968a6baf3883c478b",
    "003_5d3e14be34171529.txt": "6616268e1428eca540bd5cbc431650a10478989e8abe39de0f8938d9cf6b6119",
    "004_efc814114c7f461d.txt": "8de07dd10ab19f55595022ecd83264749d30d414148356698cb2af52715caaf5",
}


def test_documents_are_byte_identical_to_the_captures() -> None:
    held = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (SEEDS / "documents").iterdir()}
    assert held == CAPTURED


def test_seed_yaml_records_each_document_hash() -> None:
    bundle = check(SEEDS)
    assert {Path(d.path).name: d.sha256 for d in bundle.documents} == CAPTURED


def test_seeds_hold_well_over_fifty_claims_of_every_type() -> None:
    bundle = check(SEEDS)
    types = {c["type"] for c in bundle.claims}
    assert len(bundle.claims) > 50
    assert types == {
        "execution_method", "offence", "defection_figure", "execution_count",
        "execution_location", "evidence_basis", "statement",
    }  # fmt: skip


def test_every_vocabulary_term_has_a_label_and_definition() -> None:
    bundle = check(SEEDS)
    assert {v.id for v in bundle.vocabularies} >= {
        "organisation_kinds", "execution_methods", "offences", "punishments", "defection_measures",
    }  # fmt: skip
    assert all(t.label.strip() and t.definition.strip() for t in bundle.terms)


def test_every_stored_quote_is_its_document_between_its_offsets(loaded_db: str) -> None:
    engine = create_engine(database_url(loaded_db))
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.id, c.quote, c.quote_start, c.quote_end, c.quote_prefix, c.quote_suffix, d.text, d.sha256,"
            " c.document_sha256 FROM claims c JOIN documents d ON d.id = c.document_id"
        )).all()  # fmt: skip
    engine.dispose()
    on_disk = {p.name: p.read_bytes() for p in (SEEDS / "documents").iterdir()}
    assert len(rows) == len(check(SEEDS).claims)
    for claim_id, quote, start, end, prefix, suffix, body, sha, anchored_sha in rows:
        assert body[start:end] == quote, claim_id
        assert body[:start].endswith(prefix) and body[end:].startswith(suffix), claim_id
        assert sha == anchored_sha and body.encode() in on_disk.values(), claim_id


def test_no_claim_quotes_captions_or_the_unrelated_headlines() -> None:
    bundle = check(SEEDS)
    excluded = ("Suspected body site groupings", "TJWG/ Google Earth", "via Getty Images", "Harrowing sketches",
                "SEE ALSO", "Trump", "Netanyahu", "Hwasong-12")  # fmt: skip
    for claim in bundle.claims:
        assert not any(text in claim["quote"] for text in excluded), claim.id
