"""Figures side by side (`claims figures`, /figures) and the denials overview (`claims contradicts`).

Everything runs on tests/fixtures/figures, made-up seeds of this file's own: the ministry says 63
defectors arrived in 2021 (and a second article repeats it from the same statistics), a rights
group says "more than 100" (a conflict); for 2022 the ministry says 67 and the group "more than
60" (a lower bound that agrees); the ministry's quarters of 2021 add up to 75, not 63; North Korea
denies the group's figures. The library, the real CLI, the web app and Chromium are each asked.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from claimsdb import api
from claimsdb.figures import (
    FigureGroup,
    FigureRow,
    Figures,
    Interval,
    figure_rows,
    interval_of,
    parse_period,
    period_of,
)
from claimsdb.errors import ClaimsError
from claimsdb.query import ClaimFilter
from claimsdb.web import create_app
from claimsdb.web.app import SECURITY_HEADERS
from conftest import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Cli = Callable[..., Any]

FIXTURE = Path(__file__).parent / "fixtures" / "figures"
WATCH_NAME = 'Watch Group <NK> & "Friends"'


def load_fixture(db: str, tmp_path: Path, cli: Cli, edit: Callable[[Path], None] | None = None) -> str:
    seeds = tmp_path / "figures-seeds"
    shutil.copytree(FIXTURE, seeds)
    if edit is not None:
        edit(seeds)
    loaded = cli("--db", db, "load", seeds, "--quiet")
    assert loaded.exit_code == 0, loaded.output
    return db


@pytest.fixture
def figures_db(db_url: str, tmp_path: Path, cli: Cli) -> str:
    """The fixture loaded into SQLite and into PostgreSQL."""
    return load_fixture(db_url, tmp_path, cli)


@pytest.fixture
def sqlite_figures(sqlite_path: str, tmp_path: Path, cli: Cli) -> str:
    return load_fixture(sqlite_path, tmp_path, cli)


def group(data: Figures, period: str) -> FigureGroup:
    found = [g for g in data.groups if g.period.text() == period]
    assert len(found) == 1, [g.period.text() for g in data.groups]
    return found[0]


def by_claim(grp: FigureGroup) -> dict[str, Any]:
    return {value.claim_id: value for value in grp.values}


# --- the rules, on both back ends -------------------------------------------------------------------


def test_two_claimants_figures_for_one_measure_and_period_conflict(figures_db: str) -> None:
    data = api.figures(figures_db, ClaimFilter())
    year = group(data, "2021")
    assert year.measure.key == "defection_figure:measure=arrivals_in_south_korea"
    assert year.conflict and year.agreed is None
    values = by_claim(year)
    assert values["ministry-arrivals-2021"].conflicts_with == ("watch-arrivals-2021",)
    assert values["watch-arrivals-2021"].conflicts_with == ("ministry-arrivals-2021",)
    assert values["watch-arrivals-2021"].interval == Interval(101, None, "at_least")  # "more than 100"
    assert [g.period.text() for g in data.conflicts] == ["2021"]
    rows = {row.claim_id: row for row in figure_rows(data)}
    assert rows["watch-arrivals-2021"].status == "conflict" and rows["watch-arrivals-2021"].claimant_name == WATCH_NAME


def test_a_restatement_is_not_a_conflict(figures_db: str) -> None:
    data = api.figures(figures_db, ClaimFilter(claimant="unification-ministry"))
    year = group(data, "2021")
    values = by_claim(year)
    restated = values["ministry-arrivals-2021-restated"]
    assert restated.restates == "ministry-arrivals-2021" and not restated.compared
    assert not year.conflict and year.agreed == Interval(63, 63, "exact")
    assert {row.claim_id: row.status for row in figure_rows(data)}["ministry-arrivals-2021-restated"] == "restatement"
    # beside the rights group's figure, it still counts once: only the original is in conflict
    everyone = by_claim(group(api.figures(figures_db, ClaimFilter()), "2021"))
    assert everyone["ministry-arrivals-2021-restated"].conflicts_with == ()
    assert everyone["watch-arrivals-2021"].conflicts_with == ("ministry-arrivals-2021",)


def test_a_lower_bound_below_a_larger_value_is_no_conflict(figures_db: str) -> None:
    data = api.figures(figures_db, ClaimFilter())
    year = group(data, "2022")
    assert not year.conflict
    assert year.agreed == Interval(67, 67, "exact")
    assert {v.claim_id: v.conflicts_with for v in year.values} == {
        "ministry-arrivals-2022": (),
        "watch-arrivals-2022": (),
    }
    assert {row.claim_id: row.status for row in figure_rows(data)}["watch-arrivals-2022"] == "agrees"


def test_quarters_that_do_not_add_up_to_the_year_are_flagged(figures_db: str) -> None:
    data = api.figures(figures_db, ClaimFilter())
    assert len(data.sums) == 1
    (check,) = data.sums_not_adding_up
    assert check.claimant_id == "unification-ministry" and check.whole.claim_id == "ministry-arrivals-2021"
    assert [p.text() for p, _ in check.parts] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert check.parts_sum == Interval(75, 75, "exact")
    assert check.problem == "the 4 quarters add up to 75, the year is 63"


def test_quarters_that_add_up_pass_and_missing_quarters_may_not_exceed_the_year(
    sqlite_path: str, tmp_path: Path, cli: Cli
) -> None:
    def fourth_quarter_18(seeds: Path) -> None:
        for path in (seeds / "documents" / "arrivals-2021.txt", seeds / "arrivals-2021.yaml"):
            text = path.read_text(encoding="utf-8").replace("30 in the fourth quarter", "18 in the fourth quarter")
            path.write_text(text.replace("{exact: 30, phrase: '30'}", "{exact: 18, phrase: '18'}"), encoding="utf-8")

    db = load_fixture(sqlite_path, tmp_path, cli, fourth_quarter_18)
    data = api.figures(db, ClaimFilter())
    assert [c.adds_up for c in data.sums] == [True] and data.sums_not_adding_up == []
    assert data.sums[0].parts_sum == Interval(63, 63, "exact")


def test_figures_take_the_list_filters_and_a_period(figures_db: str) -> None:
    quarter = api.figures(figures_db, ClaimFilter(), period="2021-Q1")
    assert [g.period.text() for g in quarter.groups] == ["2021", "2021-Q1"]  # the year overlaps its first quarter
    assert api.figures(figures_db, ClaimFilter(type="statement")).groups == []
    watch = api.figures(figures_db, ClaimFilter(claimant='Watch Group <NK> & "Friends"'))
    assert {v.claim_id for g in watch.groups for v in g.values} == {"watch-arrivals-2021", "watch-arrivals-2022"}
    assert api.figures(figures_db, ClaimFilter(date_to="2022")).groups == []  # every figure was claimed in 2023


def test_denials_with_what_they_contradict(figures_db: str) -> None:
    (denial,) = api.contradicts(figures_db, ClaimFilter())
    assert denial.claim.id == "north-korea-dismisses-watch-figures"
    assert denial.claim.claimed_on == "../2023-01-20"  # no publication: no later than the article
    assert [t.id for t in denial.denies] == ["watch-arrivals-2021", "watch-arrivals-2022"]
    assert {t.claimant_name for t in denial.denies} == {WATCH_NAME}
    assert api.contradicts(figures_db, ClaimFilter(claimant="unification-ministry")) == []


# --- intervals and periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualifier", "value", "lower", "upper", "expected"),
    [
        ("exact", 63, 63, 63, Interval(63, 63, "exact")),
        ("more_than", None, 500, None, Interval(501, None, "at_least")),
        ("at_least", None, 10, None, Interval(10, None, "at_least")),
        ("less_than", None, None, 100, Interval(None, 99, "at_most")),
        ("at_most", None, None, 100, Interval(None, 100, "at_most")),
        ("approximately", 80, None, None, Interval(72, 88, "about")),
        ("almost", 34000, None, 34000, Interval(30600, 34000, "about")),
        ("range", None, 20, 30, Interval(20, 30, "between")),
        ("vague", None, None, None, Interval(None, None, "unknown")),
    ],
)
def test_a_quantity_as_said_is_an_interval_of_counts(
    qualifier: str, value: Any, lower: Any, upper: Any, expected: Interval
) -> None:
    assert interval_of(qualifier, value, lower, upper) == expected


def test_which_intervals_can_both_be_true() -> None:
    over_500 = interval_of("more_than", None, 500, None)
    assert not over_500.overlaps(Interval(500, 500, "exact"))  # "over 500" excludes 500 itself
    assert over_500.overlaps(Interval(600, 600, "exact"))
    assert interval_of("at_most", None, None, 50).overlaps(interval_of("at_least", None, 50, None))
    assert not interval_of("less_than", None, None, 50).overlaps(interval_of("at_least", None, 50, None))
    assert Interval(None, None, "unknown").overlaps(Interval(1, 1, "exact"))  # "dozens" contradicts nothing


def test_periods_are_compared_by_their_days() -> None:
    assert period_of("2021", "2021", None).key == period_of("2021-01", "2021-12", None).key
    assert period_of("2021-04", "2021-06", None).text() == "2021-Q2"
    assert period_of(None, "2021-03", "as of the end of March").text() == "../2021-03 (as of the end of March)"
    assert not period_of(None, None, "two years").dated
    assert parse_period("2021-Q4")[1].isoformat() == "2021-12-31"
    with pytest.raises(ClaimsError, match="not a period"):
        parse_period("Q4 2021")


# --- the CLI ----------------------------------------------------------------------------------------


def test_cli_figures_as_a_table_json_and_csv(sqlite_figures: str, cli: Cli) -> None:
    table = cli("--db", sqlite_figures, "figures")
    assert table.exit_code == 0, table.output
    assert "9 figures of 1 measure, 1 conflict" in table.output
    assert "Arrivals in South Korea — defection figure" in table.output
    assert "with watch-arrivals-2021" in table.output and WATCH_NAME in table.output
    assert "the 4 quarters add up to 75, the year is 63" in table.output

    as_json = json.loads(cli("--db", sqlite_figures, "figures", "--format", "json").output)
    conflicted = [g for g in as_json["groups"] if g["conflict"]]
    assert [g["period"]["text"] for g in conflicted] == ["2021"]
    assert {v["claim_id"]: v["status"] for v in conflicted[0]["values"]} == {
        "ministry-arrivals-2021": "conflict", "ministry-arrivals-2021-restated": "restatement",
        "watch-arrivals-2021": "conflict",
    }  # fmt: skip
    assert as_json["sums"][0]["adds_up"] is False and as_json["sums"][0]["parts_sum"] == "75"

    as_csv = cli("--db", sqlite_figures, "figures", "--format", "csv").output
    rows = list(csv.reader(io.StringIO(as_csv)))
    assert rows[0] == [f.name for f in fields(FigureRow)]
    assert len(rows) == 1 + 9
    record = dict(
        zip(rows[0], next(r for r in rows if r[rows[0].index("claim_id")] == "watch-arrivals-2021"), strict=True)
    )
    assert (record["low"], record["high"], record["qualifier"], record["phrase"]) == (
        "101",
        "",
        "more_than",
        "more than 100",
    )


def test_cli_figures_says_what_is_wrong_with_a_filter(sqlite_figures: str, cli: Cli) -> None:
    bad = cli("--db", sqlite_figures, "figures", "--period", "last year")
    assert bad.exit_code == 1 and "'last year' is not a period" in bad.output
    nothing = cli("--db", sqlite_figures, "figures", "--type", "statement")
    assert nothing.exit_code == 0 and "No claimed figures match these filters." in nothing.output


def test_cli_contradicts(sqlite_figures: str, cli: Cli) -> None:
    table = cli("--db", sqlite_figures, "contradicts")
    assert table.exit_code == 0, table.output
    assert "north-korea-dismisses-watch-figures" in table.output and "watch-arrivals-2022" in table.output
    as_json = json.loads(cli("--db", sqlite_figures, "contradicts", "--format", "json").output)
    assert [t["id"] for t in as_json[0]["denies"]] == ["watch-arrivals-2021", "watch-arrivals-2022"]
    rows = list(csv.reader(io.StringIO(cli("--db", sqlite_figures, "contradicts", "--format", "csv").output)))
    assert rows[0][:2] == ["denial", "denial_claimant"] and len(rows) == 3


# --- the web page -----------------------------------------------------------------------------------


@pytest.fixture
def client(sqlite_figures: str) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_figures)) as test_client:
        yield test_client


def test_figures_page_draws_svg_whose_points_link_to_claim_pages(client: TestClient, sqlite_figures: str) -> None:
    page = client.get("/figures")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    body = page.text
    assert body.count('<svg class="chart"') == 1
    links = re.findall(r'<a class="point( conflict)?" href="(/claims/[^"]+)" data-claim="([^"]+)">', body)
    assert sorted(claim for _, _, claim in links) == sorted(
        v.claim_id for g in api.figures(sqlite_figures, ClaimFilter()).groups for v in g.values
    )
    assert {claim for conflict, _, claim in links if conflict} == {"ministry-arrivals-2021", "watch-arrivals-2021"}
    for _, href, claim in links:
        claim_page = client.get(href)
        assert claim_page.status_code == 200 and claim in claim_page.text
    # the chart and every text in it are escaped, with no inline style or script for the CSP to refuse
    assert "Watch Group &lt;NK&gt; &amp; &#34;Friends&#34;" in body and "<NK>" not in body
    assert " style=" not in body and "<style" not in body and "<script" not in body
    assert "the 4 quarters add up to 75, the year is 63" in body and "1 of 1 sum does not add up" in body
    assert 'href="/figures.csv"' in body and 'href="/figures" aria-current="page"' in body


def test_figures_csv_and_filters_on_the_web(client: TestClient) -> None:
    download = client.get("/figures.csv?period=2022")
    assert download.status_code == 200 and download.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == [f.name for f in fields(FigureRow)]
    assert {row[rows[0].index("claim_id")] for row in rows[1:]} == {"ministry-arrivals-2022", "watch-arrivals-2022"}
    filtered = client.get("/figures?claimant=watch-group&period=")
    assert filtered.status_code == 200 and "ministry-arrivals-2021" not in filtered.text
    assert filtered.url.path == "/figures" and "period" not in str(filtered.url)  # empty fields are dropped
    bad = client.get("/figures?claimant=nobody-at-all")
    assert bad.status_code == 400 and "no claimant matches" in bad.text


# --- in Chromium ------------------------------------------------------------------------------------


@pytest.fixture
def site(sqlite_figures: str, tmp_path: Path) -> Iterator[str]:
    """`claims serve` on the fixture, as a user starts it, on a free loopback port."""
    with serving(sqlite_figures, tmp_path) as served:
        yield served.url


def test_chromium_draws_the_chart_and_follows_a_point_to_its_claim(
    site: str, tmp_path: Path, chromium: Browser
) -> None:
    from playwright.sync_api import expect

    with chromium.new_context(viewport={"width": 1280, "height": 1000}) as context:  # in the run's one Chromium
        try:
            page = context.new_page()
            complaints: list[str] = []
            page.on(
                "console",
                lambda message: complaints.append(message.text) if message.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda error: complaints.append(str(error)))
            failed: list[str] = []  # the browser asks for /favicon.ico by itself; nothing else may fail
            page.on(
                "response",
                lambda response: (
                    failed.append(response.url)
                    if response.status >= 400 and not response.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(site + "/figures")
            chart = page.locator("svg.chart")
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 400 and box["height"] > 150
            expect(page.locator("svg.chart a.point")).to_have_count(9)
            expect(page.locator("svg.chart a.point.conflict")).to_have_count(2)
            marker = page.locator('svg.chart a.point[data-claim="watch-arrivals-2021"] path.marker')
            assert marker.get_attribute("fill") == "#d55e00"  # the second claimant's colour
            shot = tmp_path / "figures.png"
            chart.screenshot(path=str(shot))
            assert shot.stat().st_size > 8_000, "the chart looks blank"
            assert failed == []
            complaints = [c for c in complaints if not c.startswith("Failed to load resource")]  # the favicon
            assert complaints == [], f"the browser complained (a CSP violation?): {complaints}"
            marker.click()
            expect(page).to_have_url(site + "/claims/watch-arrivals-2021")
            expect(page.locator("main h1")).to_have_text(
                "Watch Group says more than 100 North Koreans reached South Korea in 2021."
            )
        finally:
            context.close()
