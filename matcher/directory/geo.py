"""Offline geography: ZIP codes, California places and "lat,lon" strings to points.

No network is ever used. ZIP centroids and the city names of every California ZIP (its
city, acceptable city names and county) come from the ``zipcodes`` package (compiled into
its wheel); a county may add its communities and aliases in a ``places.csv`` next to its
settings file (``matcher.directory.county``). A name used in two counties resolves toward
the home county, and the resolved Place says which county it is in. Distances use geopy's
great-circle formula, offline and accurate to well under 1% at county scale.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import zipcodes
from geopy.distance import great_circle
from rapidfuzz import fuzz, process

from matcher.config import PROJECT_ROOT
from matcher.core.text import fold, words
from matcher.directory import county as counties

GEOGRAPHY_DIR = PROJECT_ROOT / "seed_data" / "reference" / "geography"
COMMON_WORDS_FILE = GEOGRAPHY_DIR / "common_place_words.txt"
HOME_STATE = "CA"
MAX_PLACE_TEXT = 200

_ZIP_RE = re.compile(r"^\d{5}(?:-\d{4})?$")
_LATLON_RE = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[, ]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
# Words that introduce a place in a query: "comida en salinas", "food near 93033". Only
# these license a place name that is also an ordinary word ("en soledad", "in orange").
_STRONG_PREPOSITIONS = {"in", "near", "at", "around", "en", "cerca", "por", "nearby"}
# Taken out with the place when they precede it, but they license nothing: "casa de mi tía".
_WEAK_PREPOSITIONS = {"de", "del", "from", "desde"}


def __getattr__(name: str) -> str:
    # ``geo.HOME_COUNTY`` reads the configured home county, so older callers keep working.
    if name == "HOME_COUNTY":
        return home_county()
    raise AttributeError(name)


def home_county() -> str:
    """The home county's short name ("Monterey"), from the county settings."""
    return counties.home().short_name


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
    county: str = ""


def _county_name(raw: str) -> str:
    return counties.short_name(raw or "")


def _read_places_file(path: Path, county_name: str) -> list[_KnownPlace]:
    with path.open(encoding="utf-8") as handle:
        return [
            _KnownPlace(
                name=row["name"],
                kind=row["kind"],
                point=Point(float(row["latitude"]), float(row["longitude"])),
                postal_codes=tuple(z for z in row["postal_codes"].split("|") if z),
                aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
                county=county_name,
            )
            for row in csv.DictReader(handle)
        ]


@cache
def _zip_places() -> tuple[_KnownPlace, ...]:
    """Every California ZIP city name (primary and acceptable) per county, at the mean
    of the centroids of the ZIPs that carry it."""
    primary: dict[tuple[str, str], list[tuple[str, float, float, str]]] = {}
    other: dict[tuple[str, str], list[tuple[str, float, float, str]]] = {}
    for code, lat, lon, city, county_raw in _state_zips():
        county_name = _county_name(county_raw)
        if not county_name:
            continue
        primary.setdefault((fold(city), county_name), []).append((code, lat, lon, city))
        for alt in zipcodes.matching(code)[0].get("acceptable_cities") or []:
            other.setdefault((fold(alt), county_name), []).append((code, lat, lon, alt))
    out = []
    for table, kind in ((primary, "city"), (other, "community")):
        for (key, county_name), rows in sorted(table.items()):
            if kind == "community" and (key, county_name) in primary:
                continue
            out.append(
                _KnownPlace(
                    name=_title(rows[0][3]),
                    kind=kind,
                    point=Point(
                        round(sum(r[1] for r in rows) / len(rows), 4),
                        round(sum(r[2] for r in rows) / len(rows), 4),
                    ),
                    postal_codes=tuple(sorted({r[0] for r in rows})),
                    aliases=(),
                    county=county_name,
                )
            )
    return tuple(out)


def _title(name: str) -> str:
    return " ".join(w.capitalize() if w.isupper() or w.islower() else w for w in name.split())


@cache
def _places_for(
    region_key: tuple[tuple[str, Path | None], ...],
) -> tuple[tuple[_KnownPlace, ...], tuple[_KnownPlace, ...]]:
    """(region places, every California place) for a region given as (county, places file)."""
    supplied: list[_KnownPlace] = []
    for county_name, path in region_key:
        if path is not None:
            supplied.extend(_read_places_file(path, county_name))
    taken = {(fold(n), p.county) for p in supplied for n in (p.name, *p.aliases)}
    derived = [p for p in _zip_places() if (fold(p.name), p.county) not in taken]
    state = tuple(supplied) + tuple(derived)
    region_names = [c for c, _ in region_key]
    with_file = {c for c, path in region_key if path is not None}
    region_places = tuple(supplied) + tuple(
        p for p in derived if p.county in region_names and p.county not in with_file
    )
    return region_places, state


def _region_key() -> tuple[tuple[str, Path | None], ...]:
    return tuple((s.short_name, s.places_file) for s in counties.region())


def region_counties() -> tuple[str, ...]:
    return tuple(c for c, _ in _region_key())


def known_places() -> tuple[_KnownPlace, ...]:
    """The places of the counties this installation serves (for maps and charts)."""
    return _places_for(_region_key())[0]


