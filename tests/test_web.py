"""The read-only web site, route by route, on SQLite and PostgreSQL, through Starlette's TestClient.

Every page is compared with what the library (and so the CLI) says for the same question; nothing
is mocked. HTML is read with the standard library's parser, the way a scraper would read it. On the tests' own
seeds (tests/fixtures/basic), loaded once per back end for the pages that only read.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from starlette.testclient import TestClient

from claimsdb import api
from claimsdb.errors import DatabaseStateError
from claimsdb.export import COLUMN_NAMES
from claimsdb.query import ClaimFilter, document_text
from claimsdb.web import create_app
from claimsdb.web.views import Quote, link, parse_list_request, segments
from conftest import add_filler_claims, load_seeds, snapshot

Cli = Callable[..., Any]

HERALD = "herald-2018-06-14-hrdc-executions"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def client(shared_basic_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(shared_basic_db)) as test_client:
        yield test_client


def esc(text: str) -> str:
    """Text as Jinja's autoescape writes it."""
    return str(markupsafe.escape(text))


def card_ids(page: str) -> list[str]:
    """Claim ids of the cards on a list page, in order."""
    return re.findall(r'<a class="claim-id" href="/claims/([^"]+)">', page)


def heading_count(page: str) -> int:
    found = re.search(r"<h1>(\d+) claims?</h1>", page)
    assert found, "no claim count heading"
    return int(found.group(1))


def facet_links(page: str) -> list[tuple[str, str, int]]:
    """(href, label, count) of every selectable facet value in the sidebar."""
    sidebar = page.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    found = re.findall(
        r'<a href="([^"]+)" title="[^"]*">(?:<bdi>)?([^<]*)(?:</bdi>)?</a>\s*<span class="count">(\d+)</span>', sidebar
    )
    return [(html.unescape(href), html.unescape(label), int(count)) for href, label, count in found]


def all_ids(db: str, **filters: Any) -> list[str]:
    return [row.id for row in api.list_claims(db, ClaimFilter(**filters))]


# --- the claims list ---------------------------------------------------------------------------------


def test_list_pages_through_every_claim_in_reading_order(db_url: str, basic_seeds: Path) -> None:
    add_filler_claims(basic_seeds, 40)  # 72 claims: two pages of 50
    load_seeds(db_url, basic_seeds)
    expected = all_ids(db_url)
    with TestClient(create_app(db_url)) as client:
        _pages_through(client, expected)


def _pages_through(client: TestClient, expected: list[str]) -> None:
    first = client.get("/")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert heading_count(first.text) == len(expected) == 72
    assert card_ids(first.text) == expected[:50]
    assert "Showing 1–50, page 1 of 2" in first.text
    following = re.search(r'<a rel="next" href="([^"]+)">', first.text)
    assert following, "no link to the next page"
    second = client.get(html.unescape(following.group(1)))
    assert card_ids(second.text) == expected[50:]
    assert "Showing 51–72, page 2 of 2" in second.text and 'rel="next"' not in second.text
    window = client.get("/?limit=10&offset=20")
    assert card_ids(window.text) == expected[20:30]


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("claimant=HRDC", {"claimant": "HRDC"}),
        ("type=offence", {"type": "offence"}),
        ("term=shooting", {"term": "shooting"}),
        ("source=hrdc-2018-report", {"source": "hrdc-2018-report"}),
        ("from=2022&to=2022-11", {"date_from": "2022", "date_to": "2022-11"}),
        ("q=public+execution", {"search": "public execution"}),
        ("claimant=hrdc&q=satellite&sort=date", {"claimant": "hrdc", "search": "satellite", "sort": "date"}),
    ],
)
def test_list_filters_are_the_cli_filters(
    client: TestClient, shared_basic_db: str, query: str, filters: dict[str, str]
) -> None:
    expected = all_ids(shared_basic_db, **filters)
    assert expected, "the case should select some claims"
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    assert card_ids(page.text) == expected[:50]
    assert heading_count(page.text) == len(expected)


