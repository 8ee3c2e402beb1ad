"""A second county for tests: the synthetic Monterey County set up exactly as README's
"Set up for your county" says (an empty database, ``seed --reference-only``,
``import-hsds``, ``import-schools``, ``reindex``) with its own county settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from matcher.config import PROJECT_ROOT

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
    """Config of an app serving the synthetic Monterey County on its own empty database."""
    from tests.conftest import _base_config
    from tests.hsds_support import own_database

    tmp = tmp_path_factory.mktemp("monterey")
    with own_database(tmp, seed=False) as url:
        settings = str(MONTEREY_DIR / "county.toml")
        yield {**_base_config(tmp, url), "ENLACE_COUNTY_SETTINGS": settings}


@pytest.fixture(scope="module")
def monterey_app(monterey_config: dict) -> Iterator[Flask]:
    from tests.hsds_support import app_on

    url, tmp = monterey_config["SQLALCHEMY_DATABASE_URI"], Path(monterey_config["INSTANCE_PATH"])
    settings = monterey_config["ENLACE_COUNTY_SETTINGS"]
    with app_on(url, tmp.parent, ENLACE_COUNTY_SETTINGS=settings) as app:
        app.config["ENLACE_SET_UP_OUTPUT"] = set_up_county(app, MONTEREY_DIR, "Monterey")
        yield app
