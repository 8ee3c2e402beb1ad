"""``flask --app wsgi match``: one family profile in, what ``POST /api/v1/match`` returns out."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from matcher.directory import county as counties
from matcher.extensions import db
from matcher.matching import engine as matching
from matcher.web.i18n import LOCALES
from matcher.web.match_api import profile_error_message
from matcher.web.match_view import result_json


def _print_service(row: dict, marker: str) -> None:
    click.echo(f"  {marker} {row['name']} ({row['organization']['name']})")
    click.echo(f"      {row['meets']}")
    if row["fit"]:
        click.echo(f"      + {' · '.join(row['fit'])}")
    if row["concerns"]:
        click.echo(f"      ! {' · '.join(row['concerns'])}")


@click.command("match")
@click.option("--barrier", "barriers", multiple=True, required=True, help="Barrier code.")
@click.option("--language", "languages", multiple=True, help="Family language (code or name).")
@click.option("--near", help="ZIP code, California place or 'lat,lon'.")
@click.option("--age", type=int, help="Student's age in years.")
@click.option("--no-documents", is_flag=True, help="The family prefers no documents asked.")
@click.option("--lang", type=click.Choice(LOCALES), default="en", help="Language of reasons.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@with_appcontext
def match_command(barriers, languages, near, age, no_documents, lang, as_json) -> None:
    """Match a family profile against the directory, as POST /api/v1/match does."""
    with force_locale(lang):
        try:
            profile = matching.parse_profile(
                list(barriers), list(languages), near, age, no_documents=no_documents
            )
            result = matching.match_family(
                db.session, profile, county_lines=counties.lines_of()
            )
        except matching.ProfileError as error:
            raise click.UsageError(profile_error_message(error)) from error
        except matching.UnknownBarrier as error:
            raise click.UsageError(f"unknown barrier code: {error}") from error
        body = result_json(result, lang)
        if as_json:
            click.echo(json.dumps(body, ensure_ascii=False, indent=2))
            return
        for notice in body["urgent"]:
            click.echo(f"! {notice['message']}")
        for barrier in body["barriers"]:
            click.echo(f"{barrier['code']}: {barrier['name']}")
            if barrier["no_match"]:
                click.echo(f"  {barrier['no_match']['message']}")
            for row in barrier["results"]:
                _print_service(row, "*")
            if barrier["also_consider"]:
                click.echo(f"  {_('Also consider')}:")
                for row in barrier["also_consider"]:
                    _print_service(row, f"? [{row['why_label']}]")
        for item in body["bundle"]:
            click.echo(f"bundle: {item['organization']['name']} -> {', '.join(item['covers'])}")


def init_app(app: Flask) -> None:
    app.cli.add_command(match_command)
