"""Referrals: a state machine, consent, what a partner may see, and follow-ups (no Flask).

Without an active consent covering the receiving organization a referral is
handout-only: the family carries the handout, and the partner never sees the referral.
With consent the partner sees only the minimum fields (``SHARED_FIELDS``: the family
key, the barrier, the family's languages and the contact method the family chose) and
may move the referral through ``PARTNER_STATUSES``. Every view and change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.core import audit
from matcher.directory import languages
from matcher.families.needs import user_school_ids
from matcher.models import (
    CONSENT_GIVERS,
    CONTACT_METHODS,
    Barrier,
    Consent,
    NeedsRecord,
    Organization,
    Referral,
    ReferralEvent,
    Service,
    User,
)
from matcher.models.needs import MAX_CONTACT, MAX_NOTES

FOLLOW_UP_AFTER = timedelta(days=14)
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"sent", "withdrawn"}),
    "sent": frozenset({"accepted", "declined", "unable_to_contact", "withdrawn"}),
    "accepted": frozenset(
        {"in_progress", "completed", "declined", "unable_to_contact", "withdrawn"}
    ),
    "in_progress": frozenset({"completed", "unable_to_contact", "withdrawn"}),
    "unable_to_contact": frozenset({"sent", "withdrawn"}),
    "completed": frozenset(),
    "declined": frozenset(),
    "withdrawn": frozenset(),
}
# What the receiving organization may report; sending and withdrawing stay with the school.
PARTNER_STATUSES = frozenset(
    {"accepted", "in_progress", "completed", "declined", "unable_to_contact"}
)
OPEN_STATUSES = frozenset({"draft", "sent", "accepted", "in_progress", "unable_to_contact"})
# Minimum necessary (FERPA, domain.md §5): nothing else is ever shown to a partner.
SHARED_FIELDS = ("family_key", "barrier", "language", "contact")
# A minor 12+ may consent alone only to mental-health counseling (Fam. Code 6924).
MINOR_CONSENT_DOMAIN = "social_emotional"
SCHOOL_YEAR_ENDS = (6, 30)


class ReferralError(ValueError):
    """A refused action; ``errors`` lists (field, reason) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(", ".join(f"{f}: {r}" for f, r in errors))
        self.errors = errors


def today() -> date:
    return datetime.now(UTC).date()


def end_of_school_year(day: date) -> date:
    """Consent lasts the school year it was given in (to June 30)."""
    month, last = SCHOOL_YEAR_ENDS
    year = day.year if (day.month, day.day) <= (month, last) else day.year + 1
    return date(year, month, last)


def _is_staff(user: User, referral: Referral) -> bool:
    return user.role in ("coordinator", "liaison") and (
        referral.record.school_id in user_school_ids(user)
    )


def audit_view(referral: Referral) -> dict[str, Any]:
    """Audit snapshot without the contact value or the note (they are purged later)."""
    return {
        "status": referral.status,
        "barrier": referral.barrier_code,
        "service_id": referral.service_id,
        "organization_id": referral.organization_id,
        "handout_only": referral.handout_only,
        "contact_method": referral.contact_method,
        "follow_up_on": referral.follow_up_on,
    }


# --------------------------------------------------------------------------- consent


def active_consent(
    session: Session, record_id: str, organization_id: str | None, day: date | None = None
) -> Consent | None:
    if organization_id is None:
        return None
    day = day or today()
    consents = session.scalars(
        select(Consent)
        .where(Consent.needs_record_id == record_id, Consent.organization_id == organization_id)
        .order_by(Consent.created_at.desc())
    )
    return next((c for c in consents if c.active_on(day)), None)


def _sync_handout_only(session: Session, record: NeedsRecord, organization_id: str) -> None:
    covered = active_consent(session, record.id, organization_id) is not None
    for referral in record.referrals:
        if referral.organization_id == organization_id:
            referral.handout_only = not covered


