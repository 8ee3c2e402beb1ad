"""The search engine and its index: query understanding, filters, ranking, lifecycle."""

from __future__ import annotations

import logging
import math
import shutil
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from matcher.core.upsert import stable_id
from matcher.directory import geo
from matcher.directory.hours import LOCAL_TZ
from matcher.models import Organization, Service
from matcher.search import engine
from matcher.search.analysis import (
    analyzed,
    folding_analyzer,
    language_analyzer,
    stems,
    terms,
)
from matcher.search.engine import SearchError, SearchRequest, request_from_params
from matcher.search.index import (
    INDEX_NAME,
    IndexUnavailable,
    get_index,
    rebuild,
    update_services,
    write_lock,
)
from matcher.search.query import parse, parse_open

pytestmark = pytest.mark.usefixtures("search_app")


def sid(key: str) -> str:
    return stable_id("service", key)


def run(app, session, **params):
    request = params.pop("request", None) or request_from_params(params)
    return engine.search(session, get_index(app), request)


def names(response) -> list[str]:
    return [r.name for r in response.results]


def test_a_one_word_query_ranks_with_real_scores_not_all_zero(app, session):
    """Whoosh 2.7's OrGroup.factory scores one-word queries 0.0; our queries must not."""
    response = run(app, session, q="counseling", per_page=20)
    scores = [r.score for r in response.results]
    assert len(scores) > 5 and all(s > 0 for s in scores)
    assert len(set(scores)) > 3
    assert "counseling" in response.results[0].name.lower()


def test_a_spanish_query_with_a_typo_is_corrected_and_finds_food_pantries(app, session):
    response = run(app, session, q="despensa de comdia", lang="es")
    assert response.suggestion == "despensa de comida"
    top = {r.id for r in response.results[:5]}
    pantries = {
        sid("food-share-ventura/food-share-partner-pantries"),
        sid("manna-conejo-valley/manna-choice-pantry"),
        sid("samaritan-center-simi/samaritan-pantry"),
        sid("catholic-charities-ventura/cc-food-baskets"),
    }
    assert {r.taxonomy_terms[0]["label"] for r in response.results[:3]} <= {
        "Despensa de alimentos",
        "Comida de emergencia",
    }
    assert len(top & pantries) >= 2


def test_a_correctly_spelled_query_gets_no_suggestion(app, session):
    response = run(app, session, q="food pantry")
    assert response.suggestion is None
    assert response.results[0].taxonomy_terms


@pytest.mark.parametrize(
    ("query", "word"),
    [("despensas de comida", "despensas"), ("nos desalojaron", "desalojaron")],
)
def test_another_form_of_an_indexed_word_is_searched_as_typed_with_no_suggestion(
    app, session, query, word
):
    get_index(app).ensure(session)
    vocabulary = get_index(app).snapshot().lexicon.vocabulary
    assert word not in vocabulary  # only other forms of it are indexed
    response = run(app, session, q=query, lang="es")
    assert response.suggestion is None
    assert response.total > 0


@pytest.mark.parametrize("query", ["abogado de inmigración", "immigration lawyer"])
def test_a_request_for_an_immigration_lawyer_ranks_legal_help_above_citizenship_classes(
    app, session, query
):
    """Open Eligibility has "Citizenship & Immigration" twice: legal aid (111-01-02) and
    exam preparation (109-05-01). Only the legal one is a lawyer."""
    response = run(app, session, q=query, lang="es", per_page=20)
    codes = [{t["code"] for t in r.taxonomy_terms} for r in response.results]
    legal = [i for i, c in enumerate(codes) if "1381" in c]
    classes_only = [i for i, c in enumerate(codes) if "1346" in c and "1381" not in c]
    assert legal and legal[0] == 0
    assert not classes_only or max(legal) < min(classes_only)


def test_a_word_no_listing_mentions_is_reported_as_typed_and_the_rest_still_searched(app, session):
    response = run(app, session, q="despensa de comida Xóchitl", lang="es")
    assert response.unmatched_words == ["Xóchitl"]
    assert response.total > 0
    assert response.results[0].taxonomy_terms


@pytest.mark.parametrize("query", ["food pantry", "Xóchitl"])
def test_no_word_is_reported_unmatched_when_all_match_or_nothing_does(app, session, query):
    response = run(app, session, q=query)
    assert response.unmatched_words == []
    assert (response.total > 0) == (query == "food pantry")


