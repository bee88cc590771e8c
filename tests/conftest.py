"""Shared fixtures: the tests' own seeds (tests/fixtures), real SQLite files and PostgreSQL databases, the real CLI.

Every database test runs against a fresh database under pytest's tmp_path (or one loaded once per
module, for tests that only read); nothing is mocked. No test depends on what the curated seeds/ hold:
tests/test_real_seeds.py alone reads them (SEEDS), and only in ways that stay true as they grow.
"""

from __future__ import annotations

import http.client
import importlib.util
import itertools
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from claimsdb.cli import app
from claimsdb.db import models as m
from claimsdb.db.engine import database_url
from pg_server import PostgresServer, free_port, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium, which the browser tests drive (.ci/run installs it)."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
"""As root, in a closed network: no sandbox, and none of the background connections it would try."""
SEEDS = PROJECT / "seeds"
FIXTURES = PROJECT / "tests" / "fixtures"
BASIC = FIXTURES / "basic"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts) means serially for a run of one test file, whose few tests
    would not repay the workers' start-up; otherwise None: pytest-xdist's own count, one per core."""
    files = {arg.split("::", 1)[0] for arg in config.args}
    if len(files) == 1 and Path(files.pop()).is_file():
        return 0
    return None


SLOWEST_FIRST = (
    "test_search_plans.py", "test_hostile_text.py", "test_hostile_server.py", "test_faults.py", "test_web.py",
    "test_incremental.py", "test_seed_errors.py", "test_hostile_defects.py", "test_web_counts.py",
    "test_benchmark.py", "test_formula_guard.py", "test_database_object.py", "test_figures.py",
)
"""The modules that take longest (`pytest --durations=0`, summed by file), longest first. Only the
order changes with this list, never what runs: a stale list just balances the workers less well."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand the workers the longest modules first (with `--no-loadscope-reorder`, pyproject's
    addopts), so that both finish together instead of one running a long module alone at the end."""
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(item.path.name, index)

    def rank(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        return (SLOWEST_FIRST.index(name), 0) if name in SLOWEST_FIRST else (len(SLOWEST_FIRST), first_seen[name])

    items.sort(key=rank)  # stable: the tests of a module keep their order


@pytest.fixture
def curator_seeds(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/curator, the tests' own small seeds, free to break.

    For tests that pin lines, ids or counts: the curated seeds are data that keeps changing, so no
    test may depend on what they hold.
    """
    target = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "curator", target)
    return target


BACKENDS = ("sqlite", "postgresql")
_database_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run, on loopback, stopped at the end."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


