"""Counts under a time limit: a list page never waits for a count, and never shows a wrong one.

A count that runs out of its time is shown as "many" (the total) or "not counted in time" (a
facet), the page still lists its rows and pages on, and the "count exactly" link gives the exact
figures. Counts that finish in time are exactly what their links then list. The limits are forced
(0 ms: nothing is counted; a query that would run for minutes, stopped after 1 ms), never timed.
"""

from __future__ import annotations

import html
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from claimsdb import api
from claimsdb.db.limits import Deadline, TooSlow, time_limit
from claimsdb.query import ClaimFilter
from claimsdb.web import create_app
from conftest import serving
from test_web import card_ids, facet_links, heading_count

GENEROUS = 600.0
"""Seconds: a limit the tests' small database never reaches, so its counts are all made."""


@pytest.fixture
def counting_nothing(shared_basic_db: str) -> Iterator[TestClient]:
    """The site with no time at all for counting: every count that is needed runs out."""
    with TestClient(create_app(shared_basic_db, count_time_limit=0)) as client:
        yield client


@pytest.fixture
def counting_all(shared_basic_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(shared_basic_db, count_time_limit=GENEROUS)) as client:
        yield client


def every_id(db: str, **filters: str) -> list[str]:
    return [row.id for row in api.list_claims(db, ClaimFilter(**filters))]


def count_link(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" rel="nofollow">Count them exactly</a>', page)
    assert found, "no link to count the claims exactly"
    return html.unescape(found.group(1))


def test_a_count_out_of_time_shows_many_and_the_page_keeps_its_rows(
    counting_nothing: TestClient, shared_basic_db: str
) -> None:
    expected = every_id(shared_basic_db)
    assert len(expected) > 10, "the fixture must fill more than one page of 10"
    page = counting_nothing.get("/?limit=10")
    assert page.status_code == 200
    assert "<h1>Many claims</h1>" in page.text and "More than 10: too many to count in time." in page.text
    assert card_ids(page.text) == expected[:10]
    assert facet_links(page.text) == [], "a facet not counted shows no counts at all"
    assert page.text.count("Not counted in time.") == 4
    following = re.search(r'<a rel="next" href="([^"]+)">', page.text)
    assert following, "paging goes on without the total"
    second = counting_nothing.get(html.unescape(following.group(1)))
    assert card_ids(second.text) == expected[10:20]
    assert "Showing 11–20, page 2</p>" in second.text


def test_the_count_link_gives_the_exact_figures(counting_nothing: TestClient, shared_basic_db: str) -> None:
    expected = every_id(shared_basic_db, claimant="hrdc")
    assert len(expected) > 2
    many = counting_nothing.get("/?claimant=hrdc&limit=2")
    link = count_link(many.text)
    assert link == "/?claimant=hrdc&limit=2&exact=1"
    exact = counting_nothing.get(link)
    assert heading_count(exact.text) == len(expected)
    assert card_ids(exact.text) == expected[:2]
    assert "Not counted in time." not in exact.text
    for href, label, count in facet_links(exact.text):
        assert "exact=" not in href, "only the link that asks for it counts without a limit"
        assert len(every_id_for(shared_basic_db, href)) == count, label


def every_id_for(db: str, href: str) -> list[str]:
    """The claims a facet link selects, from the library."""
    names = {"claimant": "claimant", "type": "type", "source": "source", "from": "date_from", "to": "date_to"}
    query = dict(part.split("=", 1) for part in href.removeprefix("/?").split("&"))
    chosen = {names[key]: html.unescape(value).replace("+", " ") for key, value in query.items() if key in names}
    return every_id(db, **chosen)


def test_a_selection_on_one_page_needs_no_count_to_give_its_total(
    counting_nothing: TestClient, shared_basic_db: str
) -> None:
    expected = every_id(shared_basic_db, claimant="hrdc")
    page = counting_nothing.get("/?claimant=hrdc")
    assert heading_count(page.text) == len(expected)
    assert card_ids(page.text) == expected


def test_counts_within_the_limit_are_exact(counting_all: TestClient, shared_basic_db: str) -> None:
    page = counting_all.get("/?limit=5")
    assert heading_count(page.text) == len(every_id(shared_basic_db))
    assert "Not counted in time." not in page.text
    links = facet_links(page.text)
    assert links
    for href, label, count in links:
        assert heading_count(counting_all.get(href).text) == count, (label, href)


@pytest.mark.parametrize("start", ["/?from=2018&to=2022-06", "/?q=execution", "/?type=statement&limit=3"])
def test_every_facet_count_under_other_filters_is_what_its_link_lists(counting_all: TestClient, start: str) -> None:
    links = facet_links(counting_all.get(start).text)
    assert any("from=" in href for href, _, _ in links), "the case should have a year facet"
    for href, label, count in links:
        assert heading_count(counting_all.get(href).text) == count, (start, label, href)


def test_exact_takes_only_1(counting_all: TestClient) -> None:
    page = counting_all.get("/?exact=yes")
    assert page.status_code == 400
    assert "exact must be 1" in page.text


def test_a_query_past_its_time_limit_is_stopped_and_the_session_reads_on(db_url: str) -> None:
    """A query that would run for minutes is stopped at its deadline, on either back end."""
    endless = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT count(*) FROM n"
    )
    api.migrate(db_url)
    with api.reading(db_url) as session:
        with pytest.raises(TooSlow), time_limit(session, Deadline.after(0.001)):
            session.execute(endless)
        with time_limit(session, Deadline.after(GENEROUS)):
            assert session.scalar(text("SELECT 1 + 1")) == 2
        with pytest.raises(TooSlow), time_limit(session, Deadline.after(0)):
            session.execute(text("SELECT 1"))
        assert session.scalar(text("SELECT 2 + 2")) == 4, "the session reads on after a stopped query"
        if session.get_bind().dialect.name == "postgresql":
            assert session.scalar(text("SHOW statement_timeout")) == "0", "no limit stays behind"


def test_serve_takes_the_time_limit_in_milliseconds(shared_basic_db: str, tmp_path: Path) -> None:
    with serving(shared_basic_db, tmp_path, "--count-time-limit", "0") as served:
        with urllib.request.urlopen(f"{served.url}/?limit=3", timeout=30) as response:
            page = response.read().decode()
    assert "<h1>Many claims</h1>" in page
    assert card_ids(page) == every_id(shared_basic_db)[:3]


def test_a_page_past_the_end_uncounted_claims_no_lower_bound(counting_nothing: TestClient) -> None:
    page = counting_nothing.get("/?offset=100000")
    assert page.status_code == 200 and "<h1>Many claims</h1>" in page.text
    assert "Too many to count in time." in page.text and "More than" not in page.text
    assert card_ids(page.text) == []
