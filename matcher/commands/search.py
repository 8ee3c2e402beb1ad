"""``flask --app wsgi reindex`` and ``search``: the index and the same search as the API."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from matcher.extensions import db
from matcher.search import engine, index


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
@click.option("--county", default=None, help="A county of the region (listings in or serving it).")
@click.option("--open", "open_", default=None, help="now, evenings, weekends or a day.")
@click.option("--free", is_flag=True, help="Only free services.")
@click.option("--age", default=None, help="Age of the person served.")
@click.option("--sort", default=None, help="relevance or distance.")
@click.option("--page", default=None, help="Page number.")
@click.option("--limit", default=None, help="Results per page (per_page).")
@click.option("--drop", default=None, help="Understood chips to leave out: need:KEY,age,place.")
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
        context = engine.SearchContext.for_region()
        response = engine.search(
            db.session, index.get_index(current_app), search_request, context
        )
    except engine.SearchError as failure:
        raise click.UsageError(str(failure)) from None
    if as_json:
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    if response.crisis:
        click.echo(f"!! {response.crisis['message']}")
        for line in response.crisis["lines"]:
            contact = " / ".join(part for part in (line["phone"], line["text"]) if part)
            click.echo(f"!! {line['name']}: {contact} ({line['hours']})")
    chips = [c.get("label") or f"age {c.get('value')}" for c in response.understood["chips"]]
    if chips:
        click.echo("Showing services for: " + " · ".join(chips))
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}")
    click.echo(f"{response.total} service{'' if response.total == 1 else 's'}")
    if response.nearest:
        names = ", ".join(c["name"] for c in response.nearest["categories"])
        if names:
            click.echo(f"Closest categories: {names}")
        help_line = response.nearest["help_line"]
        click.echo(f"For help finding services, call {help_line['name']}: {help_line['phone']}")
    if response.unmatched_words and response.results:
        click.echo(f"No service here mentions: {', '.join(response.unmatched_words)}")
    for result in response.results:
        where = f"  {result.distance_mi} mi" if result.distance_mi is not None else ""
        click.echo(f"- {result.name} ({result.organization['name']}){where}  [{result.id}]")


def init_app(app: Flask) -> None:
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_command)
