"""A family liaison searches in Spanish, with a typo, on a phone and on a laptop."""

import pytest

pytestmark = pytest.mark.usefixtures("search_app")


def test_a_spanish_query_with_a_typo_finds_a_ventura_pantry_and_offers_quiso_decir(
    page, live_server
):
    page.goto(f"{live_server}/language/es?next=/")
    page.get_by_label("Buscar servicios").fill("despensa de comdia")
    page.get_by_label("Buscar servicios").press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    suggestion = page.locator(".suggestion")
    assert suggestion.inner_text().startswith("Quiso decir:")
    assert suggestion.get_by_role("link").inner_text() == "despensa de comida"
    results = page.locator(".result h3").all_inner_texts()
    assert any("pantry" in r.lower() or "despensa" in r.lower() for r in results[:5])
    assert page.get_by_role("status").inner_text().endswith("servicios encontrados")


def test_the_search_page_and_its_filters_fit_a_320px_phone(phone_page, live_server):
    phone_page.goto(f"{live_server}/search?q=comida+en+oxnard")
    phone_page.get_by_text("Filtros", exact=True).click()
    assert phone_page.get_by_label("Idioma que hablan").is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert "a menos de 10 millas de Oxnard" in phone_page.get_by_role("status").inner_text()
