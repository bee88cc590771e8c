"""The curated seeds (seeds/): checked only in ways that stay true as curators add articles.

Every claim anchors, every document is the byte-exact capture its seed records, loading twice
changes nothing, `claims check seeds` is OK, and a few named facts hold (the Unification Ministry's
63 defectors in 2021 and 67 in 2022), found by what they say, never by claim id or count. Each of
these runs on the seeds as curated and on a copy with a made-up new article added: the proof that
a curator's next article leaves the suite green. Every other test uses tests/fixtures/.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from claimsdb.api import check
from claimsdb.db.engine import database_url
from conftest import SEEDS, snapshot, write_seed

Cli = Callable[..., Any]

SHARED_CAPTURES = Path("/work/shared/seed-documents")
CAPTURED = {
    # sha256 of the three articles as captured in /work/shared/seed-documents/ (never to be edited)
    "000_cdb9ae21624a475a.txt": "5d5d3a15d71d3cd8309ada9deddc9c64043b01459bb47b8968a6baf3883c478b",
    "003_5d3e14be34171529.txt": "6616268e1428eca540bd5cbc431650a10478989e8abe39de0f8938d9cf6b6119",
    "004_efc814114c7f461d.txt": "8de07dd10ab19f55595022ecd83264749d30d414148356698cb2af52715caaf5",
}
CLAIM_TYPES = {
    "execution_method", "offence", "defection_figure", "execution_count",
    "execution_location", "evidence_basis", "statement",
}  # fmt: skip

# --- a curator's next article, made up: a new document, a new organisation, a few claims ----------

NEW_DOCUMENT = """\
Monitors count more executions in border towns

By a staff reporter, Border Monitor, 5 March 2025

The Korea Border Monitoring Project said on Tuesday that it had recorded 12 executions in towns near \
the Chinese border in 2024, more than in any year since it began counting.

"Most of the people executed had tried to cross the river," the project's director said.

Border Monitor could not verify the figures independently.
"""

NEW_ARTICLE = """\
organisations:
  - id: korea-border-monitoring-project
    name: Korea Border Monitoring Project
    kind: ngo
    aliases: [KBMP]
  - id: border-monitor
    name: Border Monitor
    kind: media_outlet

document:
  id: border-monitor-2025-03-05-border-executions
  file: documents/900_border_monitor.txt
  sha256: {sha256}
  title: Monitors count more executions in border towns
  publisher: border-monitor
  published: 2025-03-05

