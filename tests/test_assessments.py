"""The curator's assessment, kept apart from the claim: Admiralty grades of sources (A-F) and of
claims (1-6), loaded, shown, filtered and exported in their own columns. On the tests' own fixture."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKENDS, _new_pg_database, load_seeds

FIXTURE = Path(__file__).parent / "fixtures" / "attribution"

ASSESSMENTS = """\
assessments:
  - id: ministry-reliability
    target: {organisation: unification-ministry}
    reliability: B
    assessor: Test Curator
    assessed_on: 2026-11-30
    reason: Official figures, consistently published.
  - id: report-reliability
    target: {source: ministry-2024-report}
    reliability: C
    assessor: Test Curator
    assessed_on: 2026-11-30
    reason: Testimonies not independently verified.
  - id: defector-credibility
    target: {claim: defector-saw-execution-for-dramas}
    credibility: 3
    assessor: Second Curator
    assessed_on: 2026-11
    reason: Consistent with other accounts, not confirmed.
"""


def _assessed_seeds(target: Path) -> Path:
    shutil.copytree(FIXTURE, target)
    (target / "assessments.yaml").write_text(ASSESSMENTS, encoding="utf-8")
    return target


@pytest.fixture
def assessed_seeds(tmp_path: Path) -> Path:
    return _assessed_seeds(tmp_path / "seeds")


@pytest.fixture(scope="module", params=BACKENDS)
def assessed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeds with their assessments loaded once per back end, for this module's tests that only read."""
    root = tmp_path_factory.mktemp("assessed")
    seeds = _assessed_seeds(root / "seeds")
    db = str(root / "claims.db") if request.param == "sqlite" else _new_pg_database(request.getfixturevalue("postgres"))
    load_seeds(db, seeds)
    return db


