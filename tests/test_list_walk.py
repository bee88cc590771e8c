"""A page of a filter that selects many claims is found by walking the reading order (SQLite),
and is exactly the page the whole selection holds at that place, on both back ends."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from claimsdb import api
from claimsdb.db.search import SearchPlan, fts5_query
from claimsdb.query import ClaimFilter, _page_by_rowid, _walk_in_reading_order, list_claims
from conftest import add_filler_claims, load_seeds


@pytest.mark.parametrize(
    "filters",
    [ClaimFilter(type="statement"), ClaimFilter(claimant="seoul-wire"), ClaimFilter(source="filler-article"),
     ClaimFilter(type="statement", claimant="seoul-wire", include_withdrawn=True)],  # fmt: skip
)
def test_a_page_walked_in_reading_order_is_the_selections_page(
    db_url: str, basic_seeds: Path, filters: ClaimFilter
) -> None:
    add_filler_claims(basic_seeds, 100)  # 100 more claims of one type, claimant and document
    load_seeds(db_url, basic_seeds)
    with api.reading(db_url) as session:
        every = [row.id for row in list_claims(session, filters)]
        assert len(every) >= 100
        for offset, limit in ((0, 2), (3, 2), (6, 2)):  # at most sqrt(8 * claims) <= 100: walked
            paged = replace(filters, offset=offset, limit=limit)
            walked = _walk_in_reading_order(session, paged)
            assert walked is (session.get_bind().dialect.name == "sqlite"), "the case should take the walk"
            assert [row.id for row in list_claims(session, paged)] == every[offset : offset + limit]


def test_a_filter_with_few_claims_is_not_walked(db_url: str, basic_seeds: Path) -> None:
    add_filler_claims(basic_seeds, 100)
    load_seeds(db_url, basic_seeds)
    with api.reading(db_url) as session:
        for few in (ClaimFilter(claimant="hrdc", limit=50), ClaimFilter(type="statement", offset=90, limit=50)):
            assert not _walk_in_reading_order(session, few), "a page deep into few claims sorts them instead"
            every = [r.id for r in list_claims(session, replace(few, offset=0, limit=None))]
            assert [r.id for r in list_claims(session, few)] == every[few.offset : few.offset + 50]


@pytest.mark.parametrize("how", ["rowset", "probe"])
def test_a_search_page_walked_in_reading_order_is_the_selections_page(sqlite_basic: Path, how: str) -> None:
    """A common word under a type that holds many claims: the walk of the search's plan (SQLite)
    keeps the type's index out of it too, and still finds the page the whole selection holds."""
    filters = ClaimFilter(search="padding", type="statement")
    with api.reading(str(sqlite_basic)) as session:
        every = [row.id for row in list_claims(session, filters)]
        for offset, limit in ((0, 2), (3, 2)):
            paged = replace(filters, offset=offset, limit=limit)
            plan = SearchPlan(fts5_query("padding"), how, window=40)  # type: ignore[arg-type]
            assert _walk_in_reading_order(session, replace(paged, search=None, offset=0, limit=40))
            found = _page_by_rowid(session, paged, plan)
            assert found is not None, "the window holds the page"
            assert [row.id for row in found] == every[offset : offset + limit]


@pytest.fixture
def sqlite_basic(tmp_path: Path, basic_seeds: Path) -> Path:
    add_filler_claims(basic_seeds, 100)
    db = tmp_path / "claims.db"
    load_seeds(str(db), basic_seeds)
    return db
