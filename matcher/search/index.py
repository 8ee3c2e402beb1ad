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

import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.searching import Searcher

from matcher.directory import geo, languages
from matcher.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from matcher.search import glossary
from matcher.search.analysis import (
    analyzed,
    folding_analyzer,
    guess_language,
    language_analyzer,
    terms,
)
from matcher.search.postings import Collection, PostingsCache, length_arrays
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
    spoken = {
        lang.code or languages.code_for(lang.name)
        for lang in service.languages
        if not lang.interpreter
    }
    interpreted = [c for c in codes if c not in spoken]  # offered only through an interpreter
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
            "interpreted": interpreted,
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


def default_procs() -> int:
    """Writing processes for ``flask reindex``: one per CPU, at most 8."""
    return min(os.cpu_count() or 1, 8)


class IncompleteBuild(RuntimeError):
    """A fresh index does not hold every document written to it."""


def _document_count(ix) -> int:
    return ix.doc_count_all()


def _build_into(target: Path, session: Session, progress: Progress | None, procs: int) -> int:
    target.mkdir(parents=True)
    terms_by_id = _load_terms(session)
    ids = list(session.scalars(_indexable().with_only_columns(Service.id).order_by(Service.id)))
    ix = whoosh_index.create_in(str(target), schema())
    if procs > 1:  # one segment per process; documents are built here and sent to them
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    else:
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
    if _document_count(ix) != done:
        # Whoosh's MpWriter waits one second for each process's segment and silently
        # drops one that is late: never swap in an index that lost listings.
        raise IncompleteBuild(f"the new index holds {_document_count(ix)} of {done} services")
    (target / TAXONOMY_FILE).write_text(
        json.dumps(_taxonomy_phrases(terms_by_id), ensure_ascii=False), encoding="utf-8"
    )
    _write_vocabulary(target, vocabulary)
    if progress and not ids:
        progress(0, 0)
    return done


def rebuild(
    index_dir: str | Path, session: Session, progress: Progress | None = None, procs: int = 1
) -> int:
    """Rebuild the whole index from the database; returns the number of documents.

    Builds beside the live index and swaps directories, so searchers keep
    answering from the old files until the new index is complete. ``procs`` > 1
    writes with that many forked processes (Whoosh's ``MpWriter``): for the
    ``reindex`` command, not for a multi-threaded web worker.
    """
    index_dir = Path(index_dir)
    with write_lock(index_dir):
        fresh = index_dir / f"{INDEX_NAME}.new-{uuid.uuid4().hex[:8]}"
        try:
            try:
                count = _build_into(fresh, session, progress, procs)
            except IncompleteBuild as error:
                log.warning("search index build incomplete (%s): building in one process", error)
                shutil.rmtree(fresh, ignore_errors=True)
                count = _build_into(fresh, session, progress, 1)
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
SCORED_FIELDS = ("text_en", "text_es", "misc")


@dataclass(frozen=True)
class StoredSchedule:
    """What ``matcher.directory.hours`` reads of a ``Schedule``, rebuilt from stored attrs."""

    days: list[str]
    opens_at: Any
    closes_at: Any
    description: str | None
    notes: str | None = None


def _docnums(docs: list[int]) -> np.ndarray:
    return np.array(docs, dtype=np.int32)


