"""Text from seeds is data: never markup, never terminal commands, never a spoof (issue 13, items 1 and 2).

Seeds built in code (tests/hostile.py) put rich markup, control characters, bidirectional overrides
and invisible characters into every text field, and the real CLI and web site must show the stored
text exactly (or, for invisible and control characters, their visible form <U+XXXX>), refuse what
cannot be text with the file and line, and never end in a traceback. The last test lets hypothesis
choose the text.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markupsafe
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from typer.testing import CliRunner

from claimsdb.chars import is_blank, visible
from claimsdb.cli import app
from claimsdb.web import create_app
from conftest import snapshot
from hostile import ONE_LINE, TEXT_FIELDS, write_hostile_seeds

RUNNER = CliRunner(env={"COLUMNS": "2000", "NO_COLOR": "1", "CLAIMS_DB": None})
"""Wide enough that no table folds a cell, so every text can be looked for whole."""


def claims(*args: object, env: dict[str, str | None] | None = None) -> Any:
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)


WHERE = {
    ("show", "hostile-claim"): (
        "statement", "note", "org_name", "org_alias", "source_title", "source_url", "document_title",
        "population", "phrase", "period_label", "date_reason", "term_label", "term_definition", "assessor",
        "reason", "quote",
    ),
    ("show", "described-claim"): ("claimant_name", "claimant_known"),
    ("show", "placed-claim"): ("place_name",),
    ("list",): ("statement", "org_name", "claimant_name"),
    ("sources",): ("source_title", "document_title", "org_name"),
    ("claimants",): ("org_name", "org_alias", "claimant_name", "claimant_known"),
    ("stats",): ("org_name", "claimant_name"),
}  # fmt: skip
"""Which fields each command shows: every one of them must appear exactly."""

FIELD_PLACES = {
    "org_name": ("organisations.yaml", "organisations[0].name"),
    "org_alias": ("organisations.yaml", "organisations[0].aliases[0]"),
    "org_description": ("organisations.yaml", "organisations[0].description"),
    "place_name": ("places.yaml", "places[0].name"),
    "source_title": ("sources.yaml", "sources[0].title"),
    "source_url": ("sources.yaml", "sources[0].url"),
    "source_description": ("sources.yaml", "sources[0].description"),
    "document_title": ("article.yaml", "document.title"),
    "statement": ("article.yaml", "claims[0].statement"),
    "quote": ("article.yaml", "claims[0].quote"),
    "note": ("article.yaml", "claims[0].note"),
    "date_reason": ("article.yaml", "claims[0].claimed_on.inferred"),
    "population": ("article.yaml", "claims[0].value.population"),
    "phrase": ("article.yaml", "claims[0].value.size.phrase"),
    "period_label": ("article.yaml", "claims[0].value.period.label"),
    "claimant_name": ("article.yaml", "claims[1].claimant.name"),
    "claimant_known": ("article.yaml", "claims[1].claimant.known"),
    "assessor": ("article.yaml", "assessments[0].assessor"),
    "reason": ("article.yaml", "assessments[0].reason"),
    "term_label": ("vocabularies.yaml", "vocabularies.attribution_modes.terms.reported.label"),
    "term_definition": ("vocabularies.yaml", "vocabularies.attribution_modes.terms.reported.definition"),
}
"""Where each field sits in the hostile seeds, as a refusal names it."""


def _squeeze(text: str) -> str:
    """Whitespace runs as one space: rich pads cells and expands tabs, which is layout, not text."""
    return re.sub(r"\s+", " ", text).strip()


def assert_shown(output: str, stored: str, what: str) -> None:
    """Every line of the stored text's visible form appears in the output, in order within the line."""
    shown = _squeeze(output)
    for part in visible(stored).split("\n"):
        if _squeeze(part):
            assert _squeeze(part) in shown, f"{what}: {part!r} not shown exactly"


