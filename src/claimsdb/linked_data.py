"""Claims in the shapes other tools already read: W3C Web Annotations and schema.org `Claim`.

A claim's anchor is a Web Annotation (https://www.w3.org/TR/annotation-model/): its target is the
held document, selected by a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector
(start, end in Unicode code points, as stored), and its body is the claim. Annotation tools can then
show our quotes on the article, and anyone can check an offset against the held text, whose sha256
names it. A claim page carries the same claim as schema.org JSON-LD, which search engines and
fact-check tools read.

The mapping lives here, once: `claims export --format annotations` and the web pages only call it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from claimsdb import __version__
from claimsdb.db import models as m
from claimsdb.db.base import BATCH_SIZE
from claimsdb.errors import ClaimsError
from claimsdb.progress import NO_PROGRESS, Progress
from claimsdb.query import ClaimFilter, iso_partial, narrow
from claimsdb.rules import http_url

if TYPE_CHECKING:
    from claimsdb.provenance import ClaimProvenance, SourceInfo

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The Web Annotation JSON-LD context; it also defines the `schema:` and `dcterms:` prefixes used here."""
SCHEMA_CONTEXT = "https://schema.org"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
"""Wikidata's concept URIs: the id of the thing itself, not of its page."""
PERSON_KINDS = frozenset({"person", "unnamed_person"})
"""Claimant kinds that are one human being (schema:Person); every other kind is an Organization."""
ANNOTATIONS_FILE = "annotations.jsonld"

_PLAIN_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def claim_path(claim_id: str) -> str:
    """Where a claim's page is on a claimsdb site (`claims serve`), from the site's root."""
    return f"/claims/{quote(claim_id, safe='')}"


def document_uri(sha256_hex: str) -> str:
    """The held text's own name, from its hash: an RFC 6920 `ni:` URI (the sha256 in base64url,
    unpadded), the same digest as the export's hex `document_sha256`. It names exactly the bytes
    the offsets count in, wherever a copy lives."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode("ascii")
    return f"ni:///sha-256;{digest}"


def wikidata_uri(qid: str | None) -> str | None:
    return f"{WIKIDATA_ENTITY}{qid}" if qid else None


@dataclass(frozen=True)
class Links:
    """How claims are named: their pages under `base_url` (a published `claims serve`), or, without
    one, `urn:claimsdb:` names that stay stable but lead nowhere."""

    base_url: str | None = None

    @classmethod
    def under(cls, base_url: str | None) -> Links:
        """Links under a user-given base URL; a ClaimsError says what is wrong with a bad one."""
        if base_url is None:
            return cls()
        parts = urlsplit(base_url.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "@" in parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise ClaimsError(
                f"--base-url must be the http(s) address of the site that serves the claims "
                f"(e.g. https://claims.example.org), not {base_url!r}"
            )
        return cls(base_url.strip().rstrip("/"))

    def claim(self, claim_id: str) -> str:
        if self.base_url is None:
            return f"urn:claimsdb:claim:{quote(claim_id, safe='')}"
        return self.base_url + claim_path(claim_id)

    def annotation(self, claim_id: str) -> str:
        if self.base_url is None:
            return f"urn:claimsdb:annotation:{quote(claim_id, safe='')}"
        return self.claim(claim_id) + "#annotation"

    def collection(self) -> str:
        if self.base_url is None:
            return "urn:claimsdb:annotations"
        return f"{self.base_url}/{ANNOTATIONS_FILE}"


# --- the Web Annotation of one anchor ---------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """A publication as the linked data names it."""

    id: str
    title: str
    url: str | None
    published: str | None
    publisher: str | None


@dataclass(frozen=True)
class AnchoredClaim:
    """What an annotation says of one claim: the claim, its claimant, and where its words sit."""

    id: str
    type: str
    status: str
    statement: str
    claimant_id: str
    claimant_name: str
    claimant_kind: str
    claimant_wikidata: str | None
    made_in: Publication | None
    document: Publication
    document_sha256: str
    exact: str
    start: int
    end: int
    prefix: str
    suffix: str
    claimed_on: str | None
    """As EDTF: 2021-12-15, 2021, 2021?, or an interval (../2021-12-16)."""


def annotation(claim: AnchoredClaim, links: Links) -> dict[str, Any]:
    """One claim's anchor as a W3C Web Annotation (without @context: it sits in a collection).

    The bodies are the claim itself (a schema:Claim, linked), its statement as text and its type
    as a tag, so that plain annotation tools show something readable. The target's source is the
    article at its URL where we know it, else the held text by its hash; either way the selectors
    count in the held text (`schema:sameAs` names it when the URL is the id).
    """
    held = document_uri(claim.document_sha256)
    url = http_url(claim.document.url)
    source: dict[str, Any] = {
        "id": url or held, "type": "Text", "schema:identifier": claim.document.id, "schema:name": claim.document.title,
    }  # fmt: skip
    if url:
        source["schema:sameAs"] = {"id": held}
    return {
        "id": links.annotation(claim.id),
        "type": "Annotation",
        "motivation": "describing",
        "body": [
            _claim_body(claim, links),
            {"type": "TextualBody", "purpose": "describing", "value": claim.statement, "format": "text/plain"},
            {"type": "TextualBody", "purpose": "tagging", "value": claim.type},
        ],
        "target": {
            "type": "SpecificResource",
            "source": source,
            "selector": [
                {"type": "TextQuoteSelector", "exact": claim.exact, "prefix": claim.prefix, "suffix": claim.suffix},
                {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
            ],
        },
        "generator": {"type": "Software", "name": f"claimsdb {__version__}"},
    }


def _claim_body(claim: AnchoredClaim, links: Links) -> dict[str, Any]:
    """The claim as a schema.org Claim, in the annotation context's `schema:` prefix."""
    body: dict[str, Any] = {
        "id": links.claim(claim.id),
        "type": "schema:Claim",
        "schema:identifier": claim.id,
        "schema:text": claim.statement,
        "schema:additionalType": claim.type,
        "schema:author": _prefixed(
            _author(claim.claimant_id, claim.claimant_name, claim.claimant_kind, claim.claimant_wikidata)
        ),
        "schema:appearance": _prefixed(_publication(claim.document)),
    }
    if claim.made_in is not None:
        body["schema:firstAppearance"] = _prefixed(_publication(claim.made_in))
    if date := plain_date(claim.claimed_on):
        body["schema:datePublished"] = date
    if claim.claimed_on:
        body["dcterms:date"] = claim.claimed_on
    if claim.status != "active":
        body["schema:creativeWorkStatus"] = claim.status
    if links.base_url is not None:
        body["schema:url"] = {"id": links.claim(claim.id)}
    return body


