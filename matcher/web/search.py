"""Search: the page, ``GET /api/v1/search`` and the ``reindex`` / ``search`` commands.

All three parse parameters with ``engine.request_from_params`` and call
``engine.search``, so the page, the API and the CLI answer the same query the same way.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import click
from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from matcher import languages, taxonomy
from matcher.errors import bad_request
from matcher.extensions import db
from matcher.i18n import current_locale
from matcher.search import engine, index

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


@click.command("reindex")
@click.option(
    "--procs",
    type=click.IntRange(1, 16),
    default=index.default_procs,
    show_default="the number of CPUs, at most 8",
    help="Processes writing the index.",
)
@with_appcontext
def reindex_command(procs: int) -> None:
    """Rebuild the search index from the database."""
    target = index.index_dir_of(current_app)
    with click.progressbar(length=1, label="Indexing services") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = index.rebuild(target, db.session, progress, procs=procs)
    index.get_index(current_app).close()
    click.echo(f"Indexed {count} services into {target / index.INDEX_NAME}.")


@click.command("search")
@click.argument("query", required=False, default="")
@click.option("--lang", "lang", default="en", help="Language of labels: en or es.")
@click.option("--near", default=None, help="ZIP code, place name or 'lat,lon'.")
@click.option("--radius-mi", default=None, help="Radius in miles around --near.")
@click.option("--category", default=None, help="Taxonomy term code, id or English name.")
@click.option("--language", default=None, help="Language offered (code or name).")
@click.option("--open", "open_", default=None, help="now, evenings, weekends or a day.")
@click.option("--free", is_flag=True, help="Only free services.")
@click.option("--age", default=None, help="Age of the person served.")
@click.option("--sort", default=None, help="relevance or distance.")
@click.option("--page", default=None, help="Page number.")
@click.option("--limit", default=None, help="Results per page (per_page).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as the API.")
@with_appcontext
def search_command(
    query: str, lang: str, as_json: bool, open_: str | None, free: bool, **options: Any
) -> None:
    """Search the directory from the command line."""
    params = {
        "q": query,
        "lang": lang,
        "open": open_,
        "free": "1" if free else None,
        "radius_mi": options.pop("radius_mi"),
        "per_page": options.pop("limit"),
        **options,
    }
    try:
        search_request = engine.request_from_params(params, lang)
        response = engine.search(db.session, index.get_index(current_app), search_request)
    except engine.SearchError as failure:
        raise click.UsageError(str(failure)) from None
    if as_json:
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}")
    click.echo(f"{response.total} services")
    if response.unmatched_words and response.results:
        click.echo(f"No service here mentions: {', '.join(response.unmatched_words)}")
    for result in response.results:
        where = f"  {result.distance_mi} mi" if result.distance_mi is not None else ""
        click.echo(f"- {result.name} ({result.organization['name']}){where}  [{result.id}]")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_command)