def assert_clean(result: Any) -> None:
    """Exit 0, no traceback, and nothing that could drive a terminal: no ESC, no C1, no bidi override."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", result.output)


def check_every_command(db: str, values: dict[str, str]) -> None:
    for command, fields in WHERE.items():
        result = claims("--db", db, *command)
        assert_clean(result)
        for field in fields:
            assert_shown(result.output, values[field].strip(), f"{' '.join(command)} / {field}")


# --- item 1: markup in seed text -------------------------------------------------------------------

MARKUP = {
    "statement": "TJWG says [sic] the report [the 2017 one] maps graves.",
    "note": "executions [/b] happen.",
    "org_name": "[link=https://evil.example/]Official UN[/link]",
    "org_alias": "[UN]",
    "source_title": "A report [/italic] of [bold]2017[/bold]",
    "source_url": "https://example.org/[x]",
    "document_title": "[red]Not red[/red] :smile:",
    "population": "defectors [/]",
    "phrase": "[over] five",
    "period_label": "[dim]two years",
    "date_reason": "[blink]the article[/blink]",
    "claimant_name": "a witness [i]",
    "claimant_known": "defected [/i] in 2023",
    "place_name": "[/link] Province",
    "term_label": "Reported [dim]",
    "term_definition": "As [b]said",
    "assessor": "[on red]curator",
    "reason": "because [/on red]",
    "quote": "the [/b] words",
}


def test_markup_in_seed_text_is_shown_exactly(db_url: str, tmp_path: Path) -> None:
    values = write_hostile_seeds(tmp_path / "seeds", MARKUP)
    result = claims("--db", db_url, "load", tmp_path / "seeds")
    assert_clean(result)
    assert_shown(result.output, MARKUP["org_name"], "load's overview")
    check_every_command(db_url, values)


def test_a_claimant_named_as_a_link_is_no_link_in_a_terminal(tmp_path: Path) -> None:
    """With rich told it writes to a terminal, `[link=...]` would become an OSC 8 hyperlink."""
    write_hostile_seeds(tmp_path / "seeds", MARKUP)
    db = tmp_path / "claims.db"
    assert claims("--db", db, "load", tmp_path / "seeds", "-q").exit_code == 0
    terminal = {"NO_COLOR": None, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    for command in (("show", "hostile-claim"), ("list",), ("claimants",), ("stats",), ("sources",)):
        result = claims("--db", db, *command, env=terminal)
        assert result.exit_code == 0, result.output
        assert "\x1b]8;" not in result.output  # no hyperlink
        assert "[link=https://evil.example/]" in result.output


def test_a_seeds_folder_named_like_markup_loads_and_is_named_exactly(tmp_path: Path) -> None:
    folder = tmp_path / "d[" / "italic]"
    write_hostile_seeds(folder)
    db = tmp_path / "claims.db"
    result = claims("--db", db, "load", f"{tmp_path}/d[/italic]")
    assert_clean(result)
    assert f"Loaded {tmp_path}/d[/italic] into sqlite:///{db} as load run 1" in _squeeze(result.output)
    again = claims("--db", db, "load", f"{tmp_path}/d[/italic]", "-q")
    assert f"every seed file and document in {tmp_path}/d[/italic] matches" in _squeeze(again.output)


def test_a_missing_seeds_folder_named_like_markup_is_a_clean_error(tmp_path: Path) -> None:
    db = tmp_path / "[bold]claims[/bold].db"
    result = claims("--db", db, "load", "d[/italic]")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and "d[/italic]: no such seeds directory" in result.stderr
    assert not db.exists()


# --- item 2: control and invisible characters ------------------------------------------------------


def _refusal(tmp_path: Path, field: str, value: str) -> tuple[Any, Path, int]:
    """`claims check` of the hostile seeds with `value` in `field`; the result, the file and the line
    the field is on."""
    seeds = tmp_path / "seeds"
    write_hostile_seeds(seeds, {field: f"mark-{field} {value} end"})
    name, _ = FIELD_PLACES[field]
    lines = (seeds / name).read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if f"mark-{field}" in text)
    return claims("check", seeds), seeds / name, line


CONTROLS = ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x1f", "\x7f", "\x85", "\x9b"]
"""C0 (a NUL, a bell, a backspace, a vertical tab, a form feed, a carriage return, a unit
separator), DEL and C1 (next line, control sequence introducer)."""


def _assert_refused(tmp_path: Path, field: str, control: str) -> None:
    result, path, line = _refusal(tmp_path, field, control)
    assert result.exit_code == 1 and "Traceback" not in result.output
    _, location = FIELD_PLACES[field]
    first = f"U+{ord(control[0]):04X}"
    assert f"{path}:{line}: {location}: holds the control character {first}; " in result.stderr, result.stderr
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.parametrize("field", sorted(FIELD_PLACES))
def test_terminal_escapes_in_any_text_field_are_refused_with_file_and_line(tmp_path: Path, field: str) -> None:
    _assert_refused(tmp_path, field, "\x1b[2J\x1b]0;PWNED\x07")


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_every_kind_of_control_character_is_refused(tmp_path: Path, control: str) -> None:
    field = sorted(FIELD_PLACES)[CONTROLS.index(control) * 2]
    _assert_refused(tmp_path, field, control)


@pytest.mark.parametrize("field", sorted(ONE_LINE))
def test_a_newline_in_a_one_line_field_is_refused(tmp_path: Path, field: str) -> None:
    result, path, line = _refusal(tmp_path, field, "\nsecond line")
    _, location = FIELD_PLACES[field]
    assert result.exit_code == 1
    assert f"{path}:{line}: {location}: holds a newline; this field is one line" in result.stderr, result.stderr


def test_newlines_and_tabs_are_kept_where_a_field_may_run_over_lines(tmp_path: Path) -> None:
    texts = {field: f"first\tline of {field}\nsecond line" for field in set(TEXT_FIELDS) - ONE_LINE - {"quote"}}
    texts["quote"] = "quoted\tfirst line\nquoted second line"
    texts.update({field: f"one\tline of {field}" for field in ONE_LINE - {"phrase", "source_url"}})
    values = write_hostile_seeds(tmp_path / "seeds", texts)
    db = tmp_path / "claims.db"
    assert_clean(claims("--db", db, "load", tmp_path / "seeds", "-q"))
    check_every_command(str(db), values)
    shown = json.loads(claims("--db", db, "show", "hostile-claim", "--format", "json").output)
    assert shown["note"] == texts["note"] and shown["statement"] == texts["statement"]


INVISIBLE_ONLY = ["\u200b", "\u200b\u200d", "\u202e", "\ufeff", " \u2060 ", "\u2066\u2069", "\u3164", "\ufe0f"]


@pytest.mark.parametrize("field", sorted(set(FIELD_PLACES) - {"quote"}))  # (the hostile quote ends with the phrase)
def test_text_made_only_of_invisible_characters_is_refused(tmp_path: Path, field: str) -> None:
    seeds = tmp_path / "seeds"
    invisible = INVISIBLE_ONLY[sorted(FIELD_PLACES).index(field) % len(INVISIBLE_ONLY)]
    write_hostile_seeds(seeds, {field: invisible})
    result = claims("check", seeds)
    name, location = FIELD_PLACES[field]
    assert result.exit_code == 1
    refusal = rf"{re.escape(str(seeds / name))}:\d+: {re.escape(location)}: is made only of invisible characters \(U\+"
    assert re.search(refusal, result.stderr), result.stderr


def test_a_refused_load_writes_nothing(db_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_hostile_seeds(seeds)
    assert claims("--db", db_url, "load", seeds, "-q").exit_code == 0
    before = snapshot(db_url)
    write_hostile_seeds(seeds, {"statement": "cleared \x1b[2J", "org_name": "\u200b"})
    result = claims("--db", db_url, "load", seeds)
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert snapshot(db_url) == before


SPOOFS = {
    "statement": "North Korea \u202edenies\u202c it; a\u200bb",
    "org_name": "\u2067\u05d0\u05e8\u05d2\u05d5\u05df\u2069 Org",
    "claimant_name": "\ufeffa witness",
    "document_title": "Title \u2066isolated\u2069",
    "place_name": "Hwanghae\u200e",
}


def _document_with_controls(seeds: Path) -> bytes:
    """The held document with control and bidi characters around the quote; its bytes."""
    path = seeds / "documents" / "article.txt"
    raw = path.read_bytes().replace(b"The words:\n", "The words: \x1b[2J\x1b]0;PWNED\x07 \u202e \x85 \x7f\n".encode())
    path.write_bytes(raw)
    return raw


def test_bidi_and_invisible_characters_show_visibly_in_the_terminal(db_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    values = write_hostile_seeds(seeds, SPOOFS)
    raw = _document_with_controls(seeds)
    assert_clean(claims("--db", db_url, "load", seeds, "-q"))
    check_every_command(db_url, values)
    shown = _squeeze(claims("--db", db_url, "show", "hostile-claim").output)
    assert "North Korea <U+202E>denies<U+202C> it; a<U+200B>b" in shown
    assert "<U+2067>ארגון<U+2069> Org" in shown
    assert "The words: <U+001B>[2J<U+001B>]0;PWNED<U+0007> <U+202E> <U+0085> <U+007F>" in shown
    assert claims("--db", db_url, "verify", seeds).exit_code == 0
    assert (seeds / "documents" / "article.txt").read_bytes() == raw  # documents stay byte for byte


def test_json_output_escapes_del_c1_and_invisible_characters(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_hostile_seeds(seeds, SPOOFS)
    _document_with_controls(seeds)
    db = tmp_path / "claims.db"
    assert claims("--db", db, "load", seeds, "-q").exit_code == 0
    for command in (
        ("show", "hostile-claim", "--format", "json"), ("show", "hostile-claim", "--format", "ndjson"),
        *((command, "--format", fmt) for command in ("list", "sources", "claimants", "runs", "stats", "figures",
                                                    "contradicts") for fmt in ("json", "ndjson")),
    ):  # fmt: skip
        result = claims("--db", db, *command)
        assert_clean(result)
    shown = claims("--db", db, "show", "hostile-claim", "--format", "json").output
    assert "\\u202e" in shown and "\\u0085" in shown and "\\u007f" in shown and "\\u001b" in shown
    data = json.loads(shown)
    assert data["statement"] == SPOOFS["statement"]
    assert data["anchor"]["context_before"].endswith("The words: \x1b[2J\x1b]0;PWNED\x07 \u202e \x85 \x7f\n")


@pytest.fixture
def spoof_site(tmp_path: Path) -> Iterator[TestClient]:
    seeds = tmp_path / "seeds"
    write_hostile_seeds(seeds, {**SPOOFS, "note": "a <script>alert(1)</script> [b] note"})
    db = tmp_path / "claims.db"
    assert claims("--db", db, "load", seeds, "-q").exit_code == 0
    with TestClient(create_app(str(db))) as client:
        yield client


def esc(text: str) -> str:
    return str(markupsafe.escape(text))


def test_user_text_is_isolated_in_html(spoof_site: TestClient) -> None:
    claim = spoof_site.get("/claims/hostile-claim").text
    for field in ("statement", "org_name", "document_title"):
        assert f"<bdi>{esc(SPOOFS[field])}</bdi>" in claim, field
    assert f"<bdi>{esc('a <script>alert(1)</script> [b] note')}</bdi>" in claim
    listing = spoof_site.get("/").text
    assert f"<bdi>{esc(SPOOFS['statement'])}</bdi>" in listing and f"<bdi>{esc(SPOOFS['org_name'])}</bdi>" in listing
    assert f"<bdi>{esc(SPOOFS['claimant_name'])}</bdi>" in spoof_site.get("/claims/described-claim").text
    assert f"<bdi>{esc(SPOOFS['place_name'])}</bdi>" in spoof_site.get("/claims/placed-claim").text
    request = spoof_site.get("/", params={"claimant": "\u202eevil"}).text
    assert "<bdi>\u202eevil</bdi>" in request  # a request's own text, echoed as a filter chip


# --- hypothesis: any text in every field --------------------------------------------------------------

HOSTILE_BITS = [
    "[", "]", "[/b]", "[bold]", "[link=https://evil.example/]", "[/link]", "\\[", ":smile:", "[/]",
    "\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u00ad", "<script>", "&amp;",
    "{{ x }}", "{% x %}", "%s", "\t", "'", '"', "=1+2", "\u00a0", "é", "e\u0301", "界", "😀", "👨\u200d👩",
    "\u05d0\u05e8", "\u0627\u0644", "\\", "#", ": ", "- ", "*a", "&b", "!x", "|", ">",
]  # fmt: skip
"""Pieces an attacker or an unlucky curator would try: markup, bidi, invisible, HTML, Jinja, YAML."""

_ANY = st.characters(exclude_categories=("Cs", "Cc"))
_PIECE = st.one_of(st.sampled_from(HOSTILE_BITS), st.text(_ANY, min_size=1, max_size=6))
_PIECES = st.lists(_PIECE, min_size=1, max_size=5)


def _acceptable(text: str) -> bool:
    """Text a field takes: something visible once whitespace is stripped, and (for YAML) the same
    text back after PyYAML writes and reads it."""
    stripped = text.strip()
    round_trip = yaml.safe_load(yaml.safe_dump(text, allow_unicode=True))
    return bool(stripped) and not is_blank(stripped) and round_trip == text


FIELD_TEXT = _PIECES.map("".join).filter(_acceptable)
_LETTER = st.characters(categories=("Lu", "Ll", "Lo", "Nd"))
QUOTE_TEXT = st.tuples(_LETTER, _PIECES.map("".join), _LETTER).map(lambda parts: "".join(parts)).filter(_acceptable)
"""A quote starts and ends on a letter or digit, so it is whole words of the document around it."""


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the current schema, copied for each example (migrating costs more than loading)."""
    db = tmp_path_factory.mktemp("empty") / "claims.db"
    assert claims("--db", db, "migrate").exit_code == 0
    return db


