"""Barrier matching: a family's barriers -> ranked services with reasons, a bundle, urgent notices.

Pure domain code (no Flask). Reasons are structured codes, e.g. ``("speaks", "es")`` or
``("distance", 2.3)``; the web layer renders them in the user's language.

Hard rules (a service that fails one is never a result, only a "near miss"):

* the service is active and its organization is published;
* age-eligible, when the family gave an age, the service states ages, and the barrier
  concerns the student (see ``match_rules.AGE_APPLIES_TO``);
* it offers one of the family's languages, or states interpretation (then it is marked
  ``via_interpreter``);
* it has a location within ``max_distance_mi`` of the family, or a service area that
  covers the family (only checked when the family's place is known).

A service serves a barrier when it carries the barrier's terms, by the specificity rules
in ``match_rules.BarrierTerms`` (broad terms do not pull in services for other needs).

Soft factors give the score (0-100): distance, direct language over interpreter, cost,
evening and weekend hours, accepting referrals, recent verification, past referrals from
the same school, and how focused the service is on the barrier.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from matcher.directory import county as counties
from matcher.directory import geo
from matcher.directory.languages import code_for as languages_code_for
from matcher.matching.bundle import BundleItem, build_bundle
from matcher.matching.results import (
    DEFAULT_MAX_DISTANCE_MI,
    BarrierMatch,
    FamilyProfile,
    NearMiss,
    Reason,
    ServiceMatch,
    UrgentNotice,
)
from matcher.matching.rules import Assessment, BarrierTerms, Family, assess, score
from matcher.matching.table import DirectoryTable, ServiceRow, directory_table
from matcher.models import Barrier, BarrierTerm, Service

__all__ = [
    "DEFAULT_MAX_DISTANCE_MI",
    "BarrierMatch",
    "FamilyProfile",
    "MatchResult",
    "NearMiss",
    "Reason",
    "ServiceMatch",
    "UrgentNotice",
    "match_family",
    "parse_profile",
]

DEFAULT_LIMIT = 10
NEAR_MISS_LIMIT = 3

CRISIS_LINE = "988"
# Childhelp National Child Abuse Hotline (childhelphotline.org): only when the county
# settings list no child abuse line of their own (matcher.directory.county).
NATIONAL_CHILD_ABUSE_HOTLINE = "1-800-422-4453"

@dataclass
class MatchResult:
    profile: FamilyProfile
    barriers: list[BarrierMatch]
    bundle: list[BundleItem]

    @property
    def urgent(self) -> list[UrgentNotice]:
        return [b.urgent for b in self.barriers if b.urgent]

    @property
    def unmet(self) -> list[BarrierMatch]:
        return [b for b in self.barriers if not b.results]


class UnknownBarrier(ValueError):
    """A barrier code that is not in the catalogue."""


# --------------------------------------------------------------------------- matching


def load_barriers(session: Session, codes: Sequence[str]) -> list[Barrier]:
    """The barriers for ``codes``, in the given order; raises UnknownBarrier."""
    wanted = list(dict.fromkeys(codes))
    found = {b.code: b for b in session.scalars(select(Barrier).where(Barrier.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise UnknownBarrier(", ".join(missing))
    return [found[c] for c in wanted]


def _named_terms(session: Session) -> dict[str, set[str]]:
    """Barrier code -> the terms it names, for every barrier (the relevance rules compare)."""
    named: dict[str, set[str]] = {}
    for code, term in session.execute(
        select(BarrierTerm.barrier_code, BarrierTerm.taxonomy_term_id)
    ):
        named.setdefault(code, set()).add(term)
    return named


def _load_services(session: Session, ids: set[str]) -> dict[str, Service]:
    """The services to show, as ORM objects with what pages and handouts read."""
    if not ids:
        return {}
    return {
        s.id: s
        for s in session.scalars(
            select(Service)
            .where(Service.id.in_(ids))
            .options(
                joinedload(Service.organization),
                selectinload(Service.languages),
                selectinload(Service.phones),
                selectinload(Service.service_areas),
            )
        )
    }


@dataclass(frozen=True)
class _Ranked:
    """A barrier's outcome before the shown services are loaded as ORM objects."""

    barrier: Barrier
    results: list[tuple[ServiceRow, Assessment, float, tuple[Reason, ...], float]]
    misses: list[tuple[ServiceRow, Assessment]]
    no_match_reason: str | None


