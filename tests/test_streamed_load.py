"""A first load into a SQLite database without claims writes each file's claims while the files
are still being parsed (load.stream). It must leave exactly the database an ordinary load leaves,
and fail exactly as any load fails: with the seeds' own messages, and no trace in the database.

The corpus is the tests' own seeds (tests/fixtures/basic) copied until there are enough files for
worker processes, as benchmarks/real_corpus.py copies the project's seeds. In each copy the claim
files sort before sources.yaml, so claims dated by a source of that file wait for it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from claimsdb import api
from claimsdb.db import models as m
from claimsdb.db.database import Database
from claimsdb.db.engine import database_url
from claimsdb.errors import DatabaseStateError, SeedError
from claimsdb.load.write import CLAIM_ROW, insert_rows
from claimsdb.load.stream import ClaimStream
from claimsdb.seeds.collect import PARALLEL_FROM_FILES
from claimsdb.seeds.files import seed_paths
from claimsdb.seeds.records import CLAIM_COLUMNS
from claimsdb.seeds.resolve import resolve_file
from conftest import _new_pg_database, comparable, snapshot, write_seed

Cli = Callable[..., Any]
PROJECT = Path(__file__).resolve().parent.parent
BASIC = Path(__file__).resolve().parent / "fixtures" / "basic"


def _copies(root: Path, claims: int) -> Path:
    spec = importlib.util.spec_from_file_location("claimsdb_real_corpus", PROJECT / "benchmarks" / "real_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, claims, BASIC)
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _copies(tmp_path_factory.mktemp("streamed") / "seeds", 1500)
    assert len(seed_paths(root)) >= PARALLEL_FROM_FILES  # parsed by worker processes, as a large load is
    assert _files_before_their_sources(root) > 0  # so some claims wait for a source's date
    return root


def _files_before_their_sources(root: Path) -> int:
    """Seed files with claims dated by a source that only a later file defines."""
    defined: set[str] = set()
    early = 0
    for path in seed_paths(root):
        result = resolve_file(root, path)
        defined |= {source.id for source in result.sources}
        early += not result.claims_dated_by <= defined
    return early


def _ordinary_load(monkeypatch: pytest.MonkeyPatch, db: str, seeds: Path) -> api.LoadReport:
    """The same load the ordinary way: parse every file, check them, then write."""
    with monkeypatch.context() as patch:
        patch.setattr("claimsdb.api._holds_no_claims", lambda _db, _run: False)
        return api.load(db, seeds)


def _claim_ids_in_file_order(seeds: Path) -> list[str]:
    ids: list[str] = []
    for path in seed_paths(seeds):
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader) or {}
        ids += [claim["id"] for claim in data.get("claims") or ()]
    return ids


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def _search_entries(db: Path) -> list[Any]:
    """The full-text index, as searches see it: its entries by rowid, and what a few words find."""
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO claims_fts(claims_fts) VALUES ('integrity-check')")
        entries = connection.execute("SELECT rowid, id, statement, quote FROM claims_fts ORDER BY rowid").fetchall()
        match = "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ? ORDER BY rowid"
        found = [connection.execute(match, (word,)).fetchall() for word in ("execution", "public", "ministry", "shot*")]
    return [entries, found]


def _two_empty_databases(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> tuple[str, str]:
    if backend == "sqlite":
        return str(tmp_path / "streamed.db"), str(tmp_path / "ordinary.db")
    server = request.getfixturevalue("postgres")
    return _new_pg_database(server), _new_pg_database(server)


def test_a_streamed_first_load_leaves_the_database_an_ordinary_load_leaves(
    request: pytest.FixtureRequest, backend: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("claimsdb.load.stream.BATCH_SIZE", 97)  # many writes while the workers parse
    streamed, ordinary = _two_empty_databases(request, backend, tmp_path)
    report = api.load(streamed, corpus)
    expected = _ordinary_load(monkeypatch, ordinary, corpus)
    assert report.added == expected.added == _claim_ids_in_file_order(corpus)
    assert report.claims_total == expected.claims_total == len(report.added)
    assert comparable(snapshot(streamed)) == comparable(snapshot(ordinary))
    if backend == "sqlite":
        streamed_file, ordinary_file = Path(streamed), Path(ordinary)
        assert _search_entries(streamed_file) == _search_entries(ordinary_file)
        assert all(_search_entries(streamed_file)[1])  # each word finds claims: the comparison is not of nothing
        in_rowid_order = "SELECT id FROM claims ORDER BY rowid"
        assert _rows(streamed_file, in_rowid_order) == _rows(ordinary_file, in_rowid_order)  # in file order
        assert _rows(streamed_file, "PRAGMA foreign_key_check") == []
        assert _rows(streamed_file, "PRAGMA integrity_check") == [("ok",)]
        assert _rows(streamed_file, "PRAGMA journal_mode") == [("wal",)]  # readers never wait for a load
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    else:  # the foreign keys the load dropped are back, as the migrations made them
        assert _foreign_keys(streamed) == _foreign_keys(ordinary) != []


def _foreign_keys(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            query = (
                "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                "WHERE contype = 'f' ORDER BY conname"
            )
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def test_claims_dated_by_a_source_parsed_after_them_take_its_date(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    api.load(str(db), corpus)
    dated = _rows(db, "SELECT count(*) FROM claims WHERE claimed_on_inferred_reason LIKE 'the publication date of %'")
    assert dated[0][0] > 0
    again = api.load(str(db), corpus, force=True)  # the ordinary way, every file read and compared
    assert (again.added, again.changed, again.withdrawn) == ([], [], [])


@pytest.mark.parametrize("problem", ["duplicate", "unknown source", "duplicate organisation"])
def test_bad_seeds_in_a_first_load_leave_no_database_file(cli: Cli, corpus: Path, tmp_path: Path, problem: str) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    claim_file = sorted(seeds.glob("copy-00003/*executions*.yaml"))[0]
    text_before = claim_file.read_text(encoding="utf-8")
    if problem == "duplicate organisation":  # written with the claims, file by file: the first one counts
        first = yaml.safe_load((seeds / "copy-00001" / "organisations.yaml").read_text())["organisations"][0]["id"]
        claim_file = seeds / "copy-00003" / "organisations.yaml"
        text_before = claim_file.read_text(encoding="utf-8")
        own = yaml.safe_load(text_before)["organisations"][0]["id"]
        claim_file.write_text(text_before.replace(f"id: {own}\n", f"id: {first}\n", 1), encoding="utf-8")
        wanted = f"duplicate organisation id '{first}'"
    elif problem == "duplicate":  # an id the first copy's file defines too, which the database would refuse
        first = _claim_ids_in_file_order(seeds)[0]
        own = yaml.safe_load(text_before)["claims"][0]["id"]
        claim_file.write_text(text_before.replace(f"id: {own}\n", f"id: {first}\n", 1), encoding="utf-8")
        wanted = f"duplicate claim id '{first}'"
    else:  # a claim made in a source no file defines: the reference the database would check at commit
        made_in = yaml.safe_load(text_before)["claims"][0]["made_in"]
        broken = text_before.replace(f"made_in: {made_in}\n", "made_in: nowhere-report\n", 1)
        claim_file.write_text(broken, encoding="utf-8")
        wanted = "unknown source 'nowhere-report'"
    db = tmp_path / "claims.db"
    result = cli("--db", db, "load", seeds)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert wanted in result.stderr and str(claim_file) in result.stderr
    assert sorted(tmp_path.glob("claims.db*")) == sorted(tmp_path.glob(".claims.db*")) == []  # nor half-made one


def test_bad_seeds_leave_an_existing_empty_database_as_it_was(
    cli: Cli, backend: str, db_url: str, corpus: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    assert cli("--db", db_url, "migrate").exit_code == 0
    before = snapshot(db_url)
    keys = _foreign_keys(db_url) if backend == "postgresql" else []
    write_seed(seeds, "zz-broken.yaml", "claims:\n  - id: lonely-claim\n    claimant: nobody-at-all\n")
    result = cli("--db", db_url, "load", seeds)
    assert result.exit_code == 1 and "zz-broken.yaml" in result.stderr
    assert snapshot(db_url) == before
    if backend == "postgresql":  # the foreign keys the load dropped came back with the rollback
        assert _foreign_keys(db_url) == keys != []
    else:
        assert Path(db_url).exists()


def test_foreign_keys_are_enforced_again_after_a_first_load(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(BASIC, seeds)
    with Database(str(tmp_path / "claims.db")) as database:
        api.load(database, seeds)
        with database.session() as session, session.begin():
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_reference_the_checks_missed_is_refused_before_anything_is_committed(
    backend: str, db_url: str, tmp_path: Path
) -> None:
    assert api.migrate(db_url)
    keys = _foreign_keys(db_url) if backend == "postgresql" else []
    with Database(db_url) as database:
        with pytest.raises(DatabaseStateError, match="references to missing rows"):
            with database.session() as session, session.begin():
                options = {"sqlite_immediate": True, "sqlite_foreign_keys_checked_at_end": True}
                session.connection(execution_options=options)
                stream = ClaimStream(session, tmp_path, dt.datetime.now(dt.UTC))
                insert_rows(
                    session, m.ClaimRelation.__table__, [("no-such-claim", "corroborates", "nor-this")],
                    names=("claim_id", "kind", "target_id"),
                )  # fmt: skip
                stream.check_references()
    assert _count(db_url, "claim_relations") == _count(db_url, "load_runs") == 0
    if backend == "postgresql":
        assert _foreign_keys(db_url) == keys != []


def _claim_values(**changed: Any) -> tuple[Any, ...]:
    """A claim's values in records.CLAIM_COLUMNS order, as a worker packs them: valid, but for `changed`."""
    values: dict[str, Any] = dict.fromkeys(CLAIM_COLUMNS)
    values |= {"type": "execution-method", "statement": "S", "claimant_id": "org", "document_id": "doc",
               "quote": "q", "quote_start": 0, "quote_end": 1, "quote_prefix": "", "quote_suffix": "",
               "document_sha256": "0" * 64, "claimed_on_basis": "unknown", "seed_file": "seeds/a.yaml"}  # fmt: skip
    return tuple((values | changed)[column] for column in CLAIM_COLUMNS)


