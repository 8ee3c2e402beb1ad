"""Chart geometry for the reports: bars, a trend line and a dot map, as plain numbers.

Why hand-written SVG and not a charting library: the pages run under a CSP of
``default-src 'self'; style-src 'self'; script-src 'self'``. pygal (the pure-Python
SVG option) always writes a ``<style>`` element and a ``<script>`` config block
into its SVG, even with ``js=[]`` and ``css=[]``, so inline charts would break
the CSP and need its output rewritten. Instead this module computes geometry
(positions, lengths, tick labels) and ``templates/reports/_charts.html`` writes
the SVG with classes styled in ``enlace.css`` -- no inline style, no script, text
that prints, and every value is also in the data table next to the chart.

Values that suppression hides (``None``) get no bar or point; their text
(``<11`` or ``*``) is drawn instead, so a picture never reveals a hidden count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.core.text import clip
from matcher.directory import geo
from matcher.reports.supply import MapPoint

LABEL_CHARS = 34


@dataclass(frozen=True)
class Series:
    key: str  # CSS class suffix: 'demand', 'supply', 'made', 'completed'
    label: str
    values: Sequence[int | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    key: str
    x: float
    y: float
    width: float
    height: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Frame:
    """A chart's canvas and plot area, in SVG user units."""

    title: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


@dataclass(frozen=True)
class BarChart(Frame):
    groups: tuple[BarGroup, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[tuple[str, str], ...]


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (steps of 1, 2 or 5 x 10^k)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    top = math.ceil(maximum / step) * step
    return [i * step for i in range(round(top / step) + 1)]


def _max_shown(series: Sequence[Series]) -> float:
    return max((v for s in series for v in s.values if v is not None), default=0)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> BarChart:
    """Horizontal grouped bars: one group per label, one bar per series."""
    width, left, right, top = 720, 250.0, 680.0, 40.0
    bar_h, gap = 11.0, 9.0
    group_h = bar_h * len(series) + gap
    bottom = top + group_h * len(labels)
    ticks = nice_ticks(_max_shown(series))
    scale = (right - left) / ticks[-1]
    groups = []
    for i, label in enumerate(labels):
        y0 = top + i * group_h + gap / 2
        bars = []
        for j, s in enumerate(series):
            value = s.values[i]
            length = (value or 0) * scale
            y = y0 + j * bar_h
            bars.append(
                Bar(s.key, left, y, length, bar_h - 1, s.texts[i], left + length + 4, y + bar_h - 2)
            )
        groups.append(BarGroup(clip(label, LABEL_CHARS), y0 + group_h / 2, tuple(bars)))
    return BarChart(
        title=title,
        width=width,
        height=int(bottom + 30),
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        groups=tuple(groups),
        ticks=tuple(Tick(left + t * scale, f"{t:g}") for t in ticks),
        legend=tuple((s.key, s.label) for s in series),
    )


@dataclass(frozen=True)
class LinePoint:
    x: float
    y: float
    text: str
    hidden: bool


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    segments: tuple[str, ...]  # SVG polyline "x,y x,y" strings, broken at hidden values
    points: tuple[LinePoint, ...]


@dataclass(frozen=True)
class LineChart(Frame):
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[Series]) -> LineChart:
    """A trend line per series over ``x_labels`` (months); hidden values break the line."""
    width, height = 720, 300
    left, right, top, bottom = 50.0, 700.0, 40.0, 250.0
    ticks = nice_ticks(_max_shown(series))
    y_scale = (bottom - top) / ticks[-1]
    step = (right - left) / max(len(x_labels) - 1, 1)

    def x_at(i: int) -> float:
        return left + i * step if len(x_labels) > 1 else (left + right) / 2

    lines = []
    for s in series:
        points, segments, current = [], [], []
        for i, value in enumerate(s.values):
            y = bottom - (value or 0) * y_scale
            points.append(LinePoint(x_at(i), y, s.texts[i], value is None))
            if value is None:
                segments.append(current)
                current = []
            else:
                current.append(f"{x_at(i):.1f},{y:.1f}")
        segments.append(current)
        lines.append(Line(s.key, s.label, tuple(" ".join(p) for p in segments if p), tuple(points)))
    every = max(1, math.ceil(len(x_labels) / 12))
    return LineChart(
        title=title,
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        x_ticks=tuple(Tick(x_at(i), lab) for i, lab in enumerate(x_labels) if i % every == 0),
        y_ticks=tuple(Tick(bottom - t * y_scale, f"{t:g}") for t in ticks),
        lines=tuple(lines),
    )


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class DotMap:
    title: str
    width: int
    height: int
    cities: tuple[Dot, ...]
    schools: tuple[Dot, ...]
    partners: tuple[Dot, ...]
    outside: int  # partner locations beyond the map's edge (e.g. Los Angeles offices)


def dot_map(title: str, schools: Sequence[MapPoint], partners: Sequence[MapPoint]) -> DotMap:
    """Schools and partner locations on a plain projection of the counties served.

    The frame is the county's known places (``geo.known_places``) plus the
    schools, with a margin; an equirectangular projection scaled by cos(latitude)
    keeps distances honest at county scale. No tiles, no outline data needed.
    """
    cities = [p for p in geo.known_places() if p.kind == "city"]
    lats = [p.point.latitude for p in geo.known_places()] + [s.latitude for s in schools]
    lons = [p.point.longitude for p in geo.known_places()] + [s.longitude for s in schools]
    margin = 0.06
    lat_min, lat_max = min(lats) - margin, max(lats) + margin
    lon_min, lon_max = min(lons) - margin, max(lons) + margin
    x_factor = math.cos(math.radians((lat_min + lat_max) / 2))
    width = 720
    scale = width / ((lon_max - lon_min) * x_factor)
    height = int((lat_max - lat_min) * scale) + 1

    def project(lat: float, lon: float, label: str) -> Dot:
        return Dot(
            round((lon - lon_min) * x_factor * scale, 1), round((lat_max - lat) * scale, 1), label
        )

    def inside(p: MapPoint) -> bool:
        return lat_min <= p.latitude <= lat_max and lon_min <= p.longitude <= lon_max

    shown = [p for p in partners if inside(p)]
    # Many services share a building: one dot per position keeps 10k services drawable.
    dots: dict[tuple[float, float], Dot] = {}
    for p in shown:
        dot = project(p.latitude, p.longitude, p.label)
        dots.setdefault((round(dot.x), round(dot.y)), dot)
    return DotMap(
        title=title,
        width=width,
        height=height,
        cities=tuple(project(c.point.latitude, c.point.longitude, c.name) for c in cities),
        schools=tuple(project(s.latitude, s.longitude, s.label) for s in schools),
        partners=tuple(dots.values()),
        outside=len(partners) - len(shown),
    )


def nearest_city(point: MapPoint) -> str:
    """The served county's city or community nearest a point: the map's table groups by it."""
    x_factor = math.cos(math.radians(point.latitude))

    def squared(place: geo._KnownPlace) -> float:  # equirectangular: enough to rank
        dlat = place.point.latitude - point.latitude
        dlon = (place.point.longitude - point.longitude) * x_factor
        return dlat * dlat + dlon * dlon

    return min(geo.known_places(), key=squared).name