def record_consent(
    session: Session, user: User, referral: Referral, form: Mapping[str, Any]
) -> Consent:
    """Consent to share ``SHARED_FIELDS`` with the referral's organization, plus the
    contact method the family chose; raises ReferralError with every problem."""
    errors: list[tuple[str, str]] = []
    given_by = str(form.get("given_by") or "")
    if given_by not in CONSENT_GIVERS:
        errors.append(("given_by", "required"))
    elif given_by == "minor_12_plus_mental_health":
        barrier = session.get(Barrier, referral.barrier_code)
        if barrier is None or barrier.domain != MINOR_CONSENT_DOMAIN:
            errors.append(("given_by", "minor_mental_health_only"))
    language = str(form.get("language") or "")
    if not languages.is_known(language):
        errors.append(("language", "required"))
    method = str(form.get("contact_method") or "")
    value = " ".join(str(form.get("contact_value") or "").split()) or None
    if method not in CONTACT_METHODS:
        errors.append(("contact_method", "required"))
    elif method != "in_person" and not value:
        errors.append(("contact_value", "required"))
    if value and len(value) > MAX_CONTACT:
        errors.append(("contact_value", "too_long"))
    if not form.get("confirmed"):
        errors.append(("confirmed", "required"))
    if referral.organization_id is None:
        errors.append(("organization", "unknown_organization"))
    if errors:
        raise ReferralError(errors)
    given_on = today()
    before = audit_view(referral)
    consent = Consent(
        needs_record_id=referral.needs_record_id,
        referral_id=referral.id,
        organization_id=referral.organization_id,
        given_by=given_by,
        language=language,
        given_on=given_on,
        expires_on=end_of_school_year(given_on),
        recorded_by_id=user.id,
    )
    consent.fields_shared = list(SHARED_FIELDS)
    session.add(consent)
    referral.contact_method = method
    referral.contact_value = value if method != "in_person" else None
    session.flush()
    _sync_handout_only(session, referral.record, referral.organization_id)
    audit.record(
        session,
        user,
        "consent.create",
        consent,
        None,
        {
            "organization_id": consent.organization_id,
            "given_by": given_by,
            "language": language,
            "fields_shared": consent.fields_shared,
            "expires_on": consent.expires_on,
        },
    )
    audit.record(session, user, "referral.update", referral, before, audit_view(referral))
    return consent


def revoke_consent(session: Session, user: User, consent: Consent) -> None:
    """Revoked consent hides every referral to that organization from the partner at once."""
    consent.revoked_at = datetime.now(UTC)
    _sync_handout_only(session, consent.record, consent.organization_id)
    audit.record(session, user, "consent.revoke", consent, {"revoked": False}, {"revoked": True})


def partner_visible(session: Session, referral: Referral, day: date | None = None) -> bool:
    return (
        not referral.handout_only
        and referral.status != "draft"
        and active_consent(session, referral.needs_record_id, referral.organization_id, day)
        is not None
    )


# --------------------------------------------------------------------------- creating


def create_referrals(
    session: Session,
    user: User,
    record: NeedsRecord,
    choices: Sequence[tuple[str, str]],
    note: str | None = None,
) -> list[Referral]:
    """Draft referrals for chosen (barrier code, service id) pairs; repeats are skipped."""
    note = (note or "").strip() or None
    if not choices:
        raise ReferralError([("services", "required")])
    if note and len(note) > MAX_NOTES:
        raise ReferralError([("note", "too_long")])
    existing = {(r.barrier_code, r.service_id) for r in record.referrals if r.status != "withdrawn"}
    created = []
    for barrier_code, service_id in dict.fromkeys(choices):
        service = session.get(Service, service_id)
        if (
            barrier_code not in record.barrier_codes
            or service is None
            or service.status != "active"
            or not service.organization.published
        ):
            raise ReferralError([("services", "unknown_service")])
        if (barrier_code, service_id) in existing:
            continue
        referral = Referral(
            barrier_code=barrier_code,
            service_id=service.id,
            organization_id=service.organization_id,
            status="draft",
            follow_up_on=today() + FOLLOW_UP_AFTER,
            note=note,
            handout_only=active_consent(session, record.id, service.organization_id) is None,
            created_by_id=user.id,
        )
        record.referrals.append(referral)
        referral.events.append(ReferralEvent(from_status=None, to_status="draft", actor_id=user.id))
        session.flush()
        audit.record(session, user, "referral.create", referral, None, audit_view(referral))
        created.append(referral)
    return created


# --------------------------------------------------------------------------- status


def allowed_statuses(session: Session, user: User, referral: Referral) -> list[str]:
    """The statuses ``user`` may move the referral to now, in the catalogue's order."""
    nexts = TRANSITIONS[referral.status]
    if _is_staff(user, referral):
        allowed = nexts
    elif (
        user.role == "partner"
        and referral.organization_id in {o.id for o in user.organizations}
        and partner_visible(session, referral)
    ):
        allowed = nexts & PARTNER_STATUSES
    else:
        allowed = frozenset()
    return [s for s in TRANSITIONS if s in allowed]


