"""The shared rules in claimsdb.rules, and the places that must agree with them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimsdb import rules
from claimsdb.seeds import schema


@pytest.mark.parametrize(
    ("precision", "expected"), [("day", "2017-07-19"), ("month", "2017-07"), ("year", "2017"), (None, "2017-07-19")]
)
def test_a_date_is_cut_to_its_precision(precision: str | None, expected: str) -> None:
    assert rules.cut_to_precision(dt.date(2017, 7, 19), precision) == expected


def test_every_relation_kind_is_a_seed_field() -> None:
    assert set(rules.RELATION_KINDS) <= set(schema.ClaimBase.model_fields)


@pytest.mark.parametrize(
    ("said", "columns"),
    [
        ({"exact": 5}, (5, 5, 5, "exact")),
        ({"over": 500}, (None, 500, None, "more_than")),
        ({"at_least": 7}, (None, 7, None, "at_least")),
        ({"under": 9}, (None, None, 9, "less_than")),
        ({"at_most": 3}, (None, None, 3, "at_most")),
        ({"about": 40}, (40, None, None, "approximately")),
        ({"almost": 34000}, (34000, None, 34000, "almost")),
        ({"between": [2, 4]}, (None, 2, 4, "range")),
        ({"vague": "dozens"}, (None, None, None, "vague")),
    ],
)
def test_each_quantity_form_is_stored_with_its_qualifier(said: dict[str, object], columns: tuple[object, ...]) -> None:
    stored = schema.Quantity.model_validate(said).columns()
    names = ("quantity_value", "quantity_lower", "quantity_upper", "quantity_qualifier")
    assert tuple(stored[name] for name in names) == columns


@pytest.mark.parametrize("qualifier", rules.QUANTITY_QUALIFIERS)
def test_every_qualifier_is_put_in_words_and_read_as_an_interval(qualifier: str) -> None:
    from claimsdb.api import ClaimValue
    from claimsdb.figures import interval_of
    from claimsdb.render import describe_quantity

    value = ClaimValue(quantity_qualifier=qualifier, quantity_value=10, quantity_lower=10, quantity_upper=12)
    assert describe_quantity(value) != qualifier
    assert (interval_of(qualifier, 10, 10, 12).kind == "unknown") == (qualifier == "vague")


def test_the_hint_names_close_ids_and_otherwise_says_what_it_was_told() -> None:
    known = ["tjwg-2017-exec", "tjwg-2019-exec", "nkdb-report"]
    assert (
        rules.closest_hint("tjwg-2017-exc", known, rules.CLOSE_TO_AN_ID) == "; closest: tjwg-2017-exec, tjwg-2019-exec"
    )
    assert rules.closest_hint("zzz", known, rules.CLOSE_TO_AN_ID, otherwise="; see the list") == "; see the list"


def test_a_misspelt_field_is_suggested_only_when_near() -> None:
    assert rules.closest("titel", ["title", "file", "url"], rules.CLOSE_TO_A_FIELD, most=1) == ["title"]
    assert rules.closest("file", ["title", "url"], rules.CLOSE_TO_A_FIELD, most=1) == []


@pytest.mark.parametrize("given_as", ["absolute", "relative", "dot"])
def test_a_stored_path_leads_back_to_the_file_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given_as: str
) -> None:
    from claimsdb.seeds.files import disk_path, stored_path

    folder = tmp_path / "curated"
    (folder / "documents").mkdir(parents=True)
    file = folder / "documents" / "report.txt"
    file.write_text("text")
    monkeypatch.chdir(folder if given_as == "dot" else tmp_path)
    root = {"absolute": folder, "relative": Path("curated"), "dot": Path(".")}[given_as]
    path = root / "documents" / "report.txt"
    stored = stored_path(root, path)
    assert stored == "curated/documents/report.txt"
    assert disk_path(root, stored) == path
    assert disk_path(root, stored).read_text() == "text"
    assert disk_path(root / "elsewhere", stored) == root / "elsewhere" / "documents" / "report.txt"


def test_a_relative_seeds_folder_is_named_from_the_working_folder_of_each_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimsdb.seeds.files import stored_path

    for name in ("first", "second"):  # one process, two loads of `.` from different folders
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        assert stored_path(Path("."), Path("article.yaml")) == f"{name}/article.yaml"


def test_a_progress_bar_is_drawn_only_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from claimsdb.progress import bar_wanted

    monkeypatch.delenv("CI", raising=False)
    assert bar_wanted(quiet=False, terminal=True)
    assert not bar_wanted(quiet=True, terminal=True)
    assert not bar_wanted(quiet=False, terminal=False)
    monkeypatch.setenv("CI", "true")
    assert not bar_wanted(quiet=False, terminal=True)


def test_keys_are_taken_in_batches_of_the_one_size() -> None:
    from claimsdb.db.base import BATCH_SIZE
    from claimsdb.load.write import _batches

    assert list(_batches(list("abcde"), 2)) == [["a", "b"], ["c", "d"], ["e"]]
    assert [len(batch) for batch in _batches([str(n) for n in range(BATCH_SIZE + 1)])] == [BATCH_SIZE, 1]


@pytest.mark.parametrize(
    ("given", "link"),
    [(" https://a.example/x ", "https://a.example/x"), ("HTTP://a.example", "HTTP://a.example"),
     ("javascript:alert(1)", None), ("file:///etc/passwd", None), ("", None), (None, None)],
)  # fmt: skip
def test_only_an_http_url_becomes_a_link(given: str | None, link: str | None) -> None:
    assert rules.http_url(given) == link


@pytest.mark.parametrize(
    ("written", "first", "last", "precision"),
    [("2017", "2017-01-01", "2017-12-31", "year"), ("2020-02", "2020-02-01", "2020-02-29", "month"),
     ("2017-12", "2017-12-01", "2017-12-31", "month"), ("2017-07-19", "2017-07-19", "2017-07-19", "day")],
)  # fmt: skip
def test_a_partial_date_means_a_span_of_days(written: str, first: str, last: str, precision: str) -> None:
    value, read_precision = rules.read_partial_date(written)
    assert (value.isoformat(), rules.last_day(value, read_precision).isoformat(), read_precision) == (
        first,
        last,
        precision,
    )


@pytest.mark.parametrize("written", ["17", "2017-7", "2017-13", "2017-02-30", "2017/2018"])
def test_anything_else_is_not_a_partial_date(written: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        rules.read_partial_date(written)


def test_a_claims_place_packs_into_one_int_and_back() -> None:
    from claimsdb.seeds.parse import MAX_SEED_BYTES
    from claimsdb.seeds.validate import _LINE_BITS, _claim_place, _unpack_place

    assert MAX_SEED_BYTES < 1 << _LINE_BITS  # every line of a seed file fits
    for file_index, line in [(0, 1), (0, None), (7, 42), (999_999, MAX_SEED_BYTES)]:
        assert _unpack_place(_claim_place(file_index, line)) == (file_index, line)
