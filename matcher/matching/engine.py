"""Barrier matching: a family's barriers -> the services that meet each, the weaker ones to
also consider, an honest no-match, urgent notices and a bundle.

Pure domain code (no Flask). Per barrier:

1. **Meets** (``matcher.matching.relevance``): services that are, by their taxonomy terms,
   the kind of help the barrier needs; never a service that only shares a word with it.
2. **Rules** (``matcher.matching.rules``): what the listing says explicitly about age,
   language, reach, documents, cost, status and referrals. A service that meets the
   barrier and passes every rule is a **result**; one that fails a rule is a service to
   **also consider**, with the rule it fails.
3. **Score**: focus on the barrier, reach, language, cost, hours, referrals, verification
   and past referrals from the family's school; crisis barriers list phone lines first.
4. **No match**: when nothing passes, the barrier says why (the rules every service that
   meets it fails) and lists the nearest partial options, then general helpers whose kind
   of help is related (211, case management), under also consider.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from matcher import situations
from matcher.matching.bundle import BundleItem, build_bundle
from matcher.matching.profile import ProfileError, parse_profile
from matcher.matching.relevance import Relevance, relevance
from matcher.matching.results import (
    DEFAULT_MAX_DISTANCE_MI,
    BarrierMatch,
    FamilyProfile,
    NoMatch,
    Reason,
    ServiceMatch,
    Term,
    UrgentNotice,
)
from matcher.matching.rules import (
    LANGUAGE_IS_THE_NEED,
    Assessment,
    Family,
    assess,
    clears,
    language_fit,
    score,
    served,
)
from matcher.matching.table import DirectoryTable, ServiceRow, directory_table
from matcher.models import Barrier, Service, TaxonomyTerm

__all__ = [
    "DEFAULT_MAX_DISTANCE_MI",
    "BarrierMatch",
    "FamilyProfile",
    "MatchResult",
    "NoMatch",
    "ProfileError",
    "Reason",
    "ServiceMatch",
    "UrgentNotice",
    "match_family",
    "parse_profile",
]

DEFAULT_LIMIT = 5
ALSO_LIMIT = 3
# Services failing a rule assessed in full per barrier (nearest first), for also consider,
# and when nothing passes, for the rules every one of them fails.
ALSO_ASSESSED = 12
NO_MATCH_ASSESSED = 300
# Rule kinds, in the order a no-match names them.
RULE_KINDS = {
    "language": "language",
    "outside_area": "reach",
    "too_far": "reach",
    "age": "age",
    "age_unknown": "age",
    "documents": "documents",
    "fee": "cost",
    "status": "status",
    "not_accepting": "referrals",
}
WHY_ORDER = ("reach", "language", "age", "documents", "cost", "status", "referrals")
CountyLines = Mapping[str, Sequence[Mapping[str, Any]]] | None

_FAR = float("inf")
_NONE: frozenset[str] = frozenset()


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


def load_barriers(session: Session, codes: Sequence[str]) -> list[Barrier]:
    """The barriers for ``codes``, in the given order; raises UnknownBarrier."""
    wanted = list(dict.fromkeys(codes))
    found = {b.code: b for b in session.scalars(select(Barrier).where(Barrier.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise UnknownBarrier(", ".join(missing))
    return [found[c] for c in wanted]


def _load_services(session: Session, ids: set[str]) -> dict[str, Service]:
    """The services to show, as ORM objects with what pages and handouts read."""
    if not ids:
        return {}
    return {
        s.id: s
        for s in session.scalars(
            select(Service)
            .where(Service.id.in_(ids))
            .options(joinedload(Service.organization))
        )
    }


def _load_terms(session: Session, ids: set[str]) -> dict[str, Term]:
    if not ids:
        return {}
    rows = session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.name, TaxonomyTerm.name_es).where(
            TaxonomyTerm.id.in_(ids)
        )
    )
    return {tid: Term(tid, name, name_es) for tid, name, name_es in rows}


@dataclass(frozen=True)
class _Option:
    """A service for a barrier before its ORM object is loaded."""

    row: ServiceRow
    found: Assessment
    meeting: frozenset[str]
    points: float = 0.0
    extra: tuple[Reason, ...] = ()
    focus: float = 0.0
    failed: tuple[Reason, ...] = ()
    line: bool = False


@dataclass(frozen=True)
class _Ranked:
    barrier: Barrier
    results: list[_Option]
    also: list[_Option]
    no_match: NoMatch | None


@dataclass
class _Context:
    model: Relevance
    table: DirectoryTable
    specialties: Mapping[str, frozenset[str]]
    family: Family
    speaking: set[str] | None  # services passing the language rule (None: no languages)
    reachable: set[str] | None  # services passing the reach rule (None: no place)
    nearby: dict[str, float]
    history: Mapping[str, int]
    limit: int


def match_family(
    session: Session,
    profile: FamilyProfile,
    *,
    school_history: Mapping[str, int] | None = None,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
    county_lines: CountyLines = None,
) -> MatchResult:
    """Match each of the family's barriers, then build the bundle and urgent notices.

    ``school_history`` maps organization id -> past referrals from the family's school;
    ``county_lines`` are the county's crisis lines from its settings (kind -> lines).
    Raises UnknownBarrier for a code that is not in the catalogue. Rules run over the
    in-memory directory table; only the services shown are read as ORM objects.
    """
    barriers = load_barriers(session, profile.barriers)
    table = directory_table(session)
    covered: dict[str, str] = {}
    nearby: dict[str, float] = {}
    reachable = None
    if profile.near is not None:
        covered = table.covering(profile.near)
        nearby = table.within(profile.near, profile.max_distance_mi)
        reachable = covered.keys() | ((nearby.keys() | table.pointless) - table.bounded)
    model = relevance(session, table)
    context = _Context(
        model=model,
        table=table,
        specialties=model.specialties(table),
        family=Family(profile, covered, now or datetime.now(UTC)),
        speaking=table.speaking(profile.languages) if profile.languages else None,
        reachable=reachable,
        nearby=nearby,
        history=school_history or {},
        limit=limit,
    )
    ranked = [_rank_barrier(b, context) for b in barriers]
    options = [o for r in ranked for o in (*r.results, *r.also)]
    services = _load_services(session, {o.row.id for o in options})
    terms = _load_terms(session, {t for o in options for t in o.meeting})
    matches = [_barrier_match(r, services, terms, county_lines) for r in ranked]
    # Urgent barriers come first, crisis before mandated report, then the family's order.
    urgency = {"crisis": 0, "mandated_report": 1}
    matches.sort(key=lambda m: urgency.get(m.barrier.urgent, 2))
    return MatchResult(profile, matches, build_bundle(matches))


def _is_line(row: ServiceRow) -> bool:
    """A phone line: nowhere to go (no location), or answered around the clock."""
    return (not row.points and row.phone) or row.open_24_7


def _rank_barrier(barrier: Barrier, context: _Context) -> _Ranked:
    code = barrier.code
    if not context.model.model(code).terms:
        return _Ranked(barrier, [], [], NoMatch("not_matched_directly"))
    who = served(code, barrier.domain)
    meeting = context.model.meeting(context.table, code)
    passing = set(meeting)
    if context.speaking is not None:
        passing &= context.speaking
    if context.reachable is not None:
        passing &= context.reachable
    crisis = barrier.urgent == "crisis"
    family, table, model = context.family, context.table, context.model
    listed_only = code in LANGUAGE_IS_THE_NEED
    scored = []
    for sid in passing:
        row = table.services[sid]
        if not clears(row, family, who):
            continue
        focus = model.focus(code, row.terms, meeting[sid])
        points, extra = score(
            row,
            family,
            focus,
            language_fit(row, family.profile.languages, listed_only),
            context.nearby.get(sid),
            family.covered.get(sid),
            context.history.get(row.organization_id, 0),
            code in context.specialties.get(row.organization_id, _NONE),
        )
        scored.append((not (crisis and _is_line(row)), -points, extra, focus, row))
    best = [
        _Option(
            row, assess(row, family, who, code), meeting[row.id], -neg, extra, focus, line=not off
        )
        for off, neg, extra, focus, row in heapq.nsmallest(
            context.limit,
            scored,
            key=lambda o: (
                o[0],
                o[1],
                context.nearby.get(o[4].id, _FAR),
                o[4].name,
                o[4].id,  # same-named listings rank alike on every run and backend
            ),
        )
    ]
    clean = {o[4].id for o in scored}  # pass every rule: results, shown or not
    rest = _nearest_weaker(meeting.keys() - clean, passing, context, bool(best))
    weaker = []
    for sid in rest:
        row = table.services[sid]
        found = assess(row, family, who, code)
        if found.failed:
            weaker.append(_Option(row, found, meeting[sid], failed=found.failed))
    weaker.sort(key=_weaker_order)
    if best:
        return _Ranked(barrier, best, weaker[:ALSO_LIMIT], None)
    no_match = NoMatch("rules", _why(weaker)) if meeting else NoMatch("no_service")
    also = weaker[:ALSO_LIMIT]
    if len(also) < ALSO_LIMIT:
        also += _related_topics(code, set(meeting), who, context)[: ALSO_LIMIT - len(also)]
    return _Ranked(barrier, [], also, no_match)


def _nearest_weaker(ids: set[str], passing: set[str], context: _Context, some: bool) -> list:
    """The services failing a rule worth assessing in full, nearest first: those failing
    only a rule checked one by one, then the ones in or near the family's area. With no
    result, every one of them (up to ``NO_MATCH_ASSESSED``), for the no-match's why."""
    near = context.nearby.keys() | context.family.covered.keys()
    if some:
        first = ids & passing
        ids = first if len(first) >= ALSO_ASSESSED else first | (ids & near) or ids
    speaking, reachable = context.speaking, context.reachable
    return heapq.nsmallest(
        ALSO_ASSESSED if some else NO_MATCH_ASSESSED,
        ids,
        key=lambda sid: (
            (speaking is not None and sid not in speaking)
            + (reachable is not None and sid not in reachable),
            context.nearby.get(sid, _FAR),
            context.table.services[sid].name,
            sid,
        ),
    )


