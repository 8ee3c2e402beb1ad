"""A second county for tests: the synthetic Monterey County set up exactly as README's
"Set up for your county" says (an empty database, ``seed --reference-only``,
``import-hsds``, ``import-schools``, ``reindex``) with its own county settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from matcher import create_app
from matcher.config import PROJECT_ROOT
from tests import pg

__all__ = ["MONTEREY_DIR", "monterey_app", "monterey_config", "set_up_county"]

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


@pytest.fixture(scope="module")
def monterey_config(tmp_path_factory) -> Iterator[dict]:
    """Config of an app serving the synthetic Monterey County on its own database."""
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
    config = {
        **_base_config(tmp, url),
        "ENLACE_COUNTY_SETTINGS": str(MONTEREY_DIR / "county.toml"),
    }
    try:
        yield config
    finally:
        if name:
            pg.drop_database(name)


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
