"""Read one seed file: parse it and validate it against the seed models.

What the file means (its document, quotes, references) is worked out in `resolve.py`; this module
deals with the file system and with turning pydantic's errors into `file:line: where: what to do`
issues. Items that fail validation are dropped and the rest kept, so one run reports everything.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from claimsdb.errors import SeedIssue, dotted
from claimsdb.rules import CLOSE_TO_A_FIELD, closest
from claimsdb.seeds import schema
from claimsdb.seeds.files import READ_FLAGS, RealPaths, fingerprint_of, read_at_most, stored_path
from claimsdb.seeds.parse import (
    MAX_SEED_BYTES,
    Loc,
    ParsedFile,
    parse_json_seed_file,
    parse_seed_file,
    too_large,
)


@dataclass(frozen=True)
class SeedFileInput:
    """One parsed seed file's valid content, ready for the cross-file checks.

    When some items of a file are invalid, `content` holds the rest (so one run reports every
    problem) and `broken_ids` the ids of the dropped items (so references to them are not
    reported a second time as unknown).
    """

    parsed: ParsedFile
    content: schema.SeedFile
    stored_path: str  # how the database names this file: "<seeds dir name>/<relative path>"
    broken_ids: frozenset[str] = frozenset()
    kept: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """For sections whose broken items were dropped: the original index of each item kept."""

    def original_index(self, section: str, index: int) -> int:
        """Where an item sat in the file before broken ones were dropped, so lines stay right."""
        kept = self.kept.get(section)
        return kept[index] if kept is not None else index


def read_seed_file(
    root: Path, path: Path, real: RealPaths | None = None
) -> tuple[SeedFileInput | None, list[SeedIssue]]:
    """One seed file, parsed and validated on its own (cross-file checks come later).

    `real` finds where files really are (a link may lead outside the seeds folder); a caller
    reading many files hands in one for them all."""
    if not (real or RealPaths(root)).inside(path) and path.exists():
        return None, [
            SeedIssue(str(path), None, "this file is a link to a place outside the seeds directory; copy it in instead")
        ]
    parsed, issues = parse_file(path)
    return _validated(root, path, parsed, issues)


def parse_file(path: Path) -> tuple[ParsedFile | None, list[SeedIssue]]:
    """Read and parse one file into plain data with its line map (YAML or JSON by suffix).

    The file is opened once, and its size and fingerprint (files.fingerprint_of) are taken from
    the open file before it is read: the fingerprint is of the very bytes parsed."""
    label = str(path)
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError as exc:
        if exc.errno in _MISSING:
            return None, [
                SeedIssue(
                    label, None, "this is a link to a file that does not exist; remove the link or restore its target"
                )
            ]
        return None, [SeedIssue(label, None, f"cannot read this file: {exc.strerror}")]
    try:
        stat = os.fstat(descriptor)
        if not S_ISREG(stat.st_mode):
            return None, [SeedIssue(label, None, "this is not a plain file (a pipe or a device?); remove it")]
        oversized = too_large(stat.st_size, label)  # before reading it into memory
        raw = b"" if oversized else read_at_most(descriptor, stat.st_size, MAX_SEED_BYTES + 1)
    except OSError as exc:
        return None, [SeedIssue(label, None, f"cannot read this file: {exc.strerror}")]
    finally:
        os.close(descriptor)
    if oversized:
        return None, [oversized]
    parse = parse_json_seed_file if path.suffix == ".json" else parse_seed_file
    return parse(raw, label, hashlib.sha256(raw).hexdigest(), fingerprint_of(stat))  # parse refuses one grown too large


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)
"""What opening a link whose target is not there raises (Path.exists says False to these)."""


def _validated(
    root: Path, path: Path, parsed: ParsedFile | None, issues: list[SeedIssue]
) -> tuple[SeedFileInput | None, list[SeedIssue]]:
    if parsed is None:
        return None, issues
    content, broken, kept, issues = validate_salvaging(parsed)
    issues += cut_values(parsed)
    if content is None:
        return None, issues
    parsed = replace(parsed, data=None)  # validated into `content`; only the line map is still needed
    return SeedFileInput(parsed, content, stored_path(root, path), broken, kept), issues


_LIST_SECTIONS = ("organisations", "places", "sources", "assessments", "claims")


Salvaged = tuple[schema.SeedFile | None, frozenset[str], dict[str, tuple[int, ...]], list[SeedIssue]]


def validate_salvaging(parsed: ParsedFile) -> Salvaged:
    """Validate a file; on errors, drop the broken items and validate what is left."""
    try:
        return schema.SeedFile.model_validate(parsed.data), frozenset(), {}, []
    except ValidationError as exc:
        issues = validation_issues(exc, parsed)
        errors = exc.errors(include_url=False)
    data = dict(parsed.data)
    broken: set[str] = set()
    kept: dict[str, tuple[int, ...]] = {}
    for section in _LIST_SECTIONS:
        items = data.get(section)
        if not isinstance(items, list):
            data.pop(section, None)
            continue
        bad = {e["loc"][1] for e in errors if len(e["loc"]) > 1 and e["loc"][0] == section}
        for index in bad:
            item = items[index] if isinstance(index, int) and index < len(items) else None
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
        kept[section] = tuple(index for index in range(len(items)) if index not in bad)
        data[section] = [items[index] for index in kept[section]]
    for section in ("vocabularies", "document"):
        if any(e["loc"][:1] == (section,) for e in errors):
            item = data.pop(section, None)
            if section == "document" and isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
    if "document" not in data:
        for item in data.pop("claims", None) or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
    data = {key: value for key, value in data.items() if key in schema.SeedFile.model_fields}
    try:
        return schema.SeedFile.model_validate(data), frozenset(broken), kept, issues
    except ValidationError:
        return None, frozenset(broken), kept, issues


PROSE_FIELDS = ("statement", "quote", "quote_prefix", "note")
"""Claim fields of running text, where a ' #' is far likelier to be words than a comment."""


def cut_values(parsed: ParsedFile) -> list[SeedIssue]:
    """Claims whose text YAML cut at ' #'. Not a YAML error, and a cut quote is still found in the
    document (its first words are), so without this a quote would be shortened without a word."""
    return [
        SeedIssue(
            parsed.path,
            line,
            f"{dotted(loc)}: the value was cut at ' #', which YAML reads as the start of a comment; quote the "
            f"value: put it in single quotes, e.g. {loc[-1]}: '...' (a comment goes on a line of its own)",
            column,
        )  # fmt: skip
        for loc, (line, column) in parsed.cut.items()
        if len(loc) == 3 and loc[0] == "claims" and loc[2] in PROSE_FIELDS
    ]


# --- pydantic errors as curator-friendly issues -------------------------------------------------

_CLAIM_TYPES = set(schema.CLAIM_TYPES)


def fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The fields a curator may write at `loc` (pydantic's loc, where a claim's type is a step).

    Read from the seed models, so a typo is only ever matched to a field valid in that very place (a
    claim's `value` of its type, a date, the document), and a field added to a model is offered
    without a change here.
    """
    annotation: Any = schema.SeedFile
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue  # a validator's name, not a place in the file
        annotation = _inside(annotation, part)
    return sorted({name for model in _models(annotation) for name in model.model_fields})


