"""Running a search: parameters, filters, facets, ranking, distance, pagination.

The API, the search page and the CLI all call ``search(session, index, request)``
and serialise ``SearchResponse.to_dict()``, so they answer identically.

Ranking is BM25 over one weighted text field per language (name x3, category
labels and aliases x2, description x1) and a folded field of organization (x2),
city and language names; each query word counts once (the best of its fields,
plus a little of the others; its glossary translations count as lesser
alternatives), and the taxonomy concepts the query names add a boost
(``matcher.search.postings``); the needs a sentence names choose its listings
(``matcher.search.scoring``). Filters are boolean masks over all
documents. With a location, relevance is blended with proximity (70/30) among
the best ``RERANK`` candidates in the radius.
"""

from __future__ import annotations

import logging
import pickle
import struct
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time

import numpy as np
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index

from matcher.core import dictionary
from matcher.core.text import clip, words
from matcher.directory import geo, hours, languages, taxonomy
from matcher.models import TaxonomyTerm
from matcher.search import curation
from matcher.search.analysis import stems
from matcher.search.index import IndexDamaged, ServiceIndex, Snapshot, StoredSchedule
from matcher.search.log import log_empty_search
from matcher.search.notices import crisis_notice, nearest_categories, understood_dict
from matcher.search.postings import top
from matcher.search.query import (
    Lexicon,
    OpenSpec,
    ParsedQuery,
    as_typed,
    parse,
    parse_open,
)
from matcher.search.request import (
    DEFAULT_RADIUS_MI,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_MI,
    SearchContext,
    SearchError,
    SearchRequest,
    request_from_params,
)
from matcher.search.results import (
    SearchResponse,
    SearchResult,
    _facets,
    _result,
    _time,
    snippet,
)
from matcher.search.scoring import QueryTerms, query_terms, score
from matcher.search.understanding import crisis_terms

__all__ = [
    "DEFAULT_RADIUS_MI",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_RADIUS_MI",
    "QueryTerms",
    "SearchContext",
    "SearchError",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "query_terms",
    "request_from_params",
    "search",
    "snippet",
]

log = logging.getLogger(__name__)

RERANK = 200
MIN_NEARBY = 3  # fewer good listings than this within the default radius: look farther
GOOD_SHARE = 0.5  # a good listing scores this share of the best one or more
WIDER_RADII_MI = (25.0, 50.0)
DISTANCE_WEIGHT = 0.3
COVERAGE_PROXIMITY = 0.5  # services that come to you: halfway between here and the edge
# Failures that mean the files on disk are damaged (the index is then rebuilt).
INDEX_DAMAGE = (
    OSError,
    EOFError,
    struct.error,
    pickle.UnpicklingError,
    zlib.error,
    whoosh_index.IndexError,
    IndexDamaged,
)


# --- filters ---------------------------------------------------------------------------

_NONE = np.zeros(0, dtype=np.int32)


def _open_test(spec: OpenSpec) -> Callable[[list[StoredSchedule]], bool]:
    if spec.kind == "evenings":
        return hours.open_evenings
    if spec.kind == "weekends":
        return hours.open_weekends
    if spec.kind == "day":
        return lambda s: any(w.day == spec.day for w in hours.windows(s))
    return lambda s: hours.is_open(s, spec.day or "", spec.moment or time(0))


def _open_mask(snap: Snapshot, test: Callable[[list[StoredSchedule]], bool]) -> np.ndarray:
    hours_open = [
        docs
        for rows, docs in snap.lookups.by_hours.items()
        if test([StoredSchedule(list(days), _time(o), _time(c), None) for days, o, c in rows])
    ]
    return snap.mask(np.concatenate(hours_open) if hours_open else _NONE)


def _category_ids(session: Session, value: str) -> set[str]:
    term = session.get(TaxonomyTerm, value) or taxonomy.find_term(session, value)
    if term is None:
        raise SearchError(f"We don't know the category '{clip(value, 60)}'.")
    return {term.id}


def _allowed(
    session: Session, snap: Snapshot, request: SearchRequest, now: datetime
) -> np.ndarray | None:
    """A mask of the documents that pass the non-geographic filters, or None for no filter."""
    masks: list[np.ndarray] = []
    if request.language:
        code = languages.code_for(request.language)
        if code is None:
            raise SearchError(f"We don't know the language '{clip(request.language, 40)}'.")
        masks.append(snap.mask(snap.lookups.by_lang.get(code, _NONE)))
    if request.category:
        (term_id,) = _category_ids(session, request.category)
        masks.append(snap.mask(snap.lookups.by_cat.get(term_id, _NONE)))
    if request.county:
        served = snap.lookups.by_county.get(request.county, _NONE)
        masks.append(snap.mask(np.concatenate((served, snap.lookups.wide))))
    if request.free:
        masks.append(snap.mask(snap.lookups.free))
    if request.age is not None:
        age = request.age
        with np.errstate(invalid="ignore"):  # NaN: no bound
            masks.append(~(snap.lookups.min_age > age) & ~(snap.lookups.max_age < age))
    if request.open:
        try:
            spec = parse_open(request.open, now)
        except ValueError as error:
            raise SearchError(str(error)) from None
        test = _open_test(spec)
        masks.append(snap.cached(("open", spec), lambda: _open_mask(snap, test)))
    if not masks:
        return None
    allowed = masks[0].copy()
    for other in masks[1:]:
        allowed &= other
    return allowed


