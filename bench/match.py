"""Benchmark: five-barrier matches against a 10k-service synthetic directory; prints p50/p95.

    .venv/bin/python -m bench.match [--services 10000] [--runs 200]

Each run matches a different family (place, language, age) for five barriers, in a fresh
session, so ORM identity-map caching does not flatter the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from bench.synthetic import build
from matcher.directory import geo
from matcher.matching import engine as matching

BARRIERS = (
    "food_insecurity",
    "housing_cost",
    "mental_health",
    "dental",
    "transportation",
    "employment_income",
    "adult_education",
    "childcare",
    "academic_support",
    "primary_care",
)
PLACES = ("Oxnard", "Fillmore", "Piru", "Santa Paula", "Simi Valley", "93001", "Thousand Oaks")
LANGUAGES = (["es"], ["en"], ["mix", "es"], ["es", "en"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", type=Path, help="reuse this SQLite file (built if missing)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"enlace-bench-{args.services}.db"
    engine = build(path, args.services)
    rng = random.Random(11)
    timings = []
    results = 0
    for run in range(args.runs + 5):
        profile = matching.FamilyProfile(
            barriers=rng.sample(BARRIERS, 5),
            languages=rng.choice(LANGUAGES),
            near=geo.resolve_place(rng.choice(PLACES)),
            age=rng.choice((None, 6, 9, 14, 17)),
            school_id=None,
        )
        with Session(engine) as session:
            start = time.perf_counter()
            result = matching.match_family(session, profile)
            elapsed = (time.perf_counter() - start) * 1000
        if run >= 5:  # warm-up runs are not counted
            timings.append(elapsed)
            results += sum(len(b.results) for b in result.barriers)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"services: {args.services} (+ seed)  runs: {args.runs}  barriers per match: 5")
    print(f"p50: {statistics.median(timings):.1f} ms  p95: {p95:.1f} ms  max: {timings[-1]:.1f} ms")
    print(f"mean results per match: {results / len(timings):.1f}")


if __name__ == "__main__":
    main()
