"""The matcher's in-memory directory table: what the hard rules and the score read of a service.

Why: a match reads every service tagged with its barriers' terms. Loading those rows (and
their languages, locations, areas and hours) from the database cost 40-130 ms per query at
10,000 services, far more than the rules themselves. The table is read once per process and
database, kept while the directory is unchanged, and a match filters and scores in plain
Python; only the services it shows are loaded as ORM objects.

What is read of each service: ``matcher.matching.listing_rows``.

Freshness: every directory change writes an ``index_change`` outbox row in its own
transaction (the flush hook in ``matcher/index_sync.py``). Each match reads the outbox's
(max id, row count), one cheap query; when they differ from the table's, the services named
by the new outbox rows are read again. The count matters: outbox ids commit out of order,
so a late commit of a lower id leaves the max unchanged (that rare case reads everything
again). A session that has flushed directory changes it has not committed gets a private
table built from its own view, so it sees its own edits and an uncommitted (perhaps rolled
back) change never reaches other sessions. Writes that bypass the ORM session are not seen:
the same contract as the search index.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
from geopy.distance import EARTH_RADIUS
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from matcher.directory import geo, service_areas
from matcher.matching.listing_rows import ServiceRow, read_rows
from matcher.models import IndexChange, TaxonomyTerm
from matcher.operations.index_sync import affected_service_ids, changes_in_flush

EARTH_RADIUS_MI = EARTH_RADIUS / 1.609344  # geopy's sphere, so distances agree with geo.py
CACHED_DATABASES = 4  # tests use a database per test; a server uses one
# More changed services than this and one scan of each table beats long IN lists.
REFRESH_LIMIT = 500
_PENDING = "enlace_match_pending_directory_changes"


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle miles (haversine on geopy's sphere): a fraction of geopy's cost."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(h)))


def _point(lat: float, lon: float, sid: str) -> tuple:
    """A location as ``within`` scans it: radians and cosine computed once."""
    return (lat, lon, math.radians(lat), math.radians(lon), math.cos(math.radians(lat)), sid)


def _keys(row: ServiceRow) -> dict[str, Iterable]:
    """The keys a service is filed under in each lookup of the table."""
    return {
        "by_term": row.terms,
        "by_language": {code for code, _interpreter in row.languages},
        "by_area": set(row.areas),
    }


# Sets of service ids with a property the match filters on with set operations.
FLAGS = {
    "interpreting": lambda row: row.interprets,
    "silent": lambda row: not row.languages,  # lists no language: a concern, not a rule
    "bounded": lambda row: row.bounded,
    "pointless": lambda row: not row.points,
}


class DirectoryTable:
    """Listed services (published organization, not defunct) and the term tree.

    Read-only once built: matches in flight may still hold it while ``refreshed`` makes the
    next one, so that copies what it changes.
    """

    def __init__(
        self,
        version: tuple[int, int],
        rows: Iterable[ServiceRow],
        terms: Sequence[tuple[str, str | None]],
    ) -> None:
        self.version = version
        self.terms = terms  # (id, parent id): kept for a refresh
        self.children: dict[str, list[str]] = {}
        for tid, parent in terms:
            self.children.setdefault(parent, []).append(tid)
        self.services: dict[str, ServiceRow] = {}
        self.by_term: dict[str, set[str]] = {}
        self.by_language: dict[str, set[str]] = {}
        self.by_area: dict[tuple[str, str], set[str]] = {}
        for name in FLAGS:
            setattr(self, name, set())
        self._points: list[tuple] = []
        self._file(rows, copied=None)

    def refreshed(
        self, version: tuple[int, int], ids: set[str], rows: Iterable[ServiceRow]
    ) -> DirectoryTable:
        """A new table where services ``ids`` are replaced by ``rows`` (the missing dropped)."""
        table = object.__new__(DirectoryTable)
        table.version, table.terms, table.children = version, self.terms, self.children
        table.services = {sid: row for sid, row in self.services.items() if sid not in ids}
        for name in FLAGS:
            setattr(table, name, getattr(self, name) - ids)
        table._points = [p for p in self._points if p[-1] not in ids]
        copied: set[tuple[str, object]] = set()
        for name in ("by_term", "by_language", "by_area"):
            setattr(table, name, dict(getattr(self, name)))
        for old in (self.services[sid] for sid in ids if sid in self.services):
            for name, keys in _keys(old).items():
                for key in keys:
                    table._filed(name, key, copied).discard(old.id)
        table._file(rows, copied)
        return table

    def _filed(self, name: str, key: object, copied: set | None) -> set[str]:
        """The ids under ``key`` in lookup ``name``; a set still shared with the previous
        table is copied first (``copied`` names those already copied; None: a new table)."""
        index = getattr(self, name)
        if copied is not None and (name, key) not in copied:
            index[key] = set(index.get(key, ()))
            copied.add((name, key))
        return index.setdefault(key, set())

    def _file(self, rows: Iterable[ServiceRow], copied: set | None) -> None:
        """File ``rows`` under every lookup (``copied`` as for ``_filed``)."""
        for row in rows:
            self.services[row.id] = row
            for name, holds in FLAGS.items():
                if holds(row):
                    getattr(self, name).add(row.id)
            for name, keys in _keys(row).items():
                for key in keys:
                    self._filed(name, key, copied).add(row.id)
            self._points.extend(_point(lat, lon, row.id) for lat, lon, *_site in row.points)
        # Sorted by latitude (nearly sorted after a refresh: cheap), so ``within`` bisects
        # to the latitude band, then compares longitude and haversine terms in numpy.
        self._points.sort()
        self._latitudes = [p[0] for p in self._points]
        columns = np.array([p[:5] for p in self._points], dtype=float).reshape(-1, 5)
        self._degrees_lon, self._lat, self._lon, self._cos = columns[:, 1:5].T
        self._sids = [p[5] for p in self._points]

    def descendants(self, term_ids: Iterable[str]) -> set[str]:
        """The given terms and every term below them."""
        found: set[str] = set()
        stack = list(term_ids)
        while stack:
            tid = stack.pop()
            if tid not in found:
                found.add(tid)
                stack.extend(self.children.get(tid, ()))
        return found

    def tagged(self, term_ids: Iterable[str]) -> set[str]:
        return set().union(*(self.by_term.get(t, ()) for t in term_ids))

    def speaking(self, codes: Iterable[str]) -> set[str]:
        """Services offering any of ``codes`` (staff or interpreter), stating interpretation,
        or listing no language at all (silence is a concern, not a refusal)."""
        return self.interpreting.union(self.silent, *(self.by_language.get(c, ()) for c in codes))

    def within(self, place: geo.Place, radius_mi: float) -> dict[str, float]:
        """Services with a location within ``radius_mi`` of the place -> nearest distance."""
        low_lat, high_lat, low_lon, high_lon = geo.bounding_box(place.point, radius_mi)
        lat0, lon0 = math.radians(place.latitude), math.radians(place.longitude)
        cos0 = math.cos(lat0)
        limit = math.sin(min(radius_mi / (2 * EARTH_RADIUS_MI), math.pi / 2)) ** 2
        start = bisect.bisect_left(self._latitudes, low_lat)
        stop = bisect.bisect_right(self._latitudes, high_lat)
        band = slice(start, stop)
        lat, lon, cos_lat = self._lat[band], self._lon[band], self._cos[band]
        h = np.sin((lat - lat0) / 2) ** 2 + cos0 * cos_lat * np.sin((lon - lon0) / 2) ** 2
        degrees = self._degrees_lon[band]
        hits = np.flatnonzero((h <= limit) & (degrees >= low_lon) & (degrees <= high_lon))
        away = 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(h[hits]))
        nearest: dict[str, float] = {}
        for index, miles_away in zip((start + hits).tolist(), away.tolist(), strict=True):
            sid = self._sids[index]
            if miles_away < nearest.get(sid, math.inf):
                nearest[sid] = miles_away
        return nearest

    def covering(self, place: geo.Place) -> dict[str, str]:
        """Services whose service area covers the place -> the most local level that does
        (each distinct area judged once)."""
        names = service_areas.place_names(place)
        found: dict[str, str] = {}
        # Most local last, so it overwrites a wider area covering the same service.
        for level in reversed(service_areas.LEVELS):
            for (kind, name), ids in self.by_area.items():
                scope = service_areas.area_scope(kind, name)
                if (scope[0] if scope else "city") == level and service_areas.covers(
                    scope, name, place, names
                ):
                    found.update(dict.fromkeys(ids, level))
        return found


# --------------------------------------------------------------------------- building


def outbox_version(session: Session) -> tuple[int, int]:
    """(max id, row count) of the outbox: changes whenever a directory change commits."""
    max_id, count = session.execute(
        select(func.coalesce(func.max(IndexChange.id), 0), func.count(IndexChange.id))
    ).one()
    return int(max_id), int(count)


def build_table(session: Session, version: tuple[int, int]) -> DirectoryTable:
    """The whole table read now, uncached (``version`` is the outbox's at or before)."""
    terms = [tuple(t) for t in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id))]
    return DirectoryTable(version, read_rows(session), terms)


