"""The matcher's in-memory directory table: what the hard rules and the score read of a service.

Why: a match reads every service tagged with its barriers' terms. Loading those rows (and
their languages, locations, areas and hours) from the database cost 40-130 ms per query at
10,000 services, far more than the rules themselves. The table is read once per process and
database, kept while the directory is unchanged, and a match filters and scores in plain
Python; only the services it shows are loaded as ORM objects.

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
from dataclasses import dataclass
from datetime import UTC, datetime, time

from geopy.distance import EARTH_RADIUS
from sqlalchemy import event, func, select, true
from sqlalchemy.orm import Session

from matcher.directory import geo, hours
from matcher.models import (
    IndexChange,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)
from matcher.operations.index_sync import affected_service_ids, changes_in_flush

EARTH_RADIUS_MI = EARTH_RADIUS / 1.609344  # geopy's sphere, so distances agree with geo.py
CACHED_DATABASES = 4  # tests use a database per test; a server uses one
# More changed services than this and one scan of each table beats long IN lists.
REFRESH_LIMIT = 500
_PENDING = "enlace_match_pending_directory_changes"


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service as the rules and the score see it (hours already reduced to flags)."""

    id: str
    organization_id: str
    name: str
    status: str
    cost: str | None
    minimum_age: int | None
    maximum_age: int | None
    accepting_referrals: bool | None
    interprets: bool  # states interpretation services
    last_verified_at: datetime | None
    terms: frozenset[str]
    languages: tuple[tuple[str, bool], ...]  # (code, via interpreter)
    points: tuple[tuple[float, float], ...]
    areas: tuple[tuple[str, str], ...]  # (kind, name) usable for coverage
    open_24_7: bool
    weekend: str | None  # 'open_saturdays', 'open_sundays' or None
    evenings: bool

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(sorted(code for code, _interpreter in self.languages))


@dataclass(frozen=True, slots=True)
class _Hours:
    """The schedule fields ``matcher.directory.hours`` reads, without an ORM object."""

    days: tuple[str, ...]
    opens_at: time | None
    closes_at: time | None


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
        self.interpreting: set[str] = set()
        self._points: list[tuple] = []
        self._file(rows, copied=None)

    def refreshed(
        self, version: tuple[int, int], ids: set[str], rows: Iterable[ServiceRow]
    ) -> DirectoryTable:
        """A new table where services ``ids`` are replaced by ``rows`` (the missing dropped)."""
        table = object.__new__(DirectoryTable)
        table.version, table.terms, table.children = version, self.terms, self.children
        table.services = {sid: row for sid, row in self.services.items() if sid not in ids}
        table.interpreting = self.interpreting - ids
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
            if row.interprets:
                self.interpreting.add(row.id)
            for name, keys in _keys(row).items():
                for key in keys:
                    self._filed(name, key, copied).add(row.id)
            self._points.extend(_point(lat, lon, row.id) for lat, lon in row.points)
        # Sorted by latitude (nearly sorted after a refresh: cheap), so ``within`` bisects
        # to the latitude band, checks the longitude band, then compares haversine terms.
        self._points.sort()
        self._latitudes = [p[0] for p in self._points]

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
        """Services offering any of ``codes`` (staff or interpreter) or stating interpretation."""
        return self.interpreting.union(*(self.by_language.get(c, ()) for c in codes))

    def within(self, place: geo.Place, radius_mi: float) -> dict[str, float]:
        """Services with a location within ``radius_mi`` of the place -> nearest distance."""
        low_lat, high_lat, low_lon, high_lon = geo.bounding_box(place.point, radius_mi)
        lat0, lon0 = math.radians(place.latitude), math.radians(place.longitude)
        cos0 = math.cos(lat0)
        limit = math.sin(min(radius_mi / (2 * EARTH_RADIUS_MI), math.pi / 2)) ** 2
        start = bisect.bisect_left(self._latitudes, low_lat)
        stop = bisect.bisect_right(self._latitudes, high_lat)
        nearest: dict[str, float] = {}
        for _lat, degrees, lat, lon, cos_lat, sid in self._points[start:stop]:
            if not low_lon <= degrees <= high_lon:
                continue
            h = math.sin((lat - lat0) / 2) ** 2 + cos0 * cos_lat * math.sin((lon - lon0) / 2) ** 2
            if h <= limit:
                miles_away = 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(h))
                if miles_away < nearest.get(sid, math.inf):
                    nearest[sid] = miles_away
        return nearest

    def covering(self, place: geo.Place) -> set[str]:
        """Services whose service area covers the place (each distinct area judged once)."""
        covered: set[str] = set()
        for (kind, name), ids in self.by_area.items():
            if geo.covers(kind, name, place):
                covered |= ids
        return covered


