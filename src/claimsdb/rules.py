"""Rules several layers share, each written once: the seed format, the tables, the queries, the
renderers, the CLI and the web read them from here instead of keeping copies that drift apart.

Nothing heavy is imported, so the CLI can build its options from these without loading
SQLAlchemy or pydantic (`claims --help` stays fast).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

# --- dates ----------------------------------------------------------------------------------------

PRECISIONS = ("day", "month", "year")
"""How precisely a date is known, finest first (so `PRECISIONS.index` orders them)."""

PRECISION_WIDTH = {"day": 10, "month": 7, "year": 4}
"""How many characters of an ISO 8601 date say it at each precision: 2017-07-19, 2017-07, 2017."""


def cut_to_precision(value: dt.date, precision: str | None) -> str:
    """A date as precisely as it is known: 2017-07-19, 2017-07 or 2017 (no precision: a day)."""
    return value.isoformat()[: PRECISION_WIDTH.get(precision or "day", PRECISION_WIDTH["day"])]


PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
"""A date as precise as it is known: YYYY, YYYY-MM or YYYY-MM-DD."""


def read_partial_date(raw: int | str) -> tuple[dt.date, str]:
    """The first day a date written YYYY, YYYY-MM or YYYY-MM-DD can mean, and its precision:
    "2017" -> (2017-01-01, "year"). ValueError, in words a curator can act on, for anything else."""
    match = PARTIAL_DATE.match(str(raw).strip())
    if not match:
        raise ValueError(f"{raw!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    try:
        return dt.date(int(year), int(month or 1), int(day or 1)), precision
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not a real date ({exc})") from None


def last_day(value: dt.date, precision: str) -> dt.date:
    """The last day a date can mean: 2017 -> 2017-12-31, 2017-02 -> 2017-02-28."""
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        following = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return value


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


# --- CSV ----------------------------------------------------------------------------------------

CSV_LINE_END = "\r\n"
"""Every CSV claimsdb writes is RFC 4180: CRLF line ends, minimal quoting, quotes doubled."""


def csv_writer(out: Any) -> Any:
    """A csv.writer that writes claimsdb's CSV to `out` (see CSV_LINE_END)."""
    import csv

    return csv.writer(out, lineterminator=CSV_LINE_END)


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


# --- the web's list pages ---------------------------------------------------------------------------

COUNT_TIME_LIMIT_MS = 200
"""Milliseconds a list page may take to read its rows, total and facets (`claims serve
--count-time-limit`): on a large database, a count not done by then is left out (the page says
"many", with a link that counts it exactly) rather than keep the reader waiting."""
