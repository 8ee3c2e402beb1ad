"""Search benchmark: a synthetic bilingual directory, Enlace search against SQLite FTS5.

    .venv/bin/python -m bench.search                 # 10k and 100k services
    .venv/bin/python -m bench.search --sizes 10000   # 10k only (about a minute)

For each size: generates a directory in a scratch SQLite database (55% of
listings English only, 30% English with a Spanish translation, 15% written only
in Spanish; real taxonomy terms, aliases and Ventura County places), rebuilds the
index with ``matcher.search.index.rebuild`` and times plain, typo, filtered and
geo queries through ``engine.request_from_params`` + ``engine.search`` +
``to_dict`` (the code path of ``GET /api/v1/search``, without HTTP). The same
data and queries go through an FTS5 (bm25) table as a baseline. Also times one
edited listing from database commit to first search hit. On the seeded Ventura
directory it reports nDCG@10 of both (``bench.relevance``).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, update
from sqlalchemy.orm import Session

from bench.relevance import Fts5Baseline, enlace_runner, evaluate, format_report, load_judgments
from matcher.core.text import words
from matcher.core.upsert import ChangeCounts
from matcher.directory import geo
from matcher.directory.taxonomy import load_taxonomy, read_terms, term_id
from matcher.models import (
    Address,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTranslation,
    service_taxonomy_term,
)
from matcher.models.base import Base
from matcher.search import engine, understanding
from matcher.search.index import (
    INDEX_NAME,
    default_procs,
    get_index,
    rebuild,
    update_services,
)

QUERIES_PER_TYPE = 200
LANGS = [("en", 1.0), ("es", 0.55), ("mix", 0.06), ("zap", 0.03), ("vi", 0.03), ("tl", 0.03)]
AUDIENCES = [
    ("families", "familias"),
    ("children and youth", "niños y jóvenes"),
    ("adults", "adultos"),
    ("seniors", "personas mayores"),
    ("farmworker families", "familias campesinas"),
    ("students", "estudiantes"),
    ("parents of young children", "padres de niños pequeños"),
]
FILLER_EN = [
    "Call ahead to confirm hours before you visit.",
    "Bring a photo ID if you have one; it is not always required.",
    "Staff can help you fill out forms and applications.",
    "Services are offered by appointment and on a walk-in basis.",
    "Ask about other programs when you call.",
    "Volunteers and staff speak several languages.",
    "The program is funded by county, state and private grants.",
    "Wheelchair accessible and close to public transit.",
]
FILLER_ES = [
    "Llame antes de ir para confirmar el horario.",
    "Traiga una identificación con foto si la tiene; no siempre es necesaria.",
    "El personal puede ayudarle a llenar formularios y solicitudes.",
    "Los servicios se ofrecen con cita y sin cita.",
    "Pregunte por otros programas cuando llame.",
    "Voluntarios y personal hablan varios idiomas.",
    "El programa recibe fondos del condado, del estado y de donantes privados.",
    "Accesible en silla de ruedas y cerca del transporte público.",
]
ORG_WORDS = [
    "Community",
    "Family",
    "Valley",
    "Coastal",
    "Harbor",
    "United",
    "Hope",
    "Esperanza",
    "Unidos",
    "Familias",
    "Center",
    "Alliance",
    "Services",
    "Network",
    "Project",
]
QUERIES = [
    "food pantry",
    "free groceries",
    "rent assistance",
    "help paying electric bill",
    "homeless shelter",
    "domestic violence",
    "mental health counseling",
    "dentist for kids",
    "english classes",
    "citizenship classes",
    "immigration lawyer",
    "after school program",
    "tutoring",
    "health insurance",
    "vaccines",
    "child care",
    "despensa de comida",
    "ayuda con la renta",
    "albergue",
    "violencia doméstica",
    "consejería para adolescentes",
    "dentista para niños",
    "clases de inglés",
    "abogado de inmigración",
    "cuidado de niños",
    "comida gratis",
    "vivienda",
    "clínica gratis",
    "vacunas",
    "tratamiento para drogas",
]


def _typo(text: str, rng: random.Random) -> str:
    """One typo (swap, drop or double a letter) in the longest word."""
    words = text.split()
    i = max(range(len(words)), key=lambda n: len(words[n]))
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    words[i] = rng.choice(
        [w[:k] + w[k + 1] + w[k] + w[k + 2 :], w[:k] + w[k + 1 :], w[:k] + w[k] + w[k:]]
    )
    return " ".join(words)


def generate(session: Session, size: int, rng: random.Random) -> list[dict[str, Any]]:
    """Insert ``size`` services; returns FTS5 rows (id, langs, name, body, points)."""
    load_taxonomy(session, ChangeCounts())
    session.commit()
    terms = [t for t in read_terms() if t["parent_code"]]
    places = [p for p in geo.known_places() if p.kind == "city"] or list(geo.known_places())
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("org", "svc", "tr", "lang", "loc", "addr", "sal", "sched", "area", "term")
    }
    fts: list[dict[str, Any]] = []
    org_id = None
    for n in range(size):
        if n % 4 == 0:
            org_id = f"org-{n:07d}"
            org_name = " ".join(rng.sample(ORG_WORDS, 2)) + f" {n // 4}"
            rows["org"].append({"id": org_id, "name": org_name, "published": True})
        sid = f"svc-{n:07d}"
        chosen = rng.sample(terms, rng.choice((1, 1, 2)))
        main = chosen[0]
        aliases_en = [a for t in chosen for a in t["aliases_en"].split("|") if a][:3]
        aliases_es = [a for t in chosen for a in t["aliases_es"].split("|") if a][:3]
        audience_en, audience_es = rng.choice(AUDIENCES)
        place = rng.choice(places)
        name_en = f"{main['name_en']} for {audience_en}"
        name_es = f"{main['name_es']} para {audience_es}"
        desc_en = (
            f"{org_name} offers {', '.join(aliases_en) or main['name_en'].lower()} "
            f"for {audience_en} in {place.name}. " + " ".join(rng.sample(FILLER_EN, 4))
        )
        desc_es = (
            f"{org_name} ofrece {', '.join(aliases_es) or main['name_es'].lower()} "
            f"para {audience_es} en {place.name}. " + " ".join(rng.sample(FILLER_ES, 4))
        )
        kind = rng.random()
        spanish_only = kind >= 0.85
        rows["svc"].append(
            {
                "id": sid,
                "organization_id": org_id,
                "name": name_es if spanish_only else name_en,
                "description": desc_es if spanish_only else desc_en,
                "status": "active" if rng.random() > 0.03 else "inactive",
                "cost": rng.choice(("free", "free", "sliding_scale", "fee", None)),
                "minimum_age": rng.choice((None, None, None, 0, 13, 18)),
                "maximum_age": None,
            }
        )
        if 0.55 <= kind < 0.85:
            rows["tr"].append(
                {"service_id": sid, "locale": "es", "name": name_es, "description": desc_es}
            )
        codes = [code for code, p in LANGS if rng.random() < p] or ["en"]
        for code in codes:
            rows["lang"].append({"id": f"{sid}-{code}", "service_id": sid, "code": code})
        for t in chosen:
            rows["term"].append({"service_id": sid, "taxonomy_term_id": term_id(t["code"])})
        points = []
        if rng.random() < 0.8:
            lat = place.point.latitude + rng.uniform(-0.04, 0.04)
            lon = place.point.longitude + rng.uniform(-0.04, 0.04)
            points.append((lat, lon))
            rows["loc"].append(
                {"id": f"{sid}-loc", "organization_id": org_id, "latitude": lat, "longitude": lon}
            )
            rows["addr"].append(
                {"id": f"{sid}-addr", "location_id": f"{sid}-loc", "city": place.name}
            )
            rows["sal"].append({"id": f"{sid}-sal", "service_id": sid, "location_id": f"{sid}-loc"})
        else:
            rows["area"].append(
                {"id": f"{sid}-area", "service_id": sid, "kind": "county", "name": "Ventura"}
            )
        opens = rng.choice((8, 9, 10, 13))
        rows["sched"].append(
            {
                "id": f"{sid}-s",
                "service_id": sid,
                "byday": rng.choice(("MO,TU,WE,TH,FR", "MO,WE,FR", "SA", "TU,TH")),
                "opens_at": datetime(2000, 1, 1, opens).time(),
                "closes_at": datetime(2000, 1, 1, opens + rng.choice((3, 4, 8, 9))).time(),
            }
        )
        if rows["svc"][-1]["status"] == "active":
            body = " ".join(
                [org_name, rows["svc"][-1]["description"]]
                + ([desc_es] if 0.55 <= kind < 0.85 else [])
                + [label for t in chosen for label in (t["name_en"], t["name_es"])]
                + [place.name]
            )
            fts.append(
                {"id": sid, "langs": codes, "name": rows["svc"][-1]["name"], "body": body}
                | {"points": points}
            )
    tables = {
        "org": Organization.__table__,
        "svc": Service.__table__,
        "tr": ServiceTranslation.__table__,
        "lang": Language.__table__,
        "loc": Location.__table__,
        "addr": Address.__table__,
        "sal": ServiceAtLocation.__table__,
        "sched": Schedule.__table__,
        "area": ServiceArea.__table__,
        "term": service_taxonomy_term,
    }
    for key, table in tables.items():
        for start in range(0, len(rows[key]), 5000):
            session.execute(insert(table), rows[key][start : start + 5000])
    session.commit()
    return fts


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(fn: Callable[[dict[str, str]], Any], params: list[dict[str, str]]) -> list[float]:
    out = []
    for p in params:
        started = time.perf_counter()
        fn(p)
        out.append((time.perf_counter() - started) * 1000)
    return out


SITUATIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "situation_judgments.json"


def _sentences(rng: random.Random) -> list[dict[str, str]]:
    """What families say (the judged situation phrasings), as search parameters."""
    queries = json.loads(SITUATIONS.read_text(encoding="utf-8"))["queries"]
    return [
        {"q": q["q"], "lang": q["lang"]}
        for q in (rng.choice(queries) for _ in range(QUERIES_PER_TYPE))
    ]


def time_understanding(params: list[dict[str, str]]) -> tuple[float, float]:
    """p50/p95 ms of query understanding alone (situations + staff phrases), uncached."""
    samples = []
    for p in params:
        understanding._read.cache_clear()
        started = time.perf_counter()
        understanding.understand_query(p["q"], p.get("lang", "en"))
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def _query_sets(rng: random.Random) -> dict[str, list[dict[str, str]]]:
    places = [p.name for p in geo.known_places() if p.kind == "city"]
    plain = [{"q": rng.choice(QUERIES)} for _ in range(QUERIES_PER_TYPE)]
    return {
        "sentence": _sentences(rng),
        "plain": plain,
        "typo": [{"q": _typo(p["q"], rng)} for p in plain],
        "filtered": [
            {"q": p["q"], "language": "es", "free": "1", "age": "10"}
            if n % 2
            else {"q": p["q"], "category": "1102", "language": "es"}
            for n, p in enumerate(plain)
        ],
        "geo": [{"q": p["q"], "near": rng.choice(places), "radius_mi": "10"} for p in plain],
    }


class Fts5Bench(Fts5Baseline):
    """The relevance baseline plus a point table for geo queries."""

    def __init__(self, services: list[dict[str, Any]]) -> None:
        super().__init__(services)
        self.db.execute("CREATE TABLE pts (id TEXT, lat REAL, lon REAL)")
        self.db.execute("CREATE INDEX pts_id ON pts (id)")
        self.db.executemany(
            "INSERT INTO pts VALUES (?, ?, ?)",
            [(s["id"], lat, lon) for s in services for lat, lon in s["points"]],
        )

    def run(self, params: dict[str, str]) -> list[str]:
        if "near" not in params:
            return self.search(params["q"], params.get("language"))
        place = geo.resolve_place(params["near"])
        box = geo.bounding_box(place.point, float(params["radius_mi"]))
        terms = " OR ".join(f'"{w}"' for w in words(params["q"])) or '""'
        # Text matches first (materialized), then the bounding box: otherwise SQLite may
        # walk the point index and evaluate MATCH once per point.
        sql = (
            "WITH m AS MATERIALIZED (SELECT id, bm25(doc) AS rank FROM doc WHERE doc MATCH ?)"
            " SELECT m.id FROM m JOIN pts ON pts.id = m.id WHERE pts.lat BETWEEN ? AND ?"
            " AND pts.lon BETWEEN ? AND ? ORDER BY m.rank LIMIT 10"
        )
        return [r[0] for r in self.db.execute(sql, (terms, box[0], box[1], box[2], box[3]))]


def _progress(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _index_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench_size(size: int, workdir: Path, rng: random.Random) -> dict[str, Any]:
    db_path = workdir / f"bench-{size}.db"
    index_dir = workdir / f"index-{size}"
    eng = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(eng)
    with Session(eng) as session:
        started = time.perf_counter()
        fts_rows = generate(session, size, rng)
        generated = time.perf_counter() - started
        _progress(f"{size}: generated in {generated:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        count = rebuild(index_dir, session, procs=default_procs())  # as `flask reindex`
        build_s = time.perf_counter() - started
        _progress(f"{size}: built in {build_s:.1f} s")
        index = get_index(index_dir)
        started = time.perf_counter()
        index.ensure(session)
        index.snapshot()
        load_s = time.perf_counter() - started

        def run(params: dict[str, str]) -> dict[str, Any]:
            request = engine.request_from_params(params)
            return json.loads(json.dumps(engine.search(session, index, request).to_dict()))

        started = time.perf_counter()
        fts = Fts5Bench(fts_rows)
        fts_build_s = time.perf_counter() - started
        # Cold: each distinct query once on the freshly opened index, so every term's
        # postings are read from disk; then each query type with the cache warm.
        sets = {"cold": [{"q": q} for q in QUERIES], **_query_sets(rng)}
        timings: dict[str, Any] = {}
        for kind, params in sets.items():
            if kind != "cold":
                run(params[0])  # warm caches for this query shape
            ours = _percentiles(_time(run, params))
            base = _percentiles(_time(fts.run, params))
            timings[kind] = {"enlace": ours, "fts5": base}
            _progress(f"{size}: {kind} p50/p95 {ours[0]:.1f}/{ours[1]:.1f} ms")
        timings["understanding"] = {
            "enlace": time_understanding(sets["plain"] + sets["sentence"]),
            "fts5": (0.0, 0.0),
        }
        # One edited listing: commit, update, first search that finds it.
        target = session.scalars(
            select(Service.id).where(Service.status == "active").limit(1)
        ).one()
        rename = update(Service).where(Service.id == target).values(name="Quetzalcoatl kitchen")
        session.execute(rename)
        session.commit()
        _progress(f"{size}: timing one edit")
        started = time.perf_counter()
        update_services(index_dir, session, [target])
        hit = run({"q": "quetzalcoatl kitchen"})["results"][0]["id"] == target
        edit_s = time.perf_counter() - started
    eng.dispose()
    return {
        "size": size,
        "indexed": count,
        "generate_s": generated,
        "build_s": build_s,
        "open_s": load_s,
        "fts_build_s": fts_build_s,
        "index_mb": _index_size(index_dir / INDEX_NAME) / 1e6,
        "rss_before_build_mb": rss_before / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "timings": timings,
        "edit_visible_s": edit_s,
        "edit_found": hit,
    }


def seed_relevance(workdir: Path) -> str:
    """nDCG@10 of Enlace and the FTS5 baseline on the judged set over the seed data."""
    from flask_migrate import upgrade

    from matcher import create_app
    from matcher.db import transaction
    from matcher.directory.seed import seed_all
    from matcher.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'seed.db'}",
            "ENLACE_INDEX_DIR": str(workdir / "seed-index"),
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        with transaction() as session:
            seed_all(session)
        session = db.session
        index = get_index(app)

        def run(params: dict[str, Any]) -> list[str]:
            request = engine.request_from_params(params)
            return [r.id for r in engine.search(session, index, request).results]

        queries = load_judgments()
        ours = evaluate(enlace_runner(run), queries)
        base = evaluate(Fts5Baseline.from_database(session).runner(), queries)
        db.engine.dispose()
    return "\n".join([format_report("enlace   ", ours), format_report("fts5-bm25", base)])


def report(result: dict[str, Any]) -> str:
    lines = [
        f"## {result['size']:,} services ({result['indexed']:,} active, indexed)",
        f"build {result['build_s']:.1f} s (FTS5 {result['fts_build_s']:.1f} s); first open "
        f"{result['open_s']:.2f} s; index {result['index_mb']:.1f} MB; peak RSS "
        f"{result['peak_rss_mb']:.0f} MB (before build {result['rss_before_build_mb']:.0f} MB); "
        f"edited listing searchable after {result['edit_visible_s'] * 1000:.0f} ms"
        f" (found: {result['edit_found']})",
        "| query type | Enlace p50 ms | Enlace p95 ms | FTS5 p50 ms | FTS5 p95 ms"
        " | p50 ratio | p95 ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, t in result["timings"].items():
        (o50, o95), (f50, f95) = t["enlace"], t["fts5"]
        if kind == "understanding":  # no baseline: part of every query above
            lines.append(f"| understanding (in each) | {o50:.2f} | {o95:.2f} | - | - | - | - |")
            continue
        lines.append(
            f"| {kind} | {o50:.1f} | {o95:.1f} | {f50:.2f} | {f95:.2f}"
            f" | {o50 / max(f50, 1e-6):.2f}x | {o95 / max(f95, 1e-6):.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="enlace-bench-"))
    print(
        f"# Enlace search benchmark, {datetime.now(UTC):%Y-%m-%d}, {platform.node()}: "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    try:
        print(seed_relevance(workdir))
        for size in (int(s) for s in args.sizes.split(",")):
            print(report(bench_size(size, workdir, random.Random(args.seed))), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
