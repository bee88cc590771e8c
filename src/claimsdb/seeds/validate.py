"""Cross-file checks: the files meet, and what one refers to must be defined by another.

Each file was resolved on its own (`resolve.py`); here ids must be unique across files, every
reference must name something defined, sources must not report on each other in a circle, and
claims without a date of their own take their source's publication date. When a load re-reads only
the files that changed, what the other files define comes from the database (`StoredSeeds`), and
`files_to_reread` names the unchanged files a change reaches, so they are read again too.

Every problem becomes a SeedIssue with the file and line of the offending value; checking goes on
so one run reports all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from pathlib import Path

from claimsdb.errors import SeedIssue, dotted
from claimsdb.rules import CLOSE_TO_A_NAME, CLOSE_TO_AN_ID, closest, closest_hint
from claimsdb.seeds.records import (
    HashParts,
    content_hash_from,
    content_hash_of,
    date_columns,
    hash_dates,
    DEFINED_ON_DEMAND,
    DATE_COLUMNS,
    CLAIM_INDEX,
    ClaimRecord,
    Definition,
    FileResult,
    Need,
    PublishedDate,
    SeedBundle,
    SeedFileRecord,
    SourceRecord,
    StoredOrganisation,
    StoredSeeds,
    TermRecord,
)

_WHERE_TO_DEFINE = {
    "organisation": (
        "add it under `organisations:` (seeds/organisations.yaml), or, for someone the document does not name, "
        "describe them on the claim (claimant: {kind: unnamed_person, name: a North Korean defector})"
    ),
    "place": "add it under `places:` (seeds/places.yaml)",
    "source": "add it under `sources:` (seeds/sources.yaml)",
    "claim": "define that claim",
}
_FIRST_DATE_COLUMN = CLAIM_INDEX[DATE_COLUMNS[0]]
_AFTER_DATE_COLUMNS = _FIRST_DATE_COLUMN + len(DATE_COLUMNS)


def content_hash(record: ClaimRecord) -> str:
    """A digest of everything a curator can change about a claim, relations included.

    Every column but the last two (seed_file, seed_line: where the claim sits, not what it says),
    in CLAIM_COLUMNS order; repr() of str, int, None and date values is stable.
    """
    return content_hash_of(record.values, [(r.kind, r.target_id) for r in record.relations])


class ClaimFinisher:
    """Fills in each claim's date from its source and computes its content hash.

    Done as the claims are written, a file at a time, once every source is known.
    """

    def __init__(self, published: dict[str, PublishedDate | None]) -> None:
        self.published = published
        self._columns: dict[str, tuple[tuple[object, ...], bytes]] = {}

    def finish(self, records: Iterable[ClaimRecord]) -> None:
        for record in records:
            if record.dated_by is not None:
                record.values = self.dated(record.values, record.dated_by)
                record.dated_by = None
            record.content_hash = content_hash(record)

    def dated(self, values: tuple[Any, ...], source: str) -> tuple[Any, ...]:
        """A claim's values with the date columns taken from `source`'s publication date (as they
        are if the source has none: the checks then say what is wrong)."""
        published = self.published.get(source)
        if published is None:
            return values
        columns = self._dates(source, published)[0]
        return (*values[:_FIRST_DATE_COLUMN], *columns, *values[_AFTER_DATE_COLUMNS:])

    def dated_hash(self, values: tuple[Any, ...], source: str, parts: HashParts) -> tuple[tuple[Any, ...], str]:
        """`dated`, and the content hash of the claim so dated, from the parts a worker made of it
        (records.hash_parts): what the main process alone can add is the dates' text."""
        published = self.published.get(source)
        if published is None:
            return values, content_hash_from(parts, hash_dates(values[_FIRST_DATE_COLUMN:_AFTER_DATE_COLUMNS]))
        columns, text = self._dates(source, published)
        dated = (*values[:_FIRST_DATE_COLUMN], *columns, *values[_AFTER_DATE_COLUMNS:])
        return dated, content_hash_from(parts, text)

    def _dates(self, source: str, published: PublishedDate) -> tuple[tuple[object, ...], bytes]:
        """The date columns a claim takes from `source`, and their text in a content hash; made once a source."""
        columns = self._columns.get(source)
        if columns is None:
            reason = f"the publication date of {source}" + (f" ({published.inferred})" if published.inferred else "")
            dates = date_columns(published.value, published.precision, "publication", reason)
            values = tuple(dates[name] for name in DATE_COLUMNS)
            columns = self._columns[source] = (values, hash_dates(values))
        return columns


