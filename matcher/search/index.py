"""The on-disk service index: schema, full rebuild, incremental update, lifecycle.

One Whoosh document per *active* service of a *published* organization. A
listing's language is unknown (most are English, some partners write Spanish
only, translations are optional), and language detection on a two-line
description is unreliable, so the primary text goes through *both* the English
and the Spanish analyzer; a translation goes only through its own language's
analyzer. Queries search both, so "despensa" and "pantry" each meet their stems.

Everything the result list and the filters need (ids, names, categories,
languages, points, service areas, hours) is stored with the document as
``attrs`` and loaded into memory once per index segment, so a search never
touches the database. The index is derived data: it can be rebuilt from the
database at any time, and is, automatically, when it is missing or corrupt.
"""

from __future__ import annotations

import bisect
import fcntl
import json
import logging
import math
import os
import shutil
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher

from matcher import geo, languages
from matcher.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from matcher.search.analysis import (
    analyzed,
    folding_analyzer,
    guess_language,
    language_analyzer,
    terms,
)
from matcher.search.query import Lexicon, TaxonomyPhrase, Vocabulary

log = logging.getLogger(__name__)

INDEX_NAME = "services"
TAXONOMY_FILE = "taxonomy.json"
LOCK_FILE = ".write.lock"
LOCK_TIMEOUT_S = 10.0
BATCH = 500
VOCABULARY_FILE = "vocabulary.json"
NAME_WEIGHT, CATEGORY_WEIGHT, ORG_WEIGHT = 3, 2, 2
MEMO_SIZE = 1024
T = TypeVar("T")

Progress = Callable[[int, int], None]


def schema() -> Schema:
    en, es, folded = language_analyzer("en"), language_analyzer("es"), folding_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        text_en=TEXT(analyzer=en, phrase=False),
        text_es=TEXT(analyzer=es, phrase=False),
        misc=TEXT(analyzer=folded, phrase=False),
        cats=KEYWORD(commas=True),
        attrs=STORED,
    )


class IndexUnavailable(RuntimeError):
    """The index could not be opened or rebuilt."""


# --- building documents -----------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    id: str
    code: str | None
    name: str
    name_es: str
    aliases_en: tuple[str, ...]
    aliases_es: tuple[str, ...]
    parent_id: str | None


def _load_terms(session: Session) -> dict[str, _Term]:
    return {
        t.id: _Term(
            t.id,
            t.code,
            t.name,
            t.name_es or t.name,
            tuple(t.aliases_en),
            tuple(t.aliases_es),
            t.parent_id,
        )
        for t in session.scalars(select(TaxonomyTerm))
    }


def _ancestors(term_id: str, terms_by_id: dict[str, _Term]) -> list[_Term]:
    """The term and every term above it, nearest first."""
    out, seen = [], set()
    current = terms_by_id.get(term_id)
    while current is not None and current.id not in seen:
        out.append(current)
        seen.add(current.id)
        current = terms_by_id.get(current.parent_id) if current.parent_id else None
    return out


_BODY_FIELDS = ("description", "eligibility_description", "application_process", "fees_description")


def _texts(service: Service) -> tuple[list[str], list[str], list[str], list[str]]:
    """(names for en, names for es, bodies for en, bodies for es)."""
    primary_names = [service.name, service.alternate_name or ""]
    primary_body = [getattr(service, f) or "" for f in _BODY_FIELDS]
    names_en, names_es = list(primary_names), list(primary_names)
    body_en, body_es = [], []
    for text in primary_body:
        lang = guess_language(text)
        if lang != "es":
            body_en.append(text)
        if lang != "en":
            body_es.append(text)
    for row in service.translations:
        name = [row.name or ""]
        body = [getattr(row, f) or "" for f in _BODY_FIELDS]
        if row.locale == "es":
            names_es += name
            body_es += body
        elif row.locale == "en":
            names_en += name
            body_en += body
        else:  # other languages: unknown stemming, index both ways like primary text
            names_en += name
            names_es += name
            body_en += body
            body_es += body
    return names_en, names_es, body_en, body_es


