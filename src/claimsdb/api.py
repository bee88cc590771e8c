"""The library's public surface: what the CLI (and any script) calls.

Each function takes the database as a path or URL, owns its engine and session, and for writes
runs exactly one transaction: a load either happens whole or not at all. Modules only some
functions need (loading, provenance, anchoring, verifying) are imported inside them, so a read
such as an export does not pay for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from claimsdb import __version__
from claimsdb.db.engine import DEFAULT_WAIT_SECONDS, database_url, describe, make_engine, sqlite_file
from claimsdb.db.migrate import ensure_current, upgrade_database
from claimsdb.errors import ClaimsError, DatabaseStateError
from claimsdb.export import TERMS_FILE, datapackage, write_export, write_terms
from claimsdb.progress import NO_PROGRESS, Progress
from claimsdb.query import (
    ClaimantRow,
    ClaimFilter,
    ClaimRow,
    Overview,
    RunRow,
    SourceRow,
    Stats,
    count_claims,
    document_text,
    list_claimants,
    list_claims,
    list_runs,
    list_sources,
    overview,
    stats,
)

if TYPE_CHECKING:
    from claimsdb.figures import Denial, Figures
    from claimsdb.load import LoadReport
    from claimsdb.provenance import ClaimProvenance
    from claimsdb.seeds.anchor import Located as LocatedQuote
    from claimsdb.seeds.records import SeedBundle, StoredSeeds
    from claimsdb.verify import VerifyReport

DEFAULT_SEEDS = "seeds"


@contextmanager
def _engine(db: str | None, *, must_exist: bool = False, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[Engine]:
    url = database_url(db)
    path = sqlite_file(url)
    if must_exist and path is not None and not path.exists():
        raise DatabaseStateError(f"no claims database at {path}; run `claims load` to create it, or pass --db")
    engine = make_engine(url, wait_seconds=wait_seconds)
    try:
        yield engine
    except OperationalError as exc:
        if "database is locked" in str(exc.orig):
            raise DatabaseStateError(
                f"{describe(url)} is busy: another process kept it locked for over {wait_seconds:g} s "
                "(probably another load); nothing was written. Try again when it has finished."
            ) from None
        raise DatabaseStateError(f"database error on {describe(url)}: {exc.orig}") from None
    except DBAPIError as exc:  # integrity, data or programming errors: a message, never a traceback
        raise DatabaseStateError(
            f"the database {describe(url)} refused the operation ({type(exc.orig).__name__}: {exc.orig}); "
            "nothing was written"
        ) from None
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
    with _engine(db) as engine:
        return upgrade_database(engine)


def load(
    db: str | None,
    seeds_dir: str | Path = DEFAULT_SEEDS,
    *,
    recapture: Sequence[str] = (),
    force: bool = False,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
    progress: Progress = NO_PROGRESS,
) -> LoadReport:
    """Load a seeds directory in one transaction; unchanged seeds are recognised by their hashes.

    `on_wait` is told when another load holds the database and this one has to wait.
    """
    from claimsdb.db.locks import take_load_lock
    from claimsdb.load import LoadReport, last_run_files, load_bundle

    root = Path(seeds_dir)
    if not force and not recapture:
        unchanged = _unchanged_since_last_run(db, root)
        if unchanged is not None:
            return LoadReport(run_id=None, seeds_dir=str(root), nothing_changed=True, previous_run_id=unchanged)
    from claimsdb.seeds import read_seeds  # pydantic and the YAML parser: only when there is parsing to do

    # read before taking the write lock: bad seeds leave no trace, and others can write meanwhile
    with ExitStack() as stack:
        stored = None if force or recapture else _stored_seeds(db, stack)
        bundle = read_seeds(root, progress, stored)
    with _engine(db, wait_seconds=wait_seconds) as engine, Session(engine) as session, session.begin():
        # take the write lock first; create the schema of a new database in this same transaction
        connection = session.connection(execution_options={"sqlite_immediate": True})
        take_load_lock(connection, wait_seconds, on_wait)
        ensure_current(connection, create=True)
        if not bundle.full and last_run_files(session)[0] != stored.run_id:  # type: ignore[union-attr]
            bundle = read_seeds(root, progress)  # another load landed while we read: read everything
        progress.phase(f"Writing {bundle.claim_count:,} claims to the database")
        return load_bundle(session, bundle, recapture=recapture)


def _stored_seeds(db: str | None, stack: ExitStack) -> StoredSeeds | None:
    """What the last load left, so only changed files are read; None for a new or unusable database.

    Its session stays open on `stack` while the seeds are read: the reader asks it about claims.
    """
    from claimsdb.load import stored_seeds

    try:
        session = stack.enter_context(reading(db))
    except DatabaseStateError:
        return None
    return stored_seeds(session)


def _unchanged_since_last_run(db: str | None, root: Path) -> int | None:
    """The last run's id if this claimsdb made it and it read exactly the files on disk now, byte
    for byte; else None. (A run by another version may have stored less than this one would: after
    an upgrade, the same seeds are read again.)"""
    from claimsdb.load import last_run_files, last_run_version

    try:
        with reading(db) as session:
            previous, files = last_run_files(session)
            version = last_run_version(session, previous)
    except DatabaseStateError:
        return None  # no usable database yet: the load itself says what is wrong
    same = previous is not None and version == __version__ and _same_files(root, files)
    return previous if same else None


def _same_files(root: Path, recorded: dict[str, str]) -> bool:
    """Do the seed files on disk, and the documents the last run read, still hash the same?"""
    from claimsdb.seeds.files import SEED_SUFFIXES, file_sha256, seed_paths, stored_path

    current = {stored_path(root, path): path for path in seed_paths(root)}
    recorded_seeds = {path for path in recorded if path.endswith(SEED_SUFFIXES)}
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
    from claimsdb.provenance import get_claim

    with reading(db) as session:
        return get_claim(session, claim_id)


def figures(db: str | None, filters: ClaimFilter, period: str | None = None) -> Figures:
    """Every claimed figure grouped by measure and period, with conflicts and sums (figures.py)."""
    from claimsdb.figures import figures as gather

    with reading(db) as session:
        return gather(session, filters, period)


def denials(db: str | None, filters: ClaimFilter) -> list[Denial]:
    """Each claim that contradicts others, with the claims it contradicts."""
    from claimsdb.figures import denials as gather

    with reading(db) as session:
        return gather(session, filters)


def export_csv(
    db: str | None, filters: ClaimFilter, out: TextIO, *, formula_guard: bool = True, progress: Progress = NO_PROGRESS
) -> int:
    """Stream the CSV to `out`; returns the number of claims written."""
    with reading(db) as session:
        _exporting(session, filters, progress)
        return write_export(session, filters, out, formula_guard=formula_guard, progress=progress)


def _exporting(session: Session, filters: ClaimFilter, progress: Progress) -> None:
    """Start the export's progress; the total takes a pass over the claims, so only a shown bar gets one."""
    progress.phase("Exporting claims", count_claims(session, filters) if progress is not NO_PROGRESS else None)


