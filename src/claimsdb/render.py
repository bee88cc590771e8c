"""Turn library results into text: rich tables and panels for people, JSON and CSV for programs.

Pure functions of data and an output; no database, no rules. One `render_rows` serves every
format of a listing, so commands never grow their own if/elif over formats.

Stored text (from seeds, documents, paths, requests) reaches rich only through `text` and `line`,
which make rich `Text` objects: never a markup string, so "[sic]" or "[link=...]" in a statement
shows as written, and control and invisible characters show as <U+XXXX> (chars.visible). Styles
are given beside the words, never inside them. JSON goes through chars.json_safe.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from claimsdb import api
from claimsdb.chars import json_safe, visible
from claimsdb.progress import NO_PROGRESS, Progress, bar_wanted
from claimsdb.rules import csv_writer

if TYPE_CHECKING:  # the results are named here for type checkers; at run time they come from api when used
    from claimsdb.api import (
        ClaimProvenance,
        ClaimRow,
        ClaimValue,
        Count,
        Denial,
        FigureGroup,
        Figures,
        FigureValue,
        Measure,
        Overview,
        Period,
        SourceInfo,
        Stats,
    )

Format = Literal["table", "json", "ndjson", "csv"]

Part = str | tuple[str, str] | Text
"""A piece of a line: words shown exactly, (words, style), or Text already made."""


def text(value: Any, style: str = "") -> Text:
    """Stored text as rich Text, shown exactly: never read as markup; control and invisible
    characters written visibly; tabs as spaces (rich measures a tab as nothing, and would wrap a
    cell it then widens). The one way stored text reaches the terminal."""
    shown = Text(visible("" if value is None else str(value)), style=style)
    if "\t" in shown.plain:
        shown.expand_tabs(4)
    return shown


def line(*parts: Part) -> Text:
    """A line of plain words and (words, style) pairs, every word shown exactly (see `text`)."""
    out = Text()
    for part in parts:
        if isinstance(part, Text):
            out.append_text(part)
        elif isinstance(part, tuple):
            out.append_text(text(*part))
        else:
            out.append_text(text(part))
    return out


def to_json(value: Any) -> str:
    """A result (dataclasses, lists of them) as indented JSON, with unsafe characters escaped."""
    return json_safe(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))


def to_json_line(value: Any) -> str:
    """A result as JSON on one line (no newline at the end): one record of --format ndjson."""
    return json_safe(json.dumps(_plain(value), ensure_ascii=False, default=str))


def _plain(value: Any) -> Any:
    """Dataclasses as dicts (as dataclasses.asdict makes them), all the way down; a class that
    says `omit_unset` (a claim's value) leaves out its fields that are None."""
    if is_dataclass(value) and not isinstance(value, type):
        items = ((f.name, getattr(value, f.name)) for f in fields(value))
        if getattr(value, "omit_unset", False):
            items = ((name, item) for name, item in items if item is not None)
        return {name: _plain(item) for name, item in items}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def render_rows(
    rows: Sequence[Any], fmt: Format, out: TextIO, console: Console, *, title: str = "", row_type: type | None = None
) -> None:
    """A list of dataclass rows as a table, a JSON array, or CSV with a header (the header of
    `row_type` when there are no rows, so a program reading the CSV still finds its columns)."""
    if fmt == "json":
        out.write(to_json(list(rows)) + "\n")
        return
    if fmt == "ndjson":
        out.writelines(to_json_line(row) + "\n" for row in rows)
        return
    if fmt == "csv":
        names = [f.name for f in fields(rows[0] if rows else row_type)] if rows or row_type else []
        writer = csv_writer(out)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_cell(getattr(row, n)) for n in names])
        return
    if rows and isinstance(rows[0], api.ClaimRow):
        console.print(claims_table(rows, title, width=console.width))
    else:
        console.print(_generic_table(rows, title))


