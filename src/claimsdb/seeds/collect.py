"""Read a seeds directory: which files to read, reading them (on every core), checking them together.

A load after an edit reads only the files that changed since the last load (`StoredSeeds` says
what the database holds and which file it came from), plus the unchanged files a change reaches;
everything else is taken as the database has it. A first load, `claims check` and `--force` read
every file. Either way the same checks run and the same errors come out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Protocol

from claimsdb.errors import SeedError, SeedIssue
from claimsdb.progress import NO_PROGRESS, Progress
from claimsdb.seeds.files import SEED_SUFFIXES, FileSurvey, disk_path, sha256_if_changed, stored_seed_files
from claimsdb.seeds.records import FileResult, Need, SeedBundle, SeedFileRecord, StoredSeeds
from claimsdb.seeds.validate import build_bundle, files_to_reread
from claimsdb.seeds.workers import Parsers

_Checked = tuple[SeedBundle, list[SeedIssue]]
MAX_SEED_FILES = 100_000
PARALLEL_FROM_FILES = 64
"""From this many files on, files are read in one process per core (parsing is most of a load)."""
MAX_PARTIAL_FILES = 2_000
"""A change that reaches more files than this is loaded by reading every file."""


def read_seeds(
    root: Path | str,
    progress: Progress = NO_PROGRESS,
    stored: StoredSeeds | None = None,
    sink: ResultSink | None = None,
    survey: FileSurvey | None = None,
    ahead: Parsers | None = None,
) -> SeedBundle:
    """Parse and check the seed files under `root`; raise SeedError listing every problem.

    With `stored` (what the last load left in the database), only changed files are read and the
    bundle replaces only their rows (`SeedBundle.scope`). A `sink` is handed every file as soon as
    it is parsed (a first load writes as it parses: load.stream). `survey` is what the nothing-changed
    check found under `root` just before: the files are not walked, nor looked at, a second time.
    `ahead` is a worker started before the files to read were known (workers.parsers_ahead).
    """
    survey = survey if survey is not None else FileSurvey()  # started before any file is looked at
    root = Path(root)
    if not root.is_dir():
        raise SeedError(
            [SeedIssue(str(root), None, "no such seeds directory; give the folder that holds your seed YAML files")]
        )
    paths = survey.paths if survey.paths is not None else stored_seed_files(root)
    if not paths:
        raise SeedError([SeedIssue(str(root), None, "no seed files (*.yaml) here; see README 'Writing seeds'")])
    if len(paths) > MAX_SEED_FILES:
        raise SeedError(
            [
                SeedIssue(
                    str(root),
                    None,
                    f"{len(paths):,} seed files, over the limit of {MAX_SEED_FILES:,}; put more claims in each file "
                    "(one file per document is the convention)",
                )
            ]
        )
    stored = stored if stored is not None and stored.complete else StoredSeeds()
    fingerprints: dict[str, str | None] = {}
    hashes: dict[str, str | None] = {}
    if stored.files:  # else there is no last run to compare with: every file is read (and hashed) anyway
        hashes = {name: _sha256_or_none(path, name, stored, fingerprints, survey) for name, path in paths.items()}
    scope = _changed(root, stored, paths, hashes, fingerprints, survey) if stored.files else set(paths)
    scope |= {name for name in stored.files if name.endswith(SEED_SUFFIXES) and name not in paths}  # files gone
    progress.phase("Parsing seed files", sum(1 for name in paths if name in scope))
    first_read = [Path(paths[name]) for name in paths if name in scope]
    results, issues, unreadable = read_seed_files(root, first_read, progress, sink, ahead)
    while stored.files:
        more = files_to_reread(stored, results, scope) & set(paths)
        if not more:
            break
        scope |= more
        progress.phase("Reading the files a change reaches", len(more))
        extra = read_seed_files(root, [Path(paths[name]) for name in paths if name in more], progress, ahead=ahead)
        results, issues, unreadable = results + extra[0], issues + extra[1], unreadable | extra[2]
    if not set(paths) <= scope and len(scope) > MAX_PARTIAL_FILES:  # most files: read them all
        rest = [Path(paths[name]) for name in paths if name not in scope]
        progress.phase("Parsing seed files", len(rest))
        extra = read_seed_files(root, rest, progress)
        results, issues, unreadable = results + extra[0], issues + extra[1], unreadable | extra[2]
        scope |= set(paths)
    order = {name: index for index, name in enumerate(paths)}
    results.sort(key=lambda result: order[result.stored_path])  # file order decides which duplicate is first
    progress.phase("Checking references, vocabularies and quotes")
    files = _all_files(results, stored, hashes, scope, fingerprints)
    check = partial(build_bundle, root, results, unreadable, stored=stored, scope=scope, files=files)
    if sink is not None:
        sink.parsed()
    bundle, more_issues = _checked_while(sink.checking, check) if sink else check()
    bundle.full = set(paths) <= scope
    bundle.read_started = survey.started
    issues += more_issues
    if issues:
        raise SeedError(issues)
    return bundle


class ResultSink(Protocol):
    """Takes the seed files as they are parsed, before they are checked together."""

    def start(self) -> None:
        """The files are being parsed (by worker processes, when there are many): the first comes soon."""

    def foresee(self, result: FileResult) -> None:
        """A readable file parsed ahead of its turn (a sources file): `take` gets it in its turn."""

    def take(self, result: FileResult) -> None:
        """A readable file's result, in file order, as soon as it is parsed."""

    def parsed(self) -> None:
        """Every file is parsed and taken: runs before the files are checked together."""

    def checking(self) -> None:
        """Runs while the files are checked together (in another thread): work that holds Python's
        lock seldom, since the checks need it (one long SQL statement, not many short ones)."""