claims:
  - id: kbmp-2024-count-12-executions
    claimant: korea-border-monitoring-project
    attribution: reported
    claimed_on: {{date: 2025-03-04, inferred: "'on Tuesday' in an article of Wednesday 2025-03-05"}}
    type: execution_count
    value:
      quantity: {{exact: 12, phrase: '12'}}
      period: 2024
    statement: The Korea Border Monitoring Project says it recorded 12 executions in border towns in 2024.
    quote: it had recorded 12 executions in towns near the Chinese border in 2024

  - id: kbmp-director-most-tried-to-cross
    claimant: {{kind: unnamed_person, name: the project's director, part_of: korea-border-monitoring-project}}
    attribution: direct
    type: statement
    statement: The project's director says most of those executed had tried to cross the river.
    quote: Most of the people executed had tried to cross the river

  - id: border-monitor-could-not-verify
    claimant: border-monitor
    attribution: own_voice
    type: statement
    statement: Border Monitor says it could not verify the project's figures independently.
    quote: Border Monitor could not verify the figures independently
"""
NEW_CLAIMS = {"kbmp-2024-count-12-executions", "kbmp-director-most-tried-to-cross", "border-monitor-could-not-verify"}


def add_new_article(seeds: Path) -> None:
    """What a curator does for a new article (README, *Workflow for a new article*)."""
    document = write_seed(seeds, "documents/900_border_monitor.txt", NEW_DOCUMENT)
    sha256 = hashlib.sha256(document.read_bytes()).hexdigest()
    write_seed(seeds, "border-monitor-2025-03-05-border-executions.yaml", NEW_ARTICLE.format(sha256=sha256))


@pytest.fixture(params=["as-curated", "with-a-new-article"])
def real_seeds(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A private copy of seeds/, as curated or with a made-up new article added."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    if request.param == "with-a-new-article":
        add_new_article(target)
    return target


def _load(cli: Cli, db: str, seeds: Path, *extra: str) -> str:
    result = cli("--db", db, "load", seeds, "-q", *extra)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


# --- generic checks, on both --------------------------------------------------------------------


def test_check_says_ok_and_every_claim_type_is_there(cli: Cli, real_seeds: Path) -> None:
    result = cli("check", real_seeds)
    assert result.exit_code == 0, result.output
    bundle = check(real_seeds)
    assert f"OK — {len(bundle.claims)} claims, {len(bundle.documents)} documents" in result.stdout
    assert len(bundle.claims) > 50
    assert {c["type"] for c in bundle.claims} == CLAIM_TYPES


def test_every_document_is_the_capture_its_seed_records(real_seeds: Path) -> None:
    """Each held document's bytes hash to the sha256 its seed file records (read here from the YAML,
    not through claimsdb; README step 1 asks for it, the captured articles all have it), and every
    file under documents/ is held by a seed."""
    held, recorded = set(), {}
    for path in sorted(real_seeds.rglob("*.yaml")):
        section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("document")
        if section:
            held.add(section["file"])
            if section.get("sha256"):
                recorded[section["file"]] = section["sha256"]
    on_disk = {str(p.relative_to(real_seeds)): p for p in (real_seeds / "documents").iterdir()}
    assert set(on_disk) == held, "every document file is held by exactly the seeds that name it"
    assert {f"documents/{name}" for name in CAPTURED} <= set(recorded)
    for name, sha256 in recorded.items():
        assert hashlib.sha256(on_disk[name].read_bytes()).hexdigest() == sha256, name
    bundle = check(real_seeds)  # and claimsdb reads the same bytes
    read = {Path(d.path).name: d.sha256 for d in bundle.documents}
    assert {Path(f).name: sha for f, sha in recorded.items()}.items() <= read.items()
    assert len(read) == len(held)


def test_the_captured_articles_are_byte_identical_to_the_captures(real_seeds: Path) -> None:
    held = {name: hashlib.sha256((real_seeds / "documents" / name).read_bytes()).hexdigest() for name in CAPTURED}
    assert held == CAPTURED
    if SHARED_CAPTURES.is_dir():  # on the project's machine, compare with the captures themselves too
        for capture in SHARED_CAPTURES.iterdir():
            assert (real_seeds / "documents" / capture.name).read_bytes() == capture.read_bytes(), capture.name


def test_every_vocabulary_term_has_a_label_and_definition(real_seeds: Path) -> None:
    bundle = check(real_seeds)
    assert {v.id for v in bundle.vocabularies} >= {
        "organisation_kinds", "execution_methods", "offences", "punishments", "defection_measures",
    }  # fmt: skip
    assert all(t.label.strip() and t.definition.strip() for t in bundle.terms)


def test_every_stored_quote_is_its_document_between_its_offsets(cli: Cli, db_url: str, real_seeds: Path) -> None:
    _load(cli, db_url, real_seeds)
    engine = create_engine(database_url(db_url))
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.id, c.quote, c.quote_start, c.quote_end, c.quote_prefix, c.quote_suffix, d.text, d.sha256,"
            " c.document_sha256 FROM claims c JOIN documents d ON d.id = c.document_id"
        )).all()  # fmt: skip
    engine.dispose()
    on_disk = {p.name: p.read_bytes() for p in (real_seeds / "documents").iterdir()}
    bundle = check(real_seeds)
    assert len(rows) == len(bundle.claims)
    for claim_id, quote, start, end, prefix, suffix, body, sha, anchored_sha in rows:
        assert body[start:end] == quote, claim_id
        assert body[:start].endswith(prefix) and body[end:].startswith(suffix), claim_id
        assert sha == anchored_sha and body.encode() in on_disk.values(), claim_id
    verified = cli("--db", db_url, "verify", real_seeds)
    assert verified.exit_code == 0, verified.output
    claims, documents = len(bundle.claims), len(bundle.documents)
    assert verified.stdout.startswith(f"OK: {claims} quote anchors verified in {documents} documents")


def test_loading_twice_changes_nothing(cli: Cli, db_url: str, real_seeds: Path) -> None:
    _load(cli, db_url, real_seeds)
    before = snapshot(db_url)
    again = _load(cli, db_url, real_seeds)
    assert "Nothing changed" in again
    assert snapshot(db_url) == before
    forced = " ".join(_load(cli, db_url, real_seeds, "--force").split())
    assert f"0 added, 0 changed, 0 restored, 0 withdrawn, {len(check(real_seeds).claims)} unchanged" in forced


def test_no_claim_quotes_captions_or_the_unrelated_headlines(real_seeds: Path) -> None:
    """The captured articles carry photo captions and a list of other headlines; no claim quotes them."""
    bundle = check(real_seeds)
    captured = {d.id for d in bundle.documents if Path(d.path).name in CAPTURED}
    assert len(captured) == len(CAPTURED)
    excluded = ("Suspected body site groupings", "TJWG/ Google Earth", "via Getty Images", "Harrowing sketches",
                "SEE ALSO", "Trump", "Netanyahu", "Hwasong-12")  # fmt: skip
    for claim in bundle.claims:
        if claim["document_id"] in captured:
            assert not any(words in claim["quote"] for words in excluded), claim.id


# --- named facts that must stay true, found by what they say ----------------------------------------


def test_the_ministrys_63_defectors_in_2021_and_67_in_2022(cli: Cli, sqlite_path: str, real_seeds: Path) -> None:
    _load(cli, sqlite_path, real_seeds)
    exported = cli("--db", sqlite_path, "export", "--claimant", "Unification Ministry", "--type", "defection_figure")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    figures = {
        (r["period_edtf"], r["quantity_value"]): r
        for r in rows
        if r["measure"] == "arrivals_in_south_korea" and r["quantity_qualifier"] == "exact"
    }
    for period, value in (("2021", "63"), ("2022", "67")):
        figure = figures.get((period, value))
        assert figure is not None, f"no claim that it counted {value} defectors in {period}: {list(figures)}"
        assert figure["claimant_name"].startswith("Ministry of Unification") and value in figure["quote"]
        assert figure["quote"] == figure["quote"].strip() and figure["quantity_phrase"] == value


# --- the proof: a new article loads, lists, checks and exports ---------------------------------------


def test_a_new_article_loads_lists_checks_and_exports(cli: Cli, db_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    curated = len(check(seeds).claims)
    add_new_article(seeds)
    checked = cli("check", seeds)
    assert checked.exit_code == 0, checked.output
    assert f"OK — {curated + len(NEW_CLAIMS)} claims" in checked.stdout
    loaded = _load(cli, db_url, seeds)
    assert f"{curated + len(NEW_CLAIMS)} added" in " ".join(loaded.split())

    listed = json.loads(cli("--db", db_url, "list", "--claimant", "KBMP", "-f", "json").stdout)
    assert [row["id"] for row in listed] == ["kbmp-2024-count-12-executions"]
    article = "border-monitor-2025-03-05-border-executions"
    by_source = json.loads(cli("--db", db_url, "list", "--source", article, "-f", "json").stdout)
    assert {row["id"] for row in by_source} == NEW_CLAIMS
    claimants = json.loads(cli("--db", db_url, "claimants", "-f", "json").stdout)
    assert {c["id"]: c["claims"] for c in claimants}["korea-border-monitoring-project"] == 1
    shown = json.loads(cli("--db", db_url, "show", "kbmp-2024-count-12-executions", "-f", "json").stdout)
    assert shown["anchor"]["verified"] is True and shown["claimed_on"] == "2025-03-04"

    exported = list(csv.DictReader(io.StringIO(cli("--db", db_url, "export", "--search", "border").stdout)))
    count = next(r for r in exported if r["claim_id"] == "kbmp-2024-count-12-executions")
    assert (count["quantity_value"], count["period_edtf"], count["claimant_kind"]) == ("12", "2024", "ngo")
    assert len(list(csv.DictReader(io.StringIO(cli("--db", db_url, "export").stdout)))) == curated + len(NEW_CLAIMS)
    verified = cli("--db", db_url, "verify", seeds)
    assert verified.exit_code == 0 and f"OK: {curated + len(NEW_CLAIMS)} quote anchors verified" in verified.stdout
