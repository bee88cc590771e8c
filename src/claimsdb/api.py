"""The library's public surface: what the CLI (and any script) calls.

Each function takes a `Database` (opened once with `open_database`, and kept for a command or a
web app's life, so there is one engine and one connection pool per database) and for writes runs
exactly one transaction: a load either happens whole or not at all. A path or URL is accepted
too, for one-off calls: the database is then opened for that call and closed after it.

The CLI, the web site and render see the library only through this module: it names the results
they show. The seed reader (pydantic, YAML), anchoring and verifying are imported inside the
functions that need them, so a read such as an export does not pay for them; the query,
provenance, export, figures and linked-data modules, and the results they name, on first use
(LAZY_NAMES), so a load with nothing changed pays for none of them.

Names: one name per concept, the same in the command, here and in the module that does the work.
Each `claims` command calls the function of its own name: `show` -> show -> provenance.show
(ClaimProvenance); `stats` -> stats -> query.stats (Stats); `figures` -> figures -> figures.figures;
`contradicts` -> contradicts -> figures.contradicts (Denial); `verify` -> verify -> verify.verify;
`migrate` -> migrate -> db.migrate.migrate; `load`, `check` and `anchor` likewise. The commands
that list rows are named for what they list, and their functions list_<what>: `list` (claims) ->
list_claims -> query.list_claims (ClaimRow); `sources` -> list_sources; `claimants` ->
list_claimants; `runs` -> list_runs (each query.list_<what>). Exceptions: `export` writes to one
of four destinations (export_csv, export_package, export_annotations, export_annotations_file);
`serve` hands the Database to claimsdb.web.create_app. tests/test_names.py holds us to this.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from claimsdb import __version__
from claimsdb.db.database import Database
from claimsdb.db.engine import DEFAULT_WAIT_SECONDS, plain_sqlite_file
from claimsdb.db.locks import parse_wait
from claimsdb.db.migrate import ensure_current
from claimsdb.errors import ClaimsError, DatabaseStateError, NotFound
from claimsdb.load_report import LoadReport
from claimsdb.progress import NO_PROGRESS, Progress
from claimsdb.rules import CLOSE_TO_AN_ID, COUNT_TIME_LIMIT_MS, closest_hint

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from claimsdb.db.limits import Deadline
    from claimsdb.db.runs import LastRun
    from claimsdb.export import TERMS_FILE, csv_blocks, datapackage, guard_formula, write_export, write_terms
    from claimsdb.figures import (
        Denial,
        DenialRow,
        FigureGroup,
        FigureRow,
        Figures,
        FigureValue,
        Measure,
        Period,
        denial_rows,
        figure_rows,
        figure_status,
    )
    from claimsdb.linked_data import Links, claim_jsonld, claim_path
    from claimsdb.provenance import (
        CONTEXT_CHARS,
        Anchor,
        Claimant,
        ClaimProvenance,
        ClaimValue,
        SourceInfo,
        TermInfo,
        source_info,
    )
    from claimsdb.query import (
        ClaimantRow,
        ClaimFilter,
        ClaimRow,
        Count,
        DocumentQuote,
        FacetCounts,
        Overview,
        RunRow,
        SourceRow,
        Stats,
        count_claims,
        document_quotes,
        document_text,
        facet_counts,
        filter_conditions,
        source_reports,
        source_titles,
        whole_number,
    )
    from claimsdb.seeds.anchor import Located as LocatedQuote
    from claimsdb.seeds.files import FileSurvey
    from claimsdb.seeds.records import SeedBundle, StoredSeeds
    from claimsdb.verify import VerifyReport

# The results, and the helpers on them, that the CLI, the web and render use: they reach the
# library only through this module (an import-linter contract in pyproject.toml says so). Each is
# imported from its module on first use (PEP 562), so a command pays only for the modules it
# touches: a load with nothing changed never imports provenance, query, export, figures or
# linked_data. The names are those imported for type checkers above; tests/test_cli_startup.py
# holds the two lists together.
LAZY_NAMES: dict[str, tuple[str, ...]] = {
    "claimsdb.db.limits": ("Deadline",),
    "claimsdb.export": ("TERMS_FILE", "csv_blocks", "datapackage", "guard_formula", "write_export", "write_terms"),
    "claimsdb.figures": (
        "Denial", "DenialRow", "FigureGroup", "FigureRow", "Figures", "FigureValue", "Measure", "Period",
        "denial_rows", "figure_rows", "figure_status",
    ),
    "claimsdb.linked_data": ("Links", "claim_jsonld", "claim_path"),
    "claimsdb.provenance": (
        "CONTEXT_CHARS", "Anchor", "Claimant", "ClaimProvenance", "ClaimValue", "SourceInfo", "TermInfo", "source_info",
    ),
    "claimsdb.query": (
        "ClaimantRow", "ClaimFilter", "ClaimRow", "Count", "DocumentQuote", "FacetCounts", "Overview", "RunRow",
        "SourceRow", "Stats", "count_claims", "document_quotes", "document_text", "facet_counts",
        "filter_conditions", "source_reports", "source_titles", "whole_number",
    ),
}  # fmt: skip
_HOME = {name: module for module, names in LAZY_NAMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A result or helper named in LAZY_NAMES, imported from its module now and kept here."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


DEFAULT_SEEDS = "seeds"


DatabaseLike = Database | str | None
"""A Database, or a path or URL to open for one call (None: claims.db here)."""


def open_database(
    db: str | None = None, *, read_only: bool = False, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Database:
    """The database at `db` (a SQLite path or URL, a PostgreSQL URL; None: claims.db here).

    Open it once and pass it to every call: it owns the one engine and connection pool. Readers
    open it `read_only` (a SQLite file is then opened with mode=ro and never created); `wait_seconds`
    is how long a load waits for another load (refused if not a plain number up to a week)."""
    return Database(db, read_only=read_only, wait_seconds=parse_wait(format(wait_seconds, "f")))


@contextmanager
def _opened(db: DatabaseLike, *, read_only: bool, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[Database]:
    """`db` itself if it is a Database; a path or URL opened for this one call, closed after it."""
    if isinstance(db, Database):
        yield db
        return
    with open_database(db, read_only=read_only, wait_seconds=wait_seconds) as opened:
        yield opened


@contextmanager
def reading(db: DatabaseLike) -> Iterator[Session]:
    """A session on a database that must already exist at the current schema.

    Opened from a path, a SQLite file is read-only: reading works on a read-only mount or a full
    disk, and a missing file is never created."""
    with _opened(db, read_only=True) as database, database.reading() as session:
        yield session


def check(seeds_dir: str | Path = DEFAULT_SEEDS) -> SeedBundle:
    """Validate seeds without touching any database; raises SeedError listing every problem."""
    from claimsdb.seeds import read_seeds

    return read_seeds(seeds_dir)


def migrate(db: DatabaseLike) -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after)."""
    with _opened(db, read_only=False) as database, database.errors():
        from claimsdb.db.migrate import migrate as upgrade  # it has this function's name: imported here

        return upgrade(database.engine)


