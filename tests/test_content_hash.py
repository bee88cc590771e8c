"""A claim's content hash made in two places: the text either side of its date columns where the
claim is parsed (a worker process), the dates and the sha256 where every source is known.

Whatever the values, the two halves make exactly the hash a claim gets in one piece, since that
hash is stored and compared by every later load to tell a changed claim from the same one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.seeds.records import (
    CLAIM_COLUMNS,
    DATE_COLUMNS,
    content_hash_from,
    content_hash_of,
    hash_dates,
    hash_parts,
)

VALUE = st.one_of(
    st.none(),
    st.text(),  # any code point: quotes, backslashes, newlines, controls, surrogates escaped by repr
    st.integers(),
    st.dates(),
    st.sampled_from(["day", "month", "year", "publication", "a 'quoted' \"word\"", "é\u202e"]),
)
FIRST = CLAIM_COLUMNS.index(DATE_COLUMNS[0])
PAIRS = st.lists(st.tuples(st.sampled_from(["corroborates", "contradicts", "refines"]), st.text(max_size=20)))


@settings(max_examples=400, deadline=None)
@given(st.lists(VALUE, min_size=len(CLAIM_COLUMNS), max_size=len(CLAIM_COLUMNS)), PAIRS)
def test_the_parts_and_the_dates_make_the_hash_of_the_whole(values: list[Any], pairs: list[tuple[str, str]]) -> None:
    claim = tuple(values)
    dates = claim[FIRST : FIRST + len(DATE_COLUMNS)]
    assert content_hash_from(hash_parts(claim, pairs), hash_dates(dates)) == content_hash_of(claim, pairs)


def test_the_dates_may_be_others_than_the_parts_were_made_with() -> None:
    """A worker makes the parts before the claim takes its source's date; the dates come later."""
    first = FIRST
    undated = tuple(f"value {index}" for index in range(len(CLAIM_COLUMNS)))
    dates = (dt.date(2017, 7, 1), dt.date(2017, 7, 31), "month", "publication", "the publication date of s", "2017-07")
    dated = (*undated[:first], *dates, *undated[first + len(dates) :])
    parts = hash_parts(undated, [("refines", "other")])
    assert content_hash_from(parts, hash_dates(dates)) == content_hash_of(dated, [("refines", "other")])
    assert content_hash_from(parts, hash_dates(dates)) != content_hash_of(undated, [("refines", "other")])
