"""What the matcher reads of each listed service: one ``ServiceRow`` per service, read
in a fixed handful of column queries (no ORM objects, no N+1), hours already reduced to
flags and free-text facts (``matcher.matching.facts``) to booleans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from matcher.directory import hours, service_areas
from matcher.matching.facts import adults_only, needs_appointment
from matcher.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_taxonomy_term,
)


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service as the rules and the score see it (hours already reduced to flags)."""

    id: str
    organization_id: str
    name: str
    status: str
    cost: str | None
    minimum_age: int | None
    maximum_age: int | None
    accepting_referrals: bool | None
    interprets: bool  # states interpretation services
    last_verified_at: datetime | None
    terms: frozenset[str]
    languages: tuple[tuple[str, bool], ...]  # (code, via interpreter)
    # (latitude, longitude, a real address?, ZIP code, city) of each location with a point.
    points: tuple[tuple[float, float, bool, str | None, str | None], ...]
    areas: tuple[tuple[str, str], ...]  # (kind, name) of named service areas
    open_24_7: bool
    weekend: str | None  # 'open_saturdays', 'open_sundays' or None
    evenings: bool
    documents: bool = False  # lists required documents
    id_required: bool | None = None
    appointment: bool = False  # how to apply says an appointment is needed
    phone: bool = False  # has a phone number of its own
    bounded: bool = False  # an area we can place: the areas decide reach, not distance
    adults_only: bool = False  # the eligibility names an adult audience only

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(sorted(code for code, _interpreter in self.languages))


@dataclass(frozen=True, slots=True)
class _Hours:
    """The schedule fields ``matcher.directory.hours`` reads, without an ORM object."""

    days: tuple[str, ...]
    opens_at: time | None
    closes_at: time | None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _weekend(schedules: list[_Hours]) -> str | None:
    days = {w.day for w in hours.windows(schedules)}  # type: ignore[arg-type]
    if "SA" in days:
        return "open_saturdays"
    return "open_sundays" if "SU" in days else None


def read_rows(session: Session, ids: set[str] | None = None) -> list[ServiceRow]:
    """Listed services' rows in a fixed handful of column queries: no ORM objects, no N+1.

    ``ids`` limits the reads to those services (an incremental refresh).
    """

    def only(column):
        return column.in_(ids) if ids is not None else true()

    listed = (
        select(Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Organization.published.is_(True), Service.status != "defunct")
    )
    link = service_taxonomy_term.c
    children: dict[str, dict[str, list]] = {
        key: {} for key in ("terms", "languages", "points", "areas", "hours", "documents", "phones")
    }
    queries = {
        "terms": select(link.service_id, link.taxonomy_term_id).where(only(link.service_id)),
        "languages": select(Language.service_id, Language.code, Language.interpreter).where(
            Language.code.is_not(None), only(Language.service_id)
        ),
        "points": select(
            ServiceAtLocation.service_id,
            Location.latitude,
            Location.longitude,
            Location.coordinates_source,
            Address.postal_code,
            Address.city,
        )
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .outerjoin(
            Address,
            (Address.location_id == Location.id) & (Address.address_type == "physical"),
        )
        .where(
            Location.latitude.is_not(None),
            Location.longitude.is_not(None),
            only(ServiceAtLocation.service_id),
        ),
        "areas": select(ServiceArea.service_id, ServiceArea.kind, ServiceArea.name).where(
            ServiceArea.name.is_not(None), only(ServiceArea.service_id)
        ),
        "documents": select(RequiredDocument.service_id, RequiredDocument.id).where(
            only(RequiredDocument.service_id)
        ),
        "phones": select(Phone.service_id, Phone.id).where(
            Phone.service_id.is_not(None), only(Phone.service_id)
        ),
        "hours": select(
            Schedule.service_id, Schedule.byday, Schedule.opens_at, Schedule.closes_at
        ).where(Schedule.service_id.is_not(None), only(Schedule.service_id)),
    }
    for key, query in queries.items():
        for sid, *values in session.execute(query):
            if key == "languages":
                values = [values[0], bool(values[1])]
            elif key == "points":
                latitude, longitude, source, postal, city = values
                exact = source not in service_areas.APPROXIMATE_SOURCES
                values = [(latitude, longitude, exact, (postal or "")[:5] or None, city or None)]
            elif key == "hours":
                days = tuple(d for d in (values[0] or "").split(",") if d)
                values = [_Hours(days, values[1], values[2])]
            children[key].setdefault(sid, []).append(
                values[0] if len(values) == 1 else tuple(values)
            )
    rows = []
    for columns in session.execute(
        select(
            Service.id,
            Service.organization_id,
            Service.name,
            Service.status,
            Service.cost,
            Service.minimum_age,
            Service.maximum_age,
            Service.accepting_referrals,
            Service.interpretation_services,
            Service.last_verified_at,
            Service.id_required,
            Service.application_process,
            Service.eligibility_description,
        ).where(Service.id.in_(listed), only(Service.id))
    ):
        sid = columns[0]
        schedules = children["hours"].get(sid, [])
        areas = tuple(sorted(children["areas"].get(sid, ())))
        rows.append(
            ServiceRow(
                *columns[:8],
                interprets=bool((columns[8] or "").strip()),
                last_verified_at=_aware(columns[9]),
                terms=frozenset(children["terms"].get(sid, ())),
                # Sorted: a refresh reads rows in another order than a full scan.
                languages=tuple(sorted(children["languages"].get(sid, ()))),
                points=tuple(sorted(set(children["points"].get(sid, ())), key=_site_order)),
                areas=areas,
                open_24_7=hours.is_always_open(schedules),  # type: ignore[arg-type]
                weekend=_weekend(schedules),
                evenings=hours.open_evenings(schedules),  # type: ignore[arg-type]
                documents=sid in children["documents"],
                id_required=columns[10],
                appointment=needs_appointment(columns[11]),
                phone=sid in children["phones"],
                bounded=any(service_areas.area_scope(kind, name) for kind, name in areas),
                adults_only=adults_only(columns[12]),
            )
        )
    return rows


def _site_order(site: tuple) -> tuple:
    """Sort key for a location: None-safe, so every read lists them in one order."""
    return tuple("" if value is None else value for value in site)
