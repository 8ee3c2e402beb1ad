"""Search test fixtures: the seed directory's index is built once per session and copied.

Building takes about half a second; copying a few hundred kilobytes takes milliseconds,
so read-only search tests start from a built index instead of rebuilding per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from matcher.config import normalize_database_url
from matcher.search.index import INDEX_NAME, rebuild

__all__ = ["built_search_index", "search_app"]


@pytest.fixture(scope="session")
def built_search_index(database_template: str, tmp_path_factory) -> Path:
    """An index of the seeded template database (the same ids as every test's copy)."""
    target = tmp_path_factory.mktemp("search-index")
    engine = create_engine(normalize_database_url(database_template))
    try:
        with Session(engine) as session:
            rebuild(target, session)
    finally:
        engine.dispose()  # PostgreSQL cannot copy a template that has connections
    return target / INDEX_NAME


@pytest.fixture
def search_app(app: Flask, built_search_index: Path) -> Iterator[Flask]:
    """``app`` with the prebuilt seed index copied into its empty index directory."""
    shutil.copytree(built_search_index, Path(app.config["ENLACE_INDEX_DIR"]) / INDEX_NAME)
    yield app
