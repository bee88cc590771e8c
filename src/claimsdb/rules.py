"""Rules several layers share, each written once: the seed format, the tables, the queries, the
renderers, the CLI and the web read them from here instead of keeping copies that drift apart.

Nothing heavy is imported, so the CLI can build its options from these without loading
SQLAlchemy or pydantic (`claims --help` stays fast).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# --- dates ----------------------------------------------------------------------------------------

PRECISIONS = ("day", "month", "year")
"""How precisely a date is known, finest first (so `PRECISIONS.index` orders them)."""

PRECISION_WIDTH = {"day": 10, "month": 7, "year": 4}
"""How many characters of an ISO 8601 date say it at each precision: 2017-07-19, 2017-07, 2017."""


def cut_to_precision(value: dt.date, precision: str | None) -> str:
    """A date as precisely as it is known: 2017-07-19, 2017-07 or 2017 (no precision: a day)."""
    return value.isoformat()[: PRECISION_WIDTH.get(precision or "day", PRECISION_WIDTH["day"])]


# --- claims -------------------------------------------------------------------------------------

RELATION_KINDS = ("corroborates", "contradicts", "refines", "supersedes")
"""How one claim bears on another; each is a seed field, a `claim_relations.kind` value."""

QUALIFIER_OF_FORM = {
    "exact": "exact",
    "over": "more_than",
    "at_least": "at_least",
    "under": "less_than",
    "at_most": "at_most",
    "about": "approximately",
    "almost": "almost",
    "between": "range",
    "vague": "vague",
}
"""Each way a seed can give a quantity (`over: 500`), and the qualifier stored and exported for it."""

QUANTITY_FORMS = tuple(QUALIFIER_OF_FORM)
"""The seed's quantity forms; a quantity gives exactly one of them."""

QUANTITY_QUALIFIERS = tuple(QUALIFIER_OF_FORM.values())
"""The values of `claims.quantity_qualifier`, in the order the seed forms are listed."""

SORTS = {"document": "reading order", "date": "date", "claimant": "claimant", "type": "type", "id": "id"}
"""The orders a claim list can take, with the words the web shows for each; `document` is the default."""


def in_words(names: Iterable[str]) -> str:
    """'a, b or c': a short list as a sentence says it."""
    items = list(names)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def http_url(url: str | None) -> str | None:
    """`url` (trimmed) if it is an http(s) URL, else None: only such a URL becomes a link (an href,
    a JSON-LD `url`); a seed's `javascript:` or `file:` URL stays text."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


# --- "did you mean" -----------------------------------------------------------------------------

CLOSE_TO_AN_ID = 0.5
"""Cutoff for ids a curator chose (claim, source, organisation ids): a typo or a changed suffix."""

CLOSE_TO_A_NAME = 0.4
"""Cutoff for terms and for what a user types to find a claimant, place or term: names and labels
vary more than ids (case folded, words left out), so a looser match still helps."""

CLOSE_TO_A_FIELD = 0.75
"""Cutoff for a misspelt seed field: one suggestion only, and only a near one ('file' is not
'title'), since a wrong suggestion is worse than the list of allowed fields."""


def closest(word: str, known: Iterable[str], cutoff: float, most: int = 3) -> list[str]:
    """Up to `most` of `known` that `word` was probably meant to be, best first."""
    import difflib  # only when something was not found: the CLI imports this module at start-up

    return difflib.get_close_matches(word, list(known), n=most, cutoff=cutoff)


def closest_hint(word: str, known: Iterable[str], cutoff: float, otherwise: str = "") -> str:
    """'; closest: a, b' for an error message, or `otherwise` when nothing is close."""
    close = closest(word, known, cutoff)
    return f"; closest: {', '.join(close)}" if close else otherwise
