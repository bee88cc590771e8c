"""Defects a hostile-input review found (issue 13, items 3, 5, 6, 7, 9, 10 and 13), one test each.

Every test uses the tests' own small seeds (tests/fixtures/hostile-b, or written here), real files,
the real CLI (the `cli` fixture, or a subprocess where the working folder matters), the real web app
through Starlette's test client, and SQLite and PostgreSQL wherever a database is involved.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from claimsdb.web import create_app
from conftest import BACKENDS, FIXTURES, load_for_module, snapshot, write_seed

Cli = Callable[..., Any]

OWN_SEEDS = FIXTURES / "hostile-b"
CLAIM_IDS = ["tjwg-method-shooting", "tjwg-location-river-banks", "north-korea-denial"]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/hostile-b (three claims from one document), free to edit."""
    target = tmp_path / "seeds"
    shutil.copytree(OWN_SEEDS, target)
    return target


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest) -> str:
    """A database on each back end with tests/fixtures/hostile-b loaded through the CLI (from a
    folder named `seeds`, as `seeds` is), once per module: for the tests that only read it."""
    return load_for_module(request, OWN_SEEDS, "seeds")


@pytest.fixture
def own_loaded(db_url: str, seeds: Path, cli: Cli) -> str:
    """tests/fixtures/hostile-b loaded from `seeds` into a database of the test's own, free to change."""
    result = cli("--db", db_url, "load", seeds, "--quiet")
    assert result.exit_code == 0, result.output
    return db_url


def error_line(result: Any) -> str:
    """The one-line message of a refused command: exit status 1, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


# --- 3: a failed `export --out` never damages an existing export -----------------------------------------


def _export_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_refused_export_leaves_the_previous_export_whole(loaded: str, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert cli("--db", loaded, "export", "--out", out, "--quiet").exit_code == 0
    before = _export_files(out)
    assert len(before["claims.csv"].splitlines()) == 1 + len(CLAIM_IDS)

    for bad in (["--term", "bogus"], ["--claimant", "nobody-at-all"], ["--from", "2017-13"]):
        message = error_line(cli("--db", loaded, "export", *bad, "--out", out, "--quiet"))
        assert message.startswith("Error: ")
        assert _export_files(out) == before, bad  # no truncated CSV, no stale package, no temporary file

    fresh = tmp_path / "never-made"
    error_line(cli("--db", loaded, "export", "--term", "bogus", "--out", fresh))
    assert not fresh.exists()  # options are checked before the folder is made


def test_an_export_that_succeeds_replaces_every_file_and_leaves_no_temporary_file(
    loaded: str, cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    assert cli("--db", loaded, "export", "--out", out, "--quiet").exit_code == 0
    assert cli("--db", loaded, "export", "--claimant", "north-korea", "--out", out, "--quiet").exit_code == 0
    assert sorted(path.name for path in out.iterdir()) == ["claims.csv", "datapackage.json", "terms.csv"]
    rows = list(csv.DictReader(io.StringIO((out / "claims.csv").read_text(encoding="utf-8"))))
    assert [row["claim_id"] for row in rows] == ["north-korea-denial"]
    assert oct((out / "claims.csv").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_export_refuses_a_linked_claims_csv_a_folder_in_its_place_and_an_empty_out(
    loaded: str, cli: Cli, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "claims.csv").symlink_to(victim)
    message = error_line(cli("--db", loaded, "export", "--out", linked))
    assert "claims.csv is a symbolic link" in message
    assert victim.read_text(encoding="utf-8") == "precious\n" and (linked / "claims.csv").is_symlink()
    assert sorted(path.name for path in linked.iterdir()) == ["claims.csv"]

    folder = tmp_path / "folder"
    (folder / "claims.csv").mkdir(parents=True)
    message = error_line(cli("--db", loaded, "export", "--out", folder))
    assert "claims.csv is not a file" in message
    assert sorted(path.name for path in folder.iterdir()) == ["claims.csv"]

    for name in ("terms.csv", "datapackage.json"):  # every file of the package
        other = tmp_path / f"linked-{name}"
        other.mkdir()
        (other / name).symlink_to(victim)
        assert f"{name} is a symbolic link" in error_line(cli("--db", loaded, "export", "--out", other))
        assert victim.read_text(encoding="utf-8") == "precious\n"

    message = error_line(cli("--db", loaded, "export", "--out", ""))
    assert "--out needs a folder" in message


# --- 5: one organisation's alias may not be another's name or alias ----------------------------------------

CLASHING = """\
organisations:
  - id: watch-group
    name: Transitional Justice Watch Group
    kind: ngo
    aliases: [tjwg, Watchers]
