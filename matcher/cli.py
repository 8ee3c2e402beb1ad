"""``flask --app wsgi ...`` commands that do real work: seed, and (from other modules) more."""

from __future__ import annotations

import click
from flask import Flask

from matcher.db import transaction
from matcher.seed import seed_all


@click.command("seed")
def seed_command() -> None:
    """Load the sample Ventura County directory, taxonomy, barriers and schools (idempotent)."""
    with transaction() as session:
        counts = seed_all(session)
    for line in counts.lines():
        click.echo(line)
    click.echo("Seed data loaded." if counts.changed else "Seed data already up to date.")


def init_app(app: Flask) -> None:
    from matcher.hsds import cli as hsds_cli

    app.cli.add_command(seed_command)
    hsds_cli.init_app(app)
