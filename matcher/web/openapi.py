"""Enlace's OpenAPI 3.1 document: the official HSDS 3.0 API plus Enlace's ``/api/v1/`` routes.

The HSDS paths, parameters and ``Page`` come from the vendored official
``openapi.json``, moved under ``/api/hsds``. Every HSDS schema it names is copied
into ``components/schemas`` and each ``$ref`` (a file name or an upstream URL) is
rewritten to point there, so the document is self-contained: nothing is fetched.

Two upstream references name files the 3.0 release does not contain
(``compiled/service.json``, ``compiled/organization.json``): they point to the
``service`` and ``organization`` schemas. ``/service_at_locations/{id}`` answers a
service_at_location, so its schema is ``service_at_location`` (upstream says service).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from matcher.hsds import HSDS_VERSION, api_queries, schema
from matcher.matching.engine import MAX_AGE, MAX_BARRIERS
from matcher.search import request as search_request

HSDS_PREFIX = "/api/hsds"
MISSING_UPSTREAM = {"compiled/service": "service", "compiled/organization": "organization"}


def _schema_name(ref: str) -> str | None:
    """The components name for a reference to an HSDS schema file, else None."""
    path = ref.removeprefix(schema.UPSTREAM)
    if not path.endswith(".json") or "#" in path or "://" in path:
        return None
    stem = path.removesuffix(".json")
    stem = MISSING_UPSTREAM.get(stem, stem)
    return stem.replace("compiled/", "")


def _rewrite(node: Any, found: set[str]) -> Any:
    """A copy of ``node`` with HSDS file references pointing into components."""
    if isinstance(node, list):
        return [_rewrite(item, found) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        name = _schema_name(value) if key == "$ref" and isinstance(value, str) else None
        if name:
            found.add(name)
            out[key] = f"#/components/schemas/{name}"
        elif key != "$schema":
            out[key] = _rewrite(value, found)
    return out


def _file_for(name: str) -> str:
    return f"compiled/{name}" if name.endswith("_list") else name


def _bundle(paths: dict[str, Any], components: dict[str, Any]) -> tuple[dict, dict]:
    """Rewrite refs in paths and components, then pull in every schema they reach."""
    found: set[str] = set()
    paths = _rewrite(paths, found)
    components = _rewrite(components, found)
    done: set[str] = set()
    while found - done:
        name = sorted(found - done)[0]
        done.add(name)
        components["schemas"][name] = _rewrite(schema.schema(_file_for(name)), found)
    return paths, components


def _hsds_paths(upstream: dict[str, Any]) -> dict[str, Any]:
    paths = {}
    for path, item in upstream["paths"].items():
        item = copy.deepcopy(item)
        for operation in (v for k, v in item.items() if k in ("get", "post")):
            operation.setdefault("tags", ["HSDS 3.0"])
            operation.setdefault("responses", {}).update(_ERRORS)
        if path == "/service_at_locations/{id}":
            content = item["get"]["responses"]["200"]["content"]["application/json"]
            content["schema"] = {"$ref": schema.UPSTREAM + "service_at_location.json"}
        paths[HSDS_PREFIX + path] = item
    return paths


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "The input at fault, if one is."},
                "reason": {"type": "string"},
            },
        }
    },
}
_ERRORS = {
    "400": {
        "description": "A parameter is not valid; the message says which and why.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "404": {
        "description": "No such record (or its organization is not published).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}


def _query(name: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": kind, **extra},
    }


def _json(schema_: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema_}}}


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_NAME = {"type": "string", "minLength": 1, "maxLength": 80}
# The body of POST /api/v1/match: published here and enforced by matcher.web.match_api.
MATCH_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["barriers"],
    "properties": {
        "barriers": {"type": "array", "items": _NAME, "minItems": 1, "maxItems": MAX_BARRIERS},
        "language": {
            "oneOf": [_NAME, {"type": "array", "items": _NAME, "maxItems": 20}, {"type": "null"}]
        },
        "near": {"type": ["string", "null"], "maxLength": 200},
        "age": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_AGE},
    },
}
_OBJECTS = {"type": "array", "items": {"type": "object"}}

ENLACE_PATHS: dict[str, Any] = {
    "/api/v1/search": {
        "get": {
            "tags": ["Enlace"],
            "operationId": "searchServices",
            "summary": "Search the directory (the search page's engine).",
            "parameters": [
                _query("q", "string", "What the family needs, in English or Spanish."),
                _query("lang", "string", "Language of labels and snippets.", enum=["en", "es"]),
                _query("near", "string", "ZIP code, Ventura County place or 'lat,lon'."),
                _query(
                    "radius_mi", "number", "Radius around `near`, in miles (default 10).",
                    exclusiveMinimum=0, maximum=search_request.MAX_RADIUS_MI,
                ),
                _query("category", "string", "Taxonomy term code, id or English name."),
                _query("language", "string", "Language offered (code or name)."),
                _query("open", "string", "now, evenings, weekends or a weekday."),
                _query(
                    "free", "string", "Only free services.", enum=sorted(search_request.FLAGS)
                ),
                _query("age", "integer", "Age of the person served.", minimum=0, maximum=MAX_AGE),
                _query("sort", "string", "Order.", enum=list(search_request.SORTS)),
                _query(
                    "page", "integer", "Page number.", minimum=1, maximum=search_request.MAX_PAGE
                ),
                _query(
                    "per_page", "integer", "Results per page.",
                    minimum=1, maximum=search_request.MAX_PER_PAGE,
                ),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["total", "page", "per_page", "facets", "results"],
                        "properties": {
                            "total": {"type": "integer"},
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                            "suggestion": {"type": ["string", "null"]},
                            "unmatched_words": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "Query words no result mentions, as typed.",
                            },
                            "location": {"type": ["object", "null"]},
                            "facets": {"type": "object"},
                            "results": _OBJECTS,
                        },
                    },
                    "One page of ranked results with facets and a spelling suggestion.",
                ),
                "400": _json(_ERROR_REF, "A parameter is not valid."),
            },
        }
    },
    "/api/v1/match": {
        "post": {
            "tags": ["Enlace"],
            "operationId": "matchFamily",
            "summary": "Rank services for one family profile (school staff only).",
            "description": "Needs a signed-in coordinator, liaison or admin session; the "
            "session's CSRF token goes in the `X-CSRFToken` header.",
            "security": [{"session": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": MATCH_REQUEST
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["urgent", "barriers", "bundle"],
                        "properties": {
                            "urgent": _OBJECTS,
                            "barriers": _OBJECTS,
                            "bundle": _OBJECTS,
                        },
                    },
                    "Urgent notices first, then ranked services per barrier, then a bundle.",
                ),
                "400": _json(_ERROR_REF, "The profile is not valid."),
                "401": _json(_ERROR_REF, "Not signed in."),
                "403": _json(_ERROR_REF, "Signed in with a role that may not match."),
            },
        }
    },
    "/api/v1/taxonomy/terms": {
        "get": {
            "tags": ["Enlace"],
            "operationId": "suggestTaxonomyTerms",
            "summary": "Category search-as-you-type (names and aliases in both languages).",
            "parameters": [
                _query("q", "string", "Part of a category name."),
                _query("lang", "string", "Language of labels.", enum=["en", "es"]),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["terms"],
                        "properties": {
                            "terms": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "label": {"type": "string"},
                                        "group": {"type": ["string", "null"]},
                                    },
                                },
                            }
                        },
                    },
                    "Matching terms, best first.",
                ),
                "400": _json(_ERROR_REF, "An unknown language."),
            },
        }
    },
}


def _state_server_limits(parameters: dict[str, Any]) -> None:
    """Say in the shared HSDS parameters what ``matcher.hsds.api_queries`` enforces."""
    parameters["page"]["schema"] = {
        "type": "integer", "minimum": 1, "maximum": api_queries.MAX_PAGE, "default": 1
    }
    parameters["per_page"]["schema"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": api_queries.MAX_PER_PAGE,
        "default": api_queries.DEFAULT_PER_PAGE,
    }
    parameters["format"]["schema"] = {"type": "string", "enum": ["json"]}
    parameters["postcode"]["schema"] = {"type": "string", "pattern": "^[0-9]{5}$"}
    parameters["proximity"]["schema"] = {
        "type": "number", "exclusiveMinimum": 0, "maximum": api_queries.MAX_PROXIMITY_M
    }


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once per process)."""
    upstream = schema.openapi()
    components = copy.deepcopy(upstream["components"])
    _state_server_limits(components["parameters"])
    components["schemas"]["Error"] = _ERROR_SCHEMA
    components["securitySchemes"] = {
        "session": {"type": "apiKey", "in": "cookie", "name": "enlace_session"}
    }
    paths, components = _bundle({**_hsds_paths(upstream), **ENLACE_PATHS}, components)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": upstream["jsonSchemaDialect"],
        "info": {
            "title": "Enlace API",
            "version": "1.0",
            "summary": "Ventura County services for community-school families.",
            "description": f"The Open Referral HSDS {HSDS_VERSION} API under {HSDS_PREFIX}/ "
            "(read-only, public, CORS *) and Enlace's own /api/v1/ routes.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [
            {"name": "HSDS 3.0", "description": "Open Referral HSDS 3.0 API (CC BY-SA 4.0)."},
            {"name": "Enlace", "description": "Search, matching and category suggestions."},
        ],
        "paths": paths,
        "components": components,
    }
