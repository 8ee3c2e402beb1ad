"""Operations commands: ``flask --app wsgi backup|restore|index-sync`` (see README), and the
search-index sync thread each served process runs (started by gunicorn.conf.py)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from matcher.extensions import db
from matcher.matching import table as match_index
from matcher.operations import backup, index_sync
from matcher.search import index as search_index

PRUNE_EVERY_SECONDS = 86400


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent copy of the database to OUT while the app keeps serving."""
    try:
        written = backup.backup(db.engine, out)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written} ({written.stat().st_size} bytes).")


@click.command("restore")
@with_appcontext
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty database.")
def restore_command(source: Path, force: bool) -> None:
    """Restore IN into the configured database (which must be empty unless --force)."""
    try:
        backup.restore(db.engine, source, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    index_sync.request_rebuild(current_app.config["ENLACE_INDEX_DIR"])
    click.echo(f"Restored {source}; this host's search index will be rebuilt.")
    click.echo("On every other host run: flask --app wsgi index-sync --rebuild")


@click.command("index-sync")
@with_appcontext
@click.option("--rebuild", is_flag=True, help="Rebuild this host's index from the database.")
def index_sync_command(rebuild: bool) -> None:
    """Apply pending listing changes to this host's search index (builds it if missing)."""
    index_dir = current_app.config["ENLACE_INDEX_DIR"]
    if rebuild:
        index_sync.request_rebuild(index_dir)
    try:
        result = index_sync.sync(db.session, index_dir)
    except index_sync.IndexSyncError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{result.action}: {result.changes} changes, {result.services} services, "
        f"high-water mark {result.high_water}"
    )


@click.command("prune-outbox")
@with_appcontext
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=index_sync.RETENTION_DAYS,
    show_default=True,
    help="Delete search-index outbox rows older than this.",
)
def prune_outbox_command(older_than_days: int) -> None:
    """Delete old search-index outbox rows (each serving process also does this daily)."""
    deleted = index_sync.prune(db.session, days=older_than_days)
    click.echo(f"Deleted {deleted} outbox rows older than {older_than_days} days.")


def warm_up(app: Flask) -> None:
    """Before a (re)started worker takes its first request: open the search index and
    build the matching table, which the first requests would otherwise wait for (seconds
    on a busy host, every time max_requests recycles a worker). Nothing is logged or
    counted as a search."""
    with app.app_context():
        try:
            index_dir = Path(app.config["ENLACE_INDEX_DIR"])
            if index_sync.search_index_ok(index_dir):  # else the sync thread builds it once
                found = search_index.get_index(index_dir)
                found.ensure(db.session)
                found.snapshot()
            match_index.directory_table(db.session)
        except Exception:
            logging.getLogger(__name__).warning("warm-up failed; serving cold", exc_info=True)
        finally:
            db.session.remove()


def start_index_sync(app: Flask, interval: float) -> threading.Thread | None:
    """Poll the outbox every ``interval`` seconds in a daemon thread of a serving process.

    Each pass applies listing changes to this host's search index and refreshes the
    in-memory directory table used by matching and reports, so requests find both warm
    (the table's first build takes seconds at 10k services). Once a day it also prunes
    old outbox rows (every process may; the delete is idempotent).
    """
    if interval <= 0:
        return None
    log = logging.getLogger("matcher.operations.index_sync")

    def loop() -> None:
        next_prune = 0.0
        while True:
            with app.app_context():
                try:
                    index_sync.sync(db.session, app.config["ENLACE_INDEX_DIR"])
                    if time.monotonic() >= next_prune:
                        index_sync.prune(db.session)
                        next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                    match_index.directory_table(db.session)
                except Exception:
                    log.warning("search index sync failed; retrying", exc_info=True)
                finally:
                    db.session.remove()
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="enlace-index-sync", daemon=True)
    thread.start()
    return thread


def init_app(app: Flask) -> None:
    for command in (backup_command, restore_command, index_sync_command, prune_outbox_command):
        app.cli.add_command(command)
