"""A claim's provenance is typed all the way down: claimant, anchor and value are dataclasses read
by attribute, and the JSON of `claims show` still lists only the value fields a claim sets."""

from __future__ import annotations

import json
from pathlib import Path

from claimsdb import api
from conftest import load_seeds


def test_show_gives_typed_claimant_anchor_and_value(cli, tmp_path: Path, basic_seeds: Path) -> None:
    db = str(tmp_path / "claims.db")
    load_seeds(db, basic_seeds)
    with api.open_database(db, read_only=True) as database:
        claim = api.show(database, "hrdc-2018-method-shooting")

    assert isinstance(claim.claimant, api.Claimant) and claim.claimant.id == "hrdc"
    assert isinstance(claim.anchor, api.Anchor)
    assert claim.anchor.exact == "Most of those executed were shot by firing squads"
    assert claim.anchor.verified and claim.anchor.end - claim.anchor.start == len(claim.anchor.exact)
    assert isinstance(claim.value, api.ClaimValue)
    assert isinstance(claim.value.method, api.TermInfo) and claim.value.method.term == "shooting"
    assert [name for name, _ in claim.value.set_fields()] == ["method"]

    shown = json.loads(cli("--db", db, "show", "hrdc-2018-method-shooting", "--format", "json").output)
    method = claim.value.method
    assert shown["value"] == {"method": {"term": "shooting", "label": method.label, "definition": method.definition}}
    assert shown["claimant"]["id"] == "hrdc" and shown["anchor"]["exact"] == claim.anchor.exact


def test_a_quantity_is_read_by_name(tmp_path: Path, basic_seeds: Path) -> None:
    db = str(tmp_path / "claims.db")
    load_seeds(db, basic_seeds)
    with api.open_database(db, read_only=True) as database:
        quantities = [
            claim.value for row in api.list_claims(database, api.ClaimFilter())
            if (claim := api.show(database, row.id)).value.quantity_qualifier == "at_least"
        ]  # fmt: skip
    assert [(value.quantity_lower, value.quantity_phrase) for value in quantities] == [(40, "at least 40")]
