"""Why YAML refused a seed file, in words that lead a curator new to YAML to the fix.

libyaml says what the parser saw ("mapping values are not allowed in this context", "did not find
expected key"), not what the curator did. The usual causes are few: a value with ': ' in it, a value
that starts with a quote or another character YAML reserves, a quote never closed, a tab, a line
indented off its neighbours. When a refusal looks like one of them, the message gains a hint that
says what to change, and the line and column point at the spot the hint talks about.
"""

from __future__ import annotations

from typing import Any

import yaml

from claimsdb.errors import SeedIssue

TAB_HINT = "YAML indents with spaces, never tabs: replace the tabs"

RESERVED = {
    "[": "starts a list", "{": "starts a mapping", "*": "marks an alias", "&": "marks an anchor",
    "!": "marks a tag", "%": "marks a directive", "|": "starts a block of text on the lines below",
    ">": "starts a block of text on the lines below", "@": "is reserved", "`": "is reserved",
}  # fmt: skip
"""What each character means to YAML at the start of a value; such a value, if text, needs quotes."""

_OFF_INDENT = ("did not find expected key", "did not find expected '-' indicator", "expected <block end>")
"""libyaml's and PyYAML's words for a line that belongs to no mapping or list around it."""


def syntax_issue(exc: yaml.MarkedYAMLError, text: str, label: str, loader: type) -> SeedIssue:
    """`file:line:column: this is not valid YAML: <the parser's words>; <what to change>`."""
    problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    mark, hint = _diagnose(exc, text, loader)
    line, column = _position(mark, text)
    return SeedIssue(label, line, f"this is not valid YAML: {problem}{'; ' + hint if hint else ''}", column)


def quote_it(first: str, example: str) -> str:
    """The hint for a value that YAML reads as something else because of its first character."""
    return (
        f"{first!r} at the start of a value {RESERVED[first]}; if the value is text, quote it: "
        f"put it in single quotes, e.g. {example}"
    )


def _diagnose(exc: yaml.MarkedYAMLError, text: str, loader: type) -> tuple[Any, str]:
    """The mark to send the curator to and, when the cause is a common one, how to fix it."""
    problem, context = str(exc.problem or ""), str(exc.context or "")
    here, opened = exc.problem_mark, exc.context_mark
    # where an unfinished key or bracket began, not where the parser gave up (often the next line)
    mark = (
        opened
        if opened and context.startswith(("while scanning a simple key", "while parsing a flow"))
        else here or opened
    )
    if mark is None:
        return None, ""
    if any("\t" in _indent(row) for row in text.splitlines()[max(0, mark.line - 1) : mark.line + 1]):
        return mark, TAB_HINT
    if context.endswith("a quoted scalar") and opened is not None:
        if "escape" in problem:
            return here, "inside double quotes a backslash starts an escape: put the value in single quotes instead"
        quote = text[opened.index : opened.index + 1] or "'"
        return opened, f"the {quote} that opens this value is never closed: end the value with {quote}" + (
            " and write each ' inside it twice ('')" if quote == "'" else ""
        )
    if here is None:
        return mark, ""
    tokens = _tokens_before(text, here.index, loader)
    key, at = _value_before(tokens)
    value = tokens[at] if at is not None and at < len(tokens) else None
    written = f"{key}: " if key else "- "
    example = f"{written}'...'"
    if isinstance(value, yaml.ScalarToken) and value.style in ("'", '"') and value.end_mark.line == here.line:
        quote = value.style
        if value.start_mark.line == here.line:
            return here, (
                f"this value starts with {quote}, so YAML ends it at the next {quote} and cannot read the rest of "
                "the line; "
                "quote the whole value: put it in single quotes and write each ' inside it twice, e.g. "
                f"{written}'it''s said'"
            )
        return value.start_mark, (
            f"the {quote} that opens this value is closed only on line {here.line + 1}, by the next {quote}: "
            "end the value with a quote where it ends, and inside single quotes write each ' twice ('')"
        )
    start = value.start_mark if value is not None else opened or here
    first = text[start.index : start.index + 1]
    after_indicator = at is not None and tokens[at - 1].end_mark.line == start.line == here.line  # `key: x`, `- x`
    if after_indicator and first in RESERVED and not context.startswith("while parsing a flow"):
        if value is None or isinstance(value, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
            return start, quote_it(first, example)
    if "mapping values are not allowed" in problem and isinstance(value, yaml.ScalarToken):
        if value.start_mark.line == here.line:
            return here, f"a value that contains ': ' must be quoted: put it in single quotes, e.g. {example}"
        owner = f"'{key}'" if key else "the list item"
        return here, (
            f"YAML reads this line as more of the value of {owner} on line {value.start_mark.line + 1}, because it is "
            f"indented deeper than {owner}: indent a new key exactly like {owner}; if the line is part of the value, "
            "quote the whole value in single quotes"
        )
    if problem.startswith(_OFF_INDENT) and not text[here.index - here.column : here.index].strip():
        above = _key_above(tokens, here.line)
        if above is not None and above.start_mark.column != here.column:
            return here, (
                f"this line starts at column {here.column + 1}, the key '{above.value}' above it (line "
                f"{above.start_mark.line + 1}) at column {above.start_mark.column + 1}: keys of one mapping start in "
                "the same column; indent with spaces to line up with the keys this one belongs with"
            )
    if "could not find expected ':'" in problem:
        return mark, "write each key with a colon and a space before its value, e.g. title: A report"
    return mark, ""


def _indent(row: str) -> str:
    return row[: len(row) - len(row.lstrip())]


def _position(mark: Any, text: str) -> tuple[int | None, int | None]:
    """Line and column from 1, in characters; a mark past the last line (a file cut short) is put
    at the end of the last line, so the place exists in the file."""
    if mark is None:
        return None, None
    lines = text.splitlines()
    if mark.line < len(lines):
        return mark.line + 1, mark.column + 1
    return max(1, len(lines)), len(lines[-1]) + 1 if lines else 1


def _tokens_before(text: str, index: int, loader: type) -> list[Any]:
    """The tokens the scanner read before `index`, the point where the parser gave up."""
    scanner = loader(text)
    tokens: list[Any] = []
    try:
        while (token := scanner.get_token()) is not None and token.start_mark.index < index:
            tokens.append(token)
    except yaml.YAMLError:
        pass  # the scanner itself gave up there
    finally:
        scanner.dispose()
    return tokens


def _value_before(tokens: list[Any]) -> tuple[str | None, int | None]:
    """The key whose value YAML was reading last (None in a list) and the index of that value's
    first token (len(tokens) if the scanner failed on it); (None, None) outside any value."""
    depth, found = 0, None
    for index, token in enumerate(tokens):
        if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
            depth += 1
        elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
            depth -= 1
        elif depth == 0 and isinstance(token, yaml.ValueToken | yaml.BlockEntryToken):
            found = index
    if found is None:
        return None, None
    before = tokens[found - 1] if found and isinstance(tokens[found], yaml.ValueToken) else None
    return (before.value if isinstance(before, yaml.ScalarToken) else None), found + 1


def _key_above(tokens: list[Any], line: int) -> Any:
    """The last key token written on a line before `line`."""
    for previous, token in zip(reversed(tokens[:-1]), reversed(tokens[1:]), strict=True):
        if isinstance(previous, yaml.KeyToken) and isinstance(token, yaml.ScalarToken) and token.start_mark.line < line:
            return token
    return None
