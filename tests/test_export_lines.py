"""On SQLite the export joins each claim's cells in SQL (export._joined_lines); its bytes must be
csv.writer's, as written from the rows themselves (export_rows + write_csv), whatever the cells hold."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimsdb import api
from claimsdb.export import _CELL, _GAPS, _records, _utf8_writer, export_rows, write_csv, write_export
from claimsdb.query import ClaimFilter
from conftest import execute_sql

Cli = Callable[..., Any]

ODD_CELLS = [
    # what claimsdb itself can store: any text, NUL and separators included
    "UPDATE claims SET statement = 'a, \"b\"' || char(13) || char(10) || 'c' WHERE rowid = 2",
    "UPDATE claims SET quote = 'NUL' || char(0) || 'inside, and on' WHERE rowid = 3",
    "UPDATE claims SET population = 'unit' || char(31) || 'separator' WHERE rowid = 4",
    "UPDATE claims SET period_label = 'record' || char(30) || 'separator' || char(10) WHERE rowid = 5",
    "UPDATE claims SET seed_file = 'odd, \"path\".yaml' WHERE rowid = 6",
    "UPDATE claims SET statement = '=SUM(A1)', quote = '-1', quantity_phrase = '@x' WHERE rowid = 7",
    "UPDATE claims SET claimed_on_inferred_reason = char(9) || 'tab', quantity_phrase = '' WHERE rowid = 8",
    "UPDATE organisations SET name = '+Org, \"Inc\"' WHERE rowid = 1",
    "UPDATE sources SET url = '\"quoted\"', published_precision = 'month' WHERE rowid = 1",
    # what only another program (or a schema to come) could store: REALs, text in integer columns,
    # BLOBs of free text (which the formula guard must not miss)
    "UPDATE claims SET quote_start = 1.5, seed_line = 1e20 WHERE rowid = 9",
    "UPDATE claims SET quantity_value = 'text, in an integer column' WHERE rowid = 10",
    "UPDATE claims SET statement = x'3d31', population = x'41004243' WHERE rowid = 11",
    "UPDATE sources SET title = x'2b41' WHERE rowid = 2",
]


def _by_rows(db: str, filters: ClaimFilter, guard: bool) -> str:
    with api.reading(db) as session:
        out = io.StringIO()
        write_csv(export_rows(session, filters, formula_guard=guard), out)
        return out.getvalue()


def _by_lines(db: str, filters: ClaimFilter, guard: bool) -> str:
    with api.reading(db) as session:
        out = io.StringIO()
        write_export(session, filters, out, formula_guard=guard)
        return out.getvalue()


@pytest.mark.parametrize("guard", [True, False])
def test_joined_lines_write_what_csv_writer_writes(cli: Cli, sqlite_path: str, basic_seeds: Path, guard: bool) -> None:
    assert cli("--db", sqlite_path, "load", basic_seeds, "-q").exit_code == 0
    for statement in ODD_CELLS:
        execute_sql(sqlite_path, statement)
    for filters in (ClaimFilter(), ClaimFilter(include_withdrawn=True, sort="date"), ClaimFilter(search="executions")):
        expected = _by_rows(sqlite_path, filters, guard)
        assert _by_lines(sqlite_path, filters, guard) == expected
        assert (
            "NUL\x00inside" in expected and ",1.5," in expected and ",1e+20," in expected
        )  # rows 3 and 9 quote "executions"
        if filters == ClaimFilter():  # row 11 (made-up BLOB statement) is listed unless a search leaves it out
            assert "b'=1'" in expected


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _line(row: list[str]) -> bytes:
    return _CELL.join(cell.encode() for cell in row)


def test_records_quote_exactly_the_cells_csv_writer_quotes() -> None:
    cells = ["plain"] * (_GAPS + 1)
    tricky = [
        "",
        "a,b",
        'say "hi"',
        "line\nbreak",
        "cr\rhere",
        ",",
        '"',
        "\r\n",
        'x,"y",\nz',
        " spaced ",
        "tab\tin",
        "é, “curly”",
    ]
    rows = []
    for index, value in enumerate(tricky):
        for column in (0, 17, _GAPS):  # first, middle and last cell
            row = list(cells)
            row[column] = value
            row[(column + 5) % len(row)] = tricky[(index + 1) % len(tricky)]
            rows.append(row)
    lines = [(_line(row), f"c-{n}") for n, row in enumerate(rows)]
    no_rereading = lambda claim_id: pytest.fail("no row needs reading again")  # noqa: E731
    assert _records(lines, no_rereading, formula_guard=False).decode() == _csv(rows)  # "\r\n" starts a formula


def test_records_read_again_what_sqlite_could_not_join() -> None:
    good = ["x"] * (_GAPS + 1)
    again = {"b": ["held, again"] + ["y"] * _GAPS, "c": good[:-1] + ["has\x1fone"]}
    lines = [(_line(good), "a"), (None, "b"), (_line(again["c"]), "c")]  # c splits into one cell too many
    assert _records(lines, lambda claim_id: again[claim_id]).decode() == _csv([good, again["b"], again["c"]])


def test_bytes_go_straight_to_a_utf8_files_buffer(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("before,")
        _utf8_writer(handle)("é\r\n".encode())
    assert path.read_bytes() == "before,é\r\n".encode()
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1", newline="")
    _utf8_writer(latin)("é".encode())  # a stream that encodes otherwise is written as text
    latin.flush()
    assert latin.buffer.getvalue() == "é".encode("latin-1")
