"""The family's handout: one printable page, and a short text message (no Flask).

The handout is the default, consent-free path (domain.md §5): it carries the services'
public facts to the family and sends nothing to anyone. Facts come from
``listings.service_view`` so a handout never disagrees with the public listing page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.core import audit
from matcher.core.text import clip
from matcher.directory import listings
from matcher.directory.public_text import first_general_phone
from matcher.matching.relevance import meeting_term_ids
from matcher.models import Barrier, NeedsRecord, Referral, User

HANDOUT_LOCALES = ("en", "es")
SMS_LIMIT = 320  # two SMS segments
SMS_NAME_LIMIT = 40


@dataclass(frozen=True)
class HandoutService:
    id: str
    name: str
    organization: str
    addresses: tuple[str, ...]
    phones: tuple[tuple[str, str], ...]  # (number, kind): labelled in the family's language
    hours: tuple[tuple[str, str], ...]
    documents: tuple[str, ...]
    no_id_needed: bool
    cost: str | None  # free / sliding_scale / fee / None: the template words it
    fees: str | None  # only when written in the handout's language: no mixed cost lines
    note: str | None
    name_locale: str = "en"  # the locale ``name`` is written in (English when untranslated)
    english_only: bool = False  # some of the listing's text exists in English only
    # Why it was chosen: (barrier name, kinds of help in it that meet the barrier), per
    # barrier it was chosen for, in the handout's language.
    chosen_for: tuple[tuple[str, tuple[str, ...]], ...] = ()


def handout_locales(record: NeedsRecord, requested: str | None = None) -> list[str]:
    """One column in the family's language when it is English or Spanish, else both."""
    if requested in HANDOUT_LOCALES:
        return [requested]
    if requested != "both":
        family = next((c for c in record.languages if c in HANDOUT_LOCALES), None)
        if family:
            return [family]
    return list(HANDOUT_LOCALES)


def handout_referrals(record: NeedsRecord) -> list[Referral]:
    """Referrals worth printing: withdrawn ones and services since removed stay off."""
    return [r for r in record.referrals if r.status != "withdrawn" and r.service is not None]


def _chosen_for(session: Session, referrals: Sequence[Referral], locale: str) -> dict:
    """Service id -> [(barrier name, labels of the kinds of help that meet it)]."""
    reasons: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for referral in referrals:
        service = referral.service
        if service is None:
            continue
        barrier = session.get(Barrier, referral.barrier_code)
        meeting = set(meeting_term_ids(session, referral.barrier_code, service.id))
        labels = tuple(
            dict.fromkeys(t.label(locale) for t in service.taxonomy_terms if t.id in meeting)
        )
        name = barrier.name(locale) if barrier else referral.barrier_code
        if (name, labels) not in reasons.setdefault(service.id, []):
            reasons[service.id].append((name, labels))
    return reasons


def handout_services(
    session: Session, referrals: Sequence[Referral], locale: str
) -> list[HandoutService]:
    """One entry per service (a service chosen for two barriers prints once, with both)."""
    chosen_for = _chosen_for(session, referrals, locale)
    seen: dict[str, HandoutService] = {}
    for referral in referrals:
        service = referral.service
        if service is None or service.id in seen:
            continue
        view = listings.service_view(service, locale)
        seen[service.id] = HandoutService(
            id=service.id,
            name=view.name.value or "",
            name_locale=view.name.locale,
            english_only=bool(view.english_only_fields),
            organization=view.organization_name,
            addresses=tuple(a.line for a in view.addresses if a.line),
            phones=tuple(view.phones),
            hours=tuple(view.weekly_hours),
            documents=tuple(d.document for d in service.required_documents if d.document),
            no_id_needed=view.id_required is False,
            cost=view.cost,
            fees=view.fees.value if view.fees.is_in(locale) else None,
            note=referral.note,
            chosen_for=tuple(chosen_for.get(service.id, ())),
        )
    return list(seen.values())


def record_print(
    session: Session, user: User, record: NeedsRecord, kind: str, locales: Sequence[str]
) -> None:
    """Printing or texting a handout shows the record: audited like any other view."""
    audit.record(session, user, f"needs.{kind}", record, None, {"locales": list(locales)})


def sms_text(services: Sequence[HandoutService]) -> str:
    """Names and phones (addresses when they fit) in at most ``SMS_LIMIT`` characters."""

    def line(service: HandoutService, with_address: bool, name_limit: int | None) -> str:
        name = clip(service.name, name_limit) if name_limit else service.name
        parts = [name]
        phone = first_general_phone(service.phones)
        if phone:
            parts.append(phone)
        if with_address and service.addresses:
            parts.append(service.addresses[0])
        return " - ".join(parts)

    for with_address, name_limit in ((True, None), (False, None), (False, SMS_NAME_LIMIT)):
        text = "\n".join(line(s, with_address, name_limit) for s in services)
        if len(text) <= SMS_LIMIT:
            return text
    return clip(text, SMS_LIMIT - 1)
