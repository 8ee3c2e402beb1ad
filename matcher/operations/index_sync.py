"""Keep every host's search index in step with the one shared database.

Write side: a flush hook on every SQLAlchemy session records each listing change in
``index_change`` (the outbox) on the flush's own connection, so the record commits or
rolls back with the change and no call site can forget it.

Read side: each host replays the outbox into its own Whoosh index. One process per
host applies at a time (a file lock in the index directory, on top of Whoosh's own
single-writer lock); the host's high-water mark is kept in the index directory, so a
new host, or one whose index was lost or restored, rebuilds from the database first.

Ids are committed out of order under concurrency (a transaction that took id 7 may
commit after one that took id 8), so ids skipped past are remembered as gaps and
re-read until they appear or ``GAP_TTL_SECONDS`` pass (a rolled-back id never appears).

Pruning: rows older than ``RETENTION_DAYS`` are deleted (``prune``, run daily by each
serving process), always keeping the newest row so ids never go back. A host whose
last sync is older than ``STALE_AFTER_SECONDS`` may have missed pruned rows, so it
rebuilds; the state file's modification time is that last sync (touched hourly when idle).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, event, func, insert, or_, select, text
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index

from matcher.models import (
    IndexChange,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)
from matcher.search import curation
from matcher.search import index as search_index

log = logging.getLogger(__name__)

STATE_FILE = "outbox_state.json"
REBUILD_MARKER = "REBUILD_REQUESTED"
LOCK_FILE = "sync.lock"
GAP_TTL_SECONDS = 300
RETENTION_DAYS = 30
STALE_AFTER_SECONDS = (RETENTION_DAYS - 1) * 86400  # a day's margin before rows go
TOUCH_EVERY_SECONDS = 3600
BATCH = 2000
DIRECTORY_MODULE = "matcher.models.directory"
# Listing entities recorded as themselves; any other directory row is recorded as the
# listing it belongs to (its service, location or organization, in that order).
PRIMARY = {Service: "service", Organization: "organization", Location: "location"}
PARENT_KEYS = (
    ("service_id", "service"),
    ("location_id", "location"),
    ("organization_id", "organization"),
)


class IndexSyncError(RuntimeError):
    """The index directory cannot be written: the outbox state was left as it was."""


# --- write side -----------------------------------------------------------------------


def _targets(obj: object, deleted: bool) -> Iterator[tuple[str, str, str]]:
    for cls, entity in PRIMARY.items():
        if isinstance(obj, cls):
            yield entity, obj.id, "delete" if deleted else "upsert"
            return
    if isinstance(obj, TaxonomyTerm):
        yield "taxonomy_term", obj.id, "upsert"
        return
    if type(obj).__module__ != DIRECTORY_MODULE:
        return
    for key, entity in PARENT_KEYS:
        parent_id = getattr(obj, key, None)
        if parent_id:
            yield entity, parent_id, "upsert"
            return


def changes_in_flush(session: Session) -> list[dict]:
    """The outbox rows for what this flush inserts, updates and deletes (deduplicated)."""
    seen: dict[tuple[str, str], str] = {}
    touched = [(obj, False) for obj in session.new]
    touched += [(obj, False) for obj in session.dirty if session.is_modified(obj)]
    touched += [(obj, True) for obj in session.deleted]
    for obj, deleted in touched:
        for entity, entity_id, op in _targets(obj, deleted):
            if entity_id and seen.get((entity, entity_id)) != "delete":
                seen[(entity, entity_id)] = op
    return [
        {"entity": entity, "entity_id": entity_id, "op": op}
        for (entity, entity_id), op in seen.items()
    ]


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush_context) -> None:
    rows = changes_in_flush(session)
    if rows:
        session.connection().execute(insert(IndexChange.__table__), rows)


# --- read side ------------------------------------------------------------------------


@dataclass
class SyncState:
    high_water: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # id -> when first skipped

    @classmethod
    def load(cls, index_dir: Path) -> SyncState | None:
        try:
            raw = json.loads((index_dir / STATE_FILE).read_text())
            return cls(int(raw["high_water"]), {int(k): float(v) for k, v in raw["gaps"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, index_dir: Path) -> None:
        """Replace the state file atomically: a crash leaves the old or the new one."""
        path = index_dir / STATE_FILE
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps({"high_water": self.high_water, "gaps": self.gaps}))
            os.replace(tmp, path)
        except OSError as error:
            with suppress(OSError):
                tmp.unlink()
            raise IndexSyncError(
                f"cannot write the index sync state in {index_dir}: {error}"
            ) from error


@dataclass
class SyncResult:
    action: str  # "rebuilt", "applied", "idle" or "busy" (another process holds the lock)
    changes: int = 0
    services: int = 0
    high_water: int = 0


def request_rebuild(index_dir: str | os.PathLike) -> None:
    """Make the next sync on this host rebuild the index from the database (after a restore)."""
    path = Path(index_dir)
    path.mkdir(parents=True, exist_ok=True)
    (path / REBUILD_MARKER).write_text("requested\n")


@contextmanager
def _host_lock(index_dir: Path) -> Iterator[bool]:
    """Non-blocking: True if this process may apply changes on this host now."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def affected_service_ids(session: Session, changes: Iterable[IndexChange]) -> set[str]:
    """Every service whose search document may differ after these changes."""
    by_entity: dict[str, set[str]] = {}
    for change in changes:
        by_entity.setdefault(change.entity, set()).add(change.entity_id)
    ids = set(by_entity.get("service", ()))
    lookups = {
        "organization": select(Service.id).where(
            Service.organization_id.in_(by_entity.get("organization", ()))
        ),
        "location": select(ServiceAtLocation.service_id).where(
            ServiceAtLocation.location_id.in_(by_entity.get("location", ()))
        ),
        "taxonomy_term": select(service_taxonomy_term.c.service_id).where(
            service_taxonomy_term.c.taxonomy_term_id.in_(by_entity.get("taxonomy_term", ()))
        ),
    }
    for entity, query in lookups.items():
        if by_entity.get(entity):
            ids.update(session.scalars(query))
    return ids


