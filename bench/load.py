"""Load test: N concurrent users against gunicorn on loopback for a bounded time.

    .venv/bin/python bench/load.py                      # 50 users, 60 s, own gunicorn
    .venv/bin/python bench/load.py --users 10 --seconds 10
    .venv/bin/python bench/load.py --url http://127.0.0.1:5000 --email a@b --password ...

Without --url it migrates and seeds a scratch database (a fresh PostgreSQL database on
the local server, or SQLite with --sqlite), starts gunicorn from gunicorn.conf.py on a
free loopback port, creates a coordinator, and removes everything afterwards.

Each user loops over a weighted mix, pausing ``--think`` seconds on average between
requests (uniformly 0.5x-1.5x: a person reading the page; ``--think 0`` turns the run
into a closed-loop saturation test): English and Spanish searches, service pages,
matches (POST /api/v1/match as the signed-in coordinator) and referral status updates
(on its own server the bench creates a needs record and a sent referral to update;
with --url pass --referral ID). It prints
throughput and p50/p95/p99 per request type and the error count (5xx, network errors
and unexpected statuses).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import pg
from tests.servers import Browser, gunicorn_hosts

SEARCHES_EN = [
    "food",
    "food pantry",
    "rent help",
    "counseling",
    "dentist",
    "after school",
    "clothes",
    "immigration lawyer",
    "job training",
    "free clinic Oxnard",
    "mental health",
    "tutoring",
    "diapers",
    "shelter Ventura",
]
SEARCHES_ES = [
    "comida",
    "despensa",
    "ayuda con la renta",
    "consejería",
    "dentista",
    "ropa",
    "abogado de inmigración",
    "clínica gratis",
    "salud mental",
    "tutoría",
    "pañales",
    "albergue",
]
WEIGHTS = {"search_en": 35, "search_es": 25, "service_page": 25, "match": 10, "referral": 5}
PASSWORD = "bench password 1234"
CSRF_META = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class User(threading.Thread):
    def __init__(self, bench: Bench, seed: int) -> None:
        super().__init__(daemon=True)
        self.bench = bench
        self.rng = random.Random(seed)
        host = urllib.parse.urlsplit(bench.base_url)
        self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)

    def call(self, kind: str, method: str, path: str, body: bytes | None, ok: set[int]) -> None:
        headers = {"Cookie": self.bench.cookie} if self.bench.cookie else {}
        if body is not None:
            headers["X-CSRFToken"] = self.bench.csrf
            headers["Content-Type"] = (
                "application/json" if kind == "match" else "application/x-www-form-urlencoded"
            )
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            status = 0
        elapsed = (time.perf_counter() - started) * 1000
        self.bench.record(kind, elapsed, status in ok, status)

    def run(self) -> None:
        kinds = [k for k in WEIGHTS if k in self.bench.kinds]
        weights = [WEIGHTS[k] for k in kinds]
        while time.monotonic() < self.bench.deadline:
            if self.bench.think:
                time.sleep(self.bench.think * self.rng.uniform(0.5, 1.5))
                if time.monotonic() >= self.bench.deadline:
                    break
            kind = self.rng.choices(kinds, weights)[0]
            if kind in ("search_en", "search_es"):
                words = SEARCHES_EN if kind == "search_en" else SEARCHES_ES
                lang = kind[-2:]
                q = urllib.parse.quote(self.rng.choice(words))
                self.call(kind, "GET", f"/api/v1/search?q={q}&lang={lang}", None, {200})
            elif kind == "service_page":
                service_id = self.rng.choice(self.bench.service_ids)
                self.call(kind, "GET", f"/services/{service_id}", None, {200})
            elif kind == "match":
                barriers = self.rng.sample(self.bench.barriers, k=2)
                body = json.dumps({"barriers": barriers, "near": "Oxnard"}).encode()
                self.call(kind, "POST", "/api/v1/match", body, {200})
            else:
                # sent <-> unable_to_contact is a legal loop; a lost race gives 400.
                status = self.rng.choice(["sent", "unable_to_contact"])
                body = urllib.parse.urlencode({"status": status}).encode()
                path = f"/coordinator/referrals/{self.bench.referral}/status"
                self.call(kind, "POST", path, body, {302, 400})
        self.conn.close()


class Bench:
    def __init__(self, base_url: str, seconds: float) -> None:
        self.base_url = base_url
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.cookie = ""
        self.csrf = ""
        self.kinds: set[str] = set()
        self.service_ids: list[str] = []
        self.barriers: list[str] = []
        self.referral: str | None = None
        self.think = 0.0

    def record(self, kind: str, ms: float, ok: bool, status: int) -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            self.statuses[kind][status] += 1
            if not ok:
                self.errors[kind] += 1


def _prepare(bench: Bench, email: str | None, password: str, referral: str | None) -> None:
    browser = Browser(bench.base_url)
    ids: set[str] = set()
    for word in ("food", "health", "school", "family", "help"):
        ids |= {r["id"] for r in browser.json(f"/api/v1/search?q={word}&per_page=50")["results"]}
    bench.service_ids = sorted(ids)
    bench.kinds = {"search_en", "search_es"}
    if bench.service_ids:
        bench.kinds.add("service_page")
    if email:
        browser.login(email, password)
        bench.cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
        _status, page = browser.request("/account")
        found = CSRF_META.search(page)
        bench.csrf = found.group(1) if found else ""
        bench.barriers = BARRIERS
        bench.kinds.add("match")
        if referral:
            bench.referral = referral
            bench.kinds.add("referral")


BARRIERS: list[str] = []


@contextmanager
def _own_server(args, stack: ExitStack):
    """A scratch database, seeded, with a coordinator; gunicorn on a free port."""
    from sqlalchemy import select

    from matcher import create_app
    from matcher.access import accounts
    from matcher.db import transaction
    from matcher.extensions import db
    from matcher.models import Barrier, School
    from tests.conftest import build_database

    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="enlace-load-")))
    if args.sqlite:
        url = f"sqlite:///{tmp / 'load.db'}"
    else:
        name = f"enlace_load_{uuid.uuid4().hex[:8]}"
        pg.create_database(name)
        stack.callback(pg.drop_database, name)
        url = pg.url_for(name)
    build_database(url, tmp)
    email = "bench-coordinator@example.org"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp / "instance"),
            "SECRET_KEY": "s" * 64,
        }
    )
    with app.app_context(), transaction() as session:
        school = session.scalars(select(School).order_by(School.name)).first()
        user = accounts.create_user(
            session,
            email=email,
            role="coordinator",
            name="Bench",
            password=PASSWORD,
            locale="en",
            school_ids=[school.id],
            org_ids=[],
            verified=True,
            actor="bench",
        )
        BARRIERS.extend(session.scalars(select(Barrier.code).order_by(Barrier.position)))
        referral_id = _referral_to_update(session, user, school)
    with app.app_context():
        db.engine.dispose()
    (server,) = stack.enter_context(
        gunicorn_hosts(
            url,
            [tmp / "index"],
            tmp,
            workers=args.workers,
            ENLACE_RATELIMIT_STORAGE_URI="memory://",
        )
    )
    yield server.base_url, email, referral_id


def _referral_to_update(session, user, school) -> str:
    """A needs record with one sent referral, so the bench can update its status."""
    from matcher.families import matches, needs, referrals

    session.flush()
    record = needs.create_record(
        session,
        user,
        {
            "school_id": school.id,
            "barriers": ["food_insecurity"],
            "grade_band": "9-12",
            "languages": ["es"],
            "near_school": "1",
        },
    )
    result = matches.match_record(session, user, record)
    service_id = result.barriers[0].results[0].service.id
    (referral,) = referrals.create_referrals(
        session, user, record, [("food_insecurity", service_id)]
    )
    referrals.change_status(session, user, referral, "sent")
    return referral.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's requests (s)"
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (own server)")
    parser.add_argument("--url", help="an already running server instead of our own")
    parser.add_argument("--email", help="coordinator to sign in as (with --url)")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--barrier", action="append", default=[], help="barrier code (--url)")
    parser.add_argument("--referral", help="a referral id the coordinator may update")
    parser.add_argument("--sqlite", action="store_true", help="own server on SQLite")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 600)  # bounded, whatever is asked
    args.workers = args.workers or 5
    with ExitStack() as stack:
        if args.url:
            base_url, email = args.url, args.email
            BARRIERS.extend(args.barrier)
        else:
            base_url, email, own_referral = stack.enter_context(_own_server(args, stack))
            args.referral = args.referral or own_referral
        bench = Bench(base_url, 0)
        bench.think = max(args.think, 0.0)
        _prepare(bench, email if BARRIERS else None, args.password, args.referral)
        skipped = sorted(set(WEIGHTS) - bench.kinds)
        bench.deadline = time.monotonic() + args.seconds
        users = [User(bench, seed) for seed in range(args.users)]
        started = time.monotonic()
        for user in users:
            user.start()
        for user in users:
            user.join(args.seconds + 30)
        elapsed = time.monotonic() - started
    total = sum(len(v) for v in bench.latencies.values())
    errors = sum(bench.errors.values())
    print(
        f"{args.users} users, {elapsed:.1f} s, {total} requests, "
        f"{total / elapsed:.1f} req/s, {errors} errors"
    )
    print(
        f"{'type':<14}{'count':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    for kind in WEIGHTS:
        values = bench.latencies.get(kind)
        if not values:
            continue
        print(
            f"{kind:<14}{len(values):>8}{len(values) / elapsed:>8.1f}"
            f"{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}"
            f"{percentile(values, 99):>9.1f}{bench.errors.get(kind, 0):>8}"
        )
        if bench.errors.get(kind):
            print(f"  statuses: {dict(bench.statuses[kind])}")
    for kind in skipped:
        reason = (
            "pass --referral ID (the bench creates no referrals)"
            if kind == "referral"
            else "needs a signed-in coordinator and barrier codes"
        )
        print(f"skipped {kind}: {reason}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
