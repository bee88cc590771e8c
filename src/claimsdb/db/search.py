"""Full-text search over claim statements and quotes, with each back end's own machinery.

SQLite: an FTS5 table, `claims_fts`, with the Porter stemmer, rebuilt by the loader inside its
transaction. PostgreSQL: a GIN index on to_tsvector('english', statement || ' ' || quote), kept by
the server itself. Both are created by migration 0002 and live outside the ORM metadata (see
SEARCH_OBJECTS). Both stem English words and treat the last word as a prefix; they differ only at
the edges (PostgreSQL drops stop words such as "the"; the two stemmers differ on a few words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, literal_column, select, text
from sqlalchemy.orm import Session

from claimsdb.db import models as m

SEARCH_OBJECTS = ("claims_fts", "ix_claims_search")
"""Names Alembic's model comparison must leave alone: they are dialect-specific, made by 0002."""
PG_CONFIG = "english"

_TOKEN = re.compile(r"\w+", re.UNICODE)


def refresh_search_index(session: Session, claim_ids: Sequence[str] | None = None) -> None:
    """Make SQLite's FTS table say what the claims table says (PostgreSQL's index keeps itself).

    With `claim_ids`, only those claims' entries are rewritten (a load that changed a few claims);
    without, the whole table is rebuilt.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if claim_ids is None:
        session.execute(text("DELETE FROM claims_fts"))
        session.execute(text("INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims"))
        return
    for start in range(0, len(claim_ids), 10_000):
        batch = list(claim_ids[start : start + 10_000])
        keys = ", ".join(f":k{i}" for i in range(len(batch)))
        params = {f"k{i}": key for i, key in enumerate(batch)}
        session.execute(text(f"DELETE FROM claims_fts WHERE id IN ({keys})"), params)
        session.execute(text(f"INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims WHERE id IN ({keys})"), params)


def fts5_query(words: str) -> str:
    """Every word must appear (a prefix match on the last one); user text never reaches FTS5 syntax."""
    tokens = _TOKEN.findall(words)
    if not tokens:
        return '""'
    quoted = [f'"{token}"' for token in tokens]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def matches(session: Session, words: str) -> ColumnElement[bool]:
    """A WHERE condition: the claim's statement or quote contains every word of `words`."""
    if session.get_bind().dialect.name == "sqlite":
        hits = select(literal_column("id")).select_from(text("claims_fts")).where(text("claims_fts MATCH :fts_query"))
        # `id || ''` keeps SQLite from driving the query from the list of hits (and then sorting
        # them all): it walks claims in reading order and stops after a page
        return m.Claim.id.concat("").in_(hits.params(fts_query=fts5_query(words)))
    document = func.to_tsvector(PG_CONFIG, m.Claim.statement + " " + m.Claim.quote)
    return document.op("@@")(func.to_tsquery(PG_CONFIG, tsquery(words)))


def tsquery(words: str) -> str:
    """PostgreSQL's twin of fts5_query: every word (stemmed), the last one also as a prefix."""
    tokens = _TOKEN.findall(words)
    if not tokens:
        return "''"
    tokens[-1] += ":*"
    return " & ".join(tokens)
