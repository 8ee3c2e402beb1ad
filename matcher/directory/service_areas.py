"""What a service area names, and whether it covers a family's place (matching's reach,
search near a place, a region's counties).

A service area is the listing saying where it serves (HSDS ``service_area``). When it names
a place we can decide on (the nation, the state, a county, a city, a ZIP code) it is the
rule: a service whose area covers the family is in reach at any distance, one whose areas
all leave the family out is not, however close its office. A listing with no decidable
area falls back to distance from its locations.

Free-text areas are read by what they name: "United States" and "California" cover every
family we can place, "Monterey County" is a county, and a California city or ZIP code (the
offline ZIP list) is a city or ZIP. A name we cannot place ("Conejo Valley") decides
nothing, though it still covers a family whose own place has that name.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import zipcodes

from matcher.core.text import fold, words
from matcher.directory import geo

# Most local first: the reach a result shows is the most local area that covers the family.
LEVELS = ("zip", "city", "county", "state", "nation")
NATIONAL = frozenset(
    {"united states", "usa", "us", "u s", "nationwide", "national", "estados unidos"}
)
STATEWIDE = frozenset(
    {"california", "ca", "statewide", "state of california", "estado de california"}
)
COUNTY_SUFFIXES = (" county", " condado")
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
# Coordinates from a ZIP or city centre are not an address (``Location.coordinates_source``).
APPROXIMATE_SOURCES = frozenset({"zip_centroid", "city"})

Scope = tuple[str, str]  # (level, folded key)


@cache
def _state_cities() -> frozenset[str]:
    """Folded names of every city with a ZIP code in the home state (offline list)."""
    cities = {fold(z["city"]) for z in zipcodes.filter_by(state=geo.HOME_STATE) if z.get("city")}
    cities.update(fold(p.name) for p in geo.known_places())
    return frozenset(cities)


@lru_cache(maxsize=65536)
def area_scope(kind: str, name: str | None) -> Scope | None:
    """What a service area names, as (level, key); None when it names nothing we can place."""
    if not name or not name.strip():
        return None
    text = name.strip()
    key = fold(text)
    plain = " ".join(words(text))  # "U.S." -> "u s"
    if kind == "county":
        return ("county", fold(text.removesuffix(" County")))
    if kind == "postal_code" or _ZIP.match(text):
        return ("zip", text[:5])
    if kind == "city":
        return ("city", key)
    if plain in NATIONAL:
        return ("nation", "")
    if plain in STATEWIDE:
        return ("state", fold(geo.HOME_STATE))
    for suffix in COUNTY_SUFFIXES:
        if key.endswith(suffix):
            return ("county", key.removesuffix(suffix).strip())
    if key in _state_cities():
        return ("city", key)
    return None


def place_names(place: geo.Place) -> frozenset[str]:
    """Folded names an area could give the family's place (its city, community, label)."""
    return frozenset(geo.place_names_for_point(place))


def covers(scope: Scope | None, name: str | None, place: geo.Place, names: frozenset[str]) -> bool:
    """Does an area (its scope, or failing that its bare name) cover the family's place?

    ``names`` is ``place_names(place)``, computed once per match.
    """
    if scope is None:
        return bool(name) and fold(name or "") in names
    level, key = scope
    if level == "nation":
        return True
    if level == "state":
        # Places resolve only inside the home state; a point elsewhere has no county.
        return place.county is not None
    if level == "county":
        return bool(place.county) and fold(place.county or "") == key
    if level == "zip":
        return key == (place.postal_code or "")
    return key in names


def covers_area(kind: str, name: str | None, place: geo.Place) -> bool:
    """Does one service area (kind, name) cover the place?"""
    return covers(area_scope(kind, name), name, place, place_names(place))


def is_wide(kind: str, name: str | None) -> bool:
    """Does a service area name the whole state or the nation?"""
    scope = area_scope(kind, name)
    return scope is not None and scope[0] in ("state", "nation")
