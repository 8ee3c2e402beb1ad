"""Search: the page, ``GET /api/v1/search`` and the ``reindex`` / ``search`` commands.

All three parse parameters with ``engine.request_from_params`` and call
``engine.search``, so the page, the API and the CLI answer the same query the same way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from matcher import situations
from matcher.directory import county, languages, maps, taxonomy
from matcher.extensions import db
from matcher.search import engine, index
from matcher.search.notices import crisis_notice
from matcher.web.errors import bad_request
from matcher.web.i18n import current_locale

bp = Blueprint("search", __name__)

PARAMS = (
    "q", "near", "radius_mi", "category", "language", "county", "open", "free", "age", "sort",
    "drop",
)
OPEN_CHOICES = (
    ("", _l("Any time")),
    ("now", _l("Open now")),
    ("evenings", _l("Evenings")),
    ("weekends", _l("Weekends")),
    ("saturday", _l("Saturdays")),
)


def search_context() -> engine.SearchContext:
    """The county's crisis and help lines, and the key that hides rare query words."""
    secret = current_app.config.get("SECRET_KEY") or ""
    return engine.SearchContext.for_region(
        term_key=secret.encode() if isinstance(secret, str) else bytes(secret)
    )


def run_search(params: Any, locale: str) -> engine.SearchResponse:
    """Parse and run a search against the app's index (raises engine.SearchError)."""
    search_request = engine.request_from_params(params, locale)
    return engine.search(
        db.session, index.get_index(current_app), search_request, search_context()
    )


_SMS = re.compile(r"(?:\b([A-Za-z]+) to )?(\d{3,})")


def line_links(line: dict[str, Any], locale: str) -> dict[str, Any]:
    """A crisis line as the page shows it: ``tel:`` and ``sms:`` links, language names."""
    digits = re.sub(r"[^\d+]", "", line.get("phone") or "")
    sms = _SMS.search(line.get("text") or "")
    sms_href, sms_label = None, None
    if sms:
        keyword, number = sms.group(1), sms.group(2)
        sms_href = f"sms:{number}" + (f"?body={keyword}" if keyword else "")
        sms_label = (
            _("Text %(keyword)s to %(number)s", keyword=keyword, number=number)
            if keyword
            else _("Text %(number)s", number=number)
        )
    return {
        **line,
        "tel": f"tel:{digits}" if digits else None,
        "sms": sms_href,
        "sms_label": sms_label,
        "language_names": [languages.name(code, locale) for code in line.get("languages", ())],
    }


def crisis_in_words(text: str | None, locale: str, county_name: str | None = None) -> dict:
    """For a page that shows what someone wrote (a needs record's notes): the crisis
    notice its words call for, with the county's lines first; empty when there is none."""
    kind = situations.understand(text or "", locale).crisis if text else None
    if kind is None:
        return {}
    notice = crisis_notice(kind.kind, locale, county.lines_of(county_name))
    return {"crisis": notice, "crisis_lines": [line_links(ln, locale) for ln in notice["lines"]]}


def chip_links(args: dict[str, str], understood: dict[str, Any], locale: str) -> list[dict]:
    """Each understood chip with the link that searches again without it."""
    dropped = [d for d in (args.get("drop") or "").split(",") if d]
    chips = []
    for chip in understood.get("chips", ()):
        if chip["kind"] == "age":
            label = _("age %(age)d", age=chip["value"])
        elif chip["kind"] == "place":
            label = _("near %(place)s", place=chip["label"])
        else:
            label = chip["label"]
        remove = _link(args, drop=",".join([*dropped, chip["drop"]]), page=None)
        chips.append({"label": label, "remove_url": remove})
    return chips


SAME_SPOT_MI = 0.05  # closer than this to a ZIP or town centre: that centre, not a distance


def distance_labels(response: engine.SearchResponse | None) -> dict[str, str]:
    """Each result's distance as a family should read it: from a ZIP code's or a town's
    centre, a listing placed at that same centre is "in this ZIP code" / "in <town>", not
    "0.0 mi" (both ends are approximations)."""
    if response is None or not response.location:
        return {}
    location = response.location
    out = {}
    for r in response.results:
        if r.distance_mi is None:
            continue
        if r.distance_mi < SAME_SPOT_MI and location.get("kind") == "zip":
            out[r.id] = _("in this ZIP code")
        elif r.distance_mi < SAME_SPOT_MI and location.get("kind") == "place":
            out[r.id] = _("in %(place)s", place=location["label"])
        else:
            out[r.id] = _("%(miles)s mi", miles=r.distance_mi)
    return out


def results_map(response: engine.SearchResponse | None, county_name: str | None):
    """The page's small map: the searched place's county (else the filter's, else the
    home county), the place and the numbered results of this page."""
    if response is None or not response.results:
        return None
    location = response.location or {}
    name = next(
        (c for c in (location.get("county"), county_name) if maps.has_outline(c)),
        county.home().short_name,
    )
    here = location.get("point")
    points = [tuple(r.point) if r.point else None for r in response.results]
    first = (response.page - 1) * response.per_page + 1
    return maps.results_map(name, tuple(here) if here else None, points, first)


def _link(args: dict[str, str], **changes: Any) -> str:
    merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "")}
    return url_for("search.page") + "?" + urlencode(merged)


@bp.get("/search")
def page():
    locale = current_locale()
    args = {k: request.args.get(k, "").strip() for k in PARAMS if request.args.get(k, "").strip()}
    # A form sends its empty fields: the page reads only those filled in (the API is strict).
    filled = MultiDict(
        (k, v) for k, v in request.args.items(multi=True) if k in PARAMS and v.strip()
    )
    response, error = None, None
    if args:
        try:
            response = run_search(filled, locale)
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
        "county_choices": [(s.short_name, county.in_sentence(s, locale)) for s in county.region()]
        if len(county.region()) > 1
        else [],
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
        # Only a region (or results from several counties) needs the county facet.
        "county_links": [
            (_("%(county)s County", county=f["name"]), f["count"],
             _link(args, county=f["name"], page=None))
            for f in (response.facets["county"] if response else [])
        ]
        if response and (len(county.region()) > 1 or len(response.facets["county"]) > 1)
        else [],
        "crisis_lines": [line_links(line, locale) for line in response.crisis["lines"]]
        if response and response.crisis
        else [],
        "chips": chip_links(args, response.understood, locale) if response else [],
        "results_map_data": results_map(response, args.get("county")),
        "distances": distance_labels(response),
        "nearest_links": [
            (c["name"], _link({"category": c["id"]}))
            for c in (response.nearest["categories"] if response and response.nearest else [])
        ],
        "help_line": line_links(response.nearest["help_line"], locale)
        if response and response.nearest
        else None,
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
