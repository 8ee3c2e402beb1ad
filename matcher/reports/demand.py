"""Demand: barriers recorded in needs records, referrals and their outcomes, empty searches.

Counting works on small, de-identified rows (``NeedRow``, ``ReferralRow``,
``GapRow``) read by the loaders at the bottom: no family key, note or contact
ever reaches a report, so no export can carry one. The unit of a need count is a
needs record (one family at one school); a family with three barriers counts once
in each of the three barrier rows.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.families import needs
from matcher.families.rows import DemandData, GapRow, NeedRow, ReferralRow
from matcher.models import SearchLog
from matcher.search.log import log_empty_search, record_empty_search

__all__ = [
    "DemandData",
    "GapRow",
    "NeedRow",
    "ReferralRow",
    "load",
    "log_empty_search",
    "record_empty_search",
]

log = logging.getLogger(__name__)

# Family languages get their own column; every other language is counted as "other".
OTHER_LANGUAGE = "other"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: date, last: date) -> list[str]:
    """Every month from ``first`` to ``last``, so a trend line shows empty months as 0."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def language_group(code: str, featured: Sequence[str]) -> str:
    return code if code in featured else OTHER_LANGUAGE


def barrier_counts(needs: Iterable[NeedRow]) -> Counter[str]:
    """Needs records per barrier."""
    return Counter(code for need in needs for code in need.barriers)


def barrier_language_counts(
    needs: Iterable[NeedRow], featured: Sequence[str]
) -> Counter[tuple[str, str]]:
    """Needs records per (barrier, family language group)."""
    return Counter(
        (code, language_group(need.language, featured)) for need in needs for code in need.barriers
    )


def count_by(needs: Iterable[NeedRow], key: str) -> Counter[str]:
    """Needs records per value of one field: school_id, district_id, grade_band, language."""
    return Counter(getattr(need, key) or "" for need in needs)


def monthly(days: Iterable[date]) -> Counter[str]:
    return Counter(month_of(d) for d in days)


@dataclass(frozen=True)
class ReferralOutcomes:
    made: int
    accepted: int
    declined: int
    completed: int
    not_completed: int  # closed without completion
    median_days: float | None  # from made to completed; None when nothing was completed


def outcomes(referrals: Sequence[ReferralRow]) -> ReferralOutcomes:
    days = [(r.completed - r.made).days for r in referrals if r.completed]
    return ReferralOutcomes(
        made=len(referrals),
        accepted=sum(r.accepted for r in referrals),
        declined=sum(r.declined for r in referrals),
        completed=len(days),
        not_completed=sum(r.closed and not r.completed for r in referrals),
        median_days=statistics.median(days) if days else None,
    )


def outcomes_by_barrier(referrals: Iterable[ReferralRow]) -> dict[str, ReferralOutcomes]:
    grouped: dict[str, list[ReferralRow]] = {}
    for referral in referrals:
        grouped.setdefault(referral.barrier, []).append(referral)
    return {code: outcomes(rows) for code, rows in grouped.items()}


@dataclass(frozen=True)
class EmptySearch:
    query: str
    locale: str
    filters: str
    count: int


def empty_searches(session: Session, since: datetime | None = None) -> list[EmptySearch]:
    """Searches that found nothing, grouped by (query, language, filters), most frequent first."""
    statement = (
        select(SearchLog.query, SearchLog.locale, SearchLog.filters_json, func.count())
        .where(SearchLog.result_count == 0)
        .group_by(SearchLog.query, SearchLog.locale, SearchLog.filters_json)
    )
    if since is not None:
        statement = statement.where(SearchLog.created_at >= since)
    rows = [
        EmptySearch(query, locale, _filters_text(filters), count)
        for query, locale, filters, count in session.execute(statement)
    ]
    return sorted(rows, key=lambda r: (-r.count, r.query, r.locale))


def _filters_text(filters_json: str) -> str:
    """'{"language": "es", "free": true}' -> 'free=true, language=es' for a table cell."""
    try:
        filters = json.loads(filters_json or "{}")
    except ValueError:
        return ""
    if not isinstance(filters, dict):
        return ""
    shown = (
        f"{key}={value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in sorted(filters.items())
        if value not in (None, "", [], False)
    )
    return ", ".join(shown)


def load(session: Session, school_ids: Sequence[str] | None = None) -> DemandData:
    """Read needs, referrals and unmatched barriers (all schools, or ``school_ids``)."""
    return needs.report_rows(session, school_ids)
