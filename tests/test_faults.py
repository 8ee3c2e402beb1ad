"""Faults while serving: the index lost or damaged, PostgreSQL cut off and back, a SIGKILL
in the middle of an HSDS import. bench/faults.py runs the same scenarios and prints them."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.engine import make_url

from matcher import create_app
from matcher.config import PROJECT_ROOT, normalize_database_url
from matcher.operations import index_sync
from matcher.search.engine import request_from_params, search
from matcher.search.index import INDEX_NAME, get_index
from tests import pg
from tests.conftest import TEST_DB
from tests.servers import Browser, gunicorn_hosts
from tests.tcp_proxy import TcpProxy

needs_postgres = pytest.mark.skipif(
    TEST_DB != "postgres", reason="PostgreSQL fault: runs in the ENLACE_TEST_DB=postgres pass"
)


def _search(session, index_dir: Path, q: str) -> dict:
    return search(session, get_index(index_dir), request_from_params({"q": q})).to_dict()


@pytest.fixture
def served_index(app, session):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"])
    index_sync.sync(session, index_dir)
    for name in list(logging.root.manager.loggerDict):  # Alembic's fileConfig disabled them
        if name.startswith("matcher"):
            logging.getLogger(name).disabled = False
    yield index_dir
    get_index(index_dir).close()


@pytest.mark.parametrize("damage", ["deleted", "corrupted"])
def test_searches_keep_answering_when_the_index_is_lost_and_it_is_rebuilt(
    served_index, session, caplog, damage
):
    before = _search(session, served_index, "food")
    assert before["total"] > 0
    live = served_index / INDEX_NAME
    if damage == "deleted":
        shutil.rmtree(served_index)
    else:
        # New inodes: overwriting a segment in place while Whoosh has it mmapped is SIGBUS.
        for segment in live.iterdir():
            segment.unlink()
            segment.write_bytes(b"\x00garbage" * 8)
    with caplog.at_level(logging.WARNING):
        during = _search(session, served_index, "food")
        # What each host's sync thread does every ENLACE_INDEX_SYNC_INTERVAL seconds.
        index_sync.sync(session, served_index)
    assert during["total"] == before["total"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("rebuilding" in message for message in warnings)
    assert index_sync.search_index_ok(served_index)
    get_index(served_index).close()  # a freshly started process reads the rebuilt files
    after = _search(session, served_index, "food")
    assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]]


QUERIES = ("/api/v1/search?q=housing", "/api/v1/search?q=vivienda&lang=es",
           "/api/v1/search?q=food&per_page=50", "/api/v1/search?q=dentista%20gratis&lang=es")


def _answers(browser: Browser) -> list[list[str]]:
    return [[r["id"] for r in browser.json(query)["results"]] for query in QUERIES]


def _recycle(server) -> None:
    """Replace the worker (as max_requests does): the new one reads the files afresh."""
    booted = server.log().count("Booting worker")
    os.kill(server.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while server.log().count("Booting worker") <= booted and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the new worker imports the app


@pytest.mark.parametrize("damage", ["segments", "side files", "everything"])
def test_a_live_server_answers_the_same_after_its_index_files_are_overwritten(
    app, session, database_url, tmp_path, damage
):
    index_dir = tmp_path / "live-index"
    index_sync.sync(session, index_dir)
    files = [f for f in (index_dir / INDEX_NAME).iterdir() if "LOCK" not in f.name]
    hit = {
        "segments": [f for f in files if f.suffix in (".seg", ".toc")],
        "side files": [f for f in files if f.suffix == ".json"],
        "everything": files,
    }[damage]
    # The sync thread is off: the search itself must notice, log, answer and repair.
    with gunicorn_hosts(
        database_url, [index_dir], tmp_path, workers=1, ENLACE_INDEX_SYNC_INTERVAL="0"
    ) as (server,):
        browser = Browser(server.base_url)
        before = _answers(browser)
        assert all(before)
        for path in hit:  # new inodes: the way a copy or a restore overwrites files
            path.unlink()
            path.write_bytes(b"\x00garbage" * 8)
        assert _answers(browser) == before  # the running worker: its last good index
        _recycle(server)
        assert _answers(browser) == before  # a fresh worker: rebuilt from the database
        assert "rebuilding from the database" in server.log()
    assert index_sync.search_index_ok(index_dir)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(normalize_database_url(url))
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: conn.scalar(select(func.count()).select_from(table))
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


@needs_postgres
def test_postgres_cut_off_gives_fast_503s_then_recovers_without_restart(app_config, database_url):
    proxy = TcpProxy(("127.0.0.1", make_url(pg.SERVER_URL).port or 5432)).start()
    try:
        url = make_url(database_url).set(port=proxy.port).render_as_string(hide_password=False)
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        client = app.test_client()
        assert client.get("/healthz").get_json()["database"] == "ok"
        assert client.get("/").status_code == 200

        proxy.cut()
        started = time.monotonic()
        down = client.get("/")
        assert time.monotonic() - started < 5
        assert down.status_code == 503
        assert "The service is busy or restarting" in down.get_data(as_text=True)
        assert client.get("/healthz").status_code == 503
        assert client.get("/readyz").get_json()["database"] == "unreachable"

        proxy.restore()
        assert client.get("/").status_code == 200
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    finally:
        proxy.close()


@needs_postgres
def test_terminated_backends_are_replaced_transparently(client, database_url):
    assert client.get("/").status_code == 200
    name = make_url(database_url).database
    with psycopg.connect(pg.url_for("postgres"), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        ).fetchone()[0]
    assert killed >= 1
    page = client.get("/")
    assert page.status_code == 200
    assert "Browse by category" in page.get_data(as_text=True)


def _open_transactions(database: str) -> int:
    with psycopg.connect(pg.url_for("postgres"), autocommit=True) as admin:
        return admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND xact_start IS NOT NULL AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()[0]


@needs_postgres
def test_sigkill_during_an_hsds_import_leaves_the_database_unchanged(
    app, runner, database_url, tmp_path
):
    export = tmp_path / "export.json"
    assert runner.invoke(args=["export-hsds", "--format", "json", str(export)]).exit_code == 0
    # Every service renamed: the import has real work to do in its one transaction.
    export.write_text(export.read_text().replace('"name": "', '"name": "Renamed '))
    before = _counts(database_url)
    env = {**os.environ, "ENLACE_DATABASE_URL": database_url, "ENLACE_SECRET_KEY": "k" * 40}
    env["ENLACE_INDEX_DIR"] = str(tmp_path / "idx")
    child = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "import-hsds", str(export)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        database = make_url(database_url).database
        deadline = time.monotonic() + 20
        while _open_transactions(database) == 0 and child.poll() is None:
            assert time.monotonic() < deadline, "the import never opened a transaction"
            time.sleep(0.01)
        time.sleep(0.2)  # well inside the import
        assert child.poll() is None, "the import finished before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert _counts(database_url) == before
    engine = create_engine(normalize_database_url(database_url))
    try:
        with engine.connect() as conn:
            renamed = conn.exec_driver_sql(
                "SELECT count(*) FROM service WHERE name LIKE 'Renamed %%'"
            ).scalar()
    finally:
        engine.dispose()
    assert renamed == 0
