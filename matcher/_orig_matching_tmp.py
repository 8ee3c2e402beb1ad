"""Barrier matching: a family's barriers -> ranked services with reasons, a bundle, urgent notices.

Pure domain code (no Flask). Reasons are structured codes, e.g. ``("speaks", "es")`` or
``("distance", 2.3)``; the web layer renders them in the user's language.

Hard rules (a service that fails one is never a result, only a "near miss"):

* the service is active and its organization is published;
* age-eligible, when the family gave an age, the service states ages, and the barrier
  concerns the student (see ``AGE_APPLIES_TO``);
* it offers one of the family's languages, or states interpretation (then it is marked
  ``via_interpreter``);
* it has a location within ``max_distance_mi`` of the family, or a service area that
  covers the family (only checked when the family's place is known).

Soft factors give the score (0-100): distance, direct language over interpreter, cost,
evening and weekend hours, accepting referrals, recent verification, past referrals from
the same school, and how focused the service is on the barrier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from matcher import geo, hours
from matcher.bundle import BundleItem, build_bundle
from matcher.geo import Place
from matcher.languages import code_for as languages_code_for
from matcher.models import (
    Barrier,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_taxonomy_term,
)
from matcher.taxonomy import descendant_ids

DEFAULT_MAX_DISTANCE_MI = 15.0
DEFAULT_LIMIT = 10
NEAR_MISS_LIMIT = 3

CRISIS_LINE = "988"
# Ventura County Children & Family Services 24-hour child abuse hotline (domain.md §2.2 [43]).
CHILD_ABUSE_HOTLINE = "805-654-3200"

# The family's age is the student's age. It applies to barriers about the student; family
# and family-engagement barriers are served to caregivers or siblings (ESL for a parent,
# child care for a baby brother), whose ages we do not record.
AGE_APPLIES_TO = frozenset({"academic", "social_emotional", "health"})

# Score weights (sum of maxima = 100).
# Focus (the share of a service's own categories that serve the barrier) weighs most:
# a clinic's counseling beats a farmworker peer group two blocks closer.
W_FOCUS = 20.0
W_DISTANCE = 25.0
W_LANGUAGE = 18.0
W_COST = 10.0
W_HOURS = 8.0
W_REFERRALS = 5.0
W_VERIFIED = 6.0
W_SCHOOL = 8.0
AREA_ONLY_DISTANCE_SHARE = 0.4
DESCENDANT_SHARE = 0.25  # served by phone/outreach across the area: no trip needed
VERIFIED_FRESH = timedelta(days=365)
SCHOOL_HISTORY_SATURATES = 5

Reason = tuple  # ("code", *args): rendered by the web layer


@dataclass(frozen=True)
class FamilyProfile:
    """What the matcher may know about a family: no names, no status, nothing else."""

    barriers: list[str]
    languages: list[str]
    near: Place | None = None
    age: int | None = None
    school_id: str | None = None
    max_distance_mi: float = DEFAULT_MAX_DISTANCE_MI


@dataclass(frozen=True)
class ServiceMatch:
    service: Service = field(compare=False, repr=False)
    score: float
    distance_mi: float | None
    languages: tuple[str, ...]
    via_interpreter: bool
    reasons: tuple[Reason, ...]
    focus: float = 1.0  # share of the service's own categories that serve the barrier

    @property
    def id(self) -> str:
        return self.service.id

    @property
    def organization(self) -> Organization:
        return self.service.organization


@dataclass(frozen=True)
class NearMiss:
    """A service for the barrier that fails a hard rule; ``failed`` says which ones."""

    service: Service = field(compare=False, repr=False)
    distance_mi: float | None
    failed: tuple[Reason, ...]

    @property
    def id(self) -> str:
        return self.service.id


@dataclass(frozen=True)
class UrgentNotice:
    """Shown before any referral: crisis lines, or the mandated-report hotline."""

    kind: str  # 'crisis' or 'mandated_report'
    barrier_code: str
    phone: str
    services: tuple[ServiceMatch, ...] = ()


@dataclass
class BarrierMatch:
    barrier: Barrier
    results: list[ServiceMatch]
    near_misses: list[NearMiss]
    # None when there are results; else 'not_matched_directly' (a signal barrier),
    # 'no_service' (nobody lists it) or 'rules' (services exist but fail hard rules).
    no_match_reason: str | None
    urgent: UrgentNotice | None = None

    @property
    def code(self) -> str:
        return self.barrier.code


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


# --------------------------------------------------------------------------- loading


def load_barriers(session: Session, codes: Sequence[str]) -> list[Barrier]:
    """The barriers for ``codes``, in the given order; raises UnknownBarrier."""
    wanted = list(dict.fromkeys(codes))
    found = {
        b.code: b
        for b in session.scalars(
            select(Barrier).where(Barrier.code.in_(wanted)).options(selectinload(Barrier.terms))
        )
    }
    missing = [c for c in wanted if c not in found]
    if missing:
        raise UnknownBarrier(", ".join(missing))
    return [found[c] for c in wanted]


def _barrier_term_sets(session: Session, barriers: Sequence[Barrier]) -> dict[str, set[str]]:
    return {
        b.code: descendant_ids(session, [t.id for t in b.terms]) if b.terms else set()
        for b in barriers
    }


@dataclass(frozen=True)
class _Hours:
    """The three schedule fields ``matcher.hours`` reads, without an ORM object."""

    days: tuple[str, ...]
    opens_at: time | None
    closes_at: time | None


@dataclass
class _Candidate:
    """What the rules and the score need of a service, read with plain column queries.

    Building thousands of ORM objects (with their languages, locations and hours) costs
    far more than the matching itself; only the services shown are loaded as ORM objects.
    """

    id: str
    organization_id: str
    name: str
    status: str
    cost: str | None
    minimum_age: int | None
    maximum_age: int | None
    accepting_referrals: bool | None
    interpretation_services: str | None
    last_verified_at: datetime | None
    tags: set[str] = field(default_factory=set)  # its terms among the barriers' terms
    term_count: int = 1  # how many terms it has in all
    languages: list[tuple[str, bool]] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    areas: list[tuple[str, str | None]] = field(default_factory=list)
    schedules: list[_Hours] = field(default_factory=list)

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(sorted(code for code, _interpreter in self.languages))


def _prefilter(profile: FamilyProfile) -> list:
    """SQL conditions a service must meet to pass the hard rules (a superset of them).

    Cheap to check in the database and they drop most of a large directory before any row
    reaches Python; the exact rules run afterwards on what is left.
    """
    conditions: list = [Service.status == "active"]
    if profile.languages:
        conditions.append(
            or_(
                Service.id.in_(
                    select(Language.service_id).where(Language.code.in_(profile.languages))
                ),
                func.length(func.trim(func.coalesce(Service.interpretation_services, ""))) > 0,
            )
        )
    if profile.near is not None:
        low_lat, high_lat, low_lon, high_lon = geo.bounding_box(
            profile.near.point, profile.max_distance_mi
        )
        conditions.append(
            or_(
                Service.id.in_(
                    select(ServiceAtLocation.service_id)
                    .join(Location, Location.id == ServiceAtLocation.location_id)
                    .where(
                        Location.latitude.between(low_lat, high_lat),
                        Location.longitude.between(low_lon, high_lon),
                    )
                ),
                Service.id.in_(
                    select(ServiceArea.service_id).where(
                        ServiceArea.kind.in_(("county", "city", "postal_code"))
                    )
                ),
            )
        )
    return conditions


def _load_candidates(
    session: Session, term_ids: set[str], conditions: Sequence = ()
) -> dict[str, _Candidate]:
    """Services tagged with any of ``term_ids``: a fixed handful of column queries, no N+1.

    Defunct services and unpublished organizations are left out entirely; ``conditions``
    (from ``_prefilter``) narrow the set further.
    """
    if not term_ids:
        return {}
    link = service_taxonomy_term.c
    scope = (
        link.taxonomy_term_id.in_(term_ids),
        Organization.published.is_(True),
        Service.status != "defunct",
        *conditions,
    )
    rows = session.execute(
        select(
            Service.id,
            Service.organization_id,
            Service.name,
            Service.status,
            Service.cost,
            Service.minimum_age,
            Service.maximum_age,
            Service.accepting_referrals,
            Service.interpretation_services,
            Service.last_verified_at,
            link.taxonomy_term_id,
        )
        .join(service_taxonomy_term, link.service_id == Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(*scope)
    ).all()
    found: dict[str, _Candidate] = {}
    for *columns, term in rows:
        candidate = found.get(columns[0])
        if candidate is None:
            candidate = found[columns[0]] = _Candidate(*columns)
        candidate.tags.add(term)
    # Children are read for every service tagged with the terms (a cheap subquery the
    # database runs once), not through a long list of ids.
    ids = select(link.service_id).where(link.taxonomy_term_id.in_(term_ids)).scalar_subquery()
    # Only the number of a service's terms is needed (for focus), not the terms.
    for sid, count in session.execute(
        select(link.service_id, func.count())
        .where(link.service_id.in_(ids))
        .group_by(link.service_id)
    ):
        if sid in found:
            found[sid].term_count = count
    for sid, code, interpreter in session.execute(
        select(Language.service_id, Language.code, Language.interpreter).where(
            Language.service_id.in_(ids), Language.code.is_not(None)
        )
    ):
        if sid in found:
            found[sid].languages.append((code, bool(interpreter)))
    for sid, lat, lon in session.execute(
        select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id.in_(ids), Location.latitude.is_not(None))
    ):
        if sid in found and lon is not None:
            found[sid].points.append((lat, lon))
    for sid, kind, name in session.execute(
        select(ServiceArea.service_id, ServiceArea.kind, ServiceArea.name).where(
            ServiceArea.service_id.in_(ids)
        )
    ):
        if sid in found:
            found[sid].areas.append((kind, name))
    for sid, byday, opens, closes in session.execute(
        select(Schedule.service_id, Schedule.byday, Schedule.opens_at, Schedule.closes_at).where(
            Schedule.service_id.in_(ids)
        )
    ):
        if sid in found:
            days = tuple(d for d in (byday or "").split(",") if d)
            found[sid].schedules.append(_Hours(days, opens, closes))
    return found


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
                selectinload(Service.organization),
                selectinload(Service.languages),
                selectinload(Service.phones),
                selectinload(Service.service_areas),
            )
        )
    }


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Assessment:
    failed: tuple[Reason, ...]
    distance_mi: float | None
    area_covered: bool
    language: str | None  # the family language that matched
    via_interpreter: bool


def _nearest_distance(candidate: _Candidate, place: Place) -> float | None:
    distances = [_miles(place.point, point) for point in candidate.points]
    return min(distances) if distances else None


@lru_cache(maxsize=65_536)
def _miles(origin: geo.Point, point: tuple[float, float]) -> float:
    """Cached: a family's point meets the same service locations once per barrier."""
    return geo.distance_miles(origin, geo.Point(*point))


