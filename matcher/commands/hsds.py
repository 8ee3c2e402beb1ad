"""``flask --app wsgi import-hsds PATH`` and ``export-hsds --format csv|json OUT``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from matcher.db import transaction
from matcher.hsds import HSDSError, exporter, importer, legacy, search_index

PROGRESS_THRESHOLD = 500


@click.command("import-hsds")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def import_hsds(path: Path) -> None:
    """Import an HSDS 3.0 package (folder, .zip or JSON), HSDS 1.1 or Ohana CSV; all or nothing."""
    try:
        kind, tables = importer.read_detected(path)
        converted = " (converted to HSDS 3.0, best effort)" if kind in legacy.READERS else ""
        click.echo(f"Format: {kind}{converted}")
        total = sum(len(rows) for rows in tables.values())
        with transaction() as session:
            if total >= PROGRESS_THRESHOLD:
                with click.progressbar(length=total, label="Importing", file=None) as bar:
                    result = importer.load(session, tables, bar.update)
            else:
                result = importer.load(session, tables)
    except HSDSError as error:
        raise click.ClickException(f"Import aborted, nothing was changed. {error}") from None
    for line in result.lines():
        click.echo(line)
    from matcher.extensions import db

    search_index.services_changed(current_app, db.session, result.service_ids)
    click.echo("Import complete." if result.counts.changed else "Nothing to change.")


@click.command("export-hsds")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.argument("out", type=click.Path(path_type=Path))
@with_appcontext
def export_hsds(fmt: str, out: Path) -> None:
    """Export the published directory as an HSDS 3.0 data package (csv) or JSON list."""
    from matcher.extensions import db

    if fmt == "csv":
        files = exporter.write_csv_package(db.session, out)
        click.echo(f"Wrote {len(files)} files to {out}")
    else:
        count = exporter.write_json(db.session, out)
        click.echo(f"Wrote {count} services to {out}")


def init_app(app: Flask) -> None:
    app.cli.add_command(import_hsds)
    app.cli.add_command(export_hsds)