"""


def test_an_alias_that_names_another_organisation_is_refused_with_both_places(
    seeds: Path, db_url: str, cli: Cli
) -> None:
    write_seed(seeds, "more-organisations.yaml", CLASHING)
    for args in (["check", seeds], ["--db", db_url, "load", seeds, "--quiet"]):
        message = error_line(cli(*args))
        assert "1 problem in the seeds" in message
        # reported at the later file (organisations.yaml sorts after more-organisations.yaml), naming both
        assert (
            f"{seeds / 'organisations.yaml'}:3: organisation 'tjwg': the id 'tjwg' is also an alias of organisation "
            "'watch-group'"
            in message
        )
        assert (
            f"({seeds / 'more-organisations.yaml'}:2), so `--claimant tjwg` would find both; remove that alias of "
            "'watch-group'"
            in message
        )
    assert snapshot(db_url) == []


def test_an_alias_added_later_is_checked_against_the_organisations_already_loaded(
    own_loaded: str, seeds: Path, cli: Cli
) -> None:
    """A load that reads only the new file still sees the stored organisations' names and aliases."""
    before = snapshot(own_loaded)
    write_seed(seeds, "more-organisations.yaml", CLASHING.replace("[tjwg, Watchers]", "[Watchers, PYONGYANG]"))
    message = error_line(cli("--db", own_loaded, "load", seeds, "--quiet"))
    assert "1 problem in the seeds" in message
    assert (
        f"{seeds / 'more-organisations.yaml'}:2: organisation 'watch-group': an alias 'PYONGYANG' is also an alias "
        "of organisation 'north-korea' (seeds/organisations.yaml:10)"
        in message
    )
    assert snapshot(own_loaded) == before

    write_seed(seeds, "more-organisations.yaml", CLASHING.replace("[tjwg, Watchers]", "[Watchers]"))
    assert cli("--db", own_loaded, "load", seeds, "--quiet").exit_code == 0  # its own name and aliases are fine
    shown = cli("--db", own_loaded, "list", "--claimant", "TJWG", "--format", "json")
    assert shown.exit_code == 0 and '"claimant_id": "watch-group"' not in shown.output


# --- 6: numbers from users are ASCII digits, bounded -----------------------------------------------------


@pytest.fixture
def site(loaded: str) -> Iterator[TestClient]:
    with TestClient(create_app(loaded)) as client:
        yield client


BAD_COUNTS = ["99999999999999999999", "²", "١٢", "1_0", "-1", "1e3", "9" * 5000]


def test_web_offsets_and_limits_outside_plain_bounded_digits_are_a_400(site: TestClient) -> None:
    for path in ("/", "/claims.json", "/claims.csv"):
        for name in ("offset", "limit"):
            for value in BAD_COUNTS:
                response = site.get(path, params={name: value})
                assert response.status_code == 400, (path, name, value, response.text[:300])
                assert "must be a whole number from" in response.text and "digits 0-9" in response.text


def test_web_offsets_within_bounds_still_page(site: TestClient) -> None:
    assert site.get("/", params={"offset": "1000000000"}).status_code == 200  # past the end: an empty page
    page = site.get("/", params={"offset": "2", "limit": "1"})
    assert page.status_code == 200
    assert [claim for claim in CLAIM_IDS if f'href="/claims/{claim}"' in page.text] == ["north-korea-denial"]


