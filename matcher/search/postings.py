"""Ranking over cached postings: BM25 per term, the best field per word, in numpy.

Whoosh stores the index and analyses the text; scoring happens here. Whoosh's
matchers walk postings one document at a time in pure Python, so a broad query
("english classes", where "english" is in most listings' language names) took
about half a second over 100,000 listings. Here each term's postings are read
from Whoosh once, kept as arrays, and a query is a handful of vectorised
operations over them (see ``bench/search.py`` for the figures).

Postings are cached per *segment* (segments never change; a deleted document
stays in its segment's postings and is masked out by the snapshot's live set),
so after a one-listing edit only the new small segment is read again. The
cache has a byte budget and drops the least recently used terms first.

Scores are Whoosh's BM25F (k1 1.2, b 0.75) with the Robertson idf,
log(1 + (N - n + 0.5) / (n + 0.5)): Whoosh's default, 1 + log(N / (n + 1)),
still gives a word found in every listing a quarter of a rare word's weight.
A query word's score is the best of its alternatives (its English and Spanish
stems, its folded form) plus ``TIEBREAK`` of the others, and so is a taxonomy
concept's (the terms it names, which the taxonomy may repeat): Whoosh 2.7's
DisjunctionMax ignores its tiebreak and, on documents where only some
alternatives match, can return another document's score.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.matching import WrappingMatcher

K1 = 1.2
B = 0.75
TIEBREAK = 0.3
CACHE_BYTES = 256 * 2**20
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)

Postings = tuple[np.ndarray, np.ndarray]  # (document numbers, term weights)
# (field, term, weight) triples that stand for one query word or concept
Alternatives = Sequence[tuple[str, str, float]]


def robertson_idf(doc_frequency: int, doc_count: int) -> float:
    return float(np.log1p((doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5)))


def _raw_matcher(segreader: Any, fieldname: str, text: str) -> Any:
    """The term's postings in one segment, deleted documents included."""
    matcher = segreader.postings(fieldname, text)
    while isinstance(matcher, WrappingMatcher):  # Whoosh hides deleted documents this way
        matcher = matcher.child
    return matcher


