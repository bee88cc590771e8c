"""Standard exports: W3C Web Annotations of the quotes, schema.org Claim on claim pages, Wikidata ids
and HURIDOCS equivalents in the CSV and the data package.

On the tests' own seeds (tests/fixtures/stdexport): made-up articles in Korean and English with
emoji (astral code points, a ZWJ sequence, variation selectors) before and inside the quotes, so an
offset counted in UTF-16 units or UTF-8 bytes would land elsewhere; and a statement that tries to
close the JSON-LD script element.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import frictionless
import pytest
from playwright.sync_api import Browser
from starlette.testclient import TestClient

from claimsdb import api
from claimsdb.export import COLUMN_NAMES
from claimsdb.linked_data import document_uri
from claimsdb.query import ClaimFilter, document_text
from claimsdb.web import create_app
from claimsdb.web.app import SECURITY_HEADERS
from conftest import BACKENDS, _new_pg_database, load_seeds, serving

Cli = Callable[..., Any]

FIXTURE = Path(__file__).parent / "fixtures" / "stdexport"
HOSTILE = 'A defector says </script><script>alert("x")</script> they saw <b>them</b> shot & more: <!-- -->'
DOCUMENT_FILES = {"hyesan-vigil": "hyesan-vigil.txt", "untitled-brief": "untitled-brief.txt"}

ANNOTATION_TERMS = {
    "@context", "id", "type", "label", "first", "items", "startIndex", "total", "motivation", "body", "target",
    "source", "selector", "exact", "prefix", "suffix", "start", "end", "value", "purpose", "format", "generator",
    "name",
}  # fmt: skip
"""The terms of http://www.w3.org/ns/anno.jsonld the export uses: any other key must carry a prefix
that context defines (schema:, dcterms:), or a JSON-LD processor drops it without a word."""
ANNOTATION_CLASSES = {
    "AnnotationCollection", "AnnotationPage", "Annotation", "TextualBody", "SpecificResource", "Text",
    "TextQuoteSelector", "TextPositionSelector", "Software",
}  # fmt: skip


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the fixture, which its tests only read."""
    target = tmp_path_factory.mktemp("stdexport") / "seeds"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, seeds: Path) -> str:
    """The fixture loaded once per back end for this module's tests, which only read it."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_loaded")
    db = _new_pg_database(request.getfixturevalue("postgres"))
    load_seeds(db, seeds)
    return db


@pytest.fixture(scope="module")
def sqlite_loaded(seeds: Path) -> str:
    db = str(seeds.parent / "claims.db")
    load_seeds(db, seeds)
    return db


def _items(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return collection["first"]["items"]  # type: ignore[no-any-return]


def _by_claim(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["body"][0]["schema:identifier"]: item for item in _items(collection)}


def _selectors(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {selector["type"]: selector for selector in item["target"]["selector"]}


# --- W3C Web Annotations ---------------------------------------------------------------------------


def test_every_annotation_selects_its_exact_words_in_the_held_document(cli: Cli, loaded: str, seeds: Path) -> None:
    result = cli("--db", loaded, "export", "--format", "annotations")
    assert result.exit_code == 0, result.output
    collection = json.loads(result.stdout)
    items = _items(collection)
    listed = [row.id for row in api.list_claims(loaded, ClaimFilter())]
    assert [item["body"][0]["schema:identifier"] for item in items] == listed
    assert collection["total"] == len(items) == 5
    with api.reading(loaded) as session:
        texts = {doc: document_text(session, doc) for doc in DOCUMENT_FILES}
    for item in items:
        source = item["target"]["source"]
        document = source["schema:identifier"]
        text = texts[document]
        on_disk = (seeds / "documents" / DOCUMENT_FILES[document]).read_bytes()
        assert on_disk.decode("utf-8") == text
        quote, position = _selectors(item)["TextQuoteSelector"], _selectors(item)["TextPositionSelector"]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"]) and quote["prefix"]
        assert text[position["end"] :].startswith(quote["suffix"]) and quote["suffix"]
        # the held text is named by its hash, as RFC 6920 writes it
        digest = base64.urlsafe_b64encode(hashlib.sha256(on_disk).digest()).rstrip(b"=").decode()
        held = source.get("schema:sameAs", {"id": source["id"]})["id"]
        assert held == f"ni:///sha-256;{digest}" == document_uri(hashlib.sha256(on_disk).hexdigest())


def test_offsets_count_code_points_not_bytes_or_utf16_units(cli: Cli, loaded: str) -> None:
    items = _by_claim(json.loads(cli("--db", loaded, "export", "--format", "annotations").stdout))
    with api.reading(loaded) as session:
        text = document_text(session, "hyesan-vigil")
    for claim_id in ("watch-executions-continue", "defector-saw-shooting", "watch-shooting-hyesan"):
        position = _selectors(items[claim_id])["TextPositionSelector"]
        exact = _selectors(items[claim_id])["TextQuoteSelector"]["exact"]
        before = text[: position["start"]]
        utf16 = len(before.encode("utf-16-le")) // 2
        assert utf16 != position["start"] != len(before.encode("utf-8")), "the fixture must put astral characters first"
        assert len(exact) == position["end"] - position["start"]
    korean = _selectors(items["watch-executions-continue"])["TextQuoteSelector"]
    assert korean["exact"] == "공개처형이 계속되고 있다"
    assert "👁️‍🗨️" in _selectors(items["defector-saw-shooting"])["TextQuoteSelector"]["exact"]


def test_the_body_is_the_claim_with_its_claimant_publication_and_date(cli: Cli, loaded: str) -> None:
    items = _by_claim(json.loads(cli("--db", loaded, "export", "--format", "annotations").stdout))
    shooting = items["watch-shooting-hyesan"]
    claim, statement, tag = shooting["body"]
    assert shooting["type"] == "Annotation" and shooting["id"] == "urn:claimsdb:annotation:watch-shooting-hyesan"
    assert claim["id"] == "urn:claimsdb:claim:watch-shooting-hyesan" and claim["type"] == "schema:Claim"
    assert claim["schema:text"] == statement["value"] == api.show(loaded, "watch-shooting-hyesan").statement
    assert claim["schema:additionalType"] == tag["value"] == "offence" and tag["purpose"] == "tagging"
    assert claim["schema:author"] == {
        "type": "schema:Organization", "schema:name": "Example Watch", "schema:identifier": "example-watch",
        "schema:sameAs": {"id": "http://www.wikidata.org/entity/Q4115189"},
    }  # fmt: skip
    assert claim["schema:firstAppearance"]["schema:identifier"] == "example-watch-2024-report"
    assert claim["schema:firstAppearance"]["schema:datePublished"] == "2024-03"
    assert claim["schema:appearance"]["schema:url"] == {"id": "https://daily.example/2024/03/03/hyesan-vigil"}
    assert claim["schema:datePublished"] == claim["dcterms:date"] == "2024-03"
    # the article's URL is the target where we know it; the held text by its hash where we do not
    assert shooting["target"]["source"]["id"] == "https://daily.example/2024/03/03/hyesan-vigil"
    assert items["ministry-denies-report"]["target"]["source"]["id"].startswith("ni:///sha-256;")
    # a date known only as a bound (no later than the article) is no schema.org date: EDTF says it
    bounded = items["watch-executions-continue"]["body"][0]
    assert "schema:datePublished" not in bounded and bounded["dcterms:date"] == "../2024-03-03"
    assert "schema:firstAppearance" not in bounded
    undated = items["ministry-denies-report"]["body"][0]  # from an undated brief: no bound at all
    assert "schema:datePublished" not in undated and "dcterms:date" not in undated
    defector = items["defector-saw-shooting"]["body"][0]["schema:author"]
    assert defector["type"] == "schema:Person" and "schema:sameAs" not in defector


def test_annotations_use_only_terms_their_context_defines(cli: Cli, loaded: str) -> None:
    collection = json.loads(cli("--db", loaded, "export", "--format", "annotations").stdout)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["first"]["type"] == "AnnotationPage"

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                assert key in ANNOTATION_TERMS or key.startswith(("schema:", "dcterms:")), key
                if key == "type":
                    assert value in ANNOTATION_CLASSES or value.startswith("schema:"), value
                walk(value)

    walk(collection)
    for item in _items(collection):
        assert item["motivation"] == "describing"
        assert all(isinstance(_selectors(item)["TextPositionSelector"][k], int) for k in ("start", "end"))


@pytest.mark.parametrize(
    ("args", "filters"),
    [
        (("--search", "shot", "--sort", "claimant"), ClaimFilter(search="shot", sort="claimant")),
        (("--place", "ryanggang"), ClaimFilter(place="ryanggang")),
        (("--term", "shooting"), ClaimFilter(term="shooting")),
        (("--reliability", "A-C"), ClaimFilter(reliability="A-C")),  # none graded: an empty collection, still JSON-LD
    ],
)
def test_annotations_take_the_list_filters_and_order(
    cli: Cli, sqlite_loaded: str, args: tuple[str, ...], filters: ClaimFilter
) -> None:
    collection = json.loads(cli("--db", sqlite_loaded, "export", "--format", "annotations", *args).stdout)
    expected = [row.id for row in api.list_claims(sqlite_loaded, filters)]
    assert [item["body"][0]["schema:identifier"] for item in _items(collection)] == expected
    assert collection["total"] == len(expected)


def test_annotations_file_with_base_url_replaces_the_old_one_whole(
    cli: Cli, sqlite_loaded: str, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "annotations.jsonld").write_text("old", encoding="utf-8")
    result = cli("--db", sqlite_loaded, "export", "--format", "annotations", "--out", out,
                 "--base-url", "https://claims.example.org/", "--claimant", "example-ministry")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote the quotes of 1 claims as W3C Web Annotations" in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["annotations.jsonld"]  # no temporary file left
    collection = json.loads((out / "annotations.jsonld").read_text(encoding="utf-8"))
    assert collection["id"] == "https://claims.example.org/annotations.jsonld" and collection["total"] == 1
    (item,) = _items(collection)
    assert item["id"] == "https://claims.example.org/claims/ministry-denies-report#annotation"
    assert item["body"][0]["id"] == "https://claims.example.org/claims/ministry-denies-report"
    assert item["body"][0]["schema:url"] == {"id": item["body"][0]["id"]}


def test_a_bad_base_url_is_refused_and_nothing_written(cli: Cli, sqlite_loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = cli("--db", sqlite_loaded, "export", "--format", "annotations", "--out", out,
                 "--base-url", "javascript:alert(1)")  # fmt: skip
    assert result.exit_code == 1 and "--base-url must be the http(s) address" in result.stderr
    assert not (out / "annotations.jsonld").exists()
    (out / "annotations.jsonld").mkdir(parents=True)  # in the way of the file
    blocked = cli("--db", sqlite_loaded, "export", "--format", "annotations", "--out", out)
    assert blocked.exit_code == 1 and "a folder of that name is in the way" in blocked.stderr
    assert [path.name for path in out.iterdir()] == ["annotations.jsonld"]  # no temporary file left
    csv_with_base = cli("--db", sqlite_loaded, "export", "--base-url", "https://claims.example.org")
    assert csv_with_base.exit_code == 1 and "--base-url is for --format annotations" in csv_with_base.stderr


# --- Wikidata ids and HURIDOCS equivalents in the CSV and the data package ---------------------------------


def test_claimant_wikidata_is_the_last_column_and_places_keep_theirs(cli: Cli, loaded: str) -> None:
    result = cli("--db", loaded, "export")
    rows = {row["claim_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert list(next(iter(rows.values())))[-1] == COLUMN_NAMES[-1] == "claimant_wikidata"
    assert rows["watch-shooting-hyesan"]["claimant_wikidata"] == "Q4115189"
    assert rows["ministry-denies-report"]["claimant_wikidata"] == ""
    hyesan = rows["watch-shooting-hyesan"]
    assert (hyesan["place"], hyesan["place_wikidata"]) == ("hyesan", "Q13406268")


def test_show_and_the_claim_page_name_the_claimants_wikidata_item(cli: Cli, sqlite_loaded: str) -> None:
    shown = cli("--db", sqlite_loaded, "show", "watch-shooting-hyesan")
    assert shown.exit_code == 0 and "Wikidata Q4115189" in shown.stdout and "Wikidata Q13406268" in shown.stdout
    as_json = json.loads(cli("--db", sqlite_loaded, "show", "watch-shooting-hyesan", "-f", "json").stdout)
    assert as_json["claimant"]["wikidata"] == "Q4115189"
    with TestClient(create_app(sqlite_loaded)) as client:
        assert "Wikidata Q4115189" in client.get("/claims/watch-shooting-hyesan").text
        assert "Wikidata" not in client.get("/claims/ministry-denies-report").text


def test_data_package_has_the_terms_with_huridocs_and_validates(cli: Cli, loaded: str, tmp_path: Path) -> None:
    result = cli("--db", loaded, "export", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "terms.csv" in result.stderr
    written = (tmp_path / "terms.csv").read_text(encoding="utf-8")
    terms = {row["term"]: row for row in csv.DictReader(io.StringIO(written))}
    assert terms["shooting"] == {"term": "shooting", "vocabulary": "execution_methods", "label": "Shooting",
                                 "definition": "Killing by firearm.", "huridocs": "Shooting"}  # fmt: skip
    assert terms["public_execution"]["huridocs"] == "Extrajudicial execution" and terms["hanging"]["huridocs"] == ""
    assert terms["watching_foreign_media"]["definition"] == "'=Watching films or dramas made abroad."  # formula guard
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    claims, term_resource = package["resources"]
    assert term_resource["path"] == "terms.csv" and term_resource["schema"]["primaryKey"] == ["term"]
    keyed = {key["fields"] for key in claims["schema"]["foreignKeys"]}
    assert {"method", "punishment", "offence", "claimant_kind", "attribution"} <= keyed
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_foreign_keys_catch_a_code_missing_from_terms(cli: Cli, sqlite_loaded: str, tmp_path: Path) -> None:
    assert cli("--db", sqlite_loaded, "export", "--out", tmp_path).exit_code == 0
    path = tmp_path / "terms.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("public_execution,")), encoding="utf-8")  # fmt: skip
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert {error[1] for error in report.flatten(["rowNumber", "type"])} == {"foreign-key"}


# --- schema.org Claim on a claim's page ------------------------------------------------------------------


class _Scripts(HTMLParser):
    """Every <script> element of a page, its attributes and its text, as a browser splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def _scripts(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(page)
    return parser.scripts


def test_claim_page_embeds_schema_org_claim_that_a_hostile_statement_cannot_break(sqlite_loaded: str) -> None:
    with TestClient(create_app(sqlite_loaded)) as client:
        response = client.get("/claims/defector-saw-shooting")
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none' forbids scripts
        ((attrs, text),) = _scripts(response.text)  # one element: the statement did not open another
        assert attrs == {"type": "application/ld+json"}
        data = json.loads(text)
        assert data["@context"] == "https://schema.org" and data["@type"] == "Claim"
        assert data["text"] == HOSTILE and "</" not in text and "<!--" not in text
        assert data["@id"] == data["url"] == "/claims/defector-saw-shooting"  # relative: no serve --base-url
        assert data["author"] == {"@type": "Person", "name": "a defector", "identifier": "hyesan-defector"}

        data = json.loads(_scripts(client.get("/claims/watch-shooting-hyesan").text)[0][1])
        assert data["author"]["sameAs"] == "http://www.wikidata.org/entity/Q4115189"
        assert data["firstAppearance"]["identifier"] == "example-watch-2024-report"
        assert [work["identifier"] for work in data["appearance"]] == ["example-watch-2024-report", "hyesan-vigil"]
        assert data["appearance"][1]["url"] == "https://daily.example/2024/03/03/hyesan-vigil"
        assert data["appearance"][1]["publisher"] == {"@type": "Organization", "name": "Example Daily"}
        assert data["datePublished"] == "2024-03"
        assert data["spatialCoverage"] == {
            "@type": "Place", "name": "Hyesan", "identifier": "hyesan",
            "sameAs": "http://www.wikidata.org/entity/Q13406268",
        }  # fmt: skip

        data = json.loads(_scripts(client.get("/claims/watch-executions-continue").text)[0][1])
        assert "datePublished" not in data and "firstAppearance" not in data  # only a bound; no publication
        assert [_scripts(client.get(path).text) for path in ("/", "/sources", "/sources/hyesan-vigil")] == [[], [], []]


# --- in Chromium: the JSON-LD is data, the page loads, the policy holds ------------------------------------------


@pytest.fixture
def served(sqlite_loaded: str, tmp_path: Path) -> Iterator[str]:
    """`claims serve` on the fixture database, on a free loopback port, stopped afterwards."""
    with serving(sqlite_loaded, tmp_path) as site:
        yield site.url


def test_in_chromium_the_json_ld_is_read_as_data_and_nothing_runs(served: str, chromium: Browser) -> None:
    with chromium.new_context() as context:  # in the run's one Chromium
        try:
            page = context.new_page()  # JavaScript on: a script that broke out would run, or be refused
            messages: list[str] = []
            dialogs: list[str] = []
            page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            failed: list[str] = []
            page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
            response = page.goto(served + "/claims/defector-saw-shooting")
            assert response is not None and response.status == 200
            assert page.locator("main h1").inner_text() == HOSTILE
            script = page.locator('script[type="application/ld+json"]')
            assert script.count() == 1 and page.locator("script").count() == 1
            assert json.loads(script.text_content() or "")["text"] == HOSTILE
            assert failed in ([], [served + "/favicon.ico"])  # the browser asks for an icon the site has not got
            messages = [text for text in messages if not text.startswith("error: Failed to load resource")]
            assert dialogs == [] and messages == [], messages  # no refused script, no CSP report, no alert
        finally:
            context.close()