def _csv_cell(value: Any) -> Any:
    return "" if value is None else api.guard_formula(value) if isinstance(value, str) else value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def claims_table(rows: Sequence[ClaimRow], title: str = "", *, width: int = 200) -> Table:
    """Claims as a table; below 120 columns the type goes and the publication joins the claimant."""
    wide = width >= 120
    table = Table(title=title or None, show_lines=False, expand=False)
    table.add_column("claim", style="cyan", overflow="fold", max_width=None if wide else 22)
    if wide:
        table.add_column("type", overflow="fold")
    table.add_column(
        "claimant" if wide else "claimant, made in", style="green", overflow="fold", max_width=None if wide else 20
    )
    if wide:
        table.add_column("made in", overflow="fold")
    table.add_column("claimed", no_wrap=True)
    table.add_column("statement", overflow="fold", ratio=1)
    for row in rows:
        cells = [line(row.id, *([(" (withdrawn)", "red")] if row.status == "withdrawn" else []))]
        if wide:
            cells.append(text(row.type))
        made_in = text(row.made_in_id, "white") if row.made_in_id else text("(not identified)", "dim")
        cells.append(text(row.claimant_name) if wide else line(row.claimant_name, "\n", ("in", "dim"), " ", made_in))
        if wide:
            cells.append(made_in)
        claimed = text(row.claimed_on) if row.claimed_on else text("unknown", "dim")
        possible: list[Part] = ["\n", ("(possibly in range)", "dim")] if row.date_match == "possible" else []
        cells += [line(claimed, *possible), text(row.statement)]
        table.add_row(*cells)
    return table


def _generic_table(rows: Sequence[Any], title: str) -> Table:
    table = Table(title=title or None)
    names = [f.name for f in fields(rows[0])] if rows else []
    for name in names:
        table.add_column(name.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(text(_cell_text(getattr(row, n))) for n in names))
    return table


# --- overview -----------------------------------------------------------------------------------


_OVERVIEW_ROWS = 15
"""The overview after a load shows the largest claimants and publications; `claims claimants` and
`claims sources` list them all."""


def render_overview(data: Overview, console: Console) -> None:
    console.print(line(
        (str(data.claims), "bold"), f" claims ({data.withdrawn} withdrawn) from {data.documents} documents, "
        f"{data.sources} sources, {data.organisations} claimants and publishers."
    ))  # fmt: skip
    grid = Table.grid(padding=(0, 2))
    grid.add_row(
        _count_table("claims by type", data.by_type, key_only=True),
        _count_table("claims by claimant", data.by_claimant, limit=_OVERVIEW_ROWS, more="claims claimants"),
    )
    console.print(grid)
    by_source = _count_table(
        "claims by publication they were made in", data.by_source, limit=_OVERVIEW_ROWS, more="claims sources"
    )
    console.print(by_source)
    if data.sample:
        title = "a few claims (claims show ID for the provenance of any)"
        console.print(claims_table(data.sample, title, width=console.width))


def _count_table(
    title: str, counts: Sequence[Count], *, key_only: bool = False, limit: int | None = None, more: str = ""
) -> Table:
    """Counts, largest first; with `limit`, the top ones and a line saying where the rest are."""
    table = Table(title=title, title_justify="left")
    table.add_column("type" if key_only else "who / what", overflow="fold")
    table.add_column("claims", justify="right")
    shown = counts if limit is None else counts[:limit]
    for count in shown:
        who = text(count.key) if key_only else line(count.label, " ", (f"({count.key})", "dim"))
        table.add_row(who, text(count.count))
    if len(counts) > len(shown):
        rest = sum(count.count for count in counts[len(shown) :])
        table.add_row(text(f"... {len(counts) - len(shown):,} more ({more})", "dim"), text(rest, "dim"))
    return table


# --- one claim's provenance ---------------------------------------------------------------------


