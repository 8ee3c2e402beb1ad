"""Match results in the user's language: reason codes -> words, and the ``/api/v1/match`` JSON.

One body, three readers: the JSON API, the ``flask match`` command and the coordinator page
all use ``result_json``, so they never disagree. Each service says what in it ``meets`` the
barrier, what ``fit``s the family and what ``concerns`` may not; services to also consider
add ``why`` they are weaker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from matcher.directory import county as counties
from matcher.directory import languages, maps
from matcher.matching.engine import MatchResult, NoMatch, Reason, ServiceMatch, UrgentNotice


def _ages(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("ages %(min)s to %(max)s", min=low, max=high)
    if low is not None:
        return _("ages %(min)s and older", min=low)
    return _("ages up to %(max)s", max=high)


def _languages(codes, locale: str) -> str:
    return ", ".join(languages.name(c, locale) for c in codes) or _("no language listed")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _miles(value: float) -> str:
    return format_decimal(value, format="0.0")


def _documents(match: ServiceMatch) -> str:
    return "; ".join(d.document for d in match.service.required_documents if d.document)


AREAS = {
    "zip": lambda: _("Serves your ZIP code"),
    "city": lambda: _("Serves your city"),
    "county": lambda: _("Countywide"),
    "state": lambda: _("Statewide"),
    "nation": lambda: _("Nationwide"),
}


def reason_text(reason: Reason, locale: str, match: ServiceMatch | None = None) -> str:
    """One fit, concern or failed rule as a short phrase in ``locale``."""
    code, *args = reason
    phrases: dict[str, Callable[[], str]] = {
        # What fits the family.
        "speaks": lambda: _("Speaks %(language)s", language=languages.name(args[0], locale)),
        "distance": lambda: _("%(miles)s mi away", miles=_miles(args[0])),
        "same_zip": lambda: _("In your ZIP code"),
        "area": lambda: AREAS[args[0]](),
        "in_city": lambda: _("In %(city)s", city=args[0]),
        "by_phone": lambda: _("By phone"),
        "free": lambda: _("Free"),
        "sliding_scale": lambda: _("Sliding scale"),
        "ages": lambda: _capital(_ages(args[0], args[1])),
        "open_24_7": lambda: _("Open 24/7"),
        "open_saturdays": lambda: _("Open Saturdays"),
        "open_sundays": lambda: _("Open Sundays"),
        "evenings": lambda: _("Open evenings"),
        "no_id": lambda: _("No ID needed"),
        "accepting_referrals": lambda: _("Accepting referrals"),
        "verified_recently": lambda: _("Verified this year"),
        "works_with_school": lambda: _("Already works with your school"),
        # What may not fit.
        "interpreter": lambda: (
            _(
                "Staff speak %(staff)s; %(language)s through an interpreter",
                staff=_languages(args[1], locale),
                language=languages.name(args[0], locale),
            )
            if args[1]
            else _(
                "%(language)s through an interpreter", language=languages.name(args[0], locale)
            )
        ),
        "languages_unlisted": lambda: _("Languages not listed: ask"),
        "area_unlisted": lambda: _("Where it serves is not listed"),
        "documents": lambda: _(
            "Asks for documents: %(documents)s", documents=_documents(match) if match else ""
        ),
        "id_required": lambda: _("ID required"),
        "documents_unknown": lambda: _("Documents not listed: ask before going"),
        "appointment": lambda: _("An appointment is needed"),
        "child_ages": lambda: _("Only children %(ages)s", ages=_ages(args[0], args[1])),
        # Rules a service to also consider fails.
        "status": lambda: _("Not running right now"),
        "language": lambda: _("Only in %(languages)s", languages=_languages(args[0], locale)),
        "outside_area": lambda: _("Does not serve your area"),
        "too_far": lambda: _(
            "%(miles)s mi away (limit %(limit)s mi)",
            miles=_miles(args[0]),
            limit=format_decimal(args[1], format="0.#"),
        ),
        "age": lambda: _capital(
            _("%(ages)s; the student is %(age)s", ages=_ages(args[0], args[1]), age=args[2])
            if args[2] is not None
            else _ages(args[0], args[1])
        ),
        "age_unknown": lambda: _capital(
            _("%(ages)s; the record has no age", ages=_ages(args[0], args[1]))
        ),
        "adults_only": lambda: _("For adults only"),
        "fee": lambda: _("Charges a fee"),
        "not_accepting": lambda: _("Not accepting referrals now"),
        "related": lambda: _("Related help, not this need itself"),
    }
    render = phrases.get(code)
    return render() if render else code


WHY = {
    "related": lambda: _("Related topic"),
    "outside_area": lambda: _("Out of reach"),
    "too_far": lambda: _("Out of reach"),
    "age": lambda: _("Another age"),
    "adults_only": lambda: _("Another age"),
    "age_unknown": lambda: _("Eligibility unknown"),
    "language": lambda: _("Not in the family's language"),
    "documents": lambda: _("Asks for documents"),
    "fee": lambda: _("Costs money"),
    "status": lambda: _("Not running now"),
    "not_accepting": lambda: _("Not taking referrals"),
}

NONE_BECAUSE = {
    "reach": lambda: _("none within reach (15 miles, or serving the family's area)"),
    "language": lambda: _("none in the family's language"),
    "age": lambda: _("none for this age"),
    "documents": lambda: _("none that asks for no documents"),
    "cost": lambda: _("none free or on a sliding scale"),
    "status": lambda: _("none running now"),
    "referrals": lambda: _("none taking referrals now"),
}


def no_match_text(no_match: NoMatch | None, recorded: bool = False) -> str | None:
    """Say plainly why nothing meets the barrier for this family; ``recorded``: the gap
    went to the gap report (a needs record's page), so say so."""
    if no_match is None:
        return None
    if no_match.reason == "not_matched_directly":
        return _("This barrier is a signal, not a service need: choose the barriers behind it.")
    if no_match.reason == "no_service":
        text = _("No service in the directory meets this need yet.")
    else:
        reasons = "; ".join(NONE_BECAUSE[w]() for w in no_match.why if w in NONE_BECAUSE)
        text = (
            _("No service meets this need for this family: %(reasons)s.", reasons=reasons)
            if reasons
            else _("No service meets this need for this family: each one fails a different rule.")
        )
    if not recorded:
        return text
    return _("%(message)s The gap has been noted.", message=text)


def urgent_text(notice: UrgentNotice) -> str:
    if notice.kind == "crisis":
        return _(
            "Crisis: call or text %(phone)s now, or call 911 if someone is in danger. "
            "The crisis lines are listed first below.",
            phone=notice.phone,
        )
    if notice.phone:
        return _(
            "Suspected abuse or neglect: as a mandated reporter, call the county child-abuse "
            "hotline at %(phone)s before any referral.",
            phone=notice.phone,
        )
    return _(
        "Suspected abuse or neglect: as a mandated reporter, call your county's child-abuse "
        "hotline before any referral."
    )


def meets_text(match: ServiceMatch, locale: str) -> str:
    """'Food Pantry: Weekly family food pantry', in ``locale``."""
    name = match.service.text("name", locale).value or match.service.name
    labels = ", ".join(dict.fromkeys(t.label(locale) for t in match.meets))
    if match.kind == "related":
        return _("Related: %(help)s", help=labels) if labels else name
    return f"{labels}: {name}" if labels else name


def service_json(match: ServiceMatch, locale: str) -> dict[str, Any]:
    org = match.organization
    body = {
        "id": match.id,
        "name": match.service.text("name", locale).value,
        "organization": {"id": org.id, "name": org.text("name", locale).value or org.name},
        "score": match.score,
        "distance_mi": match.distance_mi,
        "languages": list(match.languages),
        "via_interpreter": match.via_interpreter,
        "meets": meets_text(match, locale),
        "fit": [reason_text(r, locale, match) for r in match.fit],
        "concerns": [reason_text(r, locale, match) for r in (*match.failed, *match.concerns)],
    }
    if match.failed:
        body["why"] = match.kind
        body["why_label"] = WHY.get(match.kind, lambda: match.kind)()
    return body


def urgent_json(notice: UrgentNotice, locale: str) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "barrier": notice.barrier_code,
        "phone": notice.phone,
        "message": urgent_text(notice),
        "lines": [
            {"name": name_es if locale == "es" else name_en, "phone": phone}
            for name_en, name_es, phone in notice.lines
        ],
        "services": [s.id for s in notice.services],
    }


