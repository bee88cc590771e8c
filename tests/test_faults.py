"""Faults with real processes: a killed load writes nothing, two loads at once queue, a waiting load gives up cleanly.

Every load here is a separate `python -m claimsdb` process against a real SQLite file or a real
PostgreSQL server. Time is only used to decide *when* to kill or release; no speed is asserted.
Every poll has a deadline and fails with a message saying what it was waiting for.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text

from claimsdb.db.engine import database_url
from conftest import generate_corpus, snapshot, wait_until

PROJECT = Path(__file__).resolve().parents[1]
LOAD_LOCK_KEY = 0x636C61696D73  # "claims": the advisory lock key every PostgreSQL load takes
LOCKED_CLAIM = "hrdc-2018-method-shooting"  # a claim of tests/fixtures/basic that a synthetic corpus withdraws
WAL_GROWTH_BEFORE_KILL = 8 * 1024 * 1024  # well into the claim inserts, seconds before the commit



# --- synthetic corpora, generated once per session -----------------------------------------------


def _generate(factory: pytest.TempPathFactory, name: str, claims: int, seed: int) -> Path:
    root = factory.mktemp(name) / name
    written = generate_corpus(root, claims, seed=seed)
    assert written["claims"] == claims
    return root


@pytest.fixture(scope="session")
def corpus_20k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Big enough that a SQLite load spills uncommitted pages to the WAL long before it commits."""
    return _generate(tmp_path_factory, "corpus20k", 20_000, 42)


@pytest.fixture(scope="session")
def corpus_3k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory, "corpus3k", 3_000, 3)


@pytest.fixture(scope="session")
def corpus_2k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory, "corpus2k", 2_000, 2)


