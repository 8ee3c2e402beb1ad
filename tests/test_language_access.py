"""Language access: Indigenous languages are findable, filterable and listed by partner;
text that exists only in English says so (and is marked lang="en") on Spanish pages."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from matcher.directory import hours, language_access
from matcher.models import Organization, Service

ENGLISH_ONLY_SERVICE = "211 Rides"  # seeded without a Spanish translation


def test_mixteco_lists_direct_offers_before_interpreted_ones(session):
    found = language_access.indigenous_language_access(session, "es")
    by_code = {access.code: access for access in found}
    assert {"mix", "zap", "tsz"} <= set(by_code)
    mixteco = by_code["mix"]
    assert mixteco.name == "mixteco" and found[0].code == "mix"  # most offered first
    kinds = [offer.interpreter for offer in mixteco.offers]
    assert True in kinds and False in kinds
    assert kinds == sorted(kinds)  # staff who speak it first, then interpreters
    assert 1 < mixteco.organization_count <= len(mixteco.offers)
    assert language_access.indigenous_language_access(session, "es", "es") == []


def test_the_indigenous_languages_page_names_partners_in_spanish(client):
    html = client.get("/languages?lang=es").get_data(as_text=True)
    assert "<h1>Servicios en lenguas indígenas</h1>" in html
    assert 'id="lang-mix">mixteco</h2>' in html and 'id="lang-zap">zapoteco</h2>' in html
    assert "con intérprete" in html and "el personal la habla" in html
    assert "Mixteco/Indígena Community Organizing Project (MICOP)" in html
    assert 'href="/search?language=mix"' in html
    home = client.get("/?lang=es").get_data(as_text=True)
    assert 'href="/languages"' in home and "Servicios en lenguas indígenas" in home


def test_one_language_page_lists_only_that_language_and_unknown_codes_are_404(client):
    html = client.get("/languages/zap?lang=en").get_data(as_text=True)
    assert 'id="lang-zap"' in html and 'id="lang-mix"' not in html
    assert "All Indigenous languages" in html
    assert client.get("/languages/es").status_code == 404
    assert client.get("/languages/xx").status_code == 404


@pytest.mark.usefixtures("search_app")
def test_search_filters_by_mixteco_and_offers_it_as_a_facet(client):
    body = client.get("/api/v1/search?q=comida&lang=es").get_json()
    assert "mix" in {f["code"] for f in body["facets"]["language"]}
    filtered = client.get("/api/v1/search?q=comida&language=mix&lang=es").get_json()
    assert filtered["total"] > 0
    for result in filtered["results"]:
        assert "mix" in {lang["code"] for lang in result["languages"]}
    html = client.get("/search?q=comida&lang=es").get_data(as_text=True)
    assert re.search(r'<option value="mix"[^>]*>mixteco</option>', html)
    assert re.search(r'<a href="[^"]*language=mix[^"]*">mixteco</a>', html)


@pytest.mark.usefixtures("search_app")
def test_a_search_result_written_only_in_english_is_marked_on_the_spanish_page(client, session):
    service = session.scalars(select(Service).where(Service.name == ENGLISH_ONLY_SERVICE)).one()
    body = client.get("/api/v1/search?q=211+rides&lang=es").get_json()
    hit = next(r for r in body["results"] if r["id"] == service.id)
    assert hit["text_locale"] == "en"
    html = client.get("/search?q=211+rides&lang=es").get_data(as_text=True)
    assert f'lang="en">{ENGLISH_ONLY_SERVICE}</a>' in html
    assert "Disponible solo en inglés." in html
    translated = client.get("/api/v1/search?q=despensa&lang=es").get_json()["results"]
    assert "es" in {r["text_locale"] for r in translated}
    assert (
        "Disponible solo en inglés."
        not in client.get("/search?q=reuniones+comunitarias+mixteco&lang=es")
        .get_data(as_text=True)
        .split('class="result"')[1]
    )


def test_service_areas_and_english_only_notes_read_correctly_in_spanish(client, session):
    service = session.scalars(select(Service).where(Service.name == ENGLISH_ONLY_SERVICE)).one()
    html = client.get(f"/services/{service.id}?lang=es").get_data(as_text=True)
    assert f'<span lang="en">{ENGLISH_ONLY_SERVICE}</span>' in html
    assert "Algunos detalles están disponibles solo en inglés." in html
    assert "Atiende a: condado de Ventura" in html and "Ventura County</p>" not in html


def test_an_organization_page_in_spanish_words_statuses_and_marks_english_text(client, session):
    org = session.scalars(
        select(Organization).where(Organization.name == "Boys & Girls Clubs of Santa Clara Valley")
    ).one()
    html = client.get(f"/organizations/{org.id}?lang=es").get_data(as_text=True)
    assert "Este servicio no está funcionando en este momento." in html
    assert "inactive</p>" not in html and "Estado:" not in html
    english = [s for s in org.services if not s.text("name", "es").is_in("es")]
    for service in english:
        assert f'lang="en">{service.name}</a>' in html


def test_a_whole_day_reads_24_hours_in_each_language():
    window = hours.Window("MO", time(0, 0), time(23, 59))
    assert hours.format_window(window, "es") == "24 horas"
    assert hours.format_window(window, "en") == "24 hours"
    assert hours.format_window(hours.Window("MO", time(9, 0), time(17, 0)), "es") == "9:00–17:00"
