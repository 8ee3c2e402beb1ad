"""What counts as serving a barrier, the hard rules, and the score (pure functions, no I/O).

Split from ``matcher/matching.py`` so the engine there reads as the steps of a match; these
functions read only ``matcher.matching.table`` rows and the family's profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from matcher.matching.results import FamilyProfile, Reason
from matcher.matching.table import DirectoryTable, ServiceRow, miles

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
DESCENDANT_SHARE = 0.25
VERIFIED_FRESH = timedelta(days=365)
SCHOOL_HISTORY_SATURATES = 5


@dataclass(frozen=True)
class BarrierTerms:
    """The terms that make a service relevant to one barrier, by how specific they are.

    The barrier's own terms count fully. Two rules keep broad terms from pulling in
    services for other needs:

    * a narrower term found by expanding a named one counts a quarter ("Advocacy & Legal
      Aid" named for domestic violence means legal help with the violence; a listing tagged
      only "Identification Recovery" is related, not on point), and never when another
      barrier names that term: it is that barrier's need ("Workplace Rights" is employment
      help, not domestic-violence help, though it sits under "Advocacy & Legal Aid");
    * a named term with another of the barrier's named terms beneath it is a heading: the
      barrier has said which part of it it means ("Advocacy & Legal Aid" above
      "Guardianship"). It is not expanded, and a service matched by the heading alone
      belongs to another barrier when that barrier names every term this one found on the
      service and more of the service's terms: a legal program tagged "Advocacy & Legal
      Aid" and "Help Escape Violence" is a domestic-violence service, not a custody one,
      while a free clinic tagged "Medical Care" still serves primary care.
    """

    named: frozenset[str]
    headings: frozenset[str]
    expanded: frozenset[str]
    rivals: tuple[frozenset[str], ...]  # other barriers' terms, for those naming a heading

    @classmethod
    def build(cls, table: DirectoryTable, code: str, every_barrier: Mapping[str, set[str]]):
        """The barrier ``code``'s terms; ``every_barrier`` maps each code to its named terms."""
        named = every_barrier.get(code, set())
        others = set().union(*(t for c, t in every_barrier.items() if c != code)) - named
        headings = {t for t in named if (table.descendants([t]) - {t}) & named}
        kept = named - headings
        expanded: set[str] = set()
        stack = [child for t in kept for child in table.children.get(t, ())]
        while stack:
            term = stack.pop()
            if term in others or term in named or term in expanded:
                continue
            expanded.add(term)
            stack.extend(table.children.get(term, ()))
        rivals = tuple(frozenset(t) for c, t in every_barrier.items() if c != code and t & headings)
        return cls(frozenset(kept), frozenset(headings), frozenset(expanded), rivals)

    def relevant(self, table: DirectoryTable) -> set[str]:
        """Ids of the services that serve the barrier (any status, anywhere)."""
        ids = table.tagged(self.named | self.expanded)
        for sid in table.tagged(self.headings) - ids:
            terms = table.services[sid].terms
            found = terms & self.headings
            if not any(found < terms & rival for rival in self.rivals):
                ids.add(sid)
        return ids

    def focus(self, row: ServiceRow) -> float:
        """Share of the service's categories that serve the barrier (expanded ones a quarter)."""
        direct = len(row.terms & self.named) + len(row.terms & self.headings)
        expanded = len(row.terms & self.expanded)
        return (direct + DESCENDANT_SHARE * expanded) / max(len(row.terms), 1)


@dataclass
class Family:
    """One match's view of the family: its profile and what is computed once for it."""

    profile: FamilyProfile
    covered: set[str]  # services whose service area covers the family's place
    now: datetime
    # Service id -> miles to its nearest location; seeded with DirectoryTable.within.
    nearest: dict[str, float | None] = field(default_factory=dict)

    def distance(self, row: ServiceRow) -> float | None:
        """Miles to the service's nearest location (None without a place or a location)."""
        if self.profile.near is None:
            return None
        if row.id not in self.nearest:
            origin = self.profile.near.point.as_tuple()
            self.nearest[row.id] = min((miles(origin, p) for p in row.points), default=None)
        return self.nearest[row.id]


@dataclass(frozen=True)
class Assessment:
    failed: tuple[Reason, ...]
    distance_mi: float | None
    area_covered: bool
    language: str | None  # the family language that matched
    via_interpreter: bool


