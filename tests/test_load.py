"""Reloads: unchanged seeds change nothing, edits are reported, removals withdraw, failures write nothing.

On the tests' own seeds (tests/fixtures/basic), whose ids and hashes these tests pin.
"""

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
HERALD = "herald-2018-06-14-hrdc-executions.yaml"
UNDATED = "undated-ministry-figures"
UNDATED_SHA256 = "ca31f86b5c1c77fae7cd7a6520b7499ff4bf6dc4e4b8644236bdee7daa362908"


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


def test_reloading_unchanged_seeds_changes_nothing(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    before = snapshot(basic_db)
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert result.exit_code == 0
    assert "Nothing changed: every seed file and document" in result.stdout
    assert "matches load run 1" in result.stdout
    assert snapshot(basic_db) == before


def test_a_changed_claim_is_updated_and_reported(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    _edit(basic_seeds / HERALD, "HRDC says most of those executed were shot by firing squads.",
          "HRDC says most of those executed were shot by firing squads of soldiers.")  # fmt: skip
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert "as load run 2: 0 added, 1 changed, 0 restored, 0 withdrawn" in result.stdout
    assert "changed: hrdc-2018-method-shooting" in result.stdout
    shown = api.show(basic_db, "hrdc-2018-method-shooting")
    assert shown.statement.endswith("firing squads of soldiers.")
    assert (shown.added_in_run.id, shown.changed_in_run.id) == (1, 2)


def test_moving_a_claim_within_its_file_is_not_a_change(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    _edit(basic_seeds / HERALD, "claims:\n", "claims:\n\n\n")
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert "0 added, 0 changed, 0 restored, 0 withdrawn" in result.stdout
    before = api.check(basic_seeds)  # seed lines moved by two
    line = next(c["seed_line"] for c in before.claims if c.id == "hrdc-2018-method-shooting")
    assert api.show(basic_db, "hrdc-2018-method-shooting").seed_line == line


def test_a_removed_claim_is_withdrawn_then_restored(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    original = (basic_seeds / HERALD).read_text(encoding="utf-8")
    _remove_claim(basic_seeds / HERALD, "daily-herald-hrdc-members")
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert "1 withdrawn" in result.stdout and "withdrawn: daily-herald-hrdc-members" in result.stdout
    assert "daily-herald-hrdc-members" not in {r.id for r in api.list_claims(basic_db, ClaimFilter())}
    everything = api.list_claims(basic_db, ClaimFilter(include_withdrawn=True))
    assert {r.id: r.status for r in everything}["daily-herald-hrdc-members"] == "withdrawn"
    assert api.show(basic_db, "daily-herald-hrdc-members").status == "withdrawn"

    (basic_seeds / HERALD).write_text(original, encoding="utf-8")
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert "1 restored" in result.stdout
    assert api.show(basic_db, "daily-herald-hrdc-members").status == "active"


def test_a_failed_load_writes_nothing(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    before = snapshot(basic_db)
    _edit(
        basic_seeds / HERALD,
        "statement: HRDC says most of those executed",
        "statement: HRDC says nearly all of those executed",
    )
    _edit(basic_seeds / HERALD, "value: {method: shooting}", "value: {method: shootin}")
    result = cli("--db", basic_db, "load", basic_seeds)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 1 problem in the seeds; nothing was written:")
    assert "unknown execution_methods term 'shootin' (closest known: shooting" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(basic_db) == before


def test_a_failed_first_load_creates_no_database(cli: Cli, db_url: str, basic_seeds: Path) -> None:
    _edit(basic_seeds / HERALD, "claimant: hrdc\n", "claimant: hrdcc\n")
    result = cli("--db", db_url, "load", basic_seeds)
    assert result.exit_code == 1 and "unknown organisation 'hrdcc'; closest: hrdc" in result.stderr
    assert snapshot(db_url) == []


def test_a_held_document_changed_on_disk_needs_recapture(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    document = basic_seeds / "documents" / "undated-ministry-figures.txt"
    document.write_bytes(document.read_bytes() + b"\nAn appended line.\n")
    result = cli("--db", basic_db, "load", basic_seeds)
    assert result.exit_code == 1
    assert f"changed since capture: recorded sha256 {UNDATED_SHA256[:8]}" in result.stderr
    # the curator re-captures deliberately by recording the new hash in the seed
    new_hash = hashlib.sha256(document.read_bytes()).hexdigest()
    yaml_file = basic_seeds / f"{UNDATED}.yaml"
    _edit(yaml_file, UNDATED_SHA256, new_hash)
    result = cli("--db", basic_db, "load", basic_seeds, "-q")
    assert result.exit_code == 0, result.output
    assert f"re-captured documents (new bytes accepted): {UNDATED}" in result.stdout
    assert api.show(basic_db, "ministry-2023-basis-300-testimonies").anchor.document_sha256 == new_hash


def test_an_unpinned_document_changed_since_loading_needs_recapture(cli: Cli, basic_db: str, basic_seeds: Path) -> None:
    yaml_file = basic_seeds / f"{UNDATED}.yaml"
    _edit(yaml_file, f"  sha256: {UNDATED_SHA256}\n", "")
    document = basic_seeds / "documents" / "undated-ministry-figures.txt"
    document.write_bytes(document.read_bytes() + b"\nAn appended line.\n")
    before = snapshot(basic_db)
    result = cli("--db", basic_db, "load", basic_seeds)
    assert result.exit_code == 1
    assert f"the bytes of document '{UNDATED}' changed since it was loaded" in result.stderr
    assert f"load with --recapture {UNDATED}" in result.stderr
    assert snapshot(basic_db) == before
    result = cli("--db", basic_db, "load", basic_seeds, "--recapture", UNDATED, "-q")
    assert result.exit_code == 0, result.output


def test_dates_are_stored_as_sqlalchemy_stores_them_on_sqlite(basic_seeds: Path, tmp_path: Path) -> None:
    """Claims go to the sqlite3 driver with their dates as they are (load.insert_rows): stored as
    ISO text, exactly as SQLAlchemy's Date type writes and reads them."""
    import datetime as dt
    import sqlite3

    from sqlalchemy import Date, String, column, select, table

    db = str(tmp_path / "claims.db")
    api.load(db, basic_seeds)
    with sqlite3.connect(db) as raw:
        stored = raw.execute("SELECT id, claimed_on, claimed_on_end FROM claims WHERE claimed_on IS NOT NULL").fetchall()
    assert stored
    for _, start, end in stored:
        assert dt.date.fromisoformat(start).isoformat() == start
        assert end is None or dt.date.fromisoformat(end).isoformat() == end
    claims = table("claims", column("id", String), column("claimed_on", Date), column("claimed_on_end", Date))
    with api.open_database(db).engine.connect() as connection:
        read = {row.id: row for row in connection.execute(select(claims))}
    for key, start, end in stored:
        assert isinstance(read[key].claimed_on, dt.date)
        assert (read[key].claimed_on.isoformat(), read[key].claimed_on_end) == (
            start, dt.date.fromisoformat(end) if end else None
        )
