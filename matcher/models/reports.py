"""What reports need that no other module stores: searches that found nothing.

A zero-result search is a demand signal ("people looked for X here and we had
nothing"). The row keeps only what the signal needs: the (truncated) query, the
interface language, the filters and the count. No user, session, IP address or
school is stored, so the log is not a record about a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, utcnow

MAX_LOGGED_QUERY = 200


class SearchLog(Base):
    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(String(MAX_LOGGED_QUERY), default="")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    # JSON object of the filters applied (language, cost, place...); "{}" when none.
    filters_json: Mapped[str] = mapped_column(Text, default="{}")
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


__all__ = ["MAX_LOGGED_QUERY", "SearchLog"]
