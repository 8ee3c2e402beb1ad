"""A small offline map: a county's outline, the family's or school's point and numbered
results, as SVG shapes a template draws (no tiles, no script, nothing from the network).

Outlines are the U.S. Census Bureau's cartographic county boundaries, bundled for every
California county (``seed_data/reference/geography/california_counties.json``, its
source and licence inside; built by ``scripts/build_county_outlines.py``). The projection
is equirectangular scaled by the cosine of the latitude, honest at county scale. The map
is decoration for sighted users: the result list stays the accessible equivalent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from matcher.core.text import fold
from matcher.directory import geo
from matcher.directory.geo import GEOGRAPHY_DIR

OUTLINES_FILE = GEOGRAPHY_DIR / "california_counties.json"
WIDTH = 320
MARGIN = 8
MAX_TOWNS = 6
MIN_SPAN = 0.2  # degrees (about 14 miles): the smallest area a map shows


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str  # "1", "2"... for results; "" for the family's or school's point


@dataclass(frozen=True)
class ResultsMap:
    width: int
    height: int
    county: str
    outline: tuple[str, ...]  # SVG path data, one per polygon
    here: Marker | None
    markers: tuple[Marker, ...]
    towns: tuple[Marker, ...]  # the best-known towns inside the frame, for orientation
    outside: int  # results with a point beyond the county's frame (an office elsewhere)


def _frame(
    county_box: tuple[float, float, float, float], points: Sequence[tuple[float, float]]
) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max): around the points with a margin and at least
    ``MIN_SPAN`` degrees, so nearby results do not pile up; the whole county without
    points or when they spread wider."""
    if not points:
        return county_box
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    span = max(max(lats) - min(lats), max(lons) - min(lons), MIN_SPAN) * 1.3
    lat_mid, lon_mid = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    box = (lat_mid - span / 2, lat_mid + span / 2, lon_mid - span / 2, lon_mid + span / 2)
    if box[1] - box[0] >= county_box[1] - county_box[0]:
        return county_box
    return box


@cache
def _outlines() -> dict[str, dict]:
    data = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return {fold(c["name"]): c for c in data["counties"].values()}


def has_outline(county: str | None) -> bool:
    return bool(county) and fold(county or "") in _outlines()


def results_map(
    county: str,
    here: tuple[float, float] | None,
    results: Sequence[tuple[float, float] | None],
    first: int = 1,
) -> ResultsMap | None:
    """The map of ``county`` (short name) with ``here`` (lat, lon) and the results' points
    (lat, lon, or None for a service without a place, such as a phone line), numbered in
    order from ``first`` (as the list shows them). None when the county has no outline."""
    outline = _outlines().get(fold(county))
    if outline is None:
        return None
    rings = [ring for polygon in outline["polygons"] for ring in polygon]
    county_box = (
        min(lat for ring in rings for _lon, lat in ring),
        max(lat for ring in rings for _lon, lat in ring),
        min(lon for ring in rings for lon, _lat in ring),
        max(lon for ring in rings for lon, _lat in ring),
    )

    def within(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
        return box[0] <= lat <= box[1] and box[2] <= lon <= box[3]

    shown = [p for p in (here, *results) if p is not None and within(county_box, *p)]
    lat_min, lat_max, lon_min, lon_max = _frame(county_box, shown)
    x_factor = math.cos(math.radians((lat_min + lat_max) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((lon_max - lon_min) * x_factor)
    height = int((lat_max - lat_min) * scale) + 2 * MARGIN
    frame = (lat_min, lat_max, lon_min, lon_max)

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (
            round(MARGIN + (lon - lon_min) * x_factor * scale, 1),
            round(MARGIN + (lat_max - lat) * scale, 1),
        )

    def inside(lat: float, lon: float) -> bool:
        return within(frame, lat, lon)

    paths = tuple(
        " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (project(lat, lon) for lon, lat in ring)) + " Z"
            for ring in polygon
        )
        for polygon in outline["polygons"]
    )
    markers, outside = [], 0
    for number, point in enumerate(results, start=first):
        if point is None:
            continue
        if not inside(*point):
            outside += 1
            continue
        markers.append(Marker(*project(*point), str(number)))
    markers.reverse()  # drawn last is on top: the first result stays readable
    towns: list[tuple[float, float, str]] = []
    for place in sorted(
        (p for p in geo.state_places() if p.kind == "city" and inside(*p.point.as_tuple())),
        key=lambda p: (-len(p.postal_codes), p.name),
    ):
        x, y = project(*place.point.as_tuple())
        # Labels must not overprint each other ("Port Hueneme" and its Navy base's ZIP).
        if all(abs(x - tx) > 60 or abs(y - ty) > 14 for tx, ty, _n in towns):
            towns.append((x, y, place.name))
        if len(towns) == MAX_TOWNS:
            break
    return ResultsMap(
        width=WIDTH,
        height=height,
        county=outline["name"],
        outline=paths,
        here=Marker(*project(*here), "") if here and inside(*here) else None,
        markers=tuple(markers),
        towns=tuple(Marker(x, y, name) for x, y, name in towns),
        outside=outside,
    )
