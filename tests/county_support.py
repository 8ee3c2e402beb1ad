"""A second county for tests: the synthetic Monterey County set up exactly as README's
"Set up for your county" says (an empty database, ``seed --reference-only``,
``import-hsds``, ``import-schools``, ``reindex``) with its own county settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from matcher import create_app
from matcher.config import PROJECT_ROOT
from tests import pg

__all__ = ["MONTEREY_DIR", "monterey_app", "monterey_config", "own_database", "set_up_county"]

MONTEREY_DIR = PROJECT_ROOT / "tests" / "data" / "counties" / "monterey"


def set_up_county(app: Flask, county_dir: Path, county_name: str) -> list[str]:
    """Run README's commands for a new county on ``app``'s empty database; their output."""
    runner = app.test_cli_runner()
    steps = [
        ["seed", "--reference-only"],
        ["import-hsds", str(county_dir / "hsds" / "services.json")],
        ["import-schools", str(county_dir / "schools" / "pubschls.txt"), "--county", county_name],
        ["reindex"],
    ]
    outputs = []
    for step in steps:
        result = runner.invoke(args=step)
        if result.exit_code != 0:
            raise AssertionError(f"{step} failed:\n{result.output}\n{result.exception!r}")
        outputs.append(result.output)
    return outputs


@contextmanager
def own_database(tmp: Path, *, seed: bool) -> Iterator[str]:
    """A migrated database of its own (SQLite file or throw-away PostgreSQL database, as
    ``ENLACE_TEST_DB`` says), seeded with the sample or empty; yields its URL."""
    from tests.conftest import TEST_DB, build_database

    name = None
    if TEST_DB == "postgres":
        pg.require_server_or_skip("ENLACE_TEST_DB=postgres")
        name = f"enlace_own_{uuid.uuid4().hex[:10]}"
        pg.create_database(name)
        url = pg.url_for(name)
    else:
        url = f"sqlite:///{tmp / 'own.db'}"
    try:
        build_database(url, tmp, seed=seed)
        yield url
    finally:
        if name:
            pg.drop_database(name)


@pytest.fixture(scope="module")
def monterey_config(tmp_path_factory) -> Iterator[dict]:
    """Config of an app serving the synthetic Monterey County on its own empty database."""
    from tests.conftest import _base_config

    tmp = tmp_path_factory.mktemp("monterey")
    with own_database(tmp, seed=False) as url:
        settings = str(MONTEREY_DIR / "county.toml")
        yield {**_base_config(tmp, url), "ENLACE_COUNTY_SETTINGS": settings}


@pytest.fixture(scope="module")
def monterey_app(monterey_config: dict) -> Iterator[Flask]:
    from matcher.extensions import db

    app = create_app(monterey_config)
    app.config["ENLACE_SET_UP_OUTPUT"] = set_up_county(app, MONTEREY_DIR, "Monterey")
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
