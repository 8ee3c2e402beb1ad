"""Backups and restores of the whole database, online, on SQLite or PostgreSQL.

SQLite uses the online backup API (a consistent copy while the app keeps serving).
PostgreSQL uses ``pg_dump -Fc`` / ``pg_restore`` from the client tools, which must be at
least the server's major version (Debian: ``postgresql-client-15`` for server 15).
A restore goes into an empty database unless forced, and always asks every host to
rebuild its search index, since the restored listings differ from what it indexed.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore could not be made; nothing in the target was changed."""


def _libpq_url(engine: Engine) -> str:
    """The engine's URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(engine: Engine) -> str:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return database


def _sqlite_copy(source_path: str, target_path: str) -> None:
    """Copy one SQLite database into another with the online backup API (consistent
    even while the source is being written)."""
    source = sqlite3.connect(source_path, uri=source_path.startswith("file:"))
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not found:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(found.group(1))


def check_client_version(engine: Engine, tool: str) -> None:
    """pg_dump refuses to dump a newer server; say so before starting, with the fix."""
    output = _run([_tool(tool), "--version"])
    with engine.connect() as conn:
        server = conn.exec_driver_sql("SHOW server_version").scalar_one()
    if _major(output.split("(PostgreSQL)")[-1]) < _major(server):
        raise BackupError(
            f"{tool} is version {output.strip()} but the server is {server}: "
            f"install postgresql-client-{_major(server)}"
        )


def user_tables(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def backup(engine: Engine, out_path: Path) -> Path:
    """Write a consistent copy of the database to ``out_path`` while it keeps serving."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    if engine.dialect.name == "sqlite":
        _sqlite_copy(_sqlite_path(engine), str(partial))
    elif engine.dialect.name == "postgresql":
        check_client_version(engine, "pg_dump")
        options = ["--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)]
        _run([_tool("pg_dump"), *options, "--dbname", _libpq_url(engine)], partial)
    else:
        raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
    partial.replace(out_path)  # a backup file that exists is always complete
    return out_path


def restore(engine: Engine, in_path: Path, *, force: bool = False) -> None:
    """Load a backup made by :func:`backup` into the database behind ``engine``.

    Refuses a database that already has tables unless ``force`` (then its contents
    are replaced), and refuses a file made for the other backend.
    """
    in_path = Path(in_path)
    if not in_path.is_file():
        raise BackupError(f"no backup file at {in_path}")
    existing = user_tables(engine)
    if existing and not force:
        raise BackupError(
            f"the target database is not empty ({len(existing)} tables): restore into an "
            "empty database, or pass --force to replace its contents"
        )
    magic = in_path.open("rb").read(16)
    engine.dispose()  # no pooled connection may hold the old database open
    if engine.dialect.name == "sqlite":
        if magic != SQLITE_MAGIC:
            raise BackupError(f"{in_path} is not a SQLite backup")
        _sqlite_copy(f"file:{in_path}?mode=ro", _sqlite_path(engine))
    elif engine.dialect.name == "postgresql":
        if not magic.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(f"{in_path} is not a pg_dump custom-format backup")
        check_client_version(engine, "pg_restore")
        # One transaction: a restore that fails part-way leaves the database as it was.
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction", *(["--clean", "--if-exists"] if force else [])]
        _run([*command, "--dbname", _libpq_url(engine), str(in_path)])
    else:
        raise BackupError(f"restores into {engine.dialect.name} databases are not supported")


def _run(command: list[str], partial: Path | None = None) -> str:
    """Run a PostgreSQL client tool (no shell; arguments are paths and the configured URL)."""
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        if partial is not None:
            partial.unlink(missing_ok=True)
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' '.join(message[-3:])}")
    return result.stdout
