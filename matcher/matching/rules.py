"""Eligibility, reach and the score of one service for one family and barrier (pure
functions over ``matcher.matching.table`` rows; no I/O).

What the listing says explicitly is a rule: a service that fails one is not a result but
a service to also consider (``failed``). What it leaves unsaid is a concern the
coordinator reads (``concerns``); what suits the family is its ``fit``. The family's
age, languages, place and "no documents" preference come from its needs record.

* **Age** (``minimum_age``/``maximum_age``, and an eligibility that names an adult
  audience, "farmworker women"): who a barrier's services serve decides whose age counts
  (``SERVED``): the student's for the student's own needs; for family needs an adult
  service fits the caregivers, a children's service must fit the student; childcare and
  parenting help are for the parents or any child of the family, so a children's range
  there is a concern.
* **Language**: the family's language, or stated interpretation (a concern); a listing
  naming no language is a concern.
* **Reach**: see ``matcher.directory.service_areas``.
* **Documents**: required documents or "ID required" fail a family that prefers no
  documents, and are a concern for others; "No ID needed" is a fit.
* **Cost**: a fee is a rule (a paid programme is no remedy for a family's barrier).
* **Status** and **not accepting referrals** are rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from matcher.matching.results import FamilyProfile, Reason
from matcher.matching.table import ServiceRow, miles

STUDENT, FAMILY, SIBLINGS, STUDENT_OR_BABY, STUDENT_OR_FAMILY = (
    "student",
    "family",
    "siblings",
    "student_or_baby",
    "student_or_family",
)
# Barriers whose services serve someone other than the domain says (catalogue codes).
SERVED = {
    "childcare": SIBLINGS,  # "Childcare for siblings"
    "parent_support": SIBLINGS,  # parents of the student or of a younger child
    "pregnant_parenting": STUDENT_OR_BABY,
    "substance_use": STUDENT_OR_FAMILY,  # "(student or family)"
    "health_coverage": FAMILY,
}
# Barriers whose need is the language itself: the listing must name the family's language
# (a general "we use interpreters" does not say it has an interpreter for Mixteco).
LANGUAGE_IS_THE_NEED = frozenset({"interpretation"})
# A service whose ages include these serves a school child's parents or caregivers.
CAREGIVER_AGES = (25, 50)
BABY_OLDEST = 5
ADULT = 18

# Score weights (sum of maxima = 106). Focus (the share of the service's own kinds that
# are about the barrier) weighs most after reach: a clinic's counseling beats a peer group
# two blocks closer.
W_FOCUS = 20.0
W_DISTANCE = 25.0
W_LANGUAGE = 18.0
W_COST = 10.0
W_HOURS = 8.0
W_REFERRALS = 5.0
W_VERIFIED = 6.0
W_SCHOOL = 8.0
W_SPECIALIST = 6.0  # the organization specialises in this barrier
AREA_ONLY_DISTANCE_SHARE = 0.7
VERIFIED_FRESH = timedelta(days=365)
SCHOOL_HISTORY_SATURATES = 5


def served(code: str, domain: str) -> str:
    """Whose age a barrier's services are judged by."""
    return SERVED.get(code) or (FAMILY if domain == "family" else STUDENT)


@dataclass
class Family:
    """One match's view of the family: its profile and what is computed once for it."""

    profile: FamilyProfile
    covered: dict[str, str]  # service id -> most local service area covering the family
    now: datetime
    # Service id -> (miles, site) of its nearest location; seeded lazily.
    nearest: dict[str, tuple[float, tuple] | None] = field(default_factory=dict)

    def nearest_site(self, row: ServiceRow) -> tuple[float, tuple] | None:
        """(miles, location) of the service's nearest location, None without a place or one."""
        if self.profile.near is None or not row.points:
            return None
        if row.id not in self.nearest:
            origin = self.profile.near.point.as_tuple()
            self.nearest[row.id] = min((miles(origin, p[:2]), p) for p in row.points)
        return self.nearest[row.id]