@pytest.mark.parametrize(
    ("changed", "kind", "broken"),
    [
        ({}, "corroborates", None),
        ({"claimed_on_basis": "rumoured"}, "corroborates", "ck_claims_claimed_on_basis"),
        ({"claimed_on_precision": "week"}, "corroborates", "ck_claims_claimed_on_precision"),
        ({"quote_start": 5, "quote_end": 5}, "corroborates", "ck_claims_quote_offsets"),
        ({}, "echoes", "ck_claim_relations_kind"),
    ],
)
def test_the_claims_a_first_load_writes_are_held_to_their_check_constraints(
    tmp_path: Path, changed: dict[str, Any], kind: str, broken: str | None
) -> None:
    """On SQLite the stream inserts a batch of claims (and their relations) without their CHECK
    constraints and checks the batch in one statement after: a row that breaks one is refused as
    SQLite refuses it, and inserts after the stream's, on the same connection, are checked row by row."""
    assert api.migrate(str(tmp_path / "claims.db"))
    with Database(str(tmp_path / "claims.db")) as database:
        with database.session() as session, session.begin():
            options = {"sqlite_immediate": True, "sqlite_foreign_keys_checked_at_end": True}
            session.connection(execution_options=options)
            stream = ClaimStream(session, tmp_path, dt.datetime.now(dt.UTC))
            claims = [
                ("c-ok", _claim_values(), (), None, "1" * 64),
                ("c-1", _claim_values(**changed), ((kind, "c-ok"),), None, "2" * 64),
            ]
            stream._add(claims)  # type: ignore[arg-type]
            stream.parsed()
            if broken is None:
                assert stream.finish() == ["c-ok", "c-1"]
            else:
                with pytest.raises(IntegrityError) as raised:
                    stream.finish()
                assert str(raised.value.orig) == f"CHECK constraint failed: {broken}"
            row = ("c-2", *_claim_values(claimed_on_basis="rumoured"), "3" * 64, "active", 1, 1)
            with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_claims_claimed_on_basis"):
                with session.begin_nested():
                    insert_rows(session, m.Claim.__table__, [row], names=CLAIM_ROW)
            with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_claim_relations_kind"):
                with session.begin_nested():
                    insert_rows(session, m.ClaimRelation.__table__, [("c-ok", "echoes", "c-ok")],
                                names=("claim_id", "kind", "target_id"))  # fmt: skip
            session.rollback()


