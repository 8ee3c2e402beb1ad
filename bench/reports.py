"""Benchmark: county and school report pages with 5,000 needs records and 10k services.

    .venv/bin/python -m bench.reports [--services 10000] [--needs 5000] [--runs 5]

The directory is ``bench.synthetic`` (seed plus synthetic services). Needs records,
their barriers, referrals with their status history and unmatched barriers are
written to the same database in bulk, so each report reads them through
``matcher.families.needs.report_rows`` as in production. Each figure is a full HTTP request
through the Flask test client (queries, suppression, charts, template), signed in as
a county admin. The first request of the process builds the in-memory directory
table and the reports' derived facts; it is shown apart from the warm median.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.synthetic import build
from matcher import create_app
from matcher.access import accounts
from matcher.core.upsert import stable_id
from matcher.models import (
    Barrier,
    MatchGap,
    NeedsBarrier,
    NeedsRecord,
    Referral,
    ReferralEvent,
    School,
)

PASSWORD = "benchmark password 123"
# Status paths a synthetic referral takes after draft, with their weights.
PATHS = (
    (("sent", "accepted", "completed"), 6),
    (("sent", "accepted"), 1),
    (("sent", "declined"), 1),
    (("sent", "unable_to_contact"), 1),
    (("sent",), 1),
)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, tzinfo=UTC)


def insert_demand(session: Session, count: int, seed: int = 11) -> int:
    """Write ``count`` needs records with 1-4 barriers each, a referral per barrier and an
    unmatched barrier for every 25th record; returns the number of referrals."""
    rng = random.Random(seed)
    schools = list(session.scalars(select(School).order_by(School.name)))
    codes = list(session.scalars(select(Barrier.code).order_by(Barrier.code)))
    paths, weights = zip(*PATHS, strict=True)
    start = date(2025, 8, 1)
    rows: dict[str, list[dict]] = {"record": [], "barrier": [], "referral": [], "event": []}
    gaps = []
    for n in range(count):
        record_id = stable_id("bench-needs", str(n))
        school = rng.choice(schools)
        day = start + timedelta(days=rng.randrange(365))
        barriers = sorted(rng.sample(codes, rng.randint(1, 4)))
        language = rng.choice(("es", "es", "en", "mix", "zap"))
        rows["record"].append(
            {
                "id": record_id,
                "school_id": school.id,
                "family_key": f"F-BENCH{n:06d}",
                "grade_band": rng.choice(("TK-2", "3-5", "6-8", "9-12")),
                "languages_json": json.dumps([language]),
                "created_at": _moment(day),
            }
        )
        rows["barrier"] += [{"needs_record_id": record_id, "barrier_code": c} for c in barriers]
        if n % 25 == 0:
            gaps.append(
                {
                    "school_id": school.id,
                    "needs_record_id": record_id,
                    "barrier_code": barriers[0],
                    "language": language,
                }
            )
        for code in barriers:
            referral_id = stable_id("bench-referral", str(n), code)
            path = rng.choices(paths, weights)[0]
            rows["referral"].append(
                {
                    "id": referral_id,
                    "needs_record_id": record_id,
                    "barrier_code": code,
                    "status": path[-1],
                    "follow_up_on": day + timedelta(days=14),
                    "created_at": _moment(day),
                }
            )
            moment, previous = _moment(day), "draft"
            rows["event"].append({"referral_id": referral_id, "to_status": "draft", "at": moment})
            for status in path:
                moment += timedelta(days=rng.randint(1, 20))
                rows["event"].append(
                    {
                        "referral_id": referral_id,
                        "from_status": previous,
                        "to_status": status,
                        "at": moment,
                    }
                )
                previous = status
    for model, key in (
        (NeedsRecord, "record"),
        (NeedsBarrier, "barrier"),
        (Referral, "referral"),
        (ReferralEvent, "event"),
    ):
        session.execute(insert(model), rows[key])
    session.execute(insert(MatchGap), gaps)
    return len(rows["referral"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="enlace-bench-reports-"))
    engine = build(tmp / "bench.db", services=args.services)
    with Session(engine) as session:
        referral_count = insert_demand(session, args.needs)
        school_key = session.scalars(select(School.key).order_by(School.name)).first()
        accounts.create_user(
            session,
            email="bench@example.org",
            role="admin",
            name="Bench",
            password=PASSWORD,
            verified=True,
            actor="bench",
        )
        session.commit()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "INSTANCE_PATH": str(tmp / "instance"),
            "ENLACE_INDEX_DIR": str(tmp / "idx"),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    print(
        f"{args.services} synthetic services (+ seed), {args.needs} needs records, "
        f"{referral_count} referrals; {args.runs} warm runs each"
    )
    for path in (
        "/reports/county",
        f"/reports/schools/{school_key}",
        "/reports/county/needs-by-barrier.csv",
    ):
        started = time.perf_counter()
        assert client.get(path).status_code == 200, path
        first = time.perf_counter() - started
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"{path}: first {first * 1000:.0f} ms, warm median "
            f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
            f"{len(response.data) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
