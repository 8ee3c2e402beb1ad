"""A family liaison on a phone, in Spanish: searches with a typo, filters by Mixteco and
finds which partners speak the family's language. Screenshots go to test-artifacts/.

The other journeys live with their pages and save screenshots the same way: the
coordinator's referral (test_referral_journey.py), the partner's registration and
approval (test_partner_registration.py) and the county report (test_reports.py).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD

pytestmark = pytest.mark.usefixtures("search_app")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-liaison-{name}.png"), full_page=True)


def test_a_liaison_on_a_phone_searches_in_spanish_with_a_typo_and_filters_by_mixteco(
    phone_page, live_server, liaison_user
):
    page = phone_page
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "es"  # from the es-MX browser
    page.fill("#email", liaison_user.email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live_server}/")
    page.get_by_label("Buscar servicios").fill("despensa de comdia")
    page.locator("form.search-box button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".suggestion").inner_text().startswith("Quiso decir:")
    assert page.locator(".result").count() > 0
    _shot(page, "1-typo")

    filters = page.locator("details.search-filters")
    assert filters.get_attribute("open") is None  # collapsed on the phone until asked
    page.get_by_text("Filtros", exact=True).click()
    page.get_by_label("Idioma que hablan").select_option("mix")
    page.get_by_role("button", name="Aplicar filtros").click()
    page.wait_for_load_state()
    assert "language=mix" in page.url
    results = page.locator(".result")
    assert results.count() > 0
    for line in results.locator("p.muted", has_text="Idiomas").all_inner_texts():
        assert "mixteco" in line
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    _shot(page, "2-mixteco")
    page.evaluate("document.querySelector('.suggestion').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "journey-liaison-phone-search-es.png"))  # README

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Servicios en lenguas indígenas", exact=False).click()
    assert page.locator("h1").inner_text() == "Servicios en lenguas indígenas"
    mixteco = page.locator("section.language-access", has=page.locator("h2", has_text="mixteco"))
    assert mixteco.get_by_text("con intérprete").count() > 0
    assert mixteco.get_by_text("el personal la habla").count() > 0
    _shot(page, "3-indigenous-languages")
    mixteco.locator(".language-offers a").first.click()
    assert "mixteco" in page.locator(".facts").inner_text()
