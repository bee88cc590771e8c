"""Read one seed file safely into plain data, remembering the line of every value.

PyYAML's loaders would accept things a curator never means: a repeated key silently keeps the last
value, and anchors/aliases let a few lines expand into gigabytes ("billion laughs"). So we take
only the C parser's *events* (no node tree is composed) and build plain Python values from them
ourselves, iteratively, refusing duplicate keys, aliases, tags and absurd nesting, recording the
line of every mapping key and list item and where an unquoted ' #' cut a value short. JSON seed
files get the same refusals through `json.loads`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from claimsdb.errors import SeedIssue
from claimsdb.seeds.syntax import quote_it, syntax_issue

MAX_SEED_BYTES = 5 * 1024 * 1024
"""A seed file larger than this is refused; split it (one file per document is the convention)."""
MAX_DEPTH = 32
"""Nesting deeper than this is refused; the seed format needs at most about eight levels."""

Loc = tuple[str | int, ...]

try:  # the C loader is ten times faster; fall back only where libyaml is missing
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class ParsedFile:
    """A seed file's data, the line of each location in it, and its bytes' sha256.

    `cut` holds the (line, column) of the '#' after each unquoted value that a comment follows on its
    line: YAML ends such a value at ' #', which cuts a quote like 'ranked #1' short without an error.
    """

    path: str
    data: Any
    lines: dict[Loc, int]
    sha256: str
    cut: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    fingerprint: str | None = None
    """files.file_fingerprint of the file as it was opened to be read (None: parsed from bytes)."""

    def line_of(self, loc: Loc) -> int | None:
        """The line of the deepest located prefix of `loc` (pydantic locs may go past our map)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