def _schedule_rows(service: Service) -> list[tuple[list[str], str | None, str | None, str | None]]:
    return [
        (
            s.days,
            s.opens_at.strftime("%H:%M") if s.opens_at else None,
            s.closes_at.strftime("%H:%M") if s.closes_at else None,
            s.description,
        )
        for s in service.schedules
    ]


def _localized(primary: str | None, translations: Iterable[Any], attr: str) -> dict[str, str]:
    out = {"en": primary or ""}
    for row in translations:
        value = getattr(row, attr, None)
        if value:
            out[row.locale] = value
    return out


def _weighted(kind: str, *parts: tuple[list[str], int]) -> list[str]:
    """Field terms with each part repeated ``weight`` times: BM25F field weights in one
    field (a name counts three times as much as a description, a category twice).

    Whoosh indexes a list of strings as already analyzed terms, so each distinct text
    is analyzed once (``analyzed`` caches) rather than once per repetition and document.
    """
    return [
        term
        for texts, weight in parts
        for text in texts
        if text
        for term in analyzed(kind, text) * weight
    ]


def build_document(service: Service, terms_by_id: dict[str, _Term]) -> dict[str, Any]:
    """The index document (and stored attributes) for one service; ``vocab`` holds its
    distinct folded words for the spelling vocabulary and is not a Whoosh field."""
    names_en, names_es, body_en, body_es = _texts(service)
    org = service.organization
    cat_en, cat_es, cats = [], [], set()
    direct = []
    for term in service.taxonomy_terms:
        chain = _ancestors(term.id, terms_by_id)
        if not chain:
            continue
        head = chain[0]
        direct.append((head.id, head.code, head.name, head.name_es))
        # Only the service's own terms as text; broader terms are reached through
        # ``cats`` (a query naming "Housing" expands to every term below it).
        cat_en += [head.name, *head.aliases_en]
        cat_es += [head.name_es, *head.aliases_es]
        cats.update(t.id for t in chain)
    roots = sorted(
        {chain[-1].id for t in service.taxonomy_terms if (chain := _ancestors(t.id, terms_by_id))}
    )
    codes = [lang.code or languages.code_for(lang.name) or "" for lang in service.languages]
    codes = list(dict.fromkeys(c for c in codes if c))
    lang_names = [n for c in codes for n in languages.all_names(c)]
    points, cities = [], []
    for location in service.locations:
        if location.has_point and location.location_type != "virtual":
            points.append((location.latitude, location.longitude))
        cities += [a.city for a in location.addresses if a.city]
    areas = [(a.kind, a.name) for a in service.service_areas if a.name and a.kind != "text"]
    cities += [name for _kind, name in areas]
    org_names = [org.name, org.alternate_name or ""] + [t.name for t in org.translations if t.name]
    texts = [*names_en, *names_es, *body_en, *body_es, *cat_en, *cat_es, *org_names]
    return {
        "id": service.id,
        "text_en": _weighted(
            "en", (names_en, NAME_WEIGHT), (cat_en, CATEGORY_WEIGHT), (body_en, 1)
        ),
        "text_es": _weighted(
            "es", (names_es, NAME_WEIGHT), (cat_es, CATEGORY_WEIGHT), (body_es, 1)
        ),
        "misc": _weighted("fold", (org_names, ORG_WEIGHT), (cities, 1), (lang_names, 1)),
        "cats": ",".join(sorted(cats)),
        "vocab": {w for text in (*texts, *lang_names, *cities) for w in analyzed("fold", text)},
        "attrs": {
            "id": service.id,
            "name": _localized(service.name, service.translations, "name"),
            "description": _localized(service.description, service.translations, "description"),
            "org_id": org.id,
            "org_name": _localized(org.name, org.translations, "name"),
            "terms": direct,
            "cats": sorted(cats),
            "roots": roots,
            "langs": codes,
            "cost": service.cost,
            "min_age": service.minimum_age,
            "max_age": service.maximum_age,
            "points": points,
            "areas": areas,
            "schedules": _schedule_rows(service),
        },
    }


