"""Idempotent writes: create, update in place, or leave alone, and count which.

The seed loader and the HSDS importer both need "load this twice, change nothing":
rows are keyed by a stable id, fields are only assigned when they differ (so
SQLAlchemy issues no UPDATE and ``updated_at`` stays put), and child collections
are synchronised by id rather than deleted and re-inserted.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session

T = TypeVar("T")

# Namespace for ids derived from seed keys: the same key always gives the same UUID.
ENLACE_NAMESPACE = uuid.UUID("5b0f5a53-3a52-4c9c-9d0e-2f4a0e8c1e11")


def stable_id(*parts: str) -> str:
    """A deterministic UUID string for a record known by a human key."""
    return str(uuid.uuid5(ENLACE_NAMESPACE, ":".join(parts)))


@dataclass
class ChangeCounts:
    """Created / updated / unchanged / skipped counts per record type."""

    counts: dict[str, Counter] = field(default_factory=dict)
    skipped_reasons: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def skip(self, kind: str, reason: str) -> None:
        self.add(kind, "skipped")
        self.skipped_reasons.append(reason)

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated") or self.total("deleted"))

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(self.counts):
            c = self.counts[kind]
            parts = ", ".join(
                f"{c[k]} {k}"
                for k in ("created", "updated", "deleted", "unchanged", "skipped")
                if c[k]
            )
            out.append(f"{kind}: {parts}")
        out.extend(f"  skipped: {reason}" for reason in self.skipped_reasons)
        return out


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; return True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def upsert(
    session: Session, model: type[T], id_: Any, values: dict[str, Any], counts: ChangeCounts
) -> T:
    """Fetch ``model`` by primary key and update it, or create it; count the outcome."""
    return _create_or_update(session.get(model, id_), model, id_, values, counts, session.add)


def _create_or_update(obj, model, id_, values, counts: ChangeCounts, add) -> Any:
    """Update ``obj`` in place, or create it with ``id_`` and hand it to ``add``."""
    kind = model.__tablename__
    if obj is None:
        obj = model(**values)
        setattr(obj, inspect(model).primary_key[0].key, id_)
        add(obj)
        counts.add(kind, "created")
    elif assign(obj, values):
        counts.add(kind, "updated")
    else:
        counts.add(kind, "unchanged")
    return obj


def sync_children(
    collection: list[T],
    model: type[T],
    desired: Iterable[tuple[str, dict[str, Any]]],
    counts: ChangeCounts,
) -> None:
    """Make ``collection`` hold exactly the ``(id, values)`` rows given, keeping matches.

    Rows no longer wanted are removed from the collection (the relationship's
    delete-orphan cascade deletes them).
    """
    kind = model.__tablename__  # type: ignore[attr-defined]
    existing = {obj.id: obj for obj in collection}  # type: ignore[attr-defined]
    wanted_ids = []
    for id_, values in desired:
        wanted_ids.append(id_)
        _create_or_update(existing.get(id_), model, id_, values, counts, collection.append)
    for id_, obj in existing.items():
        if id_ not in wanted_ids:
            collection.remove(obj)
            counts.add(kind, "deleted")


def sync_links(collection: list[T], wanted: list[T], kind: str, counts: ChangeCounts) -> None:
    """Make a many-to-many collection equal ``wanted`` without touching unchanged links."""
    current = {id(o) for o in collection}
    target = {id(o) for o in wanted}
    if current == target:
        counts.add(kind, "unchanged", len(wanted))
        return
    for obj in list(collection):
        if id(obj) not in target:
            collection.remove(obj)
            counts.add(kind, "deleted")
    for obj in wanted:
        if id(obj) not in current:
            collection.append(obj)
            counts.add(kind, "created")
