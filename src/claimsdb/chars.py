"""Which characters seed text may hold, and how the invisible ones are shown.

Text from seeds is data a reader trusts to be what it looks like. Control characters (C0, DEL,
C1) can move a terminal's cursor, clear it, retitle it or ring it, and mean nothing in a claim:
they are refused in seed text, except a newline and a tab where a field may hold several lines.
Format characters (Unicode category Cf: bidirectional overrides such as U+202E, zero-width
spaces, joiners, the BOM) are accepted, as real text needs some of them, but text made only of
them (and spaces) is refused, since it would look like nothing; where text is shown in a
terminal they are written visibly, as <U+202E>. Held documents are never checked or changed here:
they stay byte for byte what was captured.

Pure functions, no imports beyond the standard library: the seed schema, the renderers and the
web all use them.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and C1 controls (newline and tab included: callers allow them where fit)."""
_MULTILINE_PROBLEM = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ONE_LINE_PROBLEM = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
"""What control_problem refuses (all controls but newline and tab; but tab), to find it in one scan."""

_JOINERS = "\u200c\u200d"
"""Zero-width non-joiner and joiner: they shape Persian, Indic scripts and emoji between two
letters, marks or symbols, and are shown as they are there."""

_BLANK_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u034f\u2800")
"""Characters outside category Cf that draw nothing: Hangul fillers, the combining grapheme
joiner, the braille blank."""


def is_control(char: str) -> bool:
    return bool(_CONTROL.match(char))


def is_invisible(char: str) -> bool:
    """A character that draws nothing and is not whitespace: a format character (Cf, which holds
    the bidirectional controls), a variation selector, or a blank filler."""
    return (
        unicodedata.category(char) == "Cf"
        or char in _BLANK_EXTRA
        or "\ufe00" <= char <= "\ufe0f"
        or "\U000e0100" <= char <= "\U000e01ef"
    )


def control_problem(text: str, *, multiline: bool) -> str | None:
    """Why `text` cannot be seed text because of a control character, or None if it can.

    `multiline` fields (quotes, notes, descriptions) may hold newlines and tabs; one-line fields
    (names, titles, statements) may hold tabs only.
    """
    if not (_MULTILINE_PROBLEM if multiline else _ONE_LINE_PROBLEM).search(text):
        return None  # the common case: one scan in C instead of a Python loop over every character
    allowed = "\n\t" if multiline else "\t"
    for char in text:
        if char == "\n" and not multiline:
            return "holds a newline; this field is one line"
        if is_control(char) and char not in allowed:
            return (
                f"holds the control character {code_point(char)}; "
                "control characters can rewrite a terminal and are not text"
            )
    return None


def is_blank(text: str) -> bool:
    """Does `text` draw nothing: only whitespace and invisible characters (and at least one of
    the latter, since plain emptiness is reported as such elsewhere)?"""
    if text.isascii():
        return False  # every invisible character is outside ASCII
    return all(c.isspace() or is_invisible(c) for c in text) and any(is_invisible(c) for c in text)


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def visible(text: str) -> str:
    """`text` with every control character (but newline and tab) and every invisible character
    written as <U+XXXX>, so a terminal shows what is there and obeys nothing. A zero-width joiner
    or non-joiner between two letters, marks or symbols (emoji) is kept: it shapes them."""
    if text.isascii() and not _CONTROL.search(text.replace("\n", "").replace("\t", "")):
        return text  # the common case, at the cost of two scans
    out: list[str] = []
    for index, char in enumerate(text):
        if char in "\n\t" or not (is_control(char) or is_invisible(char)):
            out.append(char)
        elif char in _JOINERS and _joins(text, index):
            out.append(char)
        else:
            out.append(f"<{code_point(char)}>")
    return "".join(out)


def _joins(text: str, index: int) -> bool:
    """Is the joiner at `index` between two letters, marks or symbols (emoji), where it shapes them?"""
    before, after = text[index - 1 : index] if index else "", text[index + 1 : index + 2]
    return bool(before and after) and {unicodedata.category(before), unicodedata.category(after)} <= _JOINABLE


_JOINABLE = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "So", "Sk"})


_JSON_ESCAPED = re.compile(r"[\x7f-\x9f\u2028\u2029]|[^\x00-\x7f]")


def json_safe(text: str) -> str:
    """JSON text with DEL, the C1 controls, the line and paragraph separators and every invisible
    character written as \\uXXXX escapes (json.dumps escapes only C0 with ensure_ascii off): the
    same JSON value, safe to print to a terminal."""
    return _JSON_ESCAPED.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char.isascii() and not is_control(char):
        return char
    if not (is_control(char) or is_invisible(char) or char in "\u2028\u2029"):
        return char
    if ord(char) > 0xFFFF:  # a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
        high, low = divmod(ord(char) - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
    return f"\\u{ord(char):04x}"
