"""Situation search: crisis detection, fitting services and nDCG@10 of what families say.

``tests/data/situation_judgments.json`` holds judged sentences, colloquial Spanish,
Spanglish, crisis phrasings and look-alike controls over two directories: the Ventura
sample (``ventura``) and the synthetic Monterey County package (``monterey``).
``tests/data/situation_heldout.json`` is a second set in the same format, written before
any tuning and never tuned to: the figure that says how search carries to unseen
phrasings. Used by ``tests/test_situation_relevance.py``; run alone (builds two scratch
SQLite databases, prints both sets):

    .venv/bin/python -m bench.situation_search
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.relevance import ndcg, service_ids_by_key
from matcher.core.upsert import ChangeCounts
from matcher.directory.taxonomy import load_barriers, load_taxonomy
from matcher.hsds import importer
from matcher.models.base import Base

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "data" / "situation_judgments.json"
HELD_OUT = ROOT / "tests" / "data" / "situation_heldout.json"
MONTEREY_DIR = ROOT / "tests" / "data" / "counties" / "monterey" / "hsds"
MONTEREY = MONTEREY_DIR / "services.json"
SITUATION_KINDS = ("sentence_en", "sentence_es", "colloquial_es", "spanglish", "crisis")
FIT_GRADE = 2
TOP_FIT = 5

# query dict -> the search's JSON (``SearchResponse.to_dict()``)
Runner = Callable[[dict[str, Any]], dict[str, Any]]


def load_situations(path: Path = JUDGMENTS) -> list[dict[str, Any]]:
    """Judged queries with ``grades`` keyed by service id in their own directory."""
    queries = json.loads(path.read_text(encoding="utf-8"))["queries"]
    monterey_ids = json.loads((MONTEREY_DIR / "keys.json").read_text(encoding="utf-8"))["services"]
    ventura_ids = service_ids_by_key()
    for item in queries:
        ids = monterey_ids if item["directory"] == "monterey" else ventura_ids
        item["grades"] = {ids[k]: g for k, g in item["judgments"].items()}
    return queries


def load_monterey(session: Session) -> None:
    """Reference data only (taxonomy, barriers), then the county's own HSDS package."""
    counts = ChangeCounts()
    load_taxonomy(session, counts)
    load_barriers(session, counts)
    _kind, tables = importer.read_detected(MONTEREY)
    importer.load(session, tables)


def evaluate(runners: dict[str, Runner], queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Crisis detection, a fitting service in the first five, and nDCG@10 per kind."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    crisis_right, crisis_total, false_alarms, controls = 0, 0, 0, 0
    fits, fit_total, misses, timings = 0, 0, [], []
    for q in queries:
        params = {"q": q["q"], "lang": q.get("lang", "en"), "per_page": 10}
        started = time.perf_counter()
        response = runners[q["directory"]](params)
        timings.append((time.perf_counter() - started) * 1000)
        ids = [r["id"] for r in response["results"]]
        score = ndcg(ids, q["grades"])
        by_kind[q["kind"]].append(score)
        found = response["crisis"]["kind"] if response["crisis"] else None
        if q.get("crisis"):
            crisis_total += 1
            lines = response["crisis"]["lines"] if response["crisis"] else []
            if found == q["crisis"] and any(line["phone"] for line in lines):
                crisis_right += 1
            else:
                misses.append(f"crisis {q['id']}: expected {q['crisis']}, got {found}: {q['q']}")
        elif found:
            misses.append(f"false alarm {q['id']} ({found}): {q['q']}")
            false_alarms += 1
        if q["kind"] == "control":
            controls += 1
        if any(g >= FIT_GRADE for g in q["grades"].values()):
            fit_total += 1
            if any(q["grades"].get(i, 0) >= FIT_GRADE for i in ids[:TOP_FIT]):
                fits += 1
            else:
                misses.append(f"no fit in top {TOP_FIT} {q['id']}: {q['q']}")
    situation = [s for k in SITUATION_KINDS for s in by_kind.get(k, [])]
    return {
        "queries": len(queries),
        "crisis_right": crisis_right,
        "crisis_total": crisis_total,
        "false_alarms": false_alarms,
        "controls": controls,
        "fit_rate": fits / max(fit_total, 1),
        "fit_total": fit_total,
        "ndcg_situations": statistics.fmean(situation) if situation else 0.0,
        "kinds": {k: statistics.fmean(v) for k, v in sorted(by_kind.items())},
        "misses": misses,
        "median_ms": statistics.median(timings) if timings else 0.0,
    }


def format_report(report: dict[str, Any]) -> str:
    kinds = "  ".join(f"{k} {v:.3f}" for k, v in report["kinds"].items())
    return (
        f"{report['queries']} queries: crisis right {report['crisis_right']}/"
        f"{report['crisis_total']}, false alarms {report['false_alarms']} of "
        f"{report['controls']} controls, a fitting service in the first {TOP_FIT} for "
        f"{report['fit_rate']:.1%} of {report['fit_total']}; nDCG@10 situations "
        f"{report['ndcg_situations']:.3f} ({kinds}); median {report['median_ms']:.1f} ms"
    )


def main() -> None:  # pragma: no cover - a script
    from matcher import create_app
    from matcher.directory.seed import seed_all
    from matcher.extensions import db
    from matcher.search import engine
    from matcher.search.index import get_index, rebuild

    scratch = Path(tempfile.mkdtemp(prefix="enlace-situations-"))
    runners: dict[str, Runner] = {}
    apps = {}
    for name, loader in (("ventura", seed_all), ("monterey", load_monterey)):
        url = f"sqlite:///{scratch / name}.db"
        Base.metadata.create_all(create_engine(url))
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(scratch / f"{name}-instance"),
            "ENLACE_INDEX_DIR": str(scratch / f"{name}-index"),
        })
        with app.app_context():
            loader(db.session)
            db.session.commit()
            rebuild(app.config["ENLACE_INDEX_DIR"], db.session)
        apps[name] = app

    def runner(app):
        def run(params):
            with app.app_context():
                request = engine.request_from_params(params, params.get("lang", "en"))
                return engine.search(db.session, get_index(app), request).to_dict()
        return run

    runners = {name: runner(app) for name, app in apps.items()}
    for name, path in (("judged", JUDGMENTS), ("held-out", HELD_OUT)):
        report = evaluate(runners, load_situations(path))
        print(f"{name}: {format_report(report)}")
        for line in report["misses"]:
            print("  ", line)


if __name__ == "__main__":  # pragma: no cover
    main()