def plain_date(edtf: str | None) -> str | None:
    """An EDTF date that is a plain ISO 8601 date (2021-12-15, 2021-12, 2021), as schema.org's
    datePublished takes it; None for an interval or an uncertain date, which only EDTF says."""
    return edtf if edtf and _PLAIN_DATE.match(edtf) else None


def _author(claimant_id: str, name: str, kind: str, wikidata: str | None) -> dict[str, Any]:
    kind_type = "Person" if kind in PERSON_KINDS else "Organization"
    author: dict[str, Any] = {"@type": kind_type, "name": name, "identifier": claimant_id}
    if wikidata:
        author["sameAs"] = wikidata_uri(wikidata)
    return author


def _publication(source: Publication) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": source.title, "identifier": source.id}
    if url := http_url(source.url):
        work["url"] = url
    if source.published:
        work["datePublished"] = source.published
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    return work


def _prefixed(node: dict[str, Any]) -> dict[str, Any]:
    """A schema.org node written for the schema.org context, rewritten for the annotation context
    (which has no @vocab): `name` -> `schema:name`, `@type: X` -> `type: schema:X`."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@type":
            out["type"] = f"schema:{value}"
        elif isinstance(value, dict):
            out[f"schema:{key}"] = _prefixed(value)
        elif key in ("url", "sameAs"):
            out[f"schema:{key}"] = {"id": value}
        else:
            out[f"schema:{key}"] = value
    return out


# --- reading the anchors ------------------------------------------------------------------------------


def anchored_claims(session: Session, filters: ClaimFilter) -> Iterator[AnchoredClaim]:
    """The claims `filters` select, in the list's order, with what their annotations need, streamed."""
    made_in, document = aliased(m.Source), aliased(m.Source)
    made_in_publisher, document_publisher = aliased(m.Organisation), aliased(m.Organisation)
    claim, claimant = m.Claim, m.Organisation
    query = (
        select(
            claim.id, claim.type, claim.status, claim.statement,
            claimant.id, claimant.name, claimant.kind_id, claimant.wikidata,
            made_in.id, made_in.title, made_in.url, made_in.published, made_in.published_precision,
            made_in_publisher.name,
            document.id, document.title, document.url, document.published, document.published_precision,
            document_publisher.name,
            claim.document_sha256, claim.quote, claim.quote_start, claim.quote_end,
            claim.quote_prefix, claim.quote_suffix,
            claim.claimed_on_edtf, claim.claimed_on, claim.claimed_on_precision,
        )
        .join(claimant, claim.claimant_id == claimant.id)
        .outerjoin(made_in, claim.made_in_id == made_in.id)
        .outerjoin(made_in_publisher, made_in.publisher_id == made_in_publisher.id)
        .join(document, claim.document_id == document.id)
        .outerjoin(document_publisher, document.publisher_id == document_publisher.id)
    )  # fmt: skip
    connection = session.connection().execution_options(stream_results=True, max_row_buffer=BATCH_SIZE)
    for row in connection.execute(narrow(session, query, filters)).tuples():
        who, made, held, anchor = row[:8], row[8:14], row[14:20], row[20:]
        sha, exact, start, end, prefix, suffix, edtf, claimed_on, precision = anchor
        yield AnchoredClaim(
            *who,
            made_in=_publication_row(made) if made[0] is not None else None,
            document=_publication_row(held),
            document_sha256=sha, exact=exact, start=start, end=end, prefix=prefix, suffix=suffix,
            claimed_on=edtf or iso_partial(claimed_on, precision),
        )  # fmt: skip