def record_zero_result(
    session: Session, request: SearchRequest, parsed: ParsedQuery, lexicon: Lexicon
) -> None:
    """Log a search with no results as a demand signal (``matcher.reports.demand``).

    Only the query's words of needs and services are kept ("zapatos ninos"); any other
    word, such as a name typed by mistake, is never stored (FERPA: no student names).
    """
    # as typed (a sentence searches fewer words than it says: "zapatos niños") and as
    # searched (typos corrected)
    typed = [*words(parsed.text), *parsed.words]
    kept = list(dict.fromkeys(w for w in typed if w in lexicon.need_words))
    log.info("search with no results (need words %s)", kept)
    filters = {
        k: getattr(request, k) for k in ("category", "language", "county", "open", "free", "age")
    }
    log_empty_search(session, " ".join(kept), request.locale, filters)


# --- the search --------------------------------------------------------------------------


def _run(
    session: Session, snap: Snapshot, request: SearchRequest, context: SearchContext, staff
) -> SearchResponse:
    now = request.now or hours.now_local()
    find_place = request.near is None
    parsed = snap.cached(
        ("parse", request.q, find_place, request.locale, request.drop, staff),
        lambda: parse(
            request.q, snap.lexicon, find_place=find_place, locale=request.locale,
            staff=staff, drop=request.drop,
        ),
    )
    understood = parsed.understood
    if request.age is None and understood.age is not None:
        request = replace(request, age=understood.age)
    place = parsed.place
    if request.near:
        try:
            place = geo.resolve_place(request.near)
        except geo.PlaceError as error:
            raise SearchError(str(error)) from None
    allowed = _allowed(session, snap, request, now)
    query = query_terms(parsed)
    lines = context.lines_for(request.county or (place.county if place else None))
    response = SearchResponse(
        total=0,
        page=request.page,
        per_page=request.per_page,
        suggestion=parsed.suggestion,
        location=None,
        facets={"category": [], "language": [], "county": []},
        crisis=crisis_notice(understood.crisis, request.locale, lines),
        understood=understood_dict(parsed, request, place),
    )
    if not query and allowed is None and place is None:  # nothing asked
        return response
    if query:
        scores, matched = score(snap, query, understood)
    else:  # filters only: every allowed listing, in index order
        scores = np.zeros(snap.size)
        matched = snap.live.copy()
    if allowed is not None:
        matched &= allowed
    distances: np.ndarray | None = None
    if place is not None:
        needs = query.need_masks(snap) if query else []
        # close matches that count: good ones (half the best score or more)
        good = matched & (scores >= GOOD_SHARE * float(scores[matched].max(initial=0.0)))
        distances, in_reach, request, widened = _within_reach(
            snap, place, matched, good, request, needs
        )
        matched &= in_reach
        response.location = {
            "label": place.label,
            "from_query": request.near is None,
            "radius_mi": request.radius_mi,
            "widened": widened,
            "county": place.county,
            "point": list(place.point.as_tuple()),
            "kind": place.kind,  # zip, place, latlon: a centre, or a point someone gave
        }
    if understood.crisis:
        # Services for the situation come first, even when they share no word with it,
        # and no filter or place hides them: a crisis never gets an empty answer.
        code_ids = snap.lexicon.code_ids
        pinned = snap.mask(_docs_of(snap, crisis_terms(understood.crisis, code_ids))) & snap.live
        if not pinned.any():  # none of the main kinds here: the group's other terms
            others = _docs_of(snap, crisis_terms(understood.crisis, code_ids, main=False))
            pinned = snap.mask(others) & snap.live
        scores = scores + pinned * (float(scores.max(initial=0.0)) + 1.0)
        matched |= pinned
    response.total = int(np.count_nonzero(matched))
    response.facets = _facets(snap, matched, request.locale)
    _count_query_words(context, parsed, snap.lexicon, request.locale, not response.total)
    if not response.total:
        if parsed.text:
            record_zero_result(session, request, parsed, snap.lexicon)
            response.nearest = nearest_categories(snap, parsed, request.locale, lines)
        return response
    if len(query.words) > 1 and not (understood.is_sentence_query or understood.crisis):
        typed = parsed.suggestion or parsed.text
        response.unmatched_words = [
            as_typed(typed, word) for word in query.unmatched_words(snap.collection, matched)
        ]
    wanted = request.page * request.per_page
    ranked = _rank(np.flatnonzero(matched), scores, distances, request, wanted)
    page = ranked[(request.page - 1) * request.per_page : wanted]
    query_stems = stems(" ".join(parsed.words)) | set(parsed.words)
    response.results = [
        _result(
            snap.attrs[d],
            score,
            _miles(distances, d),
            request.locale,
            snap,
            query_stems,
            now,
            place.point.as_tuple() if place else None,
        )
        for d, score in page
        if snap.attrs[d] is not None
    ]
    return response


