"""The de-identified rows that reports count: built here from needs records and
referrals, so no family key, note or contact ever leaves this package for a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NeedRow:
    school_id: str
    district_id: str | None
    created: date
    grade_band: str
    language: str
    barriers: frozenset[str]


@dataclass(frozen=True)
class ReferralRow:
    school_id: str
    barrier: str
    made: date
    accepted: bool
    declined: bool
    completed: date | None
    closed: bool  # closed without completion (expired, cancelled, withdrawn)


@dataclass(frozen=True)
class GapRow:
    """A match that found no acceptable service (``MatchGap``)."""

    school_id: str | None
    barrier: str
    language: str


@dataclass(frozen=True)
class DemandData:
    """The de-identified rows one report counts."""

    needs: list[NeedRow]
    referrals: list[ReferralRow]
    match_gaps: list[GapRow]
