"""The YAML mistakes a curator new to YAML makes, through the real `claims check DIR`.

Each test breaks one line of a copy of the tests' own seeds (tests/fixtures/curator, never the curated
seeds/, which keep changing) the way a person would, and requires the one message that comes back to
name the file, line and column, and to say what to change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest

from claimsdb.seeds import schema
from claimsdb.seeds.read import fields_at
from conftest import item_index

Cli = Callable[..., Any]

H = "executions-article.yaml"
U = "unification-ministry-article.yaml"
SOURCES = "sources.yaml"
STATEMENT = "    statement: TJWG says North Korea carries out public executions on river banks.\n"  # line 20
QUOTE = "    quote: 'North Korea is carrying out public executions on river banks and on school grounds'\n"  # line 21
NOTE = """    note: The article's lead paraphrases the report ("a new report says").\n"""  # line 22
INDENT = (
    "keys of one mapping start in the same column; indent with spaces to line up with the keys this one belongs with"
)


def says(cli: Cli, curator_seeds: Path, name: str, line: int, column: int | None, message: str) -> None:
    """`claims check` refuses the seeds with exactly this one message, at this line and column."""
    result = cli("check", curator_seeds)
    where = f"{curator_seeds / name}:{line}" + (f":{column}" if column else "")
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: 1 problem in the seeds; nothing was written:\n  {where}: {message}\n"


def replace_line(curator_seeds: Path, old: str, new: str, name: str = H) -> int:
    """Replace the first `old` in the file with `new`; return the line `old` started on."""
    path = curator_seeds / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.count("\n", 0, text.index(old)) + 1


def test_the_fixture_checks_clean(cli: Cli, curator_seeds: Path) -> None:
    """Every refusal below comes from the one edit each test makes."""
    result = cli("check", curator_seeds)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_the_lines_broken_below_are_where_the_tests_say(curator_seeds: Path) -> None:
    lines = (curator_seeds / H).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[19:22] == [STATEMENT, QUOTE, NOTE]
    assert item_index(curator_seeds / H, STATEMENT) == item_index(curator_seeds / H, RIVER_BANKS_VALUE) == 0
    assert item_index(curator_seeds / H, SHOOTING_VALUE) == 4
    assert item_index(curator_seeds / U, "size: {over: 500, phrase: over 500}") == 0
    assert item_index(curator_seeds / SOURCES, "  - id: un-coi-2014-report\n") == 1


