"""The library's public surface: what the CLI (and any script) calls.

Each function takes the database as a path or URL, owns its engine and session, and for writes
runs exactly one transaction: a load either happens whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from claimsdb.db.engine import SQLITE_BUSY_TIMEOUT_MS, database_url, describe, make_engine, sqlite_file
from claimsdb.db.locks import take_load_lock
from claimsdb.db.migrate import ensure_current, upgrade
from claimsdb.errors import ClaimsError, DatabaseStateError
from claimsdb.export import datapackage, export_rows, write_csv
from claimsdb.load import LoadReport, last_run_files, load_bundle
from claimsdb.provenance import ClaimProvenance, get_claim
from claimsdb.query import ClaimFilter, ClaimRow, Overview, list_claims, overview
from claimsdb.seeds.read import file_sha256, seed_paths
from claimsdb.seeds.records import SeedBundle

DEFAULT_SEEDS = "seeds"


@contextmanager
def _engine(db: str | None, *, must_exist: bool = False) -> Iterator[Engine]:
    url = database_url(db)
    path = sqlite_file(url)
    if must_exist and path is not None and not path.exists():
        raise DatabaseStateError(f"no claims database at {path}; run `claims load` to create it, or pass --db")
    engine = make_engine(url)
    try:
        yield engine
    except OperationalError as exc:
        if "database is locked" in str(exc.orig):
            raise DatabaseStateError(
                f"{describe(url)} is busy: another process kept it locked for over {SQLITE_BUSY_TIMEOUT_MS // 1000} s "
                "(probably another load); nothing was written. Try again when it has finished."
            ) from None
        raise DatabaseStateError(f"database error on {describe(url)}: {exc.orig}") from None
    finally:
        engine.dispose()


@contextmanager
def reading(db: str | None) -> Iterator[Session]:
    """A read-only session on a database that must already exist at the current schema."""
    with _engine(db, must_exist=True) as engine, Session(engine) as session:
        ensure_current(session.connection(), create=False)
        yield session


def check(seeds_dir: str | Path = DEFAULT_SEEDS) -> SeedBundle:
    """Validate seeds without touching any database; raises SeedError listing every problem."""
    from claimsdb.seeds import read_seeds

    return read_seeds(seeds_dir)


def migrate(db: str | None) -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after)."""
    with _engine(db) as engine, engine.begin() as connection:
        return upgrade(connection)


def load(
    db: str | None,
    seeds_dir: str | Path = DEFAULT_SEEDS,
    *,
    recapture: Sequence[str] = (),
    force: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load a seeds directory in one transaction; unchanged seeds are recognised by their hashes.

    `on_wait` is told when another load holds the database and this one has to wait.
    """
    from claimsdb.seeds import read_seeds

    root = Path(seeds_dir)
    if not force and not recapture:
        unchanged = _unchanged_since_last_run(db, root)
        if unchanged is not None:
            return LoadReport(run_id=None, seeds_dir=str(root), nothing_changed=True, previous_run_id=unchanged)
    bundle = read_seeds(root)  # before touching the database: bad seeds leave no trace
    with _engine(db) as engine, Session(engine) as session, session.begin():
        # take the write lock first; create the schema of a new database in this same transaction
        connection = session.connection(execution_options={"sqlite_immediate": True})
        take_load_lock(connection, on_wait)
        ensure_current(connection, create=True)
        return load_bundle(session, bundle, recapture=recapture)


def _unchanged_since_last_run(db: str | None, root: Path) -> int | None:
    """The last run's id if it read exactly the files on disk now, byte for byte; else None."""
    try:
        with reading(db) as session:
            previous, files = last_run_files(session)
    except DatabaseStateError:
        return None  # no usable database yet: the load itself says what is wrong
    return previous if previous is not None and _same_files(root, files) else None


def _same_files(root: Path, recorded: dict[str, str]) -> bool:
    """Do the seed files on disk, and the documents the last run read, still hash the same?"""
    current = {f"{root.name}/{path.relative_to(root).as_posix()}": path for path in seed_paths(root)}
    recorded_seeds = {path for path in recorded if path.endswith((".yaml", ".yml"))}
    if set(current) != recorded_seeds:
        return False
    for stored, digest in recorded.items():
        on_disk = root / stored.split("/", 1)[1] if "/" in stored else root / stored
        if not on_disk.is_file() or file_sha256(on_disk) != digest:
            return False
    return True


def summary(db: str | None) -> Overview:
    with reading(db) as session:
        return overview(session)


def claims(db: str | None, filters: ClaimFilter) -> list[ClaimRow]:
    with reading(db) as session:
        return list_claims(session, filters)


def show(db: str | None, claim_id: str) -> ClaimProvenance:
    with reading(db) as session:
        return get_claim(session, claim_id)


def export_csv(db: str | None, filters: ClaimFilter, out: TextIO, *, formula_guard: bool = True) -> int:
    """Stream the CSV to `out`; returns the number of claims written."""
    with reading(db) as session:
        return write_csv(export_rows(session, filters), out, formula_guard=formula_guard)


def export_package(db: str | None, filters: ClaimFilter, out_dir: str | Path, *, formula_guard: bool = True) -> tuple[int, list[Path]]:
    """Write `claims.csv` and its Frictionless `datapackage.json` into `out_dir`."""
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClaimsError(f"cannot create the export folder {target}: {exc.strerror}") from None
    csv_path, package_path = target / "claims.csv", target / "datapackage.json"
    with reading(db) as session:
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            count = write_csv(export_rows(session, filters), handle, formula_guard=formula_guard)
        package = datapackage(session, formula_guard=formula_guard)
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return count, [csv_path, package_path]
