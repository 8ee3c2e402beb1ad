"""Database helpers shared by the CLI, the web layer and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matcher.extensions import db


def configure_sqlite(engine: Engine) -> None:
    """SQLite as a server-ish database: enforce foreign keys, WAL so readers never
    block the writer, and wait for locks instead of failing at once."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def configure_postgres(engine: Engine, connect_timeout: int = 3) -> None:
    """Fail fast when PostgreSQL is down: requests get a 503 in seconds, not a hang."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def _on_connect(_dialect, _record, _cargs, cparams) -> None:
        cparams.setdefault("connect_timeout", connect_timeout)


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit the session if the block succeeds, roll everything back if it raises."""
    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