def state_places() -> tuple[_KnownPlace, ...]:
    """Every California place we can name: the region's own lists plus ZIP city names."""
    return _places_for(_region_key())[1]


@cache
def _names_for(
    region_key: tuple[tuple[str, Path | None], ...],
) -> dict[str, tuple[_KnownPlace, ...]]:
    names: dict[str, list[_KnownPlace]] = {}
    for place in _places_for(region_key)[1]:
        for name in (place.name, *place.aliases):
            bucket = names.setdefault(" ".join(words(name)), [])
            if all(p.county != place.county for p in bucket):
                bucket.append(place)
    return {k: tuple(v) for k, v in names.items() if k}


def _place_names() -> dict[str, tuple[_KnownPlace, ...]]:
    """Folded name or alias -> the places (one per county) that carry it."""
    return _names_for(_region_key())


@cache
def _region_name_keys(region_key: tuple[tuple[str, Path | None], ...]) -> tuple[str, ...]:
    region_names = {c for c, _ in region_key}
    return tuple(
        k
        for k, places in _names_for(region_key).items()
        if any(p.county in region_names for p in places)
    )


def place_name_words() -> set[str]:
    """Every folded word of a California place name (so spelling never "corrects" one)."""
    return {w for key in _place_names() for w in key.split()}


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


def _county_suffix(county_name: str | None) -> str:
    """' (Fresno County)' for a place outside the home county, else ''."""
    if not county_name:
        return ""
    try:
        home = home_county()
    except counties.CountySettingsError:
        return ""
    return "" if fold(county_name) == fold(home) else f" ({county_name} County)"


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
    county_name = _county_name(z["county"] or "")
    city = _title(z["city"])
    where = f"{city}, {county_name} County" if _county_suffix(county_name) else city
    return Place(
        point=Point(float(z["lat"]), float(z["long"])),
        label=f"{code} ({where})",
        kind="zip",
        city=city,
        county=county_name,
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
        city=_title(nearest[3]) if nearest else None,
        county=_county_name(nearest[4]) if nearest else None,
        postal_code=nearest[0] if nearest else None,
    )


def _known_place(place: _KnownPlace) -> Place:
    return Place(
        point=place.point,
        label=place.name + _county_suffix(place.county),
        kind="place",
        city=place.name,
        county=place.county,
        postal_code=place.postal_codes[0] if place.postal_codes else None,
    )


def _choose(candidates: Iterable[_KnownPlace], home: str | None = None) -> _KnownPlace:
    """The home county's place of that name, else the region's, else the best-known one."""
    order = list(region_counties())
    if home:
        order = [home] + [c for c in order if fold(c) != fold(home)]
    rank = {fold(c): n for n, c in enumerate(order)}

    def key(p: _KnownPlace) -> tuple:
        return (
            rank.get(fold(p.county), len(rank)),
            p.kind != "city",
            -len(p.postal_codes),
            p.county,
        )

    return min(candidates, key=key)


def lookup_place_name(
    text: str, *, fuzzy: bool = True, home_county: str | None = None
) -> Place | None:
    """A California place by name or alias, tolerating case and accents (and one typo in
    the region's names); a name in two counties resolves toward the home county."""
    key = " ".join(words(text))
    if not key:
        return None
    names = _place_names()
    if key in names:
        return _known_place(_choose(names[key], home_county))
    if fuzzy and len(key) >= 5:
        found = process.extractOne(
            key, _region_name_keys(_region_key()), scorer=fuzz.ratio, score_cutoff=85
        ) or process.extractOne(key, names.keys(), scorer=fuzz.ratio, score_cutoff=90)
        if found:
            return _known_place(_choose(names[found[0]], home_county))
    return None


def resolve_place(text: str, *, home_county: str | None = None) -> Place:
    """Resolve a ZIP code, a California place name or a "lat,lon" string.

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
    place = lookup_place_name(text, home_county=home_county)
    if place is None:
        raise PlaceError(
            f"We couldn't find '{text}'. Try a ZIP code or a California city or town.", text
        )
    return place


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


def approximate_point(
    postal_code: str | None, city: str | None = None
) -> tuple[float, float, str] | None:
    """(lat, lon, source) for a record without coordinates: its ZIP code's centroid
    ("zip_centroid"), else its city's point ("city"), else None."""
    if postal_code:
        try:
            place = resolve_zip(postal_code)
            return place.latitude, place.longitude, "zip_centroid"
        except PlaceError:
            pass
    place = lookup_place_name(city, fuzzy=False) if city else None
    return (place.latitude, place.longitude, "city") if place else None


def main_city(county_name: str) -> str | None:
    """The county's best-known city (most ZIP codes; one word preferred), for examples such
    as the search form's "comida en ..." hint."""
    cities = [p for p in known_places() if p.county == county_name and p.kind == "city"]
    if not cities:
        return None
    return max(cities, key=lambda p: (len(p.postal_codes), -len(p.name.split()), p.name)).name


def place_names_for_point(place: Place) -> set[str]:
    """Folded names a service area could use for this place (city, community, ZIP city)."""
    names = {fold(n) for n in (place.city,) if n}
    if place.kind != "place" and place.label:
        names.add(fold(place.label))
    for known in known_places():
        if place.postal_code and place.postal_code in known.postal_codes:
            names.add(fold(known.name))
    return names
