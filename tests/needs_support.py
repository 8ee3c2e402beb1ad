"""Helpers for the needs, referral and handout tests: records and referrals made through
the domain modules, exactly as the coordinator pages make them."""

from __future__ import annotations

from sqlalchemy import select

from matcher.families import needs, referrals
from matcher.models import NeedsRecord, Organization, Referral, Service, User

NOTE = "Mamá trabaja de noche; llamar después de las 3"
DISTRICT_REF = "SIS-4471"
CONTACT = "805-555-0142"


def make_record(session, user: User, barriers=("food_insecurity",), **extra) -> NeedsRecord:
    form = {
        "barriers": list(barriers),
        "grade_band": "3-5",
        "languages": ["es"],
        "near_school": "1",
        "notes": NOTE,
        "district_reference": DISTRICT_REF,
        **extra,
    }
    record = needs.create_record(session, user, form)
    session.commit()
    return record


def service_of(session, org: Organization) -> Service:
    return session.scalars(
        select(Service)
        .where(Service.organization_id == org.id, Service.status == "active")
        .order_by(Service.name)
    ).first()


def make_referral(
    session, user: User, record: NeedsRecord, org: Organization, *, consent=False, send=False
) -> Referral:
    service = service_of(session, org)
    (referral,) = referrals.create_referrals(
        session, user, record, [(record.barrier_codes[0], service.id)], "Traer comprobante"
    )
    if consent:
        referrals.record_consent(
            session,
            user,
            referral,
            {
                "given_by": "parent_guardian",
                "language": "es",
                "contact_method": "text",
                "contact_value": CONTACT,
                "confirmed": "1",
            },
        )
    if send:
        referrals.change_status(session, user, referral, "sent")
    session.commit()
    return referral
