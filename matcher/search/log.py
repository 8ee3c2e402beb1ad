"""The search log: a search that found nothing is recorded for the demand report.

Only the words of needs and services are kept (see ``engine.record_zero_result``);
the reports read this table, search writes it.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matcher.core.text import clip
from matcher.models import SearchLog
from matcher.models.reports import MAX_LOGGED_QUERY

log = logging.getLogger(__name__)


def record_empty_search(
    session: Session, query: str, locale: str, filters: dict | None, result_count: int = 0
) -> SearchLog:
    """Log a search that found nothing: query (cut short), language, filters. Nobody's identity."""
    row = SearchLog(
        query=clip(" ".join((query or "").split()), MAX_LOGGED_QUERY - 1),
        locale=(locale or "en")[:10],
        filters_json=json.dumps(filters or {}, ensure_ascii=False, sort_keys=True, default=str),
        result_count=result_count,
    )
    session.add(row)
    return row


def log_empty_search(session: Session, query: str, locale: str, filters: dict | None) -> None:
    """Record an empty search in its own short transaction: the search itself stays a
    read, and a logging failure never breaks the search."""
    try:
        with Session(session.get_bind()) as log_session:
            record_empty_search(log_session, query, locale, filters)
            log_session.commit()
    except SQLAlchemyError:
        log.warning("could not log an empty search", exc_info=True)
