"""Benchmark: county and school report pages with 5,000 needs records and 10k services.

    .venv/bin/python -m bench.reports [--services 10000] [--needs 5000] [--runs 5]

The directory is ``bench.synthetic`` (seed plus synthetic services). Needs and referral
rows are generated in memory and handed to the report through ``demand.load``: the needs
models arrive with the matching issue, so reading them from the database is not measured
here yet. Each figure is a full HTTP request through the Flask test client (query,
suppression, charts, template), signed in as a county admin.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.synthetic import build
from matcher import accounts, create_app
from matcher.models import Barrier, School
from matcher.reports import demand

PASSWORD = "benchmark password 123"


def synthetic_demand(session: Session, count: int, seed: int = 11) -> demand.DemandData:
    rng = random.Random(seed)
    schools = list(session.scalars(select(School)))
    codes = list(session.scalars(select(Barrier.code)))
    start = date(2025, 8, 1)
    needs, referrals = [], []
    for _ in range(count):
        school = rng.choice(schools)
        day = start + timedelta(days=rng.randrange(365))
        barriers = frozenset(rng.sample(codes, rng.randint(1, 4)))
        language = rng.choice(("es", "es", "en", "mix", "zap"))
        needs.append(
            demand.NeedRow(
                school.id,
                school.district_id,
                day,
                rng.choice(("TK-5", "6-8", "9-12")),
                language,
                barriers,
            )
        )
        for code in barriers:
            done = rng.random() < 0.6
            referrals.append(
                demand.ReferralRow(
                    school.id,
                    code,
                    day,
                    done or rng.random() < 0.2,
                    rng.random() < 0.1,
                    day + timedelta(days=rng.randint(1, 60)) if done else None,
                    not done and rng.random() < 0.3,
                )
            )
    gaps = [demand.GapRow(n.school_id, min(n.barriers), n.language) for n in needs[::25]]
    return demand.DemandData(needs, referrals, gaps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="enlace-bench-reports-"))
    engine = build(tmp / "bench.db", services=args.services)
    with Session(engine) as session:
        data = synthetic_demand(session, args.needs)
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
    demand.load = lambda *_a, **_k: data  # the in-memory rows above
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
        f"{len(data.referrals)} referrals; {args.runs} runs each"
    )
    for path in (
        "/reports/county",
        f"/reports/schools/{school_key}",
        "/reports/county/needs-by-barrier.csv",
    ):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"{path}: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, {len(response.data) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
