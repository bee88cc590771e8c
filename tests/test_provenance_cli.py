"""Provenance a reader can verify: verify, anchor, relations, chains and load runs, through the CLI.

On the tests' own seeds (tests/fixtures/basic), whose ids and counts these tests pin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import execute_sql

Cli = Callable[..., Any]
HERALD = "herald-2018-06-14-hrdc-executions"
UNDATED = "undated-ministry-figures"


def test_verify_passes_on_the_seeds(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    result = cli("--db", basic_db, "verify", basic_seeds)
    assert result.exit_code == 0
    assert result.stdout.startswith("OK: 32 quote anchors verified in 3 documents")


def test_verify_names_claims_after_the_database_text_is_altered(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    execute_sql(basic_db, f"UPDATE documents SET text = replace(text, '250', '251') WHERE id = '{HERALD}'")
    result = cli("--db", basic_db, "verify", basic_seeds)
    assert result.exit_code == 1
    assert (
        f"DRIFT hrdc-2018-basis-250-interviews ({HERALD}): the document text in the database was altered"
        in result.stderr
    )
    assert "now read 'its report was based on interviews with 251" in result.stderr
    assert "Error: 14 of 32 claims no longer match their documents." in result.stderr


def test_verify_names_claims_after_the_file_on_disk_changes(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    document = basic_seeds / "documents" / "undated-ministry-figures.txt"
    document.write_bytes(document.read_bytes().replace(b"41", b"46"))
    result = cli("--db", basic_db, "verify", basic_seeds)
    assert result.exit_code == 1
    assert f"DRIFT ministry-arrivals-2023-q1-41 ({UNDATED}): the document file" in result.stderr
    assert "changed: sha256" in result.stderr


def test_verify_names_a_moved_anchor(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    execute_sql(basic_db, "UPDATE claims SET quote_start = quote_start + 1 WHERE id = 'hrdc-2018-method-shooting'")
    result = cli("--db", basic_db, "verify", basic_seeds)
    assert result.exit_code == 1
    assert "DRIFT hrdc-2018-method-shooting" in result.stderr and "Error: 1 of 32 claims" in result.stderr


def test_anchor_finds_words_in_a_file_or_a_held_document(cli: Cli, shared_basic_db: str) -> None:
    document = Path(__file__).parent / "fixtures" / "basic" / "documents" / "wire-2022-11-03.txt"
    in_file = cli("--db", shared_basic_db, "anchor", document, "released Tuesday")
    assert in_file.exit_code == 0
    assert "line 1, characters 177–193 (unique: no occurrence needed)" in in_file.stdout
    many = cli("--db", shared_basic_db, "anchor", HERALD, "HRDC")
    assert "Found 6 times" in many.stdout and "(occurrence: 6)" in many.stdout


def test_anchor_explains_a_miss(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "anchor", HERALD, 'decided by "bad" family backgrounds')
    assert result.exit_code == 1
    assert "difference in curly vs straight quotes" in result.stdout
    unknown = cli("--db", shared_basic_db, "anchor", "herald-2018", "x")
    assert unknown.exit_code == 1 and "no document matches 'herald-2018'" in unknown.stderr


def test_show_lists_relations_both_ways(cli: Cli, shared_basic_db: str) -> None:
    data = json.loads(cli("--db", shared_basic_db, "show", "hrdc-2022-count-18-public-executions", "-f", "json").stdout)
    incoming = {(r["direction"], r["kind"], r["claim_id"]) for r in data["relations"]}
    assert ("incoming", "refines", "hrdc-2022-offence-media-seven") in incoming
    seven = json.loads(cli("--db", shared_basic_db, "show", "hrdc-2022-offence-media-seven", "-f", "json").stdout)
    assert ("outgoing", "refines", "hrdc-2022-count-18-public-executions") in {
        (r["direction"], r["kind"], r["claim_id"]) for r in seven["relations"]
    }


def test_denials_contradict_what_they_deny(cli: Cli, shared_basic_db: str) -> None:
    rows = json.loads(cli("--db", shared_basic_db, "list", "--claimant", "North Korea", "-f", "json").stdout)
    contradicted = set()
    for row in rows:
        shown = json.loads(cli("--db", shared_basic_db, "show", row["id"], "-f", "json").stdout)
        contradicted |= {
            r["claim_id"] for r in shown["relations"] if r["kind"] == "contradicts" and r["direction"] == "outgoing"
        }
    assert contradicted == {
        "hrdc-2018-location-river-banks", "hrdc-2018-method-shooting",
        "ministry-2023-offence-drug-dealing", "ministry-2023-offence-watching-videos",
    }  # fmt: skip


def test_independent_corroboration_counts_sources_not_claims(cli: Cli, shared_basic_db: str) -> None:
    sealed = json.loads(cli("--db", shared_basic_db, "show", "hrdc-2022-borders-sealed", "-f", "json").stdout)
    assert sealed["corroboration"] == {
        "claims": 1,
        "independent_sources": 1,
        "groups": [["arw-2022-border-closure-isolation"]],
    }
    # the outlet's "in line with UN reports" rests on the ministry's own report: no independent source
    ministry = json.loads(
        cli("--db", shared_basic_db, "show", "ministry-2023-offence-drug-dealing", "-f", "json").stdout
    )
    assert ministry["corroboration"]["claims"] == 1 and ministry["corroboration"]["independent_sources"] == 0
    assert "from 1 independent source" in cli("--db", shared_basic_db, "show", "hrdc-2022-borders-sealed").stdout


def test_show_names_the_chain_and_unidentified_publications(cli: Cli, shared_basic_db: str) -> None:
    data = json.loads(cli("--db", shared_basic_db, "show", "ministry-arrivals-2023-q1-41", "-f", "json").stdout)
    assert data["made_in"] is None and data["claimed_on_basis"] in ("unknown", "inferred", "document")
    assert [s["id"] for s in data["chain"]] == [UNDATED]
    assert "publication not identified" in cli("--db", shared_basic_db, "show", "ministry-arrivals-2023-q1-41").stdout


def test_runs_and_show_name_the_load_run(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    yaml_file = basic_seeds / f"{HERALD}.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(
        "HRDC says most of those executed were shot by firing squads.", "HRDC says most were shot.",
    ), encoding="utf-8")  # fmt: skip
    assert cli("--db", basic_db, "load", basic_seeds, "-q").exit_code == 0
    runs = json.loads(cli("--db", basic_db, "runs", "-f", "json").stdout)
    assert [(r["id"], r["added"], r["changed"]) for r in runs] == [(2, 0, 1), (1, 32, 0)]
    shown = cli("--db", basic_db, "show", "hrdc-2018-method-shooting").stdout
    assert "added in load run 1" in shown and "last changed in load run 2" in shown
