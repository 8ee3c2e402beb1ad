"""A coordinator records a Spanish-speaking family's needs, refers them with consent and
prints the Spanish handout; the receiving partner accepts; the coordinator sees it."""

from __future__ import annotations

import pytest

from matcher.families import matches
from matcher.matching import engine as matching
from matcher.models import NeedsRecord
from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD, make_user

BARRIERS = ("food_insecurity", "immigration_legal")


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}  # the real forms, tokens and all


def _sign_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _fits_320(page) -> bool:
    """No sideways scrolling on a 320 px phone."""
    page.set_viewport_size({"width": 320, "height": 700})
    fits = page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1024, "height": 800})
    return fits


def _first_match(session, school) -> matching.ServiceMatch:
    """The service the coordinator will pick: the first food result for this family."""
    record = NeedsRecord(school=school, languages=["es"], near_school=True)
    profile = matching.FamilyProfile(
        barriers=list(BARRIERS), languages=["es"], near=matches.family_place(record)
    )
    result = matching.match_family(session, profile)
    return next(b for b in result.barriers if b.code == "food_insecurity").results[0]


def test_a_referral_goes_from_needs_record_to_spanish_handout_to_partner_acceptance(
    live_server, page, browser, session, school, coordinator_user
):
    chosen = _first_match(session, school)
    service_id, service_name_es = chosen.id, chosen.service.text("name", "es").value
    phone = (chosen.service.phones or chosen.organization.phones)[0].number
    partner_user = make_user(session, "partner", orgs=[chosen.organization.id])

    _sign_in(page, live_server, coordinator_user.email)
    page.get_by_role("link", name="Needs records").first.click()
    page.get_by_role("link", name="New needs record").first.click()
    assert page.get_by_text("Do not enter names, diagnoses or immigration status.").is_visible()
    assert _fits_320(page)
    for code in BARRIERS:
        page.check(f'input[name="barriers"][value="{code}"]')
    page.select_option("#f-grade_band", "3-5")
    page.check('input[name="languages"][value="es"]')
    page.check('input[name="near_school"]')
    page.get_by_role("button", name="Save and see matches").click()

    assert page.get_by_role("heading", name="Food insecurity").is_visible()
    assert _fits_320(page)
    page.check(f'input[name="choice"][value="food_insecurity|{service_id}"]')
    page.locator('input[name="choice"][value^="immigration_legal|"]').first.check()
    page.get_by_label("Note for the family's handout (optional)").fill(
        "Pregunte por Rosa en la entrada"
    )
    page.get_by_role("button", name="Create referrals for the chosen services").click()
    assert (
        page.get_by_text("2 referrals created.").is_visible()
        or page.get_by_text("Referrals").first.is_visible()
    )

    page.locator("table.data a").filter(has_text=chosen.service.name).first.click()
    assert page.get_by_text("Handout only: without the family's consent").is_visible()
    page.get_by_role("link", name="Record consent to share").click()
    page.get_by_label("Parent or guardian").check()
    page.select_option("#f-language", "es")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number or email").fill("805-555-0199")
    page.get_by_label("The family gave written consent to share these fields.").check()
    page.get_by_role("button", name="Record consent").click()
    assert page.get_by_text("Consent recorded.").is_visible()
    page.select_option("#f-status", "sent")
    page.get_by_role("button", name="Update status").click()
    assert page.get_by_text("The organization sees this referral").is_visible()
    referral_url = page.url

    page.get_by_role("link", name=page.locator("dd a").first.inner_text()).click()
    page.get_by_role("link", name="Print handout", exact=True).click()
    page.emulate_media(media="print")
    handout = page.locator(".handout")
    assert handout.get_attribute("class") == "handout handout-columns-1"
    text = handout.inner_text()
    for expected in (service_name_es, "Qué llevar", phone, "Pregunte por Rosa en la entrada"):
        assert expected in text
    assert page.locator('.handout-column[lang="es"]').count() == 1
    assert not page.locator(".site-header").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-referral-handout-print.png"), full_page=True)
    page.emulate_media(media="screen")

    context = browser.new_context(viewport={"width": 320, "height": 740}, locale="en-US")
    partner = context.new_page()
    try:
        _sign_in(partner, live_server, partner_user.email)
        partner.get_by_role("link", name="Referrals", exact=True).click()
        partner.locator("table.data a").first.click()
        assert partner.get_by_text("805-555-0199").is_visible()
        assert partner.evaluate("document.documentElement.scrollWidth") <= 320
        assert partner.get_by_text("Pregunte por Rosa").count() == 0
        partner.select_option("#f-status", "accepted")
        partner.get_by_role("button", name="Update status").click()
        assert partner.get_by_text("Status updated.").is_visible()
    finally:
        context.close()

    page.goto(referral_url)
    history = page.locator(".referral-history").inner_text()
    assert "Accepted" in history
    assert page.locator("dd.referral-status").inner_text() == "Accepted"
