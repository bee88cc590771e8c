"""The `claims` command: parse options, call `claimsdb.api`, render. No SQL, no rules.

Heavy modules (SQLAlchemy, Alembic, pydantic, rich) are imported inside the commands that use
them, so `claims --help` starts fast; tests/test_cli_startup.py holds us to that.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from claimsdb.chars import visible
from claimsdb.errors import ClaimsError
from claimsdb.rules import COUNT_TIME_LIMIT_MS, SORTS, in_words

app = typer.Typer(
    name="claims",
    help="A database of attributed claims: who says what, where, when, in exactly which words.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def run() -> None:
    """The `claims` program (its console script, and `python -m claimsdb`): `app`, then an exit
    that skips the last sweep for reference cycles.

    As a process ends, Python sweeps every cycle still alive (modules, classes, the structures
    SQLAlchemy and pydantic build) and frees each object in them: about a tenth of a second after
    a load, more than most of what the load itself does when one file changed. By then every
    command has closed its databases and files, and the memory goes back to the system with the
    process, so the sweep is skipped: `gc.freeze` moves every object out of the collector's reach.
    Objects that are not in cycles are still freed, and `atexit` handlers still run. Tests call
    `app` in their own process and keep their collector as it was.
    """
    try:
        app(prog_name="claims")
    finally:
        gc.freeze()


class Format(str, Enum):
    """How a command prints its data: a table for people; JSON, CSV or JSON lines for programs."""

    table = "table"
    json = "json"
    csv = "csv"
    ndjson = "ndjson"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="table (for people), json, csv, or ndjson (one JSON object a line). README: Output formats.",
    ),
]
"""The one --format of every command that prints data (export writes files: its own choice, spelled the same)."""


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CLAIMS_DB",
            show_envvar=False,
            help="SQLite file path or SQLAlchemy URL (postgresql+psycopg://...); also $CLAIMS_DB. "
            "Default: claims.db here.",
        ),
    ] = None,
) -> None:
    ctx.obj = {"db": db}


def _db(ctx: typer.Context, *, writable: bool = False, wait_seconds: float | None = None) -> Any:
    """The command's one api.Database, from --db or $CLAIMS_DB (read by Typer, not the library);
    built on first use (reads open SQLite read-only), closed when the command ends."""
    from claimsdb import api

    root = ctx.find_root()
    if root.obj is None:
        root.obj = {"db": None}
    if "database" not in root.obj:
        options = {} if wait_seconds is None else {"wait_seconds": wait_seconds}
        database = api.open_database(root.obj["db"], read_only=not writable, **options)
        root.obj["database"] = database
        root.call_on_close(database.close)
    return root.obj["database"]


def _stderr() -> Any:
    """rich on stderr, markup off: nothing printed is read as markup (render.text makes the Text)."""
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def _stdout() -> Any:
    from rich.console import Console

    return Console(markup=False, highlight=False)


def _say(message: str, *, err: bool = False) -> None:
    """A plain message that may hold user text (a path, an id, a seed's words): written exactly,
    with control and invisible characters made visible (chars.visible), so it cannot drive the
    terminal."""
    typer.echo(visible(message), err=err)


def _progress(quiet: bool) -> Any:
    """render.progress_bar; or, where no bar could be drawn, no progress without loading rich at
    all: --quiet, CI, or stderr not a terminal and neither TTY_COMPATIBLE=1 nor FORCE_COLOR
    telling rich to treat it as one (rich's Console.is_terminal would then say no)."""
    from claimsdb.progress import NO_PROGRESS, bar_wanted

    forced = os.environ.get("TTY_COMPATIBLE") == "1" or bool(os.environ.get("FORCE_COLOR"))
    if not bar_wanted(quiet=quiet, terminal=forced or sys.stderr.isatty()):
        return contextlib.nullcontext(NO_PROGRESS)
    from claimsdb.render import progress_bar

    return progress_bar(_stderr(), quiet=quiet)


def user_errors(command: F) -> F:
    """Report ClaimsError as a message on stderr with exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ClaimsError as exc:
            _say(f"Error: {exc}", err=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


SeedsDir = Annotated[Path, typer.Argument(help="The seeds directory (YAML files and documents/).")]


def _count(value: Any) -> int:
    """--limit: ASCII digits, from 1 to query.MAX_COUNT; anything else is a usage error, not a traceback."""
    from claimsdb.api import whole_number

    try:
        return whole_number(str(value), "the limit", minimum=1)
    except ClaimsError as exc:
        raise typer.BadParameter(str(exc)) from None


def _seconds(value: Any) -> float:
    """--wait: a number of seconds in plain digits (no inf, nan or exponent), at most MAX_WAIT_SECONDS."""
    from claimsdb.api import parse_wait

    try:
        return parse_wait(str(value))
    except ClaimsError as exc:
        raise typer.BadParameter(str(exc)) from None



@app.command()
@user_errors
def load(
    ctx: typer.Context,
    seeds_dir: SeedsDir = Path("seeds"),
    recapture: Annotated[
        list[str] | None,
        typer.Option(help="Accept new bytes for this held document (repeat for several)."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Read and check every seed file, not only those changed since the last load.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            parser=_seconds,
            metavar="SECONDS",
            help="Seconds to wait for another load on the same database (at most a week).",
        ),
    ] = 60,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the load report: no overview, no progress bar.")
    ] = False,
) -> None:
    """Load a seeds directory (default: seeds/) in one transaction, then show what is there."""
    from claimsdb import api

    database = _db(ctx, writable=True, wait_seconds=wait)
    with _progress(quiet) as progress:
        report = api.load(
            database, seeds_dir, recapture=recapture or (), force=force,
            on_wait=functools.partial(_say, err=True), progress=progress,
        )  # fmt: skip
    for report_line in report.lines(database.name):  # plain lines: a --quiet load never imports rich
        _say(report_line)
    if not quiet:
        from claimsdb.render import render_overview

        render_overview(api.overview(database), _stdout())


@app.command()
@user_errors
def check(seeds_dir: SeedsDir = Path("seeds")) -> None:
    """Validate seeds (YAML, references, vocabularies, quotes) without touching any database."""
    from claimsdb import api

    bundle = api.check(seeds_dir)
    _say(
        f"{seeds_dir}: OK — {bundle.claim_count} claims, {len(bundle.documents)} documents, "
        f"{len(bundle.sources)} sources, {len(bundle.organisations)} organisations, {len(bundle.terms)} terms."
    )


@app.command()
@user_errors
def migrate(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade an older database to this version's schema."""
    from claimsdb import api

    before, after = api.migrate(_db(ctx, writable=True))
    _say(f"Schema already at {after}." if before == after else f"Schema upgraded from {before or 'empty'} to {after}.")


# --- options shared by `list` and `export` --------------------------------------------------------

SourceOpt = Annotated[str | None, typer.Option(help="Publication id, URL or a fragment of its title.")]
ClaimantOpt = Annotated[
    str | None, typer.Option(help="Claimant id, name, alias or kind (any case), e.g. TJWG or 'unnamed person'.")
]
AttributionOpt = Annotated[
    str | None, typer.Option(help="How the document attributes the claim: direct, reported, summarised or own_voice.")
]
ReliabilityOpt = Annotated[
    str | None, typer.Option(help="The curator's reliability grade of the claim's source (A-F), e.g. A-B.")
]
CredibilityOpt = Annotated[
    str | None, typer.Option(help="The curator's credibility grade of the claim (1-6), e.g. 1-2.")
]
PlaceOpt = Annotated[
    str | None, typer.Option(help="Place id, name, alias or ISO 3166-2 code; a province includes its towns.")
]
TypeOpt = Annotated[str | None, typer.Option("--type", help="Claim type, e.g. defection_figure.")]
TermOpt = Annotated[str | None, typer.Option(help="A vocabulary term id or label, e.g. shooting.")]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Claimed on or after: YYYY, YYYY-MM or YYYY-MM-DD "
        "(claims that may fall inside are listed, marked possible).",
    ),
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Claimed on or before: YYYY, YYYY-MM or YYYY-MM-DD.")]
SearchOpt = Annotated[str | None, typer.Option(help="Full-text search of statements and quotes (all words).")]
WithdrawnOpt = Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn claims.")]


Sort = Enum("Sort", {name: name for name in SORTS}, type=str)  # the orders claimsdb.rules defines
_SORT_HELP = in_words(name if label == name else f"{name} ({label})" for name, label in SORTS.items())
SortOpt = Annotated[Sort, typer.Option(help=f"Order: {_SORT_HELP}.")]


def _claim_filter(**options: Any) -> Any:
    from claimsdb.api import ClaimFilter

    sort = options.pop("sort", Sort["document"])
    return ClaimFilter(sort=sort.value, **options)


@app.command("list")
@user_errors
def list_(
    ctx: typer.Context,
    source: SourceOpt = None,
    claimant: ClaimantOpt = None,
    type_: TypeOpt = None,
    term: TermOpt = None,
    attribution: AttributionOpt = None,
    place: PlaceOpt = None,
    reliability: ReliabilityOpt = None,
    credibility: CredibilityOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    search: SearchOpt = None,
    withdrawn: WithdrawnOpt = False,
    sort: SortOpt = Sort["document"],
    limit: Annotated[
        int | None, typer.Option(parser=_count, metavar="N", help="Show at most this many claims.")
    ] = None,
    format_: FormatOpt = Format.table,
) -> None:
    """List claims; filters combine (source, claimant, type, term, dates, full text)."""
    from claimsdb import api

    filters = _claim_filter(
        source=source, claimant=claimant, type=type_, term=term, attribution=attribution, place=place,
        reliability=reliability, credibility=credibility, date_from=date_from, date_to=date_to,
        search=search, include_withdrawn=withdrawn, sort=sort, limit=limit,
    )  # fmt: skip
    rows = api.list_claims(_db(ctx), filters)
    if not rows:
        _say("No claims match these filters.", err=True)
        if format_ is Format.table:
            return
    _rows(rows, format_, f"{len(rows)} claim{'' if len(rows) == 1 else 's'}", api.ClaimRow)


@app.command()
@user_errors
def show(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(help="The claim's id.")],
    format_: FormatOpt = Format.table,
) -> None:
    """Show a claim's full provenance: who, where, when, the exact words, relations, load run.

    As csv: the claim's row as `claims export` writes it; as ndjson: the JSON on one line."""
    from claimsdb import api
    from claimsdb.render import render_claim, to_json, to_json_line

    if format_ is Format.csv:  # the export's row alone: no provenance to gather (NotFound as show says it)
        api.export_claim(_db(ctx), claim_id, sys.stdout)
        return
    claim = api.show(_db(ctx), claim_id)
    if format_ is Format.table:
        render_claim(claim, _stdout())
    else:
        sys.stdout.write((to_json(claim) if format_ is Format.json else to_json_line(claim)) + "\n")


