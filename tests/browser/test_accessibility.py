"""Every page family passes axe-core with no serious or critical violations, in both
languages, fits a 320 px phone without horizontal scrolling and has 44 px tap targets.

One browser context per role and language: English on a laptop, Spanish on a phone
(how family liaisons work), so each page is checked once per language.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.models import Organization, Service
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD, make_user
from tests.needs_support import make_record, make_referral

VIEWPORTS = {"en": {"width": 1024, "height": 800}, "es": {"width": 320, "height": 640}}
# Controls a finger has to hit: buttons, button-like links, menus, form fields.
TAP_TARGETS = (
    "main button:visible, main .button:visible, .site-nav a:visible, .language-switch a:visible,"
    " main select:visible, main input[type=text]:visible, main input[type=email]:visible,"
    " main input[type=password]:visible, main input[type=search]:visible, main summary:visible"
)
MIN_TAP = 44


def _small_tap_targets(page) -> list[str]:
    small = []
    for target in page.locator(TAP_TARGETS).all()[:40]:
        box = target.bounding_box()
        if box and box["height"] + 0.5 < MIN_TAP:
            small.append(f"{target.evaluate('e => e.outerHTML')[:80]} {box['height']:.0f}px")
    return small


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _check_pages(page, live_server: str, lang: str, paths: list[str], name: str) -> None:
    """axe, ``lang``, phone width and tap sizes on each path; a screenshot of each."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, object] = {}
    for number, path in enumerate(paths):
        separator = "&" if "?" in path else "?"
        page.goto(f"{live_server}{path}{separator}lang={lang}")
        if page.locator("html").get_attribute("lang") != lang:
            problems[f"{path} lang"] = page.locator("html").get_attribute("lang")
        if found := serious_violations(page):
            problems[f"{path} axe"] = found
        if lang == "es":
            if (overflow := _overflow(page)) > 0:
                problems[f"{path} overflow"] = overflow
            if small := _small_tap_targets(page):
                problems[f"{path} taps"] = small
        page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{lang}-{number}.png"), full_page=True)
    assert problems == {}


def _signed_in_page(browser, live_server: str, lang: str, email: str | None):
    context = browser.new_context(
        bypass_csp=True,
        locale="es-MX" if lang == "es" else "en-US",
        viewport=VIEWPORTS[lang],
        has_touch=lang == "es",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    if email:
        page.goto(f"{live_server}/login?lang={lang}")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    return context, page


@pytest.mark.usefixtures("search_app")
@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_pages_pass_axe_fit_a_phone_and_have_large_tap_targets(
    browser, live_server, session, lang
):
    service = session.scalars(select(Service).order_by(Service.name)).first()
    org = session.scalars(select(Organization).order_by(Organization.name)).first()
    paths = [
        "/",
        "/search?q=comida",
        "/search?q=zzqxv+wpkk",
        "/search?q=food&language=mix",
        f"/services/{service.id}",
        f"/organizations/{org.id}",
        "/languages",
        "/languages/mix",
        "/login",
        "/partners/join",
        "/password/forgot",
        "/no-such-page",
    ]
    context, page = _signed_in_page(browser, live_server, lang, None)
    try:
        _check_pages(page, live_server, lang, paths, "public")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_admin_and_report_pages_pass_axe_and_fit_a_phone(browser, live_server, admin_user, lang):
    paths = [
        "/admin/",
        "/admin/reviews",
        "/admin/audit",
        "/admin/users",
        "/admin/freshness",
        "/reports/",
        "/reports/county",
        "/account",
    ]
    context, page = _signed_in_page(browser, live_server, lang, admin_user.email)
    try:
        _check_pages(page, live_server, lang, paths, "admin")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_coordinator_and_partner_pages_pass_axe_and_fit_a_phone(
    browser, live_server, session, coordinator_user, partner_org, lang
):
    record = make_record(session, coordinator_user, barriers=("food_insecurity",))
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    partner = make_user(session, "partner", orgs=[partner_org], email=f"p-{lang}@example.org")
    coordinator_paths = [
        "/coordinator/",
        "/coordinator/records/new",
        f"/coordinator/records/{record.id}",
        f"/coordinator/records/{record.id}/matches",
        f"/coordinator/referrals/{referral.id}",
        f"/coordinator/referrals/{referral.id}/consent",
        f"/coordinator/records/{record.id}/handout",
        "/coordinator/follow-ups",
        "/reports/",
        "/admin/",  # not for coordinators: the 403 page
    ]
    context, page = _signed_in_page(browser, live_server, lang, coordinator_user.email)
    try:
        _check_pages(page, live_server, lang, coordinator_paths, "coordinator")
        # A form sent back with errors: each message is tied to its field.
        page.goto(f"{live_server}/coordinator/records/new?lang={lang}")
        page.locator("main form.needs-form button[type=submit]").click()
        grade = page.locator("#f-grade_band")
        assert grade.get_attribute("aria-invalid") == "true"
        assert page.locator(f"#{grade.get_attribute('aria-describedby')}").is_visible()
        assert serious_violations(page) == []
    finally:
        context.close()
    context, page = _signed_in_page(browser, live_server, lang, partner.email)
    try:
        partner_paths = ["/partners/", "/partners/referrals/", f"/partners/referrals/{referral.id}"]
        _check_pages(page, live_server, lang, partner_paths, "partner")
    finally:
        context.close()


def test_keyboard_users_reach_the_skip_link_first_and_see_focus(page, live_server):
    page.goto(f"{live_server}/?lang=es")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
