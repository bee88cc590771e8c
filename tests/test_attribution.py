"""Curating articles nobody has curated yet: unnamed and collective claimants, how a claim is
attributed, dates known only by bounds, periods of any length, named places.

Everything here runs on the tests' own fixture (tests/fixtures/attribution), never on the curated
seeds, through the real CLI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKENDS, execute_sql, load_for_module, write_seed

FIXTURE = Path(__file__).parent / "fixtures" / "attribution"


@pytest.fixture
def fixture_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "attribution"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest) -> str:
    """The fixture loaded once per back end for this module's tests that only read it."""
    return load_for_module(request, FIXTURE)


@pytest.fixture
def own_loaded(db_url: str, fixture_seeds: Path, cli: Callable[..., Any]) -> str:
    """The fixture loaded into a database of the test's own, free to change."""
    result = cli("--db", db_url, "load", fixture_seeds, "--quiet")
    assert result.exit_code == 0, result.output
    return db_url


def listed(cli: Callable[..., Any], db: str, *args: str) -> list[dict[str, Any]]:
    result = cli("--db", db, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def exported(cli: Callable[..., Any], db: str, *args: str) -> dict[str, dict[str, str]]:
    result = cli("--db", db, "export", *args)
    assert result.exit_code == 0, result.output
    return {row["claim_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


def test_fixture_checks_clean(fixture_seeds: Path, cli: Callable[..., Any]) -> None:
    result = cli("check", fixture_seeds)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_unnamed_testimony_in_a_report_in_an_article(loaded: str, cli: Callable[..., Any]) -> None:
    """An unnamed defector's testimony inside a ministry report inside an article: a chain to walk."""
    shown = json.loads(cli("--db", loaded, "show", "defector-saw-execution-for-dramas", "--format", "json").stdout)
    assert shown["claimant"]["kind"] == "unnamed_person"
    assert shown["claimant"]["name"] == "a North Korean defector"
    assert shown["claimant"]["known"] == "left North Korea in 2023; testified to the Unification Ministry"
    assert [source["id"] for source in shown["chain"]] == ["ministry-2024-report", "ministry-report-article"]
    assert shown["attribution"]["term"] == "direct"
    table = cli("--db", loaded, "show", "defector-saw-execution-for-dramas").stdout
    assert "a North Korean defector → ministry-2024-report → ministry-report-article" in table
    assert "Unnamed person" in table and "Direct quotation" in table
    # the second claim citing the same defector by id is the same claimant, not a new one
    again = json.loads(cli("--db", loaded, "show", "defector-saw-execution-village", "--format", "json").stdout)
    assert again["claimant"]["id"] == shown["claimant"]["id"] == "ministry-2024-defector"


def test_claimant_filter_finds_unnamed_and_collective_claimants(loaded: str, cli: Callable[..., Any]) -> None:
    by_kind = {row["id"] for row in listed(cli, loaded, "--claimant", "unnamed person")}
    assert by_kind == {"defector-saw-execution-for-dramas", "defector-saw-execution-village"}
    assert {row["id"] for row in listed(cli, loaded, "--claimant", "experts")} == {"experts-information-control"}
    assert {row["id"] for row in listed(cli, loaded, "--claimant", "collective")} == {"un-members-call-for-monitors"}
    claimants = {row["id"]: row for row in json.loads(cli("--db", loaded, "claimants", "--format", "json").stdout)}
    experts = claimants["ministry-report-article--experts"]
    assert (experts["kind"], experts["described_in"], experts["claims"]) == (
        "Unnamed group",
        "ministry-report-article",
        1,
    )
    members = claimants["ministry-report-article--un-member-countries"]["members"]
    assert members == "Republic of Korea, Japan"


def test_attribution_is_a_filterable_exported_vocabulary(loaded: str, cli: Callable[..., Any]) -> None:
    summarised = listed(cli, loaded, "--attribution", "summarised")
    assert [(row["id"], row["claimant_id"], row["made_in_id"]) for row in summarised] == [
        ("ministry-2024-executions-for-films", "unification-ministry", "ministry-2024-report")
    ]
    assert {row["id"] for row in listed(cli, loaded, "--attribution", "Direct quotation")} == {
        "defector-saw-execution-for-dramas", "defector-saw-execution-village",
    }  # fmt: skip
    rows = exported(cli, loaded)
    assert rows["dprk-rejects-2024-report"]["attribution"] == "reported"
    assert rows["experts-information-control"]["claimant_kind"] == "unnamed_group"
    assert rows["un-members-call-for-monitors"]["claimant_members"] == "Republic of Korea; Japan"  # as listed
    assert rows["defector-saw-execution-for-dramas"]["claimant_known"].startswith("left North Korea in 2023")
    bogus = cli("--db", loaded, "list", "--attribution", "hearsay")
    assert bogus.exit_code == 1 and "no attribution_modes term matches 'hearsay'" in bogus.output


def test_undated_denial_is_bounded_by_its_document(loaded: str, cli: Callable[..., Any]) -> None:
    """A denial "in a statement" has no date, but was made no later than the article reporting it."""
    rows = exported(cli, loaded)
    denial = rows["dprk-rejects-2024-report"]
    assert (denial["claimed_on"], denial["claimed_on_edtf"]) == ("", "../2024-06-28")
    assert (denial["claimed_on_earliest"], denial["claimed_on_latest"], denial["claimed_on_basis"]) == (
        "",
        "2024-06-28",
        "document",
    )
    assert listed(cli, loaded, "--claimant", "North Korea", "--from", "2025") == []
    possible = listed(cli, loaded, "--claimant", "North Korea", "--from", "2024", "--to", "2024")
    assert [(row["id"], row["claimed_on"], row["date_match"]) for row in possible] == [
        ("dprk-rejects-2024-report", "../2024-06-28", "possible")
    ]


def test_date_filters_say_certain_or_possible(loaded: str, cli: Callable[..., Any]) -> None:
    rows = {row["id"]: row["date_match"] for row in listed(cli, loaded, "--from", "2021-04", "--to", "2021-04")}
    assert rows == {
        "ministry-arrivals-2021-q1": "certain",
        "ministry-settled-as-of-march-2021": "possible",
        # known only as "no later than 2024-06-28": they may have been made in April 2021
        "dprk-rejects-2024-report": "possible",
        "experts-information-control": "possible",
        "un-members-call-for-monitors": "possible",
    }
    interval = exported(cli, loaded)["ministry-settled-as-of-march-2021"]
    assert (interval["claimed_on_edtf"], interval["claimed_on_earliest"], interval["claimed_on_latest"]) == (
        "2021-03-31/2021-04-20", "2021-03-31", "2021-04-20",
    )  # fmt: skip
    assert interval["claimed_on_basis"] == "inferred"


def test_measures_of_any_period(loaded: str, cli: Callable[..., Any]) -> None:
    rows = exported(cli, loaded, "--type", "defection_figure")
    quarter = rows["ministry-arrivals-2021-q1"]
    assert (quarter["measure"], quarter["period_start"], quarter["period_end"], quarter["period_edtf"]) == (
        "arrivals_in_south_korea", "2021-01", "2021-03", "2021-01/2021-03",
    )  # fmt: skip
    total = rows["ministry-settled-as-of-march-2021"]
    assert (total["period_start"], total["period_end"], total["period_edtf"]) == ("", "2021-03", "../2021-03")
    assert total["period_inferred_reason"] == "'this year' in an article of 2021"


def test_named_places(loaded: str, cli: Callable[..., Any]) -> None:
    row = exported(cli, loaded)["defector-saw-execution-for-dramas"]
    assert (row["place"], row["place_name"], row["place_iso_3166_2"]) == (
        "south-hwanghae",
        "South Hwanghae Province",
        "KP-05",
    )
    for how in ("KP-05", "south hwanghae", "Hwanghae-namdo"):
        assert [r["id"] for r in listed(cli, loaded, "--place", how)] == ["defector-saw-execution-for-dramas"]
    unknown = cli("--db", loaded, "list", "--place", "Atlantis")
    assert unknown.exit_code == 1 and "no place matches 'Atlantis'" in unknown.output


def test_a_province_includes_its_towns(fixture_seeds: Path, sqlite_path: str, cli: Callable[..., Any]) -> None:
    text = (fixture_seeds / "ministry-report-article.yaml").read_text()
    (fixture_seeds / "ministry-report-article.yaml").write_text(
        text.replace(
            "punishment: public_execution, period: 2022}", "punishment: public_execution, period: 2022, place: haeju}"
        )
    )
    assert cli("--db", sqlite_path, "load", fixture_seeds, "--quiet").exit_code == 0
    found = {row["id"] for row in listed(cli, sqlite_path, "--place", "South Hwanghae")}
    assert found == {"defector-saw-execution-for-dramas", "ministry-2024-executions-for-films"}
    assert {row["id"] for row in listed(cli, sqlite_path, "--place", "haeju")} == {"ministry-2024-executions-for-films"}


def _problems(cli: Callable[..., Any], seeds: Path) -> str:
    result = cli("check", seeds)
    assert result.exit_code == 1, result.output
    return result.output


def test_attribution_required_unless_the_publisher_speaks(fixture_seeds: Path, cli: Callable[..., Any]) -> None:
    path = fixture_seeds / "ministry-report-article.yaml"
    path.write_text(
        path.read_text().replace(
            "    attribution: reported\n    type: statement\n    statement: Experts",
            "    type: statement\n    statement: Experts",
            1,
        )
    )
    write_seed(fixture_seeds, "outlet.yaml", "")  # (an empty seed file is fine)
    output = _problems(cli, fixture_seeds)
    assert (
        "ministry-report-article.yaml:42: claims[3]: say how the document attributes this claim: attribution: direct"
        in output
    )


def test_publisher_claims_default_to_own_voice(fixture_seeds: Path, sqlite_path: str, cli: Callable[..., Any]) -> None:
    path = fixture_seeds / "figures-article.yaml"
    path.write_text(
        path.read_text()
        + """
  - id: agency-own-headline
    claimant: news-agency
    type: statement
    statement: The agency says arrivals rose in the first quarter.
    quote: Defector arrivals rise in first quarter
"""
    )
    assert cli("--db", sqlite_path, "load", fixture_seeds, "--quiet").exit_code == 0
    shown = json.loads(cli("--db", sqlite_path, "show", "agency-own-headline", "--format", "json").stdout)
    assert shown["attribution"]["term"] == "own_voice"
    assert shown["made_in"]["id"] == "figures-article"


@pytest.mark.parametrize(
    ("claimant", "expected"),
    [
        ("an-unnamed-defector", "unknown organisation 'an-unnamed-defector'"),
        ("{kind: unnamed_person, name: a defector, members: [japan]}", "only a collective claimant has members"),
        ("{kind: anonymous, name: a defector}", "claims[3].claimant.kind"),
    ],
)
def test_claimant_mistakes(fixture_seeds: Path, cli: Callable[..., Any], claimant: str, expected: str) -> None:
    path = fixture_seeds / "ministry-report-article.yaml"
    path.write_text(path.read_text().replace("claimant: {kind: unnamed_group, name: experts}", f"claimant: {claimant}"))
    output = _problems(cli, fixture_seeds)
    assert expected in output
    if claimant == "an-unnamed-defector":  # the hint leads away from inventing an organisation
        assert "describe them on the claim (claimant: {kind: unnamed_person" in output


def test_unnamed_kinds_are_not_organisations(fixture_seeds: Path, cli: Callable[..., Any]) -> None:
    path = fixture_seeds / "organisations.yaml"
    path.write_text(
        path.read_text().replace(
            "  - id: japan\n    name: Japan\n    kind: state", "  - id: japan\n    name: Japan\n    kind: unnamed_group"
        )
    )
    output = _problems(cli, fixture_seeds)
    assert (
        "organisations.yaml:21: organisations[5].kind: 'unnamed_group' is for claimants a document does not name"
        in output
    )


def test_one_generated_claimant_described_two_ways(fixture_seeds: Path, cli: Callable[..., Any]) -> None:
    path = fixture_seeds / "ministry-report-article.yaml"
    text = path.read_text().replace(
        "claimant: north-korea", "claimant: {kind: unnamed_group, name: experts, known: from Seoul}"
    )
    path.write_text(text)
    output = _problems(cli, fixture_seeds)
    assert "describes the claimant 'ministry-report-article--experts' differently" in output
    assert "give each its own `id:`" in output


@pytest.mark.parametrize(
    ("claimed_on", "expected"),
    [
        ("'2024-13'", "'2024-13' is not a real date"),
        ("'2024-13?'", "is not a valid EDTF date"),
        ("'2019/2018'", "starts after it ends"),
        ("{before: 2020, after: 2021}", "after 2021 comes later than before 2020"),
        ("{date: 2019, before: 2021}", "write either a date (or EDTF interval) or bounds"),
        ("'2025'", "is after the document it was recorded from (2024-06-28)"),
        ("'2021-06-01T10:00'", "is not a date this format accepts"),
    ],
)
def test_date_mistakes(fixture_seeds: Path, cli: Callable[..., Any], claimed_on: str, expected: str) -> None:
    path = fixture_seeds / "ministry-report-article.yaml"
    path.write_text(
        path.read_text().replace(
            "  - id: dprk-rejects-2024-report\n", f"  - id: dprk-rejects-2024-report\n    claimed_on: {claimed_on}\n"
        )
    )
    assert expected in _problems(cli, fixture_seeds)


@pytest.mark.parametrize(
    ("written", "edtf", "earliest", "latest"),
    [
        ("'2021?'", "2021?", "2021-01-01", "2021-12-31"),
        ("'2021~'", "2021~", "2021-01-01", "2021-12-31"),
        ("'2019/2021'", "2019/2021", "2019-01-01", "2021-12-31"),
        ("'../2023-06'", "../2023-06", "", "2023-06-30"),
        ("'2023-06/..'", "2023-06/..", "2023-06-01", ""),
        ("{after: 2022-02, inferred: a reason}", "2022-02/..", "2022-02-01", ""),
        ("2021-12", "2021-12", "2021-12-01", "2021-12-31"),
    ],
)
def test_edtf_forms(
    fixture_seeds: Path, sqlite_path: str, cli: Callable[..., Any], written: str, edtf: str, earliest: str, latest: str
) -> None:
    path = fixture_seeds / "ministry-report-article.yaml"
    path.write_text(
        path.read_text().replace(
            "  - id: dprk-rejects-2024-report\n", f"  - id: dprk-rejects-2024-report\n    claimed_on: {written}\n"
        )
    )
    result = cli("--db", sqlite_path, "load", fixture_seeds, "--quiet")
    assert result.exit_code == 0, result.output
    row = exported(cli, sqlite_path)["dprk-rejects-2024-report"]
    assert (row["claimed_on_edtf"], row["claimed_on_earliest"], row["claimed_on_latest"]) == (edtf, earliest, latest)
    assert row["claimed_on"] == ("" if "/" in edtf else edtf.rstrip("?~"))


def test_a_database_loaded_before_0005_upgrades_without_losing_a_claim(
    own_loaded: str, fixture_seeds: Path, cli: Callable[..., Any]
) -> None:
    """Down to 0004 (the schema of the last release: no attribution, places or EDTF), then up again."""
    from conftest import alembic

    before = {row["id"]: row for row in listed(cli, own_loaded)}
    alembic(own_loaded, "downgrade", "0004")
    # as the last release left it: its runs, and content hashes over the columns it knew
    execute_sql(own_loaded, "UPDATE load_runs SET claimsdb_version = '0.1.0'")
    execute_sql(own_loaded, "UPDATE claims SET content_hash = 'a hash over the columns of 0.1.0'")
    assert cli("--db", own_loaded, "list").exit_code == 1  # an older schema is refused until migrated
    assert cli("--db", own_loaded, "migrate").exit_code == 0
    after = {row["id"]: row for row in listed(cli, own_loaded)}
    assert after.keys() == before.keys()
    assert after["ministry-arrivals-2021-q1"]["claimed_on"] == "2021-04-15"  # EDTF filled in from the stored date
    assert after["ministry-arrivals-2021-q1"]["attribution"] is None  # known only from the seeds ...
    reload = cli("--db", own_loaded, "load", fixture_seeds, "--quiet")
    assert reload.exit_code == 0, reload.output
    assert {row["id"]: row for row in listed(cli, own_loaded)} == before  # ... which the next load reads whole


def test_web_pages_show_attribution_claimants_places_and_possible_dates(loaded: str) -> None:
    from starlette.testclient import TestClient

    from claimsdb.web.app import create_app

    with TestClient(create_app(loaded)) as client:
        page = client.get("/claims/defector-saw-execution-for-dramas")
        assert page.status_code == 200
        assert "Unnamed person" in page.text and "left North Korea in 2023" in page.text
        assert "Direct quotation" in page.text
        assert "South Hwanghae Province" in page.text and "KP-05" in page.text
        listing = client.get("/", params={"claimant": "North Korea", "from": "2024", "to": "2024"})
        assert listing.status_code == 200
        assert "../2024-06-28" in listing.text and "possibly in range" in listing.text
        filtered = client.get("/", params={"attribution": "summarised", "place": "KP-05"})
        assert filtered.status_code == 200 and "ministry-2024-executions-for-films" not in filtered.text
