"""Small seeds, built in code, with any text in every text field: for the hostile-text tests.

`write_hostile_seeds(root, texts)` writes a complete seeds folder (vocabularies, one organisation
with an alias, a place, a publication, a held document, one claim with a described claimant, one
evidence claim, a claim about the place, an assessment) whose text fields take the values in
`texts` (field name -> text), and plain words elsewhere. Values are written with PyYAML's emitter,
so any string survives the trip; the held document holds the quote verbatim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEXT_FIELDS = (
    "org_name", "org_alias", "org_description", "place_name", "source_title", "source_url",
    "source_description", "document_title", "statement", "quote", "note", "date_reason",
    "claimant_name", "claimant_known", "population", "phrase", "period_label", "assessor", "reason",
    "term_label", "term_definition",
)  # fmt: skip
"""Every text field the hostile seeds fill, by the name `texts` uses."""

ONE_LINE = frozenset(TEXT_FIELDS) - {
    "org_description",
    "source_description",
    "quote",
    "note",
    "claimant_known",
    "reason",
    "term_definition",
}
"""Fields that are one line: a newline in them is refused (the rest may hold newlines and tabs)."""


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def write_hostile_seeds(root: Path, texts: dict[str, str] | None = None) -> dict[str, str]:
    """A seeds folder `root` with `texts` in its text fields; returns every field's value as written
    (the quote ends with the phrase, which must be its own words)."""
    given = texts or {}
    t = {name: given.get(name, f"plain {name.replace('_', ' ')}") for name in TEXT_FIELDS}
    t["quote"] = f"{t['quote']} {t['phrase']}"  # the phrase must be the quote's own words
    root.mkdir(parents=True, exist_ok=True)
    (root / "documents").mkdir(exist_ok=True)
    document = f"Hostile article\n\nThe words:\n{t['quote']}\nEnd of the article.\n"
    (root / "documents" / "article.txt").write_text(document, encoding="utf-8", newline="")
    (root / "vocabularies.yaml").write_text(_dump({"vocabularies": {
        "organisation_kinds": {"label": "Organisation kinds", "terms": {
            "ngo": {"label": "NGO", "definition": "A group independent of any government."},
            "media_outlet": {"label": "Media outlet", "definition": "A news organisation."},
            "unnamed_person": {"label": "Unnamed person", "definition": "A person the document does not name."}}},
        "attribution_modes": {"label": "How a claim is attributed", "terms": {
            "reported": {"label": t["term_label"], "definition": t["term_definition"]},
            "own_voice": {"label": "The outlet's own voice", "definition": "The outlet asserts it itself."}}},
        "place_kinds": {"label": "Place kinds", "terms": {
            "province": {"label": "Province", "definition": "A province."}}},
        "execution_locations": {"label": "Execution locations", "terms": {
            "river_banks": {"label": "River banks", "definition": "The bank of a river."}}},
        "evidence_methods": {"label": "Evidence methods", "terms": {
            "testimonies": {"label": "Testimonies", "definition": "Accounts given by witnesses."}}},
    }}), encoding="utf-8")  # fmt: skip
    (root / "organisations.yaml").write_text(_dump({"organisations": [
        {"id": "hostile-org", "name": t["org_name"], "kind": "ngo", "aliases": [t["org_alias"]],
         "description": t["org_description"]},
        {"id": "outlet", "name": "The Outlet", "kind": "media_outlet"},
    ]}), encoding="utf-8")  # fmt: skip
    (root / "places.yaml").write_text(_dump({"places": [
        {"id": "hostile-place", "name": t["place_name"], "kind": "province"},
    ]}), encoding="utf-8")  # fmt: skip
    (root / "sources.yaml").write_text(_dump({"sources": [
        {"id": "hostile-report", "title": t["source_title"], "publisher": "hostile-org", "published": 2020,
         "url": t["source_url"], "description": t["source_description"]},
    ]}), encoding="utf-8")  # fmt: skip
    (root / "article.yaml").write_text(_dump({
        "document": {"id": "hostile-article", "file": "documents/article.txt", "title": t["document_title"],
                     "publisher": "outlet", "published": "2021-03-04", "reports_on": ["hostile-report"]},
        "claims": [
            {"id": "hostile-claim", "claimant": "hostile-org", "made_in": "hostile-report", "attribution": "reported",
             "type": "evidence_basis",
             "value": {"method": "testimonies", "size": {"over": 5, "phrase": t["phrase"]},
                       "population": t["population"],
                       "period": {"start": 2019, "end": 2020, "label": t["period_label"]}},
             "statement": t["statement"], "quote": t["quote"], "note": t["note"],
             "claimed_on": {"date": 2020, "inferred": t["date_reason"]}},
            {"id": "described-claim", "claimant": {"kind": "unnamed_person", "name": t["claimant_name"],
                                                   "known": t["claimant_known"]},
             "attribution": "reported", "type": "statement", "statement": "Someone says so.", "quote": "The words:"},
            {"id": "placed-claim", "claimant": "outlet", "attribution": "own_voice", "type": "execution_location",
             "value": {"location": "river_banks", "place": "hostile-place"},
             "statement": "The outlet says so.", "quote": "The words:"},
        ],
        "assessments": [
            {"id": "hostile-assessment", "target": {"organisation": "hostile-org"}, "reliability": "C",
             "assessor": t["assessor"], "assessed_on": "2024-01-02", "reason": t["reason"]},
        ],
    }), encoding="utf-8")  # fmt: skip
    return t
