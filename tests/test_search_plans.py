"""Search pages are the same whichever way SQLite finds them: hits, walk, rowset or probe (db/search.py).

Each plan must give exactly the rows, in exactly the order, of the plain walk over reading order
with a set of matches (the query every search used before plans), on SQLite; on PostgreSQL, whose
planner chooses for itself, a page must be the same slice of the whole list as on SQLite.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from claimsdb import api
from claimsdb.db.search import TOKENIZER, SearchPlan, choose, counted_enough, exact_query, fts5_query, plan_search
from claimsdb.query import ClaimFilter, _page_by_rowid, claim_select, count_claims, list_claims
from conftest import BACKENDS, _new_pg_database, execute_sql, generate_corpus

COMMON = "witnesses"  # in ~79% of the synthetic claims
WORDS = [
    COMMON, "witness", "camp", "cam", "river", "river camp", "said crowd", "case 3x1", "4x1", "zeppelin", "c", "a",
    "synthetic claim", "ministry counted",
]  # fmt: skip
PAGES = [(0, 50), (0, 1), (30, 20), (500, 50), (0, 3000)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 synthetic claims and, beside them, the same seeds less one file."""
    root = tmp_path_factory.mktemp("plans")
    generate_corpus(root / "seeds", 3000, seed=11)
    shutil.copytree(root / "seeds", root / "fewer")
    (root / "fewer" / "article-000003.yaml").unlink()
    return root


def _load(db: str, corpus: Path) -> str:
    """Load the corpus, then the seeds less one file: that file's claims stay, withdrawn."""
    api.load(db, corpus / "seeds")
    api.load(db, corpus / "fewer")
    return db


@pytest.fixture(scope="module")
def sqlite_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _load(str(tmp_path_factory.mktemp("plans-db") / "claims.db"), corpus)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_db(request: pytest.FixtureRequest, corpus: Path) -> str:
    """One loaded database per back end, for this module's tests (which only read)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_db")
    return _load(_new_pg_database(request.getfixturevalue("postgres")), corpus)


@pytest.fixture
def session(shared_db: str) -> Iterator[Session]:
    with api.reading(shared_db) as reading:
        yield reading


@pytest.fixture
def sqlite_session(sqlite_db: str) -> Iterator[Session]:
    """For what only SQLite has: plans, FTS5 queries, index rowids."""
    with api.reading(sqlite_db) as reading:
        yield reading


def _ids(session: Session, filters: ClaimFilter, plan: SearchPlan | None = None) -> list[str]:
    return [claim.id for claim, _, _ in session.execute(claim_select(session, filters, plan)).tuples()]


def _walked(session: Session, filters: ClaimFilter) -> list[str]:
    """The page as every search found it before plans: a set of matches, a walk in the list's order."""
    return _ids(session, filters, SearchPlan(fts5_query(filters.search or ""), "walk"))


@pytest.mark.parametrize("word", WORDS)
def test_every_page_is_a_slice_of_the_whole_list(session: Session, word: str) -> None:
    whole = [row.id for row in list_claims(session, ClaimFilter(search=word))]
    assert count_claims(session, ClaimFilter(search=word)) == len(whole)
    for offset, limit in PAGES:
        page = [row.id for row in list_claims(session, ClaimFilter(search=word, offset=offset, limit=limit))]
        assert page == whole[offset : offset + limit], (offset, limit)


@pytest.mark.parametrize("word", WORDS)
def test_every_plan_gives_the_walks_rows_in_its_order(sqlite_session: Session, word: str) -> None:
    for sort in ("document", "date", "claimant"):
        for withdrawn in (False, True):
            filters = ClaimFilter(search=word, sort=sort, include_withdrawn=withdrawn, limit=40, offset=10)
            expected = _walked(sqlite_session, filters)
            assert [row.id for row in list_claims(sqlite_session, filters)] == expected
            assert _ids(sqlite_session, filters, SearchPlan(fts5_query(word), "hits")) == expected
            every = _walked(sqlite_session, ClaimFilter(search=word, sort=sort, include_withdrawn=withdrawn))
            assert count_claims(sqlite_session, filters) == len(every)


BY_ROWID = [COMMON, "camp", "cam", "said crowd", "c", "synthetic claim", "river", "1"]


@pytest.mark.parametrize(
    ("word", "how"),
    # no probe for "1": it keeps its prefix, too many terms start with it to ask about one claim
    # (test_exact_query_matches_what_the_prefix_query_matches checks that it has no exact query)
    [(word, how) for how in ("rowset", "probe") for word in BY_ROWID if (word, how) != ("1", "probe")],
)
def test_walks_by_rowid_give_the_walks_page_or_give_up(sqlite_session: Session, word: str, how: str) -> None:
    exact = exact_query(sqlite_session, word)
    if how == "probe":
        assert exact is not None, word
    fts = exact.text if how == "probe" and exact else fts5_query(word)
    for offset, limit, claimant in [
        (0, 50, None),
        (0, 1, None),
        (30, 20, None),
        (500, 50, None),
        (0, 20, "org-7"),
        (3, 3000, None),
    ]:
        filters = ClaimFilter(search=word, offset=offset, limit=limit, claimant=claimant)
        expected = _walked(sqlite_session, filters)
        found = _page_by_rowid(sqlite_session, filters, SearchPlan(fts, how, window=10_000))  # type: ignore[arg-type]
        assert found is not None and [row.id for row in found] == expected
        assert found == list_claims(sqlite_session, filters)
        if 1 < offset + limit < 1000:  # a window too short for the page: the caller walks instead
            too_short = SearchPlan(fts, how, window=offset + limit - 1)  # type: ignore[arg-type]
            assert _page_by_rowid(sqlite_session, filters, too_short) is None


