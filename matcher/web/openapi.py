"""Enlace's OpenAPI 3.1 document: the official HSDS 3.0 API plus Enlace's ``/api/v1/`` routes.

The HSDS paths, parameters and ``Page`` come from the vendored official
``openapi.json``, moved under ``/api/hsds``. Every HSDS schema it names is copied
into ``components/schemas`` and each ``$ref`` (a file name or an upstream URL) is
rewritten to point there, so the document is self-contained: nothing is fetched.

Two upstream references name ``compiled/service.json`` and ``compiled/organization.json``:
the official 3.0 repository ships them (2.3 and 3.5 MB, every reference inlined), but
Enlace vendors only the small compiled schemas, so they point to the ``service`` and
``organization`` schemas, which describe the same objects. ``/service_at_locations/{id}``
answers a service_at_location, so its schema is ``service_at_location`` (upstream says
service).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from matcher.hsds import HSDS_VERSION, api_queries, schema
from matcher.matching.profile import MATCH_REQUEST, MAX_AGE
from matcher.search import request as search_request

HSDS_PREFIX = "/api/hsds"
# Large compiled schemas that are not vendored -> the schema each stands for.
NOT_VENDORED = {"compiled/service": "service", "compiled/organization": "organization"}


def _schema_name(ref: str) -> str | None:
    """The components name for a reference to an HSDS schema file, else None."""
    path = ref.removeprefix(schema.UPSTREAM)
    if not path.endswith(".json") or "#" in path or "://" in path:
        return None
    stem = path.removesuffix(".json")
    stem = NOT_VENDORED.get(stem, stem)
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
_OBJECTS = {"type": "array", "items": {"type": "object"}}
_TEXTS = {"type": "array", "items": {"type": "string"}}
_NAMED = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
}

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# What POST /api/v1/match and `flask match --json` return (matcher/web/match_view.py).
MATCH_SCHEMAS: dict[str, Any] = {
    "MatchService": {
        "type": "object",
        "description": "A service for one barrier, every text in the request's language.",
        "required": [
            "id", "name", "organization", "score", "distance_mi", "languages",
            "via_interpreter", "meets", "fit", "concerns",
        ],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": ["string", "null"]},
            "organization": _NAMED,
            "score": {"type": "number"},
            "distance_mi": {
                "type": ["number", "null"],
                "description": "Miles, only when the family's place and the service's "
                "location are both real addresses (else null: see `fit`).",
            },
            "languages": _TEXTS,
            "via_interpreter": {"type": "boolean"},
            "meets": {
                "type": "string",
                "description": "What in the service meets the barrier: its kinds of help "
                "(taxonomy terms) and its name.",
            },
            "fit": {
                **_TEXTS,
                "description": "What suits the family: language, reach (distance, 'In your "
                "ZIP code', 'Countywide', 'By phone'), cost, ages, hours, documents.",
            },
            "concerns": {
                **_TEXTS,
                "description": "What may not fit: for a service to also consider, first the "
                "rules it fails.",
            },
            "why": {
                "type": "string",
                "enum": [
                    "related", "outside_area", "too_far", "age", "age_unknown", "adults_only",
                    "language", "documents", "fee", "status", "not_accepting",
                ],
                "description": "Only under `also_consider`: why the service is weaker.",
            },
            "why_label": {"type": "string"},
        },
    },
    "MatchBarrier": {
        "type": "object",
        "required": ["code", "name", "urgent", "results", "also_consider", "no_match"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "urgent": {"type": ["string", "null"], "enum": ["crisis", "mandated_report", None]},
            "results": {
                "type": "array",
                "items": _ref("MatchService"),
                "description": "Only services that meet the barrier and pass every rule the "
                "listings state for this family, best first; crisis lines first.",
            },
            "also_consider": {
                "type": "array",
                "items": _ref("MatchService"),
                "description": "Weaker candidates, shown apart: out of reach, another age, "
                "eligibility unknown, another language, documents, a fee; a related topic "
                "when nothing meets the barrier.",
            },
            "no_match": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["reason", "why", "message"],
                        "properties": {
                            "reason": {
                                "type": "string",
                                "enum": ["not_matched_directly", "no_service", "rules"],
                            },
                            "why": {
                                "type": "array",
                                "items": {
                                    "type": "string",
                                    "enum": [
                                        "reach", "language", "age", "documents", "cost",
                                        "status", "referrals",
                                    ],
                                },
                            },
                            "message": {"type": "string"},
                        },
                    },
                ]
            },
        },
    },
    "MatchResult": {
        "type": "object",
        "required": ["urgent", "barriers", "bundle"],
        "properties": {
            "urgent": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "barrier", "phone", "message", "lines", "services"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["crisis", "mandated_report"]},
                        "barrier": {"type": "string"},
                        "phone": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                        "lines": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "phone": {"type": "string"},
                                },
                            },
                        },
                        "services": _TEXTS,
                    },
                },
            },
            "barriers": {"type": "array", "items": _ref("MatchBarrier")},
            "bundle": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["organization", "services", "covers"],
                    "properties": {
                        "organization": _NAMED,
                        "services": _TEXTS,
                        "covers": _TEXTS,
                    },
                },
            },
        },
    },
}  # fmt: skip

ENLACE_PATHS: dict[str, Any] = {
    "/api/v1/search": {
        "get": {
            "tags": ["Enlace"],
            "operationId": "searchServices",
            "summary": "Search the directory (the search page's engine).",
            "parameters": [
                _query("q", "string", "What the family needs, in English or Spanish."),
                _query("lang", "string", "Language of labels and snippets.", enum=["en", "es"]),
                _query("near", "string", "ZIP code, California place or 'lat,lon'."),
                _query(
                    "radius_mi", "number", "Radius around `near`, in miles (default 10).",
                    exclusiveMinimum=0, maximum=search_request.MAX_RADIUS_MI,
                ),
                _query("category", "string", "Taxonomy term code, id or English name."),
                _query("language", "string", "Language offered (code or name)."),
                _query("county", "string", "A county of the region: listings in or serving it."),
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
                    _ref("MatchResult"),
                    "Urgent notices first; per barrier the services that meet it, the "
                    "ones to also consider and an honest no-match; then a bundle. "
                    "`flask --app wsgi match --json` prints the same body.",
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
    components["schemas"].update(MATCH_SCHEMAS)
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
            "summary": "County services for community-school families.",
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