class ExportFormat(str, Enum):
    csv = "csv"
    annotations = "annotations"


@app.command()
@user_errors
def export(
    ctx: typer.Context,
    out: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Write into folder DIR instead of stdout: claims.csv, terms.csv and datapackage.json "
            "(or annotations.jsonld); an export there is replaced only when the new one is complete.",
        ),
    ] = None,
    format_: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="csv (a row per claim), or annotations (W3C Web Annotations of quotes)."),
    ] = ExportFormat.csv,
    base_url: Annotated[
        str | None,
        typer.Option(help="With --format annotations: the address claims are served at, for links to them."),
    ] = None,
    source: SourceOpt = None,
    claimant: ClaimantOpt = None,
    type_: TypeOpt = None,
    term: TermOpt = None,
    attribution: AttributionOpt = None,
    place: PlaceOpt = None,
    reliability: ReliabilityOpt = None,
    credibility: CredibilityOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    search: SearchOpt = None,
    withdrawn: WithdrawnOpt = False,
    sort: SortOpt = Sort["document"],
    formula_guard: Annotated[
        bool, typer.Option(help="CSV: prefix ' to text cells a spreadsheet would run as a formula.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Export claims as CSV (one row per claim, typed value and provenance columns), or their quotes as
    W3C Web Annotations (README: Export, Standard exports)."""
    from claimsdb import api

    filters = _claim_filter(
        source=source, claimant=claimant, type=type_, term=term, attribution=attribution, place=place,
        reliability=reliability, credibility=credibility, date_from=date_from, date_to=date_to,
        search=search, include_withdrawn=withdrawn, sort=sort,
    )  # fmt: skip
    if format_ is ExportFormat.annotations:
        _export_annotations(ctx, filters, out, base_url, quiet)
        return
    if base_url is not None:
        raise ClaimsError("--base-url is for --format annotations; the CSV names claims by their ids")
    with _progress(quiet) as progress:
        if out is None:
            api.export_csv(_db(ctx), filters, sys.stdout, formula_guard=formula_guard, progress=progress)
            return
        count, paths = api.export_package(_db(ctx), filters, out, formula_guard=formula_guard, progress=progress)
    claims_csv, terms_csv, package = paths
    _say(f"Wrote {count} claims to {claims_csv}, vocabularies to {terms_csv}, described in {package}.", err=True)


def _export_annotations(ctx: typer.Context, filters: Any, out: str | None, base_url: str | None, quiet: bool) -> None:
    from claimsdb import api

    with _progress(quiet) as progress:
        if out is None:
            api.export_annotations(_db(ctx), filters, sys.stdout, base_url=base_url, progress=progress)
            return
        count, path = api.export_annotations_file(_db(ctx), filters, out, base_url=base_url, progress=progress)
    _say(f"Wrote the quotes of {count} claims as W3C Web Annotations to {path}.", err=True)


# --- figures side by side, and denials -------------------------------------------------------------

PeriodOpt = Annotated[
    str | None,
    typer.Option(help="Only figures whose period overlaps this one: 2021, 2021-Q1, 2021-03 or 2019/2021."),
]


@app.command()
@user_errors
def figures(
    ctx: typer.Context,
    claimant: ClaimantOpt = None,
    type_: TypeOpt = None,
    term: TermOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    period: PeriodOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    format_: FormatOpt = Format.table,
) -> None:
    """Claimed figures side by side: grouped by what they measure and the period, conflicts flagged.

    Figures for one measure and period that cannot all be true (\"over 500\" beside \"300\") are a
    conflict; the same claimant repeating the same figure from the same publication is a
    restatement, not a conflict; a claimant's quarters that do not add up to its year are shown.
    --from/--to select by when the figures were claimed, --period by the period they cover.
    As json: the groups and sums; as csv and ndjson: one row per figure.
    """
    from claimsdb import api
    from claimsdb.api import FigureRow, figure_rows
    from claimsdb.render import figures_json, render_figures, render_rows

    filters = _claim_filter(
        claimant=claimant, type=type_, term=term, place=place, source=source, date_from=date_from, date_to=date_to,
    )  # fmt: skip
    data = api.figures(_db(ctx), filters, period)
    if format_ is Format.json:
        sys.stdout.write(figures_json(data) + "\n")
    elif format_ is not Format.table:
        render_rows(figure_rows(data), format_.value, sys.stdout, _stdout(), row_type=FigureRow)
    elif not data.groups:
        _say("No claimed figures match these filters.", err=True)
    else:
        render_figures(data, _stdout())


@app.command()
@user_errors
def contradicts(
    ctx: typer.Context,
    claimant: Annotated[
        str | None, typer.Option(help="Only denials by this claimant (id, name, alias or kind).")
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    format_: FormatOpt = Format.table,
) -> None:
    """Each denial (a claim that contradicts others) with the claims it contradicts.

    As ndjson: one denial a line; as csv: one row per claim contradicted."""
    from claimsdb import api
    from claimsdb.api import DenialRow, denial_rows
    from claimsdb.render import render_denials, render_rows, to_json, to_json_line

    items = api.contradicts(_db(ctx), _claim_filter(claimant=claimant, date_from=date_from, date_to=date_to))
    if format_ is Format.json:
        sys.stdout.write(to_json(items) + "\n")
    elif format_ is Format.ndjson:
        sys.stdout.writelines(to_json_line(item) + "\n" for item in items)
    elif format_ is Format.csv:
        render_rows(denial_rows(items), "csv", sys.stdout, _stdout(), row_type=DenialRow)
    else:
        render_denials(items, _stdout())


# --- summaries ------------------------------------------------------------------------------------

def _rows(rows: list[Any], format_: Format, title: str, row_type: type) -> None:
    """A listing's rows in the chosen format (render.render_rows: one way for every format)."""
    from claimsdb.render import render_rows

    render_rows(rows, format_.value, sys.stdout, _stdout(), title=title, row_type=row_type)


@app.command()
@user_errors
def sources(ctx: typer.Context, format_: FormatOpt = Format.table) -> None:
    """Each publication: who published it, when, what it reports on, and its claim counts."""
    from claimsdb import api

    _rows(api.list_sources(_db(ctx)), format_, "publications", api.SourceRow)


@app.command()
@user_errors
def claimants(ctx: typer.Context, format_: FormatOpt = Format.table) -> None:
    """Each organisation or person: names, aliases, kind and how many claims they make."""
    from claimsdb import api

    _rows(api.list_claimants(_db(ctx)), format_, "claimants and publishers", api.ClaimantRow)


@app.command()
@user_errors
def stats(ctx: typer.Context, format_: FormatOpt = Format.table) -> None:
    """Counts of claims by type and claimant, and by the year they were made.

    As csv and ndjson: one row per number (a claimant's claims of a type, or the claims of a year)."""
    from claimsdb import api
    from claimsdb.render import StatsFigure, render_stats, stats_rows, to_json

    data = api.stats(_db(ctx))
    if format_ is Format.json:
        sys.stdout.write(to_json(data) + "\n")
    elif format_ is Format.table:
        render_stats(data, _stdout())
    else:
        _rows(stats_rows(data), format_, "", StatsFigure)


@app.command()
@user_errors
def runs(ctx: typer.Context, format_: FormatOpt = Format.table) -> None:
    """Every load run, newest first: when, from where, and what it added, changed, withdrew."""
    from claimsdb import api

    _rows(api.list_runs(_db(ctx)), format_, "load runs", api.RunRow)


# --- curators' checks -----------------------------------------------------------------------------


@app.command()
@user_errors
def verify(ctx: typer.Context, seeds_dir: SeedsDir = Path("seeds")) -> None:
    """Check the database file (SQLite) and every quote anchor against the documents, in the database and on disk."""
    from claimsdb import api

    report = api.verify(_db(ctx), seeds_dir)
    for damage in report.damage:
        _say(f"DAMAGED: {damage}", err=True)
    for drift in report.drift:
        _say(f"DRIFT {drift.claim_id} ({drift.document_id}): {drift.problem}", err=True)
    if report.damage:
        _say(
            "Error: the database file is damaged (SQLite's quick_check); its answers cannot be trusted. Restore it "
            "from a backup, or load the seeds into a new file (claims --db NEW.db load).",
            err=True,
        )
        raise typer.Exit(code=1)
    if not report.ok:
        drifted = len({d.claim_id for d in report.drift})
        _say(f"Error: {drifted} of {report.claims} claims no longer match their documents.", err=True)
        raise typer.Exit(code=1)
    checked = "; SQLite's quick_check finds the database file intact" if report.checked_file else ""
    anchors = f"{report.claims} quote anchors verified in {report.documents} documents (database and {seeds_dir})"
    _say(f"OK: {anchors}{checked}.")


@app.command()
@user_errors
def anchor(
    ctx: typer.Context,
    document: Annotated[str, typer.Argument(help="A document file, or the id of a held document.")],
    text: Annotated[str, typer.Argument(help="The words to find, exactly as you would quote them.")],
) -> None:
    """Find where words sit in a document (offsets, line, context), or the closest passage."""
    from claimsdb import api
    from claimsdb.render import render_located

    found = api.anchor(_db(ctx), document, text)
    render_located(found, _stdout())
    if not found.places:
        raise typer.Exit(code=1)


# --- the web site ---------------------------------------------------------------------------------


@app.command()
@user_errors
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default keeps the site on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="The address readers open the site at (https://claims.example.org), "
            "for absolute links in citations and JSON-LD."
        ),
    ] = None,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=0.1, max=3600, help="Seconds a client has to send a request's headers before it is disconnected."
        ),
    ] = 10,
    count_time_limit: Annotated[
        int,
        typer.Option(
            min=0, max=3_600_000,
            help="Milliseconds a list page may spend reading its claims and counting them; a total or facet "
            'not counted by then shows as "many" or "not counted", with a link that counts it exactly.',
        ),
    ] = COUNT_TIME_LIMIT_MS,
) -> None:
    """Serve a read-only web site of the claims: filters and facets, provenance, held documents."""
    from claimsdb import api
    from claimsdb.errors import DatabaseStateError
    from claimsdb.web import create_app
    from claimsdb.web.server import run

    database = _db(ctx)
    site = create_app(database, base_url, count_time_limit=count_time_limit / 1000)
    try:
        api.overview(database)
    except DatabaseStateError as exc:  # serve anyway: every page says what is wrong until it is fixed
        _say(f"Warning: {exc}", err=True)
    _say(f"Serving {database.name} read-only at http://{host}:{port}/ (Ctrl-C stops).", err=True)
    run(site, host, port, header_timeout=header_timeout)
