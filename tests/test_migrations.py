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


def test_upgrading_clears_search_text_stored_before_only_need_words_were_kept(
    empty_database, tmp_path
):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from matcher import create_app
    from tests.conftest import _base_config

    app = create_app(_base_config(tmp_path, empty_database))
    with app.app_context():
        upgrade(revision="0005_ops")
    engine = create_engine(normalize_database_url(empty_database))
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO search_log (query, locale, filters_json, result_count, created_at)"
                    " VALUES ('maria lopez 805-555-0101', 'en', '{}', 0, CURRENT_TIMESTAMP)"
                )
            )
        with app.app_context():
            upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT query, locale FROM search_log")).all()
        assert [tuple(r) for r in rows] == [("", "en")]
    finally:
        engine.dispose()