def match_family(
    session: Session,
    profile: FamilyProfile,
    *,
    school_history: Mapping[str, int] | None = None,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> MatchResult:
    """Rank services for each of the family's barriers and build the bundle.

    ``school_history`` maps organization id -> number of past referrals from the family's
    school (the "already works with this school" factor); empty until referrals exist.
    Raises UnknownBarrier for a code that is not in the catalogue.

    Rules and scores run over the in-memory directory table (``matcher.matching.table``);
    only the services shown are read as ORM objects.
    """
    barriers = load_barriers(session, profile.barriers)
    table = directory_table(session)
    every_barrier = _named_terms(session)
    covered: set[str] = set()
    nearby: dict[str, float] = {}
    if profile.near is not None:
        covered = table.covering(profile.near)
        nearby = table.within(profile.near, profile.max_distance_mi)
    family = Family(profile, covered, now or datetime.now(UTC), dict(nearby))
    # Services that pass the language and place rules: a superset of those passing all
    # rules (age depends on the barrier), found with set operations, not per service.
    eligible = table.speaking(profile.languages) if profile.languages else set(table.services)
    if profile.near is not None:
        eligible &= nearby.keys() | covered
    ranked = [
        _rank_barrier(
            b,
            BarrierTerms.build(table, b.code, every_barrier),
            table,
            eligible,
            family,
            school_history or {},
            limit,
        )
        for b in barriers
    ]
    shown = {row[0].id for r in ranked for row in (*r.results, *r.misses)}
    services = _load_services(session, shown)
    matches = [_barrier_match(r, services) for r in ranked]
    # Urgent barriers come first, crisis before mandated report, then the family's order.
    urgency = {"crisis": 0, "mandated_report": 1}
    matches.sort(key=lambda m: urgency.get(m.barrier.urgent, 2))
    return MatchResult(profile, matches, build_bundle(matches))


_FAR = float("inf")


def _rank_barrier(
    barrier: Barrier,
    terms: BarrierTerms,
    table: DirectoryTable,
    eligible: set[str],
    family: Family,
    history: Mapping[str, int],
    limit: int,
) -> _Ranked:
    relevant = terms.relevant(table)
    results = []
    for sid in relevant & eligible:
        row = table.services[sid]
        found = assess(row, family, barrier.domain)
        if found.failed:
            continue
        focus = terms.focus(row)
        points, reasons = score(row, found, family, focus, history.get(row.organization_id, 0))
        results.append((row, found, points, reasons, focus))
    if results:
        best = heapq.nsmallest(
            limit,
            results,
            key=lambda r: (
                -r[2],
                _FAR if r[1].distance_mi is None else r[1].distance_mi,
                r[0].name,
                r[0].id,  # same-named listings rank alike on every run and backend
            ),
        )
        return _Ranked(barrier, best, [], None)
    if not (terms.named or terms.headings):
        return _Ranked(barrier, [], [], "not_matched_directly")
    if not relevant:
        return _Ranked(barrier, [], [], "no_service")
    rows = (table.services[sid] for sid in relevant)
    assessed = [(row, assess(row, family, barrier.domain)) for row in rows]
    nearest = heapq.nsmallest(
        NEAR_MISS_LIMIT,
        assessed,
        key=lambda m: (
            len(m[1].failed),
            _FAR if m[1].distance_mi is None else m[1].distance_mi,
            m[0].name,
            m[0].id,
        ),
    )
    return _Ranked(barrier, [], nearest, "rules")


def _rounded(distance: float | None) -> float | None:
    return round(distance, 1) if distance is not None else None


def _barrier_match(ranked: _Ranked, services: Mapping[str, Service]) -> BarrierMatch:
    results = [
        ServiceMatch(
            service=services[row.id],
            score=points,
            distance_mi=_rounded(found.distance_mi),
            languages=row.language_codes,
            via_interpreter=found.via_interpreter,
            reasons=reasons,
            focus=focus,
        )
        for row, found, points, reasons, focus in ranked.results
    ]
    misses = [
        NearMiss(services[row.id], _rounded(found.distance_mi), found.failed)
        for row, found in ranked.misses
    ]
    match = BarrierMatch(ranked.barrier, results, misses, ranked.no_match_reason)
    match.urgent = urgent_notice(ranked.barrier, results)
    return match


def urgent_notice(barrier: Barrier, results: Sequence[ServiceMatch]) -> UrgentNotice | None:
    """Crisis: 988 and the county's own crisis services; abuse: the mandated-report line.

    County crisis services are county-wide results wholly about the crisis (focus 1), so a
    general help line that also lists crisis calls is not presented as the crisis line.
    """
    if barrier.urgent == "crisis":
        county = tuple(
            m
            for m in results
            if m.focus == 1.0
            and any(a.kind == "county" for a in m.service.service_areas)
            and not any(p.number.strip() == CRISIS_LINE for p in m.service.phones)
        )
        return UrgentNotice("crisis", barrier.code, CRISIS_LINE, county)
    if barrier.urgent == "mandated_report":
        phone = counties.first_phone("child_abuse") or NATIONAL_CHILD_ABUSE_HOTLINE
        return UrgentNotice("mandated_report", barrier.code, phone)
    return None


# --------------------------------------------------------------------------- input


class ProfileError(ValueError):
    """Bad match input; ``field`` names the input, ``code`` the problem, ``detail`` the value."""

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code} {detail}".strip())
        self.field = field
        self.code = code
        self.detail = detail


MAX_BARRIERS = 36
MAX_AGE = 120


def parse_profile(
    barriers: Sequence[str] | None,
    language: str | Sequence[str] | None = None,
    near: str | None = None,
    age: int | str | None = None,
    *,
    school_id: str | None = None,
) -> FamilyProfile:
    """Build a FamilyProfile from API or command-line input; raises ProfileError."""
    codes = [str(c).strip() for c in barriers or [] if str(c).strip()]
    if not codes:
        raise ProfileError("barriers", "required")
    if len(codes) > MAX_BARRIERS:
        raise ProfileError("barriers", "too_many")
    raw_languages = [language] if isinstance(language, str) else list(language or [])
    family_languages = []
    for name in raw_languages:
        code = languages_code_for(name)
        if code is None:
            raise ProfileError("language", "unknown", str(name))
        family_languages.append(code)
    place = None
    if near not in (None, ""):
        try:
            place = geo.resolve_place(str(near))
        except geo.PlaceError as error:
            raise ProfileError("near", "unknown", str(error)) from error
    years = None
    if age not in (None, ""):
        try:
            years = int(age)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise ProfileError("age", "invalid", str(age)) from error
        if not 0 <= years <= MAX_AGE:
            raise ProfileError("age", "invalid", str(age))
    return FamilyProfile(
        barriers=list(dict.fromkeys(codes)),
        languages=list(dict.fromkeys(family_languages)),
        near=place,
        age=years,
        school_id=school_id,
    )
