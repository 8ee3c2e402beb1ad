"""The words families use that Enlace does not know yet, and what staff taught it.

``QueryTerm`` counts unknown query words and phrases. Below the reports' suppression
threshold (11 searches) a term is kept only as a keyed hash with its count: nobody can
read it, so a name typed by mistake is never shown; from the 11th search on, its text
is kept too. Unreadable terms expire. ``StaffMapping`` is a phrase staff mapped to
taxonomy terms or to a crisis kind; search reads it on every host through the index
sync (see ``matcher.search.staff_lexicon``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow

MAX_TERM = 120


class QueryTerm(Base):
    __tablename__ = "query_term"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # HMAC-SHA256 of the folded term under the app's secret key (hex).
    term_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="word")  # word | phrase
    locale: Mapped[str] = mapped_column(String(10), default="en")
    # Null until the term was searched at least MIN_READABLE times.
    text: Mapped[str | None] = mapped_column(String(MAX_TERM))
    count: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class StaffMapping(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "staff_mapping"

    phrase: Mapped[str] = mapped_column(String(MAX_TERM))
    lang: Mapped[str] = mapped_column(String(5), default="any")  # en | es | any
    # Taxonomy term codes, "|"-separated (may be empty when only a crisis kind is set).
    term_codes: Mapped[str] = mapped_column(Text, default="")
    crisis: Mapped[str | None] = mapped_column(String(30))
    created_by: Mapped[str | None] = mapped_column(String(36))


__all__ = ["MAX_TERM", "QueryTerm", "StaffMapping"]
