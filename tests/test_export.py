"""The CSV export a researcher takes into R, pandas or a spreadsheet, and its data package.

On the tests' own seeds (tests/fixtures/basic), whose ids these tests pin.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frictionless
import pandas as pd
from sqlalchemy import create_engine, text

from claimsdb.db.engine import database_url
from claimsdb.export import COLUMN_NAMES

Cli = Callable[..., Any]
HERALD = "herald-2018-06-14-hrdc-executions.yaml"


def _rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def _documents(db: str) -> dict[str, str]:
    engine = create_engine(database_url(db))
    with engine.connect() as connection:
        texts = dict(connection.execute(text("SELECT id, text FROM documents")).tuples().all())
    engine.dispose()
    return texts


def test_columns_are_the_documented_contract(cli: Cli, shared_basic_db: str) -> None:
    header = cli("--db", shared_basic_db, "export").stdout.splitlines()[0].split(",")
    assert header == list(COLUMN_NAMES)
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in COLUMN_NAMES)


def test_round_trip_with_csv_and_pandas(cli: Cli, shared_basic_db: str, tmp_path: Path) -> None:
    assert cli("--db", shared_basic_db, "export", "--out", tmp_path).exit_code == 0
    path = tmp_path / "claims.csv"
    rows = _rows(path.read_text(encoding="utf-8"))
    listed = json.loads(cli("--db", shared_basic_db, "list", "-f", "json").stdout)
    assert [r["claim_id"] for r in rows] == [r["id"] for r in listed]
    documents = _documents(shared_basic_db)
    for row in rows:
        body = documents[row["document"]]
        assert body[int(row["quote_start"]):int(row["quote_end"])] == row["quote"], row["claim_id"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.to_dict("records") == rows
    numbers = pd.read_csv(path)
    figure = numbers.set_index("claim_id").loc["ministry-arrivals-2022-q1-29"]
    assert (figure["quantity_value"], figure["quantity_qualifier"], str(figure["period_start"])) == (
        29,
        "exact",
        "2022-01",
    )


def test_datapackage_validates_with_frictionless(cli: Cli, shared_basic_db: str, tmp_path: Path) -> None:
    assert cli("--db", shared_basic_db, "export", "--out", tmp_path).exit_code == 0
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert package["resources"][0]["schema"]["primaryKey"] == ["claim_id"]
    assert package["licenses"] and package["sources"]
    assert "shooting" in fields["method"]["constraints"]["enum"]
    assert "shooting (Shooting):" in fields["method"]["description"]
    assert all(f["description"] for f in fields.values())
    assert "prefixed with a single quote" in package["description"]


def test_formula_cells_are_guarded_and_can_be_left_raw(cli: Cli, db_url: str, basic_seeds: Path) -> None:
    path = basic_seeds / HERALD
    text = path.read_text(encoding="utf-8")
    assert "statement: HRDC says most of those executed were shot by firing squads." in text
    path.write_text(text.replace(
        "statement: HRDC says most of those executed were shot by firing squads.",
        "statement: '=HYPERLINK(\"http://x\",\"HRDC\") says most executions are by shooting.'",
    ), encoding="utf-8")  # fmt: skip
    assert cli("--db", db_url, "load", basic_seeds, "-q").exit_code == 0
    guarded = {r["claim_id"]: r for r in _rows(cli("--db", db_url, "export").stdout)}
    assert guarded["hrdc-2018-method-shooting"]["statement"].startswith("'=HYPERLINK(")
    raw = {r["claim_id"]: r for r in _rows(cli("--db", db_url, "export", "--no-formula-guard").stdout)}
    assert raw["hrdc-2018-method-shooting"]["statement"].startswith("=HYPERLINK(")
    assert all(not v.startswith(("=", "+", "-", "@")) for row in guarded.values() for v in row.values())


def test_export_takes_the_list_filters(cli: Cli, shared_basic_db: str) -> None:
    rows = _rows(cli("--db", shared_basic_db, "export", "--claimant", "hrdc", "--type", "execution_method").stdout)
    assert {r["claim_id"] for r in rows} == {"hrdc-2018-method-shooting", "hrdc-2018-method-beating-to-death"}
    assert all(r["claimant"] == "hrdc" and r["claimant_kind"] == "ngo" for r in rows)
    assert all(r["source_id"] == "hrdc-2018-report" and r["claimed_on"] == "2018-06-13" for r in rows)


def test_export_is_rfc4180_utf8(cli: Cli, shared_basic_db: str, tmp_path: Path) -> None:
    cli("--db", shared_basic_db, "export", "--out", tmp_path)
    raw = (tmp_path / "claims.csv").read_bytes()
    assert raw.decode("utf-8") and b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    assert "“bad”".encode() in raw  # curly quotes survive, unescaped
