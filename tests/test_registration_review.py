"""Partner registration, duplicates and claims, review decisions, corrections, freshness."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from matcher.core import mail
from matcher.directory.taxonomy import term_id
from matcher.models import AuditEvent, Language, Organization, Service, Submission, User
from matcher.models.base import utcnow
from tests.fixtures_accounts import PASSWORD, login, logout, make_user, signed_in

FOOD_PANTRY = term_id("1130")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SHORT_HOSTILE = "<b onmouseover=alert(1)>x</b>"  # phone columns hold 50 characters


def outbox(app) -> list[mail.OutboxEntry]:
    return mail.read_outbox(mail.outbox_dir(app.config, app.instance_path))


def link_in(entry: mail.OutboxEntry, marker: str) -> str:
    found = re.search(r"http://localhost(?::\d+)?(\S*" + re.escape(marker) + r"\S*)", entry.body)
    assert found, entry.body
    return found.group(1)


def org_form(**overrides) -> dict:
    return {
        "name": "Casa de la Esperanza Oxnard",
        "description": "Family resource center.",
        "description_es": "Centro de recursos familiares.",
        "website": "https://esperanza.example.org",
        "email": "info@esperanza.example.org",
        "phone": "805-555-0199",
        "address_1": "100 Calle Nueva",
        "city": "Oxnard",
        "postal_code": "93030",
        **overrides,
    }


def service_form(**overrides) -> dict:
    return {
        "name": "Weekly groceries",
        "name_es": "Despensa semanal",
        "description": "Free groceries every week.",
        "description_es": "Comida gratis cada semana.",
        "categories": [FOOD_PANTRY],
        "languages": ["es", "mix"],
        "location": "address",
        "opens_WE": "14:00",
        "closes_WE": "16:00",
        "min_age": "0",
        "max_age": "99",
        "grade_min": "TK",
        "grade_max": "12",
        "eligibility": "Oxnard residents.",
        "id_required": "no",
        "cost": "free",
        "accepting_referrals": "yes",
        "referral_name": "Rosa",
        "referral_email": "rosa@esperanza.example.org",
        "referral_phone": "805-555-0100",
        **overrides,
    }


def register(client, org: dict | None = None, service: dict | None = None) -> str:
    """Drive steps 2-4 as a signed-in, verified partner; returns the submission id."""
    response = client.post("/partners/register", data=org or org_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    submission_id = response.headers["Location"].split("/")[3]
    if response.headers["Location"].endswith("/similar"):
        client.get(response.headers["Location"])
    added = client.post(
        f"/partners/submissions/{submission_id}/services/new", data=service or service_form()
    )
    assert added.status_code == 302, added.get_data(as_text=True)[:3000]
    assert client.post(f"/partners/submissions/{submission_id}/submit").status_code == 302
    return submission_id


def approve(client, submission_id: str, decision: str = "approved", message: str = ""):
    return client.post(
        f"/admin/reviews/{submission_id}", data={"decision": decision, "message": message}
    )


def test_a_partner_signs_up_confirms_the_email_and_registers_a_service_that_an_admin_approves(
    app, client, session, admin_user
):
    joined = client.post(
        "/partners/join?lang=es",
        data={
            "name": "Elena",
            "email": "elena@esperanza.example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert joined.status_code == 302
    # Not confirmed yet: the organization form is closed.
    assert client.get("/partners/register").status_code == 302
    [confirm] = outbox(app)
    assert "Confirme su correo" in confirm.subject
    client.get(link_in(confirm, "/verify/"))
    submission_id = register(client)
    submission = session.get(Submission, submission_id)
    assert submission.status == "pending"
    # Nothing reaches the directory before approval.
    name = "Casa de la Esperanza Oxnard"
    assert session.scalars(select(Organization).where(Organization.name == name)).first() is None
    assert name not in client.get("/").get_data(as_text=True)

    admin = signed_in(app, admin_user)
    dashboard = admin.get("/admin/").get_data(as_text=True)
    assert re.search(r'count-registration">1<', dashboard)
    detail = admin.get(f"/admin/reviews/{submission_id}").get_data(as_text=True)
    assert "Despensa semanal" in detail and "Food Pantry" in detail
    assert approve(admin, submission_id).status_code == 302

    session.expire_all()
    org = session.scalars(select(Organization).where(Organization.name == name)).one()
    assert org.published
    [service] = org.services
    assert service.accepting_referrals is True and service.id_required is False
    assert service.cost == "free" and service.language_codes == ["es", "mix"]
    assert service.eligibility_description == "Grades TK–12. Oxnard residents."
    assert service.locations[0].coordinates_source == "zip_centroid"
    assert [s.days for s in service.schedules] == [["WE"]]
    assert service.last_verified_at is not None
    user = session.scalars(select(User).where(User.email == "elena@esperanza.example.org")).one()
    assert [o.id for o in user.organizations] == [org.id]
    page = client.get(f"/services/{service.id}?lang=es").get_data(as_text=True)
    assert "Despensa semanal" in page and "Última verificación" in page
    decision = outbox(app)[-1]
    assert decision.to == user.email and "Aprobado" in decision.subject
    actions = {e.action for e in session.scalars(select(AuditEvent))}
    assert {"submission.registration", "submission.approved", "service.apply"} <= actions


def test_hostile_html_in_every_registration_field_is_stored_as_text_and_shown_escaped(
    app, client, session, admin_user
):
    partner = make_user(session, "partner")
    login(client, partner)
    text_fields = ("name", "description", "description_es", "address_1", "city")
    org = org_form(phone=SHORT_HOSTILE, **{f: f"{f} {HOSTILE}" for f in text_fields})
    service_text = (
        "name",
        "name_es",
        "description",
        "description_es",
        "eligibility",
        "referral_name",
        "documents",
    )
    service = service_form(
        phone=SHORT_HOSTILE,
        referral_phone=SHORT_HOSTILE,
        **{f: f"{f} {HOSTILE}" for f in service_text},
    )
    service["id_required"] = "yes"
    submission_id = register(client, org, service)
    payload = session.get(Submission, submission_id).payload
    assert payload["organization"]["name"] == f"name {HOSTILE}"
    assert payload["services"][0]["documents"] == [f"documents {HOSTILE}"]
    summary = client.get(f"/partners/submissions/{submission_id}").get_data(as_text=True)
    admin = signed_in(app, admin_user)
    review_page = admin.get(f"/admin/reviews/{submission_id}").get_data(as_text=True)
    approve(admin, submission_id)
    session.expire_all()
    live = session.get(Submission, submission_id).organization.services[0]
    assert live.name == f"name {HOSTILE}"
    public = client.get(f"/services/{live.id}").get_data(as_text=True)
    for page in (summary, review_page, public):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
            in page
        )


def test_text_longer_than_its_column_is_refused_with_a_message(client, session):
    login(client, make_user(session, "partner"))
    response = client.post("/partners/register", data=org_form(phone="5" * 51))
    assert response.status_code == 400
    assert "This is too long" in response.get_data(as_text=True)
    assert session.scalars(select(Submission)).first() is None


def test_a_partner_cannot_see_or_change_another_partners_work_by_guessing_ids(
    app, client, session, partner_user, partner_org, other_org
):
    stranger = make_user(session, "partner")
    stranger_client = signed_in(app, stranger)
    theirs = register(stranger_client)
    login(client, partner_user)
    for path in (
        f"/partners/submissions/{theirs}",
        f"/partners/submissions/{theirs}/organization",
        f"/partners/submissions/{theirs}/services/new",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/partners/submissions/{theirs}/submit").status_code == 404
    assert client.post(f"/partners/organizations/{other_org.id}/edit").status_code == 403
    # Editing a service of another organization inside one's own draft is refused too.
    own = client.post(f"/partners/organizations/{partner_org.id}/edit")
    draft_id = own.headers["Location"].rsplit("/", 1)[1]
    foreign_service = other_org.services[0].id
    response = client.get(f"/partners/submissions/{draft_id}/services/{foreign_service}")
    assert response.status_code == 404
    assert session.get(Submission, theirs).status == "pending"


def test_duplicate_names_are_offered_as_claims_and_an_approved_claim_grants_editing(
    app, client, session, admin_user
):
    partner = make_user(session, "partner")
    login(client, partner)
    response = client.post("/partners/register", data=org_form(name="Food Share Inc."))
    assert response.headers["Location"].endswith("/similar")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Food Share of Ventura County" in page and "Claim this listing" in page
    food_share = session.scalars(
        select(Organization).where(Organization.name == "Food Share of Ventura County")
    ).one()
    client.post(f"/partners/organizations/{food_share.id}/claim", data={"message": "I am the ED"})
    claim = session.scalars(select(Submission).where(Submission.kind == "claim")).one()
    assert client.post(f"/partners/organizations/{food_share.id}/edit").status_code == 403
    admin = signed_in(app, admin_user)
    assert "I am the ED" in admin.get(f"/admin/reviews/{claim.id}").get_data(as_text=True)
    approve(admin, claim.id)
    logout(client)
    login(client, partner)  # memberships are read per request; a fresh login is not needed
    edit = client.post(f"/partners/organizations/{food_share.id}/edit")
    assert edit.status_code == 302


def test_a_partner_edit_shows_a_field_diff_and_applies_only_after_approval(
    app, client, session, admin_user, partner_user, partner_org
):
    service = partner_org.services[0]
    old_phone = service.phones[0].number if service.phones else ""
    login(client, partner_user)
    draft = client.post(f"/partners/organizations/{partner_org.id}/edit")
    draft_id = draft.headers["Location"].rsplit("/", 1)[1]
    form_page = client.get(f"/partners/submissions/{draft_id}/services/{service.id}")
    assert service.name in form_page.get_data(as_text=True)
    current = {
        k: v for k, v in service_form().items() if k not in ("name", "name_es", "description")
    }
    current |= {
        "name": service.name,
        "description": service.description or "x",
        "phone": "805-555-0123",
    }
    saved = client.post(f"/partners/submissions/{draft_id}/services/{service.id}", data=current)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    client.post(f"/partners/submissions/{draft_id}/submit")
    session.expire_all()
    assert (session.get(Service, service.id).phones or [None])[0] is None or (
        session.get(Service, service.id).phones[0].number == old_phone
    )
    admin = signed_in(app, admin_user)
    detail = admin.get(f"/admin/reviews/{draft_id}").get_data(as_text=True)
    assert "805-555-0123" in detail
    approve(admin, draft_id)
    session.expire_all()
    assert session.get(Service, service.id).phones[0].number == "805-555-0123"


def test_requesting_changes_needs_a_message_that_is_mailed_and_the_partner_can_resend(
    app, client, session, admin_user
):
    partner = make_user(session, "partner", locale="es")
    login(client, partner)
    submission_id = register(client)
    admin = signed_in(app, admin_user)
    refused = approve(admin, submission_id, "changes_requested", "")
    assert refused.status_code == 302
    assert session.get(Submission, submission_id).status == "pending"
    approve(admin, submission_id, "changes_requested", "Add your Saturday hours, please.")
    session.expire_all()
    assert session.get(Submission, submission_id).status == "changes_requested"
    message = outbox(app)[-1]
    assert message.to == partner.email and "Add your Saturday hours" in message.body
    assert "Se pidieron cambios" in message.subject
    assert client.post(f"/partners/submissions/{submission_id}/submit").status_code == 302
    session.expire_all()
    assert session.get(Submission, submission_id).status == "pending"


def test_anyone_can_suggest_a_correction_that_waits_for_review(
    app, client, session, admin_user, partner_org
):
    service = partner_org.services[0]
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert f"/services/{service.id}/correction" in page
    empty = client.post(f"/services/{service.id}/correction", data={"message": ""})
    assert empty.status_code == 400
    sent = client.post(
        f"/services/{service.id}/correction",
        data={"message": "They moved.", "phone": "805-555-0777", "contact_email": "m@example.org"},
    )
    assert sent.status_code == 302
    correction = session.scalars(select(Submission).where(Submission.kind == "correction")).one()
    assert correction.status == "pending" and correction.submitter_id is None
    admin = signed_in(app, admin_user)
    approve(admin, correction.id, "rejected", "We called them: the number is unchanged.")
    session.expire_all()
    assert session.get(Service, service.id).phones == [] or all(
        p.number != "805-555-0777" for p in session.get(Service, service.id).phones
    )
    assert outbox(app)[-1].to == "m@example.org"


def test_a_filled_honeypot_stores_nothing(client, session):
    response = client.post(
        "/partners/join",
        data={
            "name": "Bot",
            "email": "bot@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "website_url": "http://spam.example",
        },
    )
    assert response.status_code == 302
    assert session.scalars(select(User).where(User.email == "bot@example.org")).first() is None


def test_the_taxonomy_endpoint_finds_terms_in_either_language_without_accents(client):
    spanish = client.get("/api/v1/taxonomy/terms?q=despensa&lang=es").get_json()
    assert spanish["terms"][0]["label"] == "Despensa de alimentos"
    folded = client.get("/api/v1/taxonomy/terms?q=viveres&lang=en").get_json()
    assert "Food Pantry" in [t["label"] for t in folded["terms"]]
    assert client.get("/api/v1/taxonomy/terms?q=").get_json() == {"terms": []}


def test_reminders_mail_a_still_accurate_link_that_verifies_the_listing_once(
    app, client, runner, session, partner_user, partner_org
):
    result = runner.invoke(args=["send-verification-reminders"])
    assert "Sent 1 reminder(s)" in result.output
    [reminder] = outbox(app)
    assert reminder.to == partner_user.email and partner_org.name in reminder.subject
    path = link_in(reminder, "/listings/still-accurate/")
    assert "still accurate" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 302
    session.expire_all()
    services = session.get(Organization, partner_org.id).services
    assert all(s.last_verified_at is not None for s in services)
    assert "already been used" in client.post(path).get_data(as_text=True)
    again = runner.invoke(args=["send-verification-reminders"])
    assert "Sent 0 reminder(s)" in again.output


def test_admins_see_stale_listings_and_can_unpublish_them(client, session, admin_user, partner_org):
    service = partner_org.services[0]
    service.last_verified_at = utcnow() - timedelta(days=400)
    session.commit()
    public = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "May be out of date" in public
    login(client, admin_user)
    assert service.name in client.get("/admin/freshness").get_data(as_text=True)
    client.post(f"/admin/organizations/{partner_org.id}/published", data={"published": "0"})
    assert client.get(f"/services/{service.id}").status_code == 404
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organization.unpublish")
    ).one()
    assert event.entity_id == partner_org.id


@pytest.mark.parametrize("path", ["/partners/", "/partners/register"])
def test_coordinators_cannot_use_partner_pages(client, coordinator_user, path):
    login(client, coordinator_user)
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have access" in response.get_data(as_text=True)


def test_languages_offered_through_an_interpreter_are_registered_as_such(
    app, client, session, admin_user
):
    login(client, make_user(session, "partner"))
    submission_id = register(
        client, service=service_form(languages=["es"], interpreted=["mix", "es"])
    )
    admin = signed_in(app, admin_user)
    detail = admin.get(f"/admin/reviews/{submission_id}").get_data(as_text=True)
    assert "Through an interpreter" in detail
    approve(admin, submission_id)
    session.expire_all()
    service = session.scalars(select(Service).where(Service.name == "Weekly groceries")).one()
    assert service.language_codes == ["es", "mix"]
    assert service.interpreted_codes == ["mix"]  # Spanish is spoken by staff, so not listed


def test_editing_a_listing_keeps_its_interpreter_languages_apart(
    app, client, session, admin_user, partner_user, partner_org
):
    service = partner_org.services[0]
    service.languages = [
        Language(code="en", name="English"),
        Language(code="mix", name="Mixteco", interpreter=True),
    ]
    session.commit()
    login(client, partner_user)
    draft = client.post(f"/partners/organizations/{partner_org.id}/edit")
    draft_id = draft.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/partners/submissions/{draft_id}/services/{service.id}").get_data(
        as_text=True
    )
    assert 'name="interpreted" value="mix" checked' in page
    assert 'name="languages" value="mix" checked' not in page
    form = service_form(name=service.name, languages=["en", "es"], interpreted=["mix"])
    saved = client.post(f"/partners/submissions/{draft_id}/services/{service.id}", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    client.post(f"/partners/submissions/{draft_id}/submit")
    admin = signed_in(app, admin_user)
    approve(admin, draft_id)
    session.expire_all()
    service = session.get(Service, service.id)
    assert sorted(service.language_codes) == ["en", "es", "mix"]
    assert service.interpreted_codes == ["mix"]


def test_an_older_payload_with_languages_only_keeps_the_interpreter_languages(session):
    from matcher.partners.review import apply_service

    service = session.scalars(select(Service).order_by(Service.name)).first()
    service.languages = [
        Language(code="en", name="English"),
        Language(code="mix", name="Mixteco", interpreter=True),
    ]
    session.commit()
    apply_service(session, service, {"languages": ["en", "es"]})
    session.commit()
    assert sorted(service.language_codes) == ["en", "es", "mix"]
    assert service.interpreted_codes == ["mix"]