def _area_covers(candidate: _Candidate, place: Place) -> bool:
    return any(geo.covers(kind, name, place) for kind, name in candidate.areas)


def _language_fit(candidate: _Candidate, family: Sequence[str]) -> tuple[str | None, bool]:
    """(matched family language, via interpreter?), or (None, False) when none fits."""
    if not family:
        return None, False
    direct = {code for code, interpreter in candidate.languages if not interpreter}
    interpreted = {code for code, interpreter in candidate.languages if interpreter}
    for code in family:
        if code in direct:
            return code, False
    for code in family:
        if code in interpreted:
            return code, True
    if (candidate.interpretation_services or "").strip():
        return family[0], True
    return None, False


def _age_ok(candidate: _Candidate, age: int | None, barrier: Barrier) -> bool:
    if age is None or barrier.domain not in AGE_APPLIES_TO:
        return True
    if candidate.minimum_age is not None and age < candidate.minimum_age:
        return False
    return not (candidate.maximum_age is not None and age > candidate.maximum_age)


def _assess(candidate: _Candidate, profile: FamilyProfile, barrier: Barrier) -> _Assessment:
    failed: list[Reason] = []
    if candidate.status != "active":
        failed.append(("status", candidate.status))
    if not _age_ok(candidate, profile.age, barrier):
        failed.append(("age", candidate.minimum_age, candidate.maximum_age))
    language, via_interpreter = _language_fit(candidate, profile.languages)
    if profile.languages and language is None:
        failed.append(("language", candidate.language_codes))
    distance, covered = None, False
    if profile.near is not None:
        distance = _nearest_distance(candidate, profile.near)
        covered = _area_covers(candidate, profile.near)
        within = distance is not None and distance <= profile.max_distance_mi
        if not within and not covered:
            if distance is None:
                failed.append(("outside_area",))
            else:
                failed.append(("too_far", round(distance, 1), profile.max_distance_mi))
    return _Assessment(tuple(failed), distance, covered, language, via_interpreter)


