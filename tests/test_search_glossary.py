"""Everyday words reach listings written only in the other language (matcher/search/glossary)."""

from __future__ import annotations

import pytest

from matcher.core.upsert import stable_id
from matcher.models import Service
from matcher.search import engine, glossary
from matcher.search.analysis import analyzed, stopwords
from matcher.search.engine import request_from_params
from matcher.search.index import get_index, update_services
from matcher.search.query import parse


def _rewrite(session, key: str, name: str, description: str) -> str:
    """Give a seed listing new text in one language only (no translation)."""
    service = session.get(Service, stable_id("service", key))
    service.name, service.description = name, description
    service.translations.clear()
    session.commit()
    return service.id


def _ids(app, session, q: str) -> list[str]:
    request = request_from_params({"q": q, "per_page": 50})
    return [r.id for r in engine.search(session, get_index(app), request).results]


@pytest.fixture
def coats(app, session) -> tuple[str, str]:
    english = _rewrite(
        session, "one-step-a-la-vez/onestep-meals", "Winter coat closet", "Warm coats for kids."
    )
    spanish = _rewrite(
        session,
        "samaritan-center-simi/samaritan-pantry",
        "Abrigos de invierno",
        "Abrigos calientes para los niños de la escuela.",
    )
    update_services(app, session, [english, spanish])
    return english, spanish


@pytest.mark.parametrize(("query", "same_language"), [("abrigos", 1), ("coats", 0)])
def test_a_listing_in_the_other_language_is_found_after_one_in_the_query_language(
    app, session, coats, query, same_language
):
    found = _ids(app, session, query)
    assert found[:2] == [coats[same_language], coats[1 - same_language]]


def test_a_glossary_word_is_never_corrected_into_another_word(app, session, coats):
    get_index(app).ensure(session)
    lexicon = get_index(app).snapshot().lexicon
    assert parse("chamarras para nietos", lexicon).suggestion is None


def test_every_glossary_line_has_words_on_both_sides_that_are_not_stop_words():
    for spanish, english in glossary._entries():
        assert spanish and english
        for lang, side in (("es", spanish), ("en", english)):
            for word in side:
                assert word not in stopwords(lang), word
                assert analyzed(lang, word), word


def test_translations_go_both_ways():
    """If a Spanish word translates to an English stem, that English word comes back."""
    for spanish, english in glossary._entries():
        for es_word in spanish:
            es_stems = set(analyzed("es", es_word))
            for lang, stem in glossary.translations(es_word):
                if lang != "en":
                    continue
                back = {
                    s
                    for en_word in english
                    if stem in analyzed("en", en_word)
                    for _l, s in glossary.translations(en_word)
                }
                assert es_stems & back, (es_word, stem)


def test_a_word_outside_the_glossary_has_no_translation():
    assert glossary.translations("xochitl") == []