@dataclass(frozen=True)
class Assessment:
    failed: tuple[Reason, ...]
    concerns: tuple[Reason, ...]
    fit: tuple[Reason, ...]
    distance_mi: float | None  # to the nearest location, approximate or not
    shown_distance: float | None  # only between two real addresses
    reach: str | None  # the most local service area covering the family
    language: str | None  # the family language that matched
    via_interpreter: bool


def language_fit(
    row: ServiceRow, family: Sequence[str], listed_only: bool = False
) -> tuple[str | None, bool]:
    """(matched family language, via interpreter?), or (None, False) when none fits.

    ``listed_only``: a general statement of interpretation does not count."""
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
    if row.interprets and not listed_only:
        return family[0], True
    return None, False


def age_rule(row: ServiceRow, age: int | None, who: str) -> tuple[Reason | None, Reason | None]:
    """(failed rule, concern or fit) for the service's ages and the family."""
    low, high = row.minimum_age, row.maximum_age
    if row.adults_only and who in (STUDENT, STUDENT_OR_BABY):
        return ("adults_only",), None
    if low is None and high is None:
        return None, None
    caregivers = (low is None or low <= CAREGIVER_AGES[0]) and (
        high is None or high >= CAREGIVER_AGES[1]
    )
    if who == SIBLINGS:  # for the parents, or for a child of the family of any age
        if caregivers:
            return None, None
        if high is not None and high < ADULT:
            return None, ("child_ages", low, high)
        return ("age", low, high, None), None
    student_fits = age is not None and (low is None or age >= low) and (high is None or age <= high)
    if student_fits:
        return None, ("ages", low, high)
    if who in (FAMILY, STUDENT_OR_FAMILY) and caregivers:
        return None, None
    if who == STUDENT_OR_BABY and high is not None and high <= BABY_OLDEST:
        return None, ("child_ages", low, high)
    if age is None and (low is None or low < ADULT):
        return ("age_unknown", low, high), None
    return ("age", low, high, age), None


def clears(row: ServiceRow, family: Family, who: str) -> bool:
    """Does the service pass every rule but language and reach (which a match checks for
    all services at once with set operations)? The fast path of a match."""
    profile = family.profile
    return (
        row.status == "active"
        and row.cost != "fee"
        and row.accepting_referrals is not False
        and not (profile.no_documents and (row.documents or row.id_required))
        and age_rule(row, profile.age, who)[0] is None
    )


def _reach(row: ServiceRow, family: Family, failed: list, concerns: list, fit: list):
    """The reach rule and how to say where the service is; returns (miles, shown miles)."""
    profile = family.profile
    if profile.near is None:
        if not row.points and row.phone:
            fit.append(("by_phone",))
        return None, None
    level = family.covered.get(row.id)
    site = family.nearest_site(row)
    distance = site[0] if site else None
    out_of_reach = False
    if level is None:
        out_of_reach = True
        if row.bounded:
            failed.append(("outside_area",))
        elif distance is not None and distance > profile.max_distance_mi:
            failed.append(("too_far", round(distance, 1), profile.max_distance_mi))
        else:
            out_of_reach = False
            if site is None:
                concerns.append(("area_unlisted",))
    shown = None
    if site and profile.place_is_address and site[1][2]:
        shown = round(distance, 1)
    if not out_of_reach:
        if shown is not None:
            fit.append(("distance", shown))
        elif site and site[1][3] and site[1][3] == profile.near.postal_code:
            fit.append(("same_zip",))
        elif level is not None:
            fit.append(("area", level))
        elif site and site[1][4]:
            fit.append(("in_city", site[1][4]))
    if not row.points and row.phone:
        fit.append(("by_phone",))
    return distance, shown


