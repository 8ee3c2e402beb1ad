"""``flask backup`` / ``flask restore`` round-trip the whole database on the test backend
(SQLite online backup, or pg_dump/pg_restore against the local PostgreSQL server)."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, func, select

from matcher import create_app
from matcher.config import normalize_database_url
from matcher.operations.backup import BackupError, restore
from matcher.operations.index_sync import REBUILD_MARKER
from tests import pg
from tests.conftest import TEST_DB


@pytest.fixture
def empty_database_url(tmp_path):
    if TEST_DB != "postgres":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"enlace_r_{uuid.uuid4().hex[:8]}"
    pg.create_database(name)
    try:
        yield pg.url_for(name)
    finally:
        pg.drop_database(name)


def _snapshot(url: str) -> dict:
    """Row counts of every table, plus the full rows of the tables people care about."""
    engine = create_engine(normalize_database_url(url))
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            counts = {
                name: conn.scalar(select(func.count()).select_from(table))
                for name, table in metadata.tables.items()
            }
            known = {}
            for name in ("service", "organization", "user", "referral", "alembic_version"):
                if name in metadata.tables:
                    table = metadata.tables[name]
                    rows = conn.execute(select(table)).all()
                    known[name] = sorted(tuple(str(v) for v in row) for row in rows)
    finally:
        engine.dispose()
    return {"counts": counts, "known": known}


def _restore_app(app_config: dict, url: str, tmp_path: Path):
    return create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": url, "ENLACE_INDEX_DIR": str(tmp_path / "b")}
    )


def test_a_backup_restored_into_an_empty_database_has_the_same_rows(
    app, app_config, runner, database_url, empty_database_url, tmp_path
):
    out = tmp_path / "enlace.backup"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {out}" in result.output
    assert not out.with_name(out.name + ".partial").exists()

    restored_app = _restore_app(app_config, empty_database_url, tmp_path)
    result = restored_app.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "search index will be rebuilt" in result.output
    assert (tmp_path / "b" / REBUILD_MARKER).exists()

    before, after = _snapshot(database_url), _snapshot(empty_database_url)
    assert before["counts"] == after["counts"]
    assert before["counts"]["service"] == 145
    assert before["known"] == after["known"]
    assert len(after["known"]["organization"]) == 55


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(
    app, app_config, runner, database_url, tmp_path
):
    out = tmp_path / "enlace.backup"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code != 0
    assert "the target database is not empty" in refused.output
    assert "--force" in refused.output

    with app.app_context():
        from matcher.extensions import db
        from matcher.models import Service

        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        original_name = service.name
        service.name = "Changed after the backup"
        db.session.commit()
    forced = runner.invoke(args=["restore", "--force", str(out)])
    assert forced.exit_code == 0, forced.output
    names = _snapshot(database_url)["known"]["service"]
    assert any(original_name in row for row in names)
    assert not any("Changed after the backup" in row for row in names)


def test_restore_rejects_a_file_that_is_not_a_backup_for_this_backend(
    app, app_config, empty_database_url, tmp_path
):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    restored_app = _restore_app(app_config, empty_database_url, tmp_path)
    with restored_app.app_context():
        from matcher.extensions import db

        with pytest.raises(BackupError, match="is not a"):
            restore(db.engine, bogus)
        assert _snapshot(empty_database_url)["counts"] == {}
