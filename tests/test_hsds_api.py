"""The HSDS 3.0 API under /api/hsds/ and the OpenAPI document, on one shared seeded copy.

Every test here only reads, so the module shares one database copy and one app.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import select

from matcher.directory.taxonomy import term_id
from matcher.hsds import schema
from matcher.models import Organization, Service, ServiceAtLocation, TaxonomyTerm
from matcher.search.index import INDEX_NAME
from tests.hsds_support import app_on, database_copy

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}  # fmt: skip


@pytest.fixture(scope="module")
def api_app(database_template, built_search_index, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hsds-api")
    with database_copy(database_template, tmp) as url, app_on(url, tmp) as app:
        shutil.copytree(built_search_index, Path(app.config["ENLACE_INDEX_DIR"]) / INDEX_NAME)
        yield app


@pytest.fixture(scope="module")
def api(api_app):
    return api_app.test_client()


@pytest.fixture(scope="module")
def db_session(api_app):
    from sqlalchemy.orm import Session

    from matcher.extensions import db

    with api_app.app_context():
        engine = db.engine
    with Session(engine) as session:
        yield session


def get(api, url: str, status: int = 200) -> dict:
    response = api.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def assert_page(body: dict, list_schema: str) -> None:
    assert set(body) == PAGE_KEYS
    for item in body["contents"]:
        assert schema.errors(list_schema, item) == []


def test_the_root_names_the_hsds_version_and_the_openapi_document(api):
    body = get(api, "/api/hsds/")
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/openapi.json")


def test_services_are_paginated_in_the_official_page_wrapper(api, db_session):
    body = get(api, "/api/hsds/services?per_page=7&page=2")
    published = db_session.scalar(
        select(Service.id).join(Organization).where(Organization.published.is_(True)).limit(1)
    )
    assert published
    assert body["total_items"] == 145 and body["total_pages"] == 21
    assert body["page_number"] == 2 and body["size"] == 7
    assert not body["first_page"] and not body["last_page"] and not body["empty"]
    assert_page(body, "compiled/service_list")
    assert all(s["organization"]["name"] for s in body["contents"])
    last = get(api, "/api/hsds/services?per_page=7&page=21")
    assert last["last_page"] and last["size"] == 145 - 20 * 7


def test_full_services_and_one_service_validate_against_the_service_schema(api):
    body = get(api, "/api/hsds/services?full=true&per_page=40")
    assert body["size"] == 40
    for service in body["contents"]:
        assert schema.errors("service", service) == []
    one = get(api, f"/api/hsds/services/{body['contents'][0]['id']}")
    assert one == body["contents"][0]
    located = [s for s in body["contents"] if s.get("service_at_locations")]
    assert located[0]["service_at_locations"][0]["location"]["addresses"]


def test_minimal_services_carry_only_the_id_and_modification_time(api):
    body = get(api, "/api/hsds/services?minimal=true&per_page=200")
    assert body["size"] == 145
    assert set(body["contents"][0]) <= {"id", "name", "status", "last_modified"}


def test_search_uses_the_search_engine_and_combines_with_other_filters(api, db_session):
    food = get(api, "/api/hsds/services?search=food&per_page=100")
    assert food["total_items"] > 3
    assert any("food" in json.dumps(s).lower() for s in food["contents"][:5])
    org_id = food["contents"][0]["organization"]["id"]  # nested, as the official list shows
    both = get(api, f"/api/hsds/services?search=food&organization_id={org_id}&per_page=100")
    assert 1 <= both["total_items"] <= food["total_items"]
    assert {s["organization"]["id"] for s in both["contents"]} == {org_id}
    spanish = get(api, "/api/hsds/services?search=comida&per_page=100")
    assert spanish["total_items"] > 0  # the engine searches Spanish text too


def test_the_readme_quotes_the_search_count_the_api_answers(api):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"`services\?search=food` answers `total_items` (\d+)", readme)
    assert quoted, "README no longer quotes the search=food figure"
    assert get(api, "/api/hsds/services?search=food&per_page=1")["total_items"] == int(quoted[1])


def test_taxonomy_filters_include_narrower_terms(api, db_session):
    food_term = db_session.get(TaxonomyTerm, term_id("1102"))  # Open Eligibility "Food"
    assert food_term is not None and food_term.name == "Food"
    body = get(api, f"/api/hsds/services?taxonomy_term_id={food_term.id}&per_page=100")
    assert body["total_items"] > 0
    pantry = get(api, f"/api/hsds/services?taxonomy_term_id={term_id('1130')}&per_page=100")
    assert 0 < pantry["total_items"] <= body["total_items"]
    by_taxonomy = get(api, f"/api/hsds/services?taxonomy_id={food_term.taxonomy_id}&per_page=1")
    assert by_taxonomy["total_items"] >= body["total_items"]


def test_modified_after_filters_and_bad_values_are_clear_400s(api):
    assert get(api, "/api/hsds/services?modified_after=2000-01-01")["total_items"] == 145
    assert get(api, "/api/hsds/services?modified_after=2999-01-01T00:00:00Z")["empty"]
    for query, words in [
        ("modified_after=yesterday", "modified_after must be an ISO 8601"),
        ("page=0", "page must be between 1"),
        ("per_page=abc", "per_page must be a whole number"),
        ("full=maybe", "full must be true or false"),
        ("format=xml", "format must be 'json'"),
        ("full=true&minimal=true", "either full or minimal"),
    ]:
        body = get(api, f"/api/hsds/services?{query}", 400)
        assert words in body["error"]["message"]


def test_organizations_list_and_detail_with_their_services(api, db_session):
    body = get(api, "/api/hsds/organizations?per_page=100")
    published = db_session.scalars(select(Organization).where(Organization.published)).all()
    assert body["total_items"] == len(published) == 55
    assert_page(body, "compiled/organization_list")
    org = get(api, f"/api/hsds/organizations/{body['contents'][0]['id']}?full_service=true")
    assert schema.errors("organization", org) == []
    assert org["services"] and all(schema.errors("service", s) == [] for s in org["services"])
    found = get(api, "/api/hsds/organizations?search=211")
    assert found["contents"][0]["name"] == "2-1-1 Ventura County"


def test_unpublished_organizations_and_their_services_are_hidden(api, api_app, db_session):
    service = db_session.scalars(select(Service).order_by(Service.id)).first()
    org = service.organization
    org.published = False
    db_session.commit()
    try:
        get(api, f"/api/hsds/organizations/{org.id}", 404)
        get(api, f"/api/hsds/services/{service.id}", 404)
        listed = get(api, "/api/hsds/services?per_page=200")
        assert service.id not in {s["id"] for s in listed["contents"]}
    finally:
        org.published = True
        db_session.commit()


def test_taxonomies_and_terms_validate_and_filter(api):
    taxonomies = get(api, "/api/hsds/taxonomies")
    names = {t["name"] for t in taxonomies["contents"]}
    assert {"Open Eligibility", "Enlace listing facts"} <= names
    for taxonomy in taxonomies["contents"]:
        assert schema.errors("taxonomy", taxonomy) == []
        assert get(api, f"/api/hsds/taxonomies/{taxonomy['id']}") == taxonomy
    top = get(api, "/api/hsds/taxonomy_terms?top_only=true&per_page=200")
    assert top["total_items"] > 5 and all("parent_id" not in t for t in top["contents"])
    for term in top["contents"]:
        assert schema.errors("taxonomy_term", term) == []
    food = term_id("1102")
    children = get(api, f"/api/hsds/taxonomy_terms?parent_id={food}&per_page=200")
    assert children["total_items"] > 1 and {t["parent_id"] for t in children["contents"]} == {food}
    one = get(api, f"/api/hsds/taxonomy_terms/{food}")
    assert one["name"] == "Food" and one["taxonomy_detail"]["name"] == "Open Eligibility"


def test_service_at_locations_filter_by_postcode_and_proximity(api, db_session):
    everything = get(api, "/api/hsds/service_at_locations?per_page=200")
    assert everything["total_items"] == db_session.query(ServiceAtLocation).count()
    assert_page(everything, "compiled/service_at_location_list")
    near = get(api, "/api/hsds/service_at_locations?postcode=93030&proximity=3000&per_page=200")
    far = get(api, "/api/hsds/service_at_locations?postcode=93030&proximity=30000&per_page=200")
    assert 0 < near["total_items"] < far["total_items"] <= everything["total_items"]
    covered = get(api, "/api/hsds/service_at_locations?postcode=93030&per_page=200")
    assert 0 < covered["total_items"] < everything["total_items"]
    one = get(api, f"/api/hsds/service_at_locations/{near['contents'][0]['id']}")
    assert schema.errors("service_at_location", one) == []
    assert one["location"]["addresses"]
    for query, words in [
        ("proximity=100", "proximity needs a postcode"),
        ("postcode=ABC", "5-digit ZIP code"),
        ("postcode=10001", "outside California"),
        ("postcode=93030&proximity=far", "number of meters"),
    ]:
        assert words in get(api, f"/api/hsds/service_at_locations?{query}", 400)["error"]["message"]


def test_cors_preflight_is_answered_for_any_origin(api):
    response = api.options(
        "/api/hsds/services",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_the_openapi_document_is_self_contained_and_lists_hsds_and_enlace_routes(api):
    document = get(api, "/api/openapi.json")
    assert document["openapi"] == "3.1.0"
    assert {"/api/hsds/services", "/api/hsds/service_at_locations/{id}", "/api/v1/search",
            "/api/v1/match", "/api/v1/taxonomy/terms"} <= set(document["paths"])  # fmt: skip
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            refs.update(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    for ref in refs:
        assert ref.rsplit("/", 1)[1] in document["components"][ref.split("/")[2]]


def test_no_operation_answers_with_a_server_error(api_app):
    """Schemathesis against the app in-process: any status but 5xx (match is unauthenticated)."""
    api_schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate(checks=[not_a_server_error])
            if case.operation.path == "/api/v1/match":
                assert response.status_code in (400, 401, 403)

        check()
