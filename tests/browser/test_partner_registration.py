"""A partner registers in Spanish on a phone, confirms the email from the outbox and
submits a service; an admin approves it in a desktop browser; families find it by search."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matcher.core import mail
from matcher.models import Service
from tests.browser.axe import serious_violations
from tests.fixtures_accounts import PASSWORD, make_user


def _verification_path(app) -> str:
    [message] = mail.read_outbox(mail.outbox_dir(app.config, app.instance_path))
    assert message.subject == "Confirme su correo para Enlace"
    return re.search(r"http://\S+?(/verify/\S+)", message.body).group(1)


def test_a_partner_registers_in_spanish_and_the_approved_service_is_found_by_search(
    app, live_server, phone_page, page, admin_user
):
    partner = phone_page
    partner.goto(f"{live_server}/partners/join")
    assert partner.locator("html").get_attribute("lang") == "es"
    partner.get_by_label("Su nombre").fill("Lucía Hernández")
    partner.get_by_label("Correo electrónico").fill("lucia@circulo.example.org")
    partner.get_by_label("Contraseña nueva (por lo menos 10 caracteres)").fill(PASSWORD)
    partner.get_by_label("Contraseña nueva otra vez").fill(PASSWORD)
    partner.get_by_role("button", name="Crear mi cuenta").click()
    assert partner.get_by_role("heading", name="Revise su correo").is_visible()

    partner.goto(live_server + _verification_path(app))
    assert partner.get_by_text("Gracias: su correo quedó confirmado.").is_visible()
    partner.get_by_role("link", name="Registrar una organización").click()
    partner.get_by_label("Nombre de la organización").fill("Círculo Mixteco de Santa Paula")
    partner.get_by_label("Qué hace su organización, en español").fill("Apoyo a familias mixtecas.")
    partner.get_by_label("Teléfono público").fill("805-555-0142")
    partner.get_by_label("Ciudad").fill("Santa Paula")
    partner.get_by_label("Código postal").fill("93060")
    partner.get_by_role("button", name="Continuar").click()
    if "/similar" in partner.url:
        partner.get_by_role("link", name="Ninguna es la mía: continuar").click()

    partner.fill("#f-name_es", "Clases de lectura en mixteco")
    partner.fill("#f-description_es", "Clases gratis de lectura para niños y padres.")
    # Categories: search-as-you-type (the script) ticks the box in the grouped list.
    partner.get_by_label("Buscar categoría").fill("tutor")
    partner.locator(".term-results button").first.click()
    assert partner.locator('input[name="categories"]:checked').count() == 1
    partner.check('input[name="languages"][value="es"]')
    partner.check('input[name="languages"][value="mix"]')
    partner.fill("#opens_SA", "10:00")
    partner.fill("#closes_SA", "12:00")
    partner.check('input[name="id_required"][value="no"]')
    partner.check('input[name="cost"][value="free"]')
    partner.check('input[name="accepting_referrals"][value="yes"]')
    partner.get_by_role("button", name="Guardar y continuar").click()
    assert partner.get_by_text("Clases de lectura en mixteco").first.is_visible()
    partner.get_by_role("button", name="Enviar a revisión").click()
    assert partner.get_by_text("El personal del condado lo revisará").is_visible()

    # Not public before approval.
    page.goto(f"{live_server}/search?q=lectura+mixteco")
    assert page.get_by_text("Clases de lectura en mixteco").count() == 0

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name=re.compile("Círculo Mixteco")).click()
    assert page.get_by_text("Clases de lectura en mixteco").first.is_visible()
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Decision saved and sent to the submitter.").is_visible()

    page.goto(f"{live_server}/search?q=lectura+mixteco&lang=es")
    result = page.get_by_role("link", name="Clases de lectura en mixteco")
    assert result.first.is_visible()
    result.first.click()
    assert page.locator("h1").inner_text().strip() == "Clases de lectura en mixteco"
    assert page.get_by_text("Last verified:").is_visible()  # this browser reads English


@pytest.mark.parametrize("lang", ["en", "es"])
def test_account_and_registration_pages_have_no_serious_accessibility_violations(
    browser, live_server, session, lang
):
    partner = make_user(session, "partner", email=f"axe-{lang}@example.org")
    service = session.scalars(select(Service).order_by(Service.name)).first()
    context = browser.new_context(bypass_csp=True, locale=lang)
    page = context.new_page()
    try:
        paths = [
            "/login",
            "/partners/join",
            "/password/forgot",
            f"/services/{service.id}/correction",
        ]
        for path in paths:
            page.goto(f"{live_server}{path}?lang={lang}")
            assert serious_violations(page) == [], path
        page.goto(f"{live_server}/login?lang={lang}")
        page.fill("#email", partner.email)
        page.fill("#password", PASSWORD)
        page.locator("form.stack-form button[type=submit]").click()
        for path in ("/partners/", "/account", "/partners/register"):
            page.goto(f"{live_server}{path}?lang={lang}")
            assert serious_violations(page) == [], path
        page.fill("#f-name", "Axe Test Org")
        page.fill("#f-phone", "805-555-0101")
        page.fill("#f-city", "Ventura")
        page.locator("form.stack-form button[type=submit]").click()
        if "/similar" in page.url:
            assert serious_violations(page) == [], page.url
            page.goto(page.url.replace("/similar", "/services/new"))
        assert "/services/new" in page.url
        assert serious_violations(page) == [], page.url
    finally:
        context.close()
