"""Load test with locust: N users against gunicorn on loopback for a bounded time,
across several worker recycles.

    .venv/bin/pip install -c constraints.txt -e '.[bench]'    # locust
    .venv/bin/python bench/load.py                      # 50 users, 60 s, own gunicorn
    .venv/bin/python bench/load.py --users 10 --seconds 10
    .venv/bin/python bench/load.py --max-requests 300   # recycle each worker every ~300 requests
    .venv/bin/python bench/load.py --url http://127.0.0.1:5000 --email a@b --password ...

Without --url it migrates and seeds a scratch database (a fresh PostgreSQL database on
the local server, or SQLite with --sqlite), starts gunicorn from gunicorn.conf.py on a
free loopback port (``--max-requests`` sets ENLACE_MAX_REQUESTS, so workers recycle
during the run), creates a coordinator, and removes everything afterwards.

Each locust user (its own keep-alive connection, like a browser or a load balancer)
pauses ``--think`` seconds on average between requests (uniformly 0.5x-1.5x;
``--think 0`` makes it a closed-loop saturation test) and picks from a weighted mix:
English and Spanish searches, service pages, matches (POST /api/v1/match as the
signed-in coordinator) and referral status updates (on its own server the bench creates
a needs record and a sent referral; with --url pass --referral ID). It prints
throughput, p50/p95/p99 per request type, failures (5xx, resets, unexpected statuses)
and, on its own server, how many workers were recycled during the run.
"""

from __future__ import annotations

# locust patches the standard library for gevent: it must be imported first.
from locust import HttpUser, between, constant, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import random
import re
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import gevent

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
RECYCLED = "Autorestarting worker"


class Bench:
    """What every user shares: the server, the signed-in coordinator, ids to visit."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookie = ""
        self.csrf = ""
        self.kinds: set[str] = set()
        self.service_ids: list[str] = []
        self.barriers: list[str] = []
        self.referral: str | None = None


BENCH: Bench | None = None


class Family(HttpUser):
    """One person using Enlace: a weighted mix of what families and coordinators do."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random(id(self))
        if BENCH.cookie:
            self.client.headers["Cookie"] = BENCH.cookie
            self.client.headers["X-CSRFToken"] = BENCH.csrf

    def call(self, kind: str, method: str, path: str, ok: set[int], **kwargs) -> None:
        with self.client.request(
            method, path, name=kind, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")

    @task
    def one(self) -> None:
        kinds = [k for k in WEIGHTS if k in BENCH.kinds]
        kind = self.rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        if kind in ("search_en", "search_es"):
            words = SEARCHES_EN if kind == "search_en" else SEARCHES_ES
            q = urllib.parse.quote(self.rng.choice(words))
            self.call(kind, "GET", f"/api/v1/search?q={q}&lang={kind[-2:]}", {200})
        elif kind == "service_page":
            self.call(kind, "GET", f"/services/{self.rng.choice(BENCH.service_ids)}", {200})
        elif kind == "match":
            body = {"barriers": self.rng.sample(BENCH.barriers, k=2), "near": "Oxnard"}
            self.call(kind, "POST", "/api/v1/match", {200}, json=body)
        else:
            # sent <-> unable_to_contact is a legal loop; a lost race gives 400.
            status = self.rng.choice(["sent", "unable_to_contact"])
            path = f"/coordinator/referrals/{BENCH.referral}/status"
            self.call(kind, "POST", path, {302, 400}, data={"status": status})


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
    recycling = {"ENLACE_MAX_REQUESTS": str(args.max_requests)} if args.max_requests else {}
    # Several workers share their rate limits in Redis (under a prefix of this run).
    (server,) = stack.enter_context(
        gunicorn_hosts(url, [tmp / "index"], tmp, workers=args.workers, **recycling)
    )
    yield server, email, referral_id


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


def run(base_url: str, users: int, seconds: float, think: float) -> tuple[Environment, float]:
    """Start ``users`` locust users at once, run ``seconds``, stop; the stats and time."""
    Family.host = base_url
    Family.wait_time = between(0.5 * think, 1.5 * think) if think else constant(0)
    env = Environment(user_classes=[Family], events=events)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return env, time.monotonic() - started


def report(env: Environment, users: int, elapsed: float) -> int:
    total = env.stats.total
    print(
        f"{users} users, {elapsed:.1f} s, {total.num_requests} requests, "
        f"{total.num_requests / elapsed:.1f} req/s, {total.num_failures} failures"
    )
    print(f"{'type':<14}{'count':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'failures':>10}")
    for kind in WEIGHTS:
        entry = next((e for (name, _m), e in env.stats.entries.items() if name == kind), None)
        if entry is None or not entry.num_requests:
            continue
        print(
            f"{kind:<14}{entry.num_requests:>8}{entry.num_requests / elapsed:>8.1f}"
            f"{entry.get_response_time_percentile(0.5):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}{entry.num_failures:>10}"
        )
    for error in env.stats.errors.values():
        print(f"  {error.name}: {error.occurrences} x {error.error}")
    return total.num_failures


def main() -> int:
    global BENCH
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's requests (s)"
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (own server)")
    parser.add_argument(
        "--max-requests", type=int, default=None, help="recycle workers after ~N requests"
    )
    parser.add_argument("--url", help="an already running server instead of our own")
    parser.add_argument("--email", help="coordinator to sign in as (with --url)")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--barrier", action="append", default=[], help="barrier code (--url)")
    parser.add_argument("--referral", help="a referral id the coordinator may update")
    parser.add_argument("--sqlite", action="store_true", help="own server on SQLite")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 600)  # bounded, whatever is asked
    args.workers = args.workers or 5
    server = None
    with ExitStack() as stack:
        if args.url:
            base_url, email = args.url, args.email
            BARRIERS.extend(args.barrier)
        else:
            server, email, own_referral = stack.enter_context(_own_server(args, stack))
            base_url = server.base_url
            args.referral = args.referral or own_referral
        BENCH = Bench(base_url)
        _prepare(BENCH, email if BARRIERS else None, args.password, args.referral)
        BENCH.barriers = list(BARRIERS)
        skipped = sorted(set(WEIGHTS) - BENCH.kinds)
        recycled_before = server.log().count(RECYCLED) if server else 0
        env, elapsed = run(base_url, args.users, args.seconds, max(args.think, 0.0))
        failures = report(env, args.users, elapsed)
        if server:
            recycled = server.log().count(RECYCLED) - recycled_before
            print(f"workers recycled during the run: {recycled} "
                  f"({args.workers} workers, max_requests {args.max_requests or 'default'})")
    for kind in skipped:
        reason = (
            "pass --referral ID (the bench creates no referrals)"
            if kind == "referral"
            else "needs a signed-in coordinator and barrier codes"
        )
        print(f"skipped {kind}: {reason}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
