"""Listing freshness: reminders to partners, "still accurate" confirmations, stale flags.

``last_verified_at`` moves only when a person confirms a listing: an approved
partner registration or edit, or the partner's "still accurate" link. A public
correction or an admin tidy-up does not count, so "Last verified" stays honest.

The reminder link opens a page with one button; the token is spent by that POST,
not by opening the link, because mail scanners open links on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from matcher.access import accounts
from matcher.core import audit
from matcher.directory.listings import STALE_AFTER
from matcher.models import Organization, Service, User
from matcher.models.base import utcnow


def _older_than(cutoff: datetime):
    return or_(Service.last_verified_at.is_(None), Service.last_verified_at < cutoff)


def _listed():
    return (
        select(Service)
        .join(Organization, Service.organization_id == Organization.id)
        .where(Organization.published.is_(True), Service.status != "defunct")
    )


def stale_services(session: Session, now: datetime | None = None) -> list[Service]:
    """Published services not verified for over 12 months (or never): the admin flag list."""
    cutoff = (now or utcnow()) - STALE_AFTER
    query = (
        _listed()
        .where(_older_than(cutoff))
        .options(selectinload(Service.organization))
        .order_by(Service.last_verified_at.is_not(None), Service.last_verified_at, Service.name)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Reminder:
    user: User
    organization: Organization
    services: list[Service]
    token: str


def due_reminders(
    session: Session, secret_key: str, older_than: timedelta, now: datetime | None = None
) -> list[Reminder]:
    """One reminder per (partner, organization) with services older than ``older_than``."""
    cutoff = (now or utcnow()) - older_than
    partners = session.scalars(
        select(User).where(
            User.role == "partner", User.active.is_(True), User.email_verified_at.is_not(None)
        )
    )
    out = []
    for user in partners:
        for org in user.organizations:
            services = list(
                session.scalars(
                    _listed().where(Service.organization_id == org.id, _older_than(cutoff))
                )
            )
            if services:
                token = accounts.make_token(
                    secret_key, "still-accurate", {"u": user.id, "o": org.id}
                )
                out.append(Reminder(user, org, services, token))
    return out


def read_confirmation(
    session: Session, secret_key: str, token: str
) -> tuple[User, Organization, dict]:
    """Check a "still accurate" link without spending it."""
    data = accounts.read_token(session, secret_key, "still-accurate", token)
    user = accounts.user_for_token(session, data)
    org = session.get(Organization, str(data.get("o", "")))
    if org is None or org not in user.organizations or not user.active:
        raise accounts.TokenError("invalid")
    return user, org, data


def confirm_still_accurate(session: Session, secret_key: str, token: str) -> Organization:
    """Mark every service of the organization verified now, once per link."""
    user, org, data = read_confirmation(session, secret_key, token)
    now = utcnow()
    for service in org.services:
        before = {"last_verified_at": service.last_verified_at}
        service.last_verified_at = now
        audit.record(session, user, "service.verify", service, before, {"last_verified_at": now})
    org.last_verified_at = now
    accounts.use_token(session, "still-accurate", data)
    return org


def set_published(session: Session, org: Organization, published: bool, actor: User) -> list[str]:
    """Unpublish (or republish) an organization; returns its service ids to re-index."""
    before = {"published": org.published}
    org.published = published
    audit.record(
        session,
        actor,
        "organization.publish" if published else "organization.unpublish",
        org,
        before,
        {"published": published},
    )
    return [s.id for s in org.services]
