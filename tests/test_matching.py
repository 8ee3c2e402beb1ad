"""The matching engine: only services that meet a barrier are results, each says what meets
it, what fits and what may not; weaker ones are to also consider; a barrier nothing meets
says why; urgent barriers come first; the API and the command print the same JSON."""

from __future__ import annotations

import json

import pytest

from matcher.core.upsert import stable_id
from matcher.directory import geo
from matcher.matching import engine as matching
from matcher.models import User

DENTAL = "salvation-army-oxnard/salvation-army-dental"


def _service_id(key: str) -> str:
    return stable_id("service", key)


def _profile(barriers, languages, near, age=None, **extra) -> matching.FamilyProfile:
    place = geo.resolve_place(near) if near else None
    return matching.FamilyProfile(
        barriers=list(barriers), languages=list(languages), near=place, age=age, **extra
    )


def _match(session, *args, **extra) -> list[matching.BarrierMatch]:
    return matching.match_family(session, _profile(*args, **extra)).barriers


def _names(matches) -> set[str]:
    return {m.service.name for m in matches}


def test_a_mixteco_family_in_piru_hears_why_the_only_dentist_does_not_fit(session):
    (dental,) = _match(session, ["dental"], ["mix"], "Piru", 8)
    assert dental.results == []
    assert dental.no_match == matching.NoMatch("rules", ("reach", "language"))
    (option,) = dental.also_consider
    assert option.service.name == "Free dental clinic"
    assert {f[0] for f in option.failed} == {"language", "outside_area"}


def test_a_barrier_nobody_lists_is_a_plain_gap(session):
    (vision,) = _match(session, ["vision"], ["en"], "Oxnard", 9)
    assert vision.results == [] and vision.also_consider == []
    assert vision.no_match == matching.NoMatch("no_service")


def test_crisis_and_abuse_notices_come_first_with_lines_from_settings_and_the_directory(
    session,
):
    result = matching.match_family(
        session, _profile(["food_insecurity", "abuse_neglect", "mental_health_crisis"], ["es"],
                          "Oxnard", 12)
    )
    assert [b.code for b in result.barriers] == [
        "mental_health_crisis",
        "abuse_neglect",
        "food_insecurity",
    ]
    crisis, abuse = result.urgent
    assert (crisis.kind, crisis.phone) == ("crisis", "988")
    assert "Mental health crisis services" in _names(crisis.services)
    # No county settings here: the mandated-report line is the county-wide one listed.
    assert (abuse.kind, abuse.phone) == ("mandated_report", "805-654-3200")
    assert all("mental_health_crisis" not in item.covers for item in result.bundle)
    county = {"child_abuse": [{"name_en": "County intake", "phone": "555-0100"}]}
    result = matching.match_family(
        session, _profile(["abuse_neglect"], ["es"], "Oxnard", 12), county_lines=county
    )
    assert result.urgent[0].phone == "555-0100"


def test_crisis_lines_come_first_and_national_lines_serve_a_family_near_its_school(session):
    from matcher.families.matches import family_place
    from matcher.models import NeedsRecord, School

    school = session.query(School).filter_by(name="Oxnard High School").one()
    place = family_place(NeedsRecord(school=school, languages=["es"], near_school=True))
    assert place.county == "Ventura"  # the school's ZIP places it, so county areas cover it
    profile = matching.FamilyProfile(["mental_health_crisis"], ["es"], near=place, age=14)
    (crisis,) = matching.match_family(session, profile).barriers
    names = [m.service.name for m in crisis.results]
    assert "988 call and text crisis line" in names
    lines = [m.line for m in crisis.results]
    assert lines == sorted(lines, reverse=True)  # every phone line before any office
    line = next(m for m in crisis.results if m.service.name.startswith("988"))
    assert ("by_phone",) in line.fit and ("area", "county") in line.fit


