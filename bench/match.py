"""Benchmark: are the matches right (judged profiles), and how fast (10k services)?

    .venv/bin/python -m bench.match [--services 10000] [--runs 200] [--db PATH]

1. **Quality**: every judged family profile (``tests/data/match_profiles*.json``) matched
   on scratch SQLite copies of the Ventura sample and the synthetic Monterey directory;
   prints the measures of ``bench/match_eval.py`` (normalised top-3 precision, an
   acceptable service in the first three, unacceptable services per barrier, unservable
   barriers reported), for both directories and each.
2. **Speed**: five-barrier matches against ``bench/synthetic.py``'s directory of
   ``--services`` services plus the seed. Each run matches a different family (place,
   language, age, documents) in a fresh session, so ORM identity-map caching does not
   flatter the figures; the first five runs warm the process up and are not counted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.match_eval import evaluate, format_report, load_profiles
from bench.situation_search import load_monterey
from bench.synthetic import build
from matcher.directory import geo
from matcher.directory.seed import seed_all
from matcher.matching import engine as matching
from matcher.models.base import Base

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
WARM_UP = 5


def quality() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="enlace-match-eval-"))
    sessions = {}
    for name, loader in (("ventura", seed_all), ("monterey", load_monterey)):
        engine = create_engine(f"sqlite:///{scratch / name}.db")
        Base.metadata.create_all(engine)
        sessions[name] = Session(engine)
        loader(sessions[name])
        sessions[name].commit()
    profiles = load_profiles()
    print("== judged profiles, both directories")
    print(format_report(evaluate(sessions, profiles), len(profiles)))
    for name in sessions:
        mine = [p for p in profiles if p.directory == name]
        print(f"== {name}")
        print(format_report(evaluate(sessions, mine), len(mine)))


def speed(services: int, runs: int, db: Path | None) -> None:
    path = db or Path(tempfile.gettempdir()) / f"enlace-bench-{services}.db"
    engine = build(path, services)
    rng = random.Random(11)
    places = {name: geo.resolve_place(name) for name in PLACES}  # outside the timing
    timings = []
    results = 0
    for run in range(runs + WARM_UP):
        profile = matching.FamilyProfile(
            barriers=rng.sample(BARRIERS, 5),
            languages=rng.choice(LANGUAGES),
            near=places[rng.choice(PLACES)],
            age=rng.choice((None, 6, 9, 14, 17)),
            no_documents=rng.random() < 0.2,
        )
        with Session(engine) as session:
            start = time.perf_counter()
            result = matching.match_family(session, profile)
            elapsed = (time.perf_counter() - start) * 1000
        if run >= WARM_UP:
            timings.append(elapsed)
            results += sum(len(b.results) for b in result.barriers)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"== speed: services {services} (+ seed), runs {runs}, barriers per match 5")
    print(f"p50: {statistics.median(timings):.1f} ms  p95: {p95:.1f} ms  max: {timings[-1]:.1f} ms")
    print(f"mean results per match: {results / len(timings):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", type=Path, help="reuse this SQLite file (built if missing)")
    parser.add_argument("--skip-quality", action="store_true", help="time matches only")
    args = parser.parse_args()
    if not args.skip_quality:
        quality()
    speed(args.services, args.runs, args.db)


if __name__ == "__main__":
    main()
