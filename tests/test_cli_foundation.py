"""The foundation, as a user meets it: load the seeds, list, show, export, through the real CLI.

On the tests' own seeds (tests/fixtures/basic), whose ids these tests pin.
"""

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


def test_load_prints_what_is_there(cli: Cli, db_url: str, basic_seeds: Path) -> None:
    result = cli("--db", db_url, "load", basic_seeds)
    assert result.exit_code == 0, result.output
    assert len(api.check(basic_seeds).claims) == 32
    assert "32 added, 0 changed" in result.output
    for heading in ("claims by type", "claims by claimant", "claims by publication", "a few claims"):
        assert heading in result.output
    assert "Human Rights Documentation Centre" in result.output


def test_db_option_and_environment_variable(db_url: str, basic_seeds: Path) -> None:
    from typer.testing import CliRunner

    from claimsdb.cli import app

    result = CliRunner(env={"CLAIMS_DB": db_url, "COLUMNS": "200"}).invoke(app, ["load", str(basic_seeds), "-q"])
    assert result.exit_code == 0, result.output
    assert api.list_claims(database_url(db_url), ClaimFilter(type="defection_figure"))


def test_defection_figures_are_attributed_to_the_unification_ministry(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "list", "--type", "defection_figure", "--format", "json")
    rows = json.loads(result.stdout)
    by_period = {
        r["id"]: r for r in rows if r["claimant_id"] == "ministry-of-unification"
    }
    assert {"ministry-arrivals-2023-q1-41", "ministry-arrivals-2022-q1-29"} == set(by_period)
    table = cli("--db", shared_basic_db, "list", "--type", "defection_figure").stdout
    for claim_id, figure in (("ministry-arrivals-2023-q1-41", "at 41."), ("ministry-arrivals-2022-q1-29", "at 29.")):
        row = next(line for line in table.splitlines() if claim_id in line)
        assert "Ministry of Unification" in row and figure in row, row  # the figure in the row, not only in the id


def test_list_filters_by_claimant_alias_and_source_title(cli: Cli, shared_basic_db: str) -> None:
    by_alias = json.loads(cli("--db", shared_basic_db, "list", "--claimant", "hrdc", "-f", "json").stdout)
    by_name = json.loads(
        cli("--db", shared_basic_db, "list", "--claimant", "human rights documentation centre", "-f", "json").stdout
    )
    assert by_alias == by_name and by_alias
    assert {r["claimant_id"] for r in by_alias} == {"hrdc"}
    by_title = json.loads(cli("--db", shared_basic_db, "list", "--source", "Burial Sites", "-f", "json").stdout)
    assert by_title and {r["document_id"] for r in by_title} == {"herald-2018-06-14-hrdc-executions"}


def test_unknown_claimant_names_the_closest(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "list", "--claimant", "hrcd")
    assert result.exit_code == 1
    assert "Error: no claimant matches 'hrcd'; closest: hrdc" in result.stderr


def test_show_gives_the_250_defector_claims_provenance(cli: Cli, shared_basic_db: str) -> None:
    out = cli("--db", shared_basic_db, "show", "hrdc-2018-basis-250-interviews").stdout
    for expected in (
        "Human Rights Documentation Centre",
        "hrdc-2018-report",
        "herald-2018-06-14-hrdc-executions",
        "2018-06-13 (precise to the day",
        "released on Wednesday",
        "based on interviews with 250 North Korean defectors",
        "The Human Rights Documentation Centre (HRDC) said its report was",  # the surrounding text
        "verified",
    ):
        assert expected in out, expected
    data = json.loads(cli("--db", shared_basic_db, "show", "hrdc-2018-basis-250-interviews", "-f", "json").stdout)
    assert data["claimant"]["id"] == "hrdc"
    assert [s["id"] for s in data["chain"]] == ["hrdc-2018-report", "herald-2018-06-14-hrdc-executions"]
    assert data["claimed_on"] == "2018-06-13" and data["claimed_on_precision"] == "day"
    assert data["anchor"]["verified"] is True
    assert data["value"]["quantity_value"] == 250 and data["value"]["quantity_qualifier"] == "exact"


def test_show_unknown_claim_suggests_ids(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "show", "hrdc-2018-method-shootin")
    assert result.exit_code == 1
    assert "Error: no claim 'hrdc-2018-method-shootin'; closest: hrdc-2018-method-shooting" in result.stderr


def test_reading_a_missing_sqlite_database_says_to_load_and_creates_nothing(cli: Cli, sqlite_path: str) -> None:
    result = cli("--db", sqlite_path, "list")
    assert result.exit_code == 1
    assert f"no claims database at {sqlite_path}; run `claims load`" in result.stderr
    assert not Path(sqlite_path).exists()


def test_reading_an_empty_database_says_to_load(cli: Cli, db_url: str) -> None:
    cli("--db", db_url, "migrate")
    result = cli("--db", db_url, "show", "anything")
    assert result.exit_code == 1 and "Error: no claim 'anything'" in result.stderr
    assert "the database holds no claims yet: run `claims load`" in result.stderr


def test_export_csv_round_trips(cli: Cli, shared_basic_db: str, tmp_path: Path) -> None:
    stdout_csv = cli("--db", shared_basic_db, "export").stdout
    rows = list(csv.DictReader(io.StringIO(stdout_csv)))
    assert len(rows) == len(api.list_claims(shared_basic_db, ClaimFilter()))
    result = cli("--db", shared_basic_db, "export", "--out", tmp_path / "out")
    assert result.exit_code == 0
    written = (tmp_path / "out" / "claims.csv").read_bytes().decode("utf-8")
    assert written.endswith("\r\n") and "\n" not in written.replace("\r\n", "")  # RFC 4180 line ends
    assert written.replace("\r\n", "\n") == stdout_csv  # Click's runner reports CRLF as LF
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert names == list(rows[0].keys())
    forty_one = next(r for r in rows if r["claim_id"] == "ministry-arrivals-2023-q1-41")
    assert (forty_one["quantity_value"], forty_one["period_start"], forty_one["period_end"], forty_one["measure"]) == (
        "41",
        "2023-01",
        "2023-03",
        "arrivals_in_south_korea",
    )


def test_python_dash_m_runs_the_same_command() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "claimsdb", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "load" in result.stdout and "Usage: claims" in result.stdout
