"""Module-scoped databases for the HSDS tests: one copy shared by read-only tests.

Copying the session's seeded template once per module (instead of once per test),
and migrating one empty database per module, keeps the HSDS tests fast on both backends.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from matcher import create_app
from tests import pg
from tests.conftest import TEST_DB, _base_config, build_database


@contextmanager
def database_copy(template_url: str, tmp: Path) -> Iterator[str]:
    """A private copy of a database (SQLite file copy, or PostgreSQL ``TEMPLATE``)."""
    if template_url.startswith("sqlite:///"):
        target = tmp / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
        yield f"sqlite:///{target}"
        return
    name = f"enlace_h_{uuid.uuid4().hex[:10]}"
    pg.create_database(name, template=template_url.rsplit("/", 1)[1])
    try:
        yield pg.url_for(name)
    finally:
        pg.drop_database(name)


@contextmanager
def own_database(tmp: Path, *, seed: bool) -> Iterator[str]:
    """A migrated database of its own (SQLite file or throw-away PostgreSQL database, as
    ``ENLACE_TEST_DB`` says), with the sample loaded or empty; yields its URL."""
    name = None
    if TEST_DB == "postgres":
        pg.require_server_or_skip("ENLACE_TEST_DB=postgres")
        name = f"enlace_own_{uuid.uuid4().hex[:10]}"
        pg.create_database(name)
        url = pg.url_for(name)
    else:
        url = f"sqlite:///{tmp / f'own-{uuid.uuid4().hex[:8]}.db'}"
    try:
        build_database(url, tmp / "build", seed=seed)
        yield url
    finally:
        if name:
            pg.drop_database(name)


@contextmanager
def app_on(url: str, tmp: Path, **config: str) -> Iterator[Flask]:
    """An app on ``url`` (``config`` overrides, e.g. ENLACE_COUNTY_SETTINGS); its engine is
    disposed afterwards (PostgreSQL can then drop the database)."""
    from matcher.extensions import db

    app = create_app({**_base_config(tmp, url), **config})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