def result_json(result: MatchResult, locale: str, gaps_recorded: bool = False) -> dict[str, Any]:
    """The ``POST /api/v1/match`` body; ``urgent`` comes before any referral.

    ``gaps_recorded``: the match was a needs record's, so its gaps are in the gap report."""
    return {
        "urgent": [urgent_json(n, locale) for n in result.urgent],
        "barriers": [
            {
                "code": b.code,
                "name": b.barrier.name(locale),
                "urgent": b.barrier.urgent or None,
                "results": [service_json(m, locale) for m in b.results],
                "also_consider": [service_json(m, locale) for m in b.also_consider],
                "no_match": None
                if b.no_match is None
                else {
                    "reason": b.no_match.reason,
                    "why": list(b.no_match.why),
                    "message": no_match_text(b.no_match, gaps_recorded),
                },
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


def matches_map(
    result: MatchResult, county_name: str | None
) -> tuple[maps.ResultsMap | None, dict[str, int]]:
    """The matches page's small map (the family's or school's point, each matched service
    numbered in order of first appearance) and those numbers by service id."""
    order: dict[str, Any] = {}
    for barrier in result.barriers:
        for match in barrier.results:
            order.setdefault(match.id, match.service)
    near = result.profile.near
    here = near.point.as_tuple() if near is not None else None
    points = []
    for service in order.values():
        located = [(loc.latitude, loc.longitude) for loc in service.locations if loc.has_point]
        points.append(
            min(located, key=lambda p: abs(p[0] - here[0]) + abs(p[1] - here[1]))
            if located and here
            else (located[0] if located else None)
        )
    name = next(
        (c for c in (county_name, near.county if near else None) if maps.has_outline(c)),
        counties.home().short_name,
    )
    numbers = {sid: n for n, sid in enumerate(order, start=1)}
    return (maps.results_map(name, here, points) if order else None), numbers