# --------------------------------------------------------------------------- scoring


def _saturday_or_sunday(candidate: _Candidate) -> Reason | None:
    days = {w.day for w in hours.windows(candidate.schedules)}  # type: ignore[arg-type]
    if "SA" in days:
        return ("open_saturdays",)
    if "SU" in days:
        return ("open_sundays",)
    return None


def _verified_recently(candidate: _Candidate, now: datetime) -> bool:
    verified = candidate.last_verified_at
    if verified is None:
        return False
    if verified.tzinfo is None:
        verified = verified.replace(tzinfo=UTC)
    return now - verified <= VERIFIED_FRESH


def _score(
    service: _Candidate,
    found: _Assessment,
    profile: FamilyProfile,
    focus: float,
    school_referrals: int,
    now: datetime,
) -> tuple[float, tuple[Reason, ...]]:
    """Score 0-100 and the reasons worth telling a family, most important first."""
    reasons: list[Reason] = []
    score = 0.0
    # Language: direct in the family's first language > another of theirs > interpreter.
    if found.language is not None:
        if found.via_interpreter:
            score += W_LANGUAGE * 0.4
            reasons.append(("with_interpreter", found.language))
        else:
            first = found.language == profile.languages[0]
            score += W_LANGUAGE * (1.0 if first else 0.8)
            reasons.append(("speaks", found.language))
    elif not profile.languages:
        score += W_LANGUAGE * 0.5
    # Distance: closer is better; area-wide services need no trip but tell us nothing.
    if profile.near is None:
        score += W_DISTANCE * 0.5
    else:
        near_share = 0.0
        if found.distance_mi is not None and found.distance_mi <= profile.max_distance_mi:
            near_share = 1.0 - found.distance_mi / max(profile.max_distance_mi, 0.1)
        if found.area_covered:
            near_share = max(near_share, AREA_ONLY_DISTANCE_SHARE)
        score += W_DISTANCE * near_share
        if found.distance_mi is not None:
            reasons.append(("distance", round(found.distance_mi, 1)))
        elif found.area_covered:
            reasons.append(("serves_area",))
    # Cost: free > sliding scale > fee or unknown.
    if service.cost == "free":
        score += W_COST
        reasons.append(("free",))
    elif service.cost == "sliding_scale":
        score += W_COST * 0.6
        reasons.append(("sliding_scale",))
    # Hours that fit a working family.
    if hours.is_always_open(service.schedules):  # type: ignore[arg-type]
        score += W_HOURS
        reasons.append(("open_24_7",))
    else:
        weekend = _saturday_or_sunday(service)
        if weekend:
            score += W_HOURS / 2
            reasons.append(weekend)
        if hours.open_evenings(service.schedules):  # type: ignore[arg-type]
            score += W_HOURS / 2
            reasons.append(("evenings",))
    if service.accepting_referrals:
        score += W_REFERRALS
        reasons.append(("accepting_referrals",))
    elif service.accepting_referrals is False:
        reasons.append(("not_accepting_referrals",))
    if _verified_recently(service, now):
        score += W_VERIFIED
        reasons.append(("verified_recently",))
    if school_referrals > 0:
        score += (
            W_SCHOOL * min(school_referrals, SCHOOL_HISTORY_SATURATES) / (SCHOOL_HISTORY_SATURATES)
        )
        reasons.append(("works_with_school",))
    score += W_FOCUS * focus
    return round(score, 1), tuple(reasons)


