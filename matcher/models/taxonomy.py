"""Service taxonomies (Open Eligibility plus Enlace's local terms) and school barriers.

A taxonomy term carries its English and Spanish label and search aliases in both
languages as columns: unlike listing text, every term *must* have both labels
(they are reviewed data in ``seed_data/reference/taxonomy/terms.csv``), so a translation
table would only add joins. Terms imported from other taxonomies keep whatever
labels they came with.
"""

from __future__ import annotations

import json

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, HSDSExtra, Timestamps, UUIDPrimaryKey


class JsonList:
    """Expose a JSON-text column as a Python list of strings."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __get__(self, obj, owner=None) -> list[str]:
        if obj is None:
            return self  # type: ignore[return-value]
        return json.loads(getattr(obj, self.column) or "[]")

    def __set__(self, obj, values: list[str]) -> None:
        setattr(obj, self.column, json.dumps(list(values), ensure_ascii=False))


class Taxonomy(UUIDPrimaryKey, Timestamps, HSDSExtra, Base):
    __tablename__ = "taxonomy"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(50))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy")


class TaxonomyTerm(UUIDPrimaryKey, Timestamps, HSDSExtra, Base):
    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)

    taxonomy_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    # JSON lists of lower-case aliases; kept as text so SQLite and PostgreSQL agree.
    aliases_en_json: Mapped[str] = mapped_column(Text, default="[]")
    aliases_es_json: Mapped[str] = mapped_column(Text, default="[]")
    # Ohana's renumbering of Open Eligibility (e.g. "102-04"), for importing old data.
    alternate_code: Mapped[str | None] = mapped_column(String(100), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    term_uri: Mapped[str | None] = mapped_column(String(500))
    depth: Mapped[int] = mapped_column(Integer, default=0)

    taxonomy: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(
        remote_side="TaxonomyTerm.id", back_populates="children"
    )
    children: Mapped[list[TaxonomyTerm]] = relationship(back_populates="parent")

    aliases_en = JsonList("aliases_en_json")
    aliases_es = JsonList("aliases_es_json")

    def label(self, locale: str) -> str:
        return (self.name_es if locale == "es" else None) or self.name


class Barrier(Base):
    """A student or family barrier a school reports (``seed_data/reference/barriers.csv``)."""

    __tablename__ = "barrier"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    domain: Mapped[str] = mapped_column(String(30))
    pillar: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str] = mapped_column(String(300))
    # '' (none), 'crisis' (show crisis lines first) or 'mandated_report'.
    urgent: Mapped[str] = mapped_column(String(20), default="")
    note_en: Mapped[str | None] = mapped_column(Text)
    note_es: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    # Every term linked to the barrier, whatever its role (``term_links`` are written).
    terms: Mapped[list[TaxonomyTerm]] = relationship(
        secondary="barrier_term", order_by="TaxonomyTerm.code", viewonly=True
    )
    term_links: Mapped[list[BarrierTerm]] = relationship(cascade="all, delete-orphan")

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" else self.name_en

    def note(self, locale: str) -> str | None:
        return self.note_es if locale == "es" else self.note_en


BARRIER_TERM_ROLES = ("meets", "related")


class BarrierTerm(Base):
    """A term linked to a barrier. ``meets``: a service of this kind meets the barrier.
    ``related``: a way of helping (counseling, a hotline, legal aid, help with forms) that
    meets the barrier only when the service is about it; alone it is a related topic."""

    __tablename__ = "barrier_term"
    __table_args__ = (CheckConstraint("role IN ('meets', 'related')", name="role"),)

    barrier_code: Mapped[str] = mapped_column(
        ForeignKey("barrier.code", ondelete="CASCADE"), primary_key=True
    )
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10), default="meets", server_default="meets")
