"""Search: the page, ``GET /api/v1/search`` and the ``reindex`` / ``search`` commands.

All three parse parameters with ``engine.request_from_params`` and call
``engine.search``, so the page, the API and the CLI answer the same query the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from matcher.directory import languages, taxonomy
from matcher.extensions import db
from matcher.search import engine, index
from matcher.web.errors import bad_request
from matcher.web.i18n import current_locale

bp = Blueprint("search", __name__)

PARAMS = ("q", "near", "radius_mi", "category", "language", "open", "free", "age", "sort")
OPEN_CHOICES = (
    ("", _l("Any time")),
    ("now", _l("Open now")),
    ("evenings", _l("Evenings")),
    ("weekends", _l("Weekends")),
    ("saturday", _l("Saturdays")),
)


def run_search(params: Any, locale: str) -> engine.SearchResponse:
    """Parse and run a search against the app's index (raises engine.SearchError)."""
    search_request = engine.request_from_params(params, locale)
    return engine.search(db.session, index.get_index(current_app), search_request)


def _link(args: dict[str, str], **changes: Any) -> str:
    merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "")}
    return url_for("search.page") + "?" + urlencode(merged)


@bp.get("/search")
def page():
    locale = current_locale()
    args = {k: request.args.get(k, "").strip() for k in PARAMS if request.args.get(k, "").strip()}
    response, error = None, None
    if args:
        try:
            response = run_search(request.args, locale)
        except engine.SearchError as failure:
            error = str(failure)
    context = {
        "args": args,
        "response": response,
        "error": error,
        "categories": [(t.id, t.label(locale)) for t in taxonomy.top_level_terms(db.session)],
        "language_choices": sorted(
            ((code, languages.name(code, locale)) for code in languages.LANGUAGES),
            key=lambda item: item[1].casefold(),
        ),
        "open_choices": OPEN_CHOICES,
        "suggestion_url": _link(args, q=response.suggestion, page=None)
        if response and response.suggestion
        else None,
        "category_links": [
            (f["label"], f["count"], _link(args, category=f["id"], page=None))
            for f in (response.facets["category"] if response else [])
        ],
        "language_links": [
            (f["label"], f["count"], _link(args, language=f["code"], page=None))
            for f in (response.facets["language"] if response else [])
        ],
        "previous_url": _link(args, page=response.page - 1)
        if response and response.page > 1
        else None,
        "next_url": _link(args, page=response.page + 1)
        if response and response.page < response.pages
        else None,
    }
    return render_template("search/page.html", **context), 400 if error else 200


@bp.get("/api/v1/search")
def api():
    try:
        response = run_search(request.args, current_locale())
    except engine.SearchError as failure:
        raise bad_request(str(failure)) from None
    return jsonify(response.to_dict())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
