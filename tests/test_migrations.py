"""Alembic migrations take an empty SQLite or PostgreSQL database to the models' schema."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from matcher.config import normalize_database_url
from matcher.models import Base
from tests import pg
from tests.conftest import build_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    pg.require_server_or_skip("the PostgreSQL migration test")
    name = f"enlace_m_{uuid.uuid4().hex[:8]}"
    pg.create_database(name)
    try:
        yield pg.url_for(name)
    finally:
        pg.drop_database(name)


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(empty_database, tmp_path):
    build_database(empty_database, tmp_path, seed=False)
    engine = create_engine(normalize_database_url(empty_database))
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()
