"""The partner directory, aligned with Open Referral HSDS 3.0.

Table and column names follow HSDS 3.0 (organization, service, location, address,
phone, schedule, language, service_area, contact, cost_option, required_document,
service_at_location) so that import and export are a mapping, not a translation.
Enlace's own additions are few and named: ``cost`` (free / sliding scale / fee, a
summary of the HSDS cost options that filters can use), ``accepting_referrals``,
``id_required``, ``Language.interpreter`` and ``ServiceArea.kind``.

Translated text
---------------
Each record keeps its text in the columns HSDS defines (``name``, ``description``,
``eligibility_description``, ``application_process``...): that is the listing's
*primary* text, usually English, and it is what HSDS exports carry. Text in other
languages lives in one translation table per translatable entity
(``service_translation``, ``organization_translation``): one row per (record,
locale), with the same translatable columns, each nullable. Why this design:

* the HSDS columns stay exactly HSDS, so exchange with 2-1-1s is lossless;
* adding Vietnamese or Mixteco text later is rows, not a migration;
* a missing translation is visible (no row or a NULL field), so pages can say
  "available in English only" honestly instead of silently showing English.

``Service.text(field, locale)`` returns the text and the locale it is really in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, HSDSExtra, Timestamps, UUIDPrimaryKey, new_id

PRIMARY_LOCALE = "en"


def parent_id(table: str):
    """Foreign key to the owning record; rows are deleted with their parent."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def owned(back_populates: str | None = None, **options):
    """A one-to-many collection whose rows belong to the parent and die with it."""
    return relationship(back_populates=back_populates, cascade="all, delete-orphan", **options)


SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
COST_KINDS = ("free", "sliding_scale", "fee")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class LocalizedText:
    """A piece of listing text and the locale it is actually written in."""

    value: str | None
    locale: str

    def is_in(self, locale: str) -> bool:
        return self.locale == locale


class Translatable:
    """Mixin: look up a field in the requested locale, falling back to primary text."""

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ()
    translations: list  # provided by each model

    def translation(self, locale: str):
        return next((t for t in self.translations if t.locale == locale), None)

    def text(self, field: str, locale: str) -> LocalizedText:
        if field not in self.TRANSLATED_FIELDS:
            raise KeyError(field)
        if locale != PRIMARY_LOCALE:
            row = self.translation(locale)
            value = getattr(row, field, None) if row else None
            if value:
                return LocalizedText(value, locale)
        return LocalizedText(getattr(self, field), PRIMARY_LOCALE)

    def set_translation(self, locale: str, **values: str | None) -> None:
        """Create or update the translation row for ``locale``."""
        row = self.translation(locale)
        if row is None:
            row = self._translation_class()(locale=locale)
            self.translations.append(row)
        for field, value in values.items():
            if field not in self.TRANSLATED_FIELDS:
                raise KeyError(field)
            setattr(row, field, value or None)

    @classmethod
    def _translation_class(cls):
        return cls.translations.property.mapper.class_  # type: ignore[attr-defined]


class Organization(UUIDPrimaryKey, Timestamps, Translatable, HSDSExtra, Base):
    __tablename__ = "organization"
    TRANSLATED_FIELDS = ("name", "description")

    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(500))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(String(100))
    tax_status: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[str | None] = mapped_column(String(500))
    uri: Mapped[str | None] = mapped_column(String(500))
    # Another publisher's id: not a foreign key, the parent may live elsewhere.
    parent_organization_id: Mapped[str | None] = mapped_column(String(36))
    # Provenance: where the record came from, shown to users ("sample data ...").
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Unpublished organizations (pending review, or taken down by an admin) are
    # never shown or indexed.
    published: Mapped[bool] = mapped_column(Boolean, default=True)

    services: Mapped[list[Service]] = owned("organization", order_by="Service.name")
    locations: Mapped[list[Location]] = owned("organization", order_by="Location.name")
    phones: Mapped[list[Phone]] = owned("organization")
    contacts: Mapped[list[Contact]] = owned("organization")
    translations: Mapped[list[OrganizationTranslation]] = owned(lazy="selectin")