class _Refused(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def too_large(size: int, label: str) -> SeedIssue | None:
    if size <= MAX_SEED_BYTES:
        return None
    return SeedIssue(
        label,
        None,
        f"the file is {size / 2**20:.1f} MiB, over the {MAX_SEED_BYTES // 2**20} MiB limit for a seed file; split it",
    )


def seed_text(raw: bytes, label: str) -> tuple[str | None, SeedIssue | None]:
    """A seed file's text: within the size limit, strict UTF-8, no BOM."""
    issue = too_large(len(raw), label)
    return (None, issue) if issue else decode_text(raw, label)


def decode_text(raw: bytes, label: str) -> tuple[str | None, SeedIssue | None]:
    """Strict UTF-8 without a BOM, or an issue naming the line of the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, SeedIssue(
            label, 1, "the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 without BOM"
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, SeedIssue(
            label,
            line,
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; save the file as UTF-8 (Unicode)",
        )


def parse_seed_file(
    raw: bytes, label: str, sha256: str, fingerprint: str | None = None
) -> tuple[ParsedFile | None, list[SeedIssue]]:
    """Parse `raw` (the bytes of the file named `label`) or say everything wrong with it."""
    text, issue = seed_text(raw, label)
    if issue:
        return None, [issue]
    assert text is not None
    try:
        data, lines, cut = _build(text)
    except _Refused as exc:
        return None, [SeedIssue(label, exc.line, exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [syntax_issue(exc, text, label, _Loader)]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return None, [
            SeedIssue(
                label, line, f"this is not valid YAML: unacceptable character #x{code:04x}: {exc.reason}; remove it"
            )
        ]
    except yaml.YAMLError as exc:
        return None, [SeedIssue(label, None, f"this is not valid YAML: {exc}")]
    if data is None:
        return ParsedFile(label, {}, {(): 1}, sha256, fingerprint=fingerprint), []
    if not isinstance(data, dict):
        return None, [
            SeedIssue(label, lines.get(()), "a seed file must be a mapping of sections (document, claims, ...)")
        ]
    return ParsedFile(label, data, lines, sha256, cut, fingerprint), []


def parse_json_seed_file(
    raw: bytes, label: str, sha256: str, fingerprint: str | None = None
) -> tuple[ParsedFile | None, list[SeedIssue]]:
    """A machine-made seed file in JSON: the same checks as YAML, without line numbers inside it."""
    text, issue = seed_text(raw, label)
    if issue:
        return None, [issue]
    try:
        data = json.loads(text or "", object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        return None, [SeedIssue(label, exc.lineno, f"this is not valid JSON: {exc.msg} (column {exc.colno})")]
    except _Refused as exc:
        return None, [SeedIssue(label, None, exc.message)]
    except RecursionError:
        return None, [
            SeedIssue(label, None, f"nesting is deeper than {MAX_DEPTH} levels; the seed format never needs that")
        ]
    if _depth(data) > MAX_DEPTH:
        return None, [
            SeedIssue(label, None, f"nesting is deeper than {MAX_DEPTH} levels; the seed format never needs that")
        ]
    if not isinstance(data, dict):
        return None, [SeedIssue(label, 1, "a seed file must be an object of sections (document, claims, ...)")]
    return ParsedFile(label, data, {}, sha256, fingerprint=fingerprint), []  # JSON has no positions: issues name paths


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(None, f"the key {key!r} appears twice in one object; keep one")
        result[key] = value
    return result


def _depth(value: Any) -> int:
    """Nesting depth, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


_COMMENT = re.compile(r"[ \t]+#")
_STR, _INT, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:null"
_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()
_IMPLICIT_FIRSTS = frozenset(first for first in _resolver.yaml_implicit_resolvers if first)
"""First characters of plain scalars that may be something other than text (true, 12, ~, 2020-01-01)."""
_NO_WILDCARD = None not in _resolver.yaml_implicit_resolvers and not _resolver.yaml_path_resolvers
_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Frame:
    """A mapping or list being built, with the key awaiting its value."""

    __slots__ = ("value", "loc", "key")

    def __init__(self, value: dict[str, Any] | list[Any], loc: Loc) -> None:
        self.value = value
        self.loc = loc
        self.key: str | None = None


def _build(text: str) -> tuple[Any, dict[Loc, int], dict[Loc, tuple[int, int]]]:
    """Plain values from the parser's event stream, iteratively: no recursion, so no depth crash.

    The loop takes the common events itself (a key, a value in a mapping or a list, the end of
    one) and leaves the rest to helpers: a function call per scalar was a third of its time, with
    over a million scalars in a cold load at 50,000 claims.
    """
    lines: dict[Loc, int] = {}
    cut: dict[Loc, tuple[int, int]] = {}
    commented = "#" in text  # most machine-made files have no comments: skip the look at each value
    stack: list[_Frame] = []
    result: Any = None
    documents = 0
    loader = _Loader(text)
    try:
        next_event = loader.get_event  # asked for directly: a third faster than yaml.parse's generator
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is _ScalarEvent and not event.anchor and stack:  # most events: a key or a value
                top = stack[-1]
                container = top.value
                if type(container) is dict and top.key is None:
                    key = event.value
                    if event.tag is not None or key in container or key == "<<":
                        _check_key(top, event, lines)  # raises, unless the tag is `!!str` or `!`, or '<<' quoted
                    lines[(*top.loc, key)] = event.start_mark.line + 1
                    top.key = key
                    continue
                if len(stack) > MAX_DEPTH:
                    raise _Refused(event.start_mark.line + 1, _TOO_DEEP)
                style = event.style
                if commented and not style and text[event.end_mark.index : event.end_mark.index + 1] in _BLANKS:
                    _look_for_cut(text, event, stack, cut)
                value = event.value  # quoted and block scalars are text, and so are plain words no type starts with
                if event.tag is not None or not (
                    style or (value and value[0] not in _IMPLICIT_FIRSTS and event.implicit[0] and _NO_WILDCARD)
                ):
                    value = _scalar(event, event.start_mark.line + 1)  # 12, true, ~, 2020-01-01, tags
                if type(container) is dict:
                    container[top.key] = value
                    top.key = None
                else:
                    lines[(*top.loc, len(container))] = event.start_mark.line + 1
                    container.append(value)
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                stack.pop()
            else:
                documents, result = _other_event(event, stack, lines, documents, result, text, cut)
    finally:
        loader.dispose()
    return result, lines, cut


_ScalarEvent, _MappingEndEvent, _SequenceEndEvent = yaml.ScalarEvent, yaml.MappingEndEvent, yaml.SequenceEndEvent
_TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels; the seed format never needs that"
_BLANKS = (" ", "\t")


def _other_event(
    event: Any, stack: list[_Frame], lines: dict[Loc, int], documents: int, result: Any, text: str,
    cut: dict[Loc, tuple[int, int]],
) -> tuple[int, Any]:  # fmt: skip
    """Any event _build does not take itself (the start of a mapping or list, a document, an anchor,
    a scalar that is the whole file); returns (documents, result)."""
    line = event.start_mark.line + 1
    if isinstance(event, yaml.DocumentStartEvent):
        if documents >= 1:
            raise _Refused(
                line,
                "this is not valid YAML: expected a single document, found another after '---'; remove the separator",
            )
        return documents + 1, result
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        raise _Refused(
            line,
            "YAML anchors and aliases (& and *) are not allowed in seed files; write the value out, and put a "
            "text that starts with & or * in single quotes",
        )
    if isinstance(event, yaml.ScalarEvent):  # the whole file is one value
        if "#" in text and not event.style:
            _look_for_cut(text, event, stack, cut)
        return documents, _place(stack, _scalar(event, line), line, lines, result)
    if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
        if event.tag not in _COLLECTION_TAGS:
            raise _Refused(line, f"the YAML type {event.tag} is not allowed in seed files")
        if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
            raise _Refused(line, "keys must be plain words, not lists or mappings")
        if len(stack) > MAX_DEPTH:
            raise _Refused(line, _TOO_DEEP)
        container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        loc = _child_loc(stack)
        result = _place(stack, container, line, lines, result)
        stack.append(_Frame(container, loc))
    return documents, result


def _child_loc(stack: list[_Frame]) -> Loc:
    if not stack:
        return ()
    parent = stack[-1]
    if isinstance(parent.value, dict):
        return (*parent.loc, parent.key or "")
    return (*parent.loc, len(parent.value))


def _place(stack: list[_Frame], value: Any, line: int, lines: dict[Loc, int], result: Any) -> Any:
    if not stack:
        lines[()] = line
        return value
    parent = stack[-1]
    if isinstance(parent.value, dict):
        assert parent.key is not None
        parent.value[parent.key] = value
        parent.key = None
    else:
        lines.setdefault((*parent.loc, len(parent.value)), line)
        parent.value.append(value)
    return result


def _check_key(frame: _Frame, event: yaml.ScalarEvent, lines: dict[Loc, int]) -> None:
    """Raise if this key may not be taken. Keys are the words as written (`no:` and `on:` stay words,
    never become booleans), once each in a mapping, with no tag but `!!str` and no merge key."""
    line = event.start_mark.line + 1
    if event.tag not in (None, "!", _STR):
        raise _Refused(line, "keys must be plain words (no tags or merge keys)")
    key = event.value
    if key == "<<" and not event.style:  # plain: the C parser's style for it is '', the Python one's None
        raise _Refused(line, "YAML merge keys (<<) are not allowed in seed files; write the values out")
    if key in frame.value:
        first = lines[(*frame.loc, key)]
        raise _Refused(line, f"the key {key!r} appears twice in this mapping (first on line {first}); keep one")


def _look_for_cut(text: str, event: yaml.ScalarEvent, stack: list[_Frame], cut: dict[Loc, tuple[int, int]]) -> None:
    """Record where an unquoted ' #' after this plain value ended it (ParsedFile.cut)."""
    end = event.end_mark
    if text[end.index : end.index + 1] in _BLANKS and (comment := _COMMENT.match(text, end.index)):
        cut[_child_loc(stack)] = (end.line + 1, end.column + comment.end() - end.index)


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    tag = event.tag
    if tag in (None, "!"):
        if event.style in ("'", '"', "|", ">"):
            return event.value  # quoted and block scalars are text
        value = event.value
        if value and value[0] not in _IMPLICIT_FIRSTS and event.implicit[0] and _NO_WILDCARD:
            return value  # no implicit type starts with this character: text, as the resolver would say
        tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)
    # the common cases directly; the rest (bools, floats, dates) through PyYAML's constructor
    if tag == _STR:
        return event.value
    if tag == _NULL:
        return None
    if tag == _INT and event.value.isdigit() and (event.value[0] != "0" or event.value == "0"):  # 0123 is octal
        return int(event.value)
    if tag not in _SCALAR_TAGS:
        hint = "; " + quote_it("!", f"'{tag} ...'") if tag.startswith("!") else ""  # `!important` is a tag to YAML
        raise _Refused(line, f"the YAML type {tag} is not allowed in seed files{hint}")
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, IndexError, AttributeError, OverflowError):
        kind = {"timestamp": "date (YYYY-MM-DD)", "int": "whole number", "float": "number"}.get(
            tag.rsplit(":", 1)[1], tag
        )
        raise _Refused(
            line, f"cannot read this value: {event.value!r} is not a valid {kind}; quote it if it is text"
        ) from None