def assess(row: ServiceRow, family: Family, who: str, code: str = "") -> Assessment:
    """Every rule the service fails, what may not fit, and what fits the family."""
    profile = family.profile
    failed: list[Reason] = []
    concerns: list[Reason] = []
    fit: list[Reason] = []
    if row.status != "active":
        failed.append(("status", row.status))
    listed_only = code in LANGUAGE_IS_THE_NEED
    language, via_interpreter = language_fit(row, profile.languages, listed_only)
    if profile.languages:
        if not row.languages and not (row.interprets and not listed_only):
            concerns.append(("languages_unlisted",))
        elif language is None:
            failed.append(("language", row.language_codes))
        elif via_interpreter:
            staff = tuple(sorted(c for c, interpreter in row.languages if not interpreter))
            concerns.append(("interpreter", language, staff))
        else:
            fit.append(("speaks", language))
    distance, shown = _reach(row, family, failed, concerns, fit)
    rule, said = age_rule(row, profile.age, who)
    if rule:
        failed.append(rule)
    elif said:
        (fit if said[0] == "ages" else concerns).append(said)
    if row.cost == "fee":
        failed.append(("fee",))
    elif row.cost in ("free", "sliding_scale"):
        fit.append((row.cost,))
    if row.documents or row.id_required:
        if profile.no_documents:
            failed.append(("documents",))
        else:
            concerns.append(("documents",) if row.documents else ("id_required",))
    elif row.id_required is False:
        fit.append(("no_id",))
    elif profile.no_documents:
        concerns.append(("documents_unknown",))
    if row.accepting_referrals is False:
        failed.append(("not_accepting",))
    if row.appointment:
        concerns.append(("appointment",))
    if row.open_24_7:
        fit.append(("open_24_7",))
    else:
        if row.weekend:
            fit.append((row.weekend,))
        if row.evenings:
            fit.append(("evenings",))
    return Assessment(
        tuple(failed),
        tuple(concerns),
        tuple(fit),
        distance,
        shown,
        family.covered.get(row.id),
        language,
        via_interpreter,
    )


def score(
    row: ServiceRow,
    family: Family,
    focus: float,
    language: tuple[str | None, bool],
    distance: float | None,
    level: str | None,
    school_referrals: int = 0,
    specialist: bool = False,
) -> tuple[float, tuple[Reason, ...]]:
    """Score and the last fits worth telling (referrals, verification, the school).

    ``language`` is ``language_fit``'s answer; ``distance`` the miles to the nearest
    location within reach (None: none within the limit); ``level`` the service area that
    covers the family.
    """
    profile = family.profile
    extra: list[Reason] = []
    total = W_FOCUS * focus + W_SPECIALIST * specialist
    spoken, via_interpreter = language
    if spoken is not None:
        if via_interpreter:
            total += W_LANGUAGE * 0.4
        else:
            total += W_LANGUAGE * (1.0 if spoken == profile.languages[0] else 0.8)
    elif not profile.languages:
        total += W_LANGUAGE * 0.5
    else:  # the listing names no language
        total += W_LANGUAGE * 0.3
    if profile.near is None:
        total += W_DISTANCE * 0.5
    else:
        near_share = 0.0
        if distance is not None and distance <= profile.max_distance_mi:
            near_share = 1.0 - distance / max(profile.max_distance_mi, 0.1)
        if level is not None:
            near_share = max(near_share, AREA_ONLY_DISTANCE_SHARE)
        total += W_DISTANCE * near_share
    if row.cost == "free":
        total += W_COST
    elif row.cost == "sliding_scale":
        total += W_COST * 0.6
    if row.open_24_7:
        total += W_HOURS
    else:
        total += W_HOURS / 2 * (bool(row.weekend) + row.evenings)
    if row.accepting_referrals:
        total += W_REFERRALS
        extra.append(("accepting_referrals",))
    verified = row.last_verified_at
    if verified is not None and family.now - verified <= VERIFIED_FRESH:
        total += W_VERIFIED
        extra.append(("verified_recently",))
    if school_referrals > 0:
        share = min(school_referrals, SCHOOL_HISTORY_SATURATES) / SCHOOL_HISTORY_SATURATES
        total += W_SCHOOL * share
        extra.append(("works_with_school",))
    return round(total, 1), tuple(extra)
