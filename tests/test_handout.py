"""The family's handout and text message: public facts only, in the family's language."""

import re
from pathlib import Path

from sqlalchemy import select

from matcher.families import handout
from matcher.models import AuditEvent, RequiredDocument
from tests.fixtures_accounts import login
from tests.needs_support import NOTE, make_record, make_referral, service_of


def _referred(session, coordinator_user, partner_org, **extra):
    record = make_record(session, coordinator_user, **extra)
    referral = make_referral(session, coordinator_user, record, partner_org)
    service = service_of(session, partner_org)
    service.id_required = False
    session.add(RequiredDocument(service=service, document="Comprobante de domicilio"))
    session.commit()
    return record, referral, service


def test_the_spanish_handout_lists_name_phone_what_to_bring_and_the_note(
    client, session, coordinator_user, partner_org
):
    record, _referral, service = _referred(session, coordinator_user, partner_org)
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/handout").get_data(as_text=True)
    view_name = service.text("name", "es").value
    phone = (service.phones or partner_org.phones)[0].number
    for expected in (
        'lang="es"',
        "Servicios para su familia",
        view_name,
        phone,
        "Qué llevar",
        "Comprobante de domicilio",
        "No se necesita identificación",
        "Traer comprobante",
    ):
        assert expected in html, expected
    assert NOTE not in html  # the record's private note never goes on the handout
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "needs.handout")).one()
    assert '"es"' in event.after_json


def test_a_family_in_another_language_gets_english_and_spanish_side_by_side(
    client, session, coordinator_user, partner_org
):
    record, _referral, _service = _referred(
        session, coordinator_user, partner_org, languages=["mix"]
    )
    assert handout.handout_locales(record) == ["en", "es"]
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/handout").get_data(as_text=True)
    assert 'class="handout handout-columns-2"' in html
    assert "What to bring" in html and "Qué llevar" in html and "No ID needed" in html


def test_the_text_message_fits_in_320_characters_and_has_the_phone(
    client, session, coordinator_user, partner_org
):
    record, _referral, service = _referred(session, coordinator_user, partner_org)
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/sms").get_data(as_text=True)
    phone = (service.phones or partner_org.phones)[0].number
    assert phone in html
    services = [
        handout.HandoutService(
            id=str(i),
            name="Servicio de ayuda alimentaria número " + str(i) * 30,
            organization="Org",
            addresses=("123 Calle Larga, Oxnard, CA 93030",),
            phones=((f"805-555-01{i:02d}", None),),
            hours=(),
            documents=(),
            no_id_needed=True,
            cost=None,
            fees=None,
            note=None,
        )
        for i in range(6)
    ]
    text = handout.sms_text(services)
    assert len(text) <= handout.SMS_LIMIT and "805-555-0100" in text


def test_the_print_stylesheet_has_a_handout_section():
    css = Path(__file__).resolve().parents[1].joinpath("matcher/static/print.css").read_text()
    assert ".handout" in css and "@page" in css


def test_the_handout_says_in_one_line_why_each_service_was_chosen(
    client, session, coordinator_user
):
    from matcher.families import referrals
    from matcher.families.matches import match_record

    record = make_record(session, coordinator_user)
    (food,) = match_record(session, coordinator_user, record).barriers
    referrals.create_referrals(
        session, coordinator_user, record, [("food_insecurity", food.results[0].id)], None
    )
    session.commit()
    labels = [t.label("es") for t in food.results[0].meets]
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/handout").get_data(as_text=True)
    line = f"Elegido por: Inseguridad alimentaria ({', '.join(labels)})"
    assert f'<p class="handout-why">{line}</p>' in html
    english = client.get(f"/coordinator/records/{record.id}/handout?lang=en").get_data(
        as_text=True
    )
    assert "Chosen for: Food insecurity (" in english


def test_the_consent_form_starts_in_the_family_language(
    client, session, coordinator_user, partner_org
):
    _record, referral, _service = _referred(
        session, coordinator_user, partner_org, languages=["mix", "es"]
    )
    login(client, coordinator_user)
    html = client.get(f"/coordinator/referrals/{referral.id}/consent").get_data(as_text=True)
    assert re.search(r'<option value="mix" selected>', html)
    assert not re.search(r'<option value="en" selected>', html)