def test_a_word_is_unmatched_when_only_listings_outside_the_filters_mention_it(app, session):
    service = session.get(Service, sid("one-step-a-la-vez/onestep-meals"))
    service.name = "Zanahoria supper club"
    session.commit()
    update_services(app, session, [service.id])
    everywhere = run(app, session, q="zanahoria dental")
    assert everywhere.unmatched_words == []
    dental_only = run(app, session, q="zanahoria dental", category="Dental Care")
    assert dental_only.total > 0
    assert dental_only.unmatched_words == ["zanahoria"]


def test_a_spanish_query_finds_a_listing_written_only_in_english(app, session):
    response = run(app, session, q="regaderas", lang="es")
    found = {r.name for r in response.results}
    assert {"Showers", "Showers, laundry and mail service"} <= found


def test_an_english_query_finds_services_through_spanish_labels_too(app, session):
    response = run(app, session, q="clases de inglés")
    assert any("ESL" in name or "English" in name for name in names(response)[:3])


def test_a_category_repeated_under_several_parents_counts_once(app, session):
    """Open Eligibility files "Food Benefits" under three parents; a listing tagged
    with two of them must not outrank the listing the query names."""
    get_index(app).ensure(session)
    snap = get_index(app).snapshot()
    clauses = engine.query_terms(parse("calfresh", snap.lexicon)).clauses
    concepts = [c for c in clauses if c[0][0] == "cats"]
    assert len(concepts) == 1 and len(concepts[0]) >= 2
    assert run(app, session, q="calfresh").results[0].name == "CalFresh food benefits"


@pytest.mark.parametrize(
    ("text", "kept"),
    [("after school program", "after"), ("personas sin hogar", "sin")],
)
def test_words_that_carry_a_search_s_meaning_are_not_dropped_as_stop_words(
    app, session, text, kept
):
    get_index(app).ensure(session)
    parsed = parse(text, get_index(app).snapshot().lexicon)
    assert kept in parsed.words
    assert "de" not in parse("despensa de comida", get_index(app).snapshot().lexicon).words


def test_inactive_and_defunct_services_are_never_found(app, session):
    response = run(app, session, q="after school program Fillmore site", per_page=50)
    assert "After-school program (Fillmore site)" not in names(response)
    response = run(app, session, q="Oxnard center services closed", per_page=50)
    assert not any("closed 2018" in n for n in names(response))


def test_a_place_in_the_query_becomes_the_location(app, session):
    response = run(app, session, q="comida en oxnard")
    location = dict(response.location)
    assert location.pop("point") == [34.1994, -119.2075]  # the town's point
    assert location.pop("kind") == "place"
    assert location == {
        "label": "Oxnard", "from_query": True, "radius_mi": 10.0, "widened": False,
        "county": "Ventura",
    }
    assert response.results
    assert all(r.distance_mi is None or r.distance_mi <= 10 for r in response.results)


def test_services_without_a_location_count_when_their_area_covers_the_point(app, session):
    response = run(app, session, q="crisis line", near="93030", per_page=20)
    crisis = [r for r in response.results if r.name == "988 call and text crisis line"]
    assert crisis and crisis[0].distance_mi is None


def test_sort_by_distance_puts_the_nearest_first(app, session):
    response = run(app, session, q="food", near="Thousand Oaks", radius_mi="15", sort="distance")
    distances = [r.distance_mi for r in response.results if r.distance_mi is not None]
    assert distances == sorted(distances)
    assert distances and distances[-1] <= 15


def test_the_language_filter_keeps_only_services_offering_it(app, session):
    response = run(app, session, q="", language="Mixteco", per_page=50)
    assert response.total == len(response.results) > 5
    assert all("mix" in [lang["code"] for lang in r.languages] for r in response.results)


def test_free_and_age_filters(app, session):
    response = run(app, session, q="food", free="true", per_page=50)
    assert response.results
    ids = {r.id for r in response.results}
    assert sid("la-hermandad-hank-lacayo/lh-food") not in ids  # cost unknown: not "free"
    teen_only = run(app, session, q="counseling", age="8", per_page=50)
    assert "Teen counseling" not in names(teen_only)
    assert "Teen counseling" in names(run(app, session, q="counseling", age="15", per_page=50))


def test_a_category_filter_includes_the_terms_below_it(app, session):
    response = run(app, session, q="", category="1102", per_page=50)  # Food
    labels = {t["label"] for r in response.results for t in r.taxonomy_terms}
    assert {"Food Pantry", "Free Meals"} <= labels