def export_package(
    db: str | None, filters: ClaimFilter, out_dir: str | Path, *, formula_guard: bool = True, progress: Progress = NO_PROGRESS
) -> tuple[int, list[Path]]:
    """Write `claims.csv`, `terms.csv` (the vocabularies) and their Frictionless `datapackage.json`
    into `out_dir`; the paths come back in that order."""
    target = _export_folder(out_dir)
    csv_path, terms_path, package_path = target / "claims.csv", target / TERMS_FILE, target / "datapackage.json"
    with reading(db) as session:
        _exporting(session, filters, progress)
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            count = write_export(session, filters, handle, formula_guard=formula_guard, progress=progress)
        with terms_path.open("w", encoding="utf-8", newline="") as handle:
            write_terms(session, handle, formula_guard=formula_guard)
        package = datapackage(session, formula_guard=formula_guard)
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return count, [csv_path, terms_path, package_path]


def _export_folder(out_dir: str | Path) -> Path:
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClaimsError(f"cannot create the export folder {target}: {exc.strerror}") from None
    return target


def export_annotations(
    db: str | None, filters: ClaimFilter, out: TextIO, *, base_url: str | None = None, progress: Progress = NO_PROGRESS
) -> int:
    """Stream every selected claim's anchor to `out` as a W3C Web Annotation, in one JSON-LD
    AnnotationCollection; returns how many. `base_url` is where the claims are served, for links."""
    from claimsdb.linked_data import Links, write_annotations

    links = Links.under(base_url)
    with reading(db) as session:
        _exporting(session, filters, progress)
        return write_annotations(session, filters, out, links=links, progress=progress)


def export_annotations_file(
    db: str | None,
    filters: ClaimFilter,
    out_dir: str | Path,
    *,
    base_url: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> tuple[int, Path]:
    """export_annotations into `out_dir/annotations.jsonld`, written whole or not at all."""
    from claimsdb.linked_data import Links, write_annotations_file

    links = Links.under(base_url)
    folder = _export_folder(out_dir)
    with reading(db) as session:
        _exporting(session, filters, progress)
        return write_annotations_file(session, filters, folder, links=links, progress=progress)


def sources(db: str | None) -> list[SourceRow]:
    with reading(db) as session:
        return list_sources(session)


def claimants(db: str | None) -> list[ClaimantRow]:
    with reading(db) as session:
        return list_claimants(session)


def statistics(db: str | None) -> Stats:
    with reading(db) as session:
        return stats(session)


def runs(db: str | None) -> list[RunRow]:
    with reading(db) as session:
        return list_runs(session)


def verify(db: str | None, seeds_dir: str | Path | None = DEFAULT_SEEDS) -> VerifyReport:
    """Re-check every anchor against the database text and, with `seeds_dir`, the files on disk."""
    from claimsdb.verify import verify_anchors

    with reading(db) as session:
        return verify_anchors(session, Path(seeds_dir) if seeds_dir is not None else None)


@dataclass(frozen=True)
class Located:
    document: str
    places: list[LocatedQuote]
    explanation: str | None


def locate(db: str | None, document: str, quote: str) -> Located:
    """Where `quote` sits in a document (a file path, or a held document's id), or what is closest."""
    from claimsdb.seeds.anchor import explain_missing
    from claimsdb.seeds.anchor import locate as locate_quote
    from claimsdb.seeds.parse import decode_text

    path = Path(document)
    if path.is_file():
        raw = path.read_bytes()
        text, issue = decode_text(raw, str(path))
        if issue is not None:
            raise ClaimsError(str(issue))
        label = str(path)
    else:
        with reading(db) as session:
            text = document_text(session, document)
        label = document
    places = locate_quote(text or "", quote)
    return Located(label, places, None if places else explain_missing(text or "", quote))