def _ids(cli: Callable[..., Any], db: str, *args: str) -> set[str]:
    result = cli("--db", db, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {row["id"] for row in json.loads(result.stdout)}


def test_assessments_are_shown_apart_from_the_claim(assessed: str, cli: Callable[..., Any]) -> None:
    shown = json.loads(cli("--db", assessed, "show", "defector-saw-execution-for-dramas", "--format", "json").stdout)
    grades = {
        (a["target_kind"], a["target_id"]): (a["reliability"], a["credibility"], a["assessor"])
        for a in shown["assessments"]
    }
    assert grades == {
        ("source", "ministry-2024-report"): ("C", None, "Test Curator"),
        ("claim", "defector-saw-execution-for-dramas"): (None, 3, "Second Curator"),
    }
    assert "corroboration" in shown and "credibility" not in shown["corroboration"]  # computed count stays separate
    table = cli("--db", assessed, "show", "defector-saw-execution-for-dramas").stdout
    assert "The curator's assessment" in table and "C (fairly reliable)" in table and "3 (possibly true)" in table
    # a claim by the ministry with no graded publication takes its claimant's grade
    own = json.loads(cli("--db", assessed, "show", "ministry-arrivals-2021-q1", "--format", "json").stdout)
    assert [(a["target_kind"], a["reliability"]) for a in own["assessments"]] == [("organisation", "B")]


def test_reliability_and_credibility_filters(assessed: str, cli: Callable[..., Any]) -> None:
    from_b = {"ministry-arrivals-2021-q1", "ministry-settled-as-of-march-2021"}
    from_c = {
        "ministry-2024-executions-for-films",
        "defector-saw-execution-for-dramas",
        "defector-saw-execution-village",
    }
    assert _ids(cli, assessed, "--reliability", "A-B") == from_b
    assert _ids(cli, assessed, "--reliability", "c") == from_c
    assert _ids(cli, assessed, "--reliability", "B-C") == from_b | from_c
    assert _ids(cli, assessed, "--reliability", "D-F") == set()
    assert _ids(cli, assessed, "--credibility", "1-3") == {"defector-saw-execution-for-dramas"}
    wrong = cli("--db", assessed, "list", "--reliability", "C-A")
    assert wrong.exit_code == 1 and "'C-A' is not a reliability grade or range" in wrong.output


def test_grades_are_exported_in_their_own_columns(assessed: str, cli: Callable[..., Any]) -> None:
    result = cli("--db", assessed, "export")
    rows = {row["claim_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    dramas = rows["defector-saw-execution-for-dramas"]
    assert (dramas["source_reliability"], dramas["source_reliability_of"], dramas["information_credibility"]) == (
        "C",
        "ministry-2024-report",
        "3",
    )
    figures = rows["ministry-arrivals-2021-q1"]
    assert (figures["source_reliability"], figures["source_reliability_of"], figures["information_credibility"]) == (
        "B",
        "unification-ministry",
        "",
    )
    denial = rows["dprk-rejects-2024-report"]
    assert (denial["source_reliability"], denial["information_credibility"]) == ("", "")
    assert dramas["statement"].startswith("A defector told the ministry")  # the claim's own fields are untouched


def test_a_newer_assessment_replaces_an_older_grade(
    assessed_seeds: Path, sqlite_path: str, cli: Callable[..., Any]
) -> None:
    with (assessed_seeds / "assessments.yaml").open("a", encoding="utf-8") as file:
        file.write(
            "  - id: ministry-reliability-2027\n    target: {organisation: unification-ministry}\n    reliability: A\n"
            "    assessor: Test Curator\n    assessed_on: 2026-12-01\n    reason: Audited.\n"
        )
    assert cli("--db", sqlite_path, "load", assessed_seeds, "--quiet").exit_code == 0
    assert "ministry-arrivals-2021-q1" in _ids(cli, sqlite_path, "--reliability", "A")


LATER_ASSESSMENTS = """\
  - id: ministry-reliability-later
    target: {organisation: unification-ministry}
    reliability: A
    assessor: Test Curator
    assessed_on: 2026-12-01
    reason: Audited.
  - id: report-reliability-same-day
    target: {source: ministry-2024-report}
    reliability: E
    assessor: Test Curator
    assessed_on: 2026-11-30
    reason: Graded the same day as report-reliability; the later id wins the tie.
  - id: defector-credibility-later
    target: {claim: defector-saw-execution-for-dramas}
    credibility: 2
    assessor: Test Curator
    assessed_on: 2026-12-01
    reason: Confirmed since.
"""


def test_the_export_takes_the_grade_the_filters_take(
    assessed_seeds: Path, db_url: str, cli: Callable[..., Any]
) -> None:
    """The export joins each target's newest grade (newest by date, then by id); the filters ask per
    claim. Both must pick the same one."""
    with (assessed_seeds / "assessments.yaml").open("a", encoding="utf-8") as file:
        file.write(LATER_ASSESSMENTS)
    assert cli("--db", db_url, "load", assessed_seeds, "--quiet").exit_code == 0
    result = cli("--db", db_url, "export")
    assert result.exit_code == 0, result.output
    rows = {row["claim_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    grades = {claim: tuple(rows[claim][column] for column in GRADE_COLUMNS) for claim in rows}
    assert grades["defector-saw-execution-for-dramas"] == ("E", "ministry-2024-report", "2")
    assert grades["ministry-arrivals-2021-q1"] == ("A", "unification-ministry", "")
    assert grades["dprk-rejects-2024-report"] == ("", "", "")
    for grade in "ABCDEF":
        assert _ids(cli, db_url, "--reliability", grade) == {c for c, g in grades.items() if g[0] == grade}, grade
    for credibility in "1236":
        assert _ids(cli, db_url, "--credibility", credibility) == {c for c, g in grades.items() if g[2] == credibility}


GRADE_COLUMNS = ("source_reliability", "source_reliability_of", "information_credibility")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("credibility: 3\n    assessor: Second", "credibility (1-6) grades a claim's information"),
        ("target: {claim: defector-saw-execution-for-dramas}", "assess exactly one of organisation, source or claim"),
        ("reliability: G", "assessments[0].reliability"),
        ("target: {organisation: nobody}", "unknown organisation 'nobody'"),
    ],
)
def test_assessment_mistakes(assessed_seeds: Path, cli: Callable[..., Any], change: str, expected: str) -> None:
    path = assessed_seeds / "assessments.yaml"
    text = path.read_text(encoding="utf-8")
    replacements = {
        "credibility: 3\n    assessor: Second": (
            "reliability: B\n    assessor: Test",
            "credibility: 3\n    assessor: Second",
        ),
        "target: {claim: defector-saw-execution-for-dramas}": (
            "target: {organisation: unification-ministry}",
            "target: {claim: defector-saw-execution-for-dramas, source: ministry-2024-report}",
        ),
        "reliability: G": ("reliability: B", "reliability: G"),
        "target: {organisation: nobody}": (
            "target: {organisation: unification-ministry}",
            "target: {organisation: nobody}",
        ),
    }
    old, new = replacements[change]
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = cli("check", assessed_seeds)
    assert result.exit_code == 1 and expected in result.output, result.output


def test_web_claim_page_shows_the_assessment(assessed: str) -> None:
    from starlette.testclient import TestClient

    from claimsdb.web import create_app

    with TestClient(create_app(assessed)) as client:
        page = client.get("/claims/defector-saw-execution-for-dramas")
        assert page.status_code == 200 and "The curator's assessment" in page.text
        assert "Testimonies not independently verified." in page.text
        assert client.get("/", params={"reliability": "A-B"}).status_code == 200
        assert client.get("/", params={"reliability": "Q"}).status_code == 400