def test_results_meet_the_barrier_through_what_the_service_is(session):
    """Rape crisis counseling is not anxiety help, general counseling is not help with
    abuse, job training of another kind is not help with income, a tenant lawyer is not a
    custody lawyer."""
    found = _match(
        session,
        ["mental_health", "abuse_neglect", "employment_income", "custody_guardianship"],
        ["es", "en"],
        "Oxnard",
        14,
    )
    anxiety, abuse, income, custody = (
        next(b for b in found if b.code == code)
        for code in ("mental_health", "abuse_neglect", "employment_income", "custody_guardianship")
    )
    assert "Rape crisis services" not in _names(anxiety.results)
    assert "Behavioral health counseling" in _names(anxiety.results)
    assert not {"Behavioral health counseling", "Mental health counseling"} & _names(
        abuse.results
    )
    assert "Child abuse and neglect reporting line (Children & Family Services)" in _names(
        abuse.results
    )
    assert "Interpreter training" not in _names(income.results)
    assert custody.results == [] and custody.no_match.reason == "no_service"
    assert "Tenant legal help" not in _names(custody.also_consider)
    for match in (*anxiety.results, *abuse.results, *income.results):
        assert match.meets, match.service.name  # what in it meets the barrier


def test_language_offered_only_through_an_interpreter_is_a_concern(session):
    (dv,) = _match(session, ["domestic_violence"], ["mix"], "Ventura", 10)
    fjc = next(m for m in dv.results if m.organization.name.endswith("Family Justice Center"))
    assert fjc.via_interpreter is True
    assert ("interpreter", "mix", ("en", "es")) in fjc.concerns
    direct = next(m for m in dv.results if m.service.name.startswith("Domestic violence and"))
    assert direct.via_interpreter is False
    assert ("speaks", "mix") in direct.fit


def test_age_is_a_rule_where_the_listing_states_it(session):
    (barrier,) = _match(session, ["disability_special_ed"], ["en"], "Oxnard", 4)
    assert "Early Start (birth to 3)" not in _names(barrier.results)
    assert "Help Me Grow" in _names(barrier.results)
    early = next(m for m in barrier.also_consider if m.service.name.startswith("Early Start"))
    assert early.kind == "age" and ("age", 0, 2, 4) in early.failed
    (unknown,) = _match(session, ["disability_special_ed"], ["en"], "Oxnard")
    early = next(m for m in unknown.also_consider if m.service.name.startswith("Early Start"))
    assert early.kind == "age_unknown"


def test_documents_and_fees_are_rules_for_the_family_that_asked(session):
    from matcher.models import RequiredDocument, Service

    pantry = session.get(Service, _service_id("la-hermandad-hank-lacayo/lh-food"))
    session.add(RequiredDocument(service=pantry, document="Proof of income"))
    dentist = session.get(Service, _service_id(DENTAL))
    dentist.cost = "fee"
    session.commit()
    (food,) = _match(session, ["food_insecurity"], ["es"], "Oxnard", 9, no_documents=True)
    assert pantry.id not in {m.id for m in food.results}
    assert {m.id: m.kind for m in food.also_consider}.get(pantry.id) == "documents"
    assert all(("documents_unknown",) in m.concerns for m in food.results)  # listings silent
    (food,) = _match(session, ["food_insecurity"], ["es"], "Oxnard", 9)
    listed = next(m for m in food.results if m.id == pantry.id)
    assert ("documents",) in listed.concerns
    (dental,) = _match(session, ["dental"], ["en"], "Oxnard", 9)
    assert dental.results == [] and dental.no_match.why == ("cost",)
    assert [(m.id, m.kind) for m in dental.also_consider] == [(dentist.id, "fee")]


def test_distance_is_shown_only_between_two_addresses(session):
    from matcher.models import Service

    (food,) = _match(session, ["food_insecurity"], ["es"], "93030", 9)
    assert all(m.distance_mi is None for m in food.results)
    assert all(f[0] != "distance" for m in food.results for f in m.fit)
    assert {f[0] for m in food.results for f in m.fit} & {"same_zip", "area", "in_city"}
    service = session.get(Service, _service_id("micop/micop-community-meetings"))
    location = service.locations[0]
    location.coordinates_source = "source"  # a geocoded street address
    session.commit()
    point = f"{location.latitude + 0.01},{location.longitude}"
    (food,) = _match(session, ["food_insecurity"], ["es"], point, 9)
    micop = next(m for m in food.results if m.id == service.id)
    assert micop.distance_mi == pytest.approx(0.7, abs=0.1)
    assert ("distance", micop.distance_mi) in micop.fit


def test_bundle_covers_every_served_barrier_with_the_fewest_organizations(session):
    result = matching.match_family(
        session,
        _profile(["benefits_enrollment", "health_coverage", "food_insecurity"], ["es"],
                 "Santa Paula", 9),
    )
    covered = [code for item in result.bundle for code in item.covers]
    assert sorted(covered) == sorted(["benefits_enrollment", "health_coverage", "food_insecurity"])
    assert len(result.bundle) == 1
    assert result.bundle[0].organization.name == "Ventura County Human Services Agency"


