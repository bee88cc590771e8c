"""Find a curator's quote in its document, exactly, or explain why not.

An anchor is the W3C Web Annotation idea: a TextQuoteSelector (exact text, prefix, suffix) plus a
TextPositionSelector (start/end offsets in Unicode code points), tied to the document's sha256.
We never re-anchor to a look-alike passage: a quote that is not in the text verbatim is refused,
and the refusal names the closest passage and what kind of difference separates them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

CONTEXT_CHARS = 32
"""How much text before and after a quote an anchor keeps (prefix and suffix)."""


@dataclass(frozen=True)
class Anchor:
    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


class AnchorNotFound(ValueError):
    """The quote cannot be anchored; the message says where the closest text is and how it differs."""


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def make_anchor(text: str, start: int, end: int) -> Anchor:
    return Anchor(
        exact=text[start:end],
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `quote` in `text`."""
    found, index = [], text.find(quote)
    while index != -1:
        found.append(index)
        index = text.find(quote, index + 1)
    return found


def anchor_quote(text: str, quote: str, occurrence: int | None = None, prefix: str | None = None) -> Anchor:
    """Anchor `quote` in `text`; `occurrence` (1-based) or `prefix` picks one of several."""
    if not quote:
        raise AnchorNotFound("the quote is empty")
    starts = occurrences(text, quote)
    if not starts:
        raise AnchorNotFound(explain_missing(text, quote))
    if prefix is not None:
        starts = [s for s in starts if text[:s].endswith(prefix)]
        if len(starts) != 1:
            raise AnchorNotFound(
                f"quote_prefix {prefix!r} precedes {len(starts)} of the occurrences; it must pick exactly one"
            )
    elif occurrence is not None:
        if occurrence < 1:
            raise AnchorNotFound(f"occurrence {occurrence} is not an occurrence: they count from 1 (the first)")
        if occurrence > len(starts):
            raise AnchorNotFound(f"occurrence {occurrence} asked for, but the quote appears {len(starts)} time(s)")
        starts = [starts[occurrence - 1]]
    elif len(starts) > 1:
        where = "; ".join(
            f"{n}: line {line_of(text, s)}, after {text[max(0, s - 24):s]!r}" for n, s in enumerate(starts, 1)
        )
        raise AnchorNotFound(
            f"the quote appears {len(starts)} times ({where}); add `occurrence: N` or a `quote_prefix`"
        )
    start = starts[0]
    _whole_words(text, start, start + len(quote))
    return make_anchor(text, start, start + len(quote))


def _word_length(text: str) -> int:
    """How many word characters `text` starts with (a quote cut mid-word is widened to the whole word)."""
    found = re.match(r"\w*", text)
    return len(found.group()) if found else 0


def _whole_words(text: str, start: int, end: int) -> None:
    """Refuse a quote that cuts a word: "defector" in "defectors" changes what it says."""
    cut_before = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    cut_after = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    if cut_before or cut_after:
        left = start - _word_length(text[start - 1 :: -1]) if cut_before else start
        right = end + _word_length(text[end:]) if cut_after else end
        raise AnchorNotFound(
            f"the quote cuts a word at line {line_of(text, start)}: the document has {text[left:right]!r}; quote "
            "whole words"
        )


@dataclass(frozen=True)
class Located:
    """One place a text sits in a document, for a curator choosing a quote."""

    anchor: Anchor
    line: int
    occurrence: int
    cuts_word: bool


def locate(text: str, quote: str) -> list[Located]:
    """Every occurrence of `quote`, with its line; empty when it is not there verbatim."""
    found = []
    for number, start in enumerate(occurrences(text, quote) if quote else [], 1):
        end = start + len(quote)
        try:
            _whole_words(text, start, end)
            cuts = False
        except AnchorNotFound:
            cuts = True
        found.append(Located(make_anchor(text, start, end), line_of(text, start), number, cuts))
    return found


