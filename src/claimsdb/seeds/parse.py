"""Read one seed file safely into plain data, remembering the line of every value.

PyYAML's loaders would accept things a curator never means: a repeated key silently keeps the last
value, and anchors/aliases let a few lines expand into gigabytes ("billion laughs"). So we only let
the C parser *compose* a node tree, then build plain Python values ourselves, refusing duplicate
keys, aliases and absurd nesting, and recording the line of every mapping key and list item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from claimsdb.errors import SeedIssue

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
    """A seed file's data, the line of each location in it, and its bytes' sha256."""

    path: str
    data: Any
    lines: dict[Loc, int]
    sha256: str

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
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; "
            "save the file as UTF-8 (Unicode)",
        )


def parse_seed_file(raw: bytes, label: str, sha256: str) -> tuple[ParsedFile | None, list[SeedIssue]]:
    """Parse `raw` (the bytes of the file named `label`) or say everything wrong with it."""
    if len(raw) > MAX_SEED_BYTES:
        message = f"the file is {len(raw) / 2**20:.1f} MiB, over the {MAX_SEED_BYTES // 2**20} MiB limit for a seed file; split it"
        return None, [SeedIssue(label, None, message)]
    text, issue = decode_text(raw, label)
    if issue:
        return None, [issue]
    assert text is not None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = "; YAML indents with spaces, never tabs" if "\t" in text and "tab" in problem.lower() else ""
        return None, [SeedIssue(label, line, f"this is not valid YAML: {problem}{hint}")]
    except yaml.YAMLError as exc:
        return None, [SeedIssue(label, None, f"this is not valid YAML: {exc}")]
    if node is None:
        return ParsedFile(label, {}, {(): 1}, sha256), []
    lines: dict[Loc, int] = {}
    try:
        data = _build(node, (), lines, set(), 0)
    except _Refused as exc:
        return None, [SeedIssue(label, exc.line, exc.message)]
    if not isinstance(data, dict):
        return None, [SeedIssue(label, node.start_mark.line + 1, "a seed file must be a mapping of sections (document, claims, ...)")]
    return ParsedFile(label, data, lines, sha256), []


_constructor = yaml.constructor.SafeConstructor()


def _build(node: yaml.Node, loc: Loc, lines: dict[Loc, int], seen: set[int], depth: int) -> Any:
    line = node.start_mark.line + 1
    lines.setdefault(loc, line)
    if depth > MAX_DEPTH:
        raise _Refused(line, f"nesting is deeper than {MAX_DEPTH} levels; the seed format never needs that")
    if id(node) in seen:
        raise _Refused(line, "YAML anchors and aliases (& and *) are not allowed in seed files; write the value out")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, line)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, index), lines, seen, depth + 1) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, loc, lines, seen, depth)
    raise _Refused(line, f"unsupported YAML node {type(node).__name__}")  # pragma: no cover


def _scalar(node: yaml.ScalarNode, line: int) -> Any:
    if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {"binary", "set", "omap", "pairs"}:
        raise _Refused(line, f"the YAML type {node.tag} is not allowed in seed files")
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise _Refused(line, f"cannot read this value: {getattr(exc, 'problem', exc)}") from None


def _mapping(node: yaml.MappingNode, loc: Loc, lines: dict[Loc, int], seen: set[int], depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            raise _Refused(key_line, "keys must be plain words (no merge keys, lists or mappings as keys)")
        key = str(_scalar(key_node, key_line))
        if key in result:
            first = lines[(*loc, key)]
            raise _Refused(key_line, f"the key {key!r} appears twice in this mapping (first on line {first}); keep one")
        lines[(*loc, key)] = key_line
        result[key] = _build(value_node, (*loc, key), lines, seen, depth + 1)
        lines[(*loc, key)] = key_line
    return result