def read_postings(segreader: Any, fieldname: str, text: str) -> Postings:
    """Document numbers (within the segment) and weights of a term, as arrays.

    Read a block at a time from Whoosh's block matcher, whose ids and weights are
    already arrays (private methods of the pinned whoosh-reloaded 2.7.5; the scoring
    test compares every score with Whoosh's public reader).
    """
    if (fieldname, text) not in segreader:
        return EMPTY_IDS, EMPTY_WEIGHTS
    matcher = _raw_matcher(segreader, fieldname, text)
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int32))
        weights.append(np.asarray(matcher._weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return EMPTY_IDS, EMPTY_WEIGHTS
    return np.concatenate(ids), np.concatenate(weights)


def segment_lengths(segreader: Any, fieldname: str) -> np.ndarray:
    """Each document's length in ``fieldname`` as Whoosh scores it (at least 1)."""
    count = segreader.doc_count_all()
    lengths = np.fromiter(
        (segreader.doc_field_length(d, fieldname, 1) for d in range(count)),
        dtype=np.float32,
        count=count,
    )
    return np.maximum(lengths, 1.0)


class PostingsCache:
    """Per-segment postings within a byte budget, least recently used dropped first."""

    def __init__(self, budget_bytes: int = CACHE_BYTES) -> None:
        self.budget = budget_bytes
        self.used = 0
        self._items: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, segment_id: str, fieldname: str, text: str, read: Callable[[], Postings]):
        key = (segment_id, fieldname, text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = read()
        size = found[0].nbytes + found[1].nbytes
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self.used += size
            while self.used > self.budget and len(self._items) > 1:
                _key, (ids, weights) = self._items.popitem(last=False)
                self.used -= ids.nbytes + weights.nbytes
        return found

    def forget(self, keep_segments: set[str]) -> None:
        """Drop the postings of segments that were merged away."""
        with self._lock:
            for key in [k for k in self._items if k[0] not in keep_segments]:
                ids, weights = self._items.pop(key)
                self.used -= ids.nbytes + weights.nbytes


@dataclass
class Collection:
    """What scoring needs of one index generation.

    ``leaves`` are (segment reader, first document number) pairs; ``lengths``
    holds every document's length per scored field; ``lock`` guards the Whoosh
    readers, which are not safe to share between threads.
    """

    size: int
    leaves: list[tuple[Any, int]]
    lengths: dict[str, np.ndarray]
    average_length: dict[str, float]
    doc_frequency: Callable[[str, str], int]
    cache: PostingsCache
    lock: threading.Lock = field(default_factory=threading.Lock)

    def postings(self, fieldname: str, text: str) -> Postings:
        """The term's postings over the whole index (global document numbers)."""
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for segreader, offset in self.leaves:
            seg_id = segreader.segment().segment_id()

            def read(segreader=segreader) -> Postings:
                with self.lock:
                    return read_postings(segreader, fieldname, text)

            seg_ids, seg_weights = self.cache.get(seg_id, fieldname, text, read)
            if len(seg_ids):
                ids.append(seg_ids + offset if offset else seg_ids)
                weights.append(seg_weights)
        if not ids:
            return EMPTY_IDS, EMPTY_WEIGHTS
        if len(ids) == 1:
            return ids[0], weights[0]
        return np.concatenate(ids), np.concatenate(weights)

    def term_scores(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and BM25 scores of one term (its weight, for unscored fields)."""
        ids, tf = self.postings(fieldname, text)
        lengths = self.lengths.get(fieldname)
        if lengths is None or not len(ids):
            return ids, tf.astype(np.float64)
        with self.lock:
            idf = robertson_idf(self.doc_frequency(fieldname, text), self.size)
        norm = K1 * ((1 - B) + B * lengths[ids] / self.average_length[fieldname])
        return ids, idf * (tf * (K1 + 1)) / (tf + norm)

    def matches_any(self, alternatives: Alternatives, among: np.ndarray) -> bool:
        """True when some document marked in ``among`` has one of the alternatives."""
        for fieldname, text, _weight in alternatives:
            ids, _tf = self.postings(fieldname, text)
            if len(ids) and among[ids].any():
                return True
        return False

    def score(self, clauses: Sequence[Alternatives]) -> np.ndarray:
        """Every document's score: per clause, the best weighted alternative plus
        ``TIEBREAK`` of the others; clauses add up. Zero means no match."""
        return self.score_and_count(clauses)[0]

    def score_and_count(self, clauses: Sequence[Alternatives]) -> tuple[np.ndarray, np.ndarray]:
        """``score`` and, per document, how many clauses it matches."""
        total = np.zeros(self.size, dtype=np.float64)
        count = np.zeros(self.size, dtype=np.int32)
        for alternatives in clauses:
            best = np.zeros(self.size, dtype=np.float64)
            summed = np.zeros(self.size, dtype=np.float64)
            for fieldname, text, weight in dict.fromkeys(alternatives):
                ids, scores = self.term_scores(fieldname, text)
                if len(ids):
                    scores = scores * weight if weight != 1.0 else scores
                    summed[ids] += scores
                    best[ids] = np.maximum(best[ids], scores)
            total += best + TIEBREAK * (summed - best)
            count += best > 0
        return total, count


def length_arrays(segreader: Any, fieldnames: Sequence[str]) -> dict[str, np.ndarray]:
    """``segment_lengths`` for each field of one segment."""
    return {name: segment_lengths(segreader, name) for name in fieldnames}


def top(candidates: np.ndarray, scores: np.ndarray, limit: int | None) -> np.ndarray:
    """The ``limit`` best candidates (all when None) by score, ties by document number."""
    if limit is not None and len(candidates) > limit:
        values = scores[candidates]
        threshold = np.partition(values, len(values) - limit)[len(values) - limit]
        candidates = candidates[values >= threshold]
    order = np.lexsort((candidates, -scores[candidates]))
    ranked = candidates[order]
    return ranked if limit is None else ranked[:limit]
