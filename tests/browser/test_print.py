"""Search results, listings, handouts and reports print cleanly: content only, no chrome."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.models import Service
from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD
from tests.needs_support import make_record, make_referral

HIDDEN_ON_PAPER = ".site-header, .skip-link, main form, details.search-filters, .facets, .pager"


@pytest.mark.usefixtures("search_app")
def test_search_listing_handout_and_report_print_without_navigation_or_forms(
    page, live_server, session, coordinator_user, partner_org, other_org
):
    # A Mixteco-speaking family: the handout prints Spanish and English side by side.
    record = make_record(
        session, coordinator_user, barriers=("food_insecurity",), languages=["mix"]
    )
    make_referral(session, coordinator_user, record, partner_org)
    make_referral(session, coordinator_user, record, other_org)
    service = session.scalars(select(Service).order_by(Service.name)).first()
    page.goto(f"{live_server}/login")
    page.fill("#email", coordinator_user.email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "search": ("/search?q=comida&lang=es", ".result"),
        "listing": (f"/services/{service.id}?lang=es", ".listing h1"),
        "handout": (f"/coordinator/records/{record.id}/handout?lang=es", ".handout-service h2"),
        "report": ("/reports/?lang=es", "main h1"),
    }
    for name, (path, content) in pages.items():
        page.goto(f"{live_server}{path}")
        assert page.locator(content).first.is_visible(), name
        for element in page.locator(HIDDEN_ON_PAPER).all():
            assert not element.is_visible(), (name, element.evaluate("e => e.outerHTML")[:80])
        page.screenshot(path=str(ARTIFACTS / f"print-{name}-es.png"), full_page=True)
    page.set_viewport_size({"width": 816, "height": 1056})  # US Letter at 96 dpi
    page.goto(f"{live_server}/coordinator/records/{record.id}/handout")
    assert page.locator(".handout-column").count() == 2
    page.screenshot(path=str(ARTIFACTS / "print-handout-letter.png"))  # README picture
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    (ARTIFACTS / "print-handout-es.pdf").write_bytes(pdf)
