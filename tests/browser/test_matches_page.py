"""The coordinator's matches page in real Chromium, in English and in Spanish: crisis
lines first, each result saying what meets the barrier, what fits and what may not, and
the services to also consider shown apart, after the results, each with why."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD
from tests.needs_support import make_record

BARRIERS = ("food_insecurity", "mental_health_crisis", "dental")
WORDS = {
    "en": {"meets": "Meets:", "fits": "Fits:", "concerns": "May not fit:",
           "also": "Also consider", "crisis": "Crisis: call or text 988 now",
           "gap": "No service meets this need for this family"},
    "es": {"meets": "Atiende:", "fits": "Le conviene:", "concerns": "Puede no convenir:",
           "also": "También considere", "crisis": "Crisis: llame o mande un texto al 988",
           "gap": "Ningún servicio atiende esta necesidad para esta familia"},
}  # fmt: skip


def _sign_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _follows(page, first, second) -> bool:
    """Does ``second`` come after ``first`` in the document?"""
    return page.evaluate(
        "([a, b]) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [first.element_handle(), second.element_handle()],
    )


def test_the_matches_page_shows_why_each_service_fits_then_what_else_to_consider(
    live_server, page, session, coordinator_user
):
    record = make_record(
        session, coordinator_user, barriers=BARRIERS, age="14", no_documents="1"
    )
    _sign_in(page, live_server, coordinator_user.email)
    for lang, words in WORDS.items():
        page.goto(f"{live_server}/coordinator/records/{record.id}/matches?lang={lang}")
        notice = page.locator(".urgent-notice").first
        assert words["crisis"] in notice.inner_text()
        assert notice.locator('a[href="tel:988"]').count() == 1
        first_barrier = page.locator("section.match-barrier").first
        assert first_barrier.get_attribute("aria-labelledby") == "b-mental_health_crisis"
        assert _follows(page, notice, first_barrier)

        food = page.locator('section.match-barrier[aria-labelledby="b-food_insecurity"]')
        first = food.locator("ol.match-results > li.match-result").first
        assert first.locator(".match-meets").inner_text().startswith(words["meets"])
        assert first.locator(".match-fit").inner_text().startswith(words["fits"])
        assert food.locator(".match-concerns").count() >= 1
        concerns = food.locator(".match-concerns").all_inner_texts()
        assert all(c.startswith(words["concerns"]) for c in concerns)

        dental = page.locator('section.match-barrier[aria-labelledby="b-dental"]')
        assert words["gap"] in dental.locator(".no-match").inner_text()
        also = dental.locator("section.also-consider")
        assert also.get_by_role("heading", name=words["also"]).is_visible()
        option = also.locator("li.match-weaker").first
        assert option.locator(".match-why .tag").inner_text().strip()
        assert option.locator(".match-concerns").inner_text().startswith(words["concerns"])
        assert _follows(page, dental.locator(".no-match"), also)

        assert first_barrier.locator("li.match-result").count() >= 1
        if food.locator("section.also-consider").count():
            assert _follows(page, food.locator("ol.match-results"), food.locator(".also-consider"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"matches-page-{lang}.png"), full_page=True)