def test_plans_follow_how_common_the_word_is(sqlite_session: Session) -> None:
    def how(word: str, wanted: int | None = 1) -> str:
        plan = plan_search(sqlite_session, word, wanted=wanted)
        assert plan is not None
        return plan.how

    assert how(COMMON) == "probe"
    assert how("1") == "rowset"  # common, but too many terms start with "1" to ask about one claim
    assert how("zeppelin") == how("4x1") == "hits"
    assert how(COMMON, wanted=None) == "walk"  # every match wanted: nothing to stop early for


@pytest.mark.parametrize(
    ("matches", "terms", "wanted", "expected"),
    [
        (11, 1, 50, "hits"),  # a rare word: fetch its claims
        (3_000, 1, 50, "walk"),  # one claim in 300: a set of ids, a walk of ~17,000 claims
        (30_000, 1, 50, "rowset"),  # one in 30: a cheaper set of rowids, each claim walked checked
        (792_612, 1, 50, "probe"),  # "witnesses": ask FTS5 about ~63 claims
        (792_612, 0, 50, "rowset"),  # the same, had the word kept its prefix
        (792_612, 1, None, "walk"),  # every match wanted, or another order
        (30_000, 1, None, "hits"),
    ],
)
def test_the_cost_model_at_a_million_claims(matches: int, terms: int, wanted: int | None, expected: str) -> None:
    assert choose(1_000_000, wanted, terms, matches) == expected


@pytest.mark.parametrize(
    ("wanted", "terms", "enough"),
    [
        (None, 1, 75_000),  # hits against a walk of every claim: 1e6 * 0.15 / (3.5 - 1.5)
        (50, 0, 6_939),  # walk against rowset: sqrt(50 * 1e6 * 1.3 / (1.5 - 0.15))
        (50, 1, 100_000),  # rowset against probe: sqrt(50 * 1e6 * 30 / 0.15)
    ],
)
def test_matches_are_counted_only_as_far_as_the_choice_needs(wanted: int | None, terms: int, enough: int) -> None:
    assert counted_enough(1_000_000, wanted, terms) == enough


def test_exact_query_matches_what_the_prefix_query_matches(sqlite_session: Session) -> None:
    assert exact_query(sqlite_session, "camp").text == '("camp" OR "campaign")'  # type: ignore[union-attr]
    assert exact_query(sqlite_session, "Witnesses").text == '"Witnesses"'  # type: ignore[union-attr]
    assert exact_query(sqlite_session, "1") is None  # too many terms start with "1"
    assert exact_query(sqlite_session, "...") is None
    for word in WORDS + ["wit", "Witnesses' CAMP", "café", "foo_bar", "camp_x", "s", "1", "x"]:
        exact = exact_query(sqlite_session, word)
        if exact is not None:
            assert _fts_ids(sqlite_session, exact.text) == _fts_ids(sqlite_session, fts5_query(word)), word


def _fts_ids(session: Session, fts: str) -> list[str]:
    query = text("SELECT id FROM claims_fts WHERE claims_fts MATCH :q ORDER BY id")
    return list(session.scalars(query, {"q": fts}))


def test_index_rows_sit_at_their_claims_rowids(sqlite_session: Session) -> None:
    misplaced = (
        "SELECT count(*) FROM claims LEFT JOIN claims_fts ON claims_fts.rowid = claims.rowid "
        "WHERE claims_fts.id IS NOT claims.id"
    )
    assert sqlite_session.scalar(text(misplaced)) == 0
    tokenizer = sqlite_session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'claims_fts'"))
    assert f"tokenize = '{TOKENIZER}'" in tokenizer


def test_an_index_built_in_another_order_still_gives_the_same_pages(sqlite_path: str, sqlite_db: str) -> None:
    db = shutil.copyfile(sqlite_db, sqlite_path)  # the module's loaded database, to change
    with api.reading(db) as session:
        before = {word: list_claims(session, ClaimFilter(search=word, limit=50)) for word in (COMMON, "camp", "1")}
    # as an older claimsdb or another tool might leave it: the right rows, at other rowids
    execute_sql(db, "DELETE FROM claims_fts")
    execute_sql(
        db, "INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims ORDER BY id DESC"
    )
    with api.reading(db) as session:
        for how in ("rowset", "probe"):
            fts = fts5_query(COMMON) if how == "rowset" else '"witnesses"'
            plan = SearchPlan(fts, how, window=10_000)  # type: ignore[arg-type]
            assert _page_by_rowid(session, ClaimFilter(search=COMMON, limit=50), plan) is None
        assert {word: list_claims(session, ClaimFilter(search=word, limit=50)) for word in before} == before
