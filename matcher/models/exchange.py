"""HSDS 3.0 tables Enlace keeps for exchange, and relations only the exchange reads.

Enlace's own features do not use programs, funding, accessibility notes, organization
identifiers, HSDS metadata, table descriptions or third-party attributes, but a
directory shared with 2-1-1s must give them back as it got them, so they are stored
as HSDS defines them. ``attribute`` and ``metadata`` name their record by id alone
(``link_id``, ``resource_id``: any table, possibly one Enlace does not have), so they
have no foreign key. Service taxonomy links stay in ``service_taxonomy_term``; an
``attribute`` row keeps what a third party's link carried besides the term.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from matcher.models.base import Base, HSDSExtra, UUIDPrimaryKey
from matcher.models.directory import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    parent_id,
)


def _children(name: str, order_by: str | None = None):
    """The parent's collection of these rows; they are deleted with it."""
    return backref(name, cascade="all, delete-orphan", order_by=order_by)


def _owned(target: type, **options):
    return relationship(target, cascade="all, delete-orphan", **options)


class Program(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "program"

    organization_id: Mapped[str] = parent_id("organization")
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(backref=_children("programs", "Program.id"))


class Funding(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "funding"

    organization_id: Mapped[str | None] = parent_id("organization")
    service_id: Mapped[str | None] = parent_id("service")
    source: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization | None] = relationship(
        backref=_children("funding", "Funding.id")
    )
    service: Mapped[Service | None] = relationship(backref=_children("funding", "Funding.id"))


class Accessibility(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "accessibility"

    location_id: Mapped[str | None] = parent_id("location")
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))

    location: Mapped[Location | None] = relationship(
        backref=_children("accessibility", "Accessibility.id")
    )


class OrganizationIdentifier(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "organization_identifier"

    organization_id: Mapped[str] = parent_id("organization")
    identifier_scheme: Mapped[str | None] = mapped_column(String(200))
    identifier_type: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(
        backref=_children("organization_identifiers", "OrganizationIdentifier.id")
    )


class Attribute(UUIDPrimaryKey, HSDSExtra, Base):
    """A third party's attribute (the link to a term with its type, entity and value)."""

    __tablename__ = "attribute"

    link_id: Mapped[str | None] = mapped_column(String(36), index=True)
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[str | None] = mapped_column(String(200))
    link_entity: Mapped[str | None] = mapped_column(String(50))
    value: Mapped[str | None] = mapped_column(Text)


class Metadata(UUIDPrimaryKey, HSDSExtra, Base):
    """HSDS ``metadata``: one change to one field of one record, as the publisher logged it."""

    __tablename__ = "metadata"

    resource_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resource_type: Mapped[str | None] = mapped_column(String(50))
    last_action_date: Mapped[date | None] = mapped_column(Date)
    last_action_type: Mapped[str | None] = mapped_column(String(50))
    field_name: Mapped[str | None] = mapped_column(Text)
    previous_value: Mapped[str | None] = mapped_column(Text)
    replacement_value: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(Text)


class MetaTableDescription(UUIDPrimaryKey, HSDSExtra, Base):
    __tablename__ = "meta_table_description"

    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    character_set: Mapped[str | None] = mapped_column(String(50))


# Relations of the directory's own tables that only the exchange reads.
Service.program = relationship(Program, backref=backref("services", order_by="Service.id"))
Location.contacts = _owned(Contact, order_by=Contact.id)
ServiceAtLocation.contacts = _owned(Contact, order_by=Contact.id)
ServiceAtLocation.phones = _owned(Phone, order_by=Phone.id)
ServiceAtLocation.schedules = _owned(Schedule, order_by=Schedule.id)
Phone.languages = _owned(Language, order_by=Language.id)

__all__ = [
    "Accessibility",
    "Attribute",
    "Funding",
    "MetaTableDescription",
    "Metadata",
    "OrganizationIdentifier",
    "Program",
]
