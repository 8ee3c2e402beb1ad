"""The search page, GET /api/v1/search and the `reindex` / `search` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.search.index import INDEX_NAME

pytestmark = pytest.mark.usefixtures("search_app")


def test_the_api_returns_the_documented_json(client):
    body = client.get("/api/v1/search?q=comida+en+oxnard&per_page=3").get_json()
    assert set(body) >= {"total", "page", "per_page", "suggestion", "facets", "results"}
    assert body["page"] == 1 and body["per_page"] == 3 and len(body["results"]) == 3
    assert body["location"]["label"] == "Oxnard"
    first = body["results"][0]
    assert set(first) >= {
        "id",
        "name",
        "organization",
        "score",
        "distance_mi",
        "languages",
        "taxonomy_terms",
        "snippet",
    }
    assert set(first["organization"]) == {"id", "name"}
    assert {f["label"] for f in body["facets"]["category"]} >= {"Food"}


def test_the_api_labels_follow_the_lang_parameter(client):
    body = client.get("/api/v1/search?q=food+pantry&lang=es").get_json()
    labels = {t["label"] for r in body["results"] for t in r["taxonomy_terms"]}
    assert "Despensa de alimentos" in labels
    assert "Spanish" not in {lang["name"] for r in body["results"] for lang in r["languages"]}


def test_the_api_and_the_cli_return_identical_json(client, runner):
    api = client.get(
        "/api/v1/search?q=despensa+de+comdia&near=93030&radius_mi=12&language=es&per_page=5"
    ).get_json()
    result = runner.invoke(
        args=[
            "search",
            "despensa de comdia",
            "--near",
            "93030",
            "--radius-mi",
            "12",
            "--language",
            "es",
            "--limit",
            "5",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api
    assert api["suggestion"] == "despensa de comida" and api["results"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=food&near=93030&radius_mi=abc", "radius_mi must be a number of miles"),
        ("q=food&near=99999", "We don't know the ZIP code 99999."),
        ("q=food&per_page=500", "per_page must be between 1 and 50."),
        ("q=food&open=later", "open must be"),
    ],
)
def test_bad_api_parameters_get_a_400_with_a_clear_message(client, query, message):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_the_cli_reports_bad_parameters_without_a_traceback(runner):
    result = runner.invoke(args=["search", "food", "--near", "99999"])
    assert result.exit_code == 2
    assert "We don't know the ZIP code 99999." in result.output


def test_the_cli_prints_readable_results(runner):
    result = runner.invoke(args=["search", "despensa de comdia"])
    assert result.exit_code == 0
    assert "Did you mean: despensa de comida" in result.output
    assert "Food pantry" in result.output
    understood = runner.invoke(args=["search", "dentsit"])
    assert "Showing services for: Dental care" in understood.output
    assert "1 service\n" in understood.output and "Free dental clinic" in understood.output
    partly = runner.invoke(args=["search", "dental Xóchitl"])
    assert "No service here mentions: Xóchitl" in partly.output


def test_reindex_rebuilds_from_the_database(app, runner):
    live = Path(app.config["ENLACE_INDEX_DIR"]) / INDEX_NAME
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 142 services" in result.output
    assert any(p.suffix == ".seg" for p in live.iterdir())


def test_the_search_page_shows_results_with_highlights_and_filters(client):
    page = client.get("/search?q=food+pantry").get_data(as_text=True)
    assert "services found" in page
    assert "<mark>" in page
    assert 'name="language"' in page and 'name="near"' in page and 'name="open"' in page
    assert "Food pantry</a>" in page


def test_the_spanish_page_offers_quiso_decir_for_a_typo(client):
    page = client.get("/search?q=despensa+de+comdia&lang=es").get_data(as_text=True)
    assert "Quiso decir:" in page
    assert "despensa de comida</a>" in page
    assert "servicios encontrados" in page


def test_the_spanish_page_says_which_words_no_service_mentions(client):
    page = client.get("/search?q=comida+Xóchitl&lang=es").get_data(as_text=True)
    assert "Ningún servicio de aquí menciona: Xóchitl." in page
    assert "servicios encontrados" in page
    api = client.get("/api/v1/search?q=comida+Xóchitl").get_json()
    assert api["unmatched_words"] == ["Xóchitl"] and api["results"]


def test_a_language_offered_only_through_an_interpreter_is_marked_as_such(client):
    api = client.get("/api/v1/search?q=help+me+grow&lang=es").get_json()
    first = api["results"][0]
    assert first["name"].startswith("Help Me Grow")
    assert {(lang["code"], lang["interpreter"]) for lang in first["languages"]} == {
        ("en", False),
        ("es", False),
        ("mix", True),
    }
    page = client.get("/search?q=help+me+grow&lang=es").get_data(as_text=True)
    assert "español, mixteco (con intérprete)" in page


def test_a_search_with_no_results_suggests_what_to_try(client):
    page = client.get("/search?q=xylofonoqwerty").get_data(as_text=True)
    assert "No services match your search." in page
    help_line = page.split('class="help-line"')[1].split("</p>")[0]
    assert "For help finding services, call" in help_line and 'href="tel:211"' in help_line


def test_a_bad_filter_on_the_page_is_a_400_with_the_message(client):
    response = client.get("/search?q=food&near=99999")
    assert response.status_code == 400
    assert "We don&#39;t know the ZIP code 99999." in response.get_data(as_text=True)


def test_the_home_page_has_the_search_form_and_the_nav_link(client):
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/search"' in page
    assert 'href="/search"' in page