def _corpus_claim_ids(root: Path) -> list[str]:
    ids: list[str] = []
    for path in sorted(root.glob("*.yaml")):
        ids += re.findall(r"^  - id: (c-\d+-\d+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return ids


# --- processes ------------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    env.update(COLUMNS="250", NO_COLOR="1")
    return env


@contextmanager
def load_process(db: str, seeds: Path, *extra: str, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`claims --db DB load SEEDS -q EXTRA...` as a real child process, killed on the way out if still running."""
    args = [sys.executable, "-m", "claimsdb", "--db", db, "load", str(seeds), "-q", *extra]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env(), cwd=cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.wait(timeout=30)


def finish(proc: subprocess.Popen[str], timeout: float) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the load did not finish within {timeout} s\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


def kill(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"exit status {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def clean(out: str, err: str) -> None:
    assert "Traceback" not in out + err, f"stdout:\n{out}\nstderr:\n{err}"


def one_line(output: str) -> str:
    return " ".join(output.split())


# --- databases ------------------------------------------------------------------------------------


def is_sqlite(db: str) -> bool:
    return database_url(db).startswith("sqlite")


def integrity(db: str) -> str:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def rows(db: str, sql: str) -> list[Any]:
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


@contextmanager
def pg_monitor(db: str) -> Iterator[Connection]:
    """An autocommit connection, so every look at pg_stat_activity sees the present, not a cached snapshot."""
    engine = create_engine(database_url(db), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def holding_load_lock(db: str) -> Iterator[Callable[[], None]]:
    """Hold the lock a load needs, from this process; yields a function that releases it."""
    if is_sqlite(db):
        connection = sqlite3.connect(db, isolation_level=None, timeout=10)
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield lambda: connection.execute("ROLLBACK") if connection.in_transaction else None
        finally:
            connection.close()
        return
    with pg_monitor(db) as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOAD_LOCK_KEY})
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                assert connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOAD_LOCK_KEY}).scalar()
                released = True

        yield release


def sqlite_file_open_by(pid: int, path: Path) -> bool:
    """Has process `pid` opened the database file (then it is at, or past, BEGIN IMMEDIATE)?"""
    target = str(path.resolve())
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
        except OSError:
            continue  # closed between listing and reading
    return False


# --- 1. a load killed part-way leaves the database as it was ---------------------------------------


def test_sigkilled_sqlite_load_leaves_the_database_unchanged_and_usable(
    sqlite_path: str, basic_seeds: Path, cli: Callable[..., Any], corpus_20k: Path, tmp_path: Path
) -> None:
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    with closing(sqlite3.connect(sqlite_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = snapshot(sqlite_path)
    assert before and integrity(sqlite_path) == "ok"
    wal = Path(sqlite_path + "-wal")

    def wal_size() -> int:
        try:
            return wal.stat().st_size
        except FileNotFoundError:
            return 0

    start = wal_size()
    with load_process(sqlite_path, corpus_20k, cwd=tmp_path) as proc:
        # the load parses for seconds, then writes in one transaction: kill it once that transaction
        # has spilled over a megabyte of uncommitted pages into the WAL
        wait_until("the load's transaction to write over 1 MB to the WAL", 120,
                   lambda: wal_size() > start + WAL_GROWTH_BEFORE_KILL, proc, interval=0.003)  # fmt: skip
        out, err = kill(proc)
    assert "Loaded" not in out, out
    assert wal_size() > start + WAL_GROWTH_BEFORE_KILL  # the uncommitted frames are still there for recovery to ignore

    assert snapshot(sqlite_path) == before
    assert integrity(sqlite_path) == "ok"

    result = cli("--db", sqlite_path, "load", basic_seeds, "-q", "--force", "--wait", "10")
    assert result.exit_code == 0, result.output
    assert integrity(sqlite_path) == "ok"
    assert [tuple(r) for r in rows(sqlite_path, "SELECT id FROM load_runs ORDER BY id")] == [(1,), (2,)]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_sigkilled_postgresql_load_leaves_the_database_unchanged_and_usable(
    db_url: str, basic_seeds: Path, cli: Callable[..., Any], corpus_3k: Path, tmp_path: Path
) -> None:
    assert cli("--db", db_url, "load", basic_seeds, "-q").exit_code == 0
    real_claims = len(rows(db_url, "SELECT id FROM claims"))
    assert real_claims and rows(db_url, f"SELECT id FROM claims WHERE id = '{LOCKED_CLAIM}'")
    before = snapshot(db_url)

    holder_engine = create_engine(database_url(db_url))
    try:
        with holder_engine.connect() as holder, pg_monitor(db_url) as monitor:
            holding = holder.begin()
            lock = text("SELECT id FROM claims WHERE id = :id FOR UPDATE")
            locked = holder.execute(lock, {"id": LOCKED_CLAIM}).scalar()
            assert locked == LOCKED_CLAIM
            with load_process(db_url, corpus_3k, cwd=tmp_path) as proc:
                # it inserts thousands of claims, then blocks withdrawing the row we hold
                blocked_sql = text(
                    "SELECT pid, backend_xid::text AS xid, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                backend = wait_until("the load's backend to wait on our row lock", 60,
                                     lambda: monitor.execute(blocked_sql).first(), proc)  # fmt: skip
                assert backend.xid is not None, f"the blocked load has not written anything yet: {backend.query}"
                out, err = kill(proc)
            assert "Loaded" not in out, out
            holding.rollback()
            gone_sql = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
            wait_until(f"the killed load's backend (pid {backend.pid}) to end", 30,
                       lambda: monitor.execute(gone_sql, {"pid": backend.pid}).scalar() == 0)  # fmt: skip
    finally:
        holder_engine.dispose()

    assert snapshot(db_url) == before

    # usable: the same load now runs to the end (it needs the advisory lock and the row the dead load touched)
    result = cli("--db", db_url, "load", corpus_3k, "-q", "--wait", "10")
    assert result.exit_code == 0, result.output
    statuses = dict(rows(db_url, "SELECT status, count(*) FROM claims GROUP BY status"))
    assert statuses == {"active": len(_corpus_claim_ids(corpus_3k)), "withdrawn": real_claims}


# --- 2. two loads at once ----------------------------------------------------------------------------


def test_two_simultaneous_loads_both_succeed_and_load_once(db_url: str, corpus_2k: Path, tmp_path: Path) -> None:
    expected = _corpus_claim_ids(corpus_2k)
    assert len(expected) == 2_000 == len(set(expected))
    with (
        load_process(db_url, corpus_2k, cwd=tmp_path) as first,
        load_process(db_url, corpus_2k, cwd=tmp_path) as second,
    ):
        results = [finish(first, 120), finish(second, 120)]
    for status, out, err in results:
        assert status == 0, f"stdout:\n{out}\nstderr:\n{err}"
        clean(out, err)
    reports = sorted(one_line(out) for _, out, _ in results)
    assert sum("2000 added" in report for report in reports) == 1, reports
    assert sum("Nothing changed" in report or " 0 added" in report for report in reports) == 1, reports

    claims = rows(db_url, "SELECT id, status FROM claims")
    assert sorted(claim.id for claim in claims) == sorted(expected)
    assert {claim.status for claim in claims} == {"active"}
    assert len(rows(db_url, "SELECT id FROM load_runs")) in (1, 2)
    added = rows(db_url, "SELECT claim_id FROM claim_changes WHERE action = 'added'")
    assert sorted(row.claim_id for row in added) == sorted(expected)
    if is_sqlite(db_url):
        assert integrity(db_url) == "ok"


# --- 3. the load that waits is told, and gives up cleanly --------------------------------------------


def test_waiting_load_is_told_gives_up_cleanly_then_succeeds_once_released(
    basic_db: str, basic_seeds: Path, tmp_path: Path
) -> None:
    before = snapshot(basic_db)
    with holding_load_lock(basic_db) as release:
        # --force: the seeds are unchanged, and without it the load would not need the lock at all
        with load_process(basic_db, basic_seeds, "--force", "--wait", "1", cwd=tmp_path) as proc:
            status, out, err = finish(proc, 60)
        assert status == 1, f"stdout:\n{out}\nstderr:\n{err}"
        clean(out, err)
        message = one_line(err)
        if is_sqlite(basic_db):
            assert "is busy: another process kept it locked for over 1 s" in message, err
            assert "nothing was written" in message, err
        else:
            assert "Another load is running on this database; waiting up to 1 s for it to finish..." in message, err
            assert "another load kept this database busy for over 1 s; nothing was written." in message, err
        assert "Loaded" not in out
        assert snapshot(basic_db) == before

        # a patient load started while the lock is held gets through once it is released
        with load_process(basic_db, basic_seeds, "--force", "--wait", "60", cwd=tmp_path) as proc:
            if is_sqlite(basic_db):
                db_file = Path(basic_db)
                wait_until("the load to open the database and wait for its write lock", 60,
                           lambda: sqlite_file_open_by(proc.pid, db_file), proc)  # fmt: skip
            else:
                waiting_sql = text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
                with pg_monitor(basic_db) as monitor:
                    wait_until("the load to wait on the advisory lock", 60,
                               lambda: monitor.execute(waiting_sql).first(), proc)  # fmt: skip
            time.sleep(1.0)
            assert proc.poll() is None, "the load did not wait for the lock it could not have"
            release()
            status, out, err = finish(proc, 60)
    assert status == 0, f"stdout:\n{out}\nstderr:\n{err}"
    clean(out, err)
    assert "Loaded" in out
    if not is_sqlite(basic_db):
        assert "Another load is running on this database; waiting up to 60 s for it to finish..." in one_line(err), err
    assert [tuple(r) for r in rows(basic_db, "SELECT id FROM load_runs ORDER BY id")] == [(1,), (2,)]
    if is_sqlite(basic_db):
        assert integrity(basic_db) == "ok"