def test_bad_input_is_refused_with_the_field_named():
    with pytest.raises(matching.ProfileError) as error:
        matching.parse_profile(["dental"], "klingon")
    assert error.value.field == "language"
    with pytest.raises(matching.ProfileError) as error:
        matching.parse_profile([], "es")
    assert error.value.field == "barriers"
    with pytest.raises(matching.ProfileError) as error:
        matching.parse_profile(["dental"], "es", no_documents="yes")
    assert error.value.field == "no_documents"


def _sign_in(client, session, role: str) -> User:
    user = User(email=f"{role}@example.org", role=role, name=role)
    session.add(user)
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True
    return user


SERVICE_KEYS = {
    "id", "name", "organization", "score", "distance_mi", "languages", "via_interpreter",
    "meets", "fit", "concerns",
}  # fmt: skip


def test_match_api_needs_a_school_role_and_answers_in_spanish(client, session):
    body = {"barriers": ["food_insecurity", "vision"], "language": "es", "near": "Oxnard",
            "age": 9}  # fmt: skip
    refused = client.post("/api/v1/match", json=body)
    assert refused.status_code == 401
    assert "error" in refused.get_json()
    _sign_in(client, session, "coordinator")
    answer = client.post("/api/v1/match?lang=es", json=body).get_json()
    food, vision = answer["barriers"]
    first = food["results"][0]
    assert set(first) == SERVICE_KEYS
    assert "Gratis" in {f for r in food["results"] for f in r["fit"]}
    assert any(r["meets"].startswith("Despensa de alimentos") for r in food["results"])
    assert food["no_match"] is None
    for option in food["also_consider"]:
        assert set(option) == SERVICE_KEYS | {"why", "why_label"} and option["concerns"]
    assert vision["results"] == []
    assert vision["no_match"]["reason"] == "no_service"
    assert "directorio" in vision["no_match"]["message"]


def test_the_openapi_document_describes_the_body_the_api_returns(client, session):
    from jsonschema import Draft202012Validator

    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/v1/match"]["post"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/MatchResult"}
    assert "no_documents" in operation["requestBody"]["content"]["application/json"][
        "schema"]["properties"]  # fmt: skip
    schema = {**response, "components": document["components"]}
    _sign_in(client, session, "liaison")
    for body in (
        {"barriers": ["mental_health_crisis", "abuse_neglect", "dental", "vision"],
         "language": "mix", "near": "Piru", "age": 9},
        {"barriers": ["food_insecurity", "chronic_absenteeism"], "language": ["es"],
         "near": "93030", "no_documents": True},
    ):  # fmt: skip
        answer = client.post("/api/v1/match?lang=es", json=body).get_json()
        Draft202012Validator(schema).validate(answer)


def test_match_api_refuses_partners_and_unknown_barriers(client, session):
    _sign_in(client, session, "partner")
    assert client.post("/api/v1/match", json={"barriers": ["dental"]}).status_code == 403


def test_match_api_explains_an_unknown_barrier(client, session):
    _sign_in(client, session, "liaison")
    response = client.post("/api/v1/match", json={"barriers": ["flying"]})
    assert response.status_code == 400
    assert "flying" in response.get_json()["error"]["message"]


def test_the_command_prints_what_the_api_returns(client, session, runner):
    args = ["--barrier", "dental", "--barrier", "mental_health", "--language", "es",
            "--near", "Oxnard", "--age", "9", "--no-documents"]  # fmt: skip
    printed = runner.invoke(args=["match", *args, "--lang", "es", "--json"])
    assert printed.exit_code == 0, printed.output
    _sign_in(client, session, "coordinator")
    body = {"barriers": ["dental", "mental_health"], "language": "es", "near": "Oxnard",
            "age": 9, "no_documents": True}  # fmt: skip
    answered = client.post("/api/v1/match?lang=es", json=body).get_json()
    assert json.loads(printed.output) == answered
    text = runner.invoke(args=["match", *args, "--lang", "es"]).output
    dental = answered["barriers"][0]
    assert dental["no_match"]["message"] in text
    assert dental["also_consider"][0]["name"] in text and "También considere" in text


