"""What the figures page shows: its filters from the query string, and each measure's chart as
plain geometry (numbers and text) for templates/_chart.html to write as SVG.

No database and no HTML here: the template escapes every text it writes, and the page's
Content-Security-Policy (no scripts, no inline styles) holds because the chart uses SVG
presentation attributes and the static stylesheet only. Hand-drawn rather than a charting
library's output: those write inline styles or scripts, which the policy forbids.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from claimsdb.api import ClaimFilter, FigureGroup, Figures, FigureValue, Measure, figure_status

FIGURE_PARAMS = ("claimant", "type", "term", "place", "source", "period", "from", "to")
"""The figures page's query parameters: `claims figures` options by the same names."""

PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""One colour per claimant (Okabe-Ito, told apart with colour blindness); more claimants cycle."""

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 36
CONFLICT = "#c81e1e"
"""The colour that marks a conflict in a chart (templates/_chart.html); static/style.css, which
cannot read it, repeats it for a measure in conflict."""

Scale = Callable[[float], float]
"""Data (a count, or a date's ordinal) -> pixels."""


@dataclass(frozen=True)
class FiguresRequest:
    filters: ClaimFilter
    period: str | None
    params: dict[str, str]


def parse_figures_request(query: Mapping[str, str]) -> FiguresRequest:
    params = {name: query[name].strip() for name in FIGURE_PARAMS if query.get(name, "").strip()}
    filters = ClaimFilter(
        claimant=params.get("claimant"), type=params.get("type"), term=params.get("term"), place=params.get("place"),
        source=params.get("source"), date_from=params.get("from"), date_to=params.get("to"),
    )  # fmt: skip
    return FiguresRequest(filters, params.get("period"), params)


# --- chart geometry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    at: float
    """Where the label sits."""
    label: str
    line: float | None = None
    """Where the grid line runs (None: at the label)."""

    @property
    def grid(self) -> float:
        return self.at if self.line is None else self.line


@dataclass(frozen=True)
class Point:
    """One figure on the chart: its marker, its range (bounds), its period's span, its link."""

    claim_id: str
    colour: str
    shape: str
    """circle (exact), up (at least: a lower bound), down (at most), diamond (about, between)."""
    x: float
    y: float
    span_x0: float
    span_x1: float
    range_y0: float | None
    range_y1: float | None
    open_top: bool
    """A lower bound with no upper: the range runs off the top, with an arrow."""
    conflict: bool
    hollow: bool
    """A restatement or a superseded figure: drawn hollow, it is not a voice of its own."""
    title: str

    @property
    def marker(self) -> str:
        """The marker's SVG path, centred on (x, y)."""
        x, y, r = self.x, self.y, 5.5
        if self.shape == "up":
            return f"M{x:.1f},{y - r:.1f} L{x + r:.1f},{y + r * 0.8:.1f} L{x - r:.1f},{y + r * 0.8:.1f} Z"
        if self.shape == "down":
            return f"M{x:.1f},{y + r:.1f} L{x + r:.1f},{y - r * 0.8:.1f} L{x - r:.1f},{y - r * 0.8:.1f} Z"
        if self.shape == "diamond":
            return f"M{x:.1f},{y - r:.1f} L{x + r:.1f},{y:.1f} L{x:.1f},{y + r:.1f} L{x - r:.1f},{y:.1f} Z"
        return f"M{x - r:.1f},{y:.1f} a{r},{r} 0 1,0 {2 * r:.1f},0 a{r},{r} 0 1,0 {-2 * r:.1f},0 Z"


@dataclass(frozen=True)
class Band:
    """A period in conflict, shaded behind its points."""

    x0: float
    x1: float
    title: str


@dataclass(frozen=True)
class Series:
    claimant_id: str
    name: str
    colour: str


@dataclass(frozen=True)
class Chart:
    measure: Measure
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    points: list[Point]
    bands: list[Band]
    series: list[Series]
    groups: list[FigureGroup]
    uncharted: int
    """Figures of this measure with no dated period or no number: in the table, not on the chart."""
    rows: list[tuple[FigureGroup, FigureValue, str]]
    """The table beside the chart: (group, figure, status)."""

    @property
    def key(self) -> list[str]:
        """What the marks on this chart mean: only the kinds it draws."""
        shapes = {point.shape for point in self.points}
        meanings = [meaning for shape, meaning in SHAPE_MEANINGS if shape in shapes]
        if any(point.hollow for point in self.points):
            meanings.append("hollow: a restatement or a superseded figure")
        return meanings


SHAPE_MEANINGS = (
    ("circle", "● exact"),
    ("up", "▲ at least (the line runs up from the bound)"),
    ("down", "▼ at most (the line runs down to 0)"),
    ("diamond", "◆ about or between (the line spans the range)"),
)


def charts(data: Figures) -> list[Chart]:
    return [_chart(measure, groups) for measure, groups in data.measures]


def _chartable(group: FigureGroup, value: FigureValue) -> bool:
    return group.period.dated and value.interval.known


def _chart(measure: Measure, groups: list[FigureGroup]) -> Chart:
    rows = []
    for group in groups:
        voices = sum(1 for v in group.values if v.compared)
        rows += [(group, value, figure_status(group, value, voices)) for value in group.values]
    plotted = [(g, v) for g, v, _ in rows if _chartable(g, v)]
    claimants: dict[str, str] = {}
    for _, value in plotted or [(g, v) for g, v, _ in rows]:
        claimants.setdefault(value.claimant_id, value.claimant_name)
    series = [Series(cid, name, PALETTE[i % len(PALETTE)]) for i, (cid, name) in enumerate(claimants.items())]
    colour = {s.claimant_id: s.colour for s in series}
    first, last = _x_domain(plotted)
    top = _y_top(plotted)
    x = _scale(first.toordinal(), last.toordinal() + 1, LEFT, WIDTH - RIGHT)
    y = _scale(0, top, HEIGHT - BOTTOM, TOP)
    points: list[Point] = []
    bands: list[Band] = []
    for group in groups:
        mine = [v for v in group.values if _chartable(group, v)]
        if not mine:
            continue
        x0 = x(group.period.first_day.toordinal()) if group.period.first_day else None
        x1 = x(group.period.last_day.toordinal() + 1) if group.period.last_day else None
        left, right = x0 if x0 is not None else x1, x1 if x1 is not None else x0
        assert left is not None and right is not None
        middle = right if x0 is None else left if x1 is None else (left + right) / 2  # "as of": at the end
        if group.conflict:
            widened = (left - 10, right + 10) if left == right else (left, right)
            bands.append(Band(*widened, f"conflict: {group.period.text()}"))
        order = list(dict.fromkeys(v.claimant_id for v in mine))
        for value in sorted(mine, key=lambda v: v.compared):  # a restatement under what it repeats
            dodge = (order.index(value.claimant_id) - (len(order) - 1) / 2) * 12
            points.append(_point(value, group, colour[value.claimant_id], middle + dodge, left, right, y))
    return Chart(
        measure=measure, width=WIDTH, height=HEIGHT, plot_left=LEFT, plot_right=WIDTH - RIGHT, plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM, x_ticks=_year_ticks(first, last, x),
        y_ticks=[Tick(y(v), f"{v:,}") for v in _nice_ticks(top)],
        points=points, bands=bands, series=series, groups=groups, uncharted=len(rows) - len(plotted), rows=rows,
    )  # fmt: skip


def _point(
    value: FigureValue, group: FigureGroup, colour: str, x: float, left: float, right: float, scale: Scale
) -> Point:
    interval = value.interval
    low, high = interval.low or 0, interval.high
    if interval.kind == "exact":
        at, shape = high or 0, "circle"
    elif interval.kind == "at_least":
        at, shape = low, "up"
    elif interval.kind == "at_most":
        at, shape = high or 0, "down"
    else:
        at, shape = (low + (high if high is not None else low)) / 2, "diamond"
    ranged = interval.kind != "exact"
    said = value.phrase or interval.text()
    notes = []
    if value.conflicts_with:
        notes.append(f"CONFLICT with {', '.join(value.conflicts_with)}")
    if value.restates:
        notes.append(f"restates {value.restates}")
    if value.superseded_by:
        notes.append(f"superseded by {value.superseded_by}")
    title = (
        f"{value.claimant_name}: {said} ({interval.text()}) for {group.period.text()}; "
        f"{'in ' + value.made_in_id if value.made_in_id else 'publication not identified'}, claimed "
        f"{value.claimed_on or 'date unknown'}"
        f"{'; ' + '; '.join(notes) if notes else ''}. Claim {value.claim_id}"
    )
    return Point(
        claim_id=value.claim_id, colour=colour, shape=shape, x=x, y=scale(at), span_x0=left, span_x1=right,
        range_y0=scale(low) if ranged else None,
        range_y1=(scale(high) if high is not None else float(TOP)) if ranged else None,
        open_top=ranged and high is None, conflict=bool(value.conflicts_with),
        hollow=value.restates is not None or value.superseded_by is not None, title=title,
    )  # fmt: skip


def _scale(d0: float, d1: float, r0: float, r1: float) -> Scale:
    span = (d1 - d0) or 1
    return lambda v: r0 + (v - d0) * (r1 - r0) / span


def _x_domain(plotted: Sequence[tuple[FigureGroup, FigureValue]]) -> tuple[dt.date, dt.date]:
    """Whole years around every plotted period; one year before and after when all are in one."""
    days = [d for g, _ in plotted for d in (g.period.first_day, g.period.last_day) if d is not None]
    if not days:
        year = dt.date.today().year
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first, last = min(days).year, max(days).year
    if first == last:
        first, last = first - 1, last + 1
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def _y_top(plotted: Sequence[tuple[FigureGroup, FigureValue]]) -> int:
    values = [b for _, v in plotted for b in (v.interval.low, v.interval.high) if b is not None]
    peak = max(values, default=0)
    return _nice_ticks(max(1, math.ceil(peak * 1.15)))[-1]


def _nice_ticks(top: float) -> list[int]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least `top`: four to eight ticks."""
    raw = max(top, 1) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    step = max(1, int(step))
    count = math.ceil(top / step)
    return [i * step for i in range(count + 1)]


def _year_ticks(first: dt.date, last: dt.date, scale: Scale) -> list[Tick]:
    """Grid lines at new year; a label in the middle of each year, or at every 2nd, 5th... new year."""
    years = last.year - first.year + 1
    every = next(n for n in (1, 2, 5, 10, 20, 50) if years / n <= 12)
    ticks = []
    for year in range(first.year, last.year + 2):
        line = scale(dt.date(year, 1, 1).toordinal())
        if every == 1 and year <= last.year:
            ticks.append(Tick(scale(dt.date(year, 7, 2).toordinal()), str(year), line))
        elif every == 1:
            ticks.append(Tick(line, "", line))
        elif year % every == 0:
            ticks.append(Tick(line, str(year)))
    return ticks
