"""Needs records: pseudonymous, school-isolated, audited, purged after the school year."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from matcher.families import needs, referrals
from matcher.models import AuditEvent, Base, MatchGap, NeedsRecord, Referral, School
from tests.fixtures_accounts import login, make_user
from tests.needs_support import CONTACT, DISTRICT_REF, NOTE, make_record, make_referral

NEEDS_TABLES = (
    "needs_record",
    "needs_barrier",
    "referral",
    "referral_event",
    "consent",
    "match_gap",
)
FORBIDDEN = ("name", "first_name", "last_name", "student_name", "immigration", "citizenship")


def _audit(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_no_needs_table_has_a_column_for_names_or_immigration_status():
    for table in NEEDS_TABLES:
        columns = [c.name.lower() for c in Base.metadata.tables[table].columns]
        assert columns, table
        for column in columns:
            assert not any(word in column for word in FORBIDDEN), f"{table}.{column}"


def test_a_coordinator_records_a_family_under_a_random_key_and_lands_on_the_matches(
    client, session, coordinator_user, school
):
    login(client, coordinator_user)
    form = client.get("/coordinator/records/new").get_data(as_text=True)
    assert "Do not enter names, diagnoses or immigration status." in form
    assert "Food insecurity" in form and "Inseguridad alimentaria" in form
    response = client.post(
        "/coordinator/records/new",
        data={
            "barriers": ["food_insecurity", "immigration_legal"],
            "grade_band": "TK-2",
            "languages": ["es", "mix"],
            "home_zip": "93030",
            "age": "7",
        },
    )
    assert response.status_code == 302 and "/matches" in response.headers["Location"]
    session.expire_all()
    record = session.scalars(select(NeedsRecord)).one()
    assert re.fullmatch(r"F-[A-Z2-7]{8}", record.family_key)
    assert record.school_id == school.id and record.languages == ["es", "mix"]
    assert record.barrier_codes == ["food_insecurity", "immigration_legal"]
    (event,) = _audit(session, "needs.create")
    assert json.loads(event.after_json)["barriers"] == ["food_insecurity", "immigration_legal"]


def test_every_bad_field_is_named_in_the_form_in_spanish_too(client, coordinator_user):
    login(client, coordinator_user)
    response = client.post(
        "/coordinator/records/new?lang=es",
        data={"home_zip": "1234", "age": "abc", "notes": "x" * 501, "languages": ["es"]},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in ("Este dato es obligatorio.", "Escriba un código postal de 5 dígitos."):
        assert message in html


def test_a_coordinator_of_another_school_gets_404_and_a_partner_403(
    client, session, coordinator_user, partner_org, partner_user
):
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org, consent=True)
    other_school = session.scalars(
        select(School).where(School.id != record.school_id).order_by(School.name)
    ).first()
    outsider = make_user(session, "coordinator", schools=[other_school])
    login(client, outsider)
    for path in (
        f"/coordinator/records/{record.id}",
        f"/coordinator/records/{record.id}/edit",
        f"/coordinator/records/{record.id}/matches",
        f"/coordinator/records/{record.id}/handout",
        f"/coordinator/records/{record.id}/sms",
        f"/coordinator/referrals/{referral.id}",
        f"/coordinator/referrals/{referral.id}/consent",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert record.family_key not in response.get_data(as_text=True)
    assert (
        client.post(
            f"/coordinator/referrals/{referral.id}/status", data={"status": "sent"}
        ).status_code
        == 404
    )
    assert record.family_key not in client.get("/coordinator/").get_data(as_text=True)
    session.expire_all()
    assert session.get(Referral, referral.id).status == "draft"
    client.get("/logout")
    partner_client = client.application.test_client()
    login(partner_client, partner_user)
    assert partner_client.get(f"/coordinator/records/{record.id}").status_code == 403


def test_viewing_and_editing_a_record_is_audited_without_its_identifying_values(
    client, session, coordinator_user
):
    record = make_record(session, coordinator_user)
    login(client, coordinator_user)
    page = client.get(f"/coordinator/records/{record.id}").get_data(as_text=True)
    assert record.family_key in page and NOTE in page
    response = client.post(
        f"/coordinator/records/{record.id}/edit",
        data={
            "barriers": ["food_insecurity", "dental"],
            "grade_band": "6-8",
            "languages": ["es"],
            "home_zip": "93033",
            "notes": "Otra nota privada",
        },
    )
    assert response.status_code == 302
    assert len(_audit(session, "needs.view")) >= 2
    (update,) = _audit(session, "needs.update")
    before, after = json.loads(update.before_json), json.loads(update.after_json)
    assert before["barriers"] == ["food_insecurity"]
    assert after["barriers"] == ["dental", "food_insecurity"] and after["grade_band"] == "6-8"
    every = " ".join(f"{e.before_json} {e.after_json}" for e in session.scalars(select(AuditEvent)))
    for secret in (NOTE, "Otra nota privada", DISTRICT_REF, "93033"):
        assert secret not in every


def test_the_matches_page_puts_urgent_notices_first_and_notes_each_gap_once(
    client, session, coordinator_user
):
    record = make_record(
        session, coordinator_user, barriers=("dental", "mental_health_crisis", "food_insecurity")
    )
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/matches").get_data(as_text=True)
    assert html.index("988") < html.index("Dental pain")
    assert "No service meets this need for this family:" in html
    assert "none in the family&#39;s language" in html
    assert "CalFresh" in html
    client.get(f"/coordinator/records/{record.id}/matches")
    session.expire_all()
    gaps = session.scalars(select(MatchGap)).all()
    recorded = [(g.barrier_code, g.language, g.school_id) for g in gaps]
    assert ("dental", "es", record.school_id) in recorded
    assert "food_insecurity" not in {g.barrier_code for g in gaps}
    assert len(recorded) == len(set(recorded))  # the second visit added nothing


def test_reports_count_records_referrals_days_to_completion_and_gaps(
    session, coordinator_user, partner_org
):
    record = make_record(session, coordinator_user, barriers=("food_insecurity", "dental"))
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    referrals.change_status(session, coordinator_user, referral, "accepted")
    referrals.change_status(session, coordinator_user, referral, "completed")
    sent, completed = referral.events[1], referral.events[3]
    sent.at = datetime.now(UTC) - timedelta(days=9)
    completed.at = datetime.now(UTC) - timedelta(days=2)
    session.add(MatchGap(school_id=record.school_id, barrier_code="dental", language="es"))
    session.commit()
    data = needs.report_rows(session, [record.school_id])
    (need,) = data.needs
    assert need.barriers == {"food_insecurity", "dental"} and need.language == "es"
    assert need.grade_band == "3-5"
    (row,) = data.referrals
    assert row.accepted and not row.declined and not row.closed
    assert (row.completed - row.made).days == 7
    assert [(g.barrier, g.language) for g in data.match_gaps] == [("dental", "es")]
    assert needs.report_rows(session, ["no-such-school"]).needs == []


def test_purge_clears_identifying_fields_and_the_reports_count_the_same(
    session, runner, coordinator_user, partner_org
):
    from matcher.reports import demand

    record = make_record(
        session, coordinator_user, home_zip="93030", age="9", near_school="", no_documents="1"
    )
    assert record.no_documents is True
    referral = make_referral(
        session, coordinator_user, record, partner_org, consent=True, send=True
    )
    referrals.change_status(session, coordinator_user, referral, "accepted", "Habló con la mamá")
    session.commit()
    before = demand.load(session)
    result = runner.invoke(
        args=["purge-records", "--before", (date.today() + timedelta(days=1)).isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "needs records purged: 1" in result.output
    session.expire_all()
    record = session.get(NeedsRecord, record.id)
    assert record.family_key == f"purged-{record.id}"
    assert (record.notes, record.district_reference, record.home_zip, record.age) == (None,) * 4
    assert record.no_documents is False
    referral = session.get(Referral, referral.id)
    assert referral.contact_value is None and referral.note is None
    assert all(e.note is None for e in referral.events)
    assert referral.status == "accepted" and referral.barrier_code == "food_insecurity"
    after = demand.load(session)
    assert after == before
    dump = " ".join(str(v) for v in (record.family_key, referral.contact_value))
    assert CONTACT not in dump and DISTRICT_REF not in dump
    again = runner.invoke(args=["purge-records", "--before", "2000-01-01"])
    assert "needs records purged: 0" in again.output


def test_the_no_documents_preference_is_saved_and_decides_the_match(
    client, session, coordinator_user
):
    from matcher.families.matches import match_record
    from matcher.models import RequiredDocument, Service

    login(client, coordinator_user)
    form = client.get("/coordinator/records/new").get_data(as_text=True)
    assert 'name="no_documents"' in form
    record = make_record(session, coordinator_user, no_documents="1")
    assert "Prefers services that ask for no documents" in client.get(
        f"/coordinator/records/{record.id}"
    ).get_data(as_text=True)
    first = match_record(session, coordinator_user, record).barriers[0].results[0]
    session.add(RequiredDocument(service=session.get(Service, first.id), document="Photo ID"))
    session.commit()
    (food,) = match_record(session, coordinator_user, record).barriers
    assert first.id not in {m.id for m in food.results}
    assert ("documents",) in next(m for m in food.also_consider if m.id == first.id).failed


@pytest.mark.parametrize(
    ("notes", "locale", "kind", "phone"),
    [
        ("Student told me she wants to kill herself.", "en", "suicide", "tel:988"),
        ("La mamá dice que su pareja le pega a ella y a los niños.", "es", None, "tel:"),
    ],
)
def test_a_record_whose_notes_read_as_a_crisis_shows_the_crisis_lines_first(
    client, session, coordinator_user, notes, locale, kind, phone
):
    record = make_record(session, coordinator_user, barriers=("food_insecurity",), notes=notes)
    login(client, coordinator_user)
    client.get(f"/language/{locale}?next=/")
    for path in (f"/coordinator/records/{record.id}", f"/coordinator/records/{record.id}/matches"):
        html = client.get(path).get_data(as_text=True)
        notice = html.split('<section class="crisis-notice"')[1].split("</section>")[0]
        assert kind is None or f'data-kind="{kind}"' in notice
        assert phone in notice
        assert html.index("crisis-notice") < html.index("<h1")
        assert ("Ayuda ahora mismo" in notice) == (locale == "es")


def test_a_record_with_ordinary_notes_shows_no_crisis_notice(client, session, coordinator_user):
    record = make_record(session, coordinator_user, notes="Needs a food box before Friday.")
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/matches").get_data(as_text=True)
    assert "crisis-notice" not in html
