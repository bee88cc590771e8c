"""The `claims` command: parse options, call `claimsdb.api`, render. No SQL, no rules.

Heavy modules (SQLAlchemy, Alembic, pydantic, rich) are imported inside the commands that use
them, so `claims --help` starts fast; tests/test_cli_startup.py holds us to that.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from claimsdb.errors import ClaimsError, SeedError

app = typer.Typer(
    name="claims",
    help="A database of attributed claims: who says what, where, when, in exactly which words.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(str, Enum):
    rich = "rich"
    json = "json"


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CLAIMS_DB",
            show_envvar=False,
            help="SQLite file path or SQLAlchemy URL (postgresql+psycopg://...); also $CLAIMS_DB. Default: claims.db here.",
        ),
    ] = None,
) -> None:
    ctx.obj = {"db": db}


def _db(ctx: typer.Context) -> str | None:
    return ctx.obj["db"] if ctx.obj else None


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def user_errors(command: F) -> F:
    """Report ClaimsError as a message on stderr with exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SeedError as exc:
            sys.stderr.write(f"Error: {exc}\n")
            raise typer.Exit(code=1) from None
        except ClaimsError as exc:
            sys.stderr.write(f"Error: {exc}\n")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


SeedsDir = Annotated[Path, typer.Argument(help="The seeds directory (YAML files and documents/).")]


@app.command()
@user_errors
def load(
    ctx: typer.Context,
    seeds_dir: SeedsDir = Path("seeds"),
    recapture: Annotated[
        list[str] | None,
        typer.Option(help="Accept new bytes for this held document (repeat for several)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Parse and load even if no file changed since the last load.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the load report, not the overview.")] = False,
) -> None:
    """Load a seeds directory (default: seeds/) in one transaction, then show what is there."""
    from claimsdb import api
    from claimsdb.db.engine import database_url, describe
    from claimsdb.render import render_load_report, render_overview

    report = api.load(_db(ctx), seeds_dir, recapture=recapture or (), force=force, on_wait=_stderr().print)
    console = _stdout()
    render_load_report(report, describe(database_url(_db(ctx))), console)
    if not quiet:
        render_overview(api.summary(_db(ctx)), console)


@app.command()
@user_errors
def check(seeds_dir: SeedsDir = Path("seeds")) -> None:
    """Validate seeds (YAML, references, vocabularies, quotes) without touching any database."""
    from claimsdb import api

    bundle = api.check(seeds_dir)
    typer.echo(
        f"{seeds_dir}: OK — {len(bundle.claims)} claims, {len(bundle.documents)} documents, "
        f"{len(bundle.sources)} sources, {len(bundle.organisations)} organisations, {len(bundle.terms)} terms."
    )


@app.command()
@user_errors
def migrate(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade an older database to this version's schema."""
    from claimsdb import api

    before, after = api.migrate(_db(ctx))
    typer.echo(f"Schema already at {after}." if before == after else f"Schema upgraded from {before or 'empty'} to {after}.")


@app.command("list")
@user_errors
def list_(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Publication id, URL or a fragment of its title.")] = None,
    claimant: Annotated[str | None, typer.Option(help="Claimant id, name or alias (any case).")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Claim type, e.g. defection_figure.")] = None,
    withdrawn: Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn claims.")] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many claims.")] = None,
    format_: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List claims, filtered by source, claimant and type."""
    from claimsdb import api
    from claimsdb.query import ClaimFilter
    from claimsdb.render import render_rows

    filters = ClaimFilter(source=source, claimant=claimant, type=type_, include_withdrawn=withdrawn, limit=limit)
    rows = api.claims(_db(ctx), filters)
    if not rows and format_ is ListFormat.table:
        _stderr().print("No claims match these filters.")
        return
    render_rows(rows, format_.value, sys.stdout, _stdout(), title=f"{len(rows)} claims")


@app.command()
@user_errors
def show(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(help="The claim's id.")],
    format_: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.rich,
) -> None:
    """Show a claim's full provenance: who, where, when, the exact words, relations, load run."""
    from claimsdb import api
    from claimsdb.render import render_claim, to_json

    claim = api.show(_db(ctx), claim_id)
    if format_ is ShowFormat.json:
        sys.stdout.write(to_json(claim) + "\n")
    else:
        render_claim(claim, _stdout())


@app.command()
@user_errors
def export(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Write DIR/claims.csv and DIR/datapackage.json instead of CSV on stdout.")] = None,
    source: Annotated[str | None, typer.Option(help="Publication id, URL or a fragment of its title.")] = None,
    claimant: Annotated[str | None, typer.Option(help="Claimant id, name or alias (any case).")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Claim type, e.g. defection_figure.")] = None,
    withdrawn: Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn claims.")] = False,
    formula_guard: Annotated[bool, typer.Option(help="Prefix ' to text cells a spreadsheet would run as a formula.")] = True,
) -> None:
    """Export claims as CSV (one row per claim, typed value and provenance columns)."""
    from claimsdb import api
    from claimsdb.query import ClaimFilter

    filters = ClaimFilter(source=source, claimant=claimant, type=type_, include_withdrawn=withdrawn)
    if out is None:
        api.export_csv(_db(ctx), filters, sys.stdout, formula_guard=formula_guard)
        return
    count, paths = api.export_package(_db(ctx), filters, out, formula_guard=formula_guard)
    typer.echo(f"Wrote {count} claims to {paths[0]} and described them in {paths[1]}.", err=True)
