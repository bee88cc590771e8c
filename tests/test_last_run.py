"""db.runs reads the newest load run with Core alone, for a load with nothing changed: it must read
exactly what the load's own ORM reading (claimsdb.load.write) reads, on each back end, and name the
models' own columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimsdb import api
from claimsdb.db import models
from claimsdb.db.runs import LOAD_RUN_FILES, LOAD_RUNS, last_run
from claimsdb.load.write import last_run_files, last_run_fingerprints, last_run_version
from claimsdb.seeds import files


def test_the_core_reading_is_the_loads_own(basic_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RACY_NS", 0)  # every recorded fingerprint trusted: the sets compared are whole
    with api.open_database(basic_db) as database:
        with database.reading_connection() as connection:
            run = last_run(connection)
        with database.reading() as session:
            run_id, recorded = last_run_files(session)
            version = last_run_version(session, run_id)
            trusted_by_the_load = last_run_fingerprints(session, run_id)
    assert run is not None and run.read_from_ns is not None
    assert (run.run_id, run.claimsdb_version, run.files) == (run_id, version, recorded)
    assert recorded and trusted_by_the_load
    trusted = {path: f for path, f in run.fingerprints.items() if files.trusted(f, run.read_from_ns)}
    assert trusted == trusted_by_the_load


def test_a_database_with_no_run_yet_has_no_last_run(tmp_path: Path) -> None:
    path = str(tmp_path / "claims.db")
    api.migrate(path)
    with api.open_database(path) as database, database.reading_connection() as connection:
        assert last_run(connection) is None


def test_the_core_tables_name_the_models_columns_and_types() -> None:
    for light in (LOAD_RUNS, LOAD_RUN_FILES):
        model = models.Base.metadata.tables[light.name]
        for column in light.columns:
            assert column.name in model.columns, f"{light.name}.{column.name}"
            declared = model.columns[column.name].type
            assert isinstance(declared, type(column.type)), f"{light.name}.{column.name}: {declared!r}"
            assert getattr(declared, "timezone", None) == getattr(column.type, "timezone", None)
