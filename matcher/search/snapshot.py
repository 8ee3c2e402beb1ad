"""The live, in-memory view of one index generation.

Everything the result list and the filters need (ids, names, categories, languages,
points, service areas, hours) is stored with each document as ``attrs`` and loaded
here once per index segment, so a search never touches the database."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh.searching import Searcher

from matcher.directory import geo, languages, service_areas
from matcher.search import glossary
from matcher.search.analysis import (
    analyzed,
    folding_analyzer,
    language_analyzer,
    terms,
)
from matcher.search.build import (
    TAXONOMY_FILE,
    VOCABULARY_FILE,
    IndexDamaged,
    read_index_json,
)
from matcher.search.postings import Collection, PostingsCache, length_arrays
from matcher.search.query import Lexicon, TaxonomyPhrase, Vocabulary

log = logging.getLogger(__name__)

MEMO_SIZE = 1024
T = TypeVar("T")


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
    by_cat: dict[str, np.ndarray]  # by each term of a listing and the terms above it
    by_term: dict[str, np.ndarray]  # by the terms the listing itself is tagged with
    by_area: dict[tuple[str, str], np.ndarray]  # services without a point, by area
    facet_docs: dict[str, np.ndarray]  # "c:<root term id>" / "l:<language code>"
    by_county: dict[str, np.ndarray]  # located in or serving the county ("Monterey")
    wide: np.ndarray  # serving the whole state or nation: in every county
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
        by_term: dict[str, list[int]] = defaultdict(list)
        facets, free, points, by_hours = defaultdict(list), [], [], defaultdict(list)
        by_county, wide = defaultdict(list), []
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
            for term in dict.fromkeys(t[0] for t in a["terms"]):
                by_term[term].append(docnum)
            if a["cost"] == "free":
                free.append(docnum)
            for name in a.get("counties", ()):
                by_county[name].append(docnum)
            if a.get("wide"):
                wide.append(docnum)
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
            by_term={k: _docnums(v) for k, v in by_term.items()},
            by_area={k: _docnums(v) for k, v in by_area.items()},
            facet_docs={k: _docnums(v) for k, v in facets.items()},
            by_county={k: _docnums(v) for k, v in by_county.items()},
            wide=_docnums(wide),
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
            by_term=sets("by_term"),
            by_area=sets("by_area"),
            facet_docs=sets("facet_docs"),
            by_county=sets("by_county"),
            wide=joined("wide", shift=True),
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
        """Documents whose service area covers the place (a mask): those without a point by
        any area, and every one serving the whole state or nation."""
        out = np.zeros(self.size, dtype=bool)
        for (kind, name), docs in self.lookups.by_area.items():
            if service_areas.covers_area(kind, name, place):
                out[docs] = True
        out[self.lookups.wide] = True
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
        deleted = segreader.deleted_docs_set if segreader.has_deletions() else set()
        for docnum in range(segreader.doc_count_all()):
            if docnum in deleted:  # a deleted document's stored data may be gone
                attrs.append(None)
                continue
            try:
                attrs.append(segreader.stored_fields(docnum)["attrs"])
            except Exception as error:  # a live listing unreadable: never "no results"
                raise IndexDamaged(f"document {docnum} of {seg_id} is unreadable") from error
        cached = cache[seg_id] = SegmentData(
            attrs, length_arrays(segreader, SCORED_FIELDS), Lookups.of(attrs)
        )
    return cached


def _taxonomy_rows(path: Path) -> list[dict[str, Any]]:
    rows = read_index_json(path, TAXONOMY_FILE)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise IndexDamaged(f"{TAXONOMY_FILE} is not a list of terms")
    return rows


def _load_lexicon(path: Path, rows: list[dict[str, Any]]) -> Lexicon:
    counts = read_index_json(path, VOCABULARY_FILE)
    if not isinstance(counts, dict):
        raise IndexDamaged(f"{VOCABULARY_FILE} is not a word count")
    freq = Counter(counts)
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
    for name in geo.place_name_words():  # every California place: never "corrected" away
        for word in terms(folding_analyzer(), name):
            freq[word] += 0
    parents = {row["id"]: row.get("parent") for row in rows}
    code_ids: dict[str, list[str]] = {}
    for row in rows:
        if row.get("code"):
            code_ids.setdefault(row["code"], []).append(row["id"])
    return Lexicon(
        Vocabulary.from_counts(freq),
        tuple(phrases),
        parents,
        frozenset(need_words),
        {code: tuple(ids) for code, ids in code_ids.items()},
    )


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


def side_files_ok(path: Path) -> bool:
    """True when the taxonomy and vocabulary files read (parsed once per change)."""
    try:
        _lexicon_and_labels(path)
    except IndexDamaged as error:
        log.warning("search index at %s: %s", path, error)
        return False
    return True


@lru_cache(maxsize=8)
def _read_lexicon(path: Path, _stamp: tuple[Any, ...]) -> dict[str, Any]:
    rows = _taxonomy_rows(path)
    try:
        return {
            "lexicon": _load_lexicon(path, rows),
            "labels": {row["id"]: (row["en"][0], row["es"][0]) for row in rows},
        }
    except (KeyError, IndexError, TypeError) as error:
        raise IndexDamaged(f"{TAXONOMY_FILE} lacks a field ({error!r})") from error


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
