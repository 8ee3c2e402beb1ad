"""The search-index outbox: one row per listing change, written in the change's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, utcnow


class IndexChange(Base):
    """A listing that changed; every host replays these into its own search index.

    Written by a flush hook (matcher/index_sync.py) in the same transaction as the
    change, so a committed change always has its record and a rolled-back one never does.
    """

    __tablename__ = "index_change"

    # BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
