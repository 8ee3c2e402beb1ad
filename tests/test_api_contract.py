"""The OpenAPI document and the server agree: paging limits, strict booleans and enums,
empty values refused, TRACE answered 405 with Allow (issue 18, finding 7)."""

from __future__ import annotations

import pytest

from matcher.web.openapi import document

LISTS = ["/api/hsds/services", "/api/hsds/organizations", "/api/hsds/taxonomies",
         "/api/hsds/taxonomy_terms", "/api/hsds/service_at_locations", "/api/v1/search"]


def _parameter(path: str, name: str) -> dict:
    doc = document()
    for parameter in doc["paths"][path]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = doc["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        if parameter["name"] == name:
            return parameter["schema"]
    raise AssertionError(f"{path} has no {name}")


@pytest.mark.parametrize("path", LISTS)
def test_paging_limits_in_the_document_are_the_ones_the_server_enforces(client, path):
    for name in ("page", "per_page"):
        limits = _parameter(path, name)
        low, high = limits["minimum"], limits["maximum"]
        assert client.get(f"{path}?{name}={high}").status_code == 200
        for bad in (low - 1, high + 1, "", "1.5", "x"):
            response = client.get(f"{path}?{name}={bad}")
            assert response.status_code == 400, (name, bad)
            assert name in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "documented"),
    [
        ("/api/v1/search?q=food&free={}", ("/api/v1/search", "free")),
        ("/api/hsds/services?full={}", ("/api/hsds/services", "full")),
        ("/api/hsds/taxonomy_terms?top_only={}", ("/api/hsds/taxonomy_terms", "top_only")),
        ("/api/hsds/organizations?full_service={}", ("/api/hsds/organizations", "full_service")),
    ],
)
def test_booleans_take_only_the_documented_values(client, query, documented):
    schema = _parameter(*documented)
    accepted = schema.get("enum") or ["true", "false"]
    for value in accepted:
        assert client.get(query.format(value)).status_code == 200, value
    for value in ("", "yes", "on", "TRUE1", "null", "2"):
        if value not in accepted:
            assert client.get(query.format(value)).status_code == 400, value


@pytest.mark.parametrize(
    "query",
    ["/api/hsds/services?format=", "/api/hsds/services?format=ndjson",
     "/api/v1/search?q=food&lang=null", "/api/v1/taxonomy/terms?q=food&lang=null",
     "/api/v1/search?q=food&age=", "/api/v1/search?q=food&radius_mi=",
     "/api/hsds/service_at_locations?postcode=ABCDE", "/api/hsds/service_at_locations?postcode="],
)
def test_values_outside_the_documented_enum_or_pattern_are_refused(client, query):
    assert client.get(query).status_code == 400


def test_the_search_page_still_ignores_the_empty_fields_a_form_sends(client):
    page = client.get("/search?q=food&age=&near=&free=&lang=es")
    assert page.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/search", "/", "/api/hsds/services", "/login"])
def test_trace_is_405_with_the_allowed_methods(client, path):
    response = client.open(path, method="TRACE")
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "TRACE" not in allowed
