"""The foundation, as a user meets it: load the seeds, list, show, export, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimsdb import api
from claimsdb.db.engine import database_url
from claimsdb.query import ClaimFilter

Cli = Callable[..., Any]


def test_load_prints_what_is_there(cli: Cli, db_url: str, seeds_dir: Path) -> None:
    result = cli("--db", db_url, "load", seeds_dir)
    assert result.exit_code == 0, result.output
    total = len(api.check(seeds_dir).claims)
    assert f"{total} added, 0 changed" in result.output
    for heading in ("claims by type", "claims by claimant", "claims by publication", "a few claims"):
        assert heading in result.output
    assert "Transitional Justice Working Group" in result.output


def test_db_option_and_environment_variable(db_url: str, seeds_dir: Path) -> None:
    from typer.testing import CliRunner

    from claimsdb.cli import app

    result = CliRunner(env={"CLAIMS_DB": db_url, "COLUMNS": "200"}).invoke(app, ["load", str(seeds_dir), "-q"])
    assert result.exit_code == 0, result.output
    assert api.claims(database_url(db_url), ClaimFilter(type="defection_figure"))


def test_defection_figures_are_attributed_to_the_unification_ministry(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "list", "--type", "defection_figure", "--format", "json")
    rows = json.loads(result.stdout)
    by_period = {
        r["id"]: r for r in rows if r["claimant_id"] == "unification-ministry"
    }
    assert {"unification-ministry-arrivals-2021-63", "unification-ministry-arrivals-2022-67"} <= set(by_period)
    table = cli("--db", loaded_db, "list", "--type", "defection_figure").stdout
    assert "Ministry of Unification" in table and "63" in table and "67" in table


def test_list_filters_by_claimant_alias_and_source_title(cli: Cli, loaded_db: str) -> None:
    by_alias = json.loads(cli("--db", loaded_db, "list", "--claimant", "tjwg", "-f", "json").stdout)
    by_name = json.loads(cli("--db", loaded_db, "list", "--claimant", "transitional justice working group", "-f", "json").stdout)
    assert by_alias == by_name and by_alias
    assert {r["claimant_id"] for r in by_alias} == {"tjwg"}
    by_title = json.loads(cli("--db", loaded_db, "list", "--source", "Mass Graves", "-f", "json").stdout)
    assert by_title and {r["document_id"] for r in by_title} == {"huffpost-2017-07-20-tjwg-executions"}


def test_unknown_claimant_names_the_closest(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "list", "--claimant", "tjgw")
    assert result.exit_code == 1
    assert "Error: no claimant matches 'tjgw'; closest: tjwg" in result.stderr


def test_show_gives_the_375_defector_claims_provenance(cli: Cli, loaded_db: str) -> None:
    out = cli("--db", loaded_db, "show", "tjwg-2017-basis-375-interviews").stdout
    for expected in (
        "Transitional Justice Working Group",
        "tjwg-2017-mapping-report",
        "huffpost-2017-07-20-tjwg-executions",
        "2017-07-19 (precise to the day",
        "released on Wednesday",
        "based on interviews with 375 North Korean defectors",
        "The Transitional Justice Working Group (TJWG) said its report was",  # the surrounding text
        "verified",
    ):
        assert expected in out, expected
    data = json.loads(cli("--db", loaded_db, "show", "tjwg-2017-basis-375-interviews", "-f", "json").stdout)
    assert data["claimant"]["id"] == "tjwg"
    assert [s["id"] for s in data["chain"]] == ["tjwg-2017-mapping-report", "huffpost-2017-07-20-tjwg-executions"]
    assert data["claimed_on"] == "2017-07-19" and data["claimed_on_precision"] == "day"
    assert data["anchor"]["verified"] is True
    assert data["value"]["quantity_value"] == 375 and data["value"]["quantity_qualifier"] == "exact"


def test_show_unknown_claim_suggests_ids(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "show", "tjwg-2017-method-shootin")
    assert result.exit_code == 1
    assert "Error: no claim 'tjwg-2017-method-shootin'; closest: tjwg-2017-method-shooting" in result.stderr


def test_reading_a_missing_sqlite_database_says_to_load_and_creates_nothing(cli: Cli, sqlite_path: str) -> None:
    result = cli("--db", sqlite_path, "list")
    assert result.exit_code == 1
    assert f"no claims database at {sqlite_path}; run `claims load`" in result.stderr
    assert not Path(sqlite_path).exists()


def test_reading_an_empty_database_says_to_load(cli: Cli, db_url: str) -> None:
    cli("--db", db_url, "migrate")
    result = cli("--db", db_url, "show", "anything")
    assert result.exit_code == 1 and "Error: no claim 'anything'" in result.stderr


def test_export_csv_round_trips(cli: Cli, loaded_db: str, tmp_path: Path) -> None:
    stdout_csv = cli("--db", loaded_db, "export").stdout
    rows = list(csv.DictReader(io.StringIO(stdout_csv)))
    assert len(rows) == len(api.claims(loaded_db, ClaimFilter()))
    result = cli("--db", loaded_db, "export", "--out", tmp_path / "out")
    assert result.exit_code == 0
    written = (tmp_path / "out" / "claims.csv").read_bytes().decode("utf-8")
    assert written.endswith("\r\n") and "\n" not in written.replace("\r\n", "")  # RFC 4180 line ends
    assert written.replace("\r\n", "\n") == stdout_csv  # Click's runner reports CRLF as LF
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert names == list(rows[0].keys())
    sixty_three = next(r for r in rows if r["claim_id"] == "unification-ministry-arrivals-2021-63")
    assert (sixty_three["quantity_value"], sixty_three["period_start"], sixty_three["measure"]) == ("63", "2021", "arrivals_in_south_korea")


def test_python_dash_m_runs_the_same_command() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "claimsdb", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "load" in result.stdout and "Usage: claims" in result.stdout