def _checked_while(work: Callable[[], None], check: Callable[[], _Checked]) -> _Checked:
    """`check()`'s result, computed in a second thread while `work` runs in this one.

    The checks are Python; `work` is the database's (a first load building its indexes), which
    lets go of the interpreter's lock while SQLite works, so the two really run at once. The
    database connection stays in this thread, as SQLite's Python driver requires.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="claimsdb-checks") as pool:
        checking = pool.submit(check)
        work()
        return checking.result()


def _changed(
    root: Path,
    stored: StoredSeeds,
    paths: dict[str, str],
    hashes: dict[str, str | None],
    fingerprints: dict[str, str | None],
    survey: FileSurvey,
) -> set[str]:
    """Seed files new or edited since the last load, and those whose held document changed."""
    changed = {name for name in paths if hashes[name] is None or stored.files.get(name) != hashes[name]}
    for document, seed_file in stored.document_files.items():
        digest = _sha256_or_none(disk_path(root, document), document, stored, fingerprints, survey)
        if digest is None or digest != stored.files.get(document):
            changed.add(seed_file)
    return changed


def _sha256_or_none(
    path: str | Path, name: str, stored: StoredSeeds, fingerprints: dict[str, str | None], survey: FileSurvey
) -> str | None:
    """The file's sha256 (the stored one if its fingerprint is unchanged, files.sha256_if_changed), its
    fingerprint put in `fingerprints`; None for a file that cannot be read: it counts as changed, and
    reading it says what is wrong. A file the survey looked at is taken as it found it."""
    if name in survey.looked:
        looked = survey.looked[name]
        if looked is None:
            return None
        digest, fingerprints[name] = looked
        return digest
    try:
        digest, fingerprints[name] = sha256_if_changed(path, stored.files.get(name), stored.fingerprints.get(name))
    except OSError:
        return None
    return digest


def _all_files(
    results: list[FileResult],
    stored: StoredSeeds,
    hashes: dict[str, str | None],
    scope: set[str],
    fingerprints: dict[str, str | None],
) -> list[SeedFileRecord]:
    """Every current file, for the load run: those read now with their hashes, the rest as stored."""
    files = [SeedFileRecord(r.stored_path, r.sha256, "seed", r.fingerprint) for r in results if r.readable]
    files += [r.document_file for r in results if r.document_file is not None]
    read_documents = {r.document_file.path for r in results if r.document_file is not None}
    for name, digest in hashes.items():
        if name not in scope and digest is not None:
            files.append(SeedFileRecord(name, digest, "seed", fingerprints.get(name)))
    for document, seed_file in stored.document_files.items():
        if seed_file not in scope and document not in read_documents:
            files.append(SeedFileRecord(document, stored.files[document], "document", fingerprints.get(document)))
    return files


def read_seed_files(
    root: Path,
    paths: list[Path],
    progress: Progress = NO_PROGRESS,
    sink: ResultSink | None = None,
    ahead: Parsers | None = None,
) -> tuple[list[FileResult], list[SeedIssue], dict[str, frozenset[str]]]:
    """Every file resolved on its own; also the files that could not be read, with their words.

    With a `sink` (which writes claims as they come, uncompressed), the files named like
    `sources.yaml` are parsed first and foreseen (their sources' dates are what claims wait for),
    but every file still reaches the sink, and the results, in file order.
    """
    results: list[FileResult] = []
    issues: list[SeedIssue] = []
    unreadable: dict[str, frozenset[str]] = {}
    shared: dict[Need, Need] = {}  # one copy of each reference, however many files make it
    first = {index for index, path in enumerate(paths) if SOURCES_FILE in path.stem.casefold()} if sink else set()
    results_of = _in_file_order(root, paths, first, sink, ahead)  # the sink starts once the workers do
    for path, result in zip(paths, results_of, strict=True):
        progress.advance()
        if result.readable:
            result.needs = {shared.setdefault(need, need) for need in result.needs}
            results.append(result)
            if sink is not None:
                sink.take(result)
        else:
            issues.extend(result.issues)
            unreadable[str(path)] = _words_in(path)
    return results, issues, unreadable


SOURCES_FILE = "sources"
"""A seed file with this in its name is parsed first by a first load (README: sources go in sources.yaml)."""


def _in_file_order(
    root: Path, paths: list[Path], first: set[int], sink: ResultSink | None, ahead: Parsers | None
) -> Iterator[FileResult]:
    """resolve_file for every path, in file order, the files in `first` parsed before the rest:
    each is shown to the sink (`foresee`) as soon as it is parsed, then held till its turn."""
    order = sorted(first) + [index for index in range(len(paths)) if index not in first]
    held: dict[int, FileResult] = {}
    turn = 0
    started = sink.start if sink is not None else None
    parsed = _resolve_all(root, [paths[index] for index in order], compress=sink is None, started=started, ahead=ahead)
    for index, result in zip(order, parsed, strict=True):
        if index != turn:
            if sink is not None and result.readable:
                sink.foresee(result)
            held[index] = result
            continue
        yield result
        turn += 1
        while turn in held:
            yield held.pop(turn)
            turn += 1


def _resolve_all(
    root: Path,
    paths: list[Path],
    *,
    compress: bool = True,
    started: Callable[[], None] | None = None,
    ahead: Parsers | None = None,
) -> Iterator[FileResult]:
    """resolve_file for every path, in order; across processes when there are many files, or when
    `ahead` (workers.parsers_ahead) has a worker waiting for them.

    Workers send back plain records (cheap to unpickle), never pydantic models or line maps.
    `started` is called once the workers have work, before the first result is waited for: what
    it does (a first load opens its database) is done while they parse.
    """
    workers = min(os.cpu_count() or 1, 8)
    few = len(paths) < PARALLEL_FROM_FILES or workers < 2
    if ahead is not None and not ahead.ended:
        if few or ahead.workers >= workers:
            yield from ahead.parse(root, paths, compress=compress, started=started)
            return
        ahead.retire()  # too many files for it: a worker a core instead (and this process, for a few more)
    if few:
        from claimsdb.seeds.files import RealPaths
        from claimsdb.seeds.resolve import resolve_file

        if started is not None:
            started()
        real = RealPaths(root)
        yield from (resolve_file(root, path, compress=compress, real=real) for path in paths)
        return
    from claimsdb.seeds import schema

    schema.SeedFile.model_rebuild()  # built once, here, and inherited by every forked worker (schema.Model)
    parsers = Parsers(workers)
    try:
        yield from parsers.parse(root, paths, compress=compress, started=started)
    finally:
        parsers.end()


_SLUG_WORD = re.compile(rb"[a-z0-9][a-z0-9_-]*")


def _words_in(path: Path) -> frozenset[str]:
    """Every id-like word in a file we could not read: ids it might define if it could be read."""
    from claimsdb.seeds.files import leading_bytes
    from claimsdb.seeds.parse import MAX_SEED_BYTES

    raw = leading_bytes(path, MAX_SEED_BYTES + 1)  # never a pipe's (it would wait for a writer for ever)
    return frozenset(word.decode() for word in _SLUG_WORD.findall(raw))