def _within_reach(
    snap: Snapshot,
    place: geo.Place,
    matched: np.ndarray,
    good: np.ndarray,
    request: SearchRequest,
    needs: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, SearchRequest, bool]:
    """Distances and the listings within the radius or whose area covers the place.

    When the user set no radius and fewer than ``MIN_NEARBY`` good listings (``good``)
    are that close (a rural town), or a need the sentence names has none that close ("a ride to the
    doctor": clinics in town, the ride service in the next one), the radius widens step
    by step: a family in King City still gets the dental clinic 15 miles away, and the
    page says how far it looked.
    """
    radii = [request.radius_mi]
    if not request.radius_given:
        radii += [r for r in WIDER_RADII_MI if r > request.radius_mi]
    wanted = [need & matched for need in needs]
    for radius in radii:
        distances = snap.distances(place.point, radius)
        in_reach = np.isfinite(distances) | snap.covering(place)
        if np.count_nonzero(good & in_reach) >= MIN_NEARBY and all(
            (need & in_reach).any() for need in wanted if need.any()
        ):
            break
    widened = radius != request.radius_mi
    return distances, in_reach, replace(request, radius_mi=radius), widened


def _docs_of(snap: Snapshot, term_ids: tuple[str, ...]) -> np.ndarray:
    found = [snap.lookups.by_term[t] for t in term_ids if t in snap.lookups.by_term]
    return np.unique(np.concatenate(found)) if found else _NONE


def _count_query_words(
    context: SearchContext, parsed: ParsedQuery, lexicon: Lexicon, locale: str, zero: bool
) -> None:
    """Note the query's unknown words for the curation loop (``search.curation``)."""
    if context.term_key is None or not parsed.text:
        return
    typed = words(parsed.text)
    unknown = {
        w for w in typed
        if len(w) >= 3 and not w.isdigit() and w not in lexicon.vocabulary
        and w not in parsed.understood.protected and not dictionary.is_word(w)
    }
    if unknown:
        curation.COUNTER.note(context.term_key, curation.query_terms(typed, unknown), locale, zero)


def _miles(distances: np.ndarray | None, docnum: int) -> float | None:
    if distances is None or not np.isfinite(distances[docnum]):
        return None
    return float(distances[docnum])


def _rank(
    candidates: np.ndarray,
    scores: np.ndarray,
    distances: np.ndarray | None,
    request: SearchRequest,
    wanted: int,
) -> list[tuple[int, float]]:
    """(document, score) in result order, at least the first ``wanted``.

    Without a place: by score. Sorted by distance: nearest first, then by score.
    By relevance near a place: the best ``RERANK`` by score, re-ranked by a blend
    of relevance (70%) and proximity (30%); services that come to you (no point,
    an area that covers the place) count as halfway to the edge of the radius.
    """
    if distances is None:
        best = top(candidates, scores, wanted)
        return [(int(d), float(scores[d])) for d in best]
    if request.sort == "distance":
        miles = np.minimum(distances[candidates], request.radius_mi + 1)
        order = np.lexsort((candidates, -scores[candidates], miles))
        return [(int(d), float(scores[d])) for d in candidates[order][:wanted]]
    best = top(candidates, scores, max(wanted, RERANK))
    relevance = scores[best] / (float(scores[best].max()) or 1.0)
    miles = distances[best]
    proximity = np.where(
        np.isfinite(miles),
        1 - np.minimum(miles, request.radius_mi) / request.radius_mi,
        COVERAGE_PROXIMITY,
    )
    blended = (1 - DISTANCE_WEIGHT) * relevance + DISTANCE_WEIGHT * proximity
    order = np.lexsort((np.arange(len(best)), -blended))
    return [(int(best[i]), float(blended[i])) for i in order]


def search(
    session: Session,
    index: ServiceIndex,
    request: SearchRequest,
    context: SearchContext | None = None,
) -> SearchResponse:
    """Search the directory. Raises SearchError for bad parameters, nothing else for bad text.

    A missing or damaged index is rebuilt from the database (with a logged
    warning) and the search is answered from the new index.
    """
    context = context or SearchContext()
    index.ensure(session)
    staff = curation.staff_phrases(index.root)
    try:
        response = _run(session, index.snapshot(), request, context, staff)
    except INDEX_DAMAGE as error:
        index.recover(session, error)
        response = _run(session, index.snapshot(), request, context, staff)
    if curation.COUNTER.due():
        curation.COUNTER.flush(session.get_bind())
    return response
