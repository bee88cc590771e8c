"""Problems across seed files, through the real CLI: `claims check DIR` and `claims load DIR`.

Each test loads the tests' own seeds (tests/fixtures/curator, never the curated seeds/, which keep
changing) into a SQLite file first (so the database is not empty), breaks a copy of them, and
requires that check and load both refuse with the same message, naming the file and line, with exit
status 1, no traceback, and the database byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimsdb import api
from conftest import item_index, loaded_copy, snapshot

H = "executions-article.yaml"
U = "unification-ministry-article.yaml"
SOURCES = "sources.yaml"
ORGANISATIONS = "organisations.yaml"
U_DOCUMENT = "documents/unification-ministry-article.txt"
U_SHA256 = "f776e777d340d86234a2f80fb43e5ed09e5dbed3d52387368caabbc361a88a28"

Cli = Callable[..., Any]


@pytest.fixture
def db(tmp_path: Path, curator_seeds: Path, curator_sqlite_template: Path) -> Path:
    """A SQLite file holding the tests' own seeds as loaded through the CLI (a copy of one load)."""
    return loaded_copy(curator_sqlite_template, curator_seeds, tmp_path / "claims.db")


def edit(path: Path, old: str, new: str, at: str | None = None) -> int:
    """Replace the first `old` in the file with `new`; return the line where `at` (default: `new`) now is."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
    return text.count("\n", 0, index) + new.count("\n", 0, new.index(at) if at else 0) + 1


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle)) + 1


def refused(cli: Cli, curator_seeds: Path, db: Path) -> str:
    """check and load both refuse the seeds, with one message; the database is left as it was."""
    dump, raw = snapshot(str(db)), db.read_bytes()
    checked = cli("check", curator_seeds)
    loaded = cli("--db", db, "load", curator_seeds)
    for result in (checked, loaded):
        assert result.exit_code == 1, result.output
        assert re.match(r"Error: \d+ problems? in the seeds; nothing was written:\n", result.output), result.output
        assert "Traceback" not in result.output
    assert loaded.output == checked.output
    assert snapshot(str(db)) == dump
    assert db.read_bytes() == raw
    return checked.output


def one_problem(cli: Cli, curator_seeds: Path, db: Path, name: str, line: int, message: str) -> str:
    output = refused(cli, curator_seeds, db)
    assert output.startswith("Error: 1 problem in the seeds; nothing was written:\n"), output
    assert f"  {curator_seeds / name}:{line}: {message}" in output, output
    return output


# --- one edit, one problem ----------------------------------------------------------------------------

RIVER_BANKS = "  - id: tjwg-july-location-river-banks\n    claimant: tjwg\n    made_in: tjwg-2017-mapping-report\n"


def test_the_items_the_messages_name_are_where_the_tests_say(curator_seeds: Path) -> None:
    """`claims[i]`, `sources[i]` and `organisations[i]` below count in tests/fixtures/curator: each edit lands there."""
    at = {
        (H, RIVER_BANKS): 0, (H, "location: river_banks"): 0, (H, "      - tjwg-july-location-school-grounds\n"): 6,
        (H, "influenced by “bad” family"): 3, (H, "    quote: 'The TJWG is made up"): 5, (H, "method: shooting"): 4,
        (ORGANISATIONS, "    aliases:\n      - TJWG\n"): 0, (ORGANISATIONS, "kind: ngo"): 0,
        (SOURCES, "published: 2014"): 1, (SOURCES, "date: 2023-03-30"): 2, (SOURCES, "  - id: un-coi-2014-report\n"): 1,
        (U, "size: {over: 500, phrase: over 500}"): 0, (U, "period: {start: 2017, end: 2022}"): 0,
        (U, "      - unif-ministry-2023-report-right-to-life-threatened\n"): 4,
        (U, "  - id: wire-agency-findings-in-line-with-the-un\n"): 4, (U, "offence: drug_crimes"): 2,
    }  # fmt: skip
    assert {key: item_index(curator_seeds / key[0], key[1]) for key in at} == at
    document = (curator_seeds / "documents" / "executions-article.txt").read_text(encoding="utf-8")
    assert "influenced by “bad” family" in document.splitlines()[6]  # line 7


CASES = {
    "unknown-field-typo": (
        H, RIVER_BANKS, RIVER_BANKS.replace("made_in:", "madein:"), "madein",
        "claims[0].madein: unknown field 'madein'; did you mean 'made_in'?",
    ),
    "wrong-type": (
        ORGANISATIONS, "    aliases:\n      - TJWG\n", "    aliases: TJWG\n", None,
        "organisations[0].aliases: Input should be a valid list",
    ),
    "unknown-vocabulary-term": (
        H, "location: river_banks", "location: river_bank", None,
        "claims[0].value.location: unknown execution_locations term 'river_bank' (closest known: river_banks); "
        "use a known term or add it",
    ),
    "unknown-organisation-kind": (
        ORGANISATIONS, "kind: ngo", "kind: ngoo", None,
        "organisations[0].kind: unknown organisation_kinds term 'ngoo' (closest known: ngo)",
    ),
    "unknown-claimant": (
        H, "    claimant: tjwg\n", "    claimant: tjwgg\n", None,
        "claims[0].claimant: unknown organisation 'tjwgg'; closest: tjwg; add it under `organisations:` "
        "(seeds/organisations.yaml), or, for someone the document does not name, describe them on the claim "
        "(claimant: {kind: unnamed_person, name: a North Korean defector}) or fix the id",
    ),
    "unknown-made-in": (
        H, "made_in: tjwg-2017-mapping-report", "made_in: tjwg-2017-maping-report", None,
        "claims[0].made_in: unknown source 'tjwg-2017-maping-report'; closest: tjwg-2017-mapping-report",
    ),
    "unknown-publisher": (
        H, "publisher: news-example", "publisher: news-examplee", None,
        "document.publisher: unknown organisation 'news-examplee'; closest: news-example;",
    ),
    "unknown-reports-on": (
        H, "    - tjwg-2017-mapping-report\n", "    - tjwg-2017-maping-report\n", None,
        "document.reports_on[0]: unknown source 'tjwg-2017-maping-report'; closest: tjwg-2017-mapping-report",
    ),
    "unknown-relation-target": (
        H, "      - tjwg-july-location-school-grounds\n", "      - tjwg-july-location-school-ground\n", None,
        "claims[6].contradicts[1]: unknown claim 'tjwg-july-location-school-ground'; "
        "closest: tjwg-july-location-school-grounds",
    ),
    "phrase-not-in-quote": (
        U, "size: {over: 500, phrase: over 500}", "size: {over: 500, phrase: over 600}", None,
        "claims[0].value.size.phrase: the phrase 'over 600' is not in the quote; the phrase must be the quote's own "
        "words",
    ),
    "two-quantity-forms": (
        U, "size: {over: 500, phrase: over 500}", "size: {over: 500, about: 500, phrase: over 500}", None,
        "claims[0].value.size: write exactly one of exact, over, at_least, under, at_most, about, almost, between, "
        "vague (found over, about)",
    ),
    "future-publication-date": (
        SOURCES, "date: 2023-03-30", "date: 2099-03-30", None, "sources[2].published.date: 2099-03-30 is in the future",
    ),
    "future-publication-year": (
        SOURCES, "published: 2014", "published: 2099", None, "sources[1].published: 2099 is in the future",
    ),
    "future-claimed-on": (
        H, RIVER_BANKS, RIVER_BANKS + "    claimed_on: 2099-07-01\n", "claimed_on",
        "claims[0].claimed_on: 2099-07-01 is in the future",
    ),
    "impossible-quoted-date": (
        SOURCES, "published: 2014", "published: '2021-02-30'", None,
        "sources[1].published: '2021-02-30' is not a real date (day is out of range for month)",
    ),
    "impossible-date-in-mapping-at-the-date-line": (
        SOURCES, "date: 2023-03-30", "date: '2021-02-30'", None,
        "sources[2].published.date: '2021-02-30' is not a real date",
    ),
    "period-starts-after-it-ends": (
        U, "period: {start: 2017, end: 2022}", "period: {start: 2023, end: 2022}", None,
        "claims[0].value.period: period starts (2023) after it ends (2022)",
    ),
    "empty-quote": (
        U, "quote: 'The report was based on testimonies from over 500 North Koreans who defected from 2017 to 2022.'",
        "quote: ''", None,
        "claims[0].quote: String should have at least 1 character",
    ),
    "quote-with-leading-whitespace": (
        U, "quote: 'The report was based on", "quote: ' The report was based on", None,
        "claims[0].quote: the quote starts or ends with whitespace; quote the words only",
    ),
    "quote-with-straight-quotes": (
        H, "influenced by “bad” family", 'influenced by "bad" family', None,
        "claims[3].quote: the quote is not in the document verbatim; line 7 has it with a difference in curly vs "
        "straight quotes",
    ),
    "occurrence-past-the-last": (
        H, "    quote: 'The TJWG is made up", "    occurrence: 2\n    quote: 'The TJWG is made up", "quote",
        "claims[5].quote: occurrence 2 asked for, but the quote appears 1 time(s)",
    ),
    "relation-to-itself": (
        U, "      - unif-ministry-2023-report-right-to-life-threatened\n",
        "      - wire-agency-findings-in-line-with-the-un\n", None,
        "claims[4].corroborates[0]: a claim cannot relate to itself",
    ),
    "relation-target-listed-twice": (
        U, "    corroborates:\n      - unif-ministry-2023-report-right-to-life-threatened\n",
        "    corroborates:\n      - unif-ministry-2023-report-right-to-life-threatened\n"
        "      - unif-ministry-2023-report-right-to-life-threatened\n", None,
        "claims[4].corroborates: lists 'unif-ministry-2023-report-right-to-life-threatened' twice; list each once",
    ),
    "alias-listed-twice": (
        ORGANISATIONS, "    aliases:\n      - TJWG\n", "    aliases:\n      - TJWG\n      - TJWG\n", None,
        "organisations[0].aliases: lists 'TJWG' twice; list each once",
    ),
    "reported-source-listed-twice": (
        H, "  reports_on:\n    - tjwg-2017-mapping-report\n",
        "  reports_on:\n    - tjwg-2017-mapping-report\n    - tjwg-2017-mapping-report\n", None,
        "document.reports_on: lists 'tjwg-2017-mapping-report' twice; list each once",
    ),
    "missing-document-file": (
        U, f"file: {U_DOCUMENT}", "file: documents/missing.txt", None,
        "document.file: document file 'documents/missing.txt' not found; paths are relative to the seeds directory",
    ),
    "document-sha256-not-a-hash": (
        U, f"sha256: {U_SHA256}", "sha256: =notahash", None,
        "document.sha256: '=notahash' is not a sha256: 64 lower-case hex digits (`sha256sum FILE` prints it)",
    ),
    "organisation-wikidata-not-an-id": (
        ORGANISATIONS, "kind: ngo", "kind: ngo\n    wikidata: q42", "wikidata: q42",
        "organisations[0].wikidata: 'q42' is not a Wikidata id: Q and digits, as in Q423",
    ),
    "document-sha256-mismatch": (
        U, f"sha256: {U_SHA256}", f"sha256: {'ab' * 32}", None,
        f"document.sha256: the bytes of '{U_DOCUMENT}' changed since capture: recorded sha256 {'ab' * 32}, "
        f"file has {U_SHA256}. A held document is never edited; restore it, or, if this is a deliberate "
        "re-capture, put the new sha256 here",
    ),
}


@pytest.mark.parametrize(("name", "old", "new", "at", "message"), list(CASES.values()), ids=list(CASES))
def test_single_problem_is_reported_at_its_line(
    cli: Cli, curator_seeds: Path, db: Path, name: str, old: str, new: str, at: str | None, message: str
) -> None:
    line = edit(curator_seeds / name, old, new, at)
    one_problem(cli, curator_seeds, db, name, line, message)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (SOURCES, "published: 2014", "published: 2021-02-30"),
        (U, "period: 2021\n", "period: 2021-02-30\n"),
    ],
    ids=["publication-date", "claim-period"],
)
def test_impossible_unquoted_date_is_reported_at_its_line(
    cli: Cli, curator_seeds: Path, db: Path, name: str, old: str, new: str
) -> None:
    """YAML reads an unquoted 2021-02-30 as a timestamp, which cannot be built: that must be an issue too."""
    line = edit(curator_seeds / name, old, new)
    output = refused(cli, curator_seeds, db)
    assert re.search(rf"^  {re.escape(str(curator_seeds / name))}:{line}: .*2021-02-30", output, re.MULTILINE), output


def test_missing_required_field_is_reported_at_the_claim(cli: Cli, curator_seeds: Path, db: Path) -> None:
    line = edit(curator_seeds / H, RIVER_BANKS, RIVER_BANKS.replace("    claimant: tjwg\n", ""))
    one_problem(cli, curator_seeds, db, H, line, "claims[0].claimant: required field is missing")


def test_unknown_claim_type_lists_the_known_types(cli: Cli, curator_seeds: Path, db: Path) -> None:
    line = line_of(curator_seeds / H, RIVER_BANKS)
    edit(curator_seeds / H, "type: execution_location", "type: execution_place")
    one_problem(
        cli, curator_seeds, db, H, line,
        "claims[0]: unknown claim type 'execution_place'; one of execution_method, offence, defection_figure, "
        "execution_count, execution_location, evidence_basis, statement",
    )  # fmt: skip


def test_quantity_too_large_for_the_database_is_refused_by_check_and_load(
    cli: Cli, curator_seeds: Path, db: Path
) -> None:
    line = edit(curator_seeds / U, "quantity: {exact: 63, phrase: '63'}", "quantity: {exact: 99999999999999999999999}")
    output = refused(cli, curator_seeds, db)
    assert f"{curator_seeds / U}:{line}: claims[" in output
    assert "value.quantity" in output


# --- ids defined twice ------------------------------------------------------------------------------------------

SHOOTING = """\
  - id: tjwg-july-method-shooting
    claimant: tjwg
    attribution: reported
    type: statement
    statement: A copy of a claim from another file.
    quote: 'The report was based on testimonies'
