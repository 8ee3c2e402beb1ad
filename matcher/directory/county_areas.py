"""Which California counties a listing is in or serves, for a region's county filter,
facet and reports.

A region (several counties on one installation) needs every listing tagged with its
counties: the counties of its locations (by ZIP code, else the nearest ZIP to its point)
and the counties its service areas name (a county, a city or a ZIP code). A service area
that names the state or the nation ("California", "United States", read by
``service_areas``) serves every county: such a listing is *wide* and passes any county
filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

import zipcodes

from matcher.core.text import fold, words
from matcher.directory import county as counties
from matcher.directory import geo, service_areas


class UnknownCounty(ValueError):
    """Not the name of a California county; the message is fit for users."""


@cache
def california_counties() -> frozenset[str]:
    """The 58 county names (short form, "Monterey") found in the ZIP data."""
    return frozenset(
        counties.short_name(z["county"]) for z in zipcodes.filter_by(state="CA") if z["county"]
    )


def county_name(text: str) -> str:
    """The county's short name ("Monterey") for "monterey", "Monterey County"...;
    raises UnknownCounty for a name that is not a California county."""
    wanted = fold(counties.short_name(text))
    for name in california_counties():
        if fold(name) == wanted:
            return name
    raise UnknownCounty(
        f"'{text[:60]}' is not a California county (for example: Monterey, San Luis Obispo)."
    )


@cache
def _zip_county() -> dict[str, str]:
    return {code: counties.short_name(c) for code, _lat, _lon, _city, c in geo._state_zips() if c}


def county_of_zip(postal_code: str | None) -> str | None:
    return _zip_county().get((postal_code or "").strip()[:5])


@lru_cache(maxsize=65536)
def _county_near(lat: float, lon: float) -> str | None:
    found = geo.nearest_zip(geo.Point(lat, lon))
    return counties.short_name(found[4]) if found and found[4] else None


def county_of_point(latitude: float, longitude: float) -> str | None:
    """The county of the nearest ZIP centroid (points rounded to ~100 m, then cached)."""
    return _county_near(round(latitude, 3), round(longitude, 3))


def area_counties(kind: str, name: str | None) -> set[str]:
    """The counties a service area names (a city in two counties names both)."""
    scope = service_areas.area_scope(kind, name)
    if scope is None:
        return set()
    level, key = scope
    if level == "county":
        try:
            return {county_name(key)}
        except UnknownCounty:
            return set()
    if level == "zip":
        found = county_of_zip(key)
        return {found} if found else set()
    if level == "city":
        return {p.county for p in geo._place_names().get(" ".join(words(key)), ())}
    return set()


def listing_counties(
    located: Iterable[tuple[str | None, float | None, float | None]],
    areas: Iterable[tuple[str, str | None]],
) -> tuple[list[str], bool]:
    """(sorted counties, wide) for a listing's locations (postal code, lat, lon) and
    service areas (kind, name)."""
    found: set[str] = set()
    for postal_code, lat, lon in located:
        county_name_found = county_of_zip(postal_code)
        if county_name_found is None and lat is not None and lon is not None:
            county_name_found = county_of_point(lat, lon)
        if county_name_found:
            found.add(county_name_found)
    wide = False
    for kind, name in areas:
        found |= area_counties(kind, name)
        wide = wide or service_areas.is_wide(kind, name)
    return sorted(found), wide
