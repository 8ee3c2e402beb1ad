"""nDCG@10 of Enlace search, and of a plain SQLite FTS5 (bm25) baseline, on the judged set.

``tests/data/search_judgments.json`` holds graded judgments (0-3) written from the
seed listings. Used by ``tests/test_search_relevance.py`` and ``bench/search.py``;
run alone with ``.venv/bin/python -m bench.relevance`` (needs a seeded database).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.core.text import fold, words
from matcher.core.upsert import stable_id
from matcher.directory.seed import DIRECTORY_FILE
from matcher.models import Organization, Service

JUDGMENTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_judgments.json"
KINDS = (
    "english",
    "spanish",
    "typo_en",
    "typo_es",
    "cross_language",
    "location",
    "language_filter",
)

Runner = Callable[[dict[str, Any]], list[str]]  # judged query -> ranked service ids


def service_ids_by_key(directory: Path = DIRECTORY_FILE) -> dict[str, str]:
    """Seed service key -> service id (the seed derives ids from 'org key/service key')."""
    orgs = json.loads(directory.read_text(encoding="utf-8"))["organizations"]
    return {
        s["key"]: stable_id("service", f"{org['key']}/{s['key']}")
        for org in orgs
        for s in org["services"]
    }


def load_judgments(path: Path = JUDGMENTS) -> list[dict[str, Any]]:
    """The judged queries, with judgments re-keyed from seed keys to service ids."""
    queries = json.loads(path.read_text(encoding="utf-8"))["queries"]
    ids = service_ids_by_key()
    for item in queries:
        item["grades"] = {ids[k]: g for k, g in item["judgments"].items()}
    return queries


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(sid, 0) for sid in ranked]) / ideal if ideal else 0.0


def evaluate(run: Runner, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean nDCG@10 per query kind and overall, plus each query's figure."""
    per_query = {q["id"]: ndcg(run(q), q["grades"]) for q in queries}
    by_kind: dict[str, list[float]] = defaultdict(list)
    for q in queries:
        by_kind[q["kind"]].append(per_query[q["id"]])
    kinds = {kind: sum(v) / len(v) for kind, v in by_kind.items()}
    return {
        "overall": sum(per_query.values()) / len(per_query),
        "kinds": {k: kinds[k] for k in KINDS if k in kinds},
        "queries": per_query,
    }


def format_report(name: str, report: dict[str, Any]) -> str:
    kinds = "  ".join(f"{k} {v:.3f}" for k, v in report["kinds"].items())
    return f"{name}: nDCG@10 overall {report['overall']:.3f}  ({kinds})"


# --- the FTS5 baseline -------------------------------------------------------------------


class Fts5Baseline:
    """What a plain full-text search would do: the listing text in one FTS5 table, bm25.

    Indexed: service and organization names, descriptions and eligibility in every
    language present, the category labels in English and Spanish, and the cities.
    Accents are folded (``remove_diacritics 2``). A query is its words OR-ed; the
    language filter, when given, is applied exactly as Enlace applies it.
    """

    def __init__(self, services: list[dict[str, Any]]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, langs UNINDEXED, name, body,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO doc (id, langs, name, body) VALUES (?, ?, ?, ?)",
            [(s["id"], " ".join(s["langs"]), s["name"], s["body"]) for s in services],
        )

    @classmethod
    def from_database(cls, session: Session) -> Fts5Baseline:
        rows = session.scalars(
            select(Service)
            .join(Organization)
            .where(Service.status == "active", Organization.published.is_(True))
            .options(
                selectinload(Service.organization),
                selectinload(Service.taxonomy_terms),
                selectinload(Service.languages),
            )
        )
        services = []
        for s in rows:
            names = [s.name] + [t.name for t in s.translations if t.name]
            body = [s.organization.name, s.description or "", s.eligibility_description or ""]
            body += [t.description or "" for t in s.translations]
            body += [label for t in s.taxonomy_terms for label in (t.name, t.name_es or "")]
            body += [a.city for loc in s.locations for a in loc.addresses]
            services.append(
                {
                    "id": s.id,
                    "langs": s.language_codes,
                    "name": " ".join(names),
                    "body": " ".join(body),
                }
            )
        return cls(services)

    def search(self, text: str, language: str | None = None, limit: int = 10) -> list[str]:
        terms = [w for w in words(text) if re.fullmatch(r"[0-9a-z]+", w)]
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = "SELECT id, langs FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, 0, 0, 3.0, 1.0)"
        out = []
        for sid, langs in self.db.execute(sql, (match,)):
            if language and fold(language) not in langs.split():
                continue
            out.append(sid)
            if len(out) == limit:
                break
        return out

    def runner(self) -> Runner:
        return lambda q: self.search(q["q"], (q.get("params") or {}).get("language"))


def enlace_runner(search: Callable[[dict[str, Any]], list[str]]) -> Runner:
    """Adapt a function (params -> ranked ids) to a judged query."""
    return lambda q: search({"q": q["q"], **(q.get("params") or {}), "per_page": 10})
