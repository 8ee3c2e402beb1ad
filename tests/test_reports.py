"""Needs and assets reports: every figure below was counted by hand from the fixture.

The fixture school sits in Kern County (Bakersfield), far from every seeded
service, so the only services that reach it are the ones made here.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from matcher.directory.taxonomy import term_id
from matcher.families import matches, referrals
from matcher.models import (
    Contact,
    Language,
    Location,
    Organization,
    School,
    SearchLog,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from matcher.reports import build, demand, supply
from tests.fixtures_accounts import login, make_user
from tests.needs_support import CONTACT, DISTRICT_REF, NOTE, make_record, make_referral

BAKERSFIELD = (35.3733, -119.0187)


def _identity(text: str, **values) -> str:
    """gettext without a catalog: English text with its %(name)s values filled in."""
    return text % values if values else text


def _service(session, org, name, term_codes, lat, lon, langs, status="active", area=None):
    terms = [session.get(TaxonomyTerm, term_id(c)) for c in term_codes]
    service = Service(organization=org, name=name, status=status, taxonomy_terms=terms)
    service.languages = [Language(code=c, interpreter=i) for c, i in langs]
    location = Location(organization=org, name=name, latitude=lat, longitude=lon)
    service.service_at_locations = [ServiceAtLocation(location=location)]
    if area:
        service.service_areas = [ServiceArea(kind=area[0], name=area[1])]
    service.contacts = [Contact(name="Rosa Contacto", email="rosa.contacto@example.org")]
    session.add(service)
    return service


@pytest.fixture
def kern(session) -> School:
    """A school with exactly two services reaching it for food, none for rent."""
    school = School(
        key="test-kern-school",
        name="Kern Test Elementary",
        city="Bakersfield",
        postal_code="93301",
        latitude=BAKERSFIELD[0],
        longitude=BAKERSFIELD[1],
    )
    org = Organization(name="Kern Food Helpers", published=True)
    hidden = Organization(name="Unpublished Org", published=False)
    session.add_all([school, org, hidden])
    # ~2 miles away: reaches; English and Spanish spoken.
    _service(session, org, "Near pantry", ["1130"], 35.40, -119.02, [("en", False), ("es", False)])
    # ~20 miles away, but its service area is the city of Bakersfield: reaches.
    _service(
        session,
        org,
        "Far delivery",
        ["1128"],
        35.65,
        -119.20,
        [("en", False), ("mix", True)],
        area=("city", "Bakersfield"),
    )
    # ~20 miles away, no area: does not reach.
    _service(session, org, "Far pantry", ["1130"], 35.65, -119.20, [("es", False)])
    # Near but inactive, or from an unpublished organization: do not count.
    _service(session, org, "Closed pantry", ["1130"], 35.38, -119.02, [("es", False)], "inactive")
    _service(session, hidden, "Hidden pantry", ["1130"], 35.38, -119.02, [("es", False)])
    session.commit()
    return school


def _need(school, language, barriers, band, day):
    return demand.NeedRow(school.id, None, day, band, language, frozenset(barriers))


@pytest.fixture
def data(kern) -> demand.DemandData:
    needs = [_need(kern, "es", {"food_insecurity"}, "K-5", date(2026, 9, 3))] * 12 + [
        _need(kern, "mix", {"food_insecurity", "housing_cost"}, "6-8", date(2026, 10, 8))
    ] * 2
    referrals = [
        demand.ReferralRow(
            kern.id,
            "food_insecurity",
            date(2026, 9, 1),
            i < 11,
            i == 11,
            date(2026, 9, 1 + i + 1) if i < 11 else None,
            False,
        )
        for i in range(12)
    ] + [demand.ReferralRow(kern.id, "housing_cost", date(2026, 10, 9), False, False, None, True)]
    gaps = [demand.GapRow(kern.id, "housing_cost", "mix")]
    return demand.DemandData(needs, referrals, gaps)


def test_supply_counts_services_in_range_or_covering_area_by_barrier_and_language(session, kern):
    index = supply.load_index(session)
    found = supply.school_supply(index, kern)
    food = found.for_barrier("food_insecurity")
    assert food.total == 2
    assert food.in_language("en") == supply.LanguageSupply(2, 0)
    assert food.in_language("es") == supply.LanguageSupply(1, 0)
    assert food.in_language("mix") == supply.LanguageSupply(0, 1)
    assert found.for_barrier("housing_cost").total == 0
    assert len(found.service_ids) == 2
    wider = supply.school_supply(index, kern, radius_miles=30)
    assert wider.for_barrier("food_insecurity").total == 3
    assert [p for p, _rows in found.by_pillar()] == list(supply.PILLARS)


def test_the_cached_supply_follows_directory_changes_and_a_session_sees_its_own_edits(
    session, kern
):
    def food() -> supply.BarrierSupply:
        return supply.school_supply(supply.load_index(session), kern).for_barrier("food_insecurity")

    assert food().total == 2
    org = session.scalars(select(Organization).where(Organization.name == "Kern Food Helpers"))
    added = _service(session, org.one(), "New pantry", ["1130"], 35.39, -119.02, [("es", False)])
    session.flush()  # not committed: this session's own view counts it
    assert food().total == 3 and added.id in food().service_ids
    session.commit()  # committed: the shared cache moves to the new directory version
    assert food().total == 3
    added.status = "inactive"
    session.commit()
    assert food().total == 2 and added.id not in food().service_ids


def test_school_report_figures_match_the_hand_count(session, kern, data):
    report = build.school_report(session, kern, _identity, "en", data=data)
    assert [s.key for s in report.sections] == ["needs", "assets", "services", "gaps"]
    needs = report.table("needs-by-barrier")
    assert needs.columns == ("Barrier", "English", "Spanish", "Mixteco", "Other languages", "Total")
    assert needs.rows == (
        ("Food insecurity", "0", "*", "<11", "0", "*"),
        ("Can't pay rent or at risk of eviction", "0", "0", "<11", "0", "<11"),
        ("Total", "0", "*", "<11", "0", "16"),
    )
    assert report.table("needs-by-grade").rows == (("6-8", "<11"), ("K-5", "*"), ("Total", "14"))
    assert report.table("needs-by-month").rows == (
        ("2026-09", "*"),
        ("2026-10", "<11"),
        ("Total", "14"),
    )
    referrals = report.table("referrals-by-barrier")
    assert referrals.rows == (
        ("Food insecurity", "*", "*", "<11", "11", "0", "6"),
        ("Can't pay rent or at risk of eviction", "<11", "0", "0", "0", "<11", "—"),
        ("Total", "13", "*", "<11", "11", "<11", "6"),
    )
    assert report.table("gaps-by-language").rows == (
        ("Food insecurity", "Mixteco", "<11", "0", "1", "Only through an interpreter"),
        (
            "Can't pay rent or at risk of eviction",
            "Mixteco",
            "<11",
            "0",
            "0",
            "No service reaches the school",
        ),
    )
    # Both totals are hidden, so the rows fall back to barrier code order.
    assert report.table("gaps-referrals").rows == (
        ("Food insecurity", "<11", "0", "0", "<11"),
        ("Can't pay rent or at risk of eviction", "0", "<11", "<11", "<11"),
        ("Total", "<11", "<11", "<11", "<11"),
    )
    assets = report.table("assets-by-barrier")
    food = next(r for r in assets.rows if r[0] == "Food insecurity")
    assert food[1:8] == ("2", "2", "0", "1", "0", "0", "1")


def test_the_demand_chart_draws_only_what_the_table_shows(session, kern, data):
    report = build.school_report(session, kern, _identity, "en", data=data)
    chart = report.sections[0].charts[0]
    demand_bars = [g.bars[0] for g in chart.groups]
    assert [b.text for b in demand_bars] == ["*", "<11"]
    assert all(b.width == 0 for b in demand_bars)
    assert [g.bars[1].text for g in chart.groups] == ["2", "0"]


def test_empty_searches_are_logged_without_identity_and_rare_ones_are_not_listed(session):
    for _ in range(11):
        demand.record_empty_search(session, "  mixteco   dentista ", "es", {"language": "mix"})
    demand.record_empty_search(session, "lentes", "en", {})
    session.commit()
    row = session.scalars(select(SearchLog)).first()
    assert (row.query, row.locale, row.filters_json) == (
        "mixteco dentista",
        "es",
        '{"language": "mix"}',
    )
    assert {c.name for c in SearchLog.__table__.columns} == {
        "id",
        "query",
        "locale",
        "filters_json",
        "result_count",
        "created_at",
    }
    report = build.county_report(session, _identity, "en", data=demand.DemandData([], [], []))
    assert report.table("searches-without-results").rows == (
        ("mixteco dentista", "Spanish", "language=mix", "11"),
        ("Other searches (each fewer than 11 times)", "", "", "1"),
    )


def test_searches_with_no_words_of_needs_are_counted_under_a_label(session):
    for _ in range(11):
        demand.record_empty_search(session, "", "en", {})
    session.commit()
    report = build.county_report(session, _identity, "en", data=demand.DemandData([], [], []))
    assert report.table("searches-without-results").rows[0] == (
        "(no words of needs or services; other words are never stored)",
        "English",
        "",
        "11",
    )


def _csv_texts(client, base, report) -> list[str]:
    texts = []
    for table in report.tables:
        response = client.get(f"{base}/{table.key}.csv")
        assert response.status_code == 200, table.key
        body = response.get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert tuple(rows[0]) == table.columns
        texts.append(body)
    return texts


def test_real_needs_records_referrals_and_match_gaps_are_counted_and_never_exported(
    client, session, kern
):
    """End to end through families.needs and families.referrals, no rows injected: 12
    Spanish-speaking families with food insecurity, 2 Mixteco-speaking families with food
    insecurity and rent; 3 food referrals (completed, declined, sent); the matches page
    notes rent as unmatched for both Mixteco families (no service reaches Kern for it)."""
    coordinator = make_user(session, "coordinator", schools=[kern])
    org = session.scalars(select(Organization).where(Organization.name == "Kern Food Helpers"))
    org = org.one()
    spanish = [make_record(session, coordinator) for _ in range(12)]
    mixteco = [
        make_record(
            session, coordinator, barriers=("food_insecurity", "housing_cost"), languages=["mix"]
        )
        for _ in range(2)
    ]
    done, declined, _sent = (
        make_referral(session, coordinator, record, org, consent=True, send=True)
        for record in spanish[:3]
    )
    for status in ("accepted", "completed"):
        referrals.change_status(session, coordinator, done, status)
    referrals.change_status(session, coordinator, declined, "declined", "Familia no contestó")
    for record in mixteco:
        matches.match_record(session, coordinator, record)
    session.commit()

    data = demand.load(session, [kern.id])
    assert len(data.needs) == 14
    assert demand.outcomes(data.referrals) == demand.ReferralOutcomes(3, 1, 1, 1, 0, 0)
    assert sorted((g.barrier, g.language) for g in data.match_gaps) == [("housing_cost", "mix")] * 2

    school = build.school_report(session, kern, _identity, "en")
    assert school.table("needs-by-barrier").rows == (
        ("Food insecurity", "0", "*", "<11", "0", "*"),
        ("Can't pay rent or at risk of eviction", "0", "0", "<11", "0", "<11"),
        ("Total", "0", "*", "<11", "0", "16"),
    )
    assert school.table("needs-by-grade").rows == (("3-5", "14"), ("Total", "14"))
    assert school.table("referrals-by-barrier").rows == (
        ("Food insecurity", "<11", "<11", "<11", "<11", "0", "—"),
        ("Total", "<11", "<11", "<11", "<11", "0", "—"),
    )
    assert school.table("gaps-referrals").rows == (
        ("Food insecurity", "<11", "0", "0", "<11"),
        ("Can't pay rent or at risk of eviction", "0", "0", "<11", "<11"),
        ("Total", "<11", "0", "<11", "<11"),
    )
    county = build.county_report(session, _identity, "en")
    assert county.table("needs-by-school").rows == (
        ("Kern Test Elementary", "14", "14"),
        ("Total", "14", "14"),
    )
    assert county.table("needs-by-district").rows == (("No district", "14"), ("Total", "14"))
    assert county.table("referrals-by-barrier").rows == school.table("referrals-by-barrier").rows
    kern_row = next(r for r in county.table("assets-by-school").rows if r[0] == kern.name)
    assert kern_row == ("Kern Test Elementary", "2", "2", "0", "0", "0")

    login(client, make_user(session, "admin"))
    texts = _csv_texts(client, "/reports/county", county)
    texts += _csv_texts(client, f"/reports/schools/{kern.key}", school)
    assert len(texts) == len(county.tables) + len(school.tables) >= 15
    assert "Food insecurity,0,*,<11,0,*" in texts[len(county.tables)]  # the school's needs CSV
    secrets = [r.family_key for r in spanish + mixteco]
    secrets += [NOTE, DISTRICT_REF, CONTACT, "Traer comprobante", "Familia no contestó"]
    secrets += ["Rosa Contacto", "rosa.contacto@example.org", "@"]  # service contacts
    for text in texts:
        assert not [secret for secret in secrets if secret in text]


def test_admins_see_the_county_and_school_staff_only_their_own_schools(client, session, kern):
    other = session.scalars(select(School).where(School.id != kern.id)).first()
    coordinator = make_user(session, "coordinator", schools=[kern])
    login(client, coordinator)
    page = client.get(f"/reports/schools/{kern.key}")
    assert page.status_code == 200
    assert "Kern Test Elementary" in page.get_data(as_text=True)
    assert client.get(f"/reports/schools/{other.key}").status_code == 403
    assert client.get(f"/reports/schools/{other.key}/assets-by-barrier.csv").status_code == 403
    assert client.get("/reports/county").status_code == 403
    assert "Kern Test Elementary" in client.get("/reports/").get_data(as_text=True)


def test_partners_and_visitors_see_nothing_of_the_reports(client, session, kern):
    assert client.get("/reports/county").status_code in (302, 401)
    partner = make_user(session, "partner")
    login(client, partner)
    for path in (
        "/reports/",
        "/reports/county",
        f"/reports/schools/{kern.key}",
        "/reports/county/needs-by-barrier.csv",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert "Kern Test Elementary" not in response.get_data(as_text=True)


def test_the_county_report_page_shows_sections_charts_map_and_an_unknown_radius_is_refused(
    client, session, admin_user
):
    login(client, admin_user)
    html = client.get("/reports/county?lang=es").get_data(as_text=True)
    for marker in (
        'id="needs"',
        'id="assets"',
        'id="services"',
        'id="gaps"',
        'class="chart chart-map"',
        'role="img"',
        "Oxnard",
    ):
        assert marker in html
    assert "<script" not in html.split("<main")[1] and "style=" not in html
    refused = client.get("/reports/county?radius=500")
    assert refused.status_code == 400


def test_a_search_that_finds_nothing_writes_one_anonymous_search_log_row(app, session):
    from matcher.search import engine
    from matcher.search.index import get_index

    with app.app_context():
        from matcher.extensions import db

        index = get_index(app.config["ENLACE_INDEX_DIR"])
        request = engine.SearchRequest(q="xylofonoqwerty", locale="es", language="mix")
        assert engine.search(db.session, index, request).total == 0
    session.expire_all()
    rows = session.scalars(select(SearchLog)).all()
    assert [(r.query, r.locale, r.result_count) for r in rows] == [("", "es", 0)]
    assert '"language": "mix"' in rows[0].filters_json


def test_the_search_log_keeps_only_words_of_needs_never_a_name(app, session):
    from matcher.search import engine
    from matcher.search.index import get_index

    with app.app_context():
        from matcher.extensions import db

        index = get_index(app.config["ENLACE_INDEX_DIR"])
        request = engine.request_from_params(
            {"q": "Maria Lopez Xochiltzin zapatos niños", "category": "Dental Care"}
        )
        assert engine.search(db.session, index, request).total == 0
    session.expire_all()
    [row] = session.scalars(select(SearchLog)).all()
    assert row.query == "zapatos ninos"
    assert "maria" not in row.filters_json.lower()
