"""Shared fixtures: an app on a freshly migrated and seeded database for every test.

The database backend is chosen by ``ENLACE_TEST_DB`` (``sqlite``, the default, or
``postgres``); the README's test command runs the suite on both. Migrating and
seeding happen once per session into a template (a SQLite file, or a PostgreSQL
template database); each test gets a cheap copy, so tests never share state.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from matcher import create_app
from tests import pg
from tests.county_support import *  # noqa: F403
from tests.fixtures_accounts import *  # noqa: F403
from tests.search_support import *  # noqa: F403

TEST_DB = os.environ.get("ENLACE_TEST_DB", "sqlite")


def _base_config(tmp: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ENLACE_INDEX_DIR": str(tmp / "indexes"),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


def build_database(database_url: str, tmp: Path, *, seed: bool = True) -> None:
    """Migrate an empty database to head and (optionally) load the seed data."""
    from flask_migrate import upgrade

    from matcher.db import transaction
    from matcher.directory.seed import seed_all
    from matcher.extensions import db

    app = create_app(_base_config(tmp, database_url))
    with app.app_context():
        upgrade()
        if seed:
            with transaction() as session:
                seed_all(session)
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Iterator[str]:
    """A migrated, seeded database to copy for each test; yields its URL."""
    tmp = tmp_path_factory.mktemp("template")
    if TEST_DB == "postgres":
        pg.require_server_or_skip("ENLACE_TEST_DB=postgres")
        template = f"enlace_tpl_{uuid.uuid4().hex[:8]}"
        pg.create_database(template)
        try:
            build_database(pg.url_for(template), tmp)
            yield pg.url_for(template)
        finally:
            pg.drop_database(template)
    else:
        path = tmp / "template.db"
        build_database(f"sqlite:///{path}", tmp)
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the seeded template for one test."""
    if database_template.startswith("sqlite:///"):
        target = tmp_path / "enlace.db"
        shutil.copyfile(database_template.removeprefix("sqlite:///"), target)
        yield f"sqlite:///{target}"
        return
    name = f"enlace_t_{uuid.uuid4().hex[:10]}"
    pg.create_database(name, template=database_template.rsplit("/", 1)[1])
    try:
        yield pg.url_for(name)
    finally:
        pg.drop_database(name)


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict:
    """Override entries in a test (or a module fixture) before ``app`` is built."""
    return _base_config(tmp_path, database_url)


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    from matcher.extensions import db

    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask):
    """A session on the test database, separate from the app's request sessions.

    Tests must not hold an app context open around client requests (the request
    would reuse it, and with it ``g``: the cached locale and logged-in user), so
    this session lives outside the app. Call ``session.expire_all()`` to see what
    a request wrote.
    """
    from sqlalchemy.orm import Session

    from matcher.extensions import db

    with app.app_context():
        engine = db.engine
    with Session(engine, expire_on_commit=False) as test_session:
        yield test_session


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory):
    """A migrated database with no seed data, built once for the module (HSDS tests)."""
    from tests.hsds_support import own_database

    with own_database(tmp_path_factory.mktemp("hsds-empty"), seed=False) as url:
        yield url


@pytest.fixture
def empty_app(empty_template, tmp_path):
    """An app on a fresh copy of the empty database."""
    from tests.hsds_support import app_on, database_copy

    with database_copy(empty_template, tmp_path) as url, app_on(url, tmp_path / "empty") as app:
        yield app
