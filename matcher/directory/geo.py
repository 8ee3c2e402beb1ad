"""Offline geography: ZIP codes, Ventura County places and "lat,lon" strings to points.

No network is ever used. ZIP centroids come from the ``zipcodes`` package (compiled
into its wheel); Ventura County city and community points come from
``seed_data/geography/ventura_places.csv``. Distances use geopy's great-circle
formula, which is offline and accurate to well under 1% at county scale.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache

import zipcodes
from geopy.distance import great_circle
from rapidfuzz import fuzz, process

from matcher.config import PROJECT_ROOT
from matcher.core.text import fold, words

PLACES_FILE = PROJECT_ROOT / "seed_data" / "geography" / "ventura_places.csv"
HOME_COUNTY = "Ventura"
HOME_STATE = "CA"
MAX_PLACE_TEXT = 200

_ZIP_RE = re.compile(r"^\d{5}(?:-\d{4})?$")
_LATLON_RE = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[, ]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
# Words that introduce a place in a query: "comida en oxnard", "food near 93033".
_PLACE_PREPOSITIONS = {"in", "near", "at", "around", "en", "cerca", "de", "del", "por"}


class PlaceError(ValueError):
    """A place could not be resolved; ``str(error)`` is safe to show to users."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float

    def as_tuple(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class Place:
    """A resolved place: a point plus what we know about where it is."""

    point: Point
    label: str
    kind: str  # 'zip', 'place' or 'latlon'
    city: str | None = None
    county: str | None = None
    postal_code: str | None = None

    @property
    def latitude(self) -> float:
        return self.point.latitude

    @property
    def longitude(self) -> float:
        return self.point.longitude


@dataclass(frozen=True)
class _KnownPlace:
    name: str
    kind: str
    point: Point
    postal_codes: tuple[str, ...]
    aliases: tuple[str, ...]


@cache
def known_places() -> tuple[_KnownPlace, ...]:
    with PLACES_FILE.open(encoding="utf-8") as handle:
        return tuple(
            _KnownPlace(
                name=row["name"],
                kind=row["kind"],
                point=Point(float(row["latitude"]), float(row["longitude"])),
                postal_codes=tuple(z for z in row["postal_codes"].split("|") if z),
                aliases=tuple(a for a in row["aliases"].split("|") if a),
            )
            for row in csv.DictReader(handle)
        )


@cache
def _place_names() -> dict[str, _KnownPlace]:
    """Folded name or alias -> place."""
    names: dict[str, _KnownPlace] = {}
    for place in known_places():
        for name in (place.name, *place.aliases):
            names[fold(name)] = place
    return names


@cache
def _state_zips() -> tuple[tuple[str, float, float, str, str], ...]:
    """(zip, lat, lon, city, county) for every California ZIP with a point."""
    rows = []
    for z in zipcodes.filter_by(state=HOME_STATE):
        if z.get("lat") and z.get("long"):
            rows.append(
                (z["zip_code"], float(z["lat"]), float(z["long"]), z["city"], z["county"] or "")
            )
    return tuple(rows)


def _county_name(raw: str) -> str:
    return raw.removesuffix(" County").strip()


def is_zip(text: str) -> bool:
    """A 5-digit ZIP (or ZIP+4): the only text ``zipcodes`` may be asked about."""
    return bool(_ZIP_RE.match(text.strip()))


def resolve_zip(text: str) -> Place:
    """The ZIP's centroid; PlaceError for anything but a known California ZIP (the
    ``zipcodes`` package raises ValueError on malformed text, so it is checked first)."""
    if not is_zip(text):
        raise PlaceError("Enter a 5-digit ZIP code.", text)
    code = text.strip()[:5]
    matches = zipcodes.matching(code)
    if not matches:
        raise PlaceError(f"We don't know the ZIP code {code}.", text)
    z = matches[0]
    if z["state"] != HOME_STATE:
        raise PlaceError(f"ZIP code {code} is outside California.", text)
    if not (z.get("lat") and z.get("long")):
        raise PlaceError(f"ZIP code {code} has no known location.", text)
    return Place(
        point=Point(float(z["lat"]), float(z["long"])),
        label=f"{code} ({z['city'].title()})",
        kind="zip",
        city=z["city"].title(),
        county=_county_name(z["county"] or ""),
        postal_code=code,
    )


def _resolve_latlon(lat_text: str, lon_text: str, original: str) -> Place:
    lat, lon = float(lat_text), float(lon_text)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PlaceError("Latitude must be between -90 and 90, longitude between -180 and 180.")
    point = Point(lat, lon)
    nearest = nearest_zip(point)
    return Place(
        point=point,
        label=f"{lat:.4f}, {lon:.4f}",
        kind="latlon",
        city=nearest[3].title() if nearest else None,
        county=_county_name(nearest[4]) if nearest else None,
        postal_code=nearest[0] if nearest else None,
    )


def _known_place(place: _KnownPlace) -> Place:
    return Place(
        point=place.point,
        label=place.name,
        kind="place",
        city=place.name,
        county=HOME_COUNTY,
        postal_code=place.postal_codes[0] if place.postal_codes else None,
    )


def lookup_place_name(text: str, *, fuzzy: bool = True) -> Place | None:
    """A Ventura County place by name or alias, tolerating case, accents and one typo."""
    key = " ".join(words(text))
    if not key:
        return None
    names = _place_names()
    if key in names:
        return _known_place(names[key])
    if fuzzy and len(key) >= 5:
        found = process.extractOne(key, names.keys(), scorer=fuzz.ratio, score_cutoff=85)
        if found:
            return _known_place(names[found[0]])
    return None


def resolve_place(text: str) -> Place:
    """Resolve a ZIP code, a Ventura County place name or a "lat,lon" string.

    Raises PlaceError with a message fit for users when the text is not a place.
    """
    if text is None or not str(text).strip():
        raise PlaceError("Enter a ZIP code, a city or community name, or a latitude,longitude.")
    text = str(text).strip()
    if len(text) > MAX_PLACE_TEXT:
        raise PlaceError("That place is too long to be a ZIP code or a place name.", text[:50])
    if _ZIP_RE.match(text):
        return resolve_zip(text)
    if text.isdigit():
        raise PlaceError(f"'{text}' is not a 5-digit ZIP code.", text)
    latlon = _LATLON_RE.match(text)
    if latlon:
        return _resolve_latlon(latlon.group(1), latlon.group(2), text)
    place = lookup_place_name(text)
    if place is None:
        raise PlaceError(
            f"We couldn't find '{text}'. Try a ZIP code or a Ventura County city.", text
        )
    return place


MAX_ABBREVIATION = 3


def find_place_in_query(query: str) -> tuple[Place | None, str]:
    """Find a trailing place in a free-text query: 'comida en oxnard' -> (Oxnard, 'comida').

    Only exact (folded) place names or 5-digit ZIP codes are taken, so that a word
    like "ventura" in an organization's name is not stolen without a preposition
    unless it ends the query. Returns the place and the query without it.
    """
    tokens = query.split()
    folded = [" ".join(words(t)) for t in tokens]
    names = _place_names()
    # Longest place names first ("thousand oaks", "channel islands beach").
    for size in (3, 2, 1):
        if len(tokens) <= size and size > 1:
            continue
        for start in range(len(tokens) - size, -1, -1):
            candidate = " ".join(f for f in folded[start : start + size] if f)
            place: Place | None = None
            if size == 1 and len(candidate) <= MAX_ABBREVIATION and not candidate.isdigit():
                continue  # "to" is a word, not Thousand Oaks; "la" is not Los Angeles
            if candidate in names:
                place = _known_place(names[candidate])
            elif size == 1 and re.fullmatch(r"\d{5}", candidate):
                try:
                    place = resolve_zip(candidate)
                except PlaceError:
                    place = None
            if place is None:
                continue
            before = start
            if before > 0 and folded[before - 1] in _PLACE_PREPOSITIONS:
                before -= 1
            rest = tokens[:before] + tokens[start + size :]
            if not rest:  # the whole query is a place: keep it as text too
                return place, query
            return place, " ".join(rest)
    return None, query


def distance_miles(a: Point, b: Point) -> float:
    return great_circle(a.as_tuple(), b.as_tuple()).miles


def bounding_box(center: Point, radius_mi: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle: a cheap SQL prefilter."""
    dlat = radius_mi / 69.0
    dlon = radius_mi / max(69.0 * math.cos(math.radians(center.latitude)), 1e-6)
    return (
        center.latitude - dlat,
        center.latitude + dlat,
        center.longitude - dlon,
        center.longitude + dlon,
    )


def nearest_zip(point: Point) -> tuple[str, float, float, str, str] | None:
    """The California ZIP whose centroid is nearest, or None when none is within 30 miles."""
    best, best_d = None, float("inf")
    for row in _state_zips():
        # Equirectangular distance is enough to rank candidates.
        d = (row[1] - point.latitude) ** 2 + (
            (row[2] - point.longitude) * math.cos(math.radians(point.latitude))
        ) ** 2
        if d < best_d:
            best, best_d = row, d
    if best is None or math.sqrt(best_d) * 69.0 > 30:
        return None
    return best


def place_names_for_point(place: Place) -> set[str]:
    """Folded names a service area could use for this place (city, community, ZIP city)."""
    names = {fold(n) for n in (place.city, place.label) if n}
    for known in known_places():
        if place.postal_code and place.postal_code in known.postal_codes:
            names.add(fold(known.name))
    return names


def covers(area_kind: str, area_name: str | None, place: Place) -> bool:
    """Does a service area (kind, name) cover the resolved place?"""
    if not area_name:
        return False
    if area_kind == "county":
        return bool(place.county) and fold(_county_name(area_name)) == fold(place.county or "")
    if area_kind == "city":
        return fold(area_name) in place_names_for_point(place)
    if area_kind == "postal_code":
        return area_name.strip()[:5] == (place.postal_code or "")
    return False
