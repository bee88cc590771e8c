"""The shared rules in claimsdb.rules, and the places that must agree with them."""

from __future__ import annotations

import datetime as dt

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
