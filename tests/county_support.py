"""A second county for tests: the synthetic Monterey County package on its own database
(reference data only, then the county's HSDS import), with its own search index."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from bench.situation_search import load_monterey
from matcher import create_app
from tests import pg

__all__ = ["monterey_app"]


@pytest.fixture(scope="module")
def monterey_app(tmp_path_factory) -> Iterator[Flask]:
    from matcher.db import transaction
    from matcher.extensions import db
    from matcher.search.index import rebuild
    from tests.conftest import TEST_DB, _base_config, build_database

    tmp = tmp_path_factory.mktemp("monterey")
    name = None
    if TEST_DB == "postgres":
        pg.require_server_or_skip("ENLACE_TEST_DB=postgres")
        name = f"enlace_mty_{uuid.uuid4().hex[:8]}"
        pg.create_database(name)
        url = pg.url_for(name)
    else:
        url = f"sqlite:///{tmp / 'monterey.db'}"
    build_database(url, tmp, seed=False)
    app = create_app(_base_config(tmp, url))
    with app.app_context():
        with transaction() as session:
            load_monterey(session)
        rebuild(app.config["ENLACE_INDEX_DIR"], db.session)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if name:
            pg.drop_database(name)