def change_status(
    session: Session, user: User, referral: Referral, to_status: str, note: str | None = None
) -> ReferralEvent:
    """Move the referral; raises ReferralError when the move or the mover is not allowed."""
    note = (note or "").strip() or None
    if to_status not in TRANSITIONS:
        raise ReferralError([("status", "unknown_status")])
    if to_status not in allowed_statuses(session, user, referral):
        raise ReferralError([("status", "not_allowed")])
    if note and len(note) > MAX_NOTES:
        raise ReferralError([("note", "too_long")])
    before = audit_view(referral)
    event = ReferralEvent(
        from_status=referral.status, to_status=to_status, actor_id=user.id, note=note
    )
    referral.events.append(event)
    referral.status = to_status
    if to_status in OPEN_STATUSES:
        referral.follow_up_on = today() + FOLLOW_UP_AFTER
    session.flush()
    audit.record(session, user, "referral.status", referral, before, audit_view(referral))
    return event


# --------------------------------------------------------------------------- reading


def _query():
    return select(Referral).options(
        selectinload(Referral.record),
        selectinload(Referral.service),
        selectinload(Referral.events),
    )


def get_for_staff(session: Session, user: User, referral_id: str) -> Referral | None:
    """A referral of one of the user's schools (None otherwise: the caller 404s); audited."""
    referral = session.get(Referral, referral_id)
    if referral is None or not _is_staff(user, referral):
        return None
    audit.record(session, user, "referral.view", referral)
    return referral


def follow_ups_due(session: Session, user: User, day: date | None = None) -> list[Referral]:
    """Open referrals this coordinator made whose follow-up date has come."""
    day = day or today()
    referrals = list(
        session.scalars(
            _query()
            .join(NeedsRecord, Referral.needs_record_id == NeedsRecord.id)
            .where(
                Referral.created_by_id == user.id,
                NeedsRecord.school_id.in_(user_school_ids(user)),
                Referral.status.in_(OPEN_STATUSES),
                Referral.follow_up_on <= day,
            )
            .order_by(Referral.follow_up_on, Referral.created_at)
        )
    )
    audit.record(
        session, user, "referral.follow_ups", ("referral", "*"), None, {"count": len(referrals)}
    )
    return referrals


@dataclass(frozen=True)
class PartnerReferral:
    """Exactly what a receiving organization sees of a consented referral."""

    id: str
    family_key: str
    barrier_code: str
    languages: tuple[str, ...]
    contact_method: str | None
    contact_value: str | None
    status: str
    service_name: str
    sent_on: date | None
    allowed: tuple[str, ...]


def partner_view(session: Session, user: User, referral: Referral, locale: str) -> PartnerReferral:
    sent = [e.at.date() for e in referral.events if e.to_status == "sent"]
    return PartnerReferral(
        id=referral.id,
        family_key=referral.record.family_key,
        barrier_code=referral.barrier_code,
        languages=tuple(referral.record.languages),
        contact_method=referral.contact_method,
        contact_value=referral.contact_value,
        status=referral.status,
        service_name=referral.service.text("name", locale).value if referral.service else "",
        sent_on=sent[0] if sent else None,
        allowed=tuple(allowed_statuses(session, user, referral)),
    )


def _partner_referrals(session: Session, user: User) -> list[Referral]:
    org_ids = [o.id for o in user.organizations]
    candidates = session.scalars(
        _query()
        .where(
            Referral.organization_id.in_(org_ids),
            Referral.handout_only.is_(False),
            Referral.status != "draft",
        )
        .order_by(Referral.updated_at.desc())
    )
    return [r for r in candidates if partner_visible(session, r)]


def list_for_partner(session: Session, user: User, locale: str) -> list[PartnerReferral]:
    """Consented referrals to the partner's organizations; the listing is audited."""
    referrals = _partner_referrals(session, user)
    audit.record(
        session, user, "referral.partner_list", ("referral", "*"), None, {"count": len(referrals)}
    )
    return [partner_view(session, user, r, locale) for r in referrals]


def get_for_partner(session: Session, user: User, referral_id: str) -> Referral | None:
    """A consented referral to one of the partner's organizations, else None; audited."""
    referral = session.get(Referral, referral_id)
    if (
        referral is None
        or user.role != "partner"
        or referral.organization_id not in {o.id for o in user.organizations}
        or not partner_visible(session, referral)
    ):
        return None
    audit.record(session, user, "referral.partner_view", referral)
    return referral


def organization_name(organization: Organization | None, locale: str) -> str:
    if organization is None:
        return ""
    return organization.text("name", locale).value or organization.name
