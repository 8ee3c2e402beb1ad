"""Referrals: consent decides what a partner sees; status moves are checked and audited."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.families import referrals
from matcher.models import AuditEvent, Consent, Referral, ReferralEvent
from tests.fixtures_accounts import login, make_user
from tests.needs_support import CONTACT, DISTRICT_REF, NOTE, make_record, make_referral


def _partner_pages(client, referral) -> list[str]:
    return [
        client.get("/partners/referrals/").get_data(as_text=True),
        client.get(f"/partners/referrals/{referral.id}").get_data(as_text=True),
    ]


def test_without_consent_a_sent_referral_is_handout_only_and_the_partner_sees_nothing(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org, send=True)
    assert referral.handout_only and referral.status == "sent"
    login(client, partner_user)
    listing, detail = _partner_pages(client, referral)
    assert "No referrals shared with your organization." in listing
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 404
    for page in (listing, detail):
        assert record.family_key not in page
    response = client.post(f"/partners/referrals/{referral.id}/status", data={"status": "accepted"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Referral, referral.id).status == "sent"


def test_a_consented_draft_stays_hidden_until_it_is_sent(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org, consent=True)
    assert not referral.handout_only and referral.status == "draft"
    login(client, partner_user)
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 404
    assert record.family_key not in client.get("/partners/referrals/").get_data(as_text=True)


def test_after_consent_the_partner_sees_only_the_minimum_fields(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user, age="9")
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    login(client, partner_user)
    listing, detail = _partner_pages(client, referral)
    assert record.family_key in listing
    for shown in (record.family_key, "Food insecurity", "Spanish", "Text message", CONTACT):
        assert shown in detail
    for hidden in (NOTE, DISTRICT_REF, "Traer comprobante", "3rd to 5th grade", record.school.name):
        assert hidden not in detail and hidden not in listing


def test_a_partner_of_another_organization_gets_404(
    client, session, coordinator_user, partner_org, other_org
):
    record = make_record(session, coordinator_user)
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    stranger = make_user(session, "partner", orgs=[other_org])
    login(client, stranger)
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 404
    assert record.family_key not in client.get("/partners/referrals/").get_data(as_text=True)
    response = client.post(f"/partners/referrals/{referral.id}/status", data={"status": "accepted"})
    assert response.status_code == 404


def test_partner_status_changes_are_limited_audited_and_shown_in_the_history(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user)
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    login(client, partner_user)
    refused = client.post(f"/partners/referrals/{referral.id}/status", data={"status": "withdrawn"})
    assert refused.status_code == 400
    assert "That status change is not allowed." in refused.get_data(as_text=True)
    accepted = client.post(
        f"/partners/referrals/{referral.id}/status",
        data={"status": "accepted", "note": "Cita el lunes"},
    )
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).status == "accepted"
    events = session.scalars(
        select(ReferralEvent)
        .where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.id)
    ).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "draft"),
        ("draft", "sent"),
        ("sent", "accepted"),
    ]
    assert events[-1].actor_id == partner_user.id
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "referral.status", AuditEvent.actor_id == partner_user.id
        )
    ).one()
    assert json.loads(audit.before_json)["status"] == "sent"
    assert json.loads(audit.after_json)["status"] == "accepted"
    assert CONTACT not in f"{audit.before_json}{audit.after_json}"
    coordinator = client.application.test_client()
    login(coordinator, coordinator_user)
    page = coordinator.get(f"/coordinator/referrals/{referral.id}").get_data(as_text=True)
    assert "Accepted" in page and "Cita el lunes" in page


def test_the_state_machine_refuses_moves_it_does_not_list(session, coordinator_user, partner_org):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org)
    with pytest.raises(referrals.ReferralError):
        referrals.change_status(session, coordinator_user, referral, "completed")
    referrals.change_status(session, coordinator_user, referral, "withdrawn")
    assert referrals.allowed_statuses(session, coordinator_user, referral) == []
    assert referral.status == "withdrawn"


def test_revoking_consent_hides_the_referral_from_the_partner_again(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user)
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    consent = session.scalars(select(Consent)).one()
    login(client, coordinator_user)
    response = client.post(
        f"/coordinator/consents/{consent.id}/revoke", data={"referral_id": referral.id}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).handout_only
    partner = client.application.test_client()
    login(partner, partner_user)
    assert partner.get(f"/partners/referrals/{referral.id}").status_code == 404


def test_consent_form_checks_who_consents_and_lasts_the_school_year(
    client, session, coordinator_user, partner_org
):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org)
    login(client, coordinator_user)
    refused = client.post(
        f"/coordinator/referrals/{referral.id}/consent",
        data={
            "given_by": "minor_12_plus_mental_health",
            "language": "es",
            "contact_method": "phone",
        },
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "A minor 12 or older may consent alone only to mental-health counseling." in html
    assert session.scalars(select(Consent)).all() == []
    assert referrals.end_of_school_year(date(2026, 9, 1)) == date(2027, 6, 30)
    assert referrals.end_of_school_year(date(2027, 3, 1)) == date(2027, 6, 30)


def test_follow_ups_due_list_the_coordinators_open_referrals_past_their_date(
    client, session, coordinator_user, liaison_user, partner_org
):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org, send=True)
    login(client, coordinator_user)
    assert "No follow-ups due." in client.get("/coordinator/follow-ups").get_data(as_text=True)
    referral.follow_up_on = date.today() - timedelta(days=1)
    session.commit()
    assert record.family_key in client.get("/coordinator/follow-ups").get_data(as_text=True)
    other = client.application.test_client()
    login(other, liaison_user)
    assert record.family_key not in other.get("/coordinator/follow-ups").get_data(as_text=True)


def test_choosing_matches_creates_draft_referrals_once(client, session, coordinator_user):
    record = make_record(session, coordinator_user)
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/matches").get_data(as_text=True)
    choice = html.split('name="choice" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):
        response = client.post(
            f"/coordinator/records/{record.id}/referrals", data={"choice": [choice], "note": "Hola"}
        )
        assert response.status_code == 302
    session.expire_all()
    (referral,) = session.scalars(select(Referral)).all()
    assert (referral.barrier_code, referral.service_id) == tuple(choice.split("|"))
    assert referral.status == "draft" and referral.handout_only and referral.note == "Hola"
    assert referral.follow_up_on == date.today() + timedelta(days=14)