def _publication_row(cells: Any) -> Publication:
    source_id, title, url, published, precision, publisher = cells
    return Publication(source_id, title, url, iso_partial(published, precision), publisher)


def write_annotations(
    session: Session, filters: ClaimFilter, out: TextIO, *, links: Links = Links(), progress: Progress = NO_PROGRESS
) -> int:
    """Write the selected claims' anchors as one W3C AnnotationCollection (JSON-LD); return how many.

    The annotations stream out one per line inside the collection's first page, so memory does not
    grow with the claims; the total comes last (JSON does not mind the order of keys).
    """
    head = {
        "@context": ANNOTATION_CONTEXT,
        "id": links.collection(),
        "type": "AnnotationCollection",
        "label": "claimsdb: attributed claims, anchored to their exact words",
    }
    # the head's members, then the page, left open for the items
    page = '"first": {"type": "AnnotationPage", "startIndex": 0, "items": ['
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ",\n " + page)
    count = 0
    for claim in anchored_claims(session, filters):
        out.write(("," if count else "") + "\n  " + json.dumps(annotation(claim, links), ensure_ascii=False))
        count += 1
        progress.advance()
    out.write(f'\n ]}},\n "total": {count}\n}}\n')
    return count


def write_annotations_file(
    session: Session, filters: ClaimFilter, out_dir: Path, *, links: Links = Links(), progress: Progress = NO_PROGRESS
) -> tuple[int, Path]:
    """Write `out_dir/annotations.jsonld` whole or not at all: into a temporary file beside it, then
    renamed over it, so a reader never sees half a file and a failed export leaves the old one."""
    target = out_dir / ANNOTATIONS_FILE
    if target.is_dir():
        raise ClaimsError(f"cannot write {target}: a folder of that name is in the way; nothing was written")
    try:
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".annotations-", suffix=".jsonld.tmp")
    except OSError as exc:
        raise ClaimsError(f"cannot write into {out_dir}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            count = write_annotations(session, filters, stream, links=links, progress=progress)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's file is private; an export is not
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ClaimsError(f"cannot write {target}: {exc.strerror}; nothing was written") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count, target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- schema.org Claim, for a claim's page ---------------------------------------------------------------


def claim_jsonld(claim: ClaimProvenance, url: str) -> dict[str, Any]:
    """One claim as schema.org `Claim` JSON-LD, for a <script type="application/ld+json"> on its page.

    author is the claimant; firstAppearance the publication it was made in (when identified);
    appearance every publication in the chain down to the held document; text the curator's
    statement; datePublished when the claim was made, where that is one date.
    """
    who = claim.claimant
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Claim",
        "@id": url,
        "url": url,
        "identifier": claim.id,
        "text": claim.statement,
        "author": _author(who.id, who.name, who.kind, who.wikidata),
        "appearance": [_publication(_info(source)) for source in claim.chain],
    }
    if claim.made_in is not None:
        data["firstAppearance"] = _publication(_info(claim.made_in))
    if date := plain_date(claim.claimed_on):
        data["datePublished"] = date
    if claim.place is not None:
        place: dict[str, Any] = {"@type": "Place", "name": claim.place.name, "identifier": claim.place.id}
        if claim.place.wikidata:
            place["sameAs"] = wikidata_uri(claim.place.wikidata)
        data["spatialCoverage"] = place
    if claim.status != "active":
        data["creativeWorkStatus"] = claim.status
    return data


def _info(source: SourceInfo) -> Publication:
    return Publication(source.id, source.title, source.url, source.published, source.publisher_name)