# --- explaining a miss ------------------------------------------------------------------------

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2032": "'"}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00ad": ""}
Fold = Callable[[str], str]
_KINDS: list[tuple[str, Fold]] = [
    ("curly vs straight quotes", lambda c: _QUOTES.get(c, c)),
    ("dashes or hyphens", lambda c: _DASHES.get(c, c)),
    ("whitespace (spaces, tabs, line breaks)", lambda c: " " if c.isspace() else c),
    ("upper/lower case", str.casefold),
]


def _fold(text: str, folds: list[Fold]) -> tuple[str, list[int]]:
    """Fold each character, collapse runs of spaces; return the text and each char's origin offset."""
    out: list[str] = []
    origin: list[int] = []
    collapse = _KINDS[2][1] in folds
    for index, char in enumerate(text):
        for fold in folds:
            char = "".join(fold(c) for c in char)
        for piece in char:
            if collapse and piece == " " and out and out[-1] == " ":
                continue
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


def explain_missing(text: str, quote: str) -> str:
    """Say which kinds of difference hide the quote, or name the closest passage and the changed words."""
    all_folds = [fold for _, fold in _KINDS]
    folded_text, origin = _fold(text, all_folds)
    folded_quote, _ = _fold(quote, all_folds)
    hit = folded_text.find(folded_quote) if folded_quote else -1
    if hit == -1:
        return _unicode_form(text, quote) or _closest_passage(text, quote)
    start, end = origin[hit], origin[hit + len(folded_quote) - 1] + 1
    passage = text[start:end]
    kinds = [
        name
        for name, fold in _KINDS
        if _fold(passage, [f for f in all_folds if f is not fold])[0]
        != _fold(quote, [f for f in all_folds if f is not fold])[0]
    ]
    return (
        f"the quote is not in the document verbatim; line {line_of(text, start)} has it with a "
        f"difference in {', '.join(kinds) or 'invisible characters'}: {passage!r}. "
        "Copy the text exactly as the document has it"
    )


def _unicode_form(text: str, quote: str) -> str | None:
    """Accents can be one code point (é) or two (e + ◌́): they look alike but are different text."""
    composed_text, composed_quote = unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", quote)
    hit = composed_text.find(composed_quote)
    if hit == -1:
        return None
    line = composed_text.count("\n", 0, hit) + 1
    return (
        f"the quote is not in the document verbatim; line {line} has it with a difference in Unicode form "
        f"(accents composed in one and decomposed in the other): {composed_text[hit : hit + len(composed_quote)]!r}. "
        "Copy the text from the document itself, or `claims anchor` it, rather than retyping it"
    )


_WORD = re.compile(r"\S+")


def _closest_passage(text: str, quote: str) -> str:
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    quote_words = quote.split()
    if not words or not quote_words:
        return "the quote is not in the document, which has no comparable text"
    width = len(quote_words)
    best_ratio, best_span = -1.0, (0, 0)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote.casefold())
    for first in range(max(1, len(words) - width + 1)):
        start, end = words[first][0], words[min(first + width, len(words)) - 1][1]
        matcher.set_seq1(text[start:end].casefold())
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best_ratio, best_span = ratio, (start, end)
    start, end = best_span
    passage = text[start:end]
    changed = _changed_words(passage.split(), quote_words)
    return (
        f"the quote is not in the document; the closest passage (line {line_of(text, start)}, "
        f"{best_ratio:.0%} alike) is {passage!r}; words differ: {changed}. "
        "Copy the text exactly as the document has it"
    )


def _changed_words(document_words: list[str], quote_words: list[str]) -> str:
    opcodes = difflib.SequenceMatcher(a=document_words, b=quote_words, autojunk=False).get_opcodes()
    changes = [
        f"document {' '.join(document_words[i1:i2])!r} vs quote {' '.join(quote_words[j1:j2])!r}"
        for tag, i1, i2, j1, j2 in opcodes
        if tag != "equal"
    ]
    return "; ".join(changes[:3]) or "none (check invisible characters)"
