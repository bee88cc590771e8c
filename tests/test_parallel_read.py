"""From PARALLEL_FROM_FILES seed files on, parsing runs in worker processes: same results, same errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimsdb.seeds.collect import PARALLEL_FROM_FILES, read_seed_files
from claimsdb.seeds.workers import WORKER_LOST
from claimsdb.seeds.files import seed_paths
from conftest import generate_corpus

Cli = Callable[..., Any]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "seeds"
    written = generate_corpus(root, 4000, seed=7)
    assert written["files"] >= PARALLEL_FROM_FILES
    return root


def test_parallel_and_serial_reads_agree(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parallel, issues, _ = read_seed_files(corpus, seed_paths(corpus))
    monkeypatch.setattr("claimsdb.seeds.collect.PARALLEL_FROM_FILES", 10**9)
    serial, serial_issues, _ = read_seed_files(corpus, seed_paths(corpus))
    assert issues == serial_issues == []
    assert len(parallel) == len(seed_paths(corpus))
    assert parallel == serial  # every record, line and reference, field by field


def test_errors_found_by_workers_are_located(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "seeds"
    shutil.copytree(corpus, broken)
    target = sorted(broken.glob("article-*.yaml"))[40]
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("    type: execution_method"))
    lines[number + 1] = "    value: {method: shootin}\n"
    (broken / "article-000050.yaml").write_text("claims: [\n", encoding="utf-8")
    target.write_text("".join(lines), encoding="utf-8")
    result = cli("check", broken)
    assert result.exit_code == 1
    assert (
        f"{target}:{number + 2}: claims[" in result.stderr
        and "unknown execution_methods term 'shootin'" in result.stderr
    )
    assert f"{broken / 'article-000050.yaml'}:1:10: this is not valid YAML" in result.stderr


def test_too_many_seed_files_are_refused_not_cut(cli: Cli, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("claimsdb.seeds.collect.MAX_SEED_FILES", 10)
    result = cli("check", corpus)
    assert result.exit_code == 1
    assert "seed files, over the limit of 10" in result.stderr


def test_workers_run_no_further_ahead_than_the_results_taken(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow taker (a first load writing as it reads) holds the workers back: results do not pile up."""
    import time

    from claimsdb.seeds import workers

    monkeypatch.setattr(workers, "IN_FLIGHT_FILES", 10)
    ahead: list[int] = []  # at each chunk handed out: files handed out and not yet taken
    handed = taken = 0
    submit, paced_taken = workers._Paced.submit, workers._Paced.taken

    def counting_submit(self: Any, paths: list[Path]) -> None:
        nonlocal handed
        handed += len(paths)
        ahead.append(handed - taken)
        submit(self, paths)

    def counting_taken(self: Any) -> None:
        nonlocal taken
        taken += 1
        time.sleep(0.002)  # a slow writer
        paced_taken(self)

    monkeypatch.setattr(workers._Paced, "submit", counting_submit)
    monkeypatch.setattr(workers._Paced, "taken", counting_taken)
    paths = seed_paths(corpus)
    results, issues, _ = read_seed_files(corpus, paths)
    assert issues == [] and len(results) == len(paths) == handed == taken
    count = min(os.cpu_count() or 1, 8)
    chunk = max(1, min(16, len(paths) // (count * 8)))
    limit = max(10, chunk * (count + 2))  # never less than a chunk for each worker and two more
    assert len(paths) > 2 * limit  # else running ahead would not show
    assert len(ahead) > 2 and max(ahead) <= limit


_HALF_SENT = """
import multiprocessing, os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from claimsdb.errors import ClaimsError
from claimsdb.seeds import workers

def big(size):
    return b"x" * size

if __name__ == "__main__":
    for _attempt in range(5):  # a worker that sent it all before it was killed is tried again
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=workers._worker_starts, initargs=(os.getpid(),))  # end with this
        future = pool.submit(big, 300_000_000)
        while not pool._result_queue._reader.poll(0.01):  # the worker has begun to send its result
            pass
        os.kill(next(iter(pool._processes)), signal.SIGKILL)  # the one worker, half-way through sending
        try:
            workers._result_of(future, pool)
        except ClaimsError as error:
            print(error)
            break
        finally:
            workers._end_workers(pool)
    print("ended")
"""


def test_a_worker_killed_while_it_sends_a_result_ends_the_read(tmp_path: Path) -> None:
    """The executor misses a worker killed half-way through sending (its thread waits for the rest
    of the message): the read notices it, and ending the workers ends that thread too."""
    import subprocess
    import sys

    script = tmp_path / "half_sent.py"
    script.write_text(_HALF_SENT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr  # the timeout guards against the hang this is about
    assert done.stdout.splitlines() == [WORKER_LOST, "ended"], done.stdout + done.stderr


_LOAD_AND_TELL = """
import atexit, json, sys
from claimsdb.cli import run

told = sys.argv.pop(1)
parser = ("claimsdb.seeds.schema", "claimsdb.seeds.resolve", "yaml")
atexit.register(lambda: open(told, "w").write(json.dumps([name for name in parser if name in sys.modules])))
sys.argv[0] = "claims"
run()
"""


def test_a_load_after_an_edit_parses_in_a_worker_started_before_the_changes_are_known(
    basic_seeds: Path, basic_sqlite_template: Path, tmp_path: Path, cli: Cli
) -> None:
    """workers.parsers_ahead: the `claims` process leaves the YAML parser and the seed models to a
    worker it starts before it knows which files changed, and the database ends as a load that
    parses in its own process (as one whose seed models are built already does) leaves it."""
    import json
    import subprocess
    import sys

    from claimsdb.seeds.workers import parsers_ahead
    from conftest import comparable, edit_one_claim, loaded_copy, snapshot

    ahead_db = loaded_copy(basic_sqlite_template, basic_seeds, tmp_path / "ahead.db")
    here_db = loaded_copy(basic_sqlite_template, basic_seeds, tmp_path / "here.db")
    edit_one_claim(basic_seeds)
    script, told = tmp_path / "load_and_tell.py", tmp_path / "imported.json"
    script.write_text(_LOAD_AND_TELL, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    done = subprocess.run(
        [sys.executable, str(script), str(told), "--db", str(ahead_db), "load", str(basic_seeds), "-q"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0 added, 1 changed" in done.stdout, done.stdout
    assert json.loads(told.read_text()) == [], "the claims process imported the parser itself"
    with parsers_ahead() as ahead:
        assert ahead is None  # this process has the seed models built: it parses a few files itself
    assert cli("--db", here_db, "load", basic_seeds, "-q").exit_code == 0
    assert comparable(snapshot(str(ahead_db))) == comparable(snapshot(str(here_db)))
    assert "Edited, " in str(snapshot(str(ahead_db)))


def test_a_broken_edit_found_by_the_worker_started_ahead_is_located(
    basic_seeds: Path, basic_sqlite_template: Path, tmp_path: Path
) -> None:
    """The curator's error from a file parsed by the worker a load after an edit starts: its file,
    its line and what to do, no traceback; the database as it was."""
    import subprocess
    import sys

    from conftest import loaded_copy, snapshot

    db = loaded_copy(basic_sqlite_template, basic_seeds, tmp_path / "claims.db")
    before = snapshot(str(db))
    path = basic_seeds / "herald-2018-06-14-hrdc-executions.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(index for index, line in enumerate(lines) if line.startswith("    statement: "))
    lines.insert(at + 1, "    statment: a misspelt field\n")
    path.write_text("".join(lines), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "claimsdb", "--db", str(db), "load", str(basic_seeds), "-q"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{path.name}:{at + 2}" in done.stderr and "statment" in done.stderr, done.stderr
    assert snapshot(str(db)) == before


def test_a_worker_started_ahead_and_retired_leaves_later_files_to_this_process(corpus: Path) -> None:
    """Many changed files retire the worker started ahead (a worker a core parses them); files a
    change reaches, read after, are parsed without it."""
    from claimsdb.seeds.collect import _resolve_all
    from claimsdb.seeds.workers import Parsers

    paths = seed_paths(corpus)
    ahead = Parsers(1)
    try:
        many = list(_resolve_all(corpus, paths, ahead=ahead))
        assert ahead.ended
        few = list(_resolve_all(corpus, paths[:2], ahead=ahead))
    finally:
        ahead.end()
    assert [result.path for result in many] == [str(path) for path in paths]
    assert few == many[:2]


def test_a_load_after_an_edit_through_the_claims_program_on_each_back_end(
    basic_db: str, basic_seeds: Path, tmp_path: Path
) -> None:
    """The worker started ahead is forked while the nothing-changed check's connection is open
    (a PostgreSQL socket, a SQLite file): it never uses it, and the load that follows works."""
    import subprocess
    import sys

    from conftest import edit_one_claim, snapshot

    edit_one_claim(basic_seeds)
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "claimsdb", "--db", basic_db, "load", str(basic_seeds), "-q"],
        capture_output=True, text=True, timeout=120, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "0 added, 1 changed" in done.stdout, done.stdout
    claims = dict(snapshot(basic_db))["claims"]
    assert sum(1 for row in claims if any(str(cell).startswith("Edited, ") for cell in row)) == 1
