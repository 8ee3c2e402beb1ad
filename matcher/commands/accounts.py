"""``flask --app wsgi create-user | outbox | send-verification-reminders``."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from matcher.access import accounts
from matcher.core import mail
from matcher.db import transaction
from matcher.directory import schools
from matcher.models import ROLES
from matcher.partners import freshness


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.option(
    "--school",
    "school_refs",
    multiple=True,
    help="School name, key, CDS code or id (repeatable; see list-schools).",
)
@click.option("--organization", "org_ids", multiple=True, help="Organization id (repeatable).")
@click.option("--locale", type=click.Choice(["en", "es"]), default="en")
@click.password_option(help="Prompted (twice) when not given.")
@with_appcontext
def create_user_command(email, role, name, school_refs, org_ids, locale, password) -> None:
    """Create a user with a password (email counts as confirmed: an operator made it)."""
    try:
        with transaction() as session:
            school_ids = [schools.find_school(session, ref).id for ref in school_refs]
            user = accounts.create_user(
                session,
                email=email,
                role=role,
                name=name,
                password=password,
                locale=locale,
                school_ids=school_ids,
                org_ids=org_ids,
                verified=True,
                actor="cli",
            )
    except accounts.AccountError as error:
        raise click.ClickException(f"Not created: {error.code.replace('_', ' ')}") from error
    except schools.SchoolNotFound as error:
        raise click.ClickException(f"Not created: {error}") from error
    click.echo(f"Created {user.role} {user.email} ({user.id}).")


@click.command("outbox")
@click.option("--show", "show", type=int, default=None, help="Print message number N in full.")
@with_appcontext
def outbox_command(show: int | None) -> None:
    """List the messages the file mail backend wrote to the outbox folder."""
    directory = mail.outbox_dir(current_app.config, current_app.instance_path)
    entries = mail.read_outbox(directory)
    if show is not None:
        if not 1 <= show <= len(entries):
            raise click.ClickException(
                f"There is no message {show}; the outbox has {len(entries)}."
            )
        entry = entries[show - 1]
        click.echo(f"To: {entry.to}\nSubject: {entry.subject}\nDate: {entry.date}\n\n{entry.body}")
        return
    click.echo(f"{len(entries)} message(s) in {directory}")
    for number, entry in enumerate(entries, 1):
        click.echo(f"{number:>4}  {entry.date}  {entry.to}  {entry.subject}")


@click.command("send-verification-reminders")
@click.option(
    "--older-than-days", type=int, default=None, help="Default: ENLACE_REMINDER_AFTER_DAYS."
)
@with_appcontext
def send_reminders_command(older_than_days: int | None) -> None:
    """Mail partners whose listings were not verified recently a "still accurate" link."""
    from matcher.extensions import db
    from matcher.web.partner import send_reminder

    days = older_than_days or current_app.config["ENLACE_REMINDER_AFTER_DAYS"]
    reminders = freshness.due_reminders(
        db.session, current_app.config["SECRET_KEY"], timedelta(days=days)
    )
    with current_app.test_request_context():  # links come from ENLACE_BASE_URL
        for reminder in reminders:
            send_reminder(reminder)
    click.echo(f"Sent {len(reminders)} reminder(s) for listings older than {days} days.")


def init_app(app: Flask) -> None:
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_command)
