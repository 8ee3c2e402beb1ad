"""Every page passes axe-core with no serious or critical violations, in both languages."""

import pytest
from sqlalchemy import select

from matcher.models import Organization, Service
from tests.browser.axe import serious_violations


def _public_paths(session) -> list[str]:
    service = session.scalars(select(Service).order_by(Service.name)).first()
    org = session.scalars(select(Organization).order_by(Organization.name)).first()
    return ["/", f"/services/{service.id}", f"/organizations/{org.id}", "/no-such-page"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_pages_have_no_serious_accessibility_violations(browser, live_server, session, lang):
    context = browser.new_context(bypass_csp=True, locale=lang)
    page = context.new_page()
    try:
        for path in _public_paths(session):
            page.goto(f"{live_server}{path}?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            assert serious_violations(page) == [], path
    finally:
        context.close()