def test_open_on_saturday_finds_the_saturday_groceries():
    spec = parse_open("sábado", datetime(2026, 1, 5, tzinfo=LOCAL_TZ))
    assert (spec.kind, spec.day) == ("day", "SA")


def test_open_filters_use_the_listing_hours(app, session):
    saturday = run(app, session, q="groceries", open="saturday")
    assert "Saturday free groceries" in names(saturday)
    monday_3am = datetime(2026, 1, 5, 3, 0, tzinfo=LOCAL_TZ)
    night = engine.search(
        session, get_index(app), SearchRequest(q="", open="now", now=monday_3am, per_page=50)
    )
    assert night.results and all(
        r.name in {"2-1-1 information and referral line", "988 call and text crisis line"}
        or "24" in r.name
        or "hotline" in r.name.lower()
        or r.hours_today == "24 hours"
        or r.hours_today.startswith("12:00")
        for r in night.results
    )


def test_facets_count_categories_and_languages_of_all_matches(app, session):
    response = run(app, session, q="food", per_page=5)
    language = {f["code"]: f["count"] for f in response.facets["language"]}
    spanish_only = run(app, session, q="food", language="es", per_page=50)
    assert language["es"] == spanish_only.total
    assert response.facets["category"][0]["label"] == "Food"
    assert response.total > len(response.results)


def test_pages_do_not_repeat_results(app, session):
    first = run(app, session, q="help", per_page=5, page=1)
    second = run(app, session, q="help", per_page=5, page=2)
    assert first.total == second.total > 10
    assert not {r.id for r in first.results} & {r.id for r in second.results}


@pytest.mark.parametrize(
    "text",
    [
        'food "pantry',
        "AND OR *",
        "NOT (",
        "x" * 5000,
        "🍎🍞 comida 🥫",
        "' OR 1=1 --",
        "   ",
        "de la para",
        "\x00\u202e",
    ],
)
def test_any_input_returns_results_or_an_empty_list(app, session, text):
    response = run(app, session, q=text)
    assert response.total >= 0
    assert isinstance(response.results, list)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"radius_mi": "abc", "near": "93030"}, "radius_mi must be a number"),
        ({"near": "99999"}, "99999"),
        ({"near": "Springfield"}, "couldn't find"),
        ({"open": "someday"}, "open must be"),
        ({"category": "no such category"}, "category"),
        ({"language": "klingon"}, "language"),
        ({"page": "0"}, "page must be between"),
        ({"age": "old"}, "age must be a whole number"),
        ({"sort": "price"}, "sort must be"),
    ],
)
def test_bad_parameters_raise_a_search_error_with_a_clear_message(app, session, params, message):
    with pytest.raises(SearchError, match=message):
        run(app, session, q="food", **params)


def test_snippets_mark_matched_words_and_escape_html():
    html = engine.snippet("Free <b>food</b> & groceries for families", stems("food grocery"))
    assert (
        html
        == "Free &lt;b&gt;<mark>food</mark>&lt;/b&gt; &amp; <mark>groceries</mark> for families"
    )


def test_an_edited_listing_is_searchable_on_the_next_query_without_a_rebuild(app, session):
    """The "within 1 s" target is timed by bench/search.py; this proves the mechanism:
    the edit is one new document in a new segment, and the open index sees it at once."""
    run(app, session, q="food")  # open the index and its searcher
    segments_before = {
        reader.segment().segment_id() for reader, _o in get_index(app).snapshot().collection.leaves
    }
    service = session.get(Service, sid("one-step-a-la-vez/onestep-meals"))
    service.name = "Zanahoria supper club"
    session.commit()
    update_services(app, session, [service.id])
    response = run(app, session, q="zanahoria supper")
    assert names(response)[0] == "Zanahoria supper club"
    leaves = get_index(app).snapshot().collection.leaves
    new = [reader for reader, _o in leaves if reader.segment().segment_id() not in segments_before]
    assert [reader.doc_count_all() for reader in new] == [1]
    assert segments_before <= {reader.segment().segment_id() for reader, _o in leaves}


