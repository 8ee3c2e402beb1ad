"""``flask --app wsgi purge-records``: clear old needs records, keep de-identified counts."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from matcher.db import transaction
from matcher.families import needs


@click.command("purge-records")
@click.option(
    "--before",
    "before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Purge records created before this date (YYYY-MM-DD).",
)
@with_appcontext
def purge_records_command(before) -> None:
    """Clear identifiable fields of needs records created before DATE; counts stay."""
    with transaction() as session:
        counts = needs.purge_before(session, before.date(), "cli")
    click.echo(f"needs records purged: {counts.records}")
    click.echo(f"referral contact values and notes cleared: {counts.referrals}")
    click.echo(f"referral status notes cleared: {counts.events}")
    click.echo("kept: barrier codes, dates, statuses, school and language (for reports)")


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_records_command)
