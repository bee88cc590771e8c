"""The worker processes that parse seed files, and how a load ends them.

A load parses in worker processes when it has many files to read (one a core), and a load after
an edit has one worker started before it knows which files changed (`parsers_ahead`): that worker
imports the YAML parser and builds the seed models, about a fifth of such a load, while this
process imports the ORM and reads what the last load left.

A worker that dies (the system's out-of-memory killer, `kill -9`) ends the read with a
ClaimsError, not a wait: ProcessPoolExecutor reports it on every pending file (BrokenProcessPool),
where multiprocessing's Pool would start a new worker and wait forever for the files the dead one
held.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from claimsdb.seeds.records import FileResult

IN_FLIGHT_FILES = 512
"""Files handed to the workers and not yet taken back. The executor keeps every result its workers
send until they are taken, and a first load takes them only as fast as it writes them (PostgreSQL
over a network, or fast-parsing JSON seeds, let results pile up by the hundred megabytes)."""

WORKER_LOST = (
    "a parsing worker process ended unexpectedly (killed by the system, perhaps for lack of memory?); "
    "nothing was written; run it again"
)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Parsers:
    """Worker processes that parse seed files, forked as this is made and waiting for files.

    Forked where the system can (they inherit what this process has imported and built), else
    spawned. Ctrl-C is held while they are forked (Python would drop one that came mid-fork) and
    arrives in the caller, who ends them (`end`; done, an error, Ctrl-C). A parent killed outright
    (SIGTERM, SIGKILL) cannot; each worker has asked to end with it instead (`_worker_starts`).
    """

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork" if can_fork() else "spawn")
        self.workers = workers
        self.ended = False
        held = _hold_interrupts()
        try:
            self.pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_worker_starts, initargs=(os.getpid(),)
            )
            try:
                self.pool.submit(_ready)  # the executor forks every worker at its first task
            except BaseException:
                self.end()
                raise
        finally:
            _release_interrupts(held)

    def parse(
        self, root: Path, paths: list[Path], *, compress: bool, started: Callable[[], None] | None = None
    ) -> Iterator[FileResult]:
        """resolve_file for every path, in order, in the workers; `started` is called once they
        have work, before the first result is waited for."""
        chunk = max(1, min(16, len(paths) // (self.workers * 8)))
        work = partial(_resolve_chunk, root, compress)
        paced = _Paced(self.pool, work, paths, chunk, max(IN_FLIGHT_FILES, chunk * (self.workers + 2)))
        paced.hand_out()
        if started is not None:
            started()
        yield from paced.results()

    def retire(self) -> None:
        """End the workers unused; a ClaimsError if one died meanwhile, as if it had been parsing."""
        lost = any(process.exitcode is not None for process in _processes(self.pool))
        self.end()
        if lost:
            raise ClaimsError(WORKER_LOST)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            _end_workers(self.pool)


@contextlib.contextmanager
def parsers_ahead() -> Iterator[Parsers | None]:
    """One parsing worker, started now, for a load that has not yet worked out which files changed.

    None where workers cannot be forked (a spawned one would import everything again), or where
    this process has built the seed models already (a process that loads again and again: it
    parses a few files itself sooner than it hands them to a new process).
    """
    schema = sys.modules.get("claimsdb.seeds.schema")
    if not can_fork() or (schema is not None and schema.SeedFile.__pydantic_complete__):
        yield None
        return
    parsers = Parsers(1)
    try:
        yield parsers
    finally:
        parsers.end()


def _ready() -> None:
    """The first task: it makes the executor fork its workers, which then warm up (`_worker_starts`)."""


def _resolve_chunk(root: Path, compress: bool, paths: list[Path]) -> list[FileResult]:
    """resolve_file for a few paths, in a worker: one task, and one result to send back, for them all."""
    from claimsdb.seeds.files import RealPaths
    from claimsdb.seeds.resolve import resolve_file

    real = RealPaths(root)
    return [resolve_file(root, path, compress=compress, real=real) for path in paths]


class _Paced:
    """The paths, handed to the workers a chunk at a time and no faster than their results are
    taken: at most `limit` files handed out and not yet taken (`taken`), parsed or not."""

    def __init__(self, pool: ProcessPoolExecutor, work: Callable[[list[Path]], list[FileResult]],
                 paths: list[Path], chunk: int, limit: int) -> None:  # fmt: skip
        self.pool, self.work, self.limit = pool, work, limit
        self.chunks = deque(paths[start : start + chunk] for start in range(0, len(paths), chunk))
        self.pending: deque[Future[list[FileResult]]] = deque()
        self.handed = 0  # files handed to the workers
        self.taken_files = 0  # results taken back by the caller

    def hand_out(self) -> None:
        """Submit the next chunks, as many as the limit allows."""
        while self.chunks and self.handed + len(self.chunks[0]) - self.taken_files <= self.limit:
            self.submit(self.chunks.popleft())

    def submit(self, paths: list[Path]) -> None:
        try:
            self.pending.append(self.pool.submit(self.work, paths))
        except BrokenProcessPool:  # a worker died before these could be handed out
            raise ClaimsError(WORKER_LOST) from None
        self.handed += len(paths)

    def taken(self) -> None:
        self.taken_files += 1

    def results(self) -> Iterator[FileResult]:
        """Every result, in the order of the paths; a ClaimsError if a worker died."""
        while self.pending:
            for result in _result_of(self.pending.popleft(), self.pool):
                yield result
                self.taken()
                self.hand_out()


def _result_of(future: Future[list[FileResult]], pool: ProcessPoolExecutor) -> list[FileResult]:
    """The future's result; a ClaimsError if a worker died, however the executor noticed (or not).

    The executor notices a dead worker by its process ending, and fails every pending future. But a
    worker killed half-way through sending a result leaves half a message in the pipe, which the
    executor's thread then waits to read the rest of, noticing nothing: so the wait here looks at
    the workers itself, every second.
    """
    while True:
        try:
            return future.result(timeout=1.0)
        except BrokenProcessPool:
            raise ClaimsError(WORKER_LOST) from None
        except FutureTimeout:
            if any(process.exitcode is not None for process in _processes(pool)):
                raise ClaimsError(WORKER_LOST) from None


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    processes = getattr(pool, "_processes", None)  # None once shut down
    return list(processes.values()) if processes else []


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what is not parsed yet, stop the workers and wait for the executor to end, promptly.

    `shutdown` alone would let every running task finish first. ProcessPoolExecutor has no public
    way to stop its workers before Python 3.14 (`terminate_workers`); before it, its `_processes`
    (pid: process) are terminated one by one. The executor's copy of the result pipe's writing end
    is closed too: a thread waiting for the rest of a message that a killed worker began then reads
    the end of the pipe once the workers are gone, and ends. That thread is joined here even where
    `terminate_workers` shut the executor down without waiting (which forgets the thread): one
    still running as Python exits races its exit hook, which prints a traceback.
    """
    processes = _processes(pool)
    results = getattr(pool, "_result_queue", None)
    manager = getattr(pool, "_executor_manager_thread", None)
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
    else:
        for process in processes:
            with contextlib.suppress(OSError, ValueError):  # ended already
                process.terminate()
    if results is not None:
        results._writer.close()
    pool.shutdown(wait=True, cancel_futures=True)
    if manager is not None:
        manager.join()


def _hold_interrupts() -> set[signal.Signals] | None:
    """Block SIGINT in this thread; the previous mask, or None where signals cannot be masked."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_interrupts(held: set[signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


PR_SET_PDEATHSIG = 1
"""Linux prctl option: the signal a process gets when its parent ends."""


def _worker_starts(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent, which stops it, and ends when its parent ends, even
    when the parent is killed outright (SIGTERM, SIGKILL) and can stop nothing: on Linux the
    kernel sends the signal. (Otherwise a worker would wait for work forever, holding the pipes.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by the parent while forking
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above could take effect
        os._exit(1)
    from claimsdb.seeds import resolve, schema  # noqa: F401  (already there in a worker forked after they were)

    schema.SeedFile.model_rebuild()  # before the first file: a worker started ahead does this while its parent works
