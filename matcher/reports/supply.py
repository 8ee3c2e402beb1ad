"""Supply (the asset map): which services reach each school, per barrier and language.

A service *reaches* a school when it is active, its organization is published,
and either one of its locations lies within ``radius_miles`` of the school or one
of its service areas covers the school's place (county, city or ZIP code). A
service *serves* a barrier when matching counts it as meeting it
(``matcher.matching.relevance``: through what it is, never a related topic). Counts
are of services, not people, so they are never suppressed.

Why a cache: reading 10,000 services and testing each school against them cost
most of a report. The services come from the matcher's in-memory directory table
(``matcher.matching.table``: read once per process, refreshed when the ``index_change``
outbox moves), and what the reports derive from one table (service facts, each
school's reach per radius, partner locations) is kept with that table, so it is
recomputed only when the directory changes.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.directory import geo, languages, taxonomy
from matcher.matching import table as match_index
from matcher.matching.relevance import Relevance, relevance
from matcher.models import (
    Barrier,
    Location,
    Organization,
    School,
    Service,
    ServiceAtLocation,
)

DEFAULT_RADIUS_MILES = 10.0
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
MAX_MEMO = 2000  # entries kept per directory version (school x radius pairs, partner lists)
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ServiceFacts:
    """What the asset map needs to know about one active, published service."""

    id: str
    barriers: frozenset[str]
    pillars: frozenset[str]
    # language code -> True when staff speak it, False when only through an interpreter.
    languages: dict[str, bool]


class _Derived:
    """The reports' view of one directory table: plain data, shared by every request."""

    def __init__(
        self, table: match_index.DirectoryTable, barrier_key: tuple, model: Relevance
    ) -> None:
        self.barrier_key = barrier_key
        self.model = model
        pillar_of = {code: pillar for code, pillar in barrier_key}
        specialties = model.specialties(table)
        self.services: dict[str, ServiceFacts] = {}
        for row in table.services.values():
            # What matching counts as meeting a barrier (``matcher.matching.relevance``).
            codes = model.barriers_met(row.terms, specialties.get(row.organization_id, _NONE))
            codes &= pillar_of.keys()
            if row.status != "active" or not codes:
                continue
            spoken: dict[str, bool] = {}
            for code, interpreter in row.languages:
                spoken[code.lower()] = spoken.get(code.lower(), False) or not interpreter
            self.services[row.id] = ServiceFacts(
                row.id, frozenset(codes), frozenset(pillar_of[c] for c in codes), spoken
            )
        present = {code for s in self.services.values() for code in s.languages}
        others = sorted(present - set(FEATURED_LANGUAGES), key=lambda c: languages.name(c))
        self.language_codes = (*FEATURED_LANGUAGES, *others)
        self._memo: dict[Any, Any] = {}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered under ``key`` for as long as this directory version."""
        if key not in self._memo:
            if len(self._memo) >= MAX_MEMO:
                self._memo.clear()
            self._memo[key] = compute()
        return self._memo[key]


_derived: weakref.WeakKeyDictionary[match_index.DirectoryTable, _Derived] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


@dataclass
class SupplyIndex:
    """One request's handle: the shared table and its derived facts, plus this
    session's barriers (ORM objects, so never cached across sessions)."""

    table: match_index.DirectoryTable
    derived: _Derived
    barriers: list[Barrier]

    @property
    def language_codes(self) -> tuple[str, ...]:
        """Featured languages first, then every other language offered, by English name."""
        return self.derived.language_codes

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        return self.derived.memo(key, compute)


def load_index(session: Session) -> SupplyIndex:
    """The supply of every active, published service that serves at least one barrier."""
    barriers = taxonomy.barriers(session)
    table = match_index.directory_table(session)
    model = relevance(session, table)
    # Barriers are seed data outside the outbox: the model (their terms) is part of the key.
    barrier_key = tuple((b.code, b.pillar) for b in barriers)
    with _lock:
        derived = _derived.get(table)
        if derived is None or derived.barrier_key != barrier_key or derived.model is not model:
            derived = _derived[table] = _Derived(table, barrier_key, model)
    return SupplyIndex(table, derived, barriers)


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


@cache
def _county_of_zip(postal_code: str) -> str | None:
    """Cached: a ZIP lookup costs ~20 ms and a county report makes one per school."""
    try:
        return geo.resolve_zip(postal_code).county
    except geo.PlaceError:
        return None


def school_place(school: School) -> geo.Place | None:
    """The school as a geo.Place, so service areas can be tested against it."""
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
    """Services with a location within ``radius_miles`` or an area covering the school
    (by service id), remembered per school and radius until the directory changes."""
    place = school_place(school)
    if place is None:
        return []
    key = ("reach", place, radius_miles)
    return index.memo(key, lambda: _reaching(index, place, radius_miles))


def _reaching(index: SupplyIndex, place: geo.Place, radius_miles: float) -> list[ServiceFacts]:
    ids = index.table.within(place, radius_miles).keys() | index.table.covering(place).keys()
    facts = index.derived.services
    return [facts[sid] for sid in sorted(ids) if sid in facts]


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
    per_school: dict[str, SchoolReach] = {}
    union: dict[str, ServiceFacts] = {}
    for school in schools:
        found = reaching(index, school, radius_miles)
        pillars = Counter(p for s in found for p in s.pillars)
        per_school[school.key] = SchoolReach(len(found), {p: pillars[p] for p in PILLARS})
        union.update((s.id, s) for s in found)
    return summarize(index, union.values()), per_school


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    label: str


def partner_locations(session: Session, index: SupplyIndex) -> list[MapPoint]:
    """Locations of published organizations that host at least one active service
    (location, service and organization changes all move the outbox, so it is memoized)."""
    return index.memo("partners", lambda: _partner_locations(session))


def _partner_locations(session: Session) -> list[MapPoint]:
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
