"""Provenance a reader can verify: verify, anchor, relations, chains and load runs, through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


from conftest import execute_sql

Cli = Callable[..., Any]



def test_verify_passes_on_the_seeds(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    result = cli("--db", loaded_db, "verify", seeds_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("OK: 77 quote anchors verified in 3 documents")


def test_verify_names_claims_after_the_database_text_is_altered(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    execute_sql(loaded_db, "UPDATE documents SET text = replace(text, '375', '376') WHERE id = 'huffpost-2017-07-20-tjwg-executions'")
    result = cli("--db", loaded_db, "verify", seeds_dir)
    assert result.exit_code == 1
    assert "DRIFT tjwg-2017-basis-375-interviews (huffpost-2017-07-20-tjwg-executions): the document text in the database was altered" in result.stderr
    assert "now read 'its report was based on interviews with 376" in result.stderr
    assert "Error: 33 of 77 claims no longer match their documents." in result.stderr


def test_verify_names_claims_after_the_file_on_disk_changes(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    document = seeds_dir / "documents" / "004_efc814114c7f461d.txt"
    document.write_bytes(document.read_bytes().replace(b"63", b"68"))
    result = cli("--db", loaded_db, "verify", seeds_dir)
    assert result.exit_code == 1
    assert "DRIFT unification-ministry-arrivals-2021-63 (unidentified-undated-unification-ministry-report): the document file" in result.stderr
    assert "changed: sha256" in result.stderr


def test_verify_names_a_moved_anchor(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    execute_sql(loaded_db, "UPDATE claims SET quote_start = quote_start + 1 WHERE id = 'tjwg-2017-method-shooting'")
    result = cli("--db", loaded_db, "verify", seeds_dir)
    assert result.exit_code == 1
    assert "DRIFT tjwg-2017-method-shooting" in result.stderr and "Error: 1 of 77 claims" in result.stderr


def test_anchor_finds_words_in_a_file_or_a_held_document(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    in_file = cli("--db", loaded_db, "anchor", seeds_dir / "documents" / "003_5d3e14be34171529.txt", "released Wednesday")
    assert in_file.exit_code == 0
    assert "line 7, characters 627–645 (unique: no occurrence needed)" in in_file.stdout
    many = cli("--db", loaded_db, "anchor", "huffpost-2017-07-20-tjwg-executions", "TJWG")
    assert "Found 5 times" in many.stdout and "(occurrence: 5)" in many.stdout


def test_anchor_explains_a_miss(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "anchor", "huffpost-2017-07-20-tjwg-executions", 'influenced by "bad" family backgrounds')
    assert result.exit_code == 1
    assert "difference in curly vs straight quotes" in result.stdout
    unknown = cli("--db", loaded_db, "anchor", "huffpost-2017", "x")
    assert unknown.exit_code == 1 and "no document matches 'huffpost-2017'" in unknown.stderr


def test_show_lists_relations_both_ways(cli: Cli, loaded_db: str) -> None:
    data = json.loads(cli("--db", loaded_db, "show", "tjwg-2021-count-23-public-executions", "-f", "json").stdout)
    incoming = {(r["direction"], r["kind"], r["claim_id"]) for r in data["relations"]}
    assert ("incoming", "refines", "tjwg-2021-offence-south-korean-media-seven") in incoming
    seven = json.loads(cli("--db", loaded_db, "show", "tjwg-2021-offence-south-korean-media-seven", "-f", "json").stdout)
    assert ("outgoing", "refines", "tjwg-2021-count-23-public-executions") in {
        (r["direction"], r["kind"], r["claim_id"]) for r in seven["relations"]
    }


def test_denials_contradict_what_they_deny(cli: Cli, loaded_db: str) -> None:
    rows = json.loads(cli("--db", loaded_db, "list", "--claimant", "North Korea", "-f", "json").stdout)
    contradicted = set()
    for row in rows:
        shown = json.loads(cli("--db", loaded_db, "show", row["id"], "-f", "json").stdout)
        contradicted |= {r["claim_id"] for r in shown["relations"] if r["kind"] == "contradicts" and r["direction"] == "outgoing"}
    assert contradicted and any(c.startswith("tjwg-") for c in contradicted)


def test_independent_corroboration_counts_sources_not_claims(cli: Cli, loaded_db: str) -> None:
    hrw = json.loads(cli("--db", loaded_db, "show", "tjwg-2021-covid-border-closure", "-f", "json").stdout)
    assert hrw["corroboration"] == {"claims": 1, "independent_sources": 1, "groups": [["hrw-2021-isolating-country"]]}
    # the outlet's "in line with UN investigations" rests on the ministry's own report: no independent source
    ministry = json.loads(cli("--db", loaded_db, "show", "unification-ministry-2023-offence-drug-crimes", "-f", "json").stdout)
    assert ministry["corroboration"]["claims"] == 1 and ministry["corroboration"]["independent_sources"] == 0
    assert "from 1 independent source" in cli("--db", loaded_db, "show", "tjwg-2021-covid-border-closure").stdout


def test_show_names_the_chain_and_unidentified_publications(cli: Cli, loaded_db: str) -> None:
    data = json.loads(cli("--db", loaded_db, "show", "unification-ministry-arrivals-2021-63", "-f", "json").stdout)
    assert data["made_in"] is None and data["claimed_on_basis"] in ("unknown", "inferred", "document")
    assert [s["id"] for s in data["chain"]] == ["unidentified-undated-unification-ministry-report"]
    assert "publication not identified" in cli("--db", loaded_db, "show", "unification-ministry-arrivals-2021-63").stdout


def test_runs_and_show_name_the_load_run(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    yaml_file = seeds_dir / "huffpost-2017-07-20-tjwg-executions.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(
        "TJWG says most executions are carried out by shooting.", "TJWG says most executions are by shooting."), encoding="utf-8")  # fmt: skip
    assert cli("--db", loaded_db, "load", seeds_dir, "-q").exit_code == 0
    runs = json.loads(cli("--db", loaded_db, "runs", "-f", "json").stdout)
    assert [(r["id"], r["added"], r["changed"]) for r in runs] == [(2, 0, 1), (1, 77, 0)]
    shown = cli("--db", loaded_db, "show", "tjwg-2017-method-shooting").stdout
    assert "added in load run 1" in shown and "last changed in load run 2" in shown
