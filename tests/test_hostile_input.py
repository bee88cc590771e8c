"""Randomly damaged seed files never crash `claims load`, and never change the database when refused.

Each example takes one seed file of the tests' own fixture (tests/fixtures/basic), damages it (bytes
deleted, inserted or replaced, lines dropped, doubled or swapped, indentation shifted, digits changed,
numbers lengthened, random Unicode inserted, the file cut short), and loads the damaged seeds through
the real CLI into a copy of a database already holding those seeds. Nothing may escape as an
exception; the exit status is 0 or 1; a refusal starts with "Error:", names only lines the damaged
file has, and leaves the database as it was; and `claims check` agrees with `load` on whether the
seeds are good.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from claimsdb.cli import app
from conftest import snapshot

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "basic"
SEED_FILES = sorted(path.name for path in FIXTURE.glob("*.yaml"))
RUNNER = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})


def claims(*args: object):  # type: ignore[no-untyped-def]
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The basic fixture's seeds and a database they were loaded into, never modified by the tests."""
    root = tmp_path_factory.mktemp("pristine")
    seeds = root / "seeds"
    shutil.copytree(FIXTURE, seeds)
    db = root / "claims.db"
    result = claims("--db", db, "load", seeds, "--quiet")
    assert result.exit_code == 0, result.output
    return seeds, db


# --- damage ---------------------------------------------------------------------------------------


def _position(data: st.DataObject, raw: bytes) -> int:
    return data.draw(st.integers(min_value=0, max_value=len(raw)), label="at")


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True) or [b""]


def _line_index(data: st.DataObject, lines: list[bytes]) -> int:
    return data.draw(st.integers(min_value=0, max_value=len(lines) - 1), label="line")


def delete_bytes(data: st.DataObject, raw: bytes) -> bytes:
    at = _position(data, raw)
    return raw[:at] + raw[at + data.draw(st.integers(1, 40), label="count") :]


def insert_bytes(data: st.DataObject, raw: bytes) -> bytes:
    at = _position(data, raw)
    return raw[:at] + data.draw(st.binary(min_size=1, max_size=8), label="bytes") + raw[at:]


def replace_byte(data: st.DataObject, raw: bytes) -> bytes:
    at = min(_position(data, raw), len(raw) - 1)
    return raw[:at] + bytes([data.draw(st.integers(0, 255), label="byte")]) + raw[at + 1 :]


def insert_unicode(data: st.DataObject, raw: bytes) -> bytes:
    at = _position(data, raw)  # may land inside a multi-byte character, on purpose
    return raw[:at] + data.draw(st.text(min_size=1, max_size=12), label="text").encode("utf-8") + raw[at:]


def truncate(data: st.DataObject, raw: bytes) -> bytes:
    return raw[: _position(data, raw)]


def delete_line(data: st.DataObject, raw: bytes) -> bytes:
    lines = _lines(raw)
    del lines[_line_index(data, lines)]
    return b"".join(lines)


def duplicate_line(data: st.DataObject, raw: bytes) -> bytes:
    lines = _lines(raw)
    index = _line_index(data, lines)
    lines.insert(index, lines[index])
    return b"".join(lines)


def swap_lines(data: st.DataObject, raw: bytes) -> bytes:
    lines = _lines(raw)
    first, second = _line_index(data, lines), _line_index(data, lines)
    lines[first], lines[second] = lines[second], lines[first]
    return b"".join(lines)


def shift_indent(data: st.DataObject, raw: bytes) -> bytes:
    lines = _lines(raw)
    index = _line_index(data, lines)
    indent = data.draw(st.sampled_from([b" ", b"  ", b"\t", b""]), label="indent")
    lines[index] = indent + lines[index].removeprefix(b"  ")
    return b"".join(lines)


def change_digit(data: st.DataObject, raw: bytes) -> bytes:
    """A curator's typo in a date, a count or a hash."""
    digits = [i for i, byte in enumerate(raw) if 0x30 <= byte <= 0x39]
    if not digits:
        return raw
    at = data.draw(st.sampled_from(digits), label="digit at")
    return raw[:at] + data.draw(st.sampled_from(b"0123456789"), label="digit").to_bytes(1, "big") + raw[at + 1 :]


def lengthen_number(data: st.DataObject, raw: bytes) -> bytes:
    """A number value pasted with far too many digits (a count, a year, an occurrence)."""
    numbers = [match.end() for match in re.finditer(rb"(?<=: )\d+\b", raw)]
    if not numbers:
        return raw
    at = data.draw(st.sampled_from(numbers), label="number ends at")
    return raw[:at] + data.draw(st.sampled_from([b"0" * 3, b"9" * 12, b"9" * 25]), label="digits") + raw[at:]


DAMAGE = [
    delete_bytes, insert_bytes, replace_byte, insert_unicode, truncate,
    delete_line, duplicate_line, swap_lines, shift_indent, change_digit, lengthen_number,
]  # fmt: skip


def damaged(data: st.DataObject, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 3), label="damages")):
        damage = data.draw(st.sampled_from(DAMAGE), label="damage")
        raw = damage(data, raw) if raw else raw
    return raw


def _diff(before: bytes, after: bytes) -> str:
    lines = difflib.unified_diff(
        before.decode("utf-8", "replace").splitlines(), after.decode("utf-8", "replace").splitlines(), lineterm="", n=1
    )
    return "\n".join(list(lines)[:40])


# --- the property ----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_seed_file_is_loaded_or_refused_cleanly(pristine: tuple[Path, Path], data: st.DataObject) -> None:
    seeds_source, db_source = pristine
    name = data.draw(st.sampled_from(SEED_FILES), label="file")
    original = (seeds_source / name).read_bytes()
    raw = damaged(data, original)
    note(f"{name}:\n{_diff(original, raw)}")

    with tempfile.TemporaryDirectory() as temp:
        seeds, db = Path(temp) / "seeds", Path(temp) / "claims.db"
        shutil.copytree(seeds_source, seeds)
        shutil.copyfile(db_source, db)
        (seeds / name).write_bytes(raw)
        before = snapshot(str(db))

        loaded = claims("--db", db, "load", seeds, "--quiet")
        assert loaded.exit_code in (0, 1), loaded.output
        assert "Traceback" not in loaded.output
        if loaded.exit_code == 1:
            assert loaded.output.startswith("Error:"), loaded.output
            assert snapshot(str(db)) == before

        checked = claims("check", seeds)
        assert checked.exit_code == loaded.exit_code, (loaded.output, checked.output)
        if checked.exit_code == 1:
            assert checked.output == loaded.output
            rows = raw.decode("utf-8", "replace").splitlines() or [""]
            for line, column in _reported_places(loaded.output, seeds / name):
                assert 1 <= line <= raw.count(b"\n") + 1, loaded.output
                assert column is None or 1 <= column <= len(rows[min(line, len(rows)) - 1]) + 1, loaded.output


def _reported_places(output: str, path: Path) -> list[tuple[int, int | None]]:
    """The line, and column where given, of each error the report gives for `path`."""
    found = re.findall(rf"^  {re.escape(str(path))}:(\d+)(?::(\d+))?: ", output, re.MULTILINE)
    return [(int(line), int(column) if column else None) for line, column in found]