def test_a_table_with_a_trigger_is_checked_row_by_row(tmp_path: Path) -> None:
    """Inserted without their CHECK constraints, a table's rows would fire its triggers unchecked
    too: a table with a trigger is inserted into as usual, and what its trigger writes is checked."""
    assert api.migrate(str(tmp_path / "claims.db"))
    with sqlite3.connect(tmp_path / "claims.db") as connection:
        connection.execute(
            "CREATE TRIGGER claims_noted AFTER INSERT ON claims BEGIN "
            "INSERT INTO claim_changes (run_id, claim_id, action) VALUES (NEW.added_run_id, NEW.id, 'noted'); END"
        )
    with Database(str(tmp_path / "claims.db")) as database:
        with database.session() as session, session.begin():
            options = {"sqlite_immediate": True, "sqlite_foreign_keys_checked_at_end": True}
            session.connection(execution_options=options)
            stream = ClaimStream(session, tmp_path, dt.datetime.now(dt.UTC))
            stream._add([("c-ok", _claim_values(), (), None, "1" * 64)])  # type: ignore[list-item]
            stream.parsed()
            with pytest.raises(IntegrityError) as raised:
                stream.finish()
            assert str(raised.value.orig) == "CHECK constraint failed: ck_claim_changes_action"
            session.rollback()