def _weaker_order(option: _Option) -> tuple:
    found = option.found
    return (
        len(option.failed),
        any(f[0] == "status" for f in option.failed),
        _FAR if found.distance_mi is None else found.distance_mi,
        option.row.name,
        option.row.id,
    )


def _why(weaker: list[_Option]) -> tuple[str, ...]:
    """The rule kinds every service that meets the barrier fails."""
    kinds = [{RULE_KINDS.get(f[0], f[0]) for f in o.failed} for o in weaker]
    return tuple(k for k in WHY_ORDER if kinds and all(k in found for found in kinds))


def _related_topics(code: str, meeting: set[str], who: str, context: _Context) -> list[_Option]:
    """General helpers (they meet no barrier) whose kind of help is related to this one
    and who fit the family: a lead when nothing meets the barrier."""
    model, table = context.model, context.table
    options = []
    for sid in table.tagged(model.model(code).terms) - meeting:
        row = table.services[sid]
        if model.barriers_met(row.terms, context.specialties.get(row.organization_id, _NONE)):
            continue
        found = assess(row, context.family, who, code)
        if not found.failed:
            focus = model.focus(code, row.terms, frozenset())
            points, extra = score(
                row,
                context.family,
                focus,
                (found.language, found.via_interpreter),
                found.distance_mi,
                found.reach,
            )
            related = row.terms & model.model(code).terms
            options.append(_Option(row, found, related, points, extra, focus, (("related",),)))
    options.sort(key=lambda o: (-o.points, o.row.name, o.row.id))
    return options