def test_list_limit_outside_plain_bounded_digits_is_a_usage_error(loaded: str, cli: Cli) -> None:
    for value in ("99999999999999999999999999", "0", "²", "١٢", "1_0", " "):
        result = cli("--db", loaded, "list", "--limit", value)
        assert result.exit_code == 2 and "Traceback" not in result.output, (value, result.output)
        assert "Invalid value for '--limit': the limit must be a whole number from 1 to 1,000,000,000" in result.output
    assert cli("--db", loaded, "list", "--limit", "1000000000").exit_code == 0


def test_load_wait_must_be_a_finite_number_of_seconds_up_to_a_week(seeds: Path, db_url: str, cli: Cli) -> None:
    for value in ("inf", "nan", "-inf", "1e400", "604801", "99999999999999999999", "-1", "١"):
        result = cli("--db", db_url, "load", seeds, "--wait", value, "--quiet")
        assert result.exit_code == 2 and "Traceback" not in result.output, (value, result.output)
        assert "Invalid value for '--wait': the wait must be a number of seconds from 0 to 604800" in result.output
    assert snapshot(db_url) == []
    assert cli("--db", db_url, "load", seeds, "--wait", "604800", "--quiet").exit_code == 0


def test_the_library_refuses_an_endless_wait_too(seeds: Path, db_url: str) -> None:
    from claimsdb import api
    from claimsdb.errors import ClaimsError

    for seconds in (float("inf"), float("nan"), 1e300):
        with pytest.raises(ClaimsError, match="the wait must be a number of seconds"):
            api.load(db_url, seeds, wait_seconds=seconds)
    assert api.load(db_url, seeds, wait_seconds=0.5).run_id == 1


# --- 7: --db with a scheme claimsdb does not support ------------------------------------------------------


@pytest.mark.parametrize(
    "db",
    [
        "ftp://x/y",
        "http://127.0.0.1:1/",
        "mysql://curator:s3cret@db.example/claims",
        "://",
        "postgresql+psycopg2://a/b",
        "oracle://x",
    ],
)
def test_an_unsupported_database_url_says_which_are_supported(cli: Cli, db: str, seeds: Path, tmp_path: Path) -> None:
    for args in (
        ["list"],
        ["stats"],
        ["load", seeds, "--quiet"],
        ["export", "--out", tmp_path / "out"],
        ["serve"],
        ["migrate"],
    ):
        result = cli("--db", db, *args)
        message = error_line(result)
        assert message.startswith(f"Error: unsupported database '{db.split('://')[0]}://' in --db or $CLAIMS_DB"), (
            message
        )
        assert "a SQLite file path (claims.db), a sqlite:///path/to/claims.db URL, or a PostgreSQL URL" in message
        assert "s3cret" not in message  # never the rest of the URL, which may hold a password
    assert not (tmp_path / "out").exists()


def test_a_malformed_postgresql_url_is_a_message_and_sqlite_urls_still_work(
    cli: Cli, seeds: Path, tmp_path: Path
) -> None:
    message = error_line(cli("--db", "postgresql://curator@db.example:notaport/claims", "list"))
    assert message.startswith("Error: cannot read the postgresql URL in --db or $CLAIMS_DB")
    path = tmp_path / "claims.db"
    assert cli("--db", f"SQLite:///{path}", "load", seeds, "--quiet").exit_code == 0
    listed = cli("--db", f"sqlite:///{path}", "list", "--format", "json")
    assert listed.exit_code == 0 and all(claim in listed.output for claim in CLAIM_IDS)


# --- 9: verify checks the database file; an export that fails part-way says so ------------------------------


