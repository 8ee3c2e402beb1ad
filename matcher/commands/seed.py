"""``flask --app wsgi seed``: reference data (taxonomy, barriers) and the sample directory."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from matcher.db import transaction
from matcher.directory.seed import seed_all, seed_reference


@click.command("seed")
@click.option(
    "--reference-only",
    is_flag=True,
    help="Load only the taxonomy (with Spanish labels) and the barriers: no sample "
    "organizations or schools. For a county that imports its own directory.",
)
@with_appcontext
def seed_command(reference_only: bool) -> None:
    """Load reference data and the shipped sample directory and schools (idempotent)."""
    with transaction() as session:
        counts = seed_reference(session) if reference_only else seed_all(session)
    for line in counts.lines():
        click.echo(line)
    what = "Reference data" if reference_only else "Seed data"
    click.echo(f"{what} loaded." if counts.changed else f"{what} already up to date.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
