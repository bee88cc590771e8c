"""The read-only web site: Starlette routes over the same library calls as the CLI.

Every handler is thin: parse the request, make one `claimsdb.api` call on the app's one Database,
shape the result with `views`, render a template. Only GET (and HEAD) routes exist, so
anything else gets 405; templates autoescape everything, and a strict Content-Security-Policy
forbids scripts outright, since no page needs one.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from rich.console import Console
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimsdb import api
from claimsdb.errors import ClaimsError, DatabaseStateError, NotFound
from claimsdb.render import describe_period, describe_quantity, render_rows, to_json
from claimsdb.rules import SORTS
from claimsdb.web import figures_views, views

HERE = Path(__file__).parent

SECURITY_HEADERS = {
    # no page runs a script, loads from elsewhere or may be framed: say so, so a slip cannot
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (pure ASGI, so streaming and errors keep them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def source_path(source_id: str) -> str:
    return f"/sources/{quote(source_id, safe='')}"


def _templates() -> Jinja2Templates:
    """Jinja2 with autoescape forced on for every template, and undefined names as errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        link=views.link,
        claim_path=api.claim_path,
        source_path=source_path,
        describe_quantity=describe_quantity,
        describe_period=describe_period,
        PAGE_SIZE=views.PAGE_SIZE,
        CONFLICT=figures_views.CONFLICT,
    )
    env.filters.update(type_label=views.type_label, http_url=views.http_url, bdi=views.isolate)
    env.tests["term"] = lambda item: isinstance(item, api.TermInfo)  # a vocabulary term in a claim's value
    return Jinja2Templates(env=env)


