"""What a match says: the family profile it was asked for and, per barrier, the services
that meet it, the weaker ones to also consider, an honest no-match and the urgent notice.
Plain data, shared by the rules, the bundle and the engine (so none of them imports
another for its types).

Reasons are structured codes, e.g. ``("speaks", "es")`` or ``("distance", 2.3)``; the web
layer words them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.directory.geo import Place
from matcher.models import Barrier, Organization, Service

DEFAULT_MAX_DISTANCE_MI = 15.0

Reason = tuple  # ("code", *args): rendered by the web layer


@dataclass(frozen=True)
class FamilyProfile:
    """What the matcher may know about a family: no names, no status, nothing else.

    ``no_documents``: the family prefers services that ask for no documents.
    ``exact_place``: ``near`` is a real address (a school's geocoded address, a point),
    not the centre of a ZIP code or a city; distances are shown only between addresses.
    None: decided from the place (a "lat,lon" point is exact).
    """

    barriers: list[str]
    languages: list[str]
    near: Place | None = None
    age: int | None = None
    school_id: str | None = None
    max_distance_mi: float = DEFAULT_MAX_DISTANCE_MI
    no_documents: bool = False
    exact_place: bool | None = None

    @property
    def place_is_address(self) -> bool:
        if self.exact_place is not None:
            return self.exact_place
        return self.near is not None and self.near.kind == "latlon"


@dataclass(frozen=True)
class Term:
    """A taxonomy term's label in both languages (what ``meets`` names)."""

    id: str
    name: str
    name_es: str | None

    def label(self, locale: str) -> str:
        return (self.name_es if locale == "es" else None) or self.name


@dataclass(frozen=True)
class ServiceMatch:
    """A service for a barrier: what in it meets the barrier, what fits, what may not.

    ``failed`` is empty for a result; for a service to also consider it holds the rules
    the listing says it fails (``kind`` names the first, ``related`` the topic-only case).
    """

    service: Service = field(compare=False, repr=False)
    score: float
    distance_mi: float | None  # shown only when both ends are real addresses
    languages: tuple[str, ...]
    via_interpreter: bool
    meets: tuple[Term, ...]
    fit: tuple[Reason, ...]
    concerns: tuple[Reason, ...] = ()
    failed: tuple[Reason, ...] = ()
    focus: float = 1.0  # share of the service's own kinds that are about the barrier
    line: bool = False  # a phone line (no office to visit, or open around the clock)
    reach: str | None = None  # the most local service area covering the family

    @property
    def id(self) -> str:
        return self.service.id

    @property
    def organization(self) -> Organization:
        return self.service.organization

    @property
    def kind(self) -> str:
        """Why a service to also consider is weaker: its first failed rule, or 'related'."""
        return self.failed[0][0] if self.failed else "meets"


@dataclass(frozen=True)
class UrgentNotice:
    """Shown before any referral: crisis lines, or the mandated-report hotline.

    ``phone`` is None when no county line is known (settings or directory): the notice
    then tells staff to call the county's child-abuse hotline without inventing one.
    """

    kind: str  # 'crisis' or 'mandated_report'
    barrier_code: str
    phone: str | None
    services: tuple[ServiceMatch, ...] = ()
    lines: tuple[tuple[str, str, str], ...] = ()  # (name in English, in Spanish, phone)


@dataclass(frozen=True)
class NoMatch:
    """Why nothing meets a barrier for this family.

    ``reason``: 'not_matched_directly' (a signal barrier), 'no_service' (nothing in the
    directory meets it) or 'rules' (services meet it but none fits this family: ``why``
    names the rules every one of them fails, e.g. 'language', 'reach', 'age').
    """

    reason: str
    why: tuple[str, ...] = ()


@dataclass
class BarrierMatch:
    barrier: Barrier
    results: list[ServiceMatch]
    also_consider: list[ServiceMatch]
    no_match: NoMatch | None
    urgent: UrgentNotice | None = None

    @property
    def code(self) -> str:
        return self.barrier.code
