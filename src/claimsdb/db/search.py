"""Full-text search over claim statements and quotes, with each back end's own machinery.

SQLite: an FTS5 table, `claims_fts`, with the Porter stemmer, rebuilt by the loader inside its
transaction. PostgreSQL: a GIN index on to_tsvector('english', statement || ' ' || quote), kept by
the server itself. Both are created by migration 0002 and live outside the ORM metadata (see
SEARCH_OBJECTS). Both stem English words and treat the last word as a prefix; they differ only at
the edges (PostgreSQL drops stop words such as "the"; the two stemmers differ on a few words).

PostgreSQL's planner picks its own way to a page of matches. SQLite's cannot, so `plan_search`
picks one of four query shapes from how many claims a search matches (see SearchPlan): no single
shape is fast both for a word in 11 claims and for one in 800,000 of a million.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Integer, String, column, exists, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from claimsdb.db import models as m
from claimsdb.db.base import BATCH_SIZE

SEARCH_OBJECTS = ("claims_fts", "ix_claims_search")
"""Names Alembic's model comparison must leave alone: they are dialect-specific, made by 0002."""
PG_CONFIG = "english"
TOKENIZER = "porter unicode61 remove_diacritics 2"
"""claims_fts's tokenizer, as migration 0002 declares it; the word table below must split alike."""

_TOKEN = re.compile(r"\w+", re.UNICODE)


def refresh_search_index(session: Session, claim_ids: Sequence[str] | None = None) -> None:
    """Make SQLite's FTS table say what the claims table says (PostgreSQL's index keeps itself).

    Each claim's row keeps the claim's rowid, so a search can find a claim's index row by rowid
    (SearchPlan rowset and probe); they still check the id, so an index built otherwise is safe.
    With `claim_ids`, only those claims' entries are rewritten (a load that changed a few claims);
    without, the whole table is rebuilt.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if claim_ids is None:
        session.execute(text("DELETE FROM claims_fts"))
        session.execute(
            text("INSERT INTO claims_fts(rowid, id, statement, quote) SELECT rowid, id, statement, quote FROM claims")
        )
        return
    for start in range(0, len(claim_ids), BATCH_SIZE):
        batch = list(claim_ids[start : start + BATCH_SIZE])
        keys = ", ".join(f":k{i}" for i in range(len(batch)))
        params = {f"k{i}": key for i, key in enumerate(batch)}
        rowids = session.execute(text(f"SELECT rowid FROM claims WHERE id IN ({keys})"), params).scalars().all()
        marks = ", ".join(str(int(rowid)) for rowid in rowids) or "NULL"
        # each claim's one entry, found by rowid; only when some are not there (rowids moved, or a claim
        # is gone) is the whole index read for them, as the id is not indexed. (A second entry for a
        # claim elsewhere, which no claimsdb writes, would stay.)
        found = session.execute(text(f"DELETE FROM claims_fts WHERE rowid IN ({marks}) AND id IN ({keys})"), params)
        if found.rowcount < len(batch):  # type: ignore[attr-defined]
            session.execute(text(f"DELETE FROM claims_fts WHERE id IN ({keys})"), params)
        taken = set(session.execute(text(f"SELECT rowid FROM claims_fts WHERE rowid IN ({marks})")).scalars())
        # each entry at its claim's rowid, where that is free (it is, unless rowids moved, e.g. by VACUUM)
        free = ", ".join(str(int(rowid)) for rowid in rowids if rowid not in taken) or "NULL"
        session.execute(
            text(
                "INSERT INTO claims_fts(rowid, id, statement, quote) SELECT rowid, id, statement, quote FROM claims "
                f"WHERE rowid IN ({free})"
            )
        )
        if taken:
            clash = ", ".join(str(int(rowid)) for rowid in taken)
            session.execute(
                text(
                    "INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims WHERE "
                    f"rowid IN ({clash})"
                )
            )


def index_claims_after(session: Session, rowid: int) -> int:
    """Add the FTS entries of the claims after `rowid` (a first load indexes each batch it writes,
    load.stream); returns the last claim's rowid. SQLite only."""
    session.execute(
        text(
            "INSERT INTO claims_fts(rowid, id, statement, quote) SELECT rowid, id, statement, quote FROM claims "
            "WHERE rowid > :after"
        ),
        {"after": rowid},
    )
    return session.scalar(text("SELECT max(rowid) FROM claims")) or rowid


