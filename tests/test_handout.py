"""The family's handout and text message: public facts only, in the family's language."""

import html
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


# --- what families see of the sample data (issue 18, finding 8) -------------------------

INTERNAL_NOTE = re.compile(
    r"verify|per source|in source|according to the source|compiler|not stated|"
    r"not confirmed|Data note",
    re.IGNORECASE,
)
ENGLISH_WORDS = {
    "the", "and", "of", "for", "with", "your", "per", "is", "are", "by", "based", "income",
    "hotline", "line", "main", "listed", "number", "purpose", "sliding", "scale", "free", "fee",
    "call", "hours", "open", "closed", "staff", "only", "available", "phone",
}


def _spanish_sentences(column: str) -> list[str]:
    """The Spanish column's text a family reads as sentences: names of services and
    organizations and street addresses are proper names, and text marked lang="en"
    is announced as English; everything else must be Spanish."""
    column = re.sub(r"<(h2|span|p)[^>]*\blang=\"en\"[^>]*>.*?</\1>", " ", column, flags=re.S)
    column = re.sub(r"<h[12][^>]*>.*?</h[12]>", " ", column, flags=re.S)
    column = re.sub(r'<p class="handout-(org|key)">.*?</p>', " ", column, flags=re.S)
    column = re.sub(r"<p><strong>Dirección:</strong>.*?</p>", " ", column, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", column))
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_every_sample_handout_in_both_languages_has_no_internal_note_and_spanish_is_spanish(
    client, session, coordinator_user
):
    from matcher.families import referrals
    from matcher.models import Organization, Service

    record = make_record(session, coordinator_user)
    services = session.scalars(
        select(Service).join(Organization)
        .where(Service.status == "active", Organization.published.is_(True))
        .order_by(Service.id)
    ).all()
    barrier = record.barrier_codes[0]
    choices = [(barrier, s.id) for s in services]
    referrals.create_referrals(session, coordinator_user, record, choices)
    session.commit()
    login(client, coordinator_user)
    pages = {
        lang: client.get(f"/coordinator/records/{record.id}/handout?lang={lang}").get_data(
            as_text=True
        )
        for lang in ("en", "es")
    }
    for lang, page in pages.items():
        assert page.count('class="handout-service"') == len(services), lang
        column = page.split('class="handout-column"', 1)[1]
        assert not INTERNAL_NOTE.search(html.unescape(column)), (
            lang, INTERNAL_NOTE.search(html.unescape(column)).group(0)
        )
    spanish_column = pages["es"].split('class="handout-column"', 1)[1].split("<footer", 1)[0]
    english = [
        line for line in _spanish_sentences(spanish_column)
        if ENGLISH_WORDS & set(re.findall(r"[a-z]+", line.lower()))
    ]
    assert english == []
    # Each phone carries its own label: the county hotline is never the CalFresh office's.
    assert "Línea de denuncia de abuso infantil" in pages["es"]
    sms = client.get(f"/coordinator/records/{record.id}/sms?lang=es").get_data(as_text=True)
    assert "805-654-3200" not in sms.split("CalFresh", 1)[-1].split("\n", 1)[0]


def test_public_service_pages_of_the_sample_show_no_internal_note(client, session):
    from matcher.models import Organization, Service

    services = session.scalars(select(Service).join(Organization).where(
        Organization.published.is_(True))).all()
    for service in services:
        for lang in ("en", "es"):
            page = html.unescape(client.get(f"/services/{service.id}?lang={lang}").get_data(
                as_text=True))
            found = INTERNAL_NOTE.search(page)
            assert not found, (service.name, lang, found and page[found.start() - 80: found.end()])
    for org in session.scalars(select(Organization).where(Organization.published.is_(True))):
        page = html.unescape(client.get(f"/organizations/{org.id}").get_data(as_text=True))
        assert not INTERNAL_NOTE.search(page), org.name
