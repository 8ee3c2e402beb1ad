"""The read-only HSDS 3.0 API under ``/api/hsds/`` and Enlace's ``/api/openapi.json``.

Views only parse the request and call ``matcher.hsds.api_queries``; every response
may be read from any origin (CORS ``*``), as the data is public.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from matcher.extensions import db
from matcher.hsds import api_queries
from matcher.search import index
from matcher.web import openapi
from matcher.web.errors import bad_request
from matcher.web.i18n import current_locale

bp = Blueprint("hsds_api", __name__, url_prefix="/api/hsds")
docs = Blueprint("openapi", __name__)


@bp.after_request
@docs.after_request
def allow_any_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _search() -> api_queries.Matcher:
    return api_queries.engine_search(db.session, index.get_index(current_app), current_locale())


def _answer(call: Any, *args: Any) -> Response:
    """Run one query; a bad parameter is a 400 and a missing record a 404 (both JSON)."""
    try:
        body = call(db.session, *args)
    except api_queries.QueryError as error:
        raise bad_request(str(error)) from None
    if body is None:
        raise NotFound()
    return jsonify(body)


@bp.get("/")
def root():
    return jsonify(api_queries.root(url_for("openapi.document", _external=True)))


@bp.get("/services")
def services():
    return _answer(api_queries.services, request.args, _search())


@bp.get("/services/<service_id>")
def service(service_id: str):
    return _answer(api_queries.service, service_id)


@bp.get("/organizations")
def organizations():
    return _answer(api_queries.organizations, request.args)


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    return _answer(api_queries.organization, organization_id, request.args)


@bp.get("/taxonomies")
def taxonomies():
    return _answer(api_queries.taxonomies, request.args)


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    return _answer(api_queries.taxonomy, taxonomy_id)


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    return _answer(api_queries.taxonomy_terms, request.args)


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    return _answer(api_queries.taxonomy_term, term_id)


@bp.get("/service_at_locations")
def service_at_locations():
    return _answer(api_queries.service_at_locations, request.args, _search())


@bp.get("/service_at_locations/<sal_id>")
def service_at_location(sal_id: str):
    return _answer(api_queries.service_at_location, sal_id)


@docs.get("/api/openapi.json")
def document():
    return jsonify(openapi.document())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(docs)
