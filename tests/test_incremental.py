"""A load after an edit reads only the files that changed (and those a change reaches).

The proof that this is safe: after every edit in a curator's day, a database loaded this way is
row for row the database a load that reads every file (`--force`) makes, and a refused edit gets
the same messages as `claims check` (which always reads everything) and leaves the database as it was.
On the tests' own seeds (tests/fixtures/basic), edited line by line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import _new_pg_database, generate_corpus, snapshot

Cli = Callable[..., Any]
HERALD = "herald-2018-06-14-hrdc-executions.yaml"
WIRE = "wire-2022-11-03-hrdc-media-executions.yaml"
UNDATED = "undated-ministry-figures.yaml"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def without_load_times(db: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Everything but load_runs (whose start and finish times differ between any two loads).

    SQLite's full-text index is compared by what it holds (its rows, without their row numbers,
    which a rewrite of a few entries changes), not by its internal b-tree pages.
    """
    tables = []
    for name, rows in snapshot(db):
        if name == "claims_fts_content":
            tables.append((name, sorted(row[1:] for row in rows)))
        elif name != "load_runs" and not name.startswith("claims_fts"):
            tables.append((name, rows))
    return tables


@pytest.fixture
def twin_db(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second empty database on the same back end as db_url."""
    if db_url.startswith("postgresql"):
        return _new_pg_database(request.getfixturevalue("postgres"))
    return str(tmp_path / "full.db")


def files_read(output: str) -> int | None:
    """How many seed files the load says it read; None when it read them all."""
    match = re.search(r"Read ([\d,]+) of ([\d,]+) seed files", output)
    return int(match.group(1).replace(",", "")) if match else None


# Each step: what the curator does, whether the seeds are still valid, and how many files a load reads.
def edit_statement(seeds: Path) -> None:
    replace(
        seeds / HERALD,
        "statement: HRDC says its report is based on",
        "statement: HRDC says that its report is based on",
    )


def remove_claim(seeds: Path) -> None:
    text = (seeds / HERALD).read_text(encoding="utf-8")
    start = text.index("  - id: hrdc-2018-basis-250-interviews")
    end = text.index("  - id: ", start + 10)
    (seeds / HERALD).write_text(text[:start] + text[end:], encoding="utf-8")


def move_source_date(seeds: Path) -> None:
    """Claims in the article take this report's date: they change although their file did not."""
    replace(seeds / "sources.yaml", "      date: 2018-06-13\n", "      date: 2018-06\n")


def drop_used_organisation(seeds: Path) -> None:
    """Claims in another file name this organisation: the load must re-read them and refuse."""
    text = (seeds / "organisations.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: unidentified-outlet-c")
    end = text.find("\n  - id: ", start + 10)
    (seeds / "organisations.yaml").write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), encoding="utf-8")


def duplicate_claim_elsewhere(seeds: Path) -> None:
    text = (seeds / HERALD).read_text(encoding="utf-8")
    start = text.index("  - id: un-panel-2015-crimes-against-humanity")
    end = text.index("  - id: ", start + 10)
    claim = text[start:end]
    shutil.copy(seeds / HERALD, seeds / "zz-copy.yaml")
    copy = (seeds / "zz-copy.yaml").read_text(encoding="utf-8")
    copy = copy[: copy.index("claims:\n") + len("claims:\n")] + claim
    copy = copy.replace("id: herald-2018-06-14-hrdc-executions", "id: herald-copy", 1)
    (seeds / "zz-copy.yaml").write_text(copy, encoding="utf-8")


def rename_used_term(seeds: Path) -> None:
    replace(seeds / "vocabularies.yaml", "      shooting:\n", "      gunfire:\n")


def relabel_term(seeds: Path) -> None:
    replace(seeds / "vocabularies.yaml", "        label: Shooting\n", "        label: Shooting (gunfire)\n")


def delete_article(seeds: Path) -> None:
    (seeds / WIRE).rename(seeds.parent / WIRE)


def restore_article(seeds: Path) -> None:
    (seeds.parent / WIRE).rename(seeds / WIRE)


def alter_document(seeds: Path) -> None:
    document = seeds / "documents" / "wire-2022-11-03.txt"
    document.write_bytes(document.read_bytes().replace(b"executions", b"executions ", 1))


MORE = "zz-organisations.yaml"
"""Sorts after organisations.yaml, so a load that reads every file meets the stored organisations first."""
MORE_TEXT = """\
organisations:
  - id: hrdc-seoul-office
    name: human rights documentation centre
    kind: ngo
    part_of: hrdc
places:
  - id: chongjin-harbour
    name: Chongjin harbour
    kind: city
    part_of: chongjin
"""


def add_organisations_file(seeds: Path) -> None:
    """Its organisation is part of a stored one and repeats a stored name (names may repeat); its
    place is part of a stored place."""
    (seeds / MORE).write_text(MORE_TEXT, encoding="utf-8")


