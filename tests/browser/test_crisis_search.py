"""A family liaison types what a parent said, on the Spanish page, in real Chromium."""

import pytest

from tests.browser.conftest import search_in_spanish

pytestmark = pytest.mark.usefixtures("search_app")


def test_a_spanish_crisis_phrase_shows_the_spanish_notice_with_988_above_crisis_services(
    page, live_server
):
    search_in_spanish(page, live_server, "mi hija dice que ya no quiere vivir, que mejor se muere")
    notice = page.locator(".crisis-notice")
    assert notice.is_visible()
    assert "llame al 911" in notice.inner_text()
    call = notice.locator('a[href="tel:988"]')
    assert call.count() == 1 and call.is_visible()
    notice_box = notice.bounding_box()
    first_result = page.locator(".result").first
    assert notice_box["y"] < first_result.bounding_box()["y"]
    names = " ".join(page.locator(".result h3").all_inner_texts()[:3]).lower()
    assert "988" in names or "crisis" in names


def test_a_look_alike_shows_no_notice(page, live_server):
    search_in_spanish(page, live_server, "cómo matar hormigas en la cocina")
    assert page.locator(".crisis-notice").count() == 0


def test_a_sentence_shows_its_chips_and_removing_one_changes_the_results(page, live_server):
    search_in_spanish(
        page, live_server, "mi niño de 9 años tiene dolor de muelas y perdimos el Medi-Cal"
    )
    chips = page.locator(".chip")
    labels = chips.all_inner_texts()
    assert any("dental" in label.lower() for label in labels)
    assert any("9" in label for label in labels)
    before = page.locator(".result h3").all_inner_texts()
    dental = page.locator(".chip", has_text="dental")
    dental.get_by_role("link").click()
    page.wait_for_load_state()
    after_labels = page.locator(".chip").all_inner_texts()
    assert not any("dental" in label.lower() for label in after_labels)
    assert page.locator(".result h3").all_inner_texts() != before