def has_words(text: str) -> bool:
    """Whether a search has anything to look for: both back ends see only its words (letters, digits)."""
    return _TOKEN.search(text) is not None


def fts5_query(words: str) -> str:
    """Every word must appear (a prefix match on the last one); user text never reaches FTS5 syntax."""
    tokens = _TOKEN.findall(words)
    if not tokens:
        return '""'
    quoted = [_quoted(token) for token in tokens]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def tsquery(words: str) -> str:
    """PostgreSQL's twin of fts5_query: every word (stemmed), the last one also as a prefix."""
    tokens = _TOKEN.findall(words)
    if not tokens:
        return "''"
    tokens[-1] += ":*"
    return " & ".join(tokens)


# --- how SQLite finds the matches -------------------------------------------------------------------


How = Literal["hits", "walk", "rowset", "probe"]


@dataclass(frozen=True)
class SearchPlan:
    """How SQLite finds a search's claims (PostgreSQL's planner chooses for itself).

    hits:   read the matches' ids, fetch each claim, sort them all: grows with the matches only,
            so it suits a rare word (a walk would read the whole index to find its few claims).
    walk:   read the matches' ids into a set, walk claims in the list's order keeping those in
            the set, stop after the page: the set grows with the matches, the walk with the page.
    rowset: the walk in reading order with a set of index rowids instead of ids, some ten times
            cheaper to read; each claim walked costs a check that its index row sits at its rowid.
    probe:  walk claims in reading order asking FTS5 about each (and checking as rowset does):
            nothing grows with the matches, but a question costs as much as ~200 set entries,
            so it suits a common word.
    rowset and probe give up after `window` claims (the word is rarer there than the index says)
    or at a claim whose index row is elsewhere, and the caller walks instead.
    """

    fts_query: str
    how: How
    window: int = 0


# Microseconds, measured at 1,000,000 claims (benchmarks/corpus.py); only the ratios matter.
_FETCH = 3.5  # hits: fetch one match's claim by id and sort it in
_SET = 1.5  # walk: read one match's id into the set
_ROWSET = 0.15  # rowset: read one match's rowid into the set
_STEP = 0.15  # walk, rowset, probe: step to the next claim (and look it up in the set)
_CHECK = 1.3  # rowset, probe: check that the index row at a claim's rowid is the claim's
_ASK = 30.0  # probe: ask FTS5 about one claim, per term asked about
_COUNT = 0.1  # count one match, per term, while choosing a plan
_MOST_SPELLINGS = 8
"""At most this many index terms may stand in for the last word's prefix in a probe."""