def _new_pg_database(server: PostgresServer, template: str | None = None) -> str:
    """A new database on the suite's server: empty, or a copy of the database `template`
    (PostgreSQL's own `CREATE DATABASE ... TEMPLATE`: far cheaper than loading again). Copied file by
    file, which measured faster here than the default of copying through the WAL for databases this small."""
    name = f"claims_test_{next(_database_names)}"
    engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template or "template1"}" STRATEGY FILE_COPY'))
    engine.dispose()
    return server.url(name)


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    """A SQLite database file that does not exist yet, for tests about SQLite itself."""
    return str(tmp_path / "claims.db")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each back end in turn, for `db_url` and `basic_db`: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """An empty database on each back end: a SQLite file path, or a new PostgreSQL database's URL."""
    if backend == "sqlite":
        return str(tmp_path / "claims.db")
    return _new_pg_database(request.getfixturevalue("postgres"))


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Run `claims ARGS...` through Typer's test runner, wide enough that tables do not wrap."""
    runner = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def load_seeds(db: str, seeds: Path) -> None:
    """`claims --db DB load SEEDS --quiet` through the real CLI, which must succeed."""
    runner = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1", "CLAIMS_DB": None})
    result = runner.invoke(app, ["--db", db, "load", str(seeds), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture
def basic_seeds(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/basic, the tests' own small seeds, free to edit.

    Three short made-up articles with every claim type, claimants of every kind, relations, dates
    known by bounds, periods, places, quantities and assessments. Tests pin its ids and counts: it
    changes only together with them, unlike the curated seeds/.
    """
    target = tmp_path / "seeds"
    shutil.copytree(BASIC, target)
    return target


def _sqlite_template(factory: pytest.TempPathFactory, fixture: Path) -> Path:
    """A fixture folder's seeds loaded through the CLI into a SQLite file, to be copied, never changed."""
    root = factory.mktemp(f"{fixture.name}-template")
    shutil.copytree(fixture, root / "seeds")
    db = root / "claims.db"
    load_seeds(str(db), root / "seeds")
    assert sorted(p.name for p in root.iterdir()) == ["claims.db", "seeds"]  # no -wal: the file is the database
    return db


@pytest.fixture(scope="session")
def basic_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/basic loaded once per test process: `basic_db` and `shared_basic_db` copy it."""
    return _sqlite_template(tmp_path_factory, BASIC)


@pytest.fixture(scope="session")
def curator_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/curator loaded once per test process, for `loaded_copy`."""
    return _sqlite_template(tmp_path_factory, FIXTURES / "curator")


@pytest.fixture(scope="session")
def basic_pg_template(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """tests/fixtures/basic loaded through the CLI into a PostgreSQL database once per test process
    (the name of that database), never changed or connected to afterwards: the template of `basic_db`."""
    root = tmp_path_factory.mktemp("basic-template")
    shutil.copytree(BASIC, root / "seeds")
    url = _new_pg_database(postgres)
    load_seeds(url, root / "seeds")
    return url.rsplit("/", 1)[1]


def loaded_copy(template: Path, seeds: Path, db: Path) -> Path:
    """A SQLite file holding what `claims load SEEDS` leaves, copied from a loaded template (as
    `curator_sqlite_template`) instead of loading again; `seeds` must be a copy of the template's fixture."""
    shutil.copyfile(template, db)
    _name_seeds_folder(str(db), seeds)
    return db


def _name_seeds_folder(db: str, seeds: Path) -> None:
    """Make a copied database name `seeds` as the folder its one load run read.

    The copy then equals a fresh load from `seeds` (stored paths are relative to the seeds folder's
    parent, and every copy of a fixture is a folder named `seeds` with the same files, mtimes kept)
    except the run's start and finish times, which differ between any two loads.
    """
    engine = create_engine(database_url(db))
    with engine.begin() as connection:
        (old,) = connection.execute(text("SELECT seeds_dir FROM load_runs")).scalars()
        connection.execute(text("UPDATE load_runs SET seeds_dir = :seeds"), {"seeds": str(seeds)})
    engine.dispose()
    assert Path(old).name == seeds.name == "seeds"


def _basic_copy(request: pytest.FixtureRequest, backend: str, seeds: Path, folder: Path) -> str:
    """tests/fixtures/basic as loaded from `seeds`, copied from the template of `backend`: a SQLite
    file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE."""
    if backend == "sqlite":
        return str(loaded_copy(request.getfixturevalue("basic_sqlite_template"), seeds, folder / "claims.db"))
    template = request.getfixturevalue("basic_pg_template")
    db = _new_pg_database(request.getfixturevalue("postgres"), template=template)
    _name_seeds_folder(db, seeds)
    return db


@pytest.fixture
def basic_db(request: pytest.FixtureRequest, backend: str, basic_seeds: Path, tmp_path: Path) -> str:
    """A database on each back end holding tests/fixtures/basic as loaded through the CLI from
    `basic_seeds`, free to change (a copy of the once-loaded template: see `_basic_copy`)."""
    return _basic_copy(request, backend, basic_seeds, tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_basic_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """tests/fixtures/basic loaded once per test module and back end: for tests that only read.

    A test that writes to it would leak into the next; use `basic_db`.
    """
    root = tmp_path_factory.mktemp("shared-basic")
    seeds = root / "seeds"
    shutil.copytree(BASIC, seeds)
    return _basic_copy(request, request.param, seeds, root)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, started once per test process through Playwright; each test opens its own
    context (cookies, cache, settings of its own) and closes it. No skip: failing to start fails the test."""
    from playwright.sync_api import sync_playwright

    try:
        playwright = sync_playwright().start()
    except Exception as exc:  # noqa: BLE001 - any failure to start is a test failure, said plainly
        pytest.fail(f"Playwright could not start ({exc}); it is a dev dependency: `uv sync`.")
    try:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001
        playwright.stop()
        pytest.fail(f"Chromium could not be started from {CHROMIUM} ({exc}); install it: apt-get install -y chromium")
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


def load_for_module(request: pytest.FixtureRequest, fixture: Path, folder: str | None = None) -> str:
    """A fixture folder's seeds loaded through the CLI into a new database on the back end
    `request.param` (from a private copy named `folder`, by default as the fixture is): for a
    module-scoped fixture whose tests only read, as Datasette's tests share one client."""
    root = request.getfixturevalue("tmp_path_factory").mktemp(f"shared-{fixture.name}")
    seeds = root / (folder or fixture.name)
    shutil.copytree(fixture, seeds)
    if request.param == "sqlite":
        db = str(root / "claims.db")
    else:
        db = _new_pg_database(request.getfixturevalue("postgres"))
    load_seeds(db, seeds)
    return db


def add_filler_claims(seeds: Path, count: int) -> list[str]:
    """Add a document of `count` numbered sentences and one claim quoting each: for tests that need
    more claims than the fixture holds (a second page of 50). Returns the new claim ids."""
    sentences = [f"Filler sentence number {n:03d} of the padding article." for n in range(1, count + 1)]
    write_seed(seeds, "documents/filler.txt", "\n".join(sentences) + "\n")
    ids = [f"filler-{n:03d}" for n in range(1, count + 1)]
    claims = "".join(
        f"  - id: {claim_id}\n    claimant: seoul-wire\n    attribution: own_voice\n    type: statement\n"
        f"    statement: Seoul Wire writes padding sentence {n:03d}.\n    quote: {sentence}\n"
        for n, (claim_id, sentence) in enumerate(zip(ids, sentences, strict=True), start=1)
    )
    write_seed(
        seeds,
        "filler.yaml",
        "document:\n  id: filler-article\n  file: documents/filler.txt\n  title: Padding article\n"
        f"  publisher: seoul-wire\n  published: 2022-12-01\n\nclaims:\n{claims}",
    )
    return ids


def snapshot(db: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every table and every row, in a fixed order: equal snapshots mean equal databases."""
    url = database_url(db)
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return []
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return [
                (name, [tuple(row) for row in connection.execute(select(table).order_by(*table.columns))])
                for name, table in sorted(metadata.tables.items())
            ]
    finally:
        engine.dispose()


def comparable(tables: list[tuple[str, list[tuple[Any, ...]]]]) -> list[tuple[str, list[Any]]]:
    """Every table's rows, but the load runs' start and end times (they differ between any two loads)
    and the full-text index's own storage (segments differ when it is built in batches: its
    entries are compared by _search_entries)."""
    times = {c.name for c in m.LoadRun.__table__.columns if c.name.endswith("_at")}
    positions = [i for i, c in enumerate(m.LoadRun.__table__.columns) if c.name in times]
    return [
        (name, [tuple(v for i, v in enumerate(row) if i not in positions) for row in rows] if name == "load_runs"
         else rows)
        for name, rows in tables
        if not name.startswith("claims_fts_") or name == "claims_fts_content"
    ]


def edit_one_claim(seeds: Path) -> Path:
    """Change the first claim statement of the first seed file that has one; that file."""
    for path in sorted(seeds.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "    statement: " in text:
            path.write_text(text.replace("    statement: ", "    statement: Edited, ", 1), encoding="utf-8")
            return path
    raise AssertionError(f"no claim statement under {seeds}")


def generate_corpus(root: Path, claims: int, *, seed: int = 42, as_json: bool = False) -> dict[str, int]:
    """benchmarks/corpus.py's deterministic synthetic seeds (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("claimsdb_benchmark_corpus", PROJECT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(root, claims, seed=seed, as_json=as_json)


def execute_sql(db: str, statement: str) -> None:
    """Change a database behind claimsdb's back, as a careless tool or an attacker might."""
    engine = create_engine(database_url(db))
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def alembic(db: str, command: str, revision: str) -> None:
    """`alembic COMMAND REVISION` (upgrade, downgrade) on a database, run in this process through
    Alembic's API and the project's migrations/env.py, as pytest-alembic runs it: for tests that need
    a schema state, not the `alembic` program itself (test_migrations runs that for `alembic check`)."""
    from alembic import command as commands
    from alembic.config import Config

    from claimsdb.db.migrate import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    engine = create_engine(database_url(db), poolclass=NullPool)  # a plain engine, as env.py makes for the program
    config.attributes["connection"] = engine
    try:
        getattr(commands, command)(config, revision)
    finally:
        engine.dispose()


def write_seed(directory: Path, name: str, text: str) -> Path:
    """Write a seed YAML file (creating folders) and return its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def item_index(path: Path, needle: str) -> int:
    """The index in its list (claims, sources, organisations) of the item where `needle` first appears
    in a seed file: what `claims[i]` in a message means, for tests that pin it."""
    text = path.read_text(encoding="utf-8")
    at = text.index(needle)
    return sum(1 for item in re.finditer(r"^  - id: ", text, re.MULTILINE) if item.start() <= at) - 1


T = TypeVar("T")


def wait_until(what: str, timeout: float, probe: Callable[[], T | None], proc: subprocess.Popen[Any] | None = None,
               interval: float = 0.05) -> T:  # fmt: skip
    """Poll `probe` until it returns something truthy; fail clearly at the deadline or if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the process exited (status {proc.returncode}) before {what}\nstdout:\n{out}\nstderr:\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Served:
    """A running `claims serve`: where it answers, and the file its output goes to."""

    url: str
    port: int
    log: Path


@contextmanager
def serving(db: str | Path, log_dir: Path, *options: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            ready: Sequence[int] = (200,), timeout: float = 30) -> Iterator[Served]:  # fmt: skip
    """`claims --db DB serve OPTIONS...` started as a user starts it, on a free loopback port; yields
    once `/` answers with a status in `ready`, and stops the server afterwards."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "claimsdb", "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen([*command, *options], stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:

        def answering() -> bool:
            if process.poll() is not None:
                output = log.read_text(errors="replace")
                pytest.fail(f"`claims serve` exited with status {process.returncode}:\n{output}")
            return _answers(port, ready)

        wait_until(f"`claims serve` to answer on port {port}", timeout, answering, interval=0.1)
        yield Served(f"http://127.0.0.1:{port}", port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(port: int, ready: Sequence[int]) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status in ready
    except OSError:
        return False
    finally:
        connection.close()