def _inside(annotation: Any, part: str | int) -> Any:
    """What sits at `part` in a value of this type: the union member a tag picks, a field, an item."""
    models = _models(annotation)
    for model in models if len(models) > 1 else ():  # a discriminated union: the tag names the member
        tags = [get_args(f.annotation) for f in model.model_fields.values() if get_origin(f.annotation) is Literal]
        if any(part in tag for tag in tags):
            return model
    for model in models:
        if isinstance(part, str) and part in model.model_fields:
            return model.model_fields[part].annotation
    for member in _members(annotation):
        if get_origin(member) in (tuple, list, dict):
            return get_args(member)[-1 if get_origin(member) is dict else 0]
    return None


def _members(annotation: Any) -> list[Any]:
    """The types a value may have: Annotated unwrapped, unions (X | None) split."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    """Drop pydantic's discriminator tags and validator names so locs match the YAML."""
    cleaned: list[str | int] = []
    for index, part in enumerate(loc):
        after_claim = index >= 2 and loc[index - 2] == "claims" and isinstance(loc[index - 1], int)
        if after_claim and part in _CLAIM_TYPES:
            continue
        if index >= 1 and loc[index - 1] == "claimant" and part in schema.CLAIMANT_TAGS:
            continue  # an id or a described claimant: the form is plain from the YAML
        if isinstance(part, str) and (part.startswith("function-") or part in {"int", "str", "list[...]"}):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _located(loc: Loc, parsed: ParsedFile) -> Loc:
    """The deepest part of `loc` that the file has: `published: '2021-02-30'` has no `date` key."""
    for end in range(len(loc), 0, -1):
        if tuple(loc[:end]) in parsed.lines:
            return tuple(loc[:end])
    return loc


def validation_issues(exc: ValidationError, parsed: ParsedFile) -> list[SeedIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = _clean_loc(error["loc"])
        if error["type"] != "missing":
            loc = _located(loc, parsed)  # a bad value is named where it is written
        issues.append(SeedIssue(parsed.path, parsed.line_of(loc), f"{dotted(loc)}: {_message(error, loc)}"))
    return issues


def _message(error: Any, loc: Loc) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        fields = fields_at(error["loc"][:-1])
        close = closest(name, fields, CLOSE_TO_A_FIELD, most=1)
        if close:
            return f"unknown field {name!r}; did you mean {close[0]!r}?"
        allowed = (
            f"write one of the fields allowed here: {', '.join(fields)}" if fields else "see README 'Writing seeds'"
        )
        return f"unknown field {name!r}; remove it, or {allowed}"
    if kind == "union_tag_not_found":
        return f"missing `type`; one of {', '.join(schema.CLAIM_TYPES)}"
    if kind == "union_tag_invalid":
        return f"unknown claim type {error['input'].get('type')!r}; one of {', '.join(schema.CLAIM_TYPES)}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("tuple_type", "list_type"):
        return "Input should be a valid list: write one `- item` per line, or [a, b]"
    if kind == "string_pattern_mismatch":
        wanted = _PATTERN_WORDS.get(error.get("ctx", {}).get("pattern", ""), _AN_ID)
        return f"{error['input']!r} is not {wanted}"
    return message.removeprefix("Value error, ")


_AN_ID = "a valid id: use lower-case letters, digits, '-' and '_' (at most 120)"
_PATTERN_WORDS = {
    schema.WIKIDATA_PATTERN: "a Wikidata id: Q and digits, as in Q423",
    schema.ISO_3166_2_PATTERN: "an ISO 3166-2 code: two capital letters, '-' and up to three more, as in KP-01",
    schema.SHA256_PATTERN: "a sha256: 64 lower-case hex digits (`sha256sum FILE` prints it)",
}
"""What a value that does not match each pattern of seeds.schema should be (otherwise: an id)."""
