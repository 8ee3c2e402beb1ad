"""Fault drills against real gunicorn on loopback, each bounded, printing what happened.

    .venv/bin/python bench/faults.py            # all drills, on a scratch PostgreSQL database

1. index: the index directory is deleted, then corrupted, while searches run.
2. postgres: the database connection is cut (a loopback proxy, never the real server)
   for 5 s under load, then restored: 503s must be fast, recovery must need no restart.
3. sigkill: an HSDS import is SIGKILLed mid-transaction: the database must be unchanged.
4. outbox: the outbox table is unwritable: a listing edit fails whole, nothing half-saved.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy.engine import make_url

from matcher.config import PROJECT_ROOT
from tests import pg
from tests.conftest import build_database
from tests.servers import gunicorn_hosts
from tests.tcp_proxy import TcpProxy


def _get(url: str, timeout: float = 10) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def _hammer(url: str, seconds: float, users: int = 8) -> tuple[Counter, list[float]]:
    """GET ``url`` from ``users`` threads for ``seconds``; status counts and 5xx latencies."""
    statuses: Counter = Counter()
    slow_failures: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < deadline:
            status, ms = _get(url)
            with lock:
                statuses[status] += 1
                if status >= 500 or status == 0:
                    slow_failures.append(ms)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    return statuses, slow_failures


def drill_index(url: str, tmp: Path) -> None:
    print("== 1. index directory deleted / corrupted while serving")
    index_dir = tmp / "index"
    search = f"{url}/api/v1/search?q=food"
    for damage in ("deleted", "corrupted"):
        done = threading.Event()
        result: dict = {}

        def traffic() -> None:
            result["statuses"], _ = _hammer(search, 4)  # noqa: B023
            done.set()  # noqa: B023

        threading.Thread(target=traffic, daemon=True).start()
        time.sleep(1)
        if damage == "deleted":
            shutil.rmtree(index_dir)
        else:
            for segment in (index_dir / "services").glob("*"):
                segment.unlink()
                segment.write_bytes(b"\0garbage")
        done.wait(30)
        ready = _get(f"{url}/readyz")[0]
        print(f"   {damage}: search statuses {dict(result['statuses'])}; /readyz {ready} after")


def drill_postgres(url: str, proxy: TcpProxy) -> None:
    print("== 2. PostgreSQL cut off for 5 s under load, then back (no app restart)")
    page = f"{url}/"
    result: dict = {}
    thread = threading.Thread(
        target=lambda: result.update(zip(("statuses", "fails"), _hammer(page, 12), strict=True)),
        daemon=True,
    )
    thread.start()
    time.sleep(3)
    proxy.cut()
    print("   cut the connection")
    time.sleep(5)
    proxy.restore()
    print("   restored the connection")
    thread.join(30)
    fails = sorted(result["fails"])
    p95 = fails[int(0.95 * (len(fails) - 1))] if fails else 0
    print(f"   statuses during 12 s: {dict(result['statuses'])}")
    print(
        f"   failed requests answered in p50 {fails[len(fails) // 2] if fails else 0:.0f} ms,"
        f" p95 {p95:.0f} ms, max {fails[-1] if fails else 0:.0f} ms"
    )
    status, _ = _get(page)
    print(f"   after recovery: GET / -> {status}")


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def drill_sigkill(database_url: str, tmp: Path) -> None:
    print("== 3. SIGKILL during an HSDS import")
    env = {
        "ENLACE_DATABASE_URL": database_url,
        "ENLACE_SECRET_KEY": "k" * 40,
        "ENLACE_INDEX_DIR": str(tmp / "cli-index"),
        "PATH": "/usr/bin:/bin",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    export = tmp / "export.json"
    subprocess.run(
        [*flask, "export-hsds", "--format", "json", str(export)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    export.write_text(export.read_text().replace('"name": "', '"name": "Renamed '))
    before = _counts(database_url)
    child = subprocess.Popen(
        [*flask, "import-hsds", str(export)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    name = make_url(database_url).database
    deadline = time.monotonic() + 20
    with psycopg.connect(pg.url_for("postgres"), autocommit=True) as admin:
        while child.poll() is None and time.monotonic() < deadline:
            open_tx = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND xact_start IS NOT"
                " NULL AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()[0]
            if open_tx:
                break
            time.sleep(0.01)
    time.sleep(0.2)
    alive = child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    after = _counts(database_url)
    print(
        f"   killed mid-import: {alive}; exit {child.returncode};"
        f" database unchanged: {before == after}"
    )


def drill_outbox(database_url: str) -> None:
    print("== 4. outbox unwritable: a listing edit must fail whole")
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.orm import Session

    from matcher.config import normalize_database_url
    from matcher.models import Service

    engine = create_engine(normalize_database_url(database_url))
    with Session(engine) as session:
        service = session.scalars(select(Service).order_by(Service.id)).first()
        original = service.name
        session.execute(text("ALTER TABLE index_change RENAME TO index_change_gone"))
        session.commit()
        service.name = "Half-saved?"
        try:
            session.commit()
            print("   UNEXPECTED: the edit was saved without its outbox row")
        except Exception as error:
            session.rollback()
            print(f"   edit refused: {type(error).__name__}: {str(error).splitlines()[0][:90]}")
        session.expire_all()
        print(f"   service name unchanged: {session.get(Service, service.id).name == original}")
        session.execute(text("ALTER TABLE index_change_gone RENAME TO index_change"))
        session.commit()
    engine.dispose()


def main() -> int:
    name = f"enlace_faults_{uuid.uuid4().hex[:8]}"
    pg.create_database(name)
    proxy = TcpProxy(("127.0.0.1", make_url(pg.SERVER_URL).port or 5432)).start()
    try:
        with tempfile.TemporaryDirectory(prefix="enlace-faults-") as tmp_name:
            tmp = Path(tmp_name)
            direct = pg.url_for(name)
            build_database(direct, tmp)
            via_proxy = make_url(direct).set(port=proxy.port).render_as_string(False)
            with gunicorn_hosts(via_proxy, [tmp / "index"], tmp, workers=2) as (server,):
                drill_index(server.base_url, tmp)
                drill_postgres(server.base_url, proxy)
                logged = [
                    json.loads(line)
                    for line in server.log().splitlines()
                    if line.startswith("{") and ('"WARNING"' in line or '"ERROR"' in line)
                ]
                kinds = Counter(f"{e['level']} {e['message'][:70]}" for e in logged)
                print("== server warnings and errors (count, first 70 characters):")
                for message, count in kinds.most_common(8):
                    print(f"   {count:>5}  {message}")
                for entry in logged:
                    if entry["level"] == "ERROR" and "exception" in entry:
                        print("   first error:", entry["exception"].splitlines()[-1][:200])
                        break
            drill_sigkill(direct, tmp)
            drill_outbox(direct)
    finally:
        proxy.close()
        pg.drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