def render_claim(claim: ClaimProvenance, console: Console) -> None:
    """The whole provenance of one claim, readable top to bottom."""
    status: list[Part] = [] if claim.status == "active" else ["  ", ("WITHDRAWN", "red bold")]
    console.print(line((claim.id, "bold cyan"), "  ", (claim.type, "dim"), *status))
    console.print(text(claim.statement, "bold"))
    console.print(_who_where_when(claim))
    console.print(_anchor_panel(claim))
    if claim.relations:
        console.print(_relations_table(claim))
    corroboration = claim.corroboration
    if corroboration.claims:
        sources = corroboration.independent_sources
        console.print(line(
            f"Corroborated by {corroboration.claims} claim{'s' if corroboration.claims != 1 else ''}, from ",
            (f"{sources} independent source{'s' if sources != 1 else ''}", "bold"),
            " ", ("(claims resting on the same publication, or on this claim's own, count once or not at all)", "dim"),
        ))  # fmt: skip
    if claim.assessments:
        console.print(_assessments_table(claim))
    console.print(text(
        f"Loaded from {claim.seed_file}:{claim.seed_line}; added in load run {claim.added_in_run.id} "
        f"({claim.added_in_run.started_at}), last changed in load run {claim.changed_in_run.id} "
        f"({claim.changed_in_run.started_at}).", "dim"
    ))  # fmt: skip


def _source_line(source: SourceInfo) -> Text:
    parts: list[Part] = [(source.title, "bold"), " ", (f"({source.id})", "dim")]
    if source.publisher_name:
        parts.append(f", by {source.publisher_name}")
    if source.published:
        parts.append(f", published {source.published}")
        if source.published_inferred_reason:
            parts += [" ", (f"(inferred: {source.published_inferred_reason})", "dim")]
    else:
        parts.append(", publication date unknown")
    if source.url:
        parts.append(f", {source.url}")
    return line(*parts)


def _who_where_when(claim: ClaimProvenance) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    who = claim.claimant
    aliases = f" (also: {', '.join(who.aliases)})" if who.aliases else ""
    part_of = f", part of {who.part_of}" if who.part_of else ""
    members = f", members named: {', '.join(who.members)}" if who.members else ""
    known = f"; {who.known}" if who.known else ""
    known += f"; Wikidata {who.wikidata}" if who.wikidata else ""
    kind = f"— {who.kind_label}{part_of}{members}{known}"
    table.add_row("Who claims it", line(f"{who.name}{aliases} ", (kind, "dim")))
    if claim.attribution is not None:
        attribution = claim.attribution
        meaning = f"({attribution.term}): {attribution.definition}"
        table.add_row("Attributed", line(attribution.label, " ", (meaning, "dim")))
    unidentified = line(("publication not identified", "yellow"), ": known only because the document below reports it")
    table.add_row("Made in", _source_line(claim.made_in) if claim.made_in else unidentified)
    table.add_row("When", _when(claim))
    chain: list[Part] = [who.name]
    if claim.made_in is None:
        chain += [" → ", ("(unidentified publication)", "yellow")]
    for source in claim.chain:
        chain += [" → ", source.id]
    table.add_row("Chain", line(*chain))
    if claim.value:
        table.add_row("Value", _value_text(claim.value))
    if claim.place is not None:
        table.add_row("Place", describe_place(claim.place))
    for basis in claim.evidence:
        table.add_row("On evidence", line(basis.statement, " ", (f"({basis.claim_id})", "dim")))
    table.add_row("Recorded from", line(_source_line(claim.document), " ", ("(held verbatim)", "green")))
    if claim.note:
        table.add_row("Curator's note", text(claim.note))
    return table


def _when(claim: ClaimProvenance) -> Text:
    if claim.claimed_on is None:
        return text("date unknown", "yellow")
    how = {
        "stated": "as stated",
        "inferred": f"inferred: {claim.claimed_on_inferred_reason}",
        "publication": f"from {claim.claimed_on_inferred_reason}",
        "document": f"only a bound: {claim.claimed_on_inferred_reason}",
    }.get(claim.claimed_on_basis, claim.claimed_on_basis)
    span = f"{describe_span(claim.claimed_on_earliest, claim.claimed_on_latest)}, " if "/" in claim.claimed_on else ""
    return line(claim.claimed_on, " ", (f"({span}precise to the {claim.claimed_on_precision}; {how})", "dim"))


