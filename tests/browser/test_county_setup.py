"""A county that is not the sample, in real Chromium: a liaison searches a place name of
that county and sees the county's own crisis lines in the footer and in a crisis notice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import search_in_spanish, serving


@pytest.fixture(scope="module")
def monterey_server(monterey_app) -> Iterator[str]:
    with serving(monterey_app) as base_url:
        yield base_url


def test_a_place_of_the_county_finds_its_services_and_the_footer_has_its_lines(
    page, monterey_server
):
    search_in_spanish(page, monterey_server, "despensa de comida en Soledad")
    assert "cerca de Soledad" in page.locator(".chips").inner_text()
    assert page.locator(".result").count() > 0
    footer = page.locator(".site-footer")
    assert "Condado de Monterey" in footer.inner_text() or "condado de Monterey" in (
        footer.inner_text()
    )
    assert footer.locator('a[href="tel:8315550100"]').count() == 1  # child abuse line
    assert footer.locator('a[href="tel:8315550101"]').count() == 1  # domestic violence
    assert page.locator(".results-map .county-outline").count() >= 1


def test_a_crisis_in_that_county_shows_its_own_line_first(page, monterey_server):
    search_in_spanish(page, monterey_server, "mi esposo me pegó anoche en Salinas y tengo miedo")
    notice = page.locator(".crisis-notice")
    assert notice.is_visible()
    first_call = notice.locator('a[href^="tel:"]').first
    assert first_call.get_attribute("href") == "tel:8315550101"
    assert notice.locator('a[href="tel:18007997233"]').count() == 1  # the national hotline
    assert notice.bounding_box()["y"] < page.locator(".result").first.bounding_box()["y"]