"""


def test_duplicate_claim_id_across_files_names_both_places(cli: Cli, curator_seeds: Path, db: Path) -> None:
    with (curator_seeds / U).open("a", encoding="utf-8") as handle:
        handle.write("\n" + SHOOTING)
    first = line_of(curator_seeds / H, "  - id: tjwg-july-method-shooting")
    second = line_of(curator_seeds / U, SHOOTING)
    index = (curator_seeds / U).read_text().count("\n  - id: ") - 1
    one_problem(
        cli, curator_seeds, db, U, second,
        f"claims[{index}].id: duplicate claim id 'tjwg-july-method-shooting' (first in {curator_seeds / H}:{first}); "
        "ids must be unique across all seed files",
    )  # fmt: skip


def test_duplicate_organisation_id_names_both_places(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds / "zz-organisations.yaml").write_text(
        "organisations:\n  - id: tjwg\n    name: Again\n    kind: ngo\n"
    )
    first = line_of(curator_seeds / ORGANISATIONS, "  - id: tjwg\n")
    one_problem(
        cli, curator_seeds, db, "zz-organisations.yaml", 2,
        f"organisations[0].id: duplicate organisation id 'tjwg' (first in {curator_seeds / ORGANISATIONS}:{first})",
    )  # fmt: skip


def test_term_id_in_two_vocabularies_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds / "zz-vocabularies.yaml").write_text(
        "vocabularies:\n  weapons:\n    label: Weapons\n    terms:\n"
        "      shooting:\n        label: Shooting\n        definition: A second definition.\n"
    )
    one_problem(
        cli, curator_seeds, db, "zz-vocabularies.yaml", 5,
        "vocabularies.weapons.terms.shooting: term 'shooting' is already in vocabulary 'execution_methods'; "
        "term ids are unique across vocabularies",
    )  # fmt: skip


# --- documents ------------------------------------------------------------------------------------------------------


def test_document_path_leading_outside_the_seeds_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds.parent / "x.txt").write_text("The report was based on testimonies.")
    line = edit(curator_seeds / U, f"file: {U_DOCUMENT}", "file: ../x.txt")
    one_problem(
        cli, curator_seeds, db, U, line,
        "document.file: document file '../x.txt' leads outside the seeds directory; keep documents under it",
    )  # fmt: skip


def test_document_symlink_pointing_outside_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds.parent / "x.txt").write_text("The report was based on testimonies.")
    (curator_seeds / "documents" / "link.txt").symlink_to(curator_seeds.parent / "x.txt")
    line = edit(curator_seeds / U, f"file: {U_DOCUMENT}", "file: documents/link.txt")
    message = "document.file: document file 'documents/link.txt' leads outside the seeds directory"
    one_problem(cli, curator_seeds, db, U, line, message)


def test_document_in_a_linked_folder_leading_outside_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    outside = curator_seeds.parent / "elsewhere"
    outside.mkdir()
    (outside / "x.txt").write_bytes((curator_seeds / U_DOCUMENT).read_bytes())
    (curator_seeds / "documents" / "linked").symlink_to(outside, target_is_directory=True)
    line = edit(curator_seeds / U, f"file: {U_DOCUMENT}", "file: documents/linked/x.txt")
    message = "document.file: document file 'documents/linked/x.txt' leads outside the seeds directory"
    one_problem(cli, curator_seeds, db, U, line, message)


def test_document_in_a_linked_folder_inside_the_seeds_is_read(cli: Cli, curator_seeds: Path, tmp_path: Path) -> None:
    (curator_seeds / "held").mkdir()
    os.replace(curator_seeds / U_DOCUMENT, curator_seeds / "held" / "u.txt")
    (curator_seeds / "documents" / "linked").symlink_to(curator_seeds / "held", target_is_directory=True)
    edit(curator_seeds / U, f"file: {U_DOCUMENT}", "file: documents/linked/u.txt")
    result = cli("--db", tmp_path / "new.db", "load", curator_seeds)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "where",
    ["documents/a.txt", "documents/link.txt", "documents/linked/a.txt", "documents/../a.txt", "documents/gone.txt",
     "documents/dangling.txt", "documents/linked/..", "a.txt", "."],
)  # fmt: skip
def test_real_paths_are_where_path_resolve_says(tmp_path: Path, where: str) -> None:
    from claimsdb.seeds.files import RealPaths

    root = tmp_path / "seeds"
    (root / "documents").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    for file in (root / "documents" / "a.txt", root / "a.txt", tmp_path / "elsewhere" / "a.txt"):
        file.write_text("words")
    (root / "documents" / "link.txt").symlink_to(tmp_path / "elsewhere" / "a.txt")
    (root / "documents" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (root / "documents" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    real = RealPaths(root)
    path = root / where
    assert real.real(path) == path.resolve()
    assert real.real(path) == path.resolve()  # a second time, from what it found the first
    assert real.inside(path) == path.resolve().is_relative_to(root.resolve())


def test_seed_file_symlink_pointing_outside_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds.parent / "elsewhere.yaml").write_text("organisations: []\n")
    (curator_seeds / "link.yaml").symlink_to(curator_seeds.parent / "elsewhere.yaml")
    output = refused(cli, curator_seeds, db)
    assert f"  {curator_seeds / 'link.yaml'}: this file is a link to a place outside the seeds directory" in output


def test_dangling_seed_file_symlink_is_reported_not_a_crash(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds / "moved.yaml").symlink_to(curator_seeds / "gone.yaml")
    output = refused(cli, curator_seeds, db)
    assert f"  {curator_seeds / 'moved.yaml'}" in output


def test_document_path_with_a_nul_byte_is_reported_not_a_crash(cli: Cli, curator_seeds: Path, db: Path) -> None:
    line = edit(curator_seeds / U, f"file: {U_DOCUMENT}", 'file: "documents/\\0.txt"')
    output = refused(cli, curator_seeds, db)
    assert f"{curator_seeds / U}:{line}: document.file: " in output


def test_changed_document_bytes_say_how_to_recapture(cli: Cli, curator_seeds: Path, db: Path) -> None:
    document = curator_seeds / U_DOCUMENT
    os.chmod(document, 0o644)
    document.write_bytes(document.read_bytes() + b"An added sentence.\n")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    one_problem(
        cli, curator_seeds, db, U, line_of(curator_seeds / U, "  sha256:"),
        f"document.sha256: the bytes of '{U_DOCUMENT}' changed since capture: recorded sha256 {U_SHA256}, "
        f"file has {digest}. A held document is never edited; restore it, or, if this is a deliberate re-capture, "
        "put the new sha256 here",
    )  # fmt: skip


def test_non_utf8_document_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    document = curator_seeds / U_DOCUMENT
    os.chmod(document, 0o644)
    raw = document.read_bytes().replace("Pyongyang".encode(), "Py\xf6ngyang".encode("latin-1"), 1)
    document.write_bytes(raw)
    edit(curator_seeds / U, U_SHA256, hashlib.sha256(raw).hexdigest())
    one_problem(
        cli, curator_seeds, db, U, line_of(curator_seeds / U, "  file:"),
        f"document.file: document file '{U_DOCUMENT}': byte 0xf6 at offset {raw.index(0xF6)} is not UTF-8; "
        "save it as UTF-8 (Unicode)",
    )  # fmt: skip


# --- sources and claims that do not fit together ------------------------------------------------------------------


def test_reports_on_cycle_is_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    line = edit(
        curator_seeds / SOURCES, "  - id: un-coi-2014-report\n",
        "  - id: un-coi-2014-report\n    reports_on: [executions-article]\n", "reports_on",
    )  # fmt: skip
    output = one_problem(
        cli, curator_seeds, db, SOURCES, line, "sources[1].reports_on: reports_on goes round in a circle: "
    )
    assert "un-coi-2014-report -> executions-article" in output


def test_a_long_chain_of_reports_is_walked_and_its_circle_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    """3,000 sources, each reporting on the next and the last on the first: far deeper than Python's
    recursion limit, so the walk that finds the circle must not recurse."""
    count = 3000
    publisher = yaml.safe_load((curator_seeds / ORGANISATIONS).read_text())["organisations"][0]["id"]
    sources = [
        {"id": f"chain-{i:04d}", "title": f"Report {i}", "publisher": publisher, "published": 2020,
         "reports_on": [f"chain-{(i + 1) % count:04d}"]}
        for i in range(count)
    ]  # fmt: skip
    (curator_seeds / "chain-sources.yaml").write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    output = refused(cli, curator_seeds, db)
    assert "Traceback" not in output and "RecursionError" not in output
    assert output.startswith("Error: 1 problem in the seeds; nothing was written:\n"), output
    assert "reports_on goes round in a circle: chain-0000 -> chain-0001 -> " in output
    assert "-> chain-2999 -> chain-0000" in output


def test_reading_seeds_leaves_no_cycle_for_the_garbage_collector(curator_seeds: Path) -> None:
    """The files read are freed as soon as the bundle is, not when the cyclic collector next runs
    (which a load makes rare, and a process's exit then pays for: a third of a second at 50,000 claims)."""
    import gc

    from claimsdb.seeds.records import FileResult

    gc.collect()
    bundle = api.check(curator_seeds)
    assert bundle.claim_count > 0
    del bundle
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        left = [thing for thing in gc.garbage if isinstance(thing, FileResult)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []


def test_claims_without_a_document_section_are_refused(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds / "loose-claims.yaml").write_text(
        "claims:\n  - id: loose\n    claimant: tjwg\n    type: statement\n    statement: S.\n    quote: 'Q'\n"
    )
    one_problem(
        cli, curator_seeds, db, "loose-claims.yaml", 1,
        "(top level): claims must sit in a file with the `document` they were recorded from",
    )  # fmt: skip


# --- many problems at once -----------------------------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_in_one_run_sorted(cli: Cli, curator_seeds: Path, db: Path) -> None:
    expected = [
        (
            H,
            edit(curator_seeds / H, "    claimant: tjwg\n", "    claimant: tjwgg\n"),
            "claims[0].claimant: unknown organisation",
        ),
        (
            H,
            edit(curator_seeds / H, "location: school_grounds", "location: school_ground"),
            "unknown execution_locations term",
        ),
        (
            ORGANISATIONS,
            edit(curator_seeds / ORGANISATIONS, "kind: ngo", "kind: ngoo"),
            "organisations[0].kind: unknown",
        ),
        (SOURCES, edit(curator_seeds / SOURCES, "published: 2014", "published: 2099"), "sources[1].published: 2099 is"),
        (
            U,
            edit(curator_seeds / U, "phrase: over 500}", "phrase: over 600}"),
            "claims[0].value.size.phrase: the phrase",
        ),
        ("broken.yaml", 2, "this is not valid YAML"),
    ]
    (curator_seeds / "broken.yaml").write_text("sources: []\n  claims: []\n")
    output = refused(cli, curator_seeds, db)
    head, *issues = output.rstrip("\n").split("\n")
    assert head == "Error: 6 problems in the seeds; nothing was written:"
    assert len(issues) == 6
    column = {"broken.yaml": ":3"}  # YAML syntax errors give the column too
    for issue, (name, line, message) in zip(issues, sorted(expected), strict=True):
        assert issue.startswith(f"  {curator_seeds / name}:{line}{column.get(name, '')}: "), (issue, name, line)
        assert message in issue, (issue, message)


def test_a_broken_claim_does_not_hide_another_claim_in_the_same_file(cli: Cli, curator_seeds: Path, db: Path) -> None:
    first = edit(curator_seeds / H, RIVER_BANKS, RIVER_BANKS.replace("made_in:", "madein:"), "madein")
    second = edit(curator_seeds / H, "method: shooting", "method: shootin")
    output = refused(cli, curator_seeds, db)
    assert output.startswith("Error: 2 problems")
    assert f"{curator_seeds / H}:{first}: claims[0].madein: unknown field 'madein'" in output
    assert f"{curator_seeds / H}:{second}: claims[4].value.method: unknown execution_methods term 'shootin'" in output


def test_an_unparseable_file_does_not_hide_problems_in_other_files(cli: Cli, curator_seeds: Path, db: Path) -> None:
    (curator_seeds / H).write_text((curator_seeds / H).read_text() + "\n\tbroken: tab\n")
    line = edit(curator_seeds / U, "offence: drug_crimes", "offence: drug_crime")
    output = refused(cli, curator_seeds, db)
    assert f"{curator_seeds / H}:" in output and "this is not valid YAML" in output
    assert f"{curator_seeds / U}:{line}: claims[2].value.offence: unknown offences term 'drug_crime'" in output


def test_an_unparseable_file_does_not_make_its_ids_unknown_elsewhere(cli: Cli, curator_seeds: Path, db: Path) -> None:
    """Organisations in a file with a syntax error are missing, not undefined: no flood of false "unknown" errors."""
    line = edit(curator_seeds / ORGANISATIONS, "  - id: tjwg\n", "  - id: [tjwg\n")
    output = refused(cli, curator_seeds, db)
    assert f"{curator_seeds / ORGANISATIONS}:" in output and "this is not valid YAML" in output, (line, output)
    assert "unknown organisation 'tjwg'" not in output