def describe_span(earliest: str | None, latest: str | None) -> str:
    """An EDTF date's interval in words: 'between 2019-01-01 and 2021-12-31', 'on or before 2021-12-16'."""
    if earliest and latest:
        return f"on {earliest}" if earliest == latest else f"between {earliest} and {latest}"
    if latest:
        return f"on or before {latest}"
    return f"on or after {earliest}" if earliest else "no bounds known"


def describe_place(place: Any) -> Text:
    """A named place with its code: 'South Hwanghae Province (province; ISO 3166-2 KP-05)'."""
    facts = [place.kind.replace("_", " ")]
    if place.part_of:
        facts.append(f"in {place.part_of}")
    if place.iso_3166_2:
        facts.append(f"ISO 3166-2 {place.iso_3166_2}")
    if place.wikidata:
        facts.append(f"Wikidata {place.wikidata}")
    return line(place.name, " ", (f"({'; '.join(facts)})", "dim"))


def _value_text(value: ClaimValue) -> Text:
    parts: list[Part] = []
    for name, item in value.set_fields():
        if name.startswith(("quantity_", "period_")):
            continue
        parts.append(f"; {name.replace('_', ' ')}: ")
        parts += [item.label, " ", (f"({item.term})", "dim")] if isinstance(item, api.TermInfo) else [str(item)]
    if value.quantity_qualifier is not None:
        parts.append(f"; quantity: {describe_quantity(value)}")
    period = describe_period(value)
    if period:
        parts.append(f"; period: {period}")
    if parts and isinstance(parts[0], str):
        parts[0] = parts[0].removeprefix("; ")
    return line(*parts)


def describe_quantity(value: ClaimValue) -> str:
    """A quantity in words, as precise as it was said: 'more than 500 — said as "over 500"'."""
    number, low, high = value.quantity_value, value.quantity_lower, value.quantity_upper
    text = {
        "exact": f"{number} (exact)",
        "more_than": f"more than {low}",
        "at_least": f"at least {low}",
        "less_than": f"fewer than {high}",
        "at_most": f"at most {high}",
        "approximately": f"about {number}",
        "almost": f"almost {number} (just below it)",
        "range": f"between {low} and {high}",
        "vague": "no number given",
    }.get(value.quantity_qualifier, str(value.quantity_qualifier))
    phrase = value.quantity_phrase
    return f"{text} — said as “{phrase}”" if phrase else text


def describe_period(value: ClaimValue) -> str | None:
    start, end, label = value.period_start, value.period_end, value.period_label
    span = start if start and start == end else " to ".join(p or "…" for p in (start, end)) if (start or end) else ""
    if start is None and end:
        span = f"up to {end}"  # a total as of a date
    text = (f"{label} ({span})" if span else label) if label else span
    inferred = value.period_inferred_reason
    return f"{text} (inferred: {inferred})" if text and inferred else text or None


def _anchor_panel(claim: ClaimProvenance) -> Panel:
    anchor = claim.anchor
    words = line(
        (("…" if anchor.context_before else "") + anchor.context_before, "dim"),
        (anchor.exact, "bold black on yellow"),
        (anchor.context_after + ("…" if anchor.context_after else ""), "dim"),
    )
    verified = ("verified", "green") if anchor.verified else ("DOES NOT MATCH the stored document", "red bold")
    footer = line((
        f"{claim.document.id} line {anchor.line}, characters {anchor.start}–{anchor.end} (code points); "
        f"sha256 {anchor.document_sha256}; ", "dim"
    ), verified)  # fmt: skip
    return Panel(Group(words, footer), title="The exact words, in their document", title_align="left")