class TranslationRow:
    """Columns every translation table has: one row per (record, locale)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    locale: Mapped[str] = mapped_column(String(10))
    name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)


class OrganizationTranslation(TranslationRow, Base):
    __tablename__ = "organization_translation"
    __table_args__ = (UniqueConstraint("organization_id", "locale"),)

    organization_id: Mapped[str] = parent_id("organization")


service_taxonomy_term = Table(
    "service_taxonomy_term",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "taxonomy_term_id", ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Service(UUIDPrimaryKey, Timestamps, Translatable, HSDSExtra, Base):
    __tablename__ = "service"
    TRANSLATED_FIELDS = (
        "name",
        "description",
        "eligibility_description",
        "application_process",
        "fees_description",
    )
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name="status"
        ),
        CheckConstraint("cost IS NULL OR cost IN ('free', 'sliding_scale', 'fee')", name="cost"),
        CheckConstraint(
            "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
            name="age_range",
        ),
    )

    organization_id: Mapped[str] = parent_id("organization")
    program_id: Mapped[str | None] = mapped_column(
        ForeignKey("program.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(String(20))
    wait_time: Mapped[str | None] = mapped_column(String(200))
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    alert: Mapped[str | None] = mapped_column(Text)
    licenses: Mapped[str | None] = mapped_column(Text)
    assurer_email: Mapped[str | None] = mapped_column(String(320))
    accepting_referrals: Mapped[bool | None] = mapped_column(Boolean)
    # None: unknown. False: the listing states that no ID or SSN is required.
    id_required: Mapped[bool | None] = mapped_column(Boolean)
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="services")
    translations: Mapped[list[ServiceTranslation]] = owned(lazy="selectin")
    taxonomy_terms: Mapped[list[TaxonomyTerm]] = relationship(  # noqa: F821
        secondary=service_taxonomy_term, order_by="TaxonomyTerm.code"
    )
    languages: Mapped[list[Language]] = owned("service", order_by="Language.code")
    service_at_locations: Mapped[list[ServiceAtLocation]] = owned("service")
    schedules: Mapped[list[Schedule]] = owned("service", order_by="Schedule.byday")
    service_areas: Mapped[list[ServiceArea]] = owned("service")
    phones: Mapped[list[Phone]] = owned("service")
    cost_options: Mapped[list[CostOption]] = owned("service")
    required_documents: Mapped[list[RequiredDocument]] = owned("service")
    contacts: Mapped[list[Contact]] = owned("service")

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def locations(self) -> list[Location]:
        return [sal.location for sal in self.service_at_locations]

    @property
    def language_codes(self) -> list[str]:
        return [lang.code for lang in self.languages if lang.code]

    @property
    def interpreted_codes(self) -> list[str]:
        """Languages offered only through an interpreter (no staff member speaks them)."""
        spoken = {lang.code for lang in self.languages if lang.code and not lang.interpreter}
        return [c for c in self.language_codes if c not in spoken]


class ServiceTranslation(TranslationRow, Base):
    __tablename__ = "service_translation"
    __table_args__ = (UniqueConstraint("service_id", "locale"),)

    service_id: Mapped[str] = parent_id("service")
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)


class Location(UUIDPrimaryKey, Timestamps, HSDSExtra, Base):
    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("location_type IN ('physical', 'postal', 'virtual')", name="type"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    organization_id: Mapped[str | None] = parent_id("organization")
    location_type: Mapped[str] = mapped_column(String(20), default="physical")
    url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    # How the point was obtained: 'source' (given by the data), 'zip_centroid', 'city'.
    coordinates_source: Mapped[str | None] = mapped_column(String(20))
    external_identifier: Mapped[str | None] = mapped_column(String(200))
    external_identifier_type: Mapped[str | None] = mapped_column(String(200))

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = owned("location")
    phones: Mapped[list[Phone]] = owned("location")
    languages: Mapped[list[Language]] = owned("location")
    schedules: Mapped[list[Schedule]] = owned("location")
    service_at_locations: Mapped[list[ServiceAtLocation]] = owned("location")

    @property
    def physical_address(self) -> Address | None:
        return next((a for a in self.addresses if a.address_type == "physical"), None) or (
            self.addresses[0] if self.addresses else None
        )

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Address(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "address"

    location_id: Mapped[str] = parent_id("location")
    attention: Mapped[str | None] = mapped_column(String(200))
    address_1: Mapped[str | None] = mapped_column(String(300))
    address_2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    state_province: Mapped[str] = mapped_column(String(100), default="CA")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    address_type: Mapped[str] = mapped_column(String(20), default="physical")

    location: Mapped[Location] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        street = ", ".join(p for p in (self.address_1, self.address_2) if p)
        place = f"{self.city}, {self.state_province} {self.postal_code}".strip()
        return f"{street}, {place}" if street else place


class ServiceAtLocation(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    service_id: Mapped[str] = parent_id("service")
    location_id: Mapped[str] = parent_id("location")
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")


class Phone(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "phone"

    organization_id: Mapped[str | None] = parent_id("organization")
    service_id: Mapped[str | None] = parent_id("service")
    location_id: Mapped[str | None] = parent_id("location")
    contact_id: Mapped[str | None] = parent_id("contact")
    service_at_location_id: Mapped[str | None] = parent_id("service_at_location")
    number: Mapped[str] = mapped_column(String(50))
    extension: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    service: Mapped[Service | None] = relationship(back_populates="phones")
    location: Mapped[Location | None] = relationship(back_populates="phones")
    contact: Mapped[Contact | None] = relationship(back_populates="phones")


class Contact(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "contact"

    organization_id: Mapped[str | None] = parent_id("organization")
    service_id: Mapped[str | None] = parent_id("service")
    service_at_location_id: Mapped[str | None] = parent_id("service_at_location")
    location_id: Mapped[str | None] = parent_id("location")
    name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))

    organization: Mapped[Organization | None] = relationship(back_populates="contacts")
    service: Mapped[Service | None] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = relationship(back_populates="contact")


class Schedule(UUIDPrimaryKey, HSDSExtra, Base):
    """Weekly opening hours (HSDS RRULE subset: FREQ=WEEKLY, BYDAY) plus free-text notes.

    One row per opening window; ``byday`` holds one or more comma-separated
    weekday codes. A schedule with only ``description`` (e.g. "by appointment")
    is allowed: it is shown, but never matches an "open at" filter.
    """

    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint("freq IS NULL OR freq IN ('WEEKLY', 'MONTHLY')", name="freq"),
    )

    service_id: Mapped[str | None] = parent_id("service")
    location_id: Mapped[str | None] = parent_id("location")
    service_at_location_id: Mapped[str | None] = parent_id("service_at_location")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The rest of the HSDS repeat rule, kept for exchange (opening hours read freq/byday).
    dtstart: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    byweekno: Mapped[str | None] = mapped_column(String(200))
    bymonthday: Mapped[str | None] = mapped_column(String(200))
    byyearday: Mapped[str | None] = mapped_column(String(200))
    schedule_link: Mapped[str | None] = mapped_column(String(500))
    attending_type: Mapped[str | None] = mapped_column(Text)
    # HSDS ``timezone``: a UTC offset in hours (``timezone`` below is Enlace's IANA name).
    utc_offset: Mapped[float | None] = mapped_column(Float)
    freq: Mapped[str | None] = mapped_column(String(10), default="WEEKLY")
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(40))
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str | None] = mapped_column(String(40), default="America/Los_Angeles")
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="schedules")
    location: Mapped[Location | None] = relationship(back_populates="schedules")

    @property
    def days(self) -> list[str]:
        return [d for d in (self.byday or "").split(",") if d]


class Language(UUIDPrimaryKey, HSDSExtra, Base):
    """A language a service offers: ISO 639-1 (``es``) or 639-3 (``mix``) code and a name.

    ``interpreter`` is Enlace's addition: True when the language is offered only
    through an interpreter rather than by staff who speak it.
    """

    __tablename__ = "language"

    service_id: Mapped[str | None] = parent_id("service")
    location_id: Mapped[str | None] = parent_id("location")
    phone_id: Mapped[str | None] = parent_id("phone")
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(10), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    interpreter: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service | None] = relationship(back_populates="languages")
    location: Mapped[Location | None] = relationship(back_populates="languages")


class ServiceArea(UUIDPrimaryKey, HSDSExtra, Base):
    """Where a service is delivered when it is not (only) at its locations.

    ``kind`` is one of ``county`` (``name`` holds the county, e.g. "Monterey"),
    ``city`` (``name`` holds a city or community name), ``postal_code``, or
    ``text`` (only ``description``; shown to people, never used for coverage).
    """

    __tablename__ = "service_area"
    __table_args__ = (
        CheckConstraint("kind IN ('county', 'city', 'postal_code', 'text')", name="kind"),
    )

    service_id: Mapped[str | None] = parent_id("service")
    kind: Mapped[str] = mapped_column(String(20), default="text")
    name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(20))
    uri: Mapped[str | None] = mapped_column(String(500))

    service: Mapped[Service | None] = relationship(back_populates="service_areas")


class CostOption(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "cost_option"

    service_id: Mapped[str] = parent_id("service")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")


class RequiredDocument(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "required_document"

    service_id: Mapped[str] = parent_id("service")
    document: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))

    service: Mapped[Service] = relationship(back_populates="required_documents")


__all__ = [
    "COST_KINDS",
    "PRIMARY_LOCALE",
    "SERVICE_STATUSES",
    "WEEKDAYS",
    "Address",
    "Contact",
    "CostOption",
    "Language",
    "LocalizedText",
    "Location",
    "Organization",
    "OrganizationTranslation",
    "Phone",
    "RequiredDocument",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceTranslation",
    "new_id",
    "service_taxonomy_term",
]
