"""``flask --app wsgi seed``: the taxonomy, barriers and the sample Ventura directory."""

from __future__ import annotations

import click
from flask import Flask

from matcher.db import transaction
from matcher.directory.seed import seed_all


@click.command("seed")
def seed_command() -> None:
    """Load the sample Ventura County directory, taxonomy, barriers and schools (idempotent)."""
    with transaction() as session:
        counts = seed_all(session)
    for line in counts.lines():
        click.echo(line)
    click.echo("Seed data loaded." if counts.changed else "Seed data already up to date.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
