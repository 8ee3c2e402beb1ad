"""PostgreSQL test helpers: create and drop throw-away databases on the local server.

Outside CI the PostgreSQL tests skip with a visible reason when no server is
reachable; with ``ENLACE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from psycopg import sql

SERVER_URL = os.environ.get("ENLACE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


def url_for(database: str) -> str:
    return f"{SERVER_URL}/{database}"


def _admin() -> psycopg.Connection:
    return psycopg.connect(url_for("postgres"), autocommit=True, connect_timeout=3)


def server_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        with _admin() as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def require_server_or_skip(what: str) -> None:
    reason = server_available()
    if reason is None:
        return
    message = f"PostgreSQL at {SERVER_URL} is not reachable ({reason}); {what} needs it"
    if os.environ.get("ENLACE_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def create_database(name: str, template: str | None = None) -> None:
    with _admin() as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        conn.execute(query)


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
