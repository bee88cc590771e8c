"""Reloads: unchanged seeds change nothing, edits are reported, removals withdraw, failures write nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimsdb import api
from claimsdb.query import ClaimFilter
from conftest import snapshot

Cli = Callable[..., Any]
HUFFPOST = "huffpost-2017-07-20-tjwg-executions.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _remove_claim(path: Path, claim_id: str) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"\n  - id: {re.escape(claim_id)}\n(?:    .*\n|\n)*?(?=  - id: |\Z|  #)")
    new, count = pattern.subn("\n", text)
    assert count == 1
    path.write_text(new, encoding="utf-8")


def test_reloading_unchanged_seeds_changes_nothing(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    before = snapshot(loaded_db)
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert result.exit_code == 0
    assert "Nothing changed: every seed file and document" in result.stdout
    assert "matches load run 1" in result.stdout
    assert snapshot(loaded_db) == before


def test_a_changed_claim_is_updated_and_reported(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    _edit(seeds_dir / HUFFPOST, "TJWG says most executions are carried out by shooting.",
          "TJWG says most executions are carried out by firing squad shooting.")  # fmt: skip
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert "as load run 2: 0 added, 1 changed, 0 restored, 0 withdrawn" in result.stdout
    assert "changed: tjwg-2017-method-shooting" in result.stdout
    shown = api.show(loaded_db, "tjwg-2017-method-shooting")
    assert shown.statement.endswith("firing squad shooting.")
    assert (shown.added_in_run.id, shown.changed_in_run.id) == (1, 2)


def test_moving_a_claim_within_its_file_is_not_a_change(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    _edit(seeds_dir / HUFFPOST, "claims:\n", "claims:\n\n\n")
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert "0 added, 0 changed, 0 restored, 0 withdrawn" in result.stdout
    before = api.check(seeds_dir)  # seed lines moved by two
    line = next(c["seed_line"] for c in before.claims if c.id == "tjwg-2017-method-shooting")
    assert api.show(loaded_db, "tjwg-2017-method-shooting").seed_line == line


def test_a_removed_claim_is_withdrawn_then_restored(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    original = (seeds_dir / HUFFPOST).read_text(encoding="utf-8")
    _remove_claim(seeds_dir / HUFFPOST, "huffpost-2017-tjwg-membership")
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert "1 withdrawn" in result.stdout and "withdrawn: huffpost-2017-tjwg-membership" in result.stdout
    assert "huffpost-2017-tjwg-membership" not in {r.id for r in api.claims(loaded_db, ClaimFilter())}
    everything = api.claims(loaded_db, ClaimFilter(include_withdrawn=True))
    assert {r.id: r.status for r in everything}["huffpost-2017-tjwg-membership"] == "withdrawn"
    assert api.show(loaded_db, "huffpost-2017-tjwg-membership").status == "withdrawn"

    (seeds_dir / HUFFPOST).write_text(original, encoding="utf-8")
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert "1 restored" in result.stdout
    assert api.show(loaded_db, "huffpost-2017-tjwg-membership").status == "active"


def test_a_failed_load_writes_nothing(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    before = snapshot(loaded_db)
    _edit(seeds_dir / HUFFPOST, "statement: TJWG says most executions", "statement: TJWG says nearly all executions")
    _edit(seeds_dir / HUFFPOST, "value: {method: shooting}", "value: {method: shootin}")
    result = cli("--db", loaded_db, "load", seeds_dir)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 1 problem in the seeds; nothing was written:")
    assert "unknown execution_methods term 'shootin' (closest known: shooting" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(loaded_db) == before


def test_a_failed_first_load_creates_no_database(cli: Cli, db_url: str, seeds_dir: Path) -> None:
    _edit(seeds_dir / HUFFPOST, "claimant: tjwg\n", "claimant: tjwgg\n")
    result = cli("--db", db_url, "load", seeds_dir)
    assert result.exit_code == 1 and "unknown organisation 'tjwgg'; closest: tjwg" in result.stderr
    assert snapshot(db_url) == []


def test_a_held_document_changed_on_disk_needs_recapture(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    document = seeds_dir / "documents" / "003_5d3e14be34171529.txt"
    document.write_bytes(document.read_bytes() + b"\nAn appended line.\n")
    result = cli("--db", loaded_db, "load", seeds_dir)
    assert result.exit_code == 1
    assert "changed since capture: recorded sha256 6616268e" in result.stderr
    # the curator re-captures deliberately by recording the new hash in the seed
    new_hash = hashlib.sha256(document.read_bytes()).hexdigest()
    yaml_file = seeds_dir / "unidentified-2021-12-16-tjwg-concealed-executions.yaml"
    _edit(yaml_file, "6616268e1428eca540bd5cbc431650a10478989e8abe39de0f8938d9cf6b6119", new_hash)
    result = cli("--db", loaded_db, "load", seeds_dir, "-q")
    assert result.exit_code == 0, result.output
    assert "re-captured documents (new bytes accepted): unidentified-2021-12-16-tjwg-concealed-executions" in result.stdout
    assert api.show(loaded_db, "tjwg-2021-basis-satellite-footage").anchor["document_sha256"] == new_hash


def test_an_unpinned_document_changed_since_loading_needs_recapture(cli: Cli, loaded_db: str, seeds_dir: Path) -> None:
    yaml_file = seeds_dir / "unidentified-2021-12-16-tjwg-concealed-executions.yaml"
    _edit(yaml_file, "  sha256: 6616268e1428eca540bd5cbc431650a10478989e8abe39de0f8938d9cf6b6119\n", "")
    document = seeds_dir / "documents" / "003_5d3e14be34171529.txt"
    document.write_bytes(document.read_bytes() + b"\nAn appended line.\n")
    before = snapshot(loaded_db)
    result = cli("--db", loaded_db, "load", seeds_dir)
    assert result.exit_code == 1
    assert "the bytes of document 'unidentified-2021-12-16-tjwg-concealed-executions' changed since it was loaded" in result.stderr
    assert "load with --recapture unidentified-2021-12-16-tjwg-concealed-executions" in result.stderr
    assert snapshot(loaded_db) == before
    result = cli("--db", loaded_db, "load", seeds_dir, "--recapture", "unidentified-2021-12-16-tjwg-concealed-executions", "-q")
    assert result.exit_code == 0, result.output