@dataclass(frozen=True)
class _Ranked:
    """A barrier's outcome before the shown services are loaded as ORM objects."""

    barrier: Barrier
    results: list[tuple[_Candidate, _Assessment, float, tuple[Reason, ...], float]]
    misses: list[tuple[_Candidate, _Assessment]]
    no_match_reason: str | None


# --------------------------------------------------------------------------- matching


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
    """
    now = now or datetime.now(UTC)
    history = school_history or {}
    barriers = load_barriers(session, profile.barriers)
    term_sets = _barrier_term_sets(session, barriers)
    candidates = _load_candidates(session, set().union(*term_sets.values()), _prefilter(profile))
    ranked = [
        _rank_barrier(b, term_sets[b.code], candidates, profile, history, limit, now)
        for b in barriers
    ]
    # A barrier with no result: look again without the SQL prefilter, for the near misses.
    for index, outcome in enumerate(ranked):
        if outcome.no_match_reason == "rules" or (
            outcome.no_match_reason == "no_service" and term_sets[outcome.barrier.code]
        ):
            everything = _load_candidates(session, term_sets[outcome.barrier.code])
            ranked[index] = _rank_barrier(
                outcome.barrier,
                term_sets[outcome.barrier.code],
                everything,
                profile,
                history,
                limit,
                now,
            )
    shown = {row[0].id for r in ranked for row in (*r.results, *r.misses)}
    services = _load_services(session, shown)
    matches = [_barrier_match(r, services) for r in ranked]
    # Urgent barriers come first, crisis before mandated report, then the family's order.
    urgency = {"crisis": 0, "mandated_report": 1}
    matches.sort(key=lambda m: urgency.get(m.barrier.urgent, 2))
    return MatchResult(profile, matches, build_bundle(matches))


def _rank_barrier(
    barrier: Barrier,
    term_ids: set[str],
    candidates: Mapping[str, _Candidate],
    profile: FamilyProfile,
    history: Mapping[str, int],
    limit: int,
    now: datetime,
) -> _Ranked:
    results = []
    misses = []
    named = {t.id for t in barrier.terms}
    relevant = [c for c in candidates.values() if c.tags & term_ids]
    for candidate in relevant:
        found = _assess(candidate, profile, barrier)
        if found.failed:
            misses.append((candidate, found))
            continue
        focus = _focus(candidate, named, term_ids)
        score, reasons = _score(
            candidate, found, profile, focus, history.get(candidate.organization_id, 0), now
        )
        results.append((candidate, found, score, reasons, focus))
    far = float("inf")
    results.sort(
        key=lambda r: (-r[2], r[1].distance_mi if r[1].distance_mi is not None else far, r[0].name)
    )
    if results:
        return _Ranked(barrier, results[:limit], [], None)
    if not barrier.terms:
        reason = "not_matched_directly"
    elif not relevant:
        reason = "no_service"
    else:
        reason = "rules"
    misses.sort(
        key=lambda m: (
            len(m[1].failed),
            m[1].distance_mi if m[1].distance_mi is not None else far,
            m[0].name,
        )
    )
    return _Ranked(barrier, [], misses[:NEAR_MISS_LIMIT], reason)


def _focus(candidate: _Candidate, named: set[str], term_ids: set[str]) -> float:
    """Share of the service's categories that serve the barrier.

    A category the barrier names counts fully; a narrower category found only by expanding
    a named one counts a quarter: "Advocacy & Legal Aid" named for domestic violence means
    legal help with the violence, and a listing tagged only "Citizenship & Immigration"
    (a child of it) is related, not on point.
    """
    direct = len(candidate.tags & named)
    expanded = len(candidate.tags & (term_ids - named))
    return (direct + DESCENDANT_SHARE * expanded) / max(candidate.term_count, 1)


def _rounded(distance: float | None) -> float | None:
    return round(distance, 1) if distance is not None else None


def _barrier_match(ranked: _Ranked, services: Mapping[str, Service]) -> BarrierMatch:
    results = [
        ServiceMatch(
            service=services[candidate.id],
            score=score,
            distance_mi=_rounded(found.distance_mi),
            languages=candidate.language_codes,
            via_interpreter=found.via_interpreter,
            reasons=reasons,
            focus=focus,
        )
        for candidate, found, score, reasons, focus in ranked.results
    ]
    misses = [
        NearMiss(services[candidate.id], _rounded(found.distance_mi), found.failed)
        for candidate, found in ranked.misses
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
        return UrgentNotice("mandated_report", barrier.code, CHILD_ABUSE_HOTLINE)
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