RELIABILITY_WORDS = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}  # fmt: skip
CREDIBILITY_WORDS = {
    1: "confirmed by other sources", 2: "probably true", 3: "possibly true",
    4: "doubtful", 5: "improbable", 6: "truth cannot be judged",
}  # fmt: skip


def describe_grade(reliability: str | None, credibility: int | None) -> str:
    """An Admiralty grade with its meaning: 'B (usually reliable)', '3 (possibly true)'."""
    if reliability is not None:
        return f"{reliability} ({RELIABILITY_WORDS[reliability]})"
    return f"{credibility} ({CREDIBILITY_WORDS.get(credibility or 0, '?')})"


def _assessments_table(claim: ClaimProvenance) -> Table:
    table = Table(title="The curator's assessment (kept apart from the claim; Admiralty grading)", title_justify="left")
    for name in ("of", "grade", "by, on", "why"):
        table.add_column(name, overflow="fold")
    for item in claim.assessments:
        table.add_row(
            text(f"{item.target_kind} {item.target_id}"), text(describe_grade(item.reliability, item.credibility)),
            text(f"{item.assessor}, {item.assessed_on}"), text(item.reason),
        )  # fmt: skip
    return table


def _relations_table(claim: ClaimProvenance) -> Table:
    table = Table(title="Related claims", title_justify="left")
    for name in ("relation", "claim", "claimant", "statement"):
        table.add_column(name, overflow="fold")
    for rel in claim.relations:
        phrase = f"this {rel.kind} →" if rel.direction == "outgoing" else f"← {rel.kind} this"
        table.add_row(text(phrase), text(rel.claim_id), text(rel.claimant_name), text(rel.statement))
    return table


# --- statistics and anchor look-ups -----------------------------------------------------------------


@dataclass(frozen=True)
class StatsFigure:
    """One number of `claims stats`, as a row of its csv and ndjson: how many active claims a
    claimant made of a type (year None), or how many were made in a year (claimant and type None)."""

    claimant: str | None
    type: str | None
    year: str | None
    claims: int


def stats_rows(data: Stats) -> list[StatsFigure]:
    """The stats table's numbers, one row each, in its order: claimant by type (no empty cells), then years."""
    grid = [
        StatsFigure(row.key, column, None, row.counts[column])
        for row in data.by_type_and_claimant
        for column in data.columns
        if column in row.counts
    ]
    return grid + [StatsFigure(None, None, year.key, year.count) for year in data.by_year]


def render_stats(data: Stats, console: Console) -> None:
    table = Table(title="claims by claimant and type", title_justify="left")
    table.add_column("claimant", overflow="fold")
    for column in data.columns:
        table.add_column(column.replace("_", " "), justify="right")
    table.add_column("total", justify="right", style="bold")
    for row in data.by_type_and_claimant:
        table.add_row(text(row.key), *(text(row.counts.get(c, "")) for c in data.columns), text(row.total))
    console.print(table)
    console.print(_count_table("claims by the year they were made", data.by_year, key_only=True))


def render_located(found: Any, console: Console) -> None:
    """Where a curator's words sit in a document, or why they are not there."""
    if not found.places:
        console.print(line((f"Not found verbatim in {found.document}.", "red"), f" {found.explanation}"))
        return
    many = len(found.places) > 1
    console.print(line(f"Found {len(found.places)} time{'s' if many else ''} in {found.document}:"))
    for place in found.places:
        anchor = place.anchor
        how = f"occurrence: {place.occurrence}" if many else "unique: no occurrence needed"
        warning: list[Part] = [" ", ("(cuts a word: quote whole words)", "red")] if place.cuts_word else []
        console.print(line(f"  line {place.line}, characters {anchor.start}–{anchor.end} ({how})", *warning))
        console.print(line(
            "    …", (_one_line(anchor.prefix), "dim"), (_one_line(anchor.exact), "bold black on yellow"),
            (_one_line(anchor.suffix) + "…", "dim"),
        ))  # fmt: skip


