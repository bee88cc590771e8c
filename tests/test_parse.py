"""Reading one seed file safely: `parse_seed_file` directly, and the same files through `claims check`.

Every refusal names the file and the line, and the CLI reports it as `Error: ...` with exit status 1
and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimsdb.errors import SeedIssue
from claimsdb.seeds.parse import MAX_DEPTH, MAX_SEED_BYTES, ParsedFile, parse_seed_file

LABEL = "seeds/example.yaml"


def parsed(raw: bytes) -> ParsedFile:
    result, issues = parse_seed_file(raw, LABEL, "0" * 64)
    assert issues == [], issues
    assert result is not None
    return result


def refused(raw: bytes) -> SeedIssue:
    """The one issue `parse_seed_file` reports for `raw` (and no parsed file)."""
    result, issues = parse_seed_file(raw, LABEL, "0" * 64)
    assert result is None
    assert len(issues) == 1, issues
    assert issues[0].path == LABEL
    return issues[0]


def check_refuses(cli: Callable[..., Any], basic_seeds: Path, name: str, raw: bytes) -> str:
    """Add the file `name` with bytes `raw` to a copy of the basic fixture; `claims check` must refuse it."""
    (basic_seeds / name).write_bytes(raw)
    result = cli("check", basic_seeds)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: 1 problem in the seeds; nothing was written:"), result.output
    assert "Traceback" not in result.output
    return result.output


# --- malformed YAML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "line", "problem"),
    [
        (b"organisations: []\nsources: [1, 2\nclaims: []\n", 2, "did not find expected ',' or ']'"),
        (b"organisations: []\nsources: []\n  claims: []\n", 3, "did not find expected key"),
        (b"a: 1\n---\nb: 2\n", 2, "expected a single document"),
    ],
)
def test_malformed_yaml_names_the_line_of_the_problem(raw: bytes, line: int, problem: str) -> None:
    issue = refused(raw)
    assert issue.line == line
    assert issue.message.startswith("this is not valid YAML: ")
    assert problem in issue.message


def test_malformed_yaml_is_reported_by_check_with_file_and_line(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "broken.yaml", b"organisations: []\nsources: []\n  claims: []\n")
    assert f"{basic_seeds / 'broken.yaml'}:3:3: this is not valid YAML: " in output


def test_key_missing_its_colon_is_reported_on_its_own_line() -> None:
    issue = refused(b"sources:\n  - id: x\n    title A report\n    publisher: tjwg\n")
    assert "could not find expected ':'" in issue.message
    assert issue.line == 3, issue


@pytest.mark.parametrize(
    "raw",
    [b"sources: []\norganisations", b"sources:\n  - {id: x, title: [unclosed", b"sources:\n  - id: 'unclosed"],
    ids=["bare-word", "open-flow-collection", "open-quote"],
)
def test_file_cut_short_is_reported_on_a_line_it_has(raw: bytes) -> None:
    issue = refused(raw)
    assert issue.message.startswith("this is not valid YAML: ")
    assert issue.line is not None and 1 <= issue.line <= raw.count(b"\n") + 1, issue


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b"organisations:\n\t- id: x\n", 2),  # a whole block indented with a tab
        (b"document:\n  id: x\n\ttitle: y\n", 3),  # a tab after space-indented lines
    ],
    ids=["tab-indented-block", "tab-among-spaces"],
)
def test_tab_indentation_is_explained_as_tabs(raw: bytes, line: int) -> None:
    issue = refused(raw)
    assert issue.line == line
    assert "tab" in issue.message.lower(), issue.message


def test_tab_indentation_through_check(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "tabs.yaml", b"organisations:\n\t- id: x\n")
    assert f"{basic_seeds / 'tabs.yaml'}:2:1: this is not valid YAML" in output
    assert "never tabs" in output


def test_control_character_is_reported_with_its_line(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "control.yaml", b"organisations: []\n# a bell \x07 here\n")
    assert "control characters are not allowed" in output
    assert f"{basic_seeds / 'control.yaml'}:2: " in output


# --- duplicate keys, anchors and aliases ---------------------------------------------------------


def test_duplicate_key_names_the_key_and_both_lines() -> None:
    issue = refused(b"document:\n  id: a\n  title: t\n  id: b\n")
    assert issue.line == 4
    assert issue.message == "the key 'id' appears twice in this mapping (first on line 2); keep one"


def test_duplicate_top_level_section_is_refused_by_check(cli, basic_seeds: Path) -> None:
    raw = b"organisations: []\nsources: []\norganisations: []\n"
    output = check_refuses(cli, basic_seeds, "twice.yaml", raw)
    where = basic_seeds / "twice.yaml"
    assert f"{where}:3: the key 'organisations' appears twice in this mapping (first on line 1)" in output


def test_keys_that_look_alike_only_after_reading_are_distinct_words() -> None:
    """`no` and `on` are words a curator may use as term ids, not the booleans False and True."""
    assert parsed(b"no: 1\non: 2\n").data == {"no": 1, "on": 2}


def test_alias_is_refused_at_the_anchor() -> None:
    issue = refused(b"organisations: []\nname: &n TJWG\nalias: *n\n")
    assert issue.line in (2, 3)
    assert issue.message == (
        "YAML anchors and aliases (& and *) are not allowed in seed files; write the value out, "
        "and put a text that starts with & or * in single quotes"
    )


def test_merge_key_is_refused_by_name() -> None:
    issue = refused(b"document:\n  id: a\n  <<: {title: t}\n")
    assert issue.line == 3
    assert issue.message == "YAML merge keys (<<) are not allowed in seed files; write the values out"


def test_a_quoted_merge_key_is_a_word() -> None:
    assert parsed(b"document:\n  '<<': t\n").data == {"document": {"<<": "t"}}


def _alias_bomb(levels: int = 9) -> bytes:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def test_billion_laughs_fails_fast_with_the_alias_message() -> None:
    started = time.perf_counter()
    issue = refused(_alias_bomb())
    assert time.perf_counter() - started < 5
    assert "anchors and aliases" in issue.message
    assert issue.line in (1, 2)


def test_billion_laughs_through_check(cli, basic_seeds: Path) -> None:
    started = time.perf_counter()
    output = check_refuses(cli, basic_seeds, "bomb.yaml", _alias_bomb())
    assert time.perf_counter() - started < 5
    assert f"{basic_seeds / 'bomb.yaml'}:" in output
    assert "anchors and aliases (& and *) are not allowed" in output


# --- encodings -------------------------------------------------------------------------------------


def test_non_utf8_byte_names_its_line_and_asks_for_utf8() -> None:
    raw = b"organisations:\n  - id: cafe\n    name: Caf\xe9 Noir\n"
    issue = refused(raw)
    assert issue.line == 3
    assert issue.message == f"byte 0xe9 at offset {raw.index(0xE9)} is not UTF-8; save the file as UTF-8 (Unicode)"


def test_non_utf8_file_through_check(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "latin1.yaml", "sources: []\n# Pyöngyang\n".encode("latin-1"))
    assert f"{basic_seeds / 'latin1.yaml'}:2: byte 0xf6" in output
    assert "save the file as UTF-8" in output


def test_utf8_bom_is_refused_on_line_one(cli, basic_seeds: Path) -> None:
    issue = refused(b"\xef\xbb\xbforganisations: []\n")
    assert issue.line == 1
    assert "byte order mark (BOM)" in issue.message
    output = check_refuses(cli, basic_seeds, "bom.yaml", b"\xef\xbb\xbforganisations: []\n")
    assert f"{basic_seeds / 'bom.yaml'}:1: the file starts with a UTF-8 byte order mark (BOM)" in output


# --- sizes and shapes ------------------------------------------------------------------------------


def _nested(depth: int) -> bytes:
    """`a:` holding `depth` nested flow lists: the innermost list sits at nesting level `depth`."""
    return b"a: " + b"[" * depth + b"]" * depth + b"\n"


def test_nesting_up_to_max_depth_is_accepted() -> None:
    assert parsed(_nested(MAX_DEPTH)).data["a"]


def test_nesting_deeper_than_max_depth_is_refused() -> None:
    issue = refused(b"organisations: []\n" + _nested(MAX_DEPTH + 1))
    assert issue.line == 2
    assert issue.message == f"nesting is deeper than {MAX_DEPTH} levels; the seed format never needs that"


def test_deep_nesting_through_check(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "deep.yaml", b"sources:\n  - " + b"{a: " * 40 + b"1" + b"}" * 40 + b"\n")
    assert f"{basic_seeds / 'deep.yaml'}:2: nesting is deeper than {MAX_DEPTH} levels" in output


def test_very_deep_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    """100,000 open brackets (200 KB, far under the size limit) must be refused like 33 are.

    Run in a child process: a crash in the YAML composer would otherwise take pytest down with it.
    """
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "deep.yaml").write_bytes(_nested(100_000))
    child = subprocess.run(
        [sys.executable, "-m", "claimsdb", "check", str(seeds)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "250"},
    )
    assert child.returncode == 1, (child.returncode, child.stderr[-2000:])
    assert f"{seeds / 'deep.yaml'}:1: nesting is deeper than {MAX_DEPTH} levels" in child.stderr
    assert "Traceback" not in child.stderr


def test_file_over_the_size_limit_is_refused_without_reading_it() -> None:
    issue = refused(b"#" * (MAX_SEED_BYTES + 1))
    assert issue.line is None
    assert issue.message == "the file is 5.0 MiB, over the 5 MiB limit for a seed file; split it"


def test_sparse_file_over_the_size_limit_through_check(cli, basic_seeds: Path) -> None:
    big = basic_seeds / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_SEED_BYTES + 1)
    result = cli("check", basic_seeds)
    assert result.exit_code == 1
    assert f"  {big}: the file is 5.0 MiB, over the 5 MiB limit for a seed file; split it" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"# only a comment\n"], ids=["empty", "blank-lines", "comment"])
def test_empty_file_is_an_empty_mapping(raw: bytes) -> None:
    assert parsed(raw).data == {}


def test_empty_file_does_not_break_check(cli, basic_seeds: Path) -> None:
    (basic_seeds / "empty.yaml").write_bytes(b"")
    result = cli("check", basic_seeds)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


@pytest.mark.parametrize(
    ("raw", "line"),
    [(b"# organisations\n- id: tjwg\n- id: hrw\n", 2), (b"just some words\n", 1), (b"\n\n42\n", 3)],
    ids=["list", "string", "number"],
)
def test_top_level_must_be_a_mapping(raw: bytes, line: int) -> None:
    issue = refused(raw)
    assert issue.line == line
    assert issue.message == "a seed file must be a mapping of sections (document, claims, ...)"


def test_top_level_list_through_check(cli, basic_seeds: Path) -> None:
    output = check_refuses(cli, basic_seeds, "list.yaml", b"- id: tjwg\n")
    assert f"{basic_seeds / 'list.yaml'}:1: a seed file must be a mapping of sections" in output


# --- tags and values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        (b"!!binary aGVsbG8=", "binary"),
        (b"!!set {a, b}", "set"),
        (b"!!omap [a: 1, b: 2]", "omap"),
        (b"!!pairs [a: 1, a: 2]", "pairs"),
    ],
)
def test_disallowed_yaml_types_are_refused(value: bytes, tag: str) -> None:
    issue = refused(b"organisations: []\naliases: " + value + b"\n")
    assert issue.line == 2
    assert issue.message == f"the YAML type tag:yaml.org,2002:{tag} is not allowed in seed files"


def test_python_object_tag_is_refused(cli, basic_seeds: Path) -> None:
    raw = b"sources: []\nx: !!python/object:os.system echo\n"
    issue = refused(raw)
    assert issue.line == 2
    assert "tag:yaml.org,2002:python/object:os.system" in issue.message
    output = check_refuses(cli, basic_seeds, "evil.yaml", raw)
    assert f"{basic_seeds / 'evil.yaml'}:2: " in output
    assert "python/object:os.system" in output


@pytest.mark.parametrize(
    "value",
    [b"!!python/object/apply:os.system ['echo hacked']", b"!custom {a: 1}"],
    ids=["python-apply-on-a-list", "custom-tag-on-a-mapping"],
)
def test_tags_on_lists_and_mappings_are_not_silently_ignored(value: bytes) -> None:
    issue = refused(b"sources: []\nx: " + value + b"\n")
    assert issue.line == 2


@pytest.mark.parametrize(
    "value",
    [b"2021-02-30", b"!!int twelve", b"!!float", b"!!timestamp yesterday"],
    ids=["impossible-date", "bad-int", "empty-float", "bad-timestamp"],
)
def test_a_value_yaml_cannot_construct_is_an_issue_on_its_line(value: bytes) -> None:
    issue = refused(b"sources:\n  - id: s\n    published: " + value + b"\n")
    assert issue.line == 3
    assert issue.message.startswith("cannot read this value")


# --- where each value was written -------------------------------------------------------------------------

NESTED = b"""\
document:
  id: doc
  reports_on:
    - first
    - second
