"""``flask --app wsgi import-schools FILE --county NAME`` and ``list-schools [--county]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from matcher.db import transaction
from matcher.directory import schools
from matcher.models import School


@click.command("import-schools")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--county", "county", required=True, help="County to import, e.g. Monterey.")
@with_appcontext
def import_schools(path: Path, county: str) -> None:
    """Import a county's active schools and districts from the CDE pubschls.txt file."""
    try:
        with transaction() as session:
            result = schools.import_schools(session, path, county)
    except schools.SchoolImportError as error:
        raise click.ClickException(f"Import aborted, nothing was changed. {error}") from None
    for line in result.lines():
        click.echo(line)
    click.echo("Import complete." if result.changed else "Nothing to change.")


@click.command("list-schools")
@click.option("--county", "county", default=None, help="Only this county's schools.")
@click.option("--all", "show_all", is_flag=True, help="Include inactive (closed) schools.")
@with_appcontext
def list_schools(county: str | None, show_all: bool) -> None:
    """List schools with the key ``create-user --school`` takes (CDS code or sample key)."""
    from matcher.extensions import db

    statement = select(School).order_by(School.county, School.name)
    if county:
        try:
            statement = statement.where(School.county == schools.county_name(county))
        except schools.SchoolImportError as error:
            raise click.ClickException(str(error)) from None
    if not show_all:
        statement = statement.where(School.active.is_(True))
    found = db.session.scalars(statement).all()
    if not found:
        click.echo("No schools yet: run seed (the sample county) or import-schools.")
    for school in found:
        district = school.district.name if school.district else "-"
        flag = "" if school.active else " (inactive)"
        where = "; ".join(filter(None, (school.city, district, school.county)))
        click.echo(f"{school.key}  {school.name}{flag} ({where})")


def init_app(app: Flask) -> None:
    app.cli.add_command(import_schools)
    app.cli.add_command(list_schools)
