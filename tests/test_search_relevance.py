"""Relevance on the judged query set: nDCG@10 per query kind, against an FTS5 baseline.

Floors are set from measurements (see README, "Search relevance"), a little below
the measured figures so that harmless changes do not fail the suite, but any real
regression does.
"""

from __future__ import annotations

import pytest

from bench.relevance import Fts5Baseline, enlace_runner, evaluate, format_report, load_judgments
from matcher.search import engine
from matcher.search.index import get_index

OVERALL_FLOOR = 0.90
KIND_FLOOR = 0.85
MAX_SPANISH_GAP = 0.05
MIN_GAIN_OVER_FTS5 = 0.20

pytestmark = pytest.mark.usefixtures("search_app")


def test_the_judged_set_has_every_query_kind_and_at_least_80_queries():
    queries = load_judgments()
    assert len(queries) >= 80
    assert {q["kind"] for q in queries} == {
        "english",
        "spanish",
        "typo_en",
        "typo_es",
        "cross_language",
        "location",
        "language_filter",
    }
    assert all(q["grades"] and max(q["grades"].values()) >= 2 for q in queries)


def test_ndcg_at_10_meets_the_floors_and_beats_fts5(app, session):
    index = get_index(app)

    def run(params):
        request = engine.request_from_params(params)
        return [r.id for r in engine.search(session, index, request).results]

    queries = load_judgments()
    ours = evaluate(enlace_runner(run), queries)
    baseline = evaluate(Fts5Baseline.from_database(session).runner(), queries)
    print(format_report("enlace", ours))
    print(format_report("fts5-bm25", baseline))
    assert ours["overall"] >= OVERALL_FLOOR
    assert min(ours["kinds"].values()) >= KIND_FLOOR
    assert ours["kinds"]["spanish"] >= ours["kinds"]["english"] - MAX_SPANISH_GAP
    assert ours["overall"] >= baseline["overall"] + MIN_GAIN_OVER_FTS5
