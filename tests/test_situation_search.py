"""Search for what families say: crisis notices, understood needs, sentences, places.

The API, the page and the CLI answer one query the same way; a crisis is never answered
with nothing or with the wrong thing; a look-alike is not a crisis.
"""

from __future__ import annotations

import json

import pytest

from matcher.search import engine
from matcher.search.index import get_index

pytestmark = pytest.mark.usefixtures("search_app")


def api(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


@pytest.mark.parametrize(
    ("q", "lang", "kind"),
    [
        ("quiero suicidarme", "es", "suicide"),
        ("my son says he wants to kill himself", "en", "suicide"),
        ("mi esposo me pega y tengo miedo", "es", "domestic_violence"),
        ("we have nowhere to sleep tonight", "en", "homeless_tonight"),
    ],
)
def test_a_crisis_gets_its_notice_with_lines_to_call_and_crisis_services_first(
    client, q, lang, kind
):
    body = api(client, q=q, lang=lang)
    assert body["crisis"]["kind"] == kind
    assert body["crisis"]["message"]
    assert any(line["phone"] for line in body["crisis"]["lines"])
    assert body["total"] > 0
    assert body["understood"]["crisis"] == kind


def test_the_crisis_notice_speaks_the_language_of_the_page(client):
    spanish = api(client, q="quiero suicidarme", lang="es")["crisis"]
    english = api(client, q="quiero suicidarme", lang="en")["crisis"]
    assert "llame al 911" in spanish["message"]
    assert "call 911" in english["message"]
    assert spanish["lines"][0]["name"] != english["lines"][0]["name"]


def test_988_leads_the_lines_for_suicide(client):
    lines = api(client, q="my daughter wants to die", lang="en")["crisis"]["lines"]
    assert lines[0]["phone"] == "988"


def test_no_filter_can_leave_a_crisis_with_nothing(client):
    body = api(client, q="quiero suicidarme", lang="es", language="mix", free="1", age="3")
    assert body["total"] > 0
    assert body["crisis"]["kind"] == "suicide"


@pytest.mark.parametrize(
    "q", ["matar hormigas en la cocina", "my car battery is dead", "me muero de hambre"]
)
def test_a_look_alike_gets_no_crisis_notice(client, q):
    assert api(client, q=q)["crisis"] is None


def test_a_sentence_finds_its_needs_and_the_age_as_removable_chips(client):
    body = api(client, q="my 9 year old has toothaches and we lost our Medi-Cal")
    keys = [n["key"] for n in body["understood"]["needs"]]
    assert "dental" in keys and "health_coverage" in keys
    assert body["understood"]["age"] == 9
    assert {c["drop"] for c in body["understood"]["chips"]} >= {"need:dental", "age"}
    without = api(client, q="my 9 year old has toothaches and we lost our Medi-Cal",
                  drop="need:health_coverage,age")
    assert [n["key"] for n in without["understood"]["needs"]] == ["dental"]
    assert without["understood"]["age"] is None
    assert [r["id"] for r in without["results"]] != [r["id"] for r in body["results"]]


def test_filler_words_of_a_sentence_are_not_searched(client):
    body = api(client, q="my teenager keeps saying she wishes she was dead")
    assert not {"keeps", "saying", "my", "she"} & set(body["understood"]["keywords"])


@pytest.mark.parametrize("word", ["saying", "beat", "cuñada", "wishes"])
def test_a_real_word_of_either_language_is_never_corrected(client, word):
    body = api(client, q=f"help {word} food")
    assert body["suggestion"] is None


def test_a_typo_is_still_corrected(client):
    assert api(client, q="despensa de comdia", lang="es")["suggestion"] == "despensa de comida"


@pytest.mark.parametrize(
    "q", ["help to pay rent", "rides to school", "la renta", "ayuda de la escuela"]
)
def test_a_stop_word_or_abbreviation_is_never_a_place(client, q):
    assert api(client, q=q)["location"] is None


def test_a_place_the_query_names_is_a_removable_chip(client):
    body = api(client, q="comida en oxnard", lang="es")
    assert body["location"]["label"] == "Oxnard"
    assert any(c["drop"] == "place" for c in body["understood"]["chips"])
    assert api(client, q="comida en oxnard", lang="es", drop="place")["location"] is None


def test_nothing_found_offers_the_nearest_categories_and_the_help_line(client):
    body = api(client, q="dentista para perros bravos", lang="es", language="mix", free="1")
    if body["total"]:
        pytest.skip("the sample directory found something for this query")
    assert body["nearest"]["help_line"]["phone"]
    page = client.get("/search", query_string={"q": "zzqx vvkw", "lang": "es"})
    html = page.get_data(as_text=True)
    assert 'href="tel:' in html


@pytest.mark.parametrize("bad", [
    "a" * 10_000, "😀🔥💔 🙏", "the of and de la el", "<script>alert(1)</script> comida",
    "'; DROP TABLE service; --", "\x00\x01 comida",
])
def test_any_text_still_answers(client, bad):
    response = client.get("/api/v1/search", query_string={"q": bad})
    assert response.status_code == 200
    page = client.get("/search", query_string={"q": bad})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


def test_an_unknown_chip_to_drop_is_a_clear_error(client):
    response = client.get("/api/v1/search", query_string={"q": "comida", "drop": "<b>x</b>"})
    assert response.status_code == 400
    assert "drop" in response.get_json()["error"]["message"]


def test_api_and_cli_return_the_same_crisis_and_understood(client, runner):
    body = api(client, q="mi esposo me pega y tengo miedo", lang="es")
    result = runner.invoke(args=["search", "mi esposo me pega y tengo miedo", "--lang", "es",
                                 "--json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    assert cli["crisis"] == body["crisis"]
    assert cli["understood"] == body["understood"]


def test_the_plain_cli_prints_the_crisis_notice_first(runner):
    result = runner.invoke(args=["search", "I want to kill myself"])
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert first.startswith("!! ") and "911" in first


def test_the_search_page_shows_the_notice_above_the_results_with_a_tel_link(client):
    html = client.get("/search", query_string={"q": "quiero suicidarme", "lang": "es"}).get_data(
        as_text=True
    )
    assert html.index('class="crisis-notice"') < html.index('class="search-results"')
    assert 'href="tel:988"' in html


def test_query_understanding_costs_little(app, session):
    """Not a timed test: the per-query understanding is cached and cheap by construction;
    ``bench/search.py`` measures it. Here: the same query twice is parsed once."""
    index = get_index(app)
    request = engine.request_from_params({"q": "ocupo lonche para mis niños", "lang": "es"})
    first = engine.search(session, index, request)
    second = engine.search(session, index, request)
    assert first.understood == second.understood
    assert [n["key"] for n in first.understood["needs"]] == ["food_insecurity"]


def test_a_sentence_gets_the_services_for_its_need_first_whatever_its_other_words(client):
    body = api(client, q="my little one has a cavity that really hurts when she eats, it is so bad")
    assert [n["key"] for n in body["understood"]["needs"]] == ["dental"]
    assert "dental" in body["results"][0]["name"].lower()
    # filler of either language is not searched, and does not decide the ranking
    short = api(client, q="cavity")
    assert body["results"][0]["id"] == short["results"][0]["id"]


def test_a_sentence_that_names_no_known_need_still_searches_its_content_words(client):
    body = api(client, q="where can my grandmother learn to knit with other people nearby")
    keywords = set(body["understood"]["keywords"])
    assert {"grandmother", "knit"} <= keywords
    assert not {"where", "can", "my", "with"} & keywords


def test_a_misspelled_lexicon_word_is_understood_searched_and_shown_corrected(client):
    body = api(client, q="my son needs a dentsit")
    assert [n["key"] for n in body["understood"]["needs"]] == ["dental"]
    assert body["suggestion"] == "my son needs a dentist"
    assert "dentist" in body["understood"]["keywords"]
    assert "dentsit" not in body["understood"]["keywords"]


@pytest.mark.parametrize("q", [
    "quiero suicidarme", "ocupo despensa pa mis chamacos, ya no alcanza el cheque",
    "la troca se descompuso y no sé qué hago", "se me murió el gatito",
])
def test_inflected_real_words_are_never_corrected(client, q):
    assert api(client, q=q, lang="es")["suggestion"] is None


def test_phrases_of_either_language_are_read_on_either_page(client):
    for lang in ("en", "es"):
        body = api(client, q="necesito help con la renta, ya nos quieren sacar", lang=lang)
        assert "housing_cost" in [n["key"] for n in body["understood"]["needs"]]


@pytest.mark.parametrize(("q", "not_need"), [
    ("mi perro no tiene comida, dan croquetas", "food_insecurity"),
    ("shelter for my dog, we can't keep her in the new apartment", "homelessness"),
    ("we had ice cream after school and now his tooth hurts", "immigration_legal"),
    ("I need a class for my food handler card", "food_insecurity"),
])
def test_a_shared_word_is_not_a_need(client, q, not_need):
    assert not_need not in [n["key"] for n in api(client, q=q)["understood"]["needs"]]


def test_several_children_ages_fit_listings_for_any_of_them_without_an_age_filter(client):
    body = api(client, q="my 3 and 10 year olds need a doctor and their shots")
    assert body["understood"]["age"] is None
    assert "primary_care" in [n["key"] for n in body["understood"]["needs"]]
    assert body["total"] > 0


def test_a_need_word_that_is_also_a_town_is_not_a_place_unless_introduced(client):
    # "Edison" is the utility (Southern California Edison) and a town in Kern County
    assert api(client, q="the edison bill is past due and we have two kids")["location"] is None
    assert api(client, q="food pantry in edison")["location"]["label"].startswith("Edison")