@dataclass(frozen=True, slots=True)
class _Defined:
    """Where something is defined: a file read in this load (with lines) or one left as stored."""

    path: str
    line: int | None = None

    def at(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


_LINE_BITS = 24
"""Bits for a line number in a packed place: a file has fewer lines than bytes, and MAX_SEED_BYTES
is below 2**24, so any line of a seed file fits."""


def _claim_place(file_index: int, line: int | None) -> int:
    """Where a claim is defined, as one int: the index of its file among the results read, and its
    line (0 for none) in the low _LINE_BITS bits. A million claims are checked in one load, and a
    small int per claim costs a fraction of a tuple or an object."""
    return file_index << _LINE_BITS | (line or 0)


def _unpack_place(place: int) -> tuple[int, int | None]:
    """(file index, line or None) from _claim_place's int."""
    return place >> _LINE_BITS, place & ((1 << _LINE_BITS) - 1) or None


class _SeedSet:
    def __init__(
        self,
        root: Path,
        results: list[FileResult],
        unreadable: dict[str, frozenset[str]],
        stored: StoredSeeds,
        scope: set[str],
    ) -> None:
        self.root = root
        self.results = results
        self.unreadable = unreadable
        self.maybe_defined = frozenset().union(*unreadable.values())
        self.unchecked = 0  # references not judged because a file that may define them is unreadable
        self.issues: list[SeedIssue] = []
        self.broken_ids: set[str] = {key for result in results for key in result.broken_ids}
        self.defined: dict[Need, _Defined] = {}
        self.claims: dict[str, int] = {}
        """Claims defined by the files read: id -> where, packed by _claim_place."""
        self.stored_claims: set[str] = set()
        self._ids_outside: dict[str, list[str]] = {}
        """Per kind, the stored ids of files not read (asked once, only to suggest the closest to a wrong id)."""
        self.term_vocabulary: dict[str, str] = {}
        self.published: dict[str, PublishedDate | None] = {}
        self.reports_on: dict[str, tuple[str, ...]] = {}
        self.reports_on_at: dict[str, tuple[str, int | None, str]] = {}
        self.stored = stored
        self.scope = scope
        self._stored_definitions(stored, scope)

    def _stored_definitions(self, stored: StoredSeeds, scope: set[str]) -> None:
        """What the files not read this time define, as the database holds it: the vocabularies,
        terms and sources here; the organisations, places and assessments a read file refers to
        in check_needs. (None of them is also defined by a file read: files_to_reread read that file
        too, so a duplicate is reported between two files read.)"""
        for key, path in stored.defined.items():
            if path in scope:
                continue
            self.defined[key] = _Defined(path)
            if key[0] == "term":
                self.term_vocabulary[key[2]] = key[1]
            elif key[0] == "source":
                self.published[key[1]] = stored.published.get(key[1])
                self.reports_on[key[1]] = stored.reports_on.get(key[1], ())

    # -- definitions ---------------------------------------------------------------------------

    def collect(self) -> None:
        duplicate_vocabularies: set[tuple[str, str]] = set()
        for position, result in enumerate(self.results):
            for definition in result.definitions:
                key = definition.key
                if key[0] == "claim":
                    continue  # claims are below
                if key[0] == "term" and (result.path, key[1]) in duplicate_vocabularies:
                    continue
                if key[0] == "vocabulary" and key in self.defined:
                    duplicate_vocabularies.add((result.path, key[1]))
                    self.issues.append(
                        SeedIssue(
                            result.path,
                            definition.id_line,
                            f"{definition.id_loc}: vocabulary {key[1]!r} is defined twice; keep one definition",
                        )
                    )
                    continue
                if key[0] == "term" and key[2] in self.term_vocabulary:
                    other = self.term_vocabulary[key[2]]
                    self.issues.append(
                        SeedIssue(
                            result.path,
                            definition.id_line,
                            f"{definition.id_loc}: term {key[2]!r} is already in vocabulary {other!r}; term ids are "
                            "unique across vocabularies",
                        )
                    )
                    continue
                if key in self.defined:
                    first = self.defined[key]
                    self.issues.append(
                        SeedIssue(
                            result.path,
                            definition.id_line,
                            f"{definition.id_loc}: duplicate {key[0]} id {key[1]!r} (first in {first.at()}); ids "
                            "must be unique across all seed files",
                        )
                    )
                    continue
                self.defined[key] = _Defined(result.path, definition.line)
                if key[0] == "term":
                    self.term_vocabulary[key[2]] = key[1]
            for index, (claim_id, line) in enumerate(zip(result.claim_ids, result.claim_lines, strict=True)):
                first = self.claims.get(claim_id)
                if first is not None:
                    where = self._claim_definition(result, index)
                    file_index, first_line = _unpack_place(first)
                    at = _Defined(self.results[file_index].path, first_line).at()
                    self.issues.append(
                        SeedIssue(
                            result.path,
                            where.id_line,
                            f"{where.id_loc}: duplicate claim id {claim_id!r} (first in {at}); ids must be unique "
                            "across all seed files",
                        )
                    )
                    continue
                self.claims[claim_id] = _claim_place(position, line)
            for source in result.sources:  # the first definition counts; a second one was reported
                self.published.setdefault(source.id, published_date(source))
                self.reports_on.setdefault(source.id, source.reports_on)
            self.reports_on_at.update(result.reports_on_at)
        self.distinct_names()

    def distinct_names(self) -> None:
        """No organisation's id, name or alias may be another organisation's id, name or alias (in
        any case): `--claimant TJWG` must find one claimant, not two. Only names may repeat (two
        articles may each cite "a North Korean defector"). Reported at the later definition, naming
        the first; organisations of files not read this time come from the database."""
        named: dict[str, tuple[str, str, _Defined]] = {}  # casefolded key -> (organisation id, what it is, where)
        entries = [
            (org.id, org.name, org.aliases, _Defined(result.path, org.seed_line), True)
            for result in self.results for org in result.organisations
        ]  # fmt: skip
        read = {org_id for org_id, *_ in entries}
        stored = self._stored_organisations(entries) if entries else []
        entries = [
            (org.id, org.name, org.aliases, _Defined(org.seed_file, org.seed_line), False)
            for org in stored if org.seed_file not in self.scope and org.id not in read
        ] + entries  # fmt: skip
        reported: set[tuple[str, str]] = set()
        for org_id, name, aliases, where, was_read in entries:
            keys = [(org_id, "the id"), (name, "the name")] + [(alias, "an alias") for alias in aliases]
            for key, what in keys:
                first = named.get(key.casefold())
                clash = first is not None and first[0] != org_id and not what == first[1] == "the name"
                if clash and was_read and (org_id, first[0]) not in reported:  # type: ignore[index]
                    other, other_what, other_at = first  # type: ignore[misc]
                    reported.add((org_id, other))
                    fix = "rename one of them"
                    if "an alias" in (what, other_what):
                        fix = "remove the alias" if what == "an alias" else f"remove that alias of {other!r}"
                    self.issues.append(SeedIssue(
                        where.path, where.line,
                        f"organisation {org_id!r}: {what} {key!r} is also {other_what} of organisation {other!r} "
                        f"({other_at.at()}), so `--claimant {key}` would find both; {fix}",
                    ))  # fmt: skip
                named.setdefault(key.casefold(), (org_id, what, where))  # where.at() only for a message

    def _stored_organisations(self, entries: list[Any]) -> list[StoredOrganisation]:
        """The stored organisations that can meet the read ones in distinct_names: those with an id or
        alias that is a key of a read one, or a name that is a read one's id or alias. A stored name
        that is only a read one's name cannot clash with it (names may repeat), and cannot stand
        first for another organisation's id or alias: the stored ones passed this check when they
        were loaded, so one that did would have clashed then (and a read id or alias fetches it)."""
        keys = {key.casefold() for org_id, name, aliases, *_ in entries for key in (org_id, name, *aliases)}
        not_names = {key.casefold() for org_id, _, aliases, *_ in entries for key in (org_id, *aliases)}
        return self.stored.definitions.organisations_named(keys, not_names)

    def _claim_definition(self, result: FileResult, index: int) -> Definition:
        """Where exactly the index-th claim of a file writes its id (read again, for the message)."""
        detailed = self._read_again(result)
        return [d for d in detailed.definitions if d.key[0] == "claim"][index]

    def _read_again(self, result: FileResult) -> FileResult:
        """A file parsed again, in this process, with where it uses each id: only to place a message
        (the parser is imported here then, and otherwise only in the worker processes)."""
        from claimsdb.seeds.resolve import resolve_file

        return resolve_file(self.root, Path(result.path), with_uses=True)

    # -- references ----------------------------------------------------------------------------

    def satisfied(self, need: Need) -> bool:
        if need[0] == "term":
            return self.term_vocabulary.get(need[2]) == need[1]
        if need[0] == "claim":
            return need[1] in self.claims or need[1] in self.stored_claims
        return need in self.defined

    def _stored_claims_needed(self) -> None:
        """Related claims defined in files not read this time: ask the database about just those."""
        wanted = {
            need[1]
            for result in self.results
            for need in result.needs
            if need[0] == "claim" and not self.satisfied(need)
        }
        for key, path in self.stored.claims.files_defining(wanted).items():
            if path not in self.scope:
                self.stored_claims.add(key)

    def _stored_definitions_needed(self) -> None:
        """Organisations and places defined in files not read this time that the read files refer to: ask
        the database about just those."""
        wanted: dict[str, set[str]] = {}
        for result in self.results:
            for need in result.needs:
                if need[0] in DEFINED_ON_DEMAND and need not in self.defined:
                    wanted.setdefault(need[0], set()).add(need[1])
        for kind, ids in wanted.items():
            for key, path in self.stored.definitions.files_defining(kind, ids).items():
                if path not in self.scope:
                    self.defined[(kind, key)] = _Defined(path)

    def check_needs(self) -> None:
        self._stored_definitions_needed()
        self._stored_claims_needed()
        for result in self.results:
            if all(self.satisfied(need) for need in result.needs):
                continue
            for use in self._read_again(result).uses or ():  # to say where
                if not self.satisfied(use.need):
                    message = self._unmet(use.need)
                    if message:
                        self.issues.append(SeedIssue(result.path, use.line, f"{dotted(use.loc)}: {message}"))

    def _unmet(self, need: Need) -> str | None:
        if need[0] == "term":
            return self._unknown_term(need[1], need[2])
        what, key = need
        if key in self.broken_ids:
            return None  # its own definition is broken, and that was reported
        if key in self.maybe_defined:
            self.unchecked += 1  # it may be defined in a file we could not read
            return None
        known = sorted(k[1] for k in self.defined if k[0] == what)
        if what in DEFINED_ON_DEMAND:
            if what not in self._ids_outside:
                self._ids_outside[what] = self.stored.definitions.ids_outside(what, self.scope)
            known = sorted({*known, *self._ids_outside[what]})
        if what == "claim":
            known = sorted({*self.claims, *self.stored.claims.ids_outside(self.scope)})
        hint = closest_hint(key, known, CLOSE_TO_AN_ID)
        return f"unknown {what} {key!r}{hint}; {_WHERE_TO_DEFINE.get(what, 'define it')} or fix the id"

    def _unknown_term(self, vocabulary: str, term: str) -> str | None:
        if term in self.maybe_defined:
            self.unchecked += 1
            return None
        known = sorted(t for t, v in self.term_vocabulary.items() if v == vocabulary)
        if not known:
            return f"{term!r} needs the vocabulary {vocabulary!r}, which no seed file defines"
        close = closest(term, known, CLOSE_TO_A_NAME)
        hint = f"closest known: {', '.join(close)}" if close else f"known: {', '.join(known[:12])}"
        return (
            f"unknown {vocabulary} term {term!r} ({hint}); use a known term or add it, with a label "
            f"and definition, under vocabularies.{vocabulary}"
        )

    def reporting_cycles(self) -> None:
        """Report each circle of `reports_on`, found by a depth-first walk kept on a list of its own:
        a recursive walk would stop at Python's recursion limit on a long chain of reports, and its
        closure, calling itself, would keep every file read alive until the garbage collector came."""
        graph = {key: [t for t in targets if t in self.reports_on] for key, targets in self.reports_on.items()}
        state: dict[str, int] = {}  # 1: on the path being walked; 2: done
        for start in graph:
            if start in state:
                continue
            state[start] = 1
            path, ahead = [start], [iter(graph[start])]
            while ahead:
                node = path[-1]
                for nxt in ahead[-1]:
                    if state.get(nxt) == 1:
                        self._cycle([*path[path.index(nxt) :], nxt])
                    elif nxt not in state:
                        state[nxt] = 1
                        path.append(nxt)
                        ahead.append(iter(graph[nxt]))
                        break
                else:  # every report of `node` walked
                    state[node] = 2
                    path.pop()
                    ahead.pop()

    def _cycle(self, cycle: list[str]) -> None:
        # a new circle always runs through a file read now (the stored sources had none)
        at = next((self.reports_on_at[node] for node in cycle[-2::-1] if node in self.reports_on_at), None)
        if at is not None:
            path, line, loc = at
            self.issues.append(SeedIssue(path, line, f"{loc}: reports_on goes round in a circle: {' -> '.join(cycle)}"))

    # -- claims --------------------------------------------------------------------------------

    def bundle(self, files: list[SeedFileRecord], scope: set[str]) -> SeedBundle:
        bundle = SeedBundle(root=str(self.root), files=files, scope=scope, files_read=len(self.results))
        finisher = ClaimFinisher(self.published)
        bundle.finish = finisher.finish
        terms: dict[str, TermRecord] = {}
        for result in self.results:
            bundle.vocabularies += result.vocabularies
            for term in result.terms:
                terms.setdefault(term.id, term)
            bundle.organisations += result.organisations
            bundle.places += result.places
            bundle.assessments += result.assessments
            bundle.sources += result.sources
            if result.document is not None:
                bundle.documents.append(result.document)
            if result.claim_count:
                bundle.claim_packs.append(result.packed_claims)
                bundle.claim_count += result.claim_count
        bundle.terms = list(terms.values())
        return bundle


def published_date(source: SourceRecord) -> PublishedDate | None:
    if source.published is None:
        return None
    return PublishedDate(source.published, source.published_precision or "day", source.published_inferred_reason)


def build_bundle(
    root: Path,
    results: list[FileResult],
    unreadable: dict[str, frozenset[str]] | None = None,
    *,
    stored: StoredSeeds | None = None,
    scope: set[str] | None = None,
    files: list[SeedFileRecord] | None = None,
) -> tuple[SeedBundle, list[SeedIssue]]:
    """Check the files against each other (and against what `stored` keeps outside `scope`).

    Names in `unreadable` files are not called unknown: the file may define them.
    """
    readable = [result for result in results if result.readable]
    scope = scope if scope is not None else {result.stored_path for result in readable}
    seeds = _SeedSet(root, readable, unreadable or {}, stored or StoredSeeds(), scope)
    seeds.collect()
    seeds.check_needs()
    seeds.reporting_cycles()
    issues = [issue for result in results for issue in result.issues] + seeds.issues
    if seeds.unchecked:
        issues.append(
            SeedIssue(
                str(root),
                None,
                f"{seeds.unchecked} references to ids or terms could not be checked because "
                f"{', '.join(sorted(seeds.unreadable))} could not be read; they will be once it is fixed",
            )  # fmt: skip
        )
    if files is None:
        files = [SeedFileRecord(r.stored_path, r.sha256, "seed", r.fingerprint) for r in readable]
        files += [r.document_file for r in readable if r.document_file is not None]
    return seeds.bundle(files, scope), issues


def files_to_reread(stored: StoredSeeds, results: list[FileResult], scope: set[str]) -> set[str]:
    """Unchanged files that a change in `results` reaches, and so must be read again.

    A file that used something the read files no longer define (to be told it is now unknown), a
    file that defines an id a read file now also defines (so the duplicate is reported in file
    order), and a file whose claims take the date of a source whose date changed.
    """
    now = {d.key for result in results for d in result.definitions}
    now |= {("claim", key) for result in results for key in result.claim_ids}
    before = {key for key, path in stored.defined.items() if path in scope}
    before |= stored.definitions.defined_in(scope)
    before |= {("claim", key) for key in stored.claims.ids_in(scope & set(stored.files))}
    removed = before - now
    reached = stored.definitions.files_using(removed) if removed else set()
    reached |= stored.claims.files_using(removed)
    by_id = {(key[0], key[-1]): path for key, path in stored.defined.items()}
    for key in now:
        path = by_id.get((key[0], key[-1]))
        if path is not None:
            reached.add(path)
    for kind in DEFINED_ON_DEMAND:
        reached |= set(stored.definitions.files_defining(kind, [key[1] for key in now if key[0] == kind]).values())
    reached |= set(stored.claims.files_defining([key[1] for key in now if key[0] == "claim"]).values())
    changed_dates = [
        source.id
        for result in results
        for source in result.sources
        if stored.published.get(source.id) != published_date(source)
    ]
    reached |= stored.claims.files_dated_by(changed_dates)
    return reached - scope