def _indexable():
    return (
        select(Service)
        .join(Organization, Service.organization_id == Organization.id)
        .where(Service.status == "active", Organization.published.is_(True))
    )


def _with_children(statement):
    return statement.options(
        selectinload(Service.organization),
        selectinload(Service.taxonomy_terms),
        selectinload(Service.languages),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.addresses),
    )


def _documents(
    session: Session, ids: list[str], terms_by_id: dict[str, _Term]
) -> Iterator[dict[str, Any]]:
    """Documents for ``ids`` read through a private session: the caller's session (a web
    request's, say) keeps its objects, and memory stays flat on big directories."""
    with Session(session.get_bind()) as own:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = own.scalars(_with_children(_indexable().where(Service.id.in_(chunk))))
            for service in rows:
                yield build_document(service, terms_by_id)
            own.expunge_all()


def _taxonomy_phrases(terms_by_id: dict[str, _Term]) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "parent": t.parent_id,
            "en": [t.name, *t.aliases_en],
            "es": [t.name_es, *t.aliases_es],
        }
        for t in terms_by_id.values()
    ]


# --- locking and building ------------------------------------------------------------


def _read_vocabulary(path: Path) -> Counter[str]:
    try:
        return Counter(json.loads((path / VOCABULARY_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        log.warning("spelling vocabulary missing from the search index at %s", path)
        return Counter()


def _write_vocabulary(path: Path, vocabulary: Counter[str]) -> None:
    """Word -> number of listings using it (never decremented: a stale word is harmless)."""
    scratch = path / f".{VOCABULARY_FILE}.{uuid.uuid4().hex[:8]}"
    scratch.write_text(json.dumps(dict(vocabulary), ensure_ascii=False), encoding="utf-8")
    scratch.replace(path / VOCABULARY_FILE)


@contextmanager
def write_lock(index_dir: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """One writer at a time across processes (full rebuild or update); waits ``timeout``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexUnavailable(
                        f"the search index is busy (waited {timeout:.0f} s)"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_into(target: Path, session: Session, progress: Progress | None) -> int:
    target.mkdir(parents=True)
    terms_by_id = _load_terms(session)
    ids = list(session.scalars(_indexable().with_only_columns(Service.id).order_by(Service.id)))
    ix = whoosh_index.create_in(str(target), schema())
    writer = ix.writer(limitmb=256)
    done = 0
    vocabulary: Counter[str] = Counter()
    try:
        for doc in _documents(session, ids, terms_by_id):
            vocabulary.update(doc.pop("vocab"))
            writer.add_document(**doc)
            done += 1
            if progress and (done % 100 == 0 or done == len(ids)):
                progress(done, len(ids))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    (target / TAXONOMY_FILE).write_text(
        json.dumps(_taxonomy_phrases(terms_by_id), ensure_ascii=False), encoding="utf-8"
    )
    _write_vocabulary(target, vocabulary)
    if progress and not ids:
        progress(0, 0)
    return done


def rebuild(index_dir: str | Path, session: Session, progress: Progress | None = None) -> int:
    """Rebuild the whole index from the database; returns the number of documents.

    Builds beside the live index and swaps directories, so searchers keep
    answering from the old files until the new index is complete.
    """
    index_dir = Path(index_dir)
    with write_lock(index_dir):
        fresh = index_dir / f"{INDEX_NAME}.new-{uuid.uuid4().hex[:8]}"
        try:
            count = _build_into(fresh, session, progress)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        live = index_dir / INDEX_NAME
        old = index_dir / f"{INDEX_NAME}.old-{uuid.uuid4().hex[:8]}"
        if live.exists():
            live.rename(old)
        fresh.rename(live)
        shutil.rmtree(old, ignore_errors=True)
    return count


def index_dir_of(app_or_index_dir: Any) -> Path:
    """Accept an index directory or anything with a ``config`` mapping (a Flask app)."""
    config = getattr(app_or_index_dir, "config", None)
    if config is not None:
        return Path(config["ENLACE_INDEX_DIR"])
    return Path(app_or_index_dir)


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


# --- the live, in-memory view ----------------------------------------------------------


EARTH_RADIUS_MI = 3958.7613  # geopy's mean earth radius, so distances match geo.distance_miles


def _haversine_miles(lat0: float, lon0: float, cos0: float, lat: float, lon: float) -> float:
    """Great-circle distance from a precomputed center (radians): the same formula as
    ``geo.distance_miles`` at a twentieth of the cost, for thousands of candidates."""
    lat1, lon1 = math.radians(lat), math.radians(lon)
    h = math.sin((lat1 - lat0) / 2) ** 2 + cos0 * math.cos(lat1) * math.sin((lon1 - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class StoredSchedule:
    """The subset of ``Schedule`` that ``matcher.hours`` reads, rebuilt from stored attrs."""

    days: list[str]
    opens_at: Any
    closes_at: Any
    description: str | None
    notes: str | None = None


@dataclass
class Snapshot:
    """One index generation in memory: searcher, per-document attributes, lookups."""

    key: tuple[int, int]
    searcher: Searcher
    attrs: list[dict[str, Any] | None]
    live: frozenset[int]
    lexicon: Lexicon
    labels: dict[str, tuple[str, str]]  # term id -> (English label, Spanish label)
    by_lang: dict[str, set[int]] = field(default_factory=dict)
    by_cat: dict[str, set[int]] = field(default_factory=dict)
    free: set[int] = field(default_factory=set)
    lat_sorted: list[tuple[float, float, int]] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    by_area: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    # docnum -> ("c:<root term id>", ..., "l:<language code>", ...), for facet counts
    facet_keys: list[tuple[str, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Derived values that only depend on this generation: parsed queries, each term's
    # documents, age and opening-hours filter sets (see ``cached``).
    memo: dict[Hashable, Any] = field(default_factory=dict)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, remembered for this generation; the oldest of ``MEMO_SIZE``
        entries goes first. Callers must not mutate what they get back."""
        try:
            return self.memo[key]
        except KeyError:
            pass
        value = compute()
        if len(self.memo) >= MEMO_SIZE:
            self.memo.pop(next(iter(self.memo)), None)
        self.memo[key] = value
        return value

    def docs_near(self, center: geo.Point, radius_mi: float) -> dict[int, float]:
        """docnum -> distance in miles of its nearest location within the radius."""
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(center, radius_mi)
        found: dict[int, float] = {}
        lo = bisect.bisect_left(self.lats, min_lat)
        hi = bisect.bisect_right(self.lats, max_lat)
        lat0, lon0 = math.radians(center.latitude), math.radians(center.longitude)
        cos0 = math.cos(lat0)
        for lat, lon, docnum in self.lat_sorted[lo:hi]:
            if min_lon <= lon <= max_lon:
                d = _haversine_miles(lat0, lon0, cos0, lat, lon)
                if d <= radius_mi and d < found.get(docnum, float("inf")):
                    found[docnum] = d
        return found

    def docs_covering(self, place: geo.Place) -> set[int]:
        """Documents without a point whose service area covers the place."""
        out: set[int] = set()
        for (kind, name), docs in self.by_area.items():
            if geo.covers(kind, name, place):
                out |= docs
        return out


SegmentCache = dict[str, list[dict[str, Any] | None]]


def _segment_attrs(segreader, cache: SegmentCache) -> list[dict[str, Any] | None]:
    """Stored attrs of every document of a segment; segments never change, so a new
    generation after a one-listing update reads only its new small segment."""
    seg_id = segreader.segment().segment_id()
    cached = cache.get(seg_id)
    if cached is None:
        cached = []
        for docnum in range(segreader.doc_count_all()):
            try:
                cached.append(segreader.stored_fields(docnum).get("attrs"))
            except Exception:  # a deleted document's stored data may be gone
                cached.append(None)
        cache[seg_id] = cached
    return cached


def _taxonomy_rows(path: Path) -> list[dict[str, Any]]:
    try:
        return json.loads((path / TAXONOMY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("taxonomy labels missing from the search index at %s", path)
        return []


def _load_lexicon(path: Path, rows: list[dict[str, Any]]) -> Lexicon:
    freq = _read_vocabulary(path)
    phrases = []
    for row in rows:
        for lang in ("en", "es"):
            analyzer = language_analyzer(lang)
            for text in row[lang]:
                stems = tuple(terms(analyzer, text))
                if stems:
                    phrases.append(TaxonomyPhrase(row["id"], lang, stems))
                for word in terms(folding_analyzer(), text):
                    freq[word] += 0  # known word, even when no listing uses it
    for place in geo.known_places():
        for name in (place.name, *place.aliases):
            for word in terms(folding_analyzer(), name):
                freq[word] += 0
    parents = {row["id"]: row.get("parent") for row in rows}
    return Lexicon(Vocabulary.from_counts(freq), tuple(phrases), parents)


class Bm25(BM25F):
    """BM25F with the Robertson idf, log(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's default idf, 1 + log(N / (n + 1)), still gives a word found in every
    listing ("english" in the language names) a quarter of a rare word's weight;
    with this one such words add almost nothing.
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            parent = searcher.get_parent()
            n, total = parent.doc_frequency(fieldname, text), parent.doc_count_all()
            scorer.idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        return scorer


def _snapshot(ix, path: Path, key: tuple[int, int], cache: SegmentCache) -> Snapshot:
    searcher = ix.searcher(weighting=Bm25())
    reader = searcher.reader()
    attrs: list[dict[str, Any] | None] = []
    current = set()
    for segreader, _offset in reader.leaf_readers():
        attrs.extend(_segment_attrs(segreader, cache))
        current.add(segreader.segment().segment_id())
    for gone in set(cache) - current:  # merged away
        del cache[gone]
    rows = _taxonomy_rows(path)
    snap = Snapshot(
        key=key,
        searcher=searcher,
        attrs=attrs,
        live=frozenset(reader.all_doc_ids()),
        lexicon=_load_lexicon(path, rows),
        labels={row["id"]: (row["en"][0], row["es"][0]) for row in rows},
    )
    by_lang, by_cat, by_area = defaultdict(set), defaultdict(set), defaultdict(set)
    points = []
    snap.facet_keys = [
        (*(f"c:{r}" for r in a["roots"]), *(f"l:{c}" for c in a["langs"])) if a else ()
        for a in attrs
    ]
    for docnum in snap.live:
        a = attrs[docnum]
        if a is None:
            continue
        for code in a["langs"]:
            by_lang[code].add(docnum)
        for cat in a["cats"]:
            by_cat[cat].add(docnum)
        if a["cost"] == "free":
            snap.free.add(docnum)
        if a["points"]:
            points += [(lat, lon, docnum) for lat, lon in a["points"]]
        else:
            for kind, name in a["areas"]:
                by_area[(kind, name)].add(docnum)
    points.sort()
    snap.by_lang, snap.by_cat, snap.by_area = dict(by_lang), dict(by_cat), dict(by_area)
    snap.lat_sorted, snap.lats = points, [p[0] for p in points]
    return snap


class ServiceIndex:
    """The service index at one directory: opened lazily, refreshed when it changes."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.path = index_dir / INDEX_NAME
        self._ix = None
        self._snapshot: Snapshot | None = None
        self._segments: SegmentCache = {}
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
                self._snapshot = _snapshot(self._ix, self.path, key, self._segments)
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