def test_every_facet_count_is_what_its_link_then_lists(client: TestClient) -> None:
    for start in ("/", "/?claimant=hrdc"):
        page = client.get(start)
        links = facet_links(page.text)
        names = {label for _, label, _ in links}
        assert {"statement", "2018", "HRDC report on executions for South Korean media (November 2022)"} <= names
        assert ("Human Rights Documentation Centre" in names) is (start == "/"), "a chosen value is shown, not linked"
        for href, label, count in links:
            assert href.startswith("/?")
            selected = client.get(href)
            assert heading_count(selected.text) == count, (start, label, href)
            if start != "/":
                assert "claimant=hrdc" in href, "a facet link keeps the filters already chosen"


def test_facet_counts_follow_the_current_filters(client: TestClient, shared_basic_db: str) -> None:
    rows = api.list_claims(shared_basic_db, ClaimFilter(claimant="hrdc"))
    page = client.get("/?claimant=hrdc")
    types = {label: count for href, label, count in facet_links(page.text) if "type=" in href}
    assert types == {claim_type.replace("_", " "): n for claim_type, n in Counter(r.type for r in rows).items()}


def test_downloads_give_the_selection_as_the_export_and_list_commands_do(
    client: TestClient, shared_basic_db: str, cli: Cli
) -> None:
    page = client.get("/?claimant=hrdc&type=offence")
    csv_href = re.search(r'<a href="([^"]+)" download>CSV</a>', page.text)
    json_href = re.search(r'<a href="([^"]+)">JSON</a>', page.text)
    assert csv_href and json_href
    got_csv = client.get(html.unescape(csv_href.group(1)))
    assert got_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in got_csv.headers["content-disposition"]
    exported = cli("--db", shared_basic_db, "export", "--claimant", "hrdc", "--type", "offence")
    assert got_csv.content == exported.stdout_bytes
    rows = list(csv.reader(io.StringIO(got_csv.text)))
    assert tuple(rows[0]) == COLUMN_NAMES and len(rows) == 1 + heading_count(page.text)
    got_json = client.get(html.unescape(json_href.group(1)))
    assert got_json.headers["content-type"] == "application/json"
    listed = cli("--db", shared_basic_db, "list", "--claimant", "hrdc", "--type", "offence", "--format", "json")
    assert got_json.text == listed.stdout
    assert [c["id"] for c in json.loads(got_json.text)] == card_ids(page.text)


