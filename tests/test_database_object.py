"""One engine per database: a command builds one, the web app keeps one (and its pool) for its life.

Engines are counted through SQLAlchemy's own events on every Engine and Pool in the process, so
the real CLI and the real web app are observed as they are, nothing replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, make_url
from sqlalchemy.pool import Pool
from starlette.testclient import TestClient

from claimsdb import api
from claimsdb.db.engine import database_url
from claimsdb.web import create_app
from conftest import load_seeds


class Connections:
    """Every engine that hands out a connection, and every new DBAPI connection made, while watched."""

    def __init__(self) -> None:
        self.engines: list[Engine] = []
        self.new_connections = 0

    def _checked_out(self, connection) -> None:  # type: ignore[no-untyped-def]
        if not any(engine is connection.engine for engine in self.engines):
            self.engines.append(connection.engine)  # kept alive, so two engines never share an id

    def _connected(self, _dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        self.new_connections += 1


@pytest.fixture
def connections() -> Iterator[Connections]:
    watched = Connections()
    event.listen(Engine, "engine_connect", watched._checked_out)
    event.listen(Pool, "connect", watched._connected)
    try:
        yield watched
    finally:
        event.remove(Engine, "engine_connect", watched._checked_out)
        event.remove(Pool, "connect", watched._connected)


def test_claims_load_builds_one_engine(cli, db_url: str, basic_seeds: Path, connections: Connections) -> None:
    """A load reads what the last load left, writes, then shows the overview: all on one engine
    for its database. (A first load makes a new SQLite file under another name, db.scratch: that
    other database gets an engine of its own.)"""
    result = cli("--db", db_url, "load", basic_seeds)
    assert result.exit_code == 0, result.output
    databases = [engine.url.database or "" for engine in connections.engines]
    assert len(databases) == len(set(databases))
    assert [name for name in databases if ".loading-" not in name] == [make_url(database_url(db_url)).database]
    connections.engines.clear()

    (basic_seeds / "extra-note.txt").write_text("not a seed", encoding="utf-8")
    again = cli("--db", db_url, "load", basic_seeds)  # unchanged seeds: the quick path, then the overview
    assert again.exit_code == 0, again.output
    assert len(connections.engines) == 1  # one more command, one more engine


def test_a_read_command_builds_one_engine(cli, db_url: str, basic_seeds: Path, connections: Connections) -> None:
    load_seeds(db_url, basic_seeds)
    before = len(connections.engines)
    result = cli("--db", db_url, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(connections.engines) == before + 1


def test_the_web_app_serves_200_requests_over_one_pool(
    db_url: str, basic_seeds: Path, connections: Connections
) -> None:
    load_seeds(db_url, basic_seeds)
    claim_id = api.list_claims(db_url, api.ClaimFilter())[0].id
    source_id = api.list_sources(db_url)[0].id
    pages = ["/", "/claims.json", "/sources", f"/sources/{source_id}", f"/claims/{claim_id}", "/figures", "/claims.csv"]
    before_engines, before_connections = len(connections.engines), connections.new_connections
    with TestClient(create_app(db_url)) as client:
        for number in range(200):
            response = client.get(pages[number % len(pages)])
            assert response.status_code == 200, (pages[number % len(pages)], response.text[:300])
    assert len(connections.engines) - before_engines == 1
    made = connections.new_connections - before_connections
    assert 1 <= made <= 5, f"{made} DBAPI connections for 200 requests"


def test_the_library_does_not_read_claims_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """$CLAIMS_DB is the CLI's (Typer reads it for --db); a library call names its database."""
    monkeypatch.setenv("CLAIMS_DB", str(tmp_path / "elsewhere.db"))
    monkeypatch.chdir(tmp_path)
    assert api.open_database().file == tmp_path / "claims.db"


def test_the_web_app_sees_a_database_moved_into_place(tmp_path: Path, basic_seeds: Path) -> None:
    """Pooled connections keep the file they opened: one replaced under the site is reopened."""
    served, replacement = tmp_path / "claims.db", tmp_path / "new.db"
    load_seeds(str(served), basic_seeds)
    seed = basic_seeds / "herald-2018-06-14-hrdc-executions.yaml"
    old = "HRDC says most of those executed were shot by firing squads."
    new = "HRDC says the firing squads shot most of them."
    seed.write_text(seed.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    load_seeds(str(replacement), basic_seeds)
    with TestClient(create_app(str(served))) as client:
        assert old in client.get("/claims/hrdc-2018-method-shooting").text
        replacement.replace(served)
        page = client.get("/claims/hrdc-2018-method-shooting")
        assert page.status_code == 200 and "the firing squads shot most of them" in page.text
