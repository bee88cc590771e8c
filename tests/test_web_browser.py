"""The site as a reader meets it: `claims serve` in a subprocess, Debian's Chromium, JavaScript off.

No skips: if Chromium or Playwright cannot start, the test fails and says how to install them
(`apt-get install chromium`; the Python package comes from the lock file). On the tests' own seeds
(tests/fixtures/basic), with 40 filler claims so that the list has a full first page of 50.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from claimsdb import api
from claimsdb.query import ClaimFilter
from conftest import BASIC, add_filler_claims, load_seeds, serving

STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Site:
    url: str
    db: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real server, started as a user would, on a free loopback port, stopped after this module's
    tests (which only read: a write attempt is refused with 405)."""
    root = tmp_path_factory.mktemp("site")
    seeds = root / "seeds"
    shutil.copytree(BASIC, seeds)
    db = str(root / "claims.db")
    add_filler_claims(seeds, 40)
    load_seeds(db, seeds)
    with serving(db, root, timeout=STARTUP_SECONDS) as served:
        yield Site(served.url, db)


def _count(page: Page) -> int:
    heading = page.locator("main h1").inner_text()
    found = re.fullmatch(r"(\d+) claims?", heading)
    assert found, heading
    return int(found.group(1))


def _shot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000, f"{path} looks blank"


def test_a_reader_filters_opens_a_claim_and_reads_it_in_its_document(
    site: Site, chromium: Browser, tmp_path: Path
) -> None:
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(site.url) else elsewhere.append(request.url))

    # the list, with facets beside it
    page.goto(site.url + "/")
    assert _count(page) == len(api.list_claims(site.db, ClaimFilter()))
    expect(page.locator("ol.claims > li.card")).to_have_count(50)
    facets = page.locator("aside.sidebar section.facet h2")
    expect(facets).to_have_text(["Type", "Claimant", "Publication", "Year claimed"])
    _shot(page, tmp_path / "list.png")

    # filter by claimant through its facet, then narrow with the search box (a plain GET form)
    claimant_facet = page.locator("section.facet", has_text="Claimant")
    claimant_facet.get_by_role("link", name="Human Rights Documentation Centre").click()
    expect(page).to_have_url(re.compile(r"[?&]claimant=hrdc\b"))
    assert _count(page) == len(api.list_claims(site.db, ClaimFilter(claimant="hrdc")))
    assert set(page.locator("ol.claims .card-meta .who").all_inner_texts()) == {"Human Rights Documentation Centre"}
    page.fill("#q", "public executions")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=public\+executions"))
    assert "source=" not in page.url, "the form's empty fields are dropped from the address"
    assert _count(page) == len(api.list_claims(site.db, ClaimFilter(claimant="hrdc", search="public executions")))
    _shot(page, tmp_path / "filtered.png")

    # open a claim: its quote is highlighted inside the surrounding text
    first = page.locator("ol.claims .statement a").first
    statement = first.inner_text()
    first.click()
    expect(page.locator("main h1")).to_have_text(statement)
    claim_id = page.url.rsplit("/", 1)[1]
    claim = api.show(site.db, claim_id)
    mark = page.locator(".quote-panel .context mark")
    expect(mark).to_be_visible()
    assert mark.text_content() == claim.anchor.exact
    context_text = page.locator(".quote-panel .context").text_content() or ""
    assert claim.anchor.context_before[-30:] in context_text and claim.anchor.context_after[:30] in context_text
    expect(page.locator("section.cite")).to_contain_text(claim.anchor.document_sha256)
    _shot(page, tmp_path / "claim.png")

    # follow it to the document: every quote marked, this claim's among them, line breaks kept
    page.locator(".quote-panel .anchor-meta a").first.click()
    expect(page.locator("main h1")).to_have_text(claim.document.title)
    marks = page.locator(".doctext mark")
    assert marks.count() > 10
    own = page.locator(f'.doctext mark[data-claims~="{claim_id}"]')
    expect(own.first).to_be_visible()
    assert claim.anchor.exact.startswith(own.first.text_content() or "-")
    recorded = [
        c for c in api.list_claims(site.db, ClaimFilter(source=claim.document.id)) if c.document_id == claim.document.id
    ]
    expect(page.locator(".doctext a.ref")).to_have_count(len(recorded))
    expect(page.locator(".doctext")).to_have_css("white-space", "pre-wrap")
    expect(marks.first).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    _shot(page, tmp_path / "document.png")

    # a numbered link leads back to a claim page
    page.locator(".doctext a.ref").first.click()
    expect(page.locator(".quote-panel mark")).to_be_visible()
    assert elsewhere == [], f"the pages fetched from elsewhere: {elsewhere}"
    context.close()


def test_unknown_claim_and_write_attempts_get_readable_pages(site: Site, chromium: Browser, tmp_path: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    response = page.goto(site.url + "/claims/hrdc-2018-basis-250-interview")
    assert response is not None and response.status == 404
    expect(page.locator(".error-box")).to_contain_text("closest: hrdc-2018-basis-250-interviews")
    expect(page.locator(".error-box a", has_text="All claims")).to_be_visible()
    _shot(page, tmp_path / "not-found.png")
    posted = context.request.post(site.url + "/claims/hrdc-2018-basis-250-interviews")
    assert posted.status == 405 and "never changes them" in posted.text()
    context.close()