def language_fit(row: ServiceRow, family: Sequence[str]) -> tuple[str | None, bool]:
    """(matched family language, via interpreter?), or (None, False) when none fits."""
    if not family:
        return None, False
    direct = {code for code, interpreter in row.languages if not interpreter}
    interpreted = {code for code, interpreter in row.languages if interpreter}
    for code in family:
        if code in direct:
            return code, False
    for code in family:
        if code in interpreted:
            return code, True
    if row.interprets:
        return family[0], True
    return None, False


def _age_ok(row: ServiceRow, age: int | None, domain: str) -> bool:
    if age is None or domain not in AGE_APPLIES_TO:
        return True
    if row.minimum_age is not None and age < row.minimum_age:
        return False
    return not (row.maximum_age is not None and age > row.maximum_age)


def assess(row: ServiceRow, family: Family, domain: str) -> Assessment:
    """The hard rules: every one the service fails, with what the family needs to know."""
    profile = family.profile
    failed: list[Reason] = []
    if row.status != "active":
        failed.append(("status", row.status))
    if not _age_ok(row, profile.age, domain):
        failed.append(("age", row.minimum_age, row.maximum_age))
    language, via_interpreter = language_fit(row, profile.languages)
    if profile.languages and language is None:
        failed.append(("language", row.language_codes))
    distance, covered = family.distance(row), row.id in family.covered
    if profile.near is not None:
        within = distance is not None and distance <= profile.max_distance_mi
        if not within and not covered:
            if distance is None:
                failed.append(("outside_area",))
            else:
                failed.append(("too_far", round(distance, 1), profile.max_distance_mi))
    return Assessment(tuple(failed), distance, covered, language, via_interpreter)


def score(
    row: ServiceRow, found: Assessment, family: Family, focus: float, school_referrals: int
) -> tuple[float, tuple[Reason, ...]]:
    """Score 0-100 and the reasons worth telling a family, most important first."""
    profile = family.profile
    reasons: list[Reason] = []
    total = 0.0
    # Language: direct in the family's first language > another of theirs > interpreter.
    if found.language is not None:
        if found.via_interpreter:
            total += W_LANGUAGE * 0.4
            reasons.append(("with_interpreter", found.language))
        else:
            first = found.language == profile.languages[0]
            total += W_LANGUAGE * (1.0 if first else 0.8)
            reasons.append(("speaks", found.language))
    elif not profile.languages:
        total += W_LANGUAGE * 0.5
    # Distance: closer is better; area-wide services need no trip but tell us nothing.
    if profile.near is None:
        total += W_DISTANCE * 0.5
    else:
        near_share = 0.0
        if found.distance_mi is not None and found.distance_mi <= profile.max_distance_mi:
            near_share = 1.0 - found.distance_mi / max(profile.max_distance_mi, 0.1)
        if found.area_covered:
            near_share = max(near_share, AREA_ONLY_DISTANCE_SHARE)
        total += W_DISTANCE * near_share
        if found.distance_mi is not None:
            reasons.append(("distance", round(found.distance_mi, 1)))
        elif found.area_covered:
            reasons.append(("serves_area",))
    # Cost: free > sliding scale > fee or unknown.
    if row.cost == "free":
        total += W_COST
        reasons.append(("free",))
    elif row.cost == "sliding_scale":
        total += W_COST * 0.6
        reasons.append(("sliding_scale",))
    # Hours that fit a working family.
    if row.open_24_7:
        total += W_HOURS
        reasons.append(("open_24_7",))
    else:
        if row.weekend:
            total += W_HOURS / 2
            reasons.append((row.weekend,))
        if row.evenings:
            total += W_HOURS / 2
            reasons.append(("evenings",))
    if row.accepting_referrals:
        total += W_REFERRALS
        reasons.append(("accepting_referrals",))
    elif row.accepting_referrals is False:
        reasons.append(("not_accepting_referrals",))
    verified = row.last_verified_at
    if verified is not None and family.now - verified <= VERIFIED_FRESH:
        total += W_VERIFIED
        reasons.append(("verified_recently",))
    if school_referrals > 0:
        total += (
            W_SCHOOL * min(school_referrals, SCHOOL_HISTORY_SATURATES) / (SCHOOL_HISTORY_SATURATES)
        )
        reasons.append(("works_with_school",))
    total += W_FOCUS * focus
    return round(total, 1), tuple(reasons)