def test_filters_and_distances_see_an_edited_listing_once_in_its_new_segment(app, session):
    service_id = sid("one-step-a-la-vez/onestep-meals")
    before = run(app, session, q="meals", near="93030", radius_mi="20", language="es", per_page=50)
    assert service_id in [r.id for r in before.results]
    service = session.get(Service, service_id)
    service.name = "Zanahoria supper club"
    session.commit()
    update_services(app, session, [service.id])
    assert len(get_index(app).snapshot().collection.leaves) > 1  # the edit is a new segment
    after = run(
        app, session, q="zanahoria meals", near="93030", radius_mi="20", language="es", per_page=50
    )
    found = [r for r in after.results if r.id == service_id]
    assert [r.name for r in found] == ["Zanahoria supper club"]
    assert found[0].distance_mi is not None and found[0].distance_mi <= 20
    assert after.results[0].id == service_id
    facet = {f["code"]: f["count"] for f in after.facets["language"]}
    assert facet["es"] == after.total


def test_a_rebuild_with_several_processes_answers_like_one_process(app, session, tmp_path):
    def answers(index_dir: Path) -> list[tuple[str, float]]:
        index = get_index(index_dir)
        found = []
        for q in ("food pantry", "consejeria para adolescentes", "dentist"):
            request = request_from_params({"q": q, "per_page": 50})
            found += sorted((r.id, r.score) for r in engine.search(session, index, request).results)
        index.close()
        return found

    assert rebuild(tmp_path / "one", session) == rebuild(tmp_path / "two", session, procs=2)
    segments = list((tmp_path / "two" / INDEX_NAME).glob("*.seg"))
    assert len(segments) == 2
    assert answers(tmp_path / "two") == answers(tmp_path / "one")


def test_a_build_that_loses_a_segment_is_redone_in_one_process(
    app, session, tmp_path, monkeypatch, caplog
):
    from matcher.search import build as search_index

    counts = iter([1])  # the first build "lost" all but one listing
    real = search_index._document_count
    monkeypatch.setattr(search_index, "_document_count", lambda ix: next(counts, None) or real(ix))
    with caplog.at_level(logging.WARNING):
        total = rebuild(tmp_path, session, procs=2)
    assert "building in one process" in caplog.text
    get_index(tmp_path).ensure(session)
    assert get_index(tmp_path).whoosh().doc_count_all() == total > 100
    assert not list(tmp_path.glob(f"{INDEX_NAME}.new-*"))
    get_index(tmp_path).close()


def test_an_unpublished_organization_leaves_the_index_on_update(app, session):
    org = session.scalars(select(Organization).where(Organization.name == "Harbor House")).one()
    service_ids = [s.id for s in org.services]
    org.published = False
    session.commit()
    update_services(app.config["ENLACE_INDEX_DIR"], session, service_ids)
    assert "Nightly rotating meals" not in names(run(app, session, q="nightly meals"))


@contextmanager
def index_warnings(caplog) -> Iterator[None]:
    """Capture the index module's warnings. Alembic's ``fileConfig`` (run in-process when
    the test template database is migrated) disables loggers that already exist."""
    logger = logging.getLogger("matcher.search.index")
    was_disabled, logger.disabled = logger.disabled, False
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            yield
    finally:
        logger.disabled = was_disabled


def test_a_missing_index_is_rebuilt_with_a_warning_and_search_answers(app, session, caplog):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"])
    get_index(app).close()
    shutil.rmtree(index_dir / INDEX_NAME)
    with index_warnings(caplog):
        response = run(app, session, q="food pantry")
    assert response.results
    assert "missing: rebuilding from the database" in caplog.text


def test_a_corrupt_index_is_rebuilt_with_a_warning_and_search_answers(app, session, caplog):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"]) / INDEX_NAME
    get_index(app).close()
    for path in index_dir.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    with index_warnings(caplog):
        response = run(app, session, q="food pantry")
    assert response.results
    assert "unreadable" in caplog.text


def test_a_second_writer_waits_for_the_lock_then_gives_up(app):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"])
    with (
        write_lock(index_dir),
        pytest.raises(IndexUnavailable, match="busy"),
        write_lock(index_dir, timeout=0.2),
    ):
        pass


def test_concurrent_searches_from_many_threads_all_answer_the_same(app, session):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.orm import Session

    expected = [r.id for r in run(app, session, q="food pantry").results]
    engine_ = session.get_bind()

    def one(_n: int) -> list[str]:
        with Session(engine_) as own:
            return [r.id for r in run(app, own, q="food pantry").results]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(40)))
    assert all(answer == expected for answer in answers)


