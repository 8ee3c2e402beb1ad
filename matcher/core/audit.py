"""Record who changed what: one generic call for listings, reviews, accounts and referrals.

``record(session, actor, action, entity, before, after)`` adds an ``AuditEvent``
to the caller's session, so the event commits (or rolls back) with the change it
describes: there is never a change without its audit row, nor the reverse.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from matcher.models import AuditEvent, User

Entity = Any  # an ORM object with a primary key, or an (entity_type, entity_id) pair


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def entity_key(entity: Entity) -> tuple[str, str]:
    """``(entity_type, entity_id)`` of an ORM object or of a pair given as is."""
    if isinstance(entity, tuple):
        return str(entity[0]), str(entity[1])
    mapper = inspect(entity).mapper
    identity = [getattr(entity, column.key) for column in mapper.primary_key]
    return mapper.local_table.name, ":".join(str(part) for part in identity)


def actor_label(actor: User | str | None) -> str:
    if isinstance(actor, User):
        return actor.email
    return actor or "public"


def record(
    session: Session,
    actor: User | str | None,
    action: str,
    entity: Entity,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    request_id: str | None = None,
) -> AuditEvent:
    """Add one audit event; ``actor`` is a User, a label such as 'system', or None (public)."""
    entity_type, entity_id = entity_key(entity)
    event = AuditEvent(
        actor_id=actor.id if isinstance(actor, User) else None,
        actor_label=actor_label(actor),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before_json=_json(before),
        after_json=_json(after),
        request_id=request_id,
    )
    session.add(event)
    return event


def recent_events(session: Session, limit: int = 200, entity_type: str | None = None):
    """Newest first, for the admin audit page."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    return list(session.scalars(query.limit(limit)))