def _refresh(session: Session, table: DirectoryTable, version: tuple[int, int]) -> DirectoryTable:
    """``table`` brought to ``version``, re-reading only the services that changed if it can.

    The outbox rows above the table's max id are the changes since it was built, unless
    they do not account for the whole change in count (a lower id committed late, rows
    were pruned): then, as when the taxonomy changed or many services did, everything is
    read again.
    """
    max_id, count = table.version
    changes = list(session.scalars(select(IndexChange).where(IndexChange.id > max_id)))
    if (
        count + len(changes) != version[1]
        or len(changes) > REFRESH_LIMIT
        or any(change.entity == "taxonomy_term" for change in changes)
    ):
        return build_table(session, version)
    ids = affected_service_ids(session, changes)
    if len(ids) > REFRESH_LIMIT:
        return build_table(session, version)
    return table.refreshed(version, ids, read_rows(session, ids))


# --------------------------------------------------------------------------- caching


@event.listens_for(Session, "after_flush")
def _note_pending(session: Session, _flush_context) -> None:
    if changes_in_flush(session):
        session.info[_PENDING] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clear_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


_tables: OrderedDict[object, DirectoryTable] = OrderedDict()
_lock = threading.Lock()


def directory_table(session: Session) -> DirectoryTable:
    """The table for the session's database, refreshed when the outbox says it changed."""
    version = outbox_version(session)  # autoflushes first, so pending changes are noted
    if session.info.get(_PENDING):
        return build_table(session, version)
    key = session.get_bind().engine.url
    with _lock:
        table = _tables.get(key)
        if table is None:
            table = _tables[key] = build_table(session, version)
        elif table.version != version:
            table = _tables[key] = _refresh(session, table, version)
        _tables.move_to_end(key)
        while len(_tables) > CACHED_DATABASES:
            _tables.popitem(last=False)
    return table