def plan_search(session: Session, words: str, *, wanted: int | None) -> SearchPlan | None:
    """The cheapest plan for `words` on SQLite (None on PostgreSQL, whose planner chooses).

    `wanted`: how many claims the caller reads in reading order (offset + limit); None when it
    reads every match or sorts otherwise (then only hits and walk apply). The matches are counted
    only as far as the choice needs.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    exact = exact_query(session, words) if wanted else None
    fts, terms = (exact.text, exact.terms) if exact else (fts5_query(words), 0)
    claims = session.scalar(text("SELECT max(rowid) FROM claims")) or 0
    found = _count_matches(session, fts, up_to=counted_enough(claims, wanted, terms))
    how = choose(claims, wanted, terms, found)
    window = math.ceil(2 * _walked(claims, wanted, found)) if how in ("rowset", "probe") else 0
    return SearchPlan(fts, how, window)


def choose(claims: int, wanted: int | None, terms: int, counted: int) -> How:
    """The plan for `counted` matches, counted no further than counted_enough: the cheapest by
    the cost model below that, else the plan whose cost does not grow with the matches."""
    if counted < counted_enough(claims, wanted, terms):
        return cheapest(claims, wanted, terms, counted)
    return _for_many(wanted, terms)


def cheapest(claims: int, wanted: int | None, terms: int, matches: int) -> How:
    """The plan of least estimated cost for `matches` matches among `claims` claims.

    `terms`: how many index terms a probe asks about (0: no probe, the search keeps a prefix).
    """
    walked = _walked(claims, wanted, matches)
    costs: dict[How, float] = {"hits": matches * _FETCH, "walk": matches * _SET + walked * _STEP}
    if wanted is not None:
        costs["rowset"] = matches * _ROWSET + walked * (_STEP + _CHECK)
        if terms:
            costs["probe"] = walked * (_STEP + _CHECK + _ASK * terms)
    return min(costs, key=costs.__getitem__)


def counted_enough(claims: int, wanted: int | None, terms: int) -> int:
    """How far to count matches: beyond this the cheapest plan is _for_many's (or, for a probe,
    counting further would cost more than a wrong choice could)."""
    if wanted is None:  # hits against walking every claim
        return math.ceil(claims * _STEP / (_FETCH - _SET))
    if not terms:  # walk against rowset
        return math.ceil(math.sqrt(wanted * claims * _CHECK / (_SET - _ROWSET)))
    rowset_against_probe = math.sqrt(wanted * claims * _ASK * terms / _ROWSET)
    worth_counting = math.sqrt(wanted * claims * _ASK / _COUNT)
    return math.ceil(min(rowset_against_probe, worth_counting))


def _for_many(wanted: int | None, terms: int) -> How:
    """The plan for more matches than were counted: one whose cost does not grow with them."""
    if wanted is None:
        return "walk"
    return "probe" if terms else "rowset"


def _walked(claims: int, wanted: int | None, matches: int) -> float:
    """Claims a walk meets: about wanted * claims / matches for a page in reading order."""
    if wanted is None:
        return claims
    return min(claims, wanted * claims / max(matches, 1))


def _count_matches(session: Session, fts: str, *, up_to: int) -> int:
    """How many index rows match, counting no further than `up_to` (FTS5 stops early then)."""
    query = text("SELECT count(*) FROM (SELECT 1 FROM claims_fts WHERE claims_fts MATCH :q LIMIT :n)")
    return session.scalar(query, {"q": fts, "n": up_to}) or 0


# --- the same search without a prefix ---------------------------------------------------------------

_TEMP_TABLES = (
    # claims_fts's terms, one row per occurrence: a lower bound on `term` seeks to the next term
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.claims_fts_terms USING fts5vocab(main, claims_fts, instance)",
    # words put through claims_fts's tokenizer, to learn the terms it would index them as
    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.claims_fts_words USING fts5(word, tokenize = '{TOKENIZER}')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.claims_fts_word_terms USING fts5vocab(temp, claims_fts_words, instance)",
)
"""TEMP tables, private to the connection, so a reading connection can make and fill them."""


@dataclass(frozen=True)
class ExactQuery:
    text: str
    terms: int  # index terms a probe asks about


def exact_query(session: Session, words: str) -> ExactQuery | None:
    """`words` as an FTS5 query with no prefix term, matching exactly the claims fts5_query does.

    FTS5 answers a prefix term by merging the doclists of every term it covers, and does so each
    time it is asked: asking about one claim then costs as much as listing every match. The
    prefix can go when the index holds no longer term starting with the last word's stem, or be
    spelled out as an OR of the few it holds if the tokenizer leaves each one as it is (so the OR
    asks for exactly those terms). None when neither holds.
    """
    tokens = _TOKEN.findall(words)
    terms = _index_terms(session, tokens) if tokens else []
    if not terms or not all(terms):
        return None
    longer = _longer_terms(session, terms[-1][-1], _MOST_SPELLINGS)
    if len(longer) > _MOST_SPELLINGS:
        return None
    if longer and (len(terms[-1]) > 1 or _index_terms(session, longer) != [[term] for term in longer]):
        return None
    quoted = [_quoted(token) for token in tokens]
    if longer:
        quoted[-1] = "(" + " OR ".join([quoted[-1], *map(_quoted, longer)]) + ")"
    return ExactQuery(" AND ".join(quoted), sum(map(len, terms)) + len(longer))


def _index_terms(session: Session, words: list[str]) -> list[list[str]]:
    """Each word as claims_fts would index it: folded and stemmed, split where its tokenizer splits."""
    connection = session.connection()
    for statement in _TEMP_TABLES:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("DELETE FROM temp.claims_fts_words")
    connection.exec_driver_sql(
        "INSERT INTO temp.claims_fts_words(rowid, word) VALUES (?, ?)", list(enumerate(words, 1))
    )
    terms: list[list[str]] = [[] for _ in words]
    for doc, term in connection.exec_driver_sql(
        "SELECT doc, term FROM temp.claims_fts_word_terms ORDER BY doc, offset"
    ):
        terms[doc - 1].append(term)
    return terms


def _longer_terms(session: Session, stem: str, most: int) -> list[str]:
    """Index terms that start with `stem` and go on, in order: at most `most` + 1 of them.

    One seek each: tokens never hold NUL, so the term after `t` is the first at or after t + chr(1).
    """
    found: list[str] = []
    after = stem
    while len(found) <= most:
        term = session.scalar(
            text("SELECT term FROM temp.claims_fts_terms WHERE term >= :t LIMIT 1"), {"t": after + "\x01"}
        )
        if term is None or not term.startswith(stem):
            break
        found.append(term)
        after = term
    return found


# --- WHERE conditions ----------------------------------------------------------------------------------

_FTS = table("claims_fts", column("rowid", Integer), column("id", String))
_CLAIM_ROWID = literal_column("claims.rowid", Integer)


def matches(session: Session, words: str, plan: SearchPlan | None = None) -> ColumnElement[bool]:
    """A WHERE condition: the claim's statement or quote contains every word of `words`.

    On SQLite, shaped by `plan` (by default, the plan for reading every match); rowset and probe
    plans give the walk's condition, which is what answers when they give up.
    """
    if session.get_bind().dialect.name == "sqlite":
        plan = plan or plan_search(session, words, wanted=None)
        assert plan is not None
        hits = select(_FTS.c.id).where(text("claims_fts MATCH :fts_query")).params(fts_query=plan.fts_query)
        if plan.how == "hits":
            return m.Claim.id.in_(hits)
        # `id || ''` keeps SQLite from driving the query from the list of hits (and then sorting
        # them all): it walks claims in the wanted order and stops after a page
        return m.Claim.id.concat("").in_(hits)
    document = func.to_tsvector(PG_CONFIG, m.Claim.statement + " " + m.Claim.quote)
    return document.op("@@")(func.to_tsquery(PG_CONFIG, tsquery(words)))


def by_rowid(plan: SearchPlan) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Conditions on one claim for a rowset or probe plan (SQLite): (matching, misplaced).

    `matching` looks for the index row at the claim's rowid, where refresh_search_index puts it:
    in the set of matching rowids (rowset) or by asking FTS5 (probe). `misplaced` says that row
    is not the claim's (an index built by other means): then `matching` cannot be trusted.
    """
    at_claim = _FTS.c.rowid == _CLAIM_ROWID
    if plan.how == "probe":
        matching = exists().where(text("claims_fts MATCH :probe_query"), at_claim)
    else:
        matching = _CLAIM_ROWID.in_(select(_FTS.c.rowid).where(text("claims_fts MATCH :probe_query")))
    held = select(_FTS.c.id).where(at_claim).scalar_subquery()
    return matching.params(probe_query=plan.fts_query), held.is_distinct_from(m.Claim.id)
