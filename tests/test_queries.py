"""Researchers' queries through the real CLI: every filter and format, summaries, on both back ends."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]


def _rows(cli: Cli, db: str, *args: str) -> list[dict[str, Any]]:
    result = cli("--db", db, "list", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def _ids(cli: Cli, db: str, *args: str) -> list[str]:
    return [row["id"] for row in _rows(cli, db, *args)]


def test_term_filter_accepts_id_or_label(cli: Cli, loaded_db: str) -> None:
    assert _ids(cli, loaded_db, "--term", "shooting") == ["tjwg-2017-method-shooting"]
    by_label = _ids(cli, loaded_db, "--term", "Beating to death")
    assert by_label == ["tjwg-2017-method-beating-to-death"]


def test_unknown_term_names_the_closest(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "list", "--term", "shootting")
    assert result.exit_code == 1
    assert "Error: no vocabulary term matches 'shootting'; closest: shooting" in result.stderr


def test_dates_respect_precision(cli: Cli, loaded_db: str) -> None:
    in_2021 = _ids(cli, loaded_db, "--from", "2021", "--to", "2021")
    december = _ids(cli, loaded_db, "--from", "2021-12-15", "--to", "2021-12-15")
    assert "tjwg-2021-count-23-public-executions" in december
    assert "hrw-2021-isolating-country" in in_2021 and "hrw-2021-isolating-country" not in december
    # the UN commission's report is dated only "2014": it overlaps any range within 2014
    assert "un-coi-2014-crimes-against-humanity" in _ids(cli, loaded_db, "--from", "2014-06", "--to", "2014-06")
    # a claim certainly made in 2021 is never listed before it; one known only as "no later than
    # 2021-12-16" may have been made in 2020, and is listed as possible under both
    certain = {row["id"] for row in _rows(cli, loaded_db, "--from", "2021", "--to", "2021") if row["date_match"] == "certain"}
    before = {row["id"]: row["date_match"] for row in _rows(cli, loaded_db, "--to", "2020")}
    assert certain and not certain & set(before)
    assert set(in_2021) & set(before) and all(before[key] == "possible" for key in set(in_2021) & set(before))


def test_bad_date_is_a_clear_error(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "list", "--from", "July 2017")
    assert result.exit_code == 1 and "Error: 'July 2017' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD" in result.stderr


def test_full_text_search_over_statements_and_quotes(cli: Cli, loaded_db: str) -> None:
    assert _ids(cli, loaded_db, "--search", "bullets") == ["tjwg-2017-interviewee-not-worth-bullets"]
    copper = _ids(cli, loaded_db, "--search", "copper factory")
    assert copper and all("tjwg-2017" in claim for claim in copper)
    assert _ids(cli, loaded_db, "--search", 'bullets" OR "x') == []  # user text is never query syntax


def test_filters_combine_and_sort(cli: Cli, loaded_db: str) -> None:
    ids = _ids(cli, loaded_db, "--claimant", "TJWG", "--type", "offence", "--term", "public_execution", "--sort", "date")
    assert ids and all(claim.startswith("tjwg-20") for claim in ids)
    assert ids.index("tjwg-2017-offence-prostitution") < ids.index("tjwg-2021-offence-south-korean-media-seven")
    assert len(_ids(cli, loaded_db, "--limit", "3")) == 3


def test_no_match_says_so(cli: Cli, loaded_db: str) -> None:
    result = cli("--db", loaded_db, "list", "--search", "zeppelin")
    assert result.exit_code == 0 and "No claims match these filters." in result.stderr


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_machine_formats_carry_the_same_rows_as_json(cli: Cli, loaded_db: str, fmt: str) -> None:
    as_json = json.loads(cli("--db", loaded_db, "list", "--type", "offence", "-f", "json").stdout)
    out = cli("--db", loaded_db, "list", "--type", "offence", "-f", fmt).stdout
    rows = [json.loads(line) for line in out.splitlines()] if fmt == "ndjson" else list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == [r["id"] for r in as_json]


def test_summaries(cli: Cli, loaded_db: str) -> None:
    sources = json.loads(cli("--db", loaded_db, "sources", "-f", "json").stdout)
    article = next(s for s in sources if s["id"] == "huffpost-2017-07-20-tjwg-executions")
    assert article["held"] and "tjwg-2017-mapping-report" in article["reports_on"]
    assert article["claims_recorded_from"] == len(_ids(cli, loaded_db, "--source", article["id"]))
    claimants = json.loads(cli("--db", loaded_db, "claimants", "-f", "json").stdout)
    ministry = next(c for c in claimants if c["id"] == "unification-ministry")
    assert "MOU" in ministry["aliases"] and ministry["claims"] == len(_ids(cli, loaded_db, "--claimant", "mou"))
    stats = json.loads(cli("--db", loaded_db, "stats", "-f", "json").stdout)
    assert sum(row["total"] for row in stats["by_type_and_claimant"]) == len(_ids(cli, loaded_db))
    assert {c["key"] for c in stats["by_year"]} >= {"2017", "2021", "unknown"}
    assert "claims by claimant and type" in cli("--db", loaded_db, "stats").stdout
