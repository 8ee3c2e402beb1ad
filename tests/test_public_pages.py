"""Public pages show listings, say what is unknown, and switch language."""

import re

from sqlalchemy import select

from matcher.core.upsert import stable_id
from matcher.models import Organization, Service

FOOD_SHARE = stable_id("organization", "food-share-ventura")


def _first_service(session, **where):
    query = select(Service).join(Organization).order_by(Service.name)
    for key, value in where.items():
        query = query.where(getattr(Service, key) == value)
    return session.scalars(query).first()


def test_home_lists_categories_and_organizations(client, session):
    page = client.get("/").get_data(as_text=True)
    assert "Browse by category" in page
    assert "Food" in page
    org = session.scalars(select(Organization).order_by(Organization.name)).first()
    assert org.name.replace("&", "&amp;") in page


def test_service_page_shows_address_languages_cost_and_sample_notice(client, session):
    service = session.scalars(
        select(Service)
        .where(Service.cost == "free", Service.status == "active")
        .order_by(Service.name)
    ).first()
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert service.name.replace("&", "&amp;") in page.replace("&#39;", "'")
    assert service.organization.name.replace("&", "&amp;") in page
    assert re.search(r"<dt>Cost</dt>\s*<dd>\s*Free", page)
    assert "Sample data compiled from public sources" in page
    assert "Last verified: never" in page
    for lang in service.languages:
        assert {"en": "English", "es": "Spanish", "mix": "Mixteco"}.get(lang.code, "") in page


def test_language_switch_changes_page_text_and_is_remembered(client, session):
    service = _first_service(session, status="active")
    english = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "How to apply" in english and 'lang="en"' in english

    switched = client.get(f"/language/es?next=/services/{service.id}")
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith(f"/services/{service.id}")
    spanish = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Cómo solicitar" in spanish and 'lang="es"' in spanish
    assert "How to apply" not in spanish


def test_accept_language_picks_spanish_without_a_switch(client):
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert "Buscar por categoría" in page


def test_spanish_listing_text_is_shown_when_it_exists(client, session):
    from matcher.models import ServiceTranslation

    row = session.scalars(
        select(ServiceTranslation).where(ServiceTranslation.name.isnot(None))
    ).first()
    page = client.get(f"/services/{row.service_id}?lang=es").get_data(as_text=True)
    assert row.name.replace("&", "&amp;") in page


def test_english_only_listing_is_marked_on_the_spanish_page(client, session):
    from matcher.models import ServiceTranslation

    translated = select(ServiceTranslation.service_id)
    service = session.scalars(
        select(Service).where(Service.id.not_in(translated), Service.description.isnot(None))
    ).first()
    page = client.get(f"/services/{service.id}?lang=es").get_data(as_text=True)
    assert "disponibles solo en inglés" in page
    assert 'lang="en"' in page  # the English text is marked up as English for screen readers


def test_unknown_ids_are_404_with_a_friendly_page(client):
    for path in ("/services/not-a-real-id", "/organizations/00000000-0000-0000-0000-000000000000"):
        response = client.get(path)
        assert response.status_code == 404
        assert "We could not find that page." in response.get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example", "//evil.example", "javascript:alert(1)"):
        response = client.get("/language/es", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_language_switch_with_a_header_break_in_next_goes_home_not_500(client):
    for query in ("next=%2F%0Aenv%3B", "next=%2F%0D%0ASet-Cookie:%20x=1", "next=/%5Cevil.example",
                  "next=/a%09b", "next=/%7F"):
        response = client.get(f"/language/es?{query}")
        assert response.status_code == 302, query
        assert response.headers["Location"] == "/"
        assert "x=1" not in response.headers.get("Set-Cookie", "")
    assert client.get("/login?next=%2F%0D%0AX:%201").status_code == 200


def test_unknown_language_is_404(client):
    assert client.get("/language/fr").status_code == 404


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_defunct_services_say_so(client, session):
    service = _first_service(session, status="defunct")
    assert service is not None, "the seed keeps one closed service to show this"
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "This service has closed." in page
