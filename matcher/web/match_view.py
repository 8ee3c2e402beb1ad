"""Match results in the user's language: reason codes -> words, and the ``/api/v1/match`` JSON.

One context, two renderers: the JSON API, the ``flask match`` command and the coordinator
pages all use ``result_json`` / ``reason_text``, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from matcher.directory import languages
from matcher.matching.engine import MatchResult, NearMiss, Reason, ServiceMatch, UrgentNotice


def _age_range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("ages %(min)s to %(max)s only", min=low, max=high)
    if low is not None:
        return _("ages %(min)s and older only", min=low)
    return _("ages up to %(max)s only", max=high)


def _language_list(codes: tuple[str, ...], locale: str) -> str:
    return ", ".join(languages.name(c, locale) for c in codes) or _("no language listed")


def reason_text(reason: Reason, locale: str) -> str:
    """One reason or failed rule, as a short phrase in ``locale``."""
    code, *args = reason
    phrases: dict[str, Callable[[], str]] = {
        "speaks": lambda: _("Speaks %(language)s", language=languages.name(args[0], locale)),
        "with_interpreter": lambda: _(
            "%(language)s with interpreter", language=languages.name(args[0], locale)
        ),
        "distance": lambda: _("%(miles)s mi", miles=format_decimal(args[0], format="0.0")),
        "serves_area": lambda: _("Serves your area"),
        "free": lambda: _("Free"),
        "sliding_scale": lambda: _("Sliding scale"),
        "open_24_7": lambda: _("Open 24/7"),
        "open_saturdays": lambda: _("Open Saturdays"),
        "open_sundays": lambda: _("Open Sundays"),
        "evenings": lambda: _("Open evenings"),
        "accepting_referrals": lambda: _("Accepting referrals"),
        "not_accepting_referrals": lambda: _("Not accepting referrals now"),
        "verified_recently": lambda: _("Verified this year"),
        "works_with_school": lambda: _("Already works with your school"),
        # Failed hard rules (near misses).
        "status": lambda: _("not running right now"),
        "age": lambda: _age_range(args[0], args[1]),
        "language": lambda: _(
            "only in %(languages)s", languages=_language_list(tuple(args[0]), locale)
        ),
        "too_far": lambda: _(
            "%(miles)s mi away (limit %(limit)s mi)",
            miles=format_decimal(args[0], format="0.0"),
            limit=format_decimal(args[1], format="0.#"),
        ),
        "outside_area": lambda: _("does not serve your area"),
    }
    render = phrases.get(code)
    return render() if render else code


def no_match_text(reason: str | None, misses: list[NearMiss], locale: str) -> str | None:
    """Say plainly why nothing fits, naming the nearest options and the rule each fails."""
    if reason is None:
        return None
    if reason == "not_matched_directly":
        return _("This barrier is a signal, not a service need: choose the barriers behind it.")
    if reason == "no_service":
        return _("No service in the directory offers this yet. The gap has been noted.")
    nearest = "; ".join(
        "{} ({})".format(
            m.service.text("name", locale).value,
            ", ".join(reason_text(f, locale) for f in m.failed),
        )
        for m in misses
    )
    return _(
        "No service fits this family's language, age and place. Nearest options: %(list)s.",
        list=nearest,
    )


def urgent_text(notice: UrgentNotice) -> str:
    if notice.kind == "crisis":
        return _(
            "Crisis: call or text %(phone)s now, or call 911 if someone is in danger. "
            "Then contact the county crisis services listed here.",
            phone=notice.phone,
        )
    return _(
        "Suspected abuse or neglect: as a mandated reporter, call the county Children & "
        "Family Services 24-hour hotline at %(phone)s before any referral.",
        phone=notice.phone,
    )


def service_json(match: ServiceMatch, locale: str) -> dict[str, Any]:
    org = match.organization
    return {
        "id": match.id,
        "name": match.service.text("name", locale).value,
        "organization": {"id": org.id, "name": org.text("name", locale).value or org.name},
        "score": match.score,
        "distance_mi": match.distance_mi,
        "languages": list(match.languages),
        "via_interpreter": match.via_interpreter,
        "reasons": [reason_text(r, locale) for r in match.reasons],
    }


def result_json(result: MatchResult, locale: str) -> dict[str, Any]:
    """The ``POST /api/v1/match`` body; ``urgent`` comes before any referral."""
    return {
        "urgent": [
            {
                "kind": n.kind,
                "barrier": n.barrier_code,
                "phone": n.phone,
                "message": urgent_text(n),
                "services": [s.id for s in n.services],
            }
            for n in result.urgent
        ],
        "barriers": [
            {
                "code": b.code,
                "name": b.barrier.name(locale),
                "results": [service_json(m, locale) for m in b.results],
                "no_match_reason": no_match_text(b.no_match_reason, b.near_misses, locale),
            }
            for b in result.barriers
        ],
        "bundle": [
            {
                "organization": {
                    "id": item.organization.id,
                    "name": item.organization.text("name", locale).value or item.organization.name,
                },
                "services": [s.id for s in item.services],
                "covers": list(item.covers),
            }
            for item in result.bundle
        ],
    }