def load(
    db: DatabaseLike,
    seeds_dir: str | Path = DEFAULT_SEEDS,
    *,
    recapture: Sequence[str] = (),
    force: bool = False,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    progress: Progress = NO_PROGRESS,
) -> LoadReport:
    """Load a seeds directory in one transaction; unchanged seeds are recognised by their hashes.

    `on_wait` is told when another load holds the database and this one has to wait. How long it
    waits is the Database's `wait_seconds` (`wait_seconds` here only when `db` is a path or URL).
    """
    if isinstance(db, Database) and wait_seconds is not None and wait_seconds != db.wait_seconds:
        raise ValueError("a Database waits as long as it was opened to: give wait_seconds to open_database")
    waiting = DEFAULT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    with _opened(db, read_only=False, wait_seconds=waiting) as database, _fewer_collections():
        return _load(database, Path(seeds_dir), recapture=recapture, force=force, on_wait=on_wait, progress=progress)


LOAD_GC_THRESHOLD = (200_000, 20, 20)
"""The cyclic garbage collector's thresholds during a load (CPython's default is 700, 10, 10). A
load after one edit makes 100,000-200,000 objects, mostly the modules it imports: at 200,000 the
collector never walks them; a cold load at 50,000 claims spends a third less time collecting than
at 50,000 (0.18-0.20 s against 0.26-0.33 s of the main process), with the same peak memory."""


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector far less often while loading.

    A load makes millions of small objects (records, rows, tuples) that reference counting frees;
    at the default thresholds the collector walks the growing heap over and over for cycles that
    are not there, about an eighth of a cold load's CPU. The objects that exist before the load (the
    imported modules) are frozen out of its walks. Worker processes, forked during the load, inherit
    both. Everything is as it was afterwards, except that what the load left behind (the modules it
    imported, mostly) joins the oldest objects without a walk: with the thresholds put back, the
    next allocation would otherwise walk all of it at once (a fiftieth of a second after a load that
    read one changed file, most of the collector's time in it).
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*LOAD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.freeze()  # everything the load left, young or not, out of reach for a moment,
        gc.unfreeze()  # and back in the oldest generation, unwalked
        gc.set_threshold(*before)


def _load(
    db: Database,
    root: Path,
    *,
    recapture: Sequence[str],
    force: bool,
    on_wait: Callable[[str], None] | None,
    progress: Progress,
) -> LoadReport:
    from claimsdb.seeds.files import FileSurvey

    look = _Look(FileSurvey())  # before any file is looked at
    if not force and not recapture:
        unchanged = _unchanged_since_last_run(db, root, look)
        if unchanged is not None:
            return LoadReport(run_id=None, seeds_dir=str(root), nothing_changed=True, previous_run_id=unchanged)
    if not recapture and root.is_dir() and _holds_no_claims(db, look.run):  # (a missing folder: read_seeds says so)
        report = _first_load(db, root, on_wait=on_wait, progress=progress)
        if report is not None:
            return report
    from claimsdb.seeds.workers import parsers_ahead

    # read before taking the write lock: bad seeds leave no trace, and others can write meanwhile
    with ExitStack() as stack:
        # a worker imports the YAML parser and builds the seed models while this process imports the ORM
        ahead = stack.enter_context(parsers_ahead()) if root.is_dir() and not (force or recapture) else None
        from claimsdb.db.locks import take_load_lock
        from claimsdb.load.write import last_run_id, load_bundle  # the ORM and the models: only when loading
        from claimsdb.seeds import read_seeds

        stored = None if force or recapture else _stored_seeds(db, stack, look)
        survey = look.survey if stored is not None else None
        bundle = read_seeds(root, progress, stored, survey=survey, ahead=ahead)
    with db.session() as session, session.begin():
        # take the write lock first; create the schema of a new database in this same transaction
        connection = session.connection(execution_options={"sqlite_immediate": True})
        take_load_lock(connection, db.wait_seconds, on_wait)
        ensure_current(connection, create=True)
        if not bundle.full and last_run_id(session) != stored.run_id:  # type: ignore[union-attr]
            bundle = read_seeds(root, progress)  # another load landed while we read: read everything
        progress.phase(f"Writing {bundle.claim_count:,} claims to the database")
        return load_bundle(session, bundle, recapture=recapture)


def _holds_no_claims(db: Database, run: LastRun | None) -> bool:
    """A database not yet made, or made without claims: a first load writes as it parses.

    The last run, as the nothing-changed check read it a moment ago, says so when there is one
    (no session, no schema check); a first load asks again once it holds the write lock."""
    if db.file is not None and not db.file.exists():
        return True  # known without the ORM and the models: a first load imports them once its workers parse
    if run is not None:
        return not run.holds_claims
    from claimsdb.load.write import holds_claims

    try:
        with db.reading() as session:
            return not holds_claims(session)
    except DatabaseStateError:
        return True  # no schema yet (the first load makes it), or one that _first_load says is wrong


def _first_load(
    db: Database, root: Path, *, on_wait: Callable[[str], None] | None, progress: Progress
) -> LoadReport | None:
    """A load into a database without claims, writing each file's claims as it is parsed
    (load.stream), the database opened once the workers are parsing (load.first); None if another
    load put claims in first. The write lock is held while the files are read; bad seeds still
    leave no trace: the transaction is rolled back, and a new SQLite file is only put in place
    once the load has committed (db.scratch)."""
    import datetime as dt

    from claimsdb.load.first import FirstLoad, HoldsClaims
    from claimsdb.seeds import read_seeds

    started = dt.datetime.now(dt.UTC)  # before any file is looked at
    with FirstLoad(db, root, started, on_wait) as first:
        try:
            bundle = read_seeds(root, progress, sink=first)
        except HoldsClaims:  # another load landed first: this one is an ordinary load
            return None
        progress.phase(f"Writing the rest of {bundle.claim_count:,} claims to the database")
        return first.finish(bundle)


@dataclass
class _Look:
    """What the nothing-changed check found, handed on to the load that follows when something changed:
    the files on disk (for read_seeds) and the last run with the fingerprints it trusts (for stored_seeds)."""

    survey: FileSurvey
    run: LastRun | None = None
    trusted: dict[str, str] = field(default_factory=dict)


def _stored_seeds(db: Database, stack: ExitStack, look: _Look) -> StoredSeeds | None:
    """What the last load left, so only changed files are read; None for a new or unusable database.

    Its session stays open on `stack` while the seeds are read: the reader asks it about claims.
    The last run's files are those the nothing-changed check read (`look`), if it is still the last.
    """
    from claimsdb.load.write import stored_seeds

    try:
        session = stack.enter_context(db.reading())
    except DatabaseStateError:
        return None
    known = (look.run, look.trusted) if look.run is not None else None
    return stored_seeds(session, known)


def _unchanged_since_last_run(db: Database, root: Path, look: _Look) -> int | None:
    """The last run's id if this claimsdb made it and it read exactly the files on disk now, byte
    for byte; else None. (A run by another version may have stored less than this one would: after
    an upgrade, the same seeds are read again.) What it finds goes into `look`, for the
    load that follows when something changed."""
    from claimsdb.seeds.files import trusted

    run = look.run = _last_run(db)
    if run is None or run.claimsdb_version != __version__:
        return None
    read_from = run.read_from_ns
    fingerprints = look.trusted = {
        path: fingerprint
        for path, fingerprint in run.fingerprints.items()
        if read_from is not None and trusted(fingerprint, read_from)
    }
    return run.run_id if _same_files(root, run.files, fingerprints, look.survey) else None


def _last_run(db: Database) -> LastRun | None:
    """The newest load run, or None: before the first load, and where the database is not usable
    as it is (the load itself then says what is wrong). A plain SQLite file is read with sqlite3
    alone, so a load with nothing changed never imports SQLAlchemy; other databases through a Core
    connection: this check pays for neither the ORM nor the models."""
    from claimsdb.db.runs import last_run, last_run_in_file

    path = plain_sqlite_file(db.url)
    if path is not None:
        return last_run_in_file(path, db.wait_seconds)
    try:
        with db.reading_connection() as connection:
            return last_run(connection)
    except DatabaseStateError:
        return None


def _same_files(root: Path, recorded: dict[str, str], fingerprints: dict[str, str], survey: FileSurvey) -> bool:
    """Do the seed files on disk, and the documents the last run read, still hash the same? A file
    whose fingerprint (size, times, inode) is the one recorded is not hashed again.

    The common case, a file with its recorded fingerprint, costs one stat: the same inode with the
    same size and times is the regular file that was read (a file replaced or retyped has a new
    inode or ctime). Any other file is checked and hashed as sha256_if_changed says. After a
    difference the other files are still looked at, into `survey`: the load that follows would
    look at each of them just the same (read_seeds), and now need not."""
    from claimsdb.seeds.files import SEED_SUFFIXES, disk_file, file_fingerprint, sha256_if_changed, stored_seed_files

    current = survey.paths = stored_seed_files(root)
    recorded_seeds = {path for path in recorded if path.endswith(SEED_SUFFIXES)}
    same = current.keys() == recorded_seeds
    for stored, digest in recorded.items():
        on_disk = current.get(stored)  # the walk's own path for a seed file
        if on_disk is None:
            if stored in recorded_seeds:
                continue  # a seed file gone: nothing to look at
            on_disk = disk_file(root, stored)
        fingerprint = fingerprints.get(stored)
        now = file_fingerprint(on_disk)
        if fingerprint is not None and now == fingerprint:
            survey.looked[stored] = (digest, now)
            continue
        try:
            if not os.path.isfile(on_disk):
                same = False
                continue
            survey.looked[stored] = looked = sha256_if_changed(on_disk, digest, fingerprint)
        except OSError:
            survey.looked[stored] = None
            same = False
            continue
        same = same and looked[0] == digest
    return same


def overview(db: DatabaseLike) -> Overview:
    """What a database holds, in counts and a few claims (shown after a load)."""
    from claimsdb import query

    with reading(db) as session:
        return query.overview(session)


def list_claims(db: DatabaseLike, filters: ClaimFilter) -> list[ClaimRow]:
    """The claims `filters` select, in their sort order."""
    from claimsdb import query

    with reading(db) as session:
        return query.list_claims(session, filters)


def show(db: DatabaseLike, claim_id: str) -> ClaimProvenance:
    """One claim's whole provenance (NotFound, naming the closest ids, if there is none)."""
    from claimsdb import provenance

    with reading(db) as session:
        return provenance.show(session, claim_id)


COUNT_TIME_LIMIT = COUNT_TIME_LIMIT_MS / 1000
"""rules.COUNT_TIME_LIMIT_MS in seconds, as the list page takes it."""


@dataclass(frozen=True)
class ClaimsPage:
    """One page of the claims `filters` select, how many there are in all, and their facets."""

    total: int | None
    """None when not counted within the time limit."""
    rows: list[ClaimRow]
    more: bool
    """Whether claims follow this page (known without the total)."""
    counts: FacetCounts | None
    """None when nothing matches."""
    titles: dict[str, str]
    """The titles of the documents the rows were recorded from."""


def claims_page(
    db: DatabaseLike, filters: ClaimFilter, *, offset: int, limit: int, time_limit: float | None = COUNT_TIME_LIMIT
) -> ClaimsPage:
    """The web's claims list: one page and the counts, read in one transaction.

    The page's rows are always read; the total and the facets are counted until `time_limit`
    seconds have passed since the page began (None: no limit, every count exact), and whatever
    is not counted by then is None. A page that is the selection's last gives its total without
    counting.
    """
    from dataclasses import replace

    from claimsdb import query
    from claimsdb.db.limits import Deadline
    from claimsdb.query import facet_counts, source_titles

    deadline = Deadline.after(time_limit)
    with reading(db) as session:
        fetched = query.list_claims(session, replace(filters, offset=offset, limit=limit + 1))
        rows, more = fetched[:limit], len(fetched) > limit
        if rows and not more:
            total: int | None = offset + len(rows)
        elif not rows and not offset:
            total = 0
        else:
            total = None  # counted with the facets
        counts = facet_counts(session, filters, deadline) if total != 0 else None
        if total is None and counts is not None:
            total = counts.total
        titles = source_titles(session, sorted({row.document_id for row in rows}))
        return ClaimsPage(total, rows, more, counts, titles)


@dataclass(frozen=True)
class SourceDetail:
    """A publication with everything its page shows, read in one transaction."""

    sources: list[SourceRow]
    """Every publication (the page links to those it reports on and those reporting on it)."""
    reports: dict[str, list[str]]
    """Each publication's id -> the ids of those it reports on."""
    info: SourceInfo
    claims: list[ClaimRow]
    """The active claims made in or recorded from it."""
    text: str | None
    """A held document's text (None for a publication claimsdb does not hold)."""
    quotes: list[DocumentQuote]
    """The quotes in `text`, in reading order."""


def source(db: DatabaseLike, source_id: str) -> SourceDetail:
    """A publication (NotFound if there is none by that id), its claims and, if held, its text and quotes."""
    from claimsdb import query
    from claimsdb.provenance import source_info
    from claimsdb.query import ClaimFilter, document_quotes, document_text, source_reports

    with reading(db) as session:
        sources = query.list_sources(session)
        by_id = {row.id: row for row in sources}
        if source_id not in by_id:
            hint = closest_hint(source_id, by_id, CLOSE_TO_AN_ID, otherwise="; the sources page lists them all")
            raise NotFound(f"no source {source_id!r}{hint}")
        text = document_text(session, source_id) if by_id[source_id].held else None
        return SourceDetail(
            sources=sources,
            reports=source_reports(session),
            info=source_info(session, source_id),
            claims=query.list_claims(session, ClaimFilter(source=source_id)),
            text=text,
            quotes=document_quotes(session, source_id) if text is not None else [],
        )


def figures(db: DatabaseLike, filters: ClaimFilter, period: str | None = None) -> Figures:
    """Every claimed figure grouped by measure and period, with conflicts and sums (figures.py)."""
    from claimsdb.figures import figures as gather

    with reading(db) as session:
        return gather(session, filters, period)


def contradicts(db: DatabaseLike, filters: ClaimFilter) -> list[Denial]:
    """Each denial: a claim that contradicts others, with the claims it contradicts."""
    from claimsdb.figures import contradicts as gather

    with reading(db) as session:
        return gather(session, filters)


def export_csv(
    db: DatabaseLike, filters: ClaimFilter, out: TextIO, *, formula_guard: bool = True, progress: Progress = NO_PROGRESS
) -> int:
    """Stream the CSV to `out`; returns the number of claims written."""
    from claimsdb.export import write_export

    with reading(db) as session, _export_failure(session, "the CSV written so far is incomplete: do not use it"):
        _exporting(session, filters, progress)
        return write_export(session, filters, out, formula_guard=formula_guard, progress=progress)


def export_claim(db: DatabaseLike, claim_id: str, out: TextIO, *, formula_guard: bool = True) -> None:
    """One claim's row as export_csv writes it, under the same header (NotFound if there is none)."""
    from claimsdb import provenance
    from claimsdb.export import write_claim

    with reading(db) as session:
        if not write_claim(session, claim_id, out, formula_guard=formula_guard):
            provenance.show(session, claim_id)  # raises NotFound, naming the closest ids


def export_stream(db: DatabaseLike, filters: ClaimFilter, *, formula_guard: bool = True) -> Iterator[bytes]:
    """The CSV `export_csv` writes, as UTF-8 blocks for a streamed download; the database stays
    open (one read transaction) until the last block is taken or the iterator is closed."""
    from claimsdb.export import csv_blocks

    with reading(db) as session, _export_failure(session, "the CSV sent so far is incomplete: do not use it"):
        for block, _claims in csv_blocks(session, filters, formula_guard=formula_guard):
            yield block


@contextmanager
def _export_failure(session: Session, consequence: str) -> Iterator[None]:
    """A database error in the middle of an export (a damaged file, a lost server) as a message
    saying the export did not finish and what that leaves, never a traceback (the web answers 503);
    the export streams through the driver's own cursor, so its errors may reach here unwrapped."""
    from sqlalchemy.exc import DBAPIError

    driver_error = session.get_bind().dialect.loaded_dbapi.Error
    try:
        yield
    except (DBAPIError, driver_error) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise DatabaseStateError(
            f"the export stopped part-way: the database failed ({type(reason).__name__}: {reason}); {consequence}. "
            "`claims verify` checks the database."
        ) from None


def _exporting(session: Session, filters: ClaimFilter, progress: Progress) -> None:
    """Start the export's progress; the total takes a pass over the claims, so only a shown bar gets one."""
    from claimsdb.query import count_claims

    progress.phase("Exporting claims", count_claims(session, filters) if progress is not NO_PROGRESS else None)


def export_package(
    db: DatabaseLike,
    filters: ClaimFilter,
    out_dir: str | Path,
    *,
    formula_guard: bool = True,
    progress: Progress = NO_PROGRESS,
) -> tuple[int, list[Path]]:
    """Write `claims.csv`, `terms.csv` (the vocabularies) and their Frictionless `datapackage.json`
    into `out_dir`; the paths come back in that order.

    An export already there is replaced only by a whole new one: the options are checked before
    anything is written, the files are written under temporary names in `out_dir` and renamed
    into place only when all are complete. A failure leaves the folder as it was.
    """
    from claimsdb.export import TERMS_FILE, datapackage, write_export, write_terms
    from claimsdb.query import filter_conditions

    final = [Path(out_dir) / name for name in ("claims.csv", TERMS_FILE, "datapackage.json")]
    target = _checked_folder(out_dir, final)
    with reading(db) as session, _export_failure(session, f"{target} was left as it was"):
        filter_conditions(session, filters)  # an unknown term or claimant: say so before touching the folder
        created = _make_folder(target)
        written: list[Path] = []
        try:
            _exporting(session, filters, progress)
            with _temporary(target, final[0], written).open("w", encoding="utf-8", newline="") as handle:
                count = write_export(session, filters, handle, formula_guard=formula_guard, progress=progress)
            with _temporary(target, final[1], written).open("w", encoding="utf-8", newline="") as handle:
                write_terms(session, handle, formula_guard=formula_guard)
            package = datapackage(session, formula_guard=formula_guard)
            package_text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
            _temporary(target, final[2], written).write_text(package_text, encoding="utf-8")
            for temporary, path in zip(written, final, strict=True):
                temporary.replace(path)
        except BaseException:
            for temporary in written:
                temporary.unlink(missing_ok=True)
            if created:
                _remove_if_empty(target)
            raise
    return count, final


def _checked_folder(out_dir: str | Path, files: Sequence[Path] = ()) -> Path:
    """The export folder, refused before any work if the export's `files` could not be written safely there."""
    if not str(out_dir).strip():
        raise ClaimsError("--out needs a folder to write the export into, e.g. --out export")
    for path in files:
        if path.is_symlink():
            raise ClaimsError(
                f"{path} is a symbolic link; claimsdb does not write through links: "
                "remove it, or export to another folder"
            )
        if path.exists() and not path.is_file():
            raise ClaimsError(f"{path} is not a file (a folder?); move it away, or export to another folder")
    return Path(out_dir)


def _export_folder(out_dir: str | Path) -> Path:
    """The export folder, created if need be (for exports that write one file, whole or not at all)."""
    target = _checked_folder(out_dir)
    _make_folder(target)
    return target


def _make_folder(target: Path) -> bool:
    """Create the export folder if needed; True if this export created it."""
    if target.is_dir():
        return False
    try:
        target.mkdir(parents=True)
    except OSError as exc:
        raise ClaimsError(f"cannot create the export folder {target}: {exc.strerror}") from None
    return True


def _temporary(folder: Path, final: Path, written: list[Path]) -> Path:
    """A new file beside `final`, renamed onto it when the export is complete (so never half a
    file); created exclusively, never through a link, with the permissions a plain file gets."""
    path = folder / f".{final.name}.{os.getpid()}.part"
    path.unlink(missing_ok=True)  # left by a killed export of the same process id
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666))
    except OSError as exc:
        raise ClaimsError(f"cannot write in the export folder {folder}: {exc.strerror}") from None
    written.append(path)
    return path


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def export_annotations(
    db: DatabaseLike,
    filters: ClaimFilter,
    out: TextIO,
    *,
    base_url: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> int:
    """Stream every selected claim's anchor to `out` as a W3C Web Annotation, in one JSON-LD
    AnnotationCollection; returns how many. `base_url` is where the claims are served, for links."""
    from claimsdb.linked_data import Links, write_annotations

    links = Links.under(base_url)
    with reading(db) as session:
        _exporting(session, filters, progress)
        return write_annotations(session, filters, out, links=links, progress=progress)


def export_annotations_file(
    db: DatabaseLike,
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


def list_sources(db: DatabaseLike) -> list[SourceRow]:
    """Every publication, what it reports on, and its claim counts."""
    from claimsdb import query

    with reading(db) as session:
        return query.list_sources(session)


def list_claimants(db: DatabaseLike) -> list[ClaimantRow]:
    """Every organisation or person, and how many claims each makes."""
    from claimsdb import query

    with reading(db) as session:
        return query.list_claimants(session)


def stats(db: DatabaseLike) -> Stats:
    """Claims by claimant and type, and by the year they were made."""
    from claimsdb import query

    with reading(db) as session:
        return query.stats(session)


def list_runs(db: DatabaseLike) -> list[RunRow]:
    """Every load run, newest first."""
    from claimsdb import query

    with reading(db) as session:
        return query.list_runs(session)


def verify(db: DatabaseLike, seeds_dir: str | Path | None = DEFAULT_SEEDS) -> VerifyReport:
    """Check the database file (SQLite's quick_check), then every anchor against the database text
    and, with `seeds_dir`, the files on disk."""
    from claimsdb import verify as checks  # the module: this function has its name

    if seeds_dir is not None and not Path(seeds_dir).is_dir():  # else every claim would be reported as drifted
        raise ClaimsError(
            f"{seeds_dir}: no such seeds folder; give the folder the database was loaded from (default: seeds)"
        )
    with reading(db) as session:
        return checks.verify(session, Path(seeds_dir) if seeds_dir is not None else None)


@dataclass(frozen=True)
class Located:
    document: str
    places: list[LocatedQuote]
    explanation: str | None


def anchor(db: DatabaseLike, document: str, quote: str) -> Located:
    """Where `quote` sits in a document (a file path, or a held document's id), or what is closest."""
    from claimsdb.seeds.anchor import explain_missing
    from claimsdb.seeds.anchor import locate as locate_quote
    from claimsdb.query import document_text
    from claimsdb.seeds.parse import decode_text

    if not quote.strip():
        raise ClaimsError(
            "the words to find are empty; give them exactly as the document has them: "
            'claims anchor DOCUMENT "the words"'
        )
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