def damage_tables(db: str, *tables: str) -> None:
    """Overwrite the root pages of `tables` in a SQLite file with junk, as a failing disk might."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
    connection.execute("PRAGMA journal_mode=DELETE")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    roots = dict(connection.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").fetchall())
    connection.close()
    with open(db, "r+b") as handle:
        for table in tables:
            handle.seek((roots[table] - 1) * page_size)
            handle.write(b"\xa5" * page_size)


def test_verify_checks_the_database_file_as_well_as_the_anchors(loaded: str, seeds: Path, cli: Cli) -> None:
    result = cli("--db", loaded, "verify", seeds)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK: {len(CLAIM_IDS)} quote anchors verified in 1 documents")
    assert ("quick_check finds the database file intact" in result.stdout) == (not loaded.startswith("postgresql"))


@pytest.fixture
def damaged(sqlite_path: str, seeds: Path, cli: Cli) -> str:
    """A SQLite database whose organisation and source pages are junk; claims and documents intact."""
    assert cli("--db", sqlite_path, "load", seeds, "--quiet").exit_code == 0
    damage_tables(sqlite_path, "organisations", "sources")
    return sqlite_path


def test_verify_reports_a_damaged_database_file(damaged: str, seeds: Path, cli: Cli) -> None:
    listed = cli("--db", damaged, "list")
    assert listed.exit_code == 1 and "malformed" in listed.output  # what a user meets
    result = cli("--db", damaged, "verify", seeds)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not result.stdout.startswith("OK")
    assert "DAMAGED: " in result.stderr
    assert "Error: the database file is damaged (SQLite's quick_check)" in result.stderr


def test_an_export_that_fails_part_way_says_so_and_leaves_no_half_export(
    damaged: str, cli: Cli, tmp_path: Path
) -> None:
    result = cli("--db", damaged, "export")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: the export stopped part-way: the database failed" in result.stderr
    assert "the CSV written so far is incomplete" in result.stderr

    out = tmp_path / "export"
    out.mkdir()
    (out / "claims.csv").write_text("the previous export\n", encoding="utf-8")
    (out / "datapackage.json").write_text("{}\n", encoding="utf-8")
    before = _export_files(out)
    result = cli("--db", damaged, "export", "--out", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "Error: the export stopped part-way: the database failed (DatabaseError: database disk image is malformed); "
        f"{out} was left as it was"
        in result.stderr
    )
    assert _export_files(out) == before


# --- 10: the stored seed_file does not depend on how the seeds folder was named ------------------------------


def stored_seed_files(db: str) -> set[str]:
    from claimsdb import api
    from claimsdb.query import ClaimFilter

    out = io.StringIO()
    api.export_csv(db, ClaimFilter(), out)
    return {row["seed_file"] for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_loading_the_same_seeds_by_another_name_stores_the_same_paths(
    own_loaded: str, seeds: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`load /abs/seeds` and then `load .` inside it, `load ./`, `load ../seeds/`, a link to it: same seed_file."""
    assert stored_seed_files(own_loaded) == {"seeds/article.yaml"}
    (seeds.parent / "link").symlink_to(seeds, target_is_directory=True)
    for folder, name in ((seeds, "."), (seeds / "documents", ".."), (seeds, "../seeds/"), (seeds.parent, "link")):
        monkeypatch.chdir(folder)
        result = cli("--db", own_loaded, "load", name, "--quiet", "--force")
        assert result.exit_code == 0, result.output
        assert "0 added, 0 changed, 0 restored, 0 withdrawn, 3 unchanged" in " ".join(result.output.split()), (
            name,
            result.output,
        )
        assert stored_seed_files(own_loaded) == {"seeds/article.yaml"}, name
        unchanged = cli("--db", own_loaded, "load", name, "--quiet")
        assert "Nothing changed" in unchanged.output, (
            name,
            unchanged.output,
        )  # the hashes are found under the same names


# --- 13: small things --------------------------------------------------------------------------------------


def listed_ids(result: Any) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))]


def test_a_blank_search_is_no_search_and_one_without_words_is_an_error(loaded: str, cli: Cli, site: TestClient) -> None:
    everything = listed_ids(cli("--db", loaded, "list", "--format", "csv"))
    assert sorted(everything) == sorted(CLAIM_IDS)
    for blank in ("", "  ", "\t \n"):
        assert listed_ids(cli("--db", loaded, "list", "--search", blank, "--format", "csv")) == everything, repr(blank)
    exported = cli("--db", loaded, "export", "--search", "  ")
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 1 + len(CLAIM_IDS)
    message = error_line(cli("--db", loaded, "list", "--search", "!!! ?"))
    assert "Error: the search '!!! ?' has no words to look for (letters or digits)" in message
    page = site.get("/", params={"q": "!!!"})
    assert page.status_code == 400 and "has no words to look for" in page.text
    assert listed_ids(cli("--db", loaded, "list", "--search", "  firing  ", "--format", "csv")) == [
        "tjwg-method-shooting"
    ]


