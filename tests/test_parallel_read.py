"""From PARALLEL_FROM_FILES seed files on, parsing runs in worker processes: same results, same errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimsdb.seeds.collect import PARALLEL_FROM_FILES, WORKER_LOST, read_seed_files
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

    from claimsdb.seeds import collect

    monkeypatch.setattr(collect, "IN_FLIGHT_FILES", 10)
    ahead: list[int] = []  # at each chunk handed out: files handed out and not yet taken
    handed = taken = 0
    submit, paced_taken = collect._Paced.submit, collect._Paced.taken

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

    monkeypatch.setattr(collect._Paced, "submit", counting_submit)
    monkeypatch.setattr(collect._Paced, "taken", counting_taken)
    paths = seed_paths(corpus)
    results, issues, _ = read_seed_files(corpus, paths)
    assert issues == [] and len(results) == len(paths) == handed == taken
    workers = min(os.cpu_count() or 1, 8)
    chunk = max(1, min(16, len(paths) // (workers * 8)))
    limit = max(10, chunk * (workers + 2))  # never less than a chunk for each worker and two more
    assert len(paths) > 2 * limit  # else running ahead would not show
    assert len(ahead) > 2 and max(ahead) <= limit


_HALF_SENT = """
import multiprocessing, os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from claimsdb.errors import ClaimsError
from claimsdb.seeds import collect

def big(size):
    return b"x" * size

if __name__ == "__main__":
    for _attempt in range(5):  # a worker that sent it all before it was killed is tried again
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=collect._worker_starts, initargs=(os.getpid(),))  # end with this
        future = pool.submit(big, 300_000_000)
        while not pool._result_queue._reader.poll(0.01):  # the worker has begun to send its result
            pass
        os.kill(next(iter(pool._processes)), signal.SIGKILL)  # the one worker, half-way through sending
        try:
            collect._result_of(future, pool)
        except ClaimsError as error:
            print(error)
            break
        finally:
            collect._end_workers(pool)
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

