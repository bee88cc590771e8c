"""Anchoring a curator's quote exactly in its document, or explaining precisely why it is not there."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.seeds.anchor import CONTEXT_CHARS, AnchorNotFound, anchor_quote

DOC = (
    "North Korea rejects charges of human rights abuses.\n"
    "Pyongyang said the report was a “plot” — a fabrication by its enemies.\n"
    "Officials were   executed on corruption and espionage charges.\n"
    "Most of the executions are administered by shooting.\n"
    "It was said before. It was said again.\n"
    "It was said once more, by the ministry.\n"
)


def not_found(text: str, quote: str, **options: object) -> str:
    with pytest.raises(AnchorNotFound) as caught:
        anchor_quote(text, quote, **options)  # type: ignore[arg-type]
    return str(caught.value)


# --- exact matches ----------------------------------------------------------------------------------


def test_exact_quote_gives_offsets_and_context() -> None:
    quote = "executed on corruption and espionage charges"
    anchor = anchor_quote(DOC, quote)
    assert anchor.start == DOC.index(quote)
    assert anchor.end == anchor.start + len(quote)
    assert DOC[anchor.start : anchor.end] == anchor.exact == quote
    assert anchor.prefix == DOC[anchor.start - CONTEXT_CHARS : anchor.start]
    assert anchor.suffix == DOC[anchor.end : anchor.end + CONTEXT_CHARS]
    assert len(anchor.prefix) == len(anchor.suffix) == CONTEXT_CHARS


def test_context_is_cut_short_at_the_edges_of_the_document() -> None:
    first = anchor_quote(DOC, "North Korea rejects")
    assert (first.start, first.prefix) == (0, "")
    last = anchor_quote(DOC, "by the ministry.\n")
    assert (last.end, last.suffix) == (len(DOC), "")


def test_offsets_count_unicode_code_points() -> None:
    before = "“Curly” quotes, an emoji 😀 and Korean 북한 인권 come first.\n"
    text = before + "The report said executions continue."
    anchor = anchor_quote(text, "executions continue")
    expected = len(before) + len("The report said ")
    assert anchor.start == expected  # code points, not UTF-8 bytes or UTF-16 units
    assert expected < len(text[:expected].encode("utf-8"))
    assert expected < len(text[:expected].encode("utf-16-le")) // 2
    assert text[anchor.start : anchor.end] == "executions continue"


def test_quote_with_non_ascii_characters_anchors_where_it_is() -> None:
    anchor = anchor_quote(DOC, "the report was a “plot” — a fabrication")
    assert DOC[anchor.start : anchor.end] == "the report was a “plot” — a fabrication"
    assert DOC[: anchor.start].endswith("Pyongyang said ")


# --- several occurrences -----------------------------------------------------------------------------


def test_ambiguous_quote_lists_every_occurrence_with_its_line() -> None:
    message = not_found(DOC, "It was said")
    assert message.startswith("the quote appears 3 times (")
    assert "1: line 5, after " in message
    assert "2: line 5, after 'ng.\\nIt was said before. '" in message
    assert "3: line 6, after " in message
    assert message.endswith("add `occurrence: N` or a `quote_prefix`")


@pytest.mark.parametrize("occurrence", [1, 2, 3])
def test_occurrence_picks_the_nth_one(occurrence: int) -> None:
    starts = [i for i in range(len(DOC)) if DOC.startswith("It was said", i)]
    anchor = anchor_quote(DOC, "It was said", occurrence=occurrence)
    assert anchor.start == starts[occurrence - 1]


def test_quote_prefix_picks_the_one_it_precedes() -> None:
    anchor = anchor_quote(DOC, "It was said", prefix="said before. ")
    assert anchor.start == DOC.index("It was said again")


def test_occurrence_past_the_last_is_refused() -> None:
    assert not_found(DOC, "It was said", occurrence=4) == "occurrence 4 asked for, but the quote appears 3 time(s)"


@pytest.mark.parametrize("occurrence", [0, -1])
def test_occurrence_below_one_is_refused_not_read_from_the_end(occurrence: int) -> None:
    message = not_found(DOC, "It was said", occurrence=occurrence)
    assert f"occurrence {occurrence}" in message


@pytest.mark.parametrize(("prefix", "count"), [("nowhere ", 0), ("", 3), ("\n", 2)])
def test_quote_prefix_must_pick_exactly_one(prefix: str, count: int) -> None:
    message = not_found(DOC, "It was said", prefix=prefix)
    assert message == f"quote_prefix {prefix!r} precedes {count} of the occurrences; it must pick exactly one"


# --- explaining a quote that is not there -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "line", "kinds", "passage"),
    [
        ('the report was a "plot"', 2, "curly vs straight quotes", "the report was a “plot”"),
        ("“plot” - a fabrication", 2, "dashes or hyphens", "“plot” — a fabrication"),
        (
            "Officials were executed on corruption",
            3,
            "whitespace (spaces, tabs, line breaks)",
            "Officials were   executed on corruption",
        ),
        (
            "rights abuses. Pyongyang said",
            1,
            "whitespace (spaces, tabs, line breaks)",
            "rights abuses.\nPyongyang said",
        ),
        ("most of the executions", 4, "upper/lower case", "Most of the executions"),
        ('THE REPORT WAS A "PLOT"', 2, "curly vs straight quotes, upper/lower case", "the report was a “plot”"),
    ],
    ids=["straight-quotes", "hyphen-for-dash", "collapsed-spaces", "space-for-line-break", "case", "two-kinds"],
)
def test_near_miss_names_the_kind_of_difference_and_the_passage(
    quote: str, line: int, kinds: str, passage: str
) -> None:
    message = not_found(DOC, quote)
    assert message == (
        f"the quote is not in the document verbatim; line {line} has it with a difference in {kinds}: "
        f"{passage!r}. Copy the text exactly as the document has it"
    )


def test_changed_word_names_both_words_and_the_closest_passage_line() -> None:
    message = not_found(DOC, "Most of the executions are administered by hanging.")
    assert message.startswith("the quote is not in the document; the closest passage (line 4, ")
    assert "'Most of the executions are administered by shooting.'" in message
    assert "words differ: document 'shooting.' vs quote 'hanging.'" in message


def test_unicode_normalisation_difference_is_not_shown_as_two_identical_words() -> None:
    text = unicodedata.normalize("NFD", "The café was closed by the authorities.")
    quote = unicodedata.normalize("NFC", "The café was closed")
    message = not_found(text, quote)
    for document_word, quote_word in re.findall(r"document '(.*?)' vs quote '(.*?)'", message):
        # the two spellings render alike, so naming them as "the difference" explains nothing
        assert unicodedata.normalize("NFC", document_word) != unicodedata.normalize("NFC", quote_word), message


@pytest.mark.parametrize(
    ("quote", "line", "whole"),
    [
        ("xecuted on corruption", 3, "executed on corruption"),
        ("administered by shoot", 4, "administered by shooting"),
        ("orth Kore", 1, "North Korea"),
    ],
    ids=["start", "end", "both"],
)
def test_quote_cutting_a_word_is_refused_showing_the_whole_words(quote: str, line: int, whole: str) -> None:
    assert (
        not_found(DOC, quote) == f"the quote cuts a word at line {line}: the document has {whole!r}; quote whole words"
    )


def test_empty_quote_is_refused() -> None:
    assert not_found(DOC, "") == "the quote is empty"


def test_quote_against_an_empty_document() -> None:
    assert not_found("", "anything") == "the quote is not in the document, which has no comparable text"


# --- properties ---------------------------------------------------------------------------------------------

WORDS = ["North", "Korea", "executions", "“said”", "it's", "한국", "북한", "café", "😀", "x", "—", "1,000", "a"]
SEPARATORS = [" ", "  ", "\n", ", ", ". ", "\t", "-"]


@st.composite
def documents(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=5), min_size=1, max_size=30))
    separators = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(word + separator for word, separator in zip(words, separators, strict=True))


def word_boundaries(text: str) -> list[int]:
    """Offsets where a quote may start or end without cutting a word."""
    return [i for i in range(len(text) + 1) if i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_whole_word_slice_anchors_at_its_own_occurrence(data: st.DataObject) -> None:
    text = data.draw(documents(), label="text")
    cuts = word_boundaries(text)
    start = data.draw(st.sampled_from(cuts[:-1]), label="start")
    end = data.draw(st.sampled_from([cut for cut in cuts if cut > start]), label="end")
    quote = text[start:end]
    starts = [i for i in range(len(text)) if text.startswith(quote, i)]
    k = starts.index(start) + 1

    anchor = anchor_quote(text, quote, occurrence=k)

    assert anchor.start == starts[k - 1] == start
    assert (anchor.end, text[anchor.start : anchor.end]) == (end, quote)
    assert anchor.prefix == text[max(0, start - CONTEXT_CHARS) : start]
    assert anchor.suffix == text[end : end + CONTEXT_CHARS]


LOOK_ALIKES = list("aA b\n\t'\"‘’“”-—–\u00adßİﬁ😀한\u0301\u200b.")  # characters the explanations fold
TRICKY = st.text(alphabet=st.sampled_from(LOOK_ALIKES) | st.characters(), max_size=60)


@settings(max_examples=400, deadline=None)
@given(
    text=TRICKY | documents(),
    quote=TRICKY,
    occurrence=st.none() | st.integers(min_value=1, max_value=4),
    prefix=st.none() | st.text(max_size=4),
)
def test_anchor_quote_only_ever_raises_anchor_not_found(
    text: str, quote: str, occurrence: int | None, prefix: str | None
) -> None:
    try:
        anchor = anchor_quote(text, quote, occurrence=occurrence, prefix=prefix)
    except AnchorNotFound as exc:
        assert str(exc)
    else:
        assert text[anchor.start : anchor.end] == quote