claims:
  - id: c1
    value:
      quantity: {exact: 3, phrase: three}
  - id: c2
    statement: >-
      folded text
      over lines
"""


def test_line_of_gives_the_line_of_nested_keys_and_items() -> None:
    result = parsed(NESTED)
    assert result.line_of(()) == 1
    assert result.line_of(("document",)) == 1
    assert result.line_of(("document", "id")) == 2
    assert result.line_of(("document", "reports_on", 1)) == 5
    assert result.line_of(("claims",)) == 6
    assert result.line_of(("claims", 0)) == 7
    assert result.line_of(("claims", 0, "value", "quantity")) == 9
    assert result.line_of(("claims", 0, "value", "quantity", "phrase")) == 9
    assert result.line_of(("claims", 1, "statement")) == 11


def test_line_of_a_location_past_the_data_is_its_deepest_known_prefix() -> None:
    result = parsed(NESTED)
    assert result.line_of(("claims", 1, "type")) == 10  # missing field: the claim's own line
    assert result.line_of(("claims", 0, "value", "quantity", "exact", "int")) == 9
    assert result.line_of(("nowhere", 3)) == 1


def test_parsed_file_keeps_label_data_and_sha256() -> None:
    result, issues = parse_seed_file(b"sources: []\n", "seeds/s.yaml", "ab" * 32)
    assert issues == []
    assert result == ParsedFile("seeds/s.yaml", {"sources": []}, {(): 1, ("sources",): 1}, "ab" * 32)


def test_only_an_unquoted_value_followed_by_a_comment_is_marked_as_cut() -> None:
    result = parsed(b"a: x#y\nb: 'q' # c\nc: >-\n  folded # kept\nd: He ranked #1 in the list\ne: [x] # c\n")
    assert result.data["d"] == "He ranked"
    assert result.cut == {("d",): (5, 14)}