# --------------------------------------------------------------------------- building


def outbox_version(session: Session) -> tuple[int, int]:
    """(max id, row count) of the outbox: changes whenever a directory change commits."""
    max_id, count = session.execute(
        select(func.coalesce(func.max(IndexChange.id), 0), func.count(IndexChange.id))
    ).one()
    return int(max_id), int(count)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _weekend(schedules: list[_Hours]) -> str | None:
    days = {w.day for w in hours.windows(schedules)}  # type: ignore[arg-type]
    if "SA" in days:
        return "open_saturdays"
    return "open_sundays" if "SU" in days else None


def _read_rows(session: Session, ids: set[str] | None = None) -> list[ServiceRow]:
    """Listed services' rows in a fixed handful of column queries: no ORM objects, no N+1.

    ``ids`` limits the reads to those services (an incremental refresh).
    """

    def only(column):
        return column.in_(ids) if ids is not None else true()

    listed = (
        select(Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Organization.published.is_(True), Service.status != "defunct")
    )
    link = service_taxonomy_term.c
    children: dict[str, dict[str, list]] = {
        key: {} for key in ("terms", "languages", "points", "areas", "hours")
    }
    queries = {
        "terms": select(link.service_id, link.taxonomy_term_id).where(only(link.service_id)),
        "languages": select(Language.service_id, Language.code, Language.interpreter).where(
            Language.code.is_not(None), only(Language.service_id)
        ),
        "points": select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(
            Location.latitude.is_not(None),
            Location.longitude.is_not(None),
            only(ServiceAtLocation.service_id),
        ),
        "areas": select(ServiceArea.service_id, ServiceArea.kind, ServiceArea.name).where(
            ServiceArea.kind.in_(("county", "city", "postal_code")),
            ServiceArea.name.is_not(None),
            only(ServiceArea.service_id),
        ),
        "hours": select(
            Schedule.service_id, Schedule.byday, Schedule.opens_at, Schedule.closes_at
        ).where(Schedule.service_id.is_not(None), only(Schedule.service_id)),
    }
    for key, query in queries.items():
        for sid, *values in session.execute(query):
            if key == "languages":
                values = [values[0], bool(values[1])]
            elif key == "hours":
                days = tuple(d for d in (values[0] or "").split(",") if d)
                values = [_Hours(days, values[1], values[2])]
            children[key].setdefault(sid, []).append(
                values[0] if len(values) == 1 else tuple(values)
            )
    rows = []
    for columns in session.execute(
        select(
            Service.id,
            Service.organization_id,
            Service.name,
            Service.status,
            Service.cost,
            Service.minimum_age,
            Service.maximum_age,
            Service.accepting_referrals,
            Service.interpretation_services,
            Service.last_verified_at,
        ).where(Service.id.in_(listed), only(Service.id))
    ):
        sid = columns[0]
        schedules = children["hours"].get(sid, [])
        rows.append(
            ServiceRow(
                *columns[:8],
                interprets=bool((columns[8] or "").strip()),
                last_verified_at=_aware(columns[9]),
                terms=frozenset(children["terms"].get(sid, ())),
                # Sorted: a refresh reads rows in another order than a full scan.
                languages=tuple(sorted(children["languages"].get(sid, ()))),
                points=tuple(sorted(children["points"].get(sid, ()))),
                areas=tuple(sorted(children["areas"].get(sid, ()))),
                open_24_7=hours.is_always_open(schedules),  # type: ignore[arg-type]
                weekend=_weekend(schedules),
                evenings=hours.open_evenings(schedules),  # type: ignore[arg-type]
            )
        )
    return rows


def build_table(session: Session, version: tuple[int, int]) -> DirectoryTable:
    """The whole table read now, uncached (``version`` is the outbox's at or before)."""
    terms = [tuple(t) for t in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id))]
    return DirectoryTable(version, _read_rows(session), terms)


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
    return table.refreshed(version, ids, _read_rows(session, ids))


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