def _last_sync(index_dir: Path) -> float:
    """When this host last synced: the state file's modification time."""
    try:
        return (index_dir / STATE_FILE).stat().st_mtime
    except OSError:
        return 0.0


def _needs_rebuild(index_dir: Path, state: SyncState | None, now: float) -> bool:
    if state is None or (index_dir / REBUILD_MARKER).exists():
        return True
    if not search_index_ok(index_dir):
        log.warning("search index at %s is missing or damaged: rebuilding", index_dir)
        return True
    if now - _last_sync(index_dir) > STALE_AFTER_SECONDS:
        log.warning(
            "search index at %s last synced over %d days ago; changes it missed may have "
            "been pruned from the outbox: rebuilding",
            index_dir,
            STALE_AFTER_SECONDS // 86400,
        )
        return True
    return False


def sync(session: Session, index_dir: str | os.PathLike, now: Callable[[], float] = time.time):
    """Bring this host's index up to date with the outbox; safe to call from any process."""
    index_dir = Path(index_dir)
    with _host_lock(index_dir) as mine:
        if not mine:
            return SyncResult("busy")
        state = SyncState.load(index_dir)
        moment = now()
        if _needs_rebuild(index_dir, state, moment):
            return _rebuild(session, index_dir)
        return _apply_pending(session, index_dir, state, moment)


def _rebuild(session: Session, index_dir: Path) -> SyncResult:
    # Read the mark first: changes committed during the rebuild are replayed afterwards.
    high_water = session.scalar(select(func.coalesce(func.max(IndexChange.id), 0)))
    session.rollback()  # end the read transaction so the rebuild sees fresh data
    count = search_rebuild(session, index_dir)
    SyncState(high_water).save(index_dir)
    with suppress(FileNotFoundError):
        (index_dir / REBUILD_MARKER).unlink()
    log.info("search index rebuilt from the database", extra={"services": count})
    return SyncResult("rebuilt", services=count, high_water=high_water)


def _apply_pending(session: Session, index_dir: Path, state: SyncState, now: float):
    condition = IndexChange.id > state.high_water
    if state.gaps:
        condition = or_(condition, IndexChange.id.in_(state.gaps))
    changes = list(
        session.scalars(select(IndexChange).where(condition).order_by(IndexChange.id).limit(BATCH))
    )
    session.rollback()
    if not changes:
        _expire_gaps(state, now, index_dir, save=now - _last_sync(index_dir) > TOUCH_EVERY_SECONDS)
        return SyncResult("idle", high_water=state.high_water)
    service_ids = affected_service_ids(session, changes)
    search_update(session, index_dir, service_ids)
    if any(change.entity == "lexicon" for change in changes):
        curation.write_staff_lexicon(session, index_dir)
        session.rollback()
    seen = {change.id for change in changes}
    top = max(seen)
    for missing in range(state.high_water + 1, top):
        if missing not in seen:
            state.gaps.setdefault(missing, now)
    for found in seen:
        state.gaps.pop(found, None)
    state.high_water = max(state.high_water, top)
    _expire_gaps(state, now, index_dir, save=True)
    return SyncResult("applied", len(changes), len(service_ids), state.high_water)


def _expire_gaps(state: SyncState, now: float, index_dir: Path, save: bool = False) -> None:
    expired = [gap for gap, since in state.gaps.items() if now - since > GAP_TTL_SECONDS]
    for gap in expired:
        del state.gaps[gap]
    if save or expired:
        state.save(index_dir)


def prune(session: Session, now: datetime | None = None, days: int = RETENTION_DAYS) -> int:
    """Delete outbox rows older than ``days`` (never the newest); returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    newest = session.scalar(select(func.max(IndexChange.id)))
    if newest is None:
        return 0
    try:
        deleted = session.execute(
            delete(IndexChange).where(IndexChange.created_at < cutoff, IndexChange.id < newest),
            execution_options={"synchronize_session": False},
        ).rowcount
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return int(deleted or 0)


# --- readiness ------------------------------------------------------------------------


def database_ok(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
    except Exception:
        session.rollback()
        return False
    return True


def readiness(session: Session, index_dir: str | os.PathLike) -> dict:
    """What /readyz reports: the database answers and the search index can be opened."""
    checks = {
        "database": "ok" if database_ok(session) else "unreachable",
        "search_index": "ok" if search_index_ok(Path(index_dir)) else "unusable",
    }
    checks["status"] = "ok" if set(checks.values()) == {"ok"} else "error"
    return checks


# --- the search engine (matcher/search, issue 3): the only calls into it ---------------


def search_index_ok(index_dir: Path) -> bool:
    """True if this host's index opens, answers and its side files read (readiness;
    never rebuilds)."""
    try:
        ix = whoosh_index.open_dir(str(index_dir / search_index.INDEX_NAME))
        with ix.searcher() as searcher:
            searcher.doc_count()
    except Exception:
        return False
    return search_index.side_files_ok(index_dir / search_index.INDEX_NAME)


def search_rebuild(session: Session, index_dir: Path) -> int:
    """Rebuild the whole index from the database; returns how many services it holds."""
    return search_index.rebuild(index_dir, session)


def search_update(session: Session, index_dir: Path, service_ids: set[str]) -> None:
    """Re-index these services (removing those no longer public) in one writer commit."""
    search_index.update_services(index_dir, session, service_ids)