def create_app(db: api.DatabaseLike, base_url: str | None = None) -> Starlette:
    """The site for database `db`: an api.Database, or a SQLite path or SQLAlchemy URL (None:
    claims.db here), opened read-only once for the life of the app.

    Every request reads through the one Database, so connections come from its pool instead of
    being made (and disposed) per request. Links and redirects are relative; the citation of a
    claim is absolute only with `base_url`, the address the site is published at."""
    db = db if isinstance(db, api.Database) else api.open_database(db, read_only=True)
    templates = _templates()
    # never from a request: its Host header is the client's to choose, and a link or redirect built
    # from it would send readers (or a cache) wherever the client said
    address = api.Links.under(base_url).base_url or ""

    def render(request: Request, name: str, context: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        return templates.TemplateResponse(request, name, dict(context), status_code=status, headers=headers)

    def index(request: Request) -> Response:
        """The claims list: the CLI's filters as query parameters, facets, paging, downloads."""
        tidy = views.without_empty(request.query_params.multi_items())
        if tidy is not None:
            return RedirectResponse(tidy, status_code=302)
        params = views.given_params(request.query_params)
        try:
            wanted = views.parse_list_request(request.query_params)
            found = api.claims_page(db, wanted.filters, offset=wanted.offset, limit=wanted.limit)
        except DatabaseStateError:
            raise
        except ClaimsError as exc:  # a filter that matches nothing known: say so beside the form
            return render(request, "index.html", _list_context(params, views.page([], 0, 0, views.PAGE_SIZE), None, str(exc)), status=400)
        page = views.page(found.rows, found.total, wanted.offset, wanted.limit)
        return render(request, "index.html", _list_context(wanted.params, page, found.counts, None))

    def claims_csv(request: Request) -> Response:
        """The current selection in the export's columns, as `claims export` writes it, streamed
        block by block as the database gives the rows: memory does not grow with the claims."""
        wanted = views.parse_list_request(request.query_params)
        blocks = api.export_stream(db, wanted.filters)
        first = next(blocks)  # opens the database and runs the query: a problem is a page, not a cut file
        return StreamingResponse(
            chain([first], blocks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="claims.csv"'},
        )

    def claims_json(request: Request) -> Response:
        """The current selection as `claims list --format json` prints it."""
        wanted = views.parse_list_request(request.query_params)
        return Response(to_json(api.list_claims(db, wanted.filters)) + "\n", media_type="application/json")

    def claims_redirect(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=301)

    def claim_page(request: Request) -> Response:
        """One claim's full provenance, as `claims show` gives it."""
        claim = api.show(db, request.path_params["claim_id"])
        url = address + api.claim_path(claim.id)
        return render(request, "claim.html", {
            "claim": claim,
            "context": views.quote_context(claim.anchor, api.CONTEXT_CHARS),
            "citation": views.citation(claim, url),
            "jsonld": api.claim_jsonld(claim, url),
        })  # fmt: skip

    def claim_json(request: Request) -> Response:
        """Exactly what `claims show --format json` prints."""
        return Response(to_json(api.show(db, request.path_params["claim_id"])) + "\n", media_type="application/json")

    def figures_page(request: Request) -> Response:
        """Claimed figures by measure: a chart over time beside each table, conflicts marked."""
        tidy = views.without_empty(request.query_params.multi_items(), "/figures")
        if tidy is not None:
            return RedirectResponse(tidy, status_code=302)
        wanted = figures_views.parse_figures_request(request.query_params)
        try:
            data = api.figures(db, wanted.filters, wanted.period)
        except DatabaseStateError:
            raise
        except ClaimsError as exc:  # a filter that matches nothing known: say so above the form
            return render(request, "figures.html", _figures_context(wanted.params, None, str(exc)), status=400)
        return render(request, "figures.html", _figures_context(wanted.params, data, None))

    def figures_csv(request: Request) -> Response:
        """One row per figure, as `claims figures --format csv` writes it."""
        wanted = figures_views.parse_figures_request(request.query_params)
        buffer = io.StringIO()
        render_rows(api.figure_rows(api.figures(db, wanted.filters, wanted.period)), "csv", buffer, Console(file=io.StringIO()))
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="figures.csv"'},
        )

    def sources_page(request: Request) -> Response:
        return render(request, "sources.html", {"sources": api.list_sources(db)})

    def source_page(request: Request) -> Response:
        """A publication, its place in the reports_on chain, and a held document's text with its quotes."""
        source_id = request.path_params["source_id"]
        found = api.source(db, source_id)
        quotes = views.numbered(found.quotes)
        return render(request, "source.html", {
            "page": views.source_page(found.sources, found.reports, source_id),
            "details": found.info,
            "made_in": [row for row in found.claims if row.made_in_id == source_id],
            "quotes": quotes,
            "segments": views.segments(found.text, quotes) if found.text is not None else [],
            "titles": {row.id: row.title for row in found.sources},
        })  # fmt: skip

    def not_found(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"title": "Not found", "message": str(exc), "status": 404}, status=404)

    def database_state(request: Request, exc: Exception) -> Response:
        return render(
            request, "error.html",
            {"title": "The database is not ready", "message": str(exc), "status": 503},
            status=503, headers={"Retry-After": "60"},
        )  # fmt: skip

    def claims_error(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"title": "Cannot show that", "message": str(exc), "status": 400}, status=400)

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title, message = _HTTP_MESSAGES.get(exc.status_code, ("Error", exc.detail))
        return render(request, "error.html", {"title": title, "message": message, "status": exc.status_code}, status=exc.status_code, headers=exc.headers)

    def server_error(request: Request, exc: Exception) -> Response:
        """A bug, not a user error: a plain page, never a traceback (the server log has the details)."""
        return render(request, "error.html", {"title": "Something went wrong", "message": _SERVER_ERROR, "status": 500}, status=500)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        db.close()  # the pooled connections; the Database reconnects if used again

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", index, name="index"),
            Route("/claims.csv", claims_csv, name="claims_csv"),
            Route("/claims.json", claims_json, name="claims_json"),
            Route("/claims", claims_redirect),
            Route("/claims/{claim_id}.json", claim_json, name="claim_json"),
            Route("/claims/{claim_id}", claim_page, name="claim"),
            Route("/figures", figures_page, name="figures"),
            Route("/figures.csv", figures_csv, name="figures_csv"),
            Route("/sources", sources_page, name="sources"),
            Route("/sources/{source_id}", source_page, name="source"),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPException: http_error,
            NotFound: not_found,
            DatabaseStateError: database_state,
            ClaimsError: claims_error,
            Exception: server_error,
        },
    )
    # Starlette would answer /sources/ with a redirect to an absolute URL built from the Host header
    app.router.redirect_slashes = False
    app.state.database = db
    return app


_SERVER_ERROR = "claimsdb could not show this page because of an error in claimsdb itself; the server's log says where. Please report it."

_HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    404: ("Not found", "There is no page at this address. The claims list and the sources page link to everything here."),
    405: ("Read-only", "This site only shows claims; it never changes them. Curators change claims in the seed files and load them with `claims load`."),
}


def _figures_context(params: Mapping[str, str], data: api.Figures | None, error: str | None) -> dict[str, Any]:
    charts = figures_views.charts(data) if data is not None else []
    return {
        "params": dict(params),
        "charts": charts,
        "figure_count": sum(len(chart.rows) for chart in charts),
        "conflicts": len(data.conflicts) if data is not None else 0,
        "sums": data.sums if data is not None else [],
        "failing": data.sums_not_adding_up if data is not None else [],
        "error": error,
    }


def _list_context(params: Mapping[str, str], page: views.Page, counts: api.FacetCounts | None, error: str | None) -> dict[str, Any]:
    facets = views.facets(counts, params) if counts else []
    return {
        "params": dict(params),
        "page": page,
        "facets": facets,
        "active": views.active_filters(params, facets),
        "filters_set": len(set(params) - {"q", "sort"}),
        "titles": {key: title for key, title, _ in counts.sources} if counts else {},
        "error": error,
        "sorts": tuple(SORTS.items()),
    }