def _age(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass
class Lookups:
    """Document sets and values that filters, facets and distances read, as arrays of
    document numbers. Built once per segment and merged per generation; a deleted
    document may still appear here (searches always intersect with the live set)."""

    by_lang: dict[str, np.ndarray]
    by_cat: dict[str, np.ndarray]
    by_area: dict[tuple[str, str], np.ndarray]  # services without a point, by area
    facet_docs: dict[str, np.ndarray]  # "c:<root term id>" / "l:<language code>"
    free: np.ndarray
    min_age: np.ndarray  # per document; NaN: no bound
    max_age: np.ndarray
    point_lat: np.ndarray  # every location, sorted by latitude (radians)
    point_lon: np.ndarray
    point_doc: np.ndarray
    # Listings by weekly hours (days, opens, closes per schedule): the "open" filter
    # tests each distinct set of hours once, not each listing.
    by_hours: dict[tuple[tuple[tuple[str, ...], str | None, str | None], ...], np.ndarray]

    @classmethod
    def of(cls, attrs: list[dict[str, Any] | None]) -> Lookups:
        by_lang, by_cat, by_area = defaultdict(list), defaultdict(list), defaultdict(list)
        facets, free, points, by_hours = defaultdict(list), [], [], defaultdict(list)
        min_age, max_age = np.full(len(attrs), np.nan), np.full(len(attrs), np.nan)
        for docnum, a in enumerate(attrs):
            if a is None:
                continue
            for code in a["langs"]:
                by_lang[code].append(docnum)
                facets[f"l:{code}"].append(docnum)
            for root in a["roots"]:
                facets[f"c:{root}"].append(docnum)
            for cat in a["cats"]:
                by_cat[cat].append(docnum)
            if a["cost"] == "free":
                free.append(docnum)
            min_age[docnum], max_age[docnum] = _age(a["min_age"]), _age(a["max_age"])
            if a["schedules"]:
                by_hours[tuple((tuple(d), o, c) for d, o, c, _text in a["schedules"])].append(
                    docnum
                )
            if a["points"]:
                points += [(lat, lon, docnum) for lat, lon in a["points"]]
            else:
                for kind, name in a["areas"]:
                    by_area[(kind, name)].append(docnum)
        points.sort()
        return cls(
            by_lang={k: _docnums(v) for k, v in by_lang.items()},
            by_cat={k: _docnums(v) for k, v in by_cat.items()},
            by_area={k: _docnums(v) for k, v in by_area.items()},
            facet_docs={k: _docnums(v) for k, v in facets.items()},
            free=_docnums(free),
            min_age=min_age,
            max_age=max_age,
            point_lat=np.radians(np.array([p[0] for p in points], dtype=np.float64)),
            point_lon=np.radians(np.array([p[1] for p in points], dtype=np.float64)),
            point_doc=_docnums([p[2] for p in points]),
            by_hours={k: _docnums(v) for k, v in by_hours.items()},
        )

    @classmethod
    def merge(cls, parts: list[tuple[Lookups, int]]) -> Lookups:
        """Segments' lookups, each with its first document number, as one."""
        if len(parts) == 1 and parts[0][1] == 0:
            return parts[0][0]

        def sets(name: str) -> dict[Any, np.ndarray]:
            found: dict[Any, list[np.ndarray]] = defaultdict(list)
            for part, offset in parts:
                for key, docs in getattr(part, name).items():
                    found[key].append(docs + offset)
            return {key: np.concatenate(arrays) for key, arrays in found.items()}

        def joined(name: str, shift: bool = False) -> np.ndarray:
            return np.concatenate([getattr(p, name) + (o if shift else 0) for p, o in parts])

        lat = joined("point_lat")
        order = np.argsort(lat, kind="stable")
        return cls(
            by_lang=sets("by_lang"),
            by_cat=sets("by_cat"),
            by_area=sets("by_area"),
            facet_docs=sets("facet_docs"),
            free=joined("free", shift=True),
            min_age=joined("min_age"),
            max_age=joined("max_age"),
            point_lat=lat[order],
            point_lon=joined("point_lon")[order],
            point_doc=joined("point_doc", shift=True)[order],
            by_hours=sets("by_hours"),
        )


@dataclass
class Snapshot:
    """One index generation in memory: postings scorer, per-document attributes, lookups.

    Filters and scores combine as boolean arrays over all documents (``mask``).
    """

    key: tuple[int, int]
    searcher: Searcher
    collection: Collection
    attrs: list[dict[str, Any] | None]
    live: np.ndarray  # bool per document: indexed and not deleted
    lookups: Lookups
    lexicon: Lexicon
    labels: dict[str, tuple[str, str]]  # term id -> (English label, Spanish label)
    # Derived values that only depend on this generation: parsed queries and
    # opening-hours filter masks (see ``cached``).
    memo: dict[Hashable, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.collection.size

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

    def mask(self, docnums: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        out[docnums] = True
        return out

    def distances(self, center: geo.Point, radius_mi: float) -> np.ndarray:
        """Miles from ``center`` to each document's nearest location; inf beyond the radius
        or without a location (the same great-circle formula as ``geo.distance_miles``)."""
        look = self.lookups
        out = np.full(self.size, np.inf)
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(center, radius_mi)
        lo = np.searchsorted(look.point_lat, np.radians(min_lat), side="left")
        hi = np.searchsorted(look.point_lat, np.radians(max_lat), side="right")
        lat, lon, docs = look.point_lat[lo:hi], look.point_lon[lo:hi], look.point_doc[lo:hi]
        inside = (lon >= np.radians(min_lon)) & (lon <= np.radians(max_lon))
        lat, lon, docs = lat[inside], lon[inside], docs[inside]
        lat0, lon0 = np.radians(center.latitude), np.radians(center.longitude)
        h = np.sin((lat - lat0) / 2) ** 2
        h += np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
        miles = 2 * EARTH_RADIUS_MI * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        near = miles <= radius_mi
        np.minimum.at(out, docs[near], miles[near])
        return out

    def covering(self, place: geo.Place) -> np.ndarray:
        """Documents without a point whose service area covers the place (a mask)."""
        out = np.zeros(self.size, dtype=bool)
        for (kind, name), docs in self.lookups.by_area.items():
            if geo.covers(kind, name, place):
                out[docs] = True
        return out


@dataclass
class SegmentData:
    """What is read once per segment: segments never change, so a new generation
    after a one-listing update reads only its new small segment."""

    attrs: list[dict[str, Any] | None]
    lengths: dict[str, np.ndarray]
    lookups: Lookups


SegmentCache = dict[str, SegmentData]


def _segment_data(segreader, cache: SegmentCache) -> SegmentData:
    seg_id = segreader.segment().segment_id()
    cached = cache.get(seg_id)
    if cached is None:
        attrs = []
        for docnum in range(segreader.doc_count_all()):
            try:
                attrs.append(segreader.stored_fields(docnum).get("attrs"))
            except Exception:  # a deleted document's stored data may be gone
                attrs.append(None)
        cached = cache[seg_id] = SegmentData(
            attrs, length_arrays(segreader, SCORED_FIELDS), Lookups.of(attrs)
        )
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
    need_words = set(glossary.known_words())
    for row in rows:
        for lang in ("en", "es"):
            analyzer = language_analyzer(lang)
            for text in row[lang]:
                stems = tuple(terms(analyzer, text))
                if stems:
                    phrases.append(TaxonomyPhrase(row["id"], lang, stems))
                need_words.update(terms(folding_analyzer(), text))
    need_words.update(
        w
        for code in languages.LANGUAGES
        for n in languages.all_names(code)
        for w in analyzed("fold", n)
    )
    for word in need_words:
        freq[word] += 0  # known word, even when no listing uses it
    for place in geo.known_places():
        for name in (place.name, *place.aliases):
            for word in terms(folding_analyzer(), name):
                freq[word] += 0
    parents = {row["id"]: row.get("parent") for row in rows}
    return Lexicon(Vocabulary.from_counts(freq), tuple(phrases), parents, frozenset(need_words))


def _lexicon_and_labels(path: Path) -> dict[str, Any]:
    """The spelling lexicon and category labels, re-read only when their files change
    (a one-listing update rarely adds a word)."""
    stamp = []
    for name in (TAXONOMY_FILE, VOCABULARY_FILE):
        try:
            info = (path / name).stat()
            stamp.append((info.st_ino, info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append(None)
    return _read_lexicon(path, tuple(stamp))


@lru_cache(maxsize=8)
def _read_lexicon(path: Path, _stamp: tuple[Any, ...]) -> dict[str, Any]:
    rows = _taxonomy_rows(path)
    return {
        "lexicon": _load_lexicon(path, rows),
        "labels": {row["id"]: (row["en"][0], row["es"][0]) for row in rows},
    }


def _snapshot(ix, path: Path, key: tuple[int, int], cache: SegmentCache, postings: PostingsCache):
    searcher = ix.searcher()
    attrs: list[dict[str, Any] | None] = []
    lengths: dict[str, list[np.ndarray]] = {name: [] for name in SCORED_FIELDS}
    leaves, lookups, live = [], [], []
    for segreader, offset in searcher.reader().leaf_readers():
        data = _segment_data(segreader, cache)
        attrs.extend(data.attrs)
        for name in SCORED_FIELDS:
            lengths[name].append(data.lengths[name])
        present = np.array([a is not None for a in data.attrs], dtype=bool)
        if segreader.has_deletions():
            present[list(segreader.deleted_docs_set)] = False
        live.append(present)
        lookups.append((data.lookups, offset))
        leaves.append((segreader, offset))
    current = {segreader.segment().segment_id() for segreader, _o in leaves}
    for gone in set(cache) - current:  # merged away
        del cache[gone]
    postings.forget(current)
    collection = Collection(
        size=len(attrs),
        leaves=leaves,
        lengths={
            name: np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            for name, parts in lengths.items()
        },
        average_length={name: searcher.avg_field_length(name) or 1.0 for name in SCORED_FIELDS},
        doc_frequency=searcher.doc_frequency,
        cache=postings,
    )
    return Snapshot(
        key=key,
        searcher=searcher,
        collection=collection,
        attrs=attrs,
        live=np.concatenate(live) if live else np.zeros(0, dtype=bool),
        lookups=Lookups.merge(lookups) if lookups else Lookups.of([]),
        **_lexicon_and_labels(path),
    )


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
