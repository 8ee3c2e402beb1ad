"""A person opens a Ventura County listing, reads it in English, then switches to Spanish."""

from sqlalchemy import select

from matcher.models import Service


def test_service_page_in_english_then_spanish_after_the_switch(page, live_server, session):
    service = session.scalars(
        select(Service).where(Service.status == "active").order_by(Service.name)
    ).first()
    page.goto(f"{live_server}/services/{service.id}")
    assert page.locator("h1").inner_text().strip() == service.name
    assert page.get_by_text("How to apply").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text("Cómo solicitar").is_visible()
    # The choice is remembered on the next page.
    page.goto(f"{live_server}/")
    assert page.get_by_text("Buscar por categoría").is_visible()


def test_home_page_fits_a_320px_phone_without_horizontal_scrolling(phone_page, live_server):
    phone_page.goto(f"{live_server}/")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert phone_page.locator("html").get_attribute("lang") == "es"