def test_a_filter_that_matches_nothing_known_is_explained_beside_the_form(client: TestClient) -> None:
    for query, message in (
        ("claimant=hrcd", "no claimant matches 'hrcd'; closest: hrdc"),
        ("from=2017-13", "'2017-13' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("sort=newest", "sort must be one of document, date, claimant, type, id"),
        ("offset=-1", "offset must be a whole number from 0 to 1,000,000,000"),
    ):
        page = client.get(f"/?{query}")
        assert page.status_code == 400, query
        assert message in html.unescape(page.text), query
        assert '<form class="filters"' in page.text
    tidied = client.get("/?q=hrdc&claimant=&type=+&from=", follow_redirects=False)
    assert tidied.status_code == 302 and tidied.headers["location"] == "/?q=hrdc"
    empty = client.get("/?q=zzzzqqq")
    assert empty.status_code == 200 and "No claims match these filters." in empty.text


# --- one claim ----------------------------------------------------------------------------------------


def test_every_claim_page_shows_its_provenance(client: TestClient, shared_basic_db: str) -> None:
    for claim_id in all_ids(shared_basic_db):
        claim = api.show(shared_basic_db, claim_id)
        page = client.get(f"/claims/{claim_id}")
        assert page.status_code == 200, claim_id
        text = page.text
        anchor = claim.anchor
        assert f"<mark>{esc(anchor.exact)}</mark>" in text, claim_id
        assert esc(anchor.context_before[-40:]) in text and esc(anchor.context_after[:40]) in text
        assert esc(claim.statement) in text
        assert f"characters {anchor.start}–{anchor.end}" in text
        assert anchor.document_sha256 in text
        assert f"{claim.seed_file}:{claim.seed_line}" in text
        assert f"load run {claim.added_in_run.id}" in text
        for source in claim.chain:
            assert f'href="/sources/{source.id}"' in text
        for related in claim.relations:
            assert f'href="/claims/{related.claim_id}"' in text
        assert esc(claim.claimant.name) in text


def test_claim_page_relations_both_ways_corroboration_and_citation(client: TestClient, shared_basic_db: str) -> None:
    denial = client.get("/claims/dprk-2018-report-a-fabrication").text
    assert "this <strong>contradicts</strong> →" in denial
    assert 'href="/claims/hrdc-2018-method-shooting"' in denial
    denied = client.get("/claims/hrdc-2018-method-shooting").text
    assert "← <strong>contradicts</strong> this" in denied
    assert 'href="/claims/dprk-2018-report-a-fabrication"' in denied
    count = client.get("/claims/hrdc-2022-count-18-public-executions").text
    assert "← <strong>refines</strong> this" in count
    assert 'href="/claims/hrdc-2022-offence-media-seven"' in count

    corroborated = api.show(shared_basic_db, "hrdc-2022-borders-sealed")
    assert corroborated.corroboration.claims >= 1
    page = client.get("/claims/hrdc-2022-borders-sealed").text
    assert f"Corroborated by {corroborated.corroboration.claims} claim" in page
    assert f"<strong>{corroborated.corroboration.independent_sources} independent source" in page

    claim = api.show(shared_basic_db, "hrdc-2018-basis-250-interviews")
    page = client.get("/claims/hrdc-2018-basis-250-interviews").text
    cite = page.split('<section class="cite"', 1)[1].split("</section>", 1)[0]
    for part in (
        claim.claimant.name, claim.made_in.title if claim.made_in else "", claim.claimed_on or "", claim.document.title,
        claim.document.id, claim.anchor.document_sha256, f"characters {claim.anchor.start}–{claim.anchor.end}",
    ):
        assert esc(part) in cite, part
    # no --base-url: relative
    assert "claimsdb claim hrdc-2018-basis-250-interviews, /claims/hrdc-2018-basis-250-interviews" in cite


def test_claim_json_is_exactly_what_show_prints(client: TestClient, shared_basic_db: str, cli: Cli) -> None:
    for claim_id in (
        "hrdc-2018-basis-250-interviews", "dprk-2018-report-a-fabrication", "arw-2022-border-closure-isolation"
    ):
        page = client.get(f"/claims/{claim_id}.json")
        assert page.status_code == 200 and page.headers["content-type"] == "application/json"
        shown = cli("--db", shared_basic_db, "show", claim_id, "--format", "json")
        assert page.text == shown.stdout


def test_unknown_ids_get_a_404_page_naming_the_closest(client: TestClient) -> None:
    claim = client.get("/claims/hrdc-2018-basis-250-interview")
    assert claim.status_code == 404
    closest = "no claim 'hrdc-2018-basis-250-interview'; closest: hrdc-2018-basis-250-interviews"
    assert closest in html.unescape(claim.text)
    assert 'class="error-box"' in claim.text
    assert client.get("/claims/hrdc-2018-basis-250-interview.json").status_code == 404
    source = client.get("/sources/herald-2018-06-14")
    assert source.status_code == 404 and f"closest: {HERALD}" in html.unescape(source.text)
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "There is no page at this address" in nowhere.text


def test_a_withdrawn_claim_is_hidden_unless_asked_for_and_its_page_stays(
    db_url: str, basic_seeds: Path, cli: Cli
) -> None:
    assert cli("--db", db_url, "load", basic_seeds, "--quiet").exit_code == 0
    seed = basic_seeds / f"{HERALD}.yaml"
    text = seed.read_text(encoding="utf-8")
    start = text.index("  - id: hrdc-2018-location-marketplaces")
    seed.write_text(text[:start] + text[text.index("\n  - id: ", start) + 1 :], encoding="utf-8")
    assert cli("--db", db_url, "load", basic_seeds, "--quiet").exit_code == 0
    gone = "hrdc-2018-location-marketplaces"
    with TestClient(create_app(db_url)) as client:
        listed = client.get("/?limit=500")
        assert heading_count(listed.text) == 31 and gone not in card_ids(listed.text)
        everything = client.get("/?withdrawn=1&limit=500")
        assert heading_count(everything.text) == 32 and gone in card_ids(everything.text)
        assert '<span class="badge warn">withdrawn</span>' in everything.text
        page = client.get(f"/claims/{gone}")
        assert page.status_code == 200 and "This claim was <strong>withdrawn</strong>" in page.text


# --- sources and held documents -------------------------------------------------------------------


class DocumentText(HTMLParser):
    """Reads the document pane: its text, and which claims each <mark>ed stretch lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = 0
        self.text = ""
        self.marks: list[tuple[int, int, set[str]]] = []
        self.refs: list[str] = []
        self._mark: tuple[int, set[str]] | None = None
        self._in_ref = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div" and found.get("class") == "doctext":
            self.inside += 1
        elif self.inside and tag == "mark":
            self._mark = (len(self.text), set((found.get("data-claims") or "").split()))
        elif self.inside and tag == "a" and found.get("class") == "ref":
            self.refs.append((found.get("href") or "").removeprefix("/claims/"))
            self._in_ref = True

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == "mark" and self._mark is not None:
            self.marks.append((self._mark[0], len(self.text), self._mark[1]))
            self._mark = None
        elif tag == "a":
            self._in_ref = False
        elif tag == "div" and self.inside:
            self.inside -= 1

    def handle_data(self, data: str) -> None:
        if self.inside and not self._in_ref:
            self.text += data


def test_a_held_document_shows_its_verbatim_text_with_every_quote_marked(
    client: TestClient, shared_basic_db: str
) -> None:
    with api.reading(shared_basic_db) as session:
        held = document_text(session, HERALD)
    claims = [api.show(shared_basic_db, cid) for cid in all_ids(shared_basic_db, source=HERALD)]
    claims = [c for c in claims if c.document.id == HERALD]
    page = client.get(f"/sources/{HERALD}")
    assert page.status_code == 200
    reader = DocumentText()
    reader.feed(page.text)
    assert reader.text == held, "the text is shown whole, verbatim, line breaks included"
    assert "\n\n" in reader.text
    spans = {c.id: (c.anchor.start, c.anchor.end) for c in claims}
    for start, end, listed in reader.marks:
        covering = {cid for cid, (s, e) in spans.items() if s <= start and end <= e}
        assert listed == covering, (held[start:end], listed, covering)
    marked = {i for start, end, _ in reader.marks for i in range(start, end)}
    quoted = {i for s, e in spans.values() for i in range(s, e)}
    assert marked == quoted, "exactly the quoted characters are highlighted"
    assert sorted(reader.refs) == sorted(spans), "one numbered link per claim"
    overlapping = [m for m in reader.marks if len(m[2]) > 1]
    assert overlapping, "the seeds have claims quoting the same words; they share one <mark>"
    for claim_id in spans:
        assert f'id="q-{claim_id}"' in page.text


def test_a_publication_page_says_what_it_reports_on_and_who_reports_it(
    client: TestClient, shared_basic_db: str
) -> None:
    article = client.get(f"/sources/{HERALD}").text
    assert 'href="/sources/hrdc-2018-report"' in article and 'href="/sources/un-panel-2015-report"' in article
    report = client.get("/sources/hrdc-2018-report")
    assert report.status_code == 200
    assert "Reported by" in report.text and f'href="/sources/{HERALD}"' in report.text
    assert 'class="doctext"' not in report.text
    made_in = [
        row.id for row in api.list_claims(shared_basic_db, ClaimFilter(source="hrdc-2018-report"))
        if row.made_in_id == "hrdc-2018-report"
    ]  # fmt: skip
    assert made_in and card_ids(report.text) == made_in
    listing = client.get("/sources")
    for row in api.list_sources(shared_basic_db):
        assert f'href="/sources/{row.id}"' in listing.text


# --- safe by construction ----------------------------------------------------------------------------


def test_seed_text_is_escaped_everywhere_it_appears(db_url: str, basic_seeds: Path, cli: Cli) -> None:
    seed = basic_seeds / f"{HERALD}.yaml"
    text = seed.read_text(encoding="utf-8")
    edits = [
        ("statement: HRDC says its report is based on interviews with 250 North Korean defectors over three years.",
         f"statement: 'HRDC says {SCRIPT} its report is based on interviews.'"),
        ("  publisher: daily-herald\n", "  publisher: daily-herald\n  url: 'javascript:alert(1)'\n"),
        ("statement: The Daily Herald says HRDC is made up of lawyers and researchers based in Seoul.\n",
         "statement: \"=1+1 The Daily Herald says HRDC is made up of lawyers and researchers based in Seoul.\"\n"),
    ]  # fmt: skip
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    seed.write_text(text, encoding="utf-8")
    loaded = cli("--db", db_url, "load", basic_seeds, "--quiet")
    assert loaded.exit_code == 0, loaded.output
    with TestClient(create_app(db_url)) as client:
        for path in (
            "/", "/?q=interviews", "/claims/hrdc-2018-basis-250-interviews", f"/sources/{HERALD}",
            "/sources/hrdc-2018-report",
        ):  # fmt: skip
            page = client.get(path)
            assert page.status_code == 200, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
            data_only = page.text.count('<script type="application/ld+json">')
            assert page.text.count("<script") == data_only, path
            assert 'href="javascript:' not in page.text, path
            assert "script-src" not in page.headers["content-security-policy"]
            assert page.headers["content-security-policy"].startswith("default-src 'none'")
        document = client.get(f"/sources/{HERALD}").text
        shown_as_said = esc("=1+1 The Daily Herald says") in document and esc("'=1+1") not in document
        assert shown_as_said, "shown as said, no spreadsheet guard"


def test_there_are_no_write_routes(client: TestClient, shared_basic_db: str) -> None:
    before = snapshot(shared_basic_db)
    for path in ("/", "/claims.csv", "/claims.json", "/claims/hrdc-2018-basis-250-interviews",
                 "/claims/hrdc-2018-basis-250-interviews.json", "/sources", f"/sources/{HERALD}",
                 "/static/style.css"):  # fmt: skip
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.request(method, path)
            assert response.status_code == 405, (method, path)
            assert "GET" in response.headers["allow"]
        assert client.head(path).status_code == 200, path
    page = client.post("/")
    assert "This site only shows claims; it never changes them." in page.text
    assert snapshot(shared_basic_db) == before


def test_a_database_that_is_not_ready_gets_a_503_page_with_the_message(db_url: str, tmp_path: Path) -> None:
    candidates = [db_url] if not db_url.endswith(".db") else [db_url, str(tmp_path / "empty.db")]
    if len(candidates) == 2:
        Path(candidates[1]).touch()  # exists, but no schema
    for db in candidates:
        with pytest.raises(DatabaseStateError) as expected:
            api.overview(db)
        with TestClient(create_app(db)) as client:
            for path in ("/", "/claims/x", "/claims/x.json", "/claims.csv", "/sources", f"/sources/{HERALD}"):
                page = client.get(path)
                assert page.status_code == 503, (db, path)
                if path != "/claims/x.json" and path != "/claims.csv":
                    assert esc(str(expected.value)) in page.text
                    assert "Traceback" not in page.text


def test_every_page_has_its_stylesheet_and_no_script(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "white-space: pre-wrap" in css.text
    for path in ("/", "/claims/hrdc-2018-basis-250-interviews", "/sources", f"/sources/{HERALD}", "/claims/nope"):
        page = client.get(path)
        assert '<link rel="stylesheet" href="/static/style.css">' in page.text
        assert page.text.count("<script") == page.text.count('<script type="application/ld+json">')  # data, never code
        assert page.headers["x-content-type-options"] == "nosniff"


# --- pure helpers, no database ----------------------------------------------------------------------


def _quote(number: int, start: int, end: int) -> Quote:
    return Quote(number, f"c{number}", f"statement {number}", start, end)


def test_segments_split_at_every_boundary_of_overlapping_quotes() -> None:
    text = "0123456789abcdef"
    quotes = [_quote(1, 2, 8), _quote(2, 2, 8), _quote(3, 5, 12), _quote(4, 6, 7)]
    parts = segments(text, quotes)
    assert "".join(p.text for p in parts) == text
    assert [(p.text, [q.number for q in p.covering]) for p in parts] == [
        ("01", []), ("234", [1, 2]), ("5", [1, 2, 3]), ("6", [1, 2, 3, 4]), ("7", [1, 2, 3]), ("89ab", [3]),
        ("cdef", []),
    ]
    assert [[q.number for q in p.opens] for p in parts] == [[], [1, 2], [3], [4], [], [], []]
    assert [[q.number for q in p.closes] for p in parts] == [[], [], [], [4], [1, 2], [3], []]
    assert parts[3].title == "quoted by 4 claims: c1, c2, c3, c4" and parts[5].title == "quoted by c3"


def test_segments_ignore_offsets_outside_the_text() -> None:
    parts = segments("short", [_quote(1, 2, 99), _quote(2, 0, 2)])
    assert [(p.text, [q.number for q in p.covering]) for p in parts] == [("sh", [2]), ("ort", [])]


def test_links_keep_the_filters_and_restart_paging() -> None:
    params = {"claimant": "hrdc", "q": "a b"}
    assert link(params, {"type": "offence"}) == "/?q=a+b&claimant=hrdc&type=offence"
    assert link(params, {"claimant": None}) == "/?q=a+b"
    assert link({}, {}) == "/"
    assert link(params, {}, "/claims.csv") == "/claims.csv?q=a+b&claimant=hrdc"
    wanted = parse_list_request({"claimant": " hrdc ", "to": "", "sort": "document", "offset": "50"})
    assert wanted.params == {"claimant": "hrdc"} and wanted.offset == 50 and wanted.limit == 50
    assert wanted.filters == ClaimFilter(claimant="hrdc")


# --- the command ------------------------------------------------------------------------------------


def test_claims_help_does_not_import_the_web_stack() -> None:
    probe = (
        "import sys\n"
        "from claimsdb.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('starlette', 'jinja2', 'uvicorn', 'claimsdb.web') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "serve" in result.stdout


def test_serve_help_names_its_options(cli: Cli) -> None:
    result = cli("serve", "--help")
    assert result.exit_code == 0
    for text in ("--host", "127.0.0.1", "--port", "8000"):
        assert text in result.stdout


def test_source_page_and_citation_carry_url_date_reasoning_and_description(
    db_url: str, basic_seeds: Path, cli: Cli
) -> None:
    yaml_file = basic_seeds / f"{HERALD}.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert "  published: 2018-06-14\n" in text
    yaml_file.write_text(
        text.replace(
            "  published: 2018-06-14\n", "  published: 2018-06-14\n  url: https://example.org/hrdc-article\n", 1
        ),
        encoding="utf-8",
    )
    assert cli("--db", db_url, "load", basic_seeds, "-q").exit_code == 0
    with TestClient(create_app(db_url)) as client:
        article = client.get(f"/sources/{HERALD}").text
        report = client.get("/sources/hrdc-2018-report").text
        claim = client.get("/claims/hrdc-2018-basis-250-interviews").text
    assert '<a href="https://example.org/hrdc-article"' in article
    assert esc("inferred: the article of Thursday 2018-06-14 says the report was released on Wednesday") in report
    assert "interviews with 250 North Korean" in report  # the report's description
    assert esc("<https://example.org/hrdc-article>") in claim
