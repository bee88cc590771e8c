"""The same seeds give the same answers on SQLite and on PostgreSQL: list, show, search, export.

On the tests' own seeds (tests/fixtures/basic).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from conftest import BASIC, _new_pg_database, load_seeds
from pg_server import PostgresServer

Cli = Callable[..., Any]

QUERIES = [
    ("list", "-f", "json"),
    ("list", "--type", "defection_figure", "-f", "json"),
    ("list", "--claimant", "hrdc", "--sort", "date", "-f", "json"),
    ("list", "--search", "executions", "-f", "json"),
    ("list", "--search", "public execut", "-f", "json"),
    ("list", "--term", "public_execution", "--from", "2018", "--to", "2022-06", "-f", "json"),
    ("show", "hrdc-2018-basis-250-interviews", "-f", "json"),
    ("show", "hrdc-2022-count-18-public-executions", "-f", "json"),
    ("sources", "-f", "json"),
    ("claimants", "-f", "json"),
    ("stats", "-f", "json"),
    ("export",),
]


@pytest.fixture(scope="module")
def both(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The same seeds loaded into a SQLite file and a PostgreSQL database, once: the tests only read."""
    root = tmp_path_factory.mktemp("both")
    seeds = root / "seeds"
    shutil.copytree(BASIC, seeds)
    sqlite_db, pg = str(root / "claims.db"), _new_pg_database(postgres)
    for db in (sqlite_db, pg):
        load_seeds(db, seeds)
    return sqlite_db, pg


def _normalise(output: str) -> Any:
    try:
        data = json.loads(output)
    except json.JSONDecodeError:
        return output  # CSV: compared as text
    for key in ("added_in_run", "changed_in_run"):  # run timestamps differ by a second or so
        if isinstance(data, dict) and key in data:
            data[key].pop("started_at")
    return data


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: " ".join(q))
def test_same_answer_on_both(cli: Cli, both: tuple[str, str], query: tuple[str, ...]) -> None:
    sqlite_db, pg_db = both
    on_sqlite = cli("--db", sqlite_db, *query)
    on_pg = cli("--db", pg_db, *query)
    assert on_sqlite.exit_code == on_pg.exit_code == 0
    assert _normalise(on_sqlite.stdout) == _normalise(on_pg.stdout)
    assert on_sqlite.stdout.strip() not in ("", "[]")
