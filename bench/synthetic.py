"""A synthetic Ventura County directory of any size, for benchmarks (search and matching).

``build(path, services=10_000)`` creates a SQLite database with the schema, the real seed
(taxonomy, barriers, sample directory, schools) and ``services`` extra synthetic services
spread over the county's places, the taxonomy's leaf terms, languages, costs, ages, hours
and service areas. Deterministic for a given seed. Bulk inserts keep 10k under a minute.
"""

from __future__ import annotations

import random
from datetime import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matcher.core.upsert import stable_id
from matcher.directory.geo import known_places
from matcher.directory.seed import seed_all
from matcher.models import (
    Address,
    Base,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)

LANGUAGE_MIX = (("en",), ("en", "es"), ("en", "es"), ("es",), ("en", "es", "mix"), ("en", "vi"))
COSTS = (None, "free", "free", "sliding_scale", "fee")
SERVICES_PER_ORG = 4


def _rows(count: int, rng: random.Random, term_ids: list[str]) -> dict[str, list[dict]]:
    places = known_places()
    rows: dict[str, list[dict]] = {
        k: [] for k in ("org", "loc", "addr", "svc", "sal", "lang", "area", "sched", "term")
    }
    org_id = None
    for n in range(count):
        if n % SERVICES_PER_ORG == 0:
            org_id = stable_id("bench-org", str(n))
            rows["org"].append({"id": org_id, "name": f"Synthetic org {n}", "published": True})
        place = rng.choice(places)
        sid = stable_id("bench-service", str(n))
        low = rng.choice((None, None, None, 0, 5, 12, 18))
        rows["svc"].append(
            {
                "id": sid,
                "organization_id": org_id,
                "name": f"Synthetic service {n}",
                "status": rng.choices(("active", "inactive"), (19, 1))[0],
                "cost": rng.choice(COSTS),
                "minimum_age": low,
                "maximum_age": None if low is None else low + rng.choice((5, 10, 80)),
                "accepting_referrals": rng.choice((None, True, False)),
                "interpretation_services": rng.choice((None, None, None, "Phone interpreters")),
            }
        )
        if rng.random() < 0.8:
            lid = stable_id("bench-location", str(n))
            rows["loc"].append(
                {
                    "id": lid,
                    "organization_id": org_id,
                    "location_type": "physical",
                    "latitude": place.point.latitude + rng.uniform(-0.03, 0.03),
                    "longitude": place.point.longitude + rng.uniform(-0.03, 0.03),
                }
            )
            rows["addr"].append(
                {"id": stable_id("bench-address", str(n)), "location_id": lid, "city": place.name}
            )
            rows["sal"].append(
                {"id": stable_id("bench-sal", str(n)), "service_id": sid, "location_id": lid}
            )
        if rng.random() < 0.3:
            kind, name = rng.choice((("county", "Ventura"), ("city", place.name)))
            rows["area"].append(
                {
                    "id": stable_id("bench-area", str(n)),
                    "service_id": sid,
                    "kind": kind,
                    "name": name,
                }
            )
        for code in rng.choice(LANGUAGE_MIX):
            rows["lang"].append(
                {
                    "id": stable_id("bench-lang", str(n), code),
                    "service_id": sid,
                    "code": code,
                    "interpreter": False,
                }
            )
        opens = rng.choice((8, 9, 10, 13))
        rows["sched"].append(
            {
                "id": stable_id("bench-schedule", str(n)),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": rng.choice(("MO,TU,WE,TH,FR", "MO,WE,FR", "SA", "TU,TH,SA")),
                "opens_at": time(opens),
                "closes_at": time(min(opens + rng.choice((4, 8, 9)), 21)),
            }
        )
        for tid in rng.sample(term_ids, rng.choice((1, 2, 2, 3))):
            rows["term"].append({"service_id": sid, "taxonomy_term_id": tid})
    return rows


def build(path: Path, services: int = 10_000, seed: int = 7) -> Engine:
    """Create (or reuse) the benchmark database at ``path``; returns its engine."""
    engine = create_engine(f"sqlite:///{path}")
    if path.exists():
        return engine
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed_all(session)
        session.commit()
        term_ids = list(session.scalars(select(TaxonomyTerm.id).order_by(TaxonomyTerm.id)))
        rows = _rows(services, random.Random(seed), term_ids)
        for model, key in (
            (Organization, "org"),
            (Location, "loc"),
            (Address, "addr"),
            (Service, "svc"),
            (ServiceAtLocation, "sal"),
            (Language, "lang"),
            (ServiceArea, "area"),
            (Schedule, "sched"),
        ):
            session.execute(insert(model), rows[key])
        session.execute(insert(service_taxonomy_term), rows["term"])
        session.commit()
    return engine
