"""Needs records, referrals, consent and unmatched barriers: the district-held layer.

A needs record is pseudonymous by design (domain.md §5): a random family key, the
school, a grade band, languages, barrier codes and dates. There is deliberately no
column for a name, a diagnosis or an immigration status (EC 234.7): names live only in
the district's own systems, reachable through the optional opaque district reference.

Identifiable values (family key, district reference, notes, ZIP, age, referral contact
values and notes) are cleared by ``matcher.families.needs.purge_before``; codes, dates,
statuses, school and language stay for de-identified counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from matcher.models.accounts import User
from matcher.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow
from matcher.models.directory import Organization, Service
from matcher.models.schools import School
from matcher.models.taxonomy import JsonList

GRADE_BANDS = ("TK-2", "3-5", "6-8", "9-12", "adult_other")
REFERRAL_STATUSES = (
    "draft",
    "sent",
    "accepted",
    "in_progress",
    "completed",
    "declined",
    "unable_to_contact",
    "withdrawn",
)
CONTACT_METHODS = ("phone", "text", "email", "in_person")
CONSENT_GIVERS = ("parent_guardian", "eligible_student", "minor_12_plus_mental_health")
MAX_NOTES = 500
MAX_CONTACT = 320


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NeedsRecord(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "needs_record"
    __table_args__ = (CheckConstraint(_in("grade_band", GRADE_BANDS), name="grade_band"),)

    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), index=True)
    # 'F-' + 8 base32 characters; 'purged-<id>' once purged.
    family_key: Mapped[str] = mapped_column(String(50), unique=True)
    district_reference: Mapped[str | None] = mapped_column(String(64))
    grade_band: Mapped[str] = mapped_column(String(20))
    age: Mapped[int | None] = mapped_column(Integer)
    languages_json: Mapped[str] = mapped_column(Text, default="[]")
    home_zip: Mapped[str | None] = mapped_column(String(5))
    near_school: Mapped[bool] = mapped_column(Boolean, default=False)
    # The family prefers services that ask for no documents (ID, proof of income): a
    # preference for matching, never a reason or a status.
    no_documents: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )
    notes: Mapped[str | None] = mapped_column(String(MAX_NOTES))
    created_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    languages = JsonList("languages_json")

    school: Mapped[School] = relationship()
    created_by: Mapped[User | None] = relationship()
    barriers: Mapped[list[NeedsBarrier]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="NeedsBarrier.barrier_code"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="Referral.created_at"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="Consent.created_at"
    )

    @property
    def barrier_codes(self) -> list[str]:
        return [b.barrier_code for b in self.barriers]


class NeedsBarrier(Base):
    __tablename__ = "needs_barrier"

    needs_record_id: Mapped[str] = mapped_column(
        ForeignKey("needs_record.id", ondelete="CASCADE"), primary_key=True
    )
    barrier_code: Mapped[str] = mapped_column(ForeignKey("barrier.code"), primary_key=True)

    record: Mapped[NeedsRecord] = relationship(back_populates="barriers")


class Referral(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
        CheckConstraint(
            f"contact_method IS NULL OR {_in('contact_method', CONTACT_METHODS)}",
            name="contact_method",
        ),
    )

    needs_record_id: Mapped[str] = mapped_column(
        ForeignKey("needs_record.id", ondelete="CASCADE"), index=True
    )
    barrier_code: Mapped[str] = mapped_column(ForeignKey("barrier.code"))
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    follow_up_on: Mapped[date] = mapped_column(Date, index=True)
    contact_method: Mapped[str | None] = mapped_column(String(20))
    contact_value: Mapped[str | None] = mapped_column(String(MAX_CONTACT))
    # The coordinator's note printed on the family's handout.
    note: Mapped[str | None] = mapped_column(String(MAX_NOTES))
    handout_only: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    record: Mapped[NeedsRecord] = relationship(back_populates="referrals")
    service: Mapped[Service | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralEvent.id",
    )


class ReferralEvent(Base):
    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(MAX_NOTES))

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Consent(UUIDPrimaryKey, Base):
    """Written consent to share the minimum fields with one recipient organization."""

    __tablename__ = "consent"
    __table_args__ = (CheckConstraint(_in("given_by", CONSENT_GIVERS), name="given_by"),)

    needs_record_id: Mapped[str] = mapped_column(
        ForeignKey("needs_record.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    given_by: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    given_on: Mapped[date] = mapped_column(Date)
    fields_shared_json: Mapped[str] = mapped_column(Text, default="[]")
    expires_on: Mapped[date] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    fields_shared = JsonList("fields_shared_json")

    record: Mapped[NeedsRecord] = relationship(back_populates="consents")
    organization: Mapped[Organization] = relationship()

    def active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.given_on <= day <= self.expires_on


class MatchGap(Base):
    """A barrier for which a coordinator's match found no acceptable service."""

    __tablename__ = "match_gap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_id: Mapped[str | None] = mapped_column(
        ForeignKey("school.id", ondelete="SET NULL"), index=True
    )
    # Counted once per needs record and barrier, however often the matches page is opened.
    needs_record_id: Mapped[str | None] = mapped_column(
        ForeignKey("needs_record.id", ondelete="SET NULL"), index=True
    )
    barrier_code: Mapped[str] = mapped_column(ForeignKey("barrier.code"))
    language: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = [
    "CONSENT_GIVERS",
    "CONTACT_METHODS",
    "GRADE_BANDS",
    "REFERRAL_STATUSES",
    "Consent",
    "MatchGap",
    "NeedsBarrier",
    "NeedsRecord",
    "Referral",
    "ReferralEvent",
]