BROKEN = {
    "colon-in-a-value": (
        STATEMENT, STATEMENT.replace("says", "says:"), 20, 25,
        "mapping values are not allowed in this context; a value that contains ': ' must be quoted: "
        "put it in single quotes, e.g. statement: '...'",
    ),
    "colon-in-a-value-with-a-tab-in-its-words": (
        STATEMENT, STATEMENT.replace("TJWG says", "TJWG\tsays:"), 20, 25,
        "mapping values are not allowed in this context; a value that contains ': ' must be quoted: "
        "put it in single quotes, e.g. statement: '...'",
    ),
    "value-starting-with-a-double-quote": (
        QUOTE, """    quote: "North Korea" is carrying out public executions\n""", 21, 26,
        "while parsing a block mapping did not find expected key; this value starts with \", so YAML ends it at "
        "the next \" and cannot read the rest of the line; quote the whole value: put it in single quotes and "
        "write each ' inside it twice, e.g. quote: 'it''s said'",
    ),
    "apostrophe-inside-single-quotes": (
        NOTE, "    note: 'The article's lead paraphrases the report.'\n", 22, 24,
        "while parsing a block mapping did not find expected key; this value starts with ', so YAML ends it at "
        "the next ' and cannot read the rest of the line; quote the whole value: put it in single quotes and "
        "write each ' inside it twice, e.g. note: 'it''s said'",
    ),
    "value-starting-with-a-bracket": (
        NOTE, "    note: [sic] The article's lead paraphrases the report.\n", 22, 11,
        "while parsing a block mapping did not find expected key; '[' at the start of a value starts a list; "
        "if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-a-brace": (
        NOTE, "    note: {sic} The article's lead paraphrases the report.\n", 22, 11,
        "while parsing a block mapping did not find expected key; '{' at the start of a value starts a mapping; "
        "if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-an-asterisk": (
        NOTE, "    note: *Lead* paraphrases the report.\n", 22, 11,
        "while scanning an alias did not find expected alphabetic or numeric character; '*' at the start of a "
        "value marks an alias; if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-an-ampersand": (
        NOTE, "    note: & the lead paraphrases the report.\n", 22, 11,
        "while scanning an anchor did not find expected alphabetic or numeric character; '&' at the start of a "
        "value marks an anchor; if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-a-bar": (
        NOTE, "    note: | the lead paraphrases the report.\n", 22, 11,
        "while scanning a block scalar did not find expected comment or line break; '|' at the start of a value "
        "starts a block of text on the lines below; if the value is text, quote it: put it in single quotes, "
        "e.g. note: '...'",
    ),
    "value-starting-with-a-greater-than-sign": (
        NOTE, "    note: > 500 executions is the lead.\n", 22, 11,
        "while scanning a block scalar did not find expected comment or line break; '>' at the start of a value "
        "starts a block of text on the lines below; if the value is text, quote it: put it in single quotes, "
        "e.g. note: '...'",
    ),
    "value-starting-with-a-percent-sign": (
        NOTE, "    note: %50 of the lead paraphrases the report.\n", 22, 11,
        "while scanning for the next token found character that cannot start any token; '%' at the start of a "
        "value marks a directive; if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-an-at-sign": (
        NOTE, "    note: @tjwg is quoted.\n", 22, 11,
        "while scanning for the next token found character that cannot start any token; '@' at the start of a "
        "value is reserved; if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "value-starting-with-a-backtick": (
        NOTE, "    note: `lead` paraphrases the report.\n", 22, 11,
        "while scanning for the next token found character that cannot start any token; '`' at the start of a "
        "value is reserved; if the value is text, quote it: put it in single quotes, e.g. note: '...'",
    ),
    "quote-closed-lines-later-by-an-apostrophe": (
        QUOTE, QUOTE.replace("grounds'", "grounds"), 21, 12,
        "while parsing a block mapping did not find expected key; the ' that opens this value is closed only on "
        "line 22, by the next ': end the value with a quote where it ends, and inside single quotes write each ' "
        "twice ('')",
    ),
    "backslash-in-double-quotes": (
        NOTE, '    note: "The lead\\s paraphrase"\n', 22, 20,
        "while parsing a quoted scalar found unknown escape character; inside double quotes a backslash starts "
        "an escape: put the value in single quotes instead",
    ),
    "tab-indentation": (
        NOTE, NOTE.replace("    ", "\t", 1), 22, 1,
        "while scanning for the next token found character that cannot start any token; YAML indents with "
        "spaces, never tabs: replace the tabs",
    ),
    "key-indented-one-space-less": (
        NOTE, NOTE[1:], 22, 4,
        "while parsing a block collection did not find expected '-' indicator; this line starts at column 4, "
        f"the key 'quote' above it (line 21) at column 5: {INDENT}",
    ),
    "key-indented-one-space-more": (
        NOTE, " " + NOTE, 22, 6,
        "while parsing a block mapping did not find expected key; this line starts at column 6, the key 'quote' "
        f"above it (line 21) at column 5: {INDENT}",
    ),
    "key-indented-so-deep-it-continues-the-value-above": (
        QUOTE, "  " + QUOTE, 21, 12,
        "mapping values are not allowed in this context; YAML reads this line as more of the value of "
        "'statement' on line 20, because it is indented deeper than 'statement': indent a new key exactly like "
        "'statement'; if the line is part of the value, quote the whole value in single quotes",
    ),
    "key-without-its-colon": (
        STATEMENT, STATEMENT.replace("statement:", "statement"), 20, 5,
        "while scanning a simple key could not find expected ':'; write each key with a colon and a space "
        "before its value, e.g. title: A report",
    ),
}


@pytest.mark.parametrize(("old", "new", "line", "column", "message"), list(BROKEN.values()), ids=list(BROKEN))
def test_yaml_mistake_gets_line_column_and_the_fix(
    cli: Cli, curator_seeds: Path, old: str, new: str, line: int, column: int, message: str
) -> None:
    replace_line(curator_seeds, old, new)
    says(cli, curator_seeds, H, line, column, f"this is not valid YAML: {message}")


def test_quote_never_closed_is_reported_where_it_opens(cli: Cli, curator_seeds: Path) -> None:
    """The last quote of the file loses its closing ': YAML reaches the end looking for it."""
    path = curator_seeds / H
    text = path.read_text(encoding="utf-8")
    assert text.endswith("Security Council'\n")
    path.write_text(text.removesuffix("'\n") + "\n", encoding="utf-8")
    line = text.count("\n", 0, text.rindex("    quote: '")) + 1
    says(
        cli, curator_seeds, H, line, 12,
        "this is not valid YAML: while scanning a quoted scalar found unexpected end of stream; the ' that opens "
        "this value is never closed: end the value with ' and write each ' inside it twice ('')",
    )  # fmt: skip


def test_value_starting_with_an_exclamation_mark_is_a_tag_to_quote(cli: Cli, curator_seeds: Path) -> None:
    replace_line(curator_seeds, NOTE, "    note: !important The lead paraphrases the report.\n")
    says(
        cli, curator_seeds, H, 22, None,
        "the YAML type !important is not allowed in seed files; '!' at the start of a value marks a tag; "
        "if the value is text, quote it: put it in single quotes, e.g. '!important ...'",
    )  # fmt: skip


def test_column_counts_characters_not_bytes(cli: Cli, curator_seeds: Path) -> None:
    replace_line(curator_seeds, STATEMENT, "    statement: “TJWG” says: executions rise.\n")
    says(
        cli, curator_seeds, H, 20, 27,
        "this is not valid YAML: mapping values are not allowed in this context; a value that contains ': ' "
        "must be quoted: put it in single quotes, e.g. statement: '...'",
    )  # fmt: skip


def test_colon_in_a_list_item_of_its_own_file(cli: Cli, curator_seeds: Path) -> None:
    """A small file of its own: the hint names the key of the value, here an organisation's name."""
    (curator_seeds / "people.yaml").write_text(
        "organisations:\n  - id: kim-witness\n    name: Kim: a witness\n    kind: ngo\n", encoding="utf-8"
    )
    says(
        cli, curator_seeds, "people.yaml", 3, 14,
        "this is not valid YAML: mapping values are not allowed in this context; a value that contains ': ' "
        "must be quoted: put it in single quotes, e.g. name: '...'",
    )  # fmt: skip


# --- ' #' in an unquoted value: not a YAML error, but the rest of the line is silently a comment ------


def test_quote_cut_by_a_hash_is_refused_at_the_hash(cli: Cli, curator_seeds: Path) -> None:
    """The words before ' #' are in the document, so only this check stops a silently shortened quote."""
    replace_line(curator_seeds, QUOTE, "    quote: North Korea is carrying out public executions on river banks #and "
                                       "on school grounds\n")
    says(
        cli, curator_seeds, H, 21, 73,
        "claims[0].quote: the value was cut at ' #', which YAML reads as the start of a comment; quote the value: "
        "put it in single quotes, e.g. quote: '...' (a comment goes on a line of its own)",
    )  # fmt: skip


def test_statement_cut_by_a_hash_is_refused_at_the_hash(cli: Cli, curator_seeds: Path) -> None:
    replace_line(curator_seeds, STATEMENT, STATEMENT.replace(" on river banks.", " on river banks  # see p. 3"))
    says(
        cli, curator_seeds, H, 20, 84,
        "claims[0].statement: the value was cut at ' #', which YAML reads as the start of a comment; quote the "
        "value: put it in single quotes, e.g. statement: '...' (a comment goes on a line of its own)",
    )  # fmt: skip


def test_comments_after_quoted_text_and_after_ids_are_still_comments(cli: Cli, curator_seeds: Path) -> None:
    replace_line(curator_seeds, QUOTE, QUOTE.rstrip("\n") + "  # the article's lead\n")
    replace_line(curator_seeds, "    claimant: tjwg\n", "    claimant: tjwg  # the working group\n")
    result = cli("check", curator_seeds)
    assert result.exit_code == 0, result.output


# --- an unknown field: suggestions come only from the fields valid in that place ---------------------


def allowed(model: type[schema.Model]) -> str:
    """The fields the message offers, read from the model, so fields added to it later still pass."""
    return ", ".join(sorted(model.model_fields))


RIVER_BANKS_VALUE = "    value: {location: river_banks, punishment: public_execution}\n"  # claims[0], a location
SHOOTING_VALUE = "    value: {method: shooting}\n"  # claims[4], execution_method

UNKNOWN_FIELDS = {
    "typo-of-a-field-of-this-claim-type": (
        H, SHOOTING_VALUE, "    value: {metod: shooting}\n",
        "claims[4].value.metod: unknown field 'metod'; did you mean 'method'?",
    ),
    "field-of-another-claim-type-is-not-suggested": (
        H, RIVER_BANKS_VALUE, "    value: {location: river_banks, punishment: public_execution, offense: theft}\n",
        "claims[0].value.offense: unknown field 'offense'; remove it, or write one of the fields allowed here: "
        + allowed(schema.ExecutionLocationValue),
    ),
    "period-is-suggested-where-the-type-has-one": (
        H, RIVER_BANKS_VALUE, "    value: {location: river_banks, punishment: public_execution, perod: 2017}\n",
        "claims[0].value.perod: unknown field 'perod'; did you mean 'period'?",
    ),
    "period-is-not-suggested-where-the-type-has-none": (
        H, SHOOTING_VALUE, "    value: {method: shooting, perod: 2017}\n",
        "claims[4].value.perod: unknown field 'perod'; remove it, or write one of the fields allowed here: "
        + allowed(schema.ExecutionMethodValue),
    ),
    "document-field": (
        H, "  title: North Korean", "  titel: North Korean",
        "document.titel: unknown field 'titel'; did you mean 'title'?",
    ),
    "document-field-on-a-claim-is-not-suggested": (
        H, STATEMENT, STATEMENT + "    titel: Executions on river banks\n",
        "claims[0].titel: unknown field 'titel'; remove it, or write one of the fields allowed here: "
        + allowed(schema.ExecutionLocationClaim),
    ),
    "date-field": (
        H, STATEMENT, STATEMENT + "    claimed_on: {date: 2017-07, inferd: the report came out in July}\n",
        "claims[0].claimed_on.inferd: unknown field 'inferd'; did you mean 'inferred'?",
    ),
    "quantity-field": (
        U, "size: {over: 500, phrase: over 500}", "size: {over: 500, phrse: over 500}",
        "claims[0].value.size.phrse: unknown field 'phrse'; did you mean 'phrase'?",
    ),
    "document-field-on-a-source-is-not-suggested": (
        SOURCES, "  - id: un-coi-2014-report\n", "  - id: un-coi-2014-report\n    file: documents/coi.txt\n",
        "sources[1].file: unknown field 'file'; remove it, or write one of the fields allowed here: "
        + allowed(schema.SourceSeed),
    ),
}


@pytest.mark.parametrize(("name", "old", "new", "message"), list(UNKNOWN_FIELDS.values()), ids=list(UNKNOWN_FIELDS))
def test_unknown_field_is_matched_to_the_fields_of_its_place(
    cli: Cli, curator_seeds: Path, name: str, old: str, new: str, message: str
) -> None:
    line = replace_line(curator_seeds, old, new, name) + (1 if new.startswith(old) else 0)
    reports(cli, curator_seeds, name, line, message)


def reports(cli: Cli, curator_seeds: Path, name: str, line: int, message: str) -> None:
    """`claims check` reports this message at this line, among others (a renamed required field is
    reported missing too)."""
    result = cli("check", curator_seeds)
    assert result.exit_code == 1, result.output
    assert f"\n  {curator_seeds / name}:{line}: {message}\n" in result.output, result.output


def test_unknown_field_of_a_vocabulary_term(cli: Cli, curator_seeds: Path) -> None:
    (curator_seeds / "zz-vocabularies.yaml").write_text(
        "vocabularies:\n  weapons:\n    label: Weapons\n    terms:\n"
        "      rifles:\n        label: Rifles\n        defintion: Long guns.\n",
        encoding="utf-8",
    )
    reports(
        cli, curator_seeds, "zz-vocabularies.yaml", 7,
        "vocabularies.weapons.terms.rifles.defintion: unknown field 'defintion'; did you mean 'definition'?",
    )  # fmt: skip


def test_unknown_section_is_matched_to_the_sections(cli: Cli, curator_seeds: Path) -> None:
    (curator_seeds / "more.yaml").write_text("organisatons: []\n", encoding="utf-8")
    says(cli, curator_seeds, "more.yaml", 1, None, "organisatons: unknown field 'organisatons'; did you mean "
                                                   "'organisations'?")


@pytest.mark.parametrize("claim_type", schema.CLAIM_TYPES)
def test_each_claim_type_is_offered_the_fields_of_its_own_value(claim_type: str) -> None:
    """Walked from the models: a field another engineer adds to a value model is offered with no edit here."""
    claim = next(
        m for m in schema.ClaimBase.__subclasses__() if m.model_fields["type"].annotation == Literal[claim_type]
    )
    value = claim.model_fields["value"].annotation
    expected = sorted(value.model_fields) if isinstance(value, type) and issubclass(value, schema.Model) else []
    assert fields_at(("claims", 0, claim_type)) == sorted(claim.model_fields)
    assert fields_at(("claims", 0, claim_type, "value")) == expected
