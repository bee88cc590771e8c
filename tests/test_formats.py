"""One --format for every command that prints data: table, json, csv and ndjson each parse (json.loads,
csv.reader, one JSON object a line) and hold the same rows as the table people read."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from claimsdb.api import guard_formula
from claimsdb.cli import app

FORMATS = ("table", "json", "csv", "ndjson")
LISTINGS = {"list": "id", "sources": "id", "claimants": "id", "runs": "id"}
"""Commands whose json is an array of flat rows, and the column naming each row in the table."""
RUNNER = CliRunner(env={"COLUMNS": "2000", "NO_COLOR": "1", "CLAIMS_DB": None})  # wide: no cell folds


def run(db: str, *args: str) -> str:
    result = RUNNER.invoke(app, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def outputs(db: str, *command: str) -> dict[str, Any]:
    """The command's output in every format, each parsed as a program would."""
    out = {fmt: run(db, *command, "--format", fmt) for fmt in FORMATS}
    lines = out["ndjson"].splitlines()
    assert lines and all(line.startswith("{") for line in lines), out["ndjson"]
    return {
        "table": out["table"],
        "json": json.loads(out["json"]),
        "csv": list(csv.reader(io.StringIO(out["csv"], newline=""))),
        "ndjson": [json.loads(line) for line in lines],
    }


def as_csv(value: Any) -> str:
    """A JSON value as the CSV cell holding it (None empty, text behind the formula guard)."""
    if value is None:
        return ""
    return guard_formula(value) if isinstance(value, str) else str(value)


def csv_records(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.mark.parametrize("command", sorted(LISTINGS))
def test_a_listing_holds_the_same_rows_in_every_format(shared_basic_db: str, command: str) -> None:
    got = outputs(shared_basic_db, command)
    rows = got["json"]
    assert rows and got["ndjson"] == rows
    assert csv_records(got["csv"]) == [{name: as_csv(value) for name, value in row.items()} for row in rows]
    for row in rows:
        assert str(row[LISTINGS[command]]) in got["table"], row


def test_show_holds_the_claim_in_every_format(shared_basic_db: str) -> None:
    claim_id = "hrdc-2018-method-shooting"
    got = outputs(shared_basic_db, "show", claim_id)
    assert got["ndjson"] == [got["json"]] and got["json"]["id"] == claim_id
    exported = list(csv.reader(io.StringIO(run(shared_basic_db, "export"), newline="")))
    assert got["csv"] == [exported[0], next(row for row in exported if row[0] == claim_id)]
    (record,) = csv_records(got["csv"])
    assert record["statement"] == got["json"]["statement"] and got["json"]["statement"] in got["table"]


def test_show_of_an_unknown_claim_writes_no_csv(shared_basic_db: str) -> None:
    result = RUNNER.invoke(app, ["--db", shared_basic_db, "show", "hrdc-2018-method-shootin", "-f", "csv"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "closest: hrdc-2018-method-shooting" in result.stderr


def test_stats_gives_one_row_per_number_of_its_table(shared_basic_db: str) -> None:
    got = outputs(shared_basic_db, "stats")
    records = csv_records(got["csv"])
    assert got["csv"][0] == ["claimant", "type", "year", "claims"]
    assert records == [{name: as_csv(value) for name, value in row.items()} for row in got["ndjson"]]
    grid = {(row["claimant"], row["type"]): row["claims"] for row in got["ndjson"] if row["year"] is None}
    years = {row["year"]: row["claims"] for row in got["ndjson"] if row["year"] is not None}
    stats = got["json"]
    assert grid == {(r["key"], t): n for r in stats["by_type_and_claimant"] for t, n in r["counts"].items()}
    assert years == {count["key"]: count["count"] for count in stats["by_year"]}
    for claimant, _ in grid:
        assert claimant in got["table"]
    for year in years:
        assert year in got["table"]


def test_figures_give_one_row_per_figure(shared_basic_db: str) -> None:
    got = outputs(shared_basic_db, "figures")
    claim_ids = [value["claim_id"] for group in got["json"]["groups"] for value in group["values"]]
    assert claim_ids and [row["claim_id"] for row in got["ndjson"]] == claim_ids
    records = csv_records(got["csv"])
    assert records == [{name: as_csv(value) for name, value in row.items()} for row in got["ndjson"]]
    for claim_id in claim_ids:
        assert claim_id in got["table"]


def test_contradicts_gives_each_denial_and_what_it_contradicts(shared_basic_db: str) -> None:
    got = outputs(shared_basic_db, "contradicts")
    assert got["json"] and got["ndjson"] == got["json"]
    pairs = [(item["claim"]["id"], target["id"]) for item in got["json"] for target in item["denies"]]
    assert [(row["denial"], row["denies"]) for row in csv_records(got["csv"])] == pairs
    for denial, target in pairs:
        assert denial in got["table"] and target in got["table"]


def test_rich_is_now_table(shared_basic_db: str) -> None:
    for command in (("show", "hrdc-2018-method-shooting"), ("stats",)):
        refused = RUNNER.invoke(app, ["--db", shared_basic_db, *command, "--format", "rich"])
        assert refused.exit_code == 2 and "'rich' is not one of 'table', 'json', 'csv', 'ndjson'" in refused.output
        assert run(shared_basic_db, *command) == run(shared_basic_db, *command, "-f", "table")
