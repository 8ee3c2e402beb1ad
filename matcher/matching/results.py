"""What a match says: the family profile it was asked for and, per barrier, the services
that fit, the near misses and the urgent notice. Plain data, shared by the rules, the
bundle and the engine (so none of them imports another for its types)."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.directory.geo import Place
from matcher.models import Barrier, Organization, Service

DEFAULT_MAX_DISTANCE_MI = 15.0

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