@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip
@given(data=st.data())
def test_any_text_in_every_field_is_shown_exactly_or_refused_cleanly(empty_db: Path, data: st.DataObject) -> None:
    texts = {
        field: data.draw(QUOTE_TEXT if field in ("quote", "phrase") else FIELD_TEXT, label=field)
        for field in TEXT_FIELDS
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        values = write_hostile_seeds(root / "seeds", texts)
        db = root / "claims.db"
        shutil.copyfile(empty_db, db)
        loaded = claims("--db", db, "load", root / "seeds", "-q")
        note(loaded.output)
        assert "Traceback" not in loaded.output
        if loaded.exit_code != 0:
            # visible, control-free text is refused only by the anchoring rules (a quote or phrase
            # the document does not hold as whole words) or when names collide (an alias that is
            # another claimant's name): say which
            assert loaded.exit_code == 1 and loaded.stderr.startswith("Error: ")
            issues = loaded.stderr.splitlines()[1:]
            allowed = ("quote", "phrase", "would find both")
            assert all(any(reason in issue for reason in allowed) for issue in issues), loaded.stderr
            return
        check_every_command(str(db), values)
        stored = {field: value.strip() for field, value in values.items()}
        with TestClient(create_app(str(db))) as client:
            for path in (
                "/", "/sources", "/claims/hostile-claim", "/claims/described-claim", "/claims/placed-claim",
                "/sources/hostile-report", "/sources/hostile-article", "/claims.json", "/claims.csv", "/figures",
            ):  # fmt: skip
                response = client.get(path)
                assert response.status_code == 200, path
            page = client.get("/claims/hostile-claim").text
            shown = (
                "statement",
                "note",
                "org_name",
                "source_title",
                "document_title",
                "term_label",
                "assessor",
                "reason",
            )
            for field in shown:
                assert f"<bdi>{esc(stored[field])}</bdi>" in page, field
            assert f"<mark>{esc(stored['quote'])}</mark>" in page
            assert f"<bdi>{esc(stored['claimant_name'])}</bdi>" in client.get("/claims/described-claim").text
            assert f"<bdi>{esc(stored['place_name'])}</bdi>" in client.get("/claims/placed-claim").text
            assert json.loads(client.get("/claims/hostile-claim.json").text)["statement"] == stored["statement"]
