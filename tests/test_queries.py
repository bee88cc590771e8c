"""Researchers' queries through the real CLI: every filter and format, summaries, on both back ends.

On the tests' own seeds (tests/fixtures/basic), loaded once per back end: these tests only read.
"""

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


def test_term_filter_accepts_id_or_label(cli: Cli, shared_basic_db: str) -> None:
    assert _ids(cli, shared_basic_db, "--term", "shooting") == ["hrdc-2018-method-shooting"]
    by_label = _ids(cli, shared_basic_db, "--term", "Beating to death")
    assert by_label == ["hrdc-2018-method-beating-to-death"]


def test_unknown_term_names_the_closest(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "list", "--term", "shootting")
    assert result.exit_code == 1
    assert "Error: no vocabulary term matches 'shootting'; closest: shooting" in result.stderr


def test_dates_respect_precision(cli: Cli, shared_basic_db: str) -> None:
    in_2022 = _ids(cli, shared_basic_db, "--from", "2022", "--to", "2022")
    november_first = _ids(cli, shared_basic_db, "--from", "2022-11-01", "--to", "2022-11-01")
    assert "hrdc-2022-count-18-public-executions" in november_first
    assert "arw-2022-border-closure-isolation" in in_2022 and "arw-2022-border-closure-isolation" not in november_first
    # the UN panel's report is dated only "2015": it overlaps any range within 2015
    assert "un-panel-2015-crimes-against-humanity" in _ids(cli, shared_basic_db, "--from", "2015-06", "--to", "2015-06")
    # a claim certainly made in 2022 is never listed before it; one known only as "no later than
    # 2022-11-03" may have been made in 2021, and is listed as possible under both
    certain = {
        row["id"]
        for row in _rows(cli, shared_basic_db, "--from", "2022", "--to", "2022")
        if row["date_match"] == "certain"
    }
    before = {row["id"]: row["date_match"] for row in _rows(cli, shared_basic_db, "--to", "2021")}
    assert certain and not certain & set(before)
    assert "experts-executions-frighten-the-young" in set(in_2022) & set(before)
    assert all(before[key] == "possible" for key in set(in_2022) & set(before))


def test_bad_date_is_a_clear_error(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "list", "--from", "July 2017")
    assert (
        result.exit_code == 1 and "Error: 'July 2017' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD" in result.stderr
    )


def test_full_text_search_over_statements_and_quotes(cli: Cli, shared_basic_db: str) -> None:
    assert _ids(cli, shared_basic_db, "--search", "bullets") == ["hrdc-2018-interviewee-not-worth-bullets"]
    copper = _ids(cli, shared_basic_db, "--search", "copper factory")
    assert copper and all("hrdc-2018" in claim for claim in copper)
    assert _ids(cli, shared_basic_db, "--search", 'bullets" OR "x') == []  # user text is never query syntax


def test_filters_combine_and_sort(cli: Cli, shared_basic_db: str) -> None:
    ids = _ids(
        cli, shared_basic_db, "--claimant", "HRDC", "--type", "offence", "--term", "public_execution", "--sort", "date"
    )
    assert ids and all(claim.startswith("hrdc-20") for claim in ids)
    assert ids.index("hrdc-2018-offence-theft-of-copper") < ids.index("hrdc-2022-offence-media-seven")
    assert len(_ids(cli, shared_basic_db, "--limit", "3")) == 3


def test_no_match_says_so(cli: Cli, shared_basic_db: str) -> None:
    result = cli("--db", shared_basic_db, "list", "--search", "zeppelin")
    assert result.exit_code == 0 and "No claims match these filters." in result.stderr


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_machine_formats_carry_the_same_rows_as_json(cli: Cli, shared_basic_db: str, fmt: str) -> None:
    as_json = json.loads(cli("--db", shared_basic_db, "list", "--type", "offence", "-f", "json").stdout)
    out = cli("--db", shared_basic_db, "list", "--type", "offence", "-f", fmt).stdout
    rows = (
        [json.loads(line) for line in out.splitlines()] if fmt == "ndjson" else list(csv.DictReader(io.StringIO(out)))
    )
    assert [r["id"] for r in rows] == [r["id"] for r in as_json]


def test_summaries(cli: Cli, shared_basic_db: str) -> None:
    sources = json.loads(cli("--db", shared_basic_db, "sources", "-f", "json").stdout)
    article = next(s for s in sources if s["id"] == "herald-2018-06-14-hrdc-executions")
    assert article["held"] and "hrdc-2018-report" in article["reports_on"]
    assert article["claims_recorded_from"] == len(_ids(cli, shared_basic_db, "--source", article["id"]))
    claimants = json.loads(cli("--db", shared_basic_db, "claimants", "-f", "json").stdout)
    ministry = next(c for c in claimants if c["id"] == "ministry-of-unification")
    assert "MOU" in ministry["aliases"] and ministry["claims"] == len(_ids(cli, shared_basic_db, "--claimant", "mou"))
    stats = json.loads(cli("--db", shared_basic_db, "stats", "-f", "json").stdout)
    assert sum(row["total"] for row in stats["by_type_and_claimant"]) == len(_ids(cli, shared_basic_db))
    assert {c["key"] for c in stats["by_year"]} >= {"2015", "2018", "2022", "unknown"}
    assert "claims by claimant and type" in cli("--db", shared_basic_db, "stats").stdout