def _count(url: str, table: str) -> int:
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_a_database_that_got_claims_meanwhile_is_loaded_the_ordinary_way(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(BASIC, seeds)
    db = tmp_path / "claims.db"
    api.load(str(db), seeds)
    from claimsdb.api import _first_load
    from claimsdb.progress import NO_PROGRESS

    with Database(str(db)) as database:
        assert _first_load(database, seeds, on_wait=None, progress=NO_PROGRESS) is None
    assert _rows(db, "SELECT count(*) FROM load_runs") == [(1,)]


def test_claims_are_written_a_batch_at_a_time_even_when_many_wait(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims that waited for a source are written in batches too: a load never holds them all as
    rows. (The full-text index takes them in batches of its own, BATCH_SIZE, and the rest at the end.)"""
    monkeypatch.setattr("claimsdb.load.stream.WRITE_EVERY", 50)
    monkeypatch.setattr("claimsdb.load.stream.BATCH_SIZE", 120)
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    sources = sorted(seeds.glob("copy-*/sources.yaml"))
    for path in sources:  # every claim file now comes before every source, whose file is not named as one
        path.rename(seeds / f"zz-{path.parent.name}-references.yaml")  # so the claims wait till the end
    assert _files_before_their_sources(seeds) > len(sources)
    batches: list[int] = []
    write = ClaimStream._write

    def counted(stream: ClaimStream, **last: bool) -> None:
        batches.append(len(stream.rows))
        write(stream, **last)

    monkeypatch.setattr(ClaimStream, "_write", counted)
    report = api.load(str(tmp_path / "claims.db"), seeds)
    monkeypatch.setattr(ClaimStream, "_write", write)
    assert _ordinary_load(monkeypatch, str(tmp_path / "ordinary.db"), seeds).added == report.added
    assert comparable(snapshot(str(tmp_path / "claims.db"))) == comparable(snapshot(str(tmp_path / "ordinary.db")))
    largest_file = max(len((yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("claims") or ())
                       for p in seed_paths(seeds))  # fmt: skip
    assert sum(batches) == len(report.added) > 0
    assert max(batches) < 50 + largest_file


def test_a_database_with_reference_rows_but_no_claims_is_streamed_alike(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first load with claims, after one without (vocabularies, organisations, places, sources
    only, and one organisation the later seeds drop): the same database either way."""
    early = tmp_path / "early"
    shutil.copytree(BASIC, early)
    for path in early.glob("*.yaml"):
        if "claims" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) or path.name == "assessments.yaml":
            path.unlink()
    write_seed(early, "dropped.yaml", "organisations:\n  - id: dropped-org\n    name: Dropped Org\n    kind: ngo\n")
    streamed, ordinary = _two_empty_databases(request, backend, tmp_path)
    for db in (streamed, ordinary):
        assert api.load(db, early).claims_total == 0
    report = api.load(streamed, BASIC)
    expected = _ordinary_load(monkeypatch, ordinary, BASIC)
    assert report.added == expected.added != []
    assert comparable(snapshot(streamed)) == comparable(snapshot(ordinary))
    assert "dropped-org" not in str(snapshot(streamed))


def test_a_load_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load runs the cyclic collector less often (api.LOAD_GC_THRESHOLD); a program that calls
    api.load, a web server say, gets its own settings back, after a good load and a failed one."""
    import gc

    seeds = tmp_path / "seeds"
    shutil.copytree(BASIC, seeds)
    seen: list[tuple[int, int, int]] = []
    take = ClaimStream.take

    def watched(stream: ClaimStream, result: Any) -> None:
        seen.append(gc.get_threshold())
        take(stream, result)

    monkeypatch.setattr(ClaimStream, "take", watched)
    before = gc.get_threshold()
    gc.set_threshold(1234, 5, 6)
    try:
        report = api.load(str(tmp_path / "claims.db"), seeds)
        assert set(seen) == {api.LOAD_GC_THRESHOLD}
        assert gc.get_threshold() == (1234, 5, 6) and gc.get_freeze_count() == 0
        # what the load made and left is among the oldest objects, not walked once more as young ones
        assert any(found is report for found in gc.get_objects(generation=2))
        write_seed(seeds, "broken.yaml", "claims:\n  - id: lonely-claim\n")
        with pytest.raises(SeedError):
            api.load(str(tmp_path / "other.db"), seeds)
        assert gc.get_threshold() == (1234, 5, 6) and gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)


def test_a_new_database_file_never_replaces_one_made_meanwhile(tmp_path: Path) -> None:
    """A first load makes a new SQLite file under a hidden name and links it into place: if another
    load made the file meanwhile, it is left alone (and the load goes on the ordinary way)."""
    from claimsdb.db.scratch import NewFile

    target = tmp_path / "claims.db"
    new = NewFile(target, 5)
    api.migrate(new.database)
    target.write_bytes(b"another load's database")
    try:
        assert new.publish() is False
    finally:
        new.discard()
    assert target.read_bytes() == b"another load's database"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.db"]

    target.unlink()
    new = NewFile(target, 5)
    api.migrate(new.database)
    try:
        assert new.publish() is True
    finally:
        new.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["claims.db"]
    assert _rows(target, "PRAGMA journal_mode") == [("wal",)]


def test_a_new_database_file_is_built_without_a_journal_on_disk_and_published_whole(
    corpus: Path, tmp_path: Path
) -> None:
    """Nobody reads the hidden file while it is built, so its pages go straight into it (no
    write-ahead log, no rollback journal beside it); the published file is in WAL mode, whole."""
    seen: list[list[str]] = []

    class LooksAround:
        def phase(self, description: str, total: int | None = None) -> None:
            seen.append(sorted(p.name for p in tmp_path.iterdir()))

        def advance(self, amount: int = 1) -> None:
            pass

    target = tmp_path / "claims.db"
    api.load(str(target), corpus, progress=LooksAround())
    while_building = [names for names in seen if any(".loading-" in name for name in names)]
    assert while_building, seen
    for names in while_building:
        assert not [name for name in names if name.endswith(("-wal", "-journal"))], names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.db"]
    assert _rows(target, "PRAGMA journal_mode") == [("wal",)]
    assert _rows(target, "PRAGMA integrity_check") == [("ok",)]


def test_a_new_file_is_on_its_way_to_disk_before_it_is_published(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its pages are flushed while the load checks and commits (NewFile.flush_soon), and that
    flush has ended before the file is flushed once more and published."""
    from claimsdb.db.scratch import NewFile

    early: list[bool] = []
    publish = NewFile.publish

    def looked_at(new: NewFile) -> bool:
        flushing = new._flushing
        published = publish(new)
        early.append(flushing is not None and not flushing.is_alive())
        return published

    monkeypatch.setattr(NewFile, "publish", looked_at)
    api.load(str(tmp_path / "claims.db"), corpus)
    assert early == [True]
    assert _rows(tmp_path / "claims.db", "PRAGMA integrity_check") == [("ok",)]


def test_a_first_load_sets_its_workers_parsing_before_it_opens_the_database(corpus: Path, tmp_path: Path) -> None:
    """The ORM, the models and Alembic are imported, and the new file and its schema made, while the
    workers parse (load.first): when the load starts on the database, the workers are running and
    none of that has happened yet."""
    import os
    import subprocess
    import sys

    probe = (
        "import multiprocessing, sys\n"
        "from claimsdb import api\n"
        "from claimsdb.load.first import FirstLoad\n"
        "start = FirstLoad.start\n"
        "def watched(self):\n"
        "    heavy = ('sqlalchemy.orm', 'claimsdb.db.models', 'claimsdb.load.write', 'alembic')\n"
        "    print('imported', sorted(m for m in heavy if m in sys.modules))\n"
        "    print('workers', len(multiprocessing.active_children()))\n"
        "    print('files', sorted(p.name for p in self.db.file.parent.iterdir()))\n"
        "    start(self)\n"
        "FirstLoad.start = watched\n"
        f"report = api.load({str(tmp_path / 'claims.db')!r}, {str(corpus)!r})\n"
        "print('added', len(report.added))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["imported"] == "[]"
    cores = os.cpu_count() or 1
    assert int(lines["workers"]) == (min(cores, 8) if cores >= 2 else 0)  # as seeds.collect starts them
    assert lines["files"] == "[]"
    assert int(lines["added"]) == len(_claim_ids_in_file_order(corpus))


def test_a_failed_first_load_names_the_database_by_its_own_name_and_leaves_no_file(tmp_path: Path) -> None:
    """A new file is made under a hidden name; a message about it names the file the user gave."""
    import datetime as dt

    from claimsdb.load.first import FirstLoad

    target = tmp_path / "claims.db"
    with Database(str(target)) as database:
        with pytest.raises(DatabaseStateError) as raised:
            with FirstLoad(database, tmp_path, dt.datetime.now(dt.UTC), None) as first:
                first.start()
                assert first.new is not None and first.new.path.exists()
                raise DatabaseStateError(f"database error on {first.new.database.name}: disk full")
    assert str(raised.value) == f"database error on {database.name}: disk full"
    assert list(tmp_path.iterdir()) == []
