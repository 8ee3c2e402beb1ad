"""The curation loop: search learns the words families use, and staff teach it phrases.

A query word Enlace does not know is counted as a keyed hash; nobody can read it until
11 searches used it. Staff map a phrase to categories or a crisis kind; the mapping is
audited and reaches every host's search through the index sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from matcher.models import AuditEvent, QueryTerm, StaffMapping
from matcher.operations import index_sync
from matcher.search import curation
from tests.fixtures_accounts import login

pytestmark = pytest.mark.usefixtures("search_app")


@pytest.fixture(autouse=True)
def fresh_counter(monkeypatch):
    counter = curation.TermCounter()
    monkeypatch.setattr(curation, "COUNTER", counter)
    return counter


def _search(client, q, times=1, lang="es"):
    for _ in range(times):
        assert client.get("/api/v1/search", query_string={"q": q, "lang": lang}).status_code == 200


def test_an_unknown_word_is_counted_but_unreadable_below_eleven_searches(
    app, client, session, fresh_counter
):
    _search(client, "ocupo tlayudas pal cumple", times=10)
    fresh_counter.flush(session.get_bind())
    rows = session.scalars(select(QueryTerm).where(QueryTerm.kind == "word")).all()
    counted = [r for r in rows if r.count == 10]
    assert counted
    assert all(r.text is None for r in rows)
    assert "tlayudas" not in " ".join(r.term_hash for r in rows)


def test_the_eleventh_search_makes_the_word_readable_to_staff(
    app, client, session, fresh_counter, admin_user
):
    _search(client, "ocupo tlayudas pal cumple", times=11)
    fresh_counter.flush(session.get_bind())
    words = {t.text: t.count for t in curation.readable_terms(session)}
    assert words.get("tlayudas") == 11
    login(client, admin_user)
    page = client.get("/admin/vocabulary/").get_data(as_text=True)
    assert "tlayudas" in page and "11" in page


def test_a_name_typed_once_is_never_shown(app, client, session, fresh_counter, admin_user):
    _search(client, "despensa para xochiquetzal ramirez")
    fresh_counter.flush(session.get_bind())
    login(client, admin_user)
    page = client.get("/admin/vocabulary/").get_data(as_text=True)
    assert "xochiquetzal" not in page and "ramirez" not in page


def test_unreadable_terms_expire(app, session):
    old = datetime.now(UTC) - timedelta(days=curation.EXPIRE_DAYS + 1)
    session.add(QueryTerm(term_hash="a" * 64, kind="word", locale="es", count=3,
                          zero_results=0, first_seen=old, last_seen=old))
    session.add(QueryTerm(term_hash="b" * 64, kind="word", locale="es", count=30,
                          zero_results=0, first_seen=old, last_seen=old, text="lonche"))
    session.commit()
    assert curation.expire(session) == 1
    session.commit()
    assert [t.text for t in session.scalars(select(QueryTerm))] == ["lonche"]


def test_staff_map_a_phrase_and_search_uses_it_after_the_sync(app, client, session, admin_user):
    before = client.get("/api/v1/search", query_string={"q": "tlayudas", "lang": "es"}).get_json()
    assert not before["understood"]["needs"]
    login(client, admin_user)
    response = client.post(
        "/admin/vocabulary/mappings",
        data={"phrase": "Tlayudas", "lang": "es", "term_codes": "1130 1120", "crisis": ""},
    )
    assert response.status_code == 302
    mapping = session.scalars(select(StaffMapping)).one()
    assert mapping.phrase == "tlayudas" and mapping.term_codes == "1130|1120"
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff_mapping.create")
    ).one()
    assert audit.actor_id == admin_user.id
    index_sync.sync(session, app.config["ENLACE_INDEX_DIR"])
    after = client.get("/api/v1/search", query_string={"q": "tlayudas", "lang": "es"}).get_json()
    assert [n["source"] for n in after["understood"]["needs"]] == ["staff"]
    assert after["total"] > 0


def test_staff_can_map_a_phrase_to_a_crisis_kind(app, client, session, admin_user):
    login(client, admin_user)
    client.post("/admin/vocabulary/mappings",
                data={"phrase": "ya me quiero ir con diosito", "lang": "es", "crisis": "suicide"})
    index_sync.sync(session, app.config["ENLACE_INDEX_DIR"])
    body = client.get("/api/v1/search",
                      query_string={"q": "ya me quiero ir con diosito", "lang": "es"}).get_json()
    assert body["crisis"]["kind"] == "suicide"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"phrase": "", "term_codes": "1130"}, "phrase"),
        ({"phrase": "lonche", "term_codes": "99999"}, "unknown taxonomy code"),
        ({"phrase": "lonche", "crisis": "alien_abduction"}, "unknown crisis kind"),
        ({"phrase": "lonche"}, "at least one taxonomy code"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_reason_and_changes_nothing(
    client, session, admin_user, data, reason
):
    login(client, admin_user)
    response = client.post("/admin/vocabulary/mappings", data=data, follow_redirects=True)
    assert reason in response.get_data(as_text=True)
    assert session.scalars(select(StaffMapping)).first() is None


def test_removing_a_mapping_is_audited(client, session, admin_user):
    login(client, admin_user)
    client.post("/admin/vocabulary/mappings", data={"phrase": "lonche", "term_codes": "1130"})
    mapping = session.scalars(select(StaffMapping)).one()
    client.post(f"/admin/vocabulary/mappings/{mapping.id}/delete")
    session.expire_all()
    assert session.scalars(select(StaffMapping)).first() is None
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"staff_mapping.create", "staff_mapping.delete"} <= actions


def test_only_admins_see_the_vocabulary_page(client, coordinator_user):
    login(client, coordinator_user)
    assert client.get("/admin/vocabulary/").status_code == 403
