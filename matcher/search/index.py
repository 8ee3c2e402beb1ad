"""The on-disk service index and its lifecycle: opened lazily per process, refreshed
when another process changes it, rebuilt from the database when missing or corrupt,
and updated one listing at a time.

One Whoosh document per *active* service of a *published* organization. The index is
derived data: it can be rebuilt from the database at any time, and is, automatically,
when it is missing or corrupt. Its parts: ``documents`` (what a service becomes),
``build`` (writing), ``snapshot`` (reading into memory); this module is their facade."""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index

from matcher.search.build import (
    INDEX_NAME,
    LOCK_TIMEOUT_S,
    IncompleteBuild,
    IndexDamaged,
    IndexUnavailable,
    Progress,
    _read_vocabulary,
    _write_vocabulary,
    default_procs,
    index_dir_of,
    rebuild,
    write_lock,
)
from matcher.search.documents import _documents, _load_terms, build_document, schema
from matcher.search.postings import PostingsCache
from matcher.search.snapshot import (
    SegmentCache,
    Snapshot,
    StoredSchedule,
    _snapshot,
    side_files_ok,
)

__all__ = [
    "INDEX_NAME",
    "IncompleteBuild",
    "IndexDamaged",
    "IndexUnavailable",
    "Progress",
    "ServiceIndex",
    "Snapshot",
    "StoredSchedule",
    "build_document",
    "default_procs",
    "get_index",
    "index_dir_of",
    "rebuild",
    "schema",
    "side_files_ok",
    "update_services",
    "write_lock",
]

log = logging.getLogger(__name__)


class ServiceIndex:
    """The service index at one directory: opened lazily, refreshed when it changes."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.path = index_dir / INDEX_NAME
        self._ix = None
        self._snapshot: Snapshot | None = None
        self._segments: SegmentCache = {}
        self._postings = PostingsCache()
        self._lock = threading.RLock()

    def _key(self) -> tuple[int, int]:
        return (os.stat(self.path).st_ino, self._ix.latest_generation())  # type: ignore[union-attr]

    def _open(self) -> None:
        self._ix = whoosh_index.open_dir(str(self.path))
        self._ix.schema  # noqa: B018  (unpickles the schema: fails now if it is damaged)

    def ensure(self, session: Session) -> bool:
        """Open the index, rebuilding it when missing or corrupt. False when it was rebuilt."""
        with self._lock:
            if self._ix is not None and self.path.exists():
                return True
            try:
                self._open()
                self.snapshot()
                return True
            except Exception as error:
                self.recover(session, error)
                return False

    def recover(self, session: Session, error: BaseException | None = None) -> None:
        """Rebuild from the database after a failure, with a logged warning."""
        with self._lock:
            if error is None or isinstance(error, FileNotFoundError | whoosh_index.EmptyIndexError):
                reason = "missing"
            else:
                reason = f"unreadable ({type(error).__name__}: {error})"
            log.warning("search index at %s is %s: rebuilding from the database", self.path, reason)
            self.close()
            rebuild(self.root, session)
            self._open()

    def whoosh(self):
        if self._ix is None:
            raise IndexUnavailable("the index is not open")
        return self._ix

    def snapshot(self) -> Snapshot:
        """The current generation in memory; reloads what changed since the last call."""
        with self._lock:
            if self._ix is None:
                raise IndexUnavailable("the index is not open")
            try:
                key = self._key()
            except FileNotFoundError:
                self._ix = None
                raise
            if self._snapshot is None or self._snapshot.key != key:
                if self._snapshot is not None and self._snapshot.key[0] != key[0]:
                    self._open()  # the directory was swapped by a full rebuild
                # The old searcher is not closed here: a request in another thread may
                # still be reading from it; it is released when no longer referenced.
                self._snapshot = _snapshot(self._ix, self.path, key, self._segments, self._postings)
            return self._snapshot

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.searcher.close()
            self._snapshot = None
            self._ix = None


_INDEXES: dict[Path, ServiceIndex] = {}
_INDEXES_LOCK = threading.Lock()


def get_index(app_or_index_dir: Any) -> ServiceIndex:
    """The process-wide ``ServiceIndex`` for an index directory (or a Flask app)."""
    path = index_dir_of(app_or_index_dir).resolve()
    with _INDEXES_LOCK:
        if path not in _INDEXES:
            _INDEXES[path] = ServiceIndex(path)
        return _INDEXES[path]


def update_services(app_or_index_dir: Any, session: Session, service_ids: Iterable[str]) -> None:
    """Re-index these services after a listing change (call after the change is committed).

    Services that are no longer active, or whose organization is unpublished or
    deleted, are removed. Searchers see the change on their next query.
    """
    ids = sorted(set(service_ids))
    if not ids:
        return
    index = get_index(app_or_index_dir)
    if not index.ensure(session):  # the index was just rebuilt: it already has the change
        return
    with write_lock(index.root):  # the same lock as a full rebuild
        terms_by_id = _load_terms(session)
        writer = index.whoosh().writer(timeout=LOCK_TIMEOUT_S)
        try:
            for service_id in ids:
                writer.delete_by_term("id", service_id)
            added: Counter[str] = Counter()
            for doc in _documents(session, ids, terms_by_id):
                added.update(doc.pop("vocab"))
                writer.add_document(**doc)
            writer.commit()
            if added.keys() - _read_vocabulary(index.path).keys():
                _write_vocabulary(index.path, _read_vocabulary(index.path) + added)
        except BaseException:
            writer.cancel()
            raise