def test_a_listing_edit_changes_the_very_next_match(session):
    from matcher.models import Language, Service

    (dental,) = _match(session, ["dental"], ["mix"], "Oxnard", 9)
    assert dental.results == []
    assert {f[0] for f in dental.also_consider[0].failed} == {"language"}
    service = session.get(Service, _service_id(DENTAL))
    service.languages.append(Language(code="mix", name="Mixteco"))
    session.commit()
    (result,) = _match(session, ["dental"], ["mix"], "Oxnard", 9)[0].results
    assert result.id == service.id
    assert ("speaks", "mix") in result.fit
    service.status = "inactive"
    session.commit()
    (dental,) = _match(session, ["dental"], ["mix"], "Oxnard", 9)
    assert dental.results == []
    assert dental.no_match.reason == "rules" and "status" in dental.no_match.why
    assert ("status", "inactive") in dental.also_consider[0].failed


def test_an_uncommitted_edit_is_seen_by_its_own_session_only(session):
    from sqlalchemy.orm import Session

    from matcher.models import Service

    def first(s):
        (dental,) = _match(s, ["dental"], ["en"], "Oxnard", 9)
        return dental.results[0].id if dental.results else None

    assert first(session) == _service_id(DENTAL)
    session.get(Service, _service_id(DENTAL)).status = "inactive"
    session.flush()
    assert first(session) is None
    with Session(session.get_bind()) as other:
        assert first(other) == _service_id(DENTAL)
    session.rollback()
    assert first(session) == _service_id(DENTAL)


def test_after_edits_the_refreshed_directory_table_equals_a_fresh_read(session):
    """The table re-reads only changed services; it must end up exactly as a full read."""
    from sqlalchemy import select

    from matcher.matching import table as match_index
    from matcher.models import Location, Organization, RequiredDocument, Service, TaxonomyTerm

    match_index.directory_table(session)  # cached before the edits
    services = session.scalars(select(Service).order_by(Service.name)).all()
    services[0].organization.published = False
    services[1].status = "inactive"
    services[2].taxonomy_terms = services[2].taxonomy_terms[1:]
    services[3].taxonomy_terms.append(session.scalars(select(TaxonomyTerm)).first())
    session.delete(services[4])
    session.add(RequiredDocument(service=services[5], document="Photo ID"))
    location = session.scalars(select(Location).where(Location.latitude.is_not(None))).first()
    location.latitude += 0.05
    session.commit()
    refreshed = match_index.directory_table(session)
    fresh = match_index.build_table(session, match_index.outbox_version(session))
    assert refreshed.version == fresh.version
    assert refreshed.services == fresh.services
    for lookup in ("by_term", "by_language", "by_area", *match_index.FLAGS):
        filed = getattr(refreshed, lookup)
        if isinstance(filed, dict):
            filed = {key: ids for key, ids in filed.items() if ids}
        assert filed == getattr(fresh, lookup), lookup
    oxnard = geo.resolve_place("Oxnard")
    assert refreshed.within(oxnard, 15) == fresh.within(oxnard, 15)
    assert refreshed.covering(oxnard) == fresh.covering(oxnard)
    assert refreshed.services[services[5].id].documents
    hidden = session.get(Organization, services[0].organization_id)
    assert not any(row.organization_id == hidden.id for row in refreshed.services.values())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"barriers": ["dental"], "language": 121}', "language"),
        ('{"barriers": ["dental"], "language": true}', "language"),
        ('{"barriers": ["dental"], "language": 3.7}', "language"),
        ('{"barriers": ["dental"], "language": NaN}', "language"),
        ('{"barriers": ["dental"], "language": [1]}', "language"),
        ('{"barriers": ["dental"], "age": Infinity}', "age"),
        ('{"barriers": ["dental"], "age": 121}', "age"),
        ('{"barriers": ["dental"], "near": {"zip": 93030}}', "near"),
        ('{"barriers": "dental"}', "barriers"),
        ('{"barriers": [null]}', "barriers"),
        ('{"language": "es"}', "barriers"),
        ('{"barriers": ' + "[" * 5000 + "]" * 5000 + "}", "barriers"),
    ],
)
def test_a_match_body_that_breaks_the_schema_is_a_400_naming_the_field(
    client, session, body, field
):
    _sign_in(client, session, "coordinator")
    response = client.post("/api/v1/match", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    if body.count("[") < 100:
        assert error["field"] == field and error["reason"]
        assert error["message"].startswith(field)