def _service_match(option: _Option, services: Mapping[str, Service], terms) -> ServiceMatch:
    found = option.found
    return ServiceMatch(
        service=services[option.row.id],
        score=option.points,
        distance_mi=found.shown_distance,
        languages=option.row.language_codes,
        via_interpreter=found.via_interpreter,
        meets=tuple(
            sorted((terms[t] for t in option.meeting if t in terms), key=lambda t: t.name)
        ),
        fit=found.fit + option.extra,
        concerns=found.concerns,
        failed=option.failed,
        focus=option.focus,
        line=option.line,
        reach=found.reach,
    )


def _barrier_match(
    ranked: _Ranked, services: Mapping[str, Service], terms, county_lines: CountyLines
) -> BarrierMatch:
    results = [_service_match(o, services, terms) for o in ranked.results]
    also = [_service_match(o, services, terms) for o in ranked.also]
    match = BarrierMatch(ranked.barrier, results, also, ranked.no_match)
    match.urgent = urgent_notice(ranked.barrier, results, county_lines)
    return match


def urgent_notice(
    barrier: Barrier, results: Sequence[ServiceMatch], county_lines: CountyLines = None
) -> UrgentNotice | None:
    """Crisis: the crisis lines (county lines from settings, then 988) and the crisis
    services that are results, phone lines first. Suspected abuse: the county's
    child-abuse hotline for the mandated report, from the county settings, else the
    county-wide phone line the directory lists."""
    if barrier.urgent == "crisis":
        lines = [ln for ln in situations.lines_for("suicide", county_lines) if ln.phone]
        shown = tuple((ln.name_en, ln.name_es, ln.phone) for ln in lines if not ln.unconfirmed)
        return UrgentNotice("crisis", barrier.code, shown[0][2], tuple(results), shown)
    if barrier.urgent == "mandated_report":
        county = [
            ln
            for ln in situations.lines_for("child_abuse", county_lines)
            if ln.scope == "county" and ln.phone
        ]
        if county:
            return UrgentNotice("mandated_report", barrier.code, county[0].phone)
        listed = next(
            (
                m
                for m in results
                if m.reach == "county" and ("by_phone",) in m.fit and m.service.phones
            ),
            None,
        )
        phone = listed.service.phones[0].number if listed else None
        return UrgentNotice("mandated_report", barrier.code, phone, (listed,) if listed else ())
    return None