# --- progress -----------------------------------------------------------------------------------


@contextlib.contextmanager
def progress_bar(console: Console, *, quiet: bool) -> Iterator[Progress]:
    """A rich progress bar on `console` when a person is watching: a terminal, not CI, not --quiet."""
    if not bar_wanted(quiet=quiet, terminal=console.is_terminal):
        yield NO_PROGRESS
        return
    description = TextColumn("{task.description}", markup=False)
    columns = (SpinnerColumn(), description, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=console, transient=True) as bar:
        yield _BarProgress(bar)


class _BarProgress:
    """claimsdb.progress.Progress drawn as one rich task per stage of the work."""

    def __init__(self, bar: RichProgress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def phase(self, description: str, total: int | None = None) -> None:
        if self.task is not None:  # the previous stage is done
            done = self.bar.tasks[-1].total or 1
            self.bar.update(self.task, total=done, completed=done)
        self.task = self.bar.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, amount)


# --- figures side by side, and denials ----------------------------------------------------------


def figures_json(data: Figures) -> str:
    """Figures for programs: groups (measure, period, whether they conflict, what all allow), each
    figure with its interval and status, and every sum checked."""

    def value(group: FigureGroup, item: FigureValue, voices: int) -> dict[str, Any]:
        return {
            "claim_id": item.claim_id, "claimant": item.claimant_id, "claimant_name": item.claimant_name,
            "made_in": item.made_in_id, "made_in_title": item.made_in_title, "document": item.document_id,
            "claimed_on": item.claimed_on, "qualifier": item.qualifier, "phrase": item.phrase,
            "low": item.interval.low if item.interval.known else None, "high": item.interval.high,
            "interval": item.interval.text(), "interval_kind": item.interval.kind,
            "status": api.figure_status(group, item, voices), "conflicts_with": list(item.conflicts_with),
            "restates": item.restates, "superseded_by": item.superseded_by, "statement": item.statement,
        }  # fmt: skip

    def measure(item: Measure) -> dict[str, Any]:
        return {
            "key": item.key, "label": item.label, "claim_type": item.claim_type,
            "terms": {name: term for name, term, _ in item.terms}, "place": item.place_id,
            "publication": item.publication_id,
        }  # fmt: skip

    def period(item: Period) -> dict[str, Any]:
        return {"text": item.text(), "start": item.start, "end": item.end, "label": item.label,
                "first_day": item.first_day, "last_day": item.last_day}  # fmt: skip

    groups = []
    for group in data.groups:
        voices = sum(1 for v in group.values if v.compared)
        agreed = group.agreed
        groups.append({
            "measure": measure(group.measure), "period": period(group.period), "checked": group.checked,
            "conflict": group.conflict, "agreed": agreed.text() if agreed else None,
            "values": [value(group, v, voices) for v in group.values],
        })  # fmt: skip
    sums = [
        {
            "measure": check.measure.key, "claimant": check.claimant_id, "period": check.whole_period.text(),
            "whole": check.whole.claim_id, "whole_interval": check.whole.interval.text(),
            "parts": [
                {"period": p.text(), "claim_id": v.claim_id, "interval": v.interval.text()} for p, v in check.parts
            ],
            "parts_expected": check.parts_expected, "parts_sum": check.parts_sum.text(),
            "adds_up": check.adds_up, "problem": check.problem,
        }  # fmt: skip
        for check in data.sums
    ]
    return json_safe(json.dumps({"groups": groups, "sums": sums}, indent=2, ensure_ascii=False, default=str))


_STATUS_STYLE = {
    "conflict": "bold red", "restatement": "dim", "superseded": "dim", "unchecked": "yellow", "agrees": "green",
    "alone": "",
}  # fmt: skip


