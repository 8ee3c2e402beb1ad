"""Supply (the asset map): which services reach each school, per barrier and language.

A service *reaches* a school when it is active, its organization is published,
and either one of its locations lies within ``radius_miles`` of the school or one
of its service areas covers the school's place (county, city or ZIP code). A
service *serves* a barrier when one of its taxonomy terms is a barrier term or
below one. Counts are of services, not people, so they are never suppressed.

Everything is loaded with a handful of flat queries into a ``SupplyIndex`` so a
county report over 10,000 services does not touch the ORM per service.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import geo, languages, taxonomy
from matcher.models import (
    Barrier,
    Language,
    Location,
    Organization,
    School,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_taxonomy_term,
)

DEFAULT_RADIUS_MILES = 10.0
MILES_PER_DEGREE = 69.09  # of latitude; great-circle miles per degree of arc
MAX_RADIUS_MILES = 60.0
# The four CCSPP pillars, in the Framework's order (``Barrier.pillar`` values).
PILLARS = (
    "integrated_supports",
    "family_engagement",
    "extended_learning",
    "collaborative_leadership",
)
# Languages every report shows a column for, present or not; others appear when offered.
FEATURED_LANGUAGES = ("en", "es", "mix")


@dataclass(frozen=True)
class ServiceFacts:
    """What the asset map needs to know about one active, published service."""

    id: str
    points: tuple[geo.Point, ...]
    areas: tuple[tuple[str, str], ...]
    barriers: frozenset[str]
    # language code -> True when staff speak it, False when only through an interpreter.
    languages: dict[str, bool]


CELL_DEGREES = 0.1  # grid cell for the point index: about 7 by 6 miles


def _cell(point: geo.Point) -> tuple[int, int]:
    return (math.floor(point.latitude / CELL_DEGREES), math.floor(point.longitude / CELL_DEGREES))


@dataclass
class SupplyIndex:
    """Services plus two lookups: locations by grid cell and services by service area."""

    services: list[ServiceFacts]
    barriers: list[Barrier]
    by_cell: dict[tuple[int, int], list[tuple[geo.Point, ServiceFacts]]] = field(init=False)
    by_area: dict[tuple[str, str], list[ServiceFacts]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_cell, self.by_area = defaultdict(list), defaultdict(list)
        for service in self.services:
            for point in service.points:
                self.by_cell[_cell(point)].append((point, service))
            for area in service.areas:
                self.by_area[area].append(service)

    @property
    def language_codes(self) -> tuple[str, ...]:
        """Featured languages first, then every other language offered, by English name."""
        present = {code for s in self.services for code in s.languages}
        others = sorted(present - set(FEATURED_LANGUAGES), key=lambda c: languages.name(c))
        return (*FEATURED_LANGUAGES, *others)


@dataclass(frozen=True)
class LanguageSupply:
    direct: int
    interpreter_only: int


@dataclass
class BarrierSupply:
    barrier: Barrier
    service_ids: frozenset[str]
    by_language: dict[str, LanguageSupply]

    @property
    def total(self) -> int:
        return len(self.service_ids)

    def in_language(self, code: str) -> LanguageSupply:
        return self.by_language.get(code, LanguageSupply(0, 0))


@dataclass
class Supply:
    """Supply for one school (or the county, the union over schools), barrier by barrier."""

    barriers: list[BarrierSupply]
    language_codes: tuple[str, ...]
    service_ids: frozenset[str] = field(default_factory=frozenset)

    def by_pillar(self) -> list[tuple[str, list[BarrierSupply]]]:
        """Barriers grouped under the four pillars; a pillar without barriers stays listed."""
        groups: dict[str, list[BarrierSupply]] = {p: [] for p in PILLARS}
        for row in self.barriers:
            groups.setdefault(row.barrier.pillar, []).append(row)
        return list(groups.items())

    def for_barrier(self, code: str) -> BarrierSupply | None:
        return next((b for b in self.barriers if b.barrier.code == code), None)


def load_index(session: Session) -> SupplyIndex:
    """Read every active, published service that serves at least one barrier."""
    barriers = taxonomy.barriers(session)
    term_barriers: dict[str, set[str]] = defaultdict(set)
    for barrier in barriers:
        for term_id in taxonomy.descendant_ids(session, [t.id for t in barrier.terms]):
            term_barriers[term_id].add(barrier.code)

    active = set(
        session.scalars(
            select(Service.id)
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.status == "active", Organization.published.is_(True))
        )
    )
    served: dict[str, set[str]] = defaultdict(set)
    for service_id, term_id in session.execute(select(service_taxonomy_term)):
        if service_id in active and term_id in term_barriers:
            served[service_id] |= term_barriers[term_id]

    points: dict[str, list[geo.Point]] = defaultdict(list)
    for service_id, lat, lon in session.execute(
        select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Location.latitude.is_not(None), Location.longitude.is_not(None))
    ):
        if service_id in served:
            points[service_id].append(geo.Point(lat, lon))
    areas: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for service_id, kind, name in session.execute(
        select(ServiceArea.service_id, ServiceArea.kind, ServiceArea.name).where(
            ServiceArea.kind != "text", ServiceArea.name.is_not(None)
        )
    ):
        if service_id in served:
            areas[service_id].append((kind, name))
    spoken: dict[str, dict[str, bool]] = defaultdict(dict)
    for service_id, code, interpreter in session.execute(
        select(Language.service_id, Language.code, Language.interpreter).where(
            Language.service_id.is_not(None), Language.code.is_not(None)
        )
    ):
        if service_id in served:
            code = code.lower()
            spoken[service_id][code] = spoken[service_id].get(code, False) or not interpreter

    services = [
        ServiceFacts(
            id=service_id,
            points=tuple(points.get(service_id, ())),
            areas=tuple(areas.get(service_id, ())),
            barriers=frozenset(codes),
            languages=spoken.get(service_id, {}),
        )
        for service_id, codes in sorted(served.items())
    ]
    return SupplyIndex(services=services, barriers=barriers)


@cache
def _county_of_zip(postal_code: str) -> str | None:
    """Cached: a ZIP lookup costs ~20 ms and a county report makes one per school."""
    try:
        return geo.resolve_zip(postal_code).county
    except geo.PlaceError:
        return None


def _within(center: geo.Point, point: geo.Point, radius_miles: float) -> bool:
    """Is ``point`` within the radius? A flat-earth estimate (off by far less than 1% at
    county scale) settles clear cases; geo.distance_miles decides the 1% band near the
    edge. geopy costs ~30 us a call, too much for 19 schools x 10k services."""
    dlat = point.latitude - center.latitude
    dlon = (point.longitude - center.longitude) * math.cos(math.radians(center.latitude))
    estimate = math.hypot(dlat, dlon) * MILES_PER_DEGREE
    if estimate < radius_miles * 0.99:
        return True
    if estimate > radius_miles * 1.01:
        return False
    return geo.distance_miles(center, point) <= radius_miles


def school_place(school: School) -> geo.Place | None:
    """The school as a geo.Place, so service areas can be tested with geo.covers."""
    if school.latitude is None or school.longitude is None:
        return None
    return geo.Place(
        point=geo.Point(school.latitude, school.longitude),
        label=school.city,
        kind="place",
        city=school.city,
        county=_county_of_zip(school.postal_code) if school.postal_code else None,
        postal_code=school.postal_code or None,
    )


def reaching(
    index: SupplyIndex, school: School, radius_miles: float = DEFAULT_RADIUS_MILES
) -> list[ServiceFacts]:
    """Services with a location within ``radius_miles`` or an area covering the school."""
    place = school_place(school)
    if place is None:
        return []
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.point, radius_miles)
    (low_row, low_col) = _cell(geo.Point(min_lat, min_lon))
    (high_row, high_col) = _cell(geo.Point(max_lat, max_lon))
    found: dict[str, ServiceFacts] = {}
    for row in range(low_row, high_row + 1):
        for col in range(low_col, high_col + 1):
            for point, service in index.by_cell.get((row, col), ()):
                if service.id not in found and _within(place.point, point, radius_miles):
                    found[service.id] = service
    for (kind, name), services in index.by_area.items():
        if geo.covers(kind, name, place):
            found.update((s.id, s) for s in services)
    return sorted(found.values(), key=lambda s: s.id)


def summarize(index: SupplyIndex, services: Iterable[ServiceFacts]) -> Supply:
    """Count ``services`` per barrier and per language (direct or interpreter only)."""
    services = list(services)
    serving: dict[str, list[ServiceFacts]] = defaultdict(list)
    for service in services:
        for code in service.barriers:
            serving[code].append(service)
    rows = []
    for barrier in index.barriers:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for service in serving[barrier.code]:
            for code, direct in service.languages.items():
                counts[code][0 if direct else 1] += 1
        rows.append(
            BarrierSupply(
                barrier=barrier,
                service_ids=frozenset(s.id for s in serving[barrier.code]),
                by_language={c: LanguageSupply(d, i) for c, (d, i) in counts.items()},
            )
        )
    return Supply(
        barriers=rows,
        language_codes=index.language_codes,
        service_ids=frozenset(s.id for s in services),
    )


def school_supply(
    index: SupplyIndex, school: School, radius_miles: float = DEFAULT_RADIUS_MILES
) -> Supply:
    return summarize(index, reaching(index, school, radius_miles))


@dataclass(frozen=True)
class SchoolReach:
    """How many services reach one school, in all and per pillar (the county's school table)."""

    total: int
    by_pillar: dict[str, int]


def county_supply(
    index: SupplyIndex, schools: Sequence[School], radius_miles: float = DEFAULT_RADIUS_MILES
) -> tuple[Supply, dict[str, SchoolReach]]:
    """The services that reach any school, by barrier; and per school, counts per pillar."""
    pillar_of = {b.code: b.pillar for b in index.barriers}
    per_school: dict[str, SchoolReach] = {}
    union: dict[str, ServiceFacts] = {}
    for school in schools:
        found = reaching(index, school, radius_miles)
        pillars = Counter(p for s in found for p in {pillar_of[c] for c in s.barriers})
        per_school[school.key] = SchoolReach(len(found), {p: pillars[p] for p in PILLARS})
        union.update((s.id, s) for s in found)
    return summarize(index, union.values()), per_school


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    label: str


def partner_locations(session: Session) -> list[MapPoint]:
    """Locations of published organizations that host at least one active service."""
    rows = session.execute(
        select(Location.latitude, Location.longitude, Organization.name)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            Service.status == "active",
            Organization.published.is_(True),
            Location.latitude.is_not(None),
            Location.longitude.is_not(None),
        )
        .distinct()
    )
    return [MapPoint(lat, lon, name) for lat, lon, name in rows]