def unknown_parent_place(seeds: Path) -> None:
    """The message suggests the closest place, stored ones included."""
    replace(seeds / MORE, "    part_of: chongjin\n", "    part_of: chongjinn\n")


def drop_parent_organisation(seeds: Path) -> None:
    """Organisations in an unchanged file are part of it: that file is read again and refused too."""
    replace(seeds / "organisations.yaml", "    part_of: hrdc\n", "")
    text = (seeds / "organisations.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: hrdc\n")
    end = text.index("  - id: ", start + 10)
    (seeds / "organisations.yaml").write_text(text[:start] + text[end:], encoding="utf-8")


def remove_organisations_file(seeds: Path) -> None:
    """What it defined goes with it; nothing else used it."""
    (seeds / MORE).unlink()


def undo(step: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(seeds: Path) -> None:
        snapshot_dir = seeds.parent / f"before-{step.__name__}"
        shutil.rmtree(seeds)
        shutil.copytree(snapshot_dir, seeds)

    run.__name__ = f"undo_{step.__name__}"
    return run


STEPS: list[tuple[Callable[[Path], None], bool, int | None]] = [
    (edit_statement, True, 1),
    (remove_claim, True, 1),
    (move_source_date, True, 2),  # sources.yaml and the article whose claims take its date
    (relabel_term, True, 1),
    (drop_used_organisation, False, None),
    (rename_used_term, False, None),
    (duplicate_claim_elsewhere, False, None),
    (delete_article, True, 0),
    (restore_article, True, 1),
    (alter_document, False, None),
    (add_organisations_file, True, 1),
    (unknown_parent_place, False, None),
    (drop_parent_organisation, False, None),
    (remove_organisations_file, True, 0),
]


def test_a_curators_day_loads_as_a_full_load_would(cli: Cli, basic_seeds: Path, db_url: str, twin_db: str) -> None:
    for db in (db_url, twin_db):
        assert cli("--db", db, "load", basic_seeds, "-q").exit_code == 0
    for step, valid, expected_reads in STEPS:
        before = basic_seeds.parent / f"before-{step.__name__}"
        shutil.copytree(basic_seeds, before)
        step(basic_seeds)
        if valid:
            partial = cli("--db", db_url, "load", basic_seeds)
            full = cli("--db", twin_db, "load", basic_seeds, "--force")
            assert partial.exit_code == 0 and full.exit_code == 0, (step.__name__, partial.output, full.output)
            assert files_read(partial.stdout) == expected_reads, (step.__name__, partial.stdout)
            assert without_load_times(db_url) == without_load_times(twin_db), step.__name__
        else:
            dump = snapshot(db_url)
            partial = cli("--db", db_url, "load", basic_seeds)
            checked = cli("check", basic_seeds)
            assert partial.exit_code == checked.exit_code == 1, (step.__name__, partial.output)
            assert partial.output == checked.output, step.__name__
            assert snapshot(db_url) == dump, step.__name__
            undo(step)(basic_seeds)


def test_the_date_a_claim_takes_from_another_file_follows_it(cli: Cli, basic_seeds: Path, sqlite_path: str) -> None:
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    move_source_date(basic_seeds)
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    shown = cli("--db", sqlite_path, "show", "hrdc-2018-method-shooting", "--format", "json").stdout
    assert '"claimed_on": "2018-06"' in shown


def test_a_refused_partial_load_names_the_unchanged_file_that_breaks(
    cli: Cli, basic_seeds: Path, sqlite_path: str
) -> None:
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    drop_used_organisation(basic_seeds)
    result = cli("--db", sqlite_path, "load", basic_seeds)
    assert result.exit_code == 1
    assert (
        f"{basic_seeds / UNDATED}:" in result.output and "unknown organisation 'unidentified-outlet-c'" in result.output
    )


def test_many_files_one_changed_reads_one(cli: Cli, tmp_path: Path, sqlite_path: str) -> None:
    seeds = tmp_path / "corpus"
    written = generate_corpus(seeds, 5000, seed=3)
    assert cli("--db", sqlite_path, "load", seeds, "-q").exit_code == 0
    target = sorted(seeds.glob("article-*.yaml"))[7]
    replace(target, "statement: Synthetic claim 0 ", "statement: Edited synthetic claim 0 ")
    result = cli("--db", sqlite_path, "load", seeds)
    assert result.exit_code == 0, result.output
    assert files_read(result.stdout) == 1
    said = " ".join(result.stdout.split())
    assert (
        f"0 added, 1 changed, 0 restored, 0 withdrawn, {written['claims'] - 1} unchanged; {written['claims']} claims "
        "in the seeds"
        in said
    )
    edited = cli("--db", sqlite_path, "list", "--search", "Edited", "--format", "csv").stdout
    assert edited.count("\n") == 2  # the header and the one edited claim: the search index followed
    import sqlite3

    with sqlite3.connect(sqlite_path) as connection:  # and its entry kept the claim's rowid, which search plans use
        misplaced = connection.execute(
            "SELECT count(*) FROM claims c JOIN claims_fts f ON f.id = c.id WHERE f.rowid != c.rowid"
        ).fetchone()[0]
    assert misplaced == 0


def test_a_search_index_at_other_rowids_is_rewritten_right(cli: Cli, basic_seeds: Path, sqlite_path: str) -> None:
    """A load finds a changed claim's index entry by its rowid; where entries sit elsewhere (as an
    older claimsdb or a VACUUM may leave them), it still finds and replaces each one."""
    import sqlite3

    from conftest import execute_sql

    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    execute_sql(sqlite_path, "DELETE FROM claims_fts")
    execute_sql(
        sqlite_path,
        "INSERT INTO claims_fts(id, statement, quote) SELECT id, statement, quote FROM claims ORDER BY id DESC",
    )
    edit_statement(basic_seeds)
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    with sqlite3.connect(sqlite_path) as connection:
        claims = connection.execute("SELECT count(*) FROM claims").fetchone()[0]
        entries = connection.execute("SELECT id, statement FROM claims_fts").fetchall()
        stated = connection.execute("SELECT id, statement FROM claims").fetchall()
    assert len(entries) == claims  # one entry a claim: the edited claim's old entry is gone
    assert sorted(entries) == sorted(stated)
    edited = cli("--db", sqlite_path, "list", "--search", "says that its report", "--format", "csv").stdout
    assert edited.count("\n") == 2  # the header and the edited claim


def test_rows_from_before_revision_0004_make_the_next_load_read_everything(
    cli: Cli, basic_seeds: Path, sqlite_path: str
) -> None:
    from conftest import execute_sql

    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    execute_sql(sqlite_path, "UPDATE vocabularies SET seed_file = NULL")  # as revision 0004 leaves old rows
    edit_statement(basic_seeds)
    result = cli("--db", sqlite_path, "load", basic_seeds)
    assert result.exit_code == 0, result.output
    assert files_read(result.stdout) is None  # every file read
    assert "1 changed" in result.stdout
    relabel_term(basic_seeds)
    assert files_read(cli("--db", sqlite_path, "load", basic_seeds).stdout) == 1  # and from then on, only what changed


@pytest.mark.parametrize(
    ("aliases", "problem"),
    [
        ("[Human Rights Documentation Centre]", "an alias 'Human Rights Documentation Centre' is also the name of "
         "organisation 'hrdc'"),
        ("[mou]", "an alias 'mou' is also an alias of organisation 'ministry-of-unification'"),
        ("[Canada]", "an alias 'Canada' is also the id of organisation 'canada'"),
    ],
)  # fmt: skip
def test_a_partial_load_checks_new_names_against_the_stored_organisations(
    cli: Cli, basic_seeds: Path, db_url: str, aliases: str, problem: str
) -> None:
    """The stored organisations are not all read for a one-file load: those that can clash are found."""
    assert cli("--db", db_url, "load", basic_seeds, "-q").exit_code == 0
    add_organisations_file(basic_seeds)
    loaded = cli("--db", db_url, "load", basic_seeds)
    assert loaded.exit_code == 0 and files_read(loaded.stdout) == 1, loaded.output  # a repeated name is fine
    dump = snapshot(db_url)
    replace(basic_seeds / MORE, "    part_of: hrdc\n", f"    part_of: hrdc\n    aliases: {aliases}\n")
    partial, checked = cli("--db", db_url, "load", basic_seeds), cli("check", basic_seeds)
    assert partial.exit_code == checked.exit_code == 1, partial.output
    for result in (partial, checked):
        said = " ".join(result.output.split())
        assert "1 problem in the seeds" in said and f"organisation 'hrdc-seoul-office': {problem}" in said, said
    assert snapshot(db_url) == dump


def test_names_are_compared_as_casefold_compares_them_not_as_sql_lower_cases_them(
    cli: Cli, basic_seeds: Path, db_url: str
) -> None:
    """"Straße" casefolds to "strasse", which SQL's lower() never makes of it: the stored alias is still found."""
    replace(basic_seeds / "organisations.yaml", "      - ARW\n", "      - ARW\n      - Straße Watch\n")
    assert cli("--db", db_url, "load", basic_seeds, "-q").exit_code == 0
    add_organisations_file(basic_seeds)
    replace(basic_seeds / MORE, "    part_of: hrdc\n", "    part_of: hrdc\n    aliases: [STRASSE WATCH]\n")
    partial = cli("--db", db_url, "load", basic_seeds)
    assert partial.exit_code == 1, partial.output
    said = " ".join(partial.output.split())
    assert "an alias 'STRASSE WATCH' is also an alias of organisation 'asia-rights-watch'" in said, said