@pytest.mark.parametrize(
    "text",
    [
        "Clínica de salud: consejería para niños y jóvenes",
        "O'Brien's FOOD-pantry, café_bar 24/7 — ÉXITO straße ½ ²",
        "the and of para los",
        "",
    ],
)
def test_index_terms_are_what_the_whoosh_analyzers_make_of_the_text(text):
    for kind, analyzer in (
        ("en", language_analyzer("en")),
        ("es", language_analyzer("es")),
        ("fold", folding_analyzer()),
    ):
        assert analyzed(kind, text) == tuple(terms(analyzer, text))


def reference_scores(snap, query: engine.QueryTerms) -> dict[int, float]:
    """Scores from the definition, a document at a time through Whoosh's public reader:
    BM25 (k1 1.2, b 0.75, Robertson idf) per term; per clause (a word, or a taxonomy
    concept) the best weighted alternative plus 0.3 of the others; clauses add up; each
    need the query names adds the best weight of its terms a listing is tagged with
    (the listing's own terms, not those above them) plus 0.3 of the others, and its own
    words are one more clause; a listing only for seniors (55 and over) keeps 0.3 of its
    score when the query names nobody older."""
    searcher = snap.searcher
    reader = searcher.reader()
    count = searcher.doc_count_all()

    def term(fieldname: str, text: str) -> dict[int, float]:
        if (fieldname, text) not in reader:
            return {}
        matcher = reader.postings(fieldname, text)
        weights = {}
        while matcher.is_active():
            weights[matcher.id()] = matcher.weight()
            matcher.next()
        if fieldname == "cats":
            return weights
        n = searcher.doc_frequency(fieldname, text)
        idf = math.log(1 + (count - n + 0.5) / (n + 0.5))
        average = searcher.avg_field_length(fieldname)
        return {
            d: idf
            * tf
            * 2.2
            / (tf + 1.2 * (0.25 + 0.75 * reader.doc_field_length(d, fieldname, 1) / average))
            for d, tf in weights.items()
        }

    total: dict[int, float] = defaultdict(float)
    for alternatives in query.clauses + query.need_words:
        found: dict[int, list[float]] = defaultdict(list)
        for fieldname, text, weight in dict.fromkeys(alternatives):
            for d, score in term(fieldname, text).items():
                found[d].append(weight * score)
        for d, scores in found.items():
            total[d] += max(scores) + 0.3 * (sum(scores) - max(scores))
    for need in query.needs:
        for d, attrs in enumerate(snap.attrs):
            own = {t[0] for t in attrs["terms"]} if attrs else set()
            weights = [w for t, w in dict.fromkeys(need) if t in own]
            if weights:
                total[d] += max(weights) + 0.3 * (sum(weights) - max(weights))
    for d in total:
        if (snap.attrs[d] or {}).get("min_age") and snap.attrs[d]["min_age"] >= 55:
            total[d] *= 0.3
    return total


@pytest.mark.parametrize(
    "params",
    [
        {"q": "food"},
        {"q": "clases de ingles para adultos"},
        {"q": "food", "language": "es"},
        {"q": "comida gratis", "free": "1", "age": "10"},
        {"q": "clinic", "near": "Oxnard", "radius_mi": "20"},
        {"q": "my kid has a cough"},  # a need ("cough": a doctor) that no category names
    ],
)
def test_results_are_the_best_scores_by_the_definition_among_allowed_listings(app, session, params):
    index = get_index(app)
    request = request_from_params(params)
    response = engine.search(session, index, request)
    snap = index.snapshot()
    parsed = parse(request.q, snap.lexicon, find_place=request.near is None)
    allowed = engine._allowed(session, snap, request, datetime.now(LOCAL_TZ))
    place = parsed.place or (geo.resolve_place(request.near) if request.near else None)
    if place is not None:
        distances = snap.distances(place.point, request.radius_mi)
        near = np.isfinite(distances) | snap.covering(place)
        allowed = near if allowed is None else allowed & near
    scores = reference_scores(snap, engine.query_terms(parsed))
    exhaustive = sorted(
        (
            (-score, d)
            for d, score in scores.items()
            if snap.live[d] and (allowed is None or allowed[d])
        )
    )
    expected = [(snap.attrs[d]["id"], round(-neg, 4)) for neg, d in exhaustive]
    assert response.total == len(expected) > 0
    if place is None:
        assert [(r.id, r.score) for r in response.results] == expected[:10]
    else:  # re-ranked with distance among the same candidates
        assert {r.id for r in response.results} <= {i for i, _s in expected}
