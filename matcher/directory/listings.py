"""Read model of the public directory: what a family or coordinator sees of a listing.

Builds plain dataclasses from the ORM so templates, JSON and printed handouts
render the same facts without logic of their own. Labels that need translation
are passed in as ``labels`` by the web layer (this module does not import Flask).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.core.text import unique_by
from matcher.directory import hours, languages
from matcher.directory.public_text import phone_kind, public_text
from matcher.models import (
    PRIMARY_LOCALE,
    LocalizedText,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)

STALE_AFTER = timedelta(days=365)


@dataclass(frozen=True)
class AddressView:
    location_id: str
    name: str | None
    line: str
    latitude: float | None
    longitude: float | None
    approximate: bool


@dataclass(frozen=True)
class LanguageView:
    code: str
    name: str
    interpreter: bool


@dataclass
class ServiceView:
    id: str
    status: str
    name: LocalizedText
    description: LocalizedText
    eligibility: LocalizedText
    application_process: LocalizedText
    fees: LocalizedText
    cost: str | None
    organization_id: str
    organization_name: str
    addresses: list[AddressView]
    phones: list[tuple[str, str]]  # (number, kind of line: matcher.directory.public_text)
    weekly_hours: list[tuple[str, str]]
    hours_notes: list[str]
    languages: list[LanguageView]
    categories: list[tuple[str, str]]  # (term id, label)
    service_areas: list[str]
    minimum_age: int | None
    maximum_age: int | None
    interpretation_services: str | None
    id_required: bool | None
    accepting_referrals: bool | None
    url: str | None
    email: str | None
    last_verified_at: datetime | None
    source: str | None
    english_only_fields: list[str] = field(default_factory=list)

    @property
    def is_sample(self) -> bool:
        return self.source is not None and self.last_verified_at is None

    @property
    def may_be_out_of_date(self) -> bool:
        if self.last_verified_at is None:
            return False
        verified = self.last_verified_at
        if verified.tzinfo is None:
            verified = verified.replace(tzinfo=UTC)
        return datetime.now(UTC) - verified > STALE_AFTER


def _service_query():
    return select(Service).options(
        selectinload(Service.organization),
        selectinload(Service.taxonomy_terms),
        selectinload(Service.languages),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.phones),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.addresses),
    )


def get_public_service(session: Session, service_id: str) -> Service | None:
    """A service whose organization is published (any status: defunct pages say so)."""
    service = session.scalars(_service_query().where(Service.id == service_id)).first()
    if service is None or not service.organization.published:
        return None
    return service


def get_public_organization(session: Session, organization_id: str) -> Organization | None:
    org = session.get(Organization, organization_id)
    if org is None or not org.published:
        return None
    return org


def list_public_organizations(session: Session) -> list[Organization]:
    return list(
        session.scalars(
            select(Organization).where(Organization.published.is_(True)).order_by(Organization.name)
        )
    )


def addresses(service: Service) -> list[AddressView]:
    out = []
    for location in service.locations:
        address = location.physical_address
        if location.location_type == "virtual" and not address:
            continue
        out.append(
            AddressView(
                location_id=location.id,
                name=location.name,
                line=address.one_line() if address else "",
                latitude=location.latitude,
                longitude=location.longitude,
                approximate=location.coordinates_source in ("zip_centroid", "city"),
            )
        )
    return out


def language_views(service: Service, locale: str) -> list[LanguageView]:
    return [
        LanguageView(
            lang.code or "", languages.name(lang.code or lang.name or "", locale), lang.interpreter
        )
        for lang in service.languages
        if lang.code or lang.name
    ]


def public_localized(text: LocalizedText) -> LocalizedText:
    return replace(text, value=public_text(text.value))


def phone_views(phones) -> list[tuple[str, str]]:
    """(number, kind) pairs: the interface labels each kind in the reader's language."""
    return [(p.number, phone_kind(p.description)) for p in phones if p.number]


def service_view(service: Service, locale: str) -> ServiceView:
    """Everything a listing page shows, in ``locale`` where a translation exists."""
    text = {f: public_localized(service.text(f, locale)) for f in Service.TRANSLATED_FIELDS}
    english_only = [
        f
        for f, value in text.items()
        if locale != PRIMARY_LOCALE and value.value and not value.is_in(locale)
    ]
    org = service.organization
    phones = phone_views(service.phones) or phone_views(org.phones)
    areas = []
    for area in service.service_areas:
        if area.kind == "county":
            areas.append(f"condado de {area.name}" if locale == "es" else f"{area.name} County")
        elif area.name:
            areas.append(area.name)
        elif area.description:
            areas.append(area.description)
    return ServiceView(
        id=service.id,
        status=service.status,
        name=text["name"],
        description=text["description"],
        eligibility=text["eligibility_description"],
        application_process=text["application_process"],
        fees=text["fees_description"],
        cost=service.cost,
        organization_id=org.id,
        organization_name=org.text("name", locale).value or org.name,
        addresses=addresses(service),
        phones=phones,
        weekly_hours=hours.weekly_lines(service.schedules, locale),
        hours_notes=[n for n in map(public_text, hours.schedule_notes(service.schedules)) if n],
        languages=language_views(service, locale),
        categories=unique_by(  # each category once: a term and its copy share a label
            ((t.id, t.label(locale)) for t in service.taxonomy_terms),
            lambda term: term[1].casefold(),
        ),
        service_areas=areas,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        interpretation_services=public_text(service.interpretation_services),
        id_required=service.id_required,
        accepting_referrals=service.accepting_referrals,
        url=service.url,
        email=service.email,
        last_verified_at=service.last_verified_at,
        source=org.source,
        english_only_fields=english_only,
    )