def render_figures(data: Figures, console: Console) -> None:
    """One table per measure, periods in order, conflicts in red; then sums that do not add up."""
    values = sum(len(g.values) for g in data.groups)
    measures = data.measures
    console.print(line(
        (f"{values} figure{'s' if values != 1 else ''}", "bold"), f" of {len(measures)} "
                                                                  f"measure{'s' if len(measures) != 1 else ''}, ",
        (
            f"{len(data.conflicts)} conflict{'s' if len(data.conflicts) != 1 else ''}",
            "bold red" if data.conflicts else "green",
        ),
        " (figures for one measure and period that cannot all be true).",
    ))  # fmt: skip
    for measure, groups in measures:
        table = Table(title=text(measure.label, style="bold"), title_justify="left", show_lines=True)
        for name, ratio in (
            ("period", 2),
            ("claimant", 2),
            ("figure", 1),
            ("made in, claimed", 2),
            ("claim", 3),
            ("status", 1),
        ):
            table.add_column(name, overflow="fold", ratio=ratio)
        for group in groups:
            voices = sum(1 for v in group.values if v.compared)
            for index, item in enumerate(group.values):
                status = api.figure_status(group, item, voices)
                note = text(status, style=_STATUS_STYLE.get(status, ""))
                if item.conflicts_with:
                    note.append(f"\nwith {', '.join(item.conflicts_with)}", style="red")
                if item.restates:
                    note.append(f"\nof {item.restates}", style="dim")
                if item.superseded_by:
                    note.append(f"\nby {item.superseded_by}", style="dim")
                figure = text(item.said)
                if item.interval.text() != item.said:
                    figure.append(f"\n= {item.interval.text()}", style="dim")
                source = text(item.made_in_id or "(publication not identified)", style="" if item.made_in_id else "dim")
                source.append(f"\n{item.claimed_on or 'date unknown'}", style="dim")
                table.add_row(
                    text(group.period.text()) if index == 0 else text(""),
                    text(item.claimant_name), figure, source, text(item.claim_id, style="cyan"), note,
                )  # fmt: skip
        console.print(table)
    render_sums(data, console)


def render_sums(data: Figures, console: Console) -> None:
    failing = data.sums_not_adding_up
    if not data.sums:
        return
    if not failing:
        console.print(
            text(
                f"{len(data.sums)} sum{'s' if len(data.sums) != 1 else ''} checked (quarters or months against the "
                "whole): all add up.",
                style="green",
            )
        )
        return
    table = Table(
        title=text(f"Sums that do not add up ({len(failing)} of {len(data.sums)} checked)", style="bold red"),
        title_justify="left",
    )
    for name in ("measure", "claimant", "period", "whole", "parts", "problem"):
        table.add_column(name, overflow="fold")
    for check in failing:
        parts = ", ".join(f"{period.text()}: {value.interval.text()}" for period, value in check.parts)
        table.add_row(
            text(check.measure.label), text(check.claimant_name), text(check.whole_period.text()),
            text(f"{check.whole.interval.text()} ({check.whole.claim_id})"), text(parts),
            text(check.problem or "", style="red"),
        )  # fmt: skip
    console.print(table)


def render_denials(items: Sequence[Denial], console: Console) -> None:
    """Each denial, then the claims it contradicts."""
    if not items:
        console.print("No claim contradicts another.")
        return
    for denial in items:
        table = Table(
            title=line(
                (denial.claim.claimant_name, "bold"), f" ({denial.claim.claimed_on or 'date unknown'}), ",
                (denial.claim.id, "cyan"), ":\n", denial.claim.statement,
            ),
            title_justify="left", show_header=True,
        )  # fmt: skip
        for name in ("contradicts", "claimant", "claimed", "statement"):
            table.add_column(name, overflow="fold")
        for target in denial.denies:
            withdrawn = " (withdrawn)" if target.status != "active" else ""
            table.add_row(
                text(target.id + withdrawn, style="cyan"),
                text(target.claimant_name),
                text(target.claimed_on or "unknown"),
                text(target.statement),
            )
        console.print(table)