def test_an_unknown_claim_type_is_an_error_like_an_unknown_term(loaded: str, cli: Cli, site: TestClient) -> None:
    for command in ("list", "export"):
        message = error_line(cli("--db", loaded, command, "--type", "execution_methd"))
        assert "Error: no claim type matches 'execution_methd'; closest: execution_method" in message
        assert "(one of execution_method, offence, defection_figure," in message
    term = error_line(cli("--db", loaded, "list", "--term", "bogus"))
    assert term.startswith("Error: no vocabulary term matches 'bogus'")
    assert site.get("/", params={"type": "bogus"}).status_code == 400
    for spelling in ("execution_method", "Execution Method", "execution-method"):
        assert listed_ids(cli("--db", loaded, "list", "--type", spelling, "--format", "csv")) == [
            "tjwg-method-shooting"
        ]


def test_verify_with_a_missing_seeds_folder_says_so(loaded: str, cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    result = cli("--db", loaded, "verify", missing)
    message = error_line(result)
    assert f"Error: {missing}: no such seeds folder" in message
    assert "DRIFT" not in message


def test_anchor_with_empty_words_says_they_are_empty(loaded: str, seeds: Path, cli: Cli) -> None:
    for document in ("watchdog-article", seeds / "documents" / "article.txt"):
        for words in ("", "   "):
            message = error_line(cli("--db", loaded, "anchor", document, words))
            assert "Error: the words to find are empty" in message, message
            assert "Unicode" not in message and "whitespace" not in message
    found = cli("--db", loaded, "anchor", "watchdog-article", "firing squads")
    assert found.exit_code == 0 and "firing squads" in found.output


def test_csv_listings_with_no_rows_still_print_the_header(db_url: str, seeds: Path, cli: Cli) -> None:
    assert cli("--db", db_url, "migrate").exit_code == 0  # an empty database: no sources, claimants or runs
    for command in ("sources", "claimants", "runs"):
        result = cli("--db", db_url, command, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("id,") and len(result.stdout.splitlines()) == 1, (command, result.stdout)
    assert cli("--db", db_url, "load", seeds, "--quiet").exit_code == 0
    result = cli("--db", db_url, "list", "--claimant", "north-korea", "--type", "execution_method", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "id,type,status,statement,claimant_id,claimant_name,made_in_id,made_in_title,document_id,claimed_on,"
        "claimed_on_precision,quote,attribution,place,date_match"
    ]
    assert "No claims match these filters." in result.stderr


def _claims(*args: object) -> subprocess.CompletedProcess[str]:
    """The real `claims` program, with a time limit: what is tested here used to wait for ever."""
    return subprocess.run(
        [sys.executable, "-m", "claimsdb", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_a_named_pipe_among_the_seeds_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A pipe called `x.yaml` would make a reader wait for a writer for ever: check, a first load and
    a load into a database all refuse it at once, say what it is, and write nothing."""
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "basic", seeds)
    db = tmp_path / "claims.db"
    assert _claims("--db", db, "load", seeds, "-q").returncode == 0
    before = snapshot(str(db))
    os.mkfifo(seeds / "pipe.yaml")
    message = f"{seeds / 'pipe.yaml'}: this is not a plain file (a pipe or a device?); remove it"
    for args in (("check", seeds), ("--db", tmp_path / "new.db", "load", seeds), ("--db", db, "load", seeds),
                 ("--db", db, "load", seeds, "--force")):  # fmt: skip
        result = _claims(*args)
        assert result.returncode == 1, result.stderr
        assert message in result.stderr + result.stdout, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "new.db").exists()
    assert snapshot(str(db)) == before
