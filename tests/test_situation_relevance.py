"""Judged situations over two directories (the Ventura sample and synthetic Monterey):
crisis kinds, false alarms, a fitting service in the first five, nDCG@10 per kind.

The judged set meets the issue's targets (a fitting service in the first five for 90%,
nDCG@10 of situation queries 0.85); its floors sit just under what the engine measured
(README, *Situation search*). The held-out set was written and judged before any tuning
and never tuned to: its floors are what it measured, a little lower. Crisis detection
floors are the crisis detector's. See bench/situation_search.py.
"""

from __future__ import annotations

import pytest

from bench.situation_search import HELD_OUT, evaluate, format_report, load_situations
from matcher.extensions import db
from matcher.search import engine
from matcher.search.index import get_index

pytestmark = pytest.mark.usefixtures("search_app")

CRISIS_RECALL_FLOOR = 0.64
MAX_FALSE_ALARMS = 2
FIT_FLOOR = 0.93  # the target: 0.90
NDCG_FLOOR = 0.85  # the target
HELD_OUT_FIT_FLOOR = 0.92
HELD_OUT_NDCG_FLOOR = 0.78


def _runner(app):
    def run(params):
        with app.app_context():
            request = engine.request_from_params(params, params.get("lang", "en"))
            return engine.search(db.session, get_index(app), request).to_dict()

    return run


def test_the_judged_set_covers_every_kind_in_both_languages():
    queries = load_situations()
    assert len(queries) >= 150
    crisis = [q for q in queries if q["crisis"]]
    assert len(crisis) >= 50
    assert {q["crisis"] for q in crisis} == {
        "suicide", "child_abuse", "domestic_violence", "sexual_assault", "homeless_tonight",
        "overdose",
    }
    assert {q["lang"] for q in crisis} == {"en", "es"}
    assert len([q for q in queries if q["kind"] == "control"]) >= 25
    assert {q["directory"] for q in queries} == {"ventura", "monterey"}


def test_situation_search_meets_its_floors(app, monterey_app):
    report = evaluate({"ventura": _runner(app), "monterey": _runner(monterey_app)},
                      load_situations())
    print(format_report(report))
    assert report["crisis_right"] / report["crisis_total"] >= CRISIS_RECALL_FLOOR
    assert report["false_alarms"] <= MAX_FALSE_ALARMS
    assert report["fit_rate"] >= FIT_FLOOR
    assert report["ndcg_situations"] >= NDCG_FLOOR


def test_the_held_out_set_covers_every_barrier_in_both_languages():
    queries = load_situations(HELD_OUT)
    assert len(queries) >= 80
    assert {q["directory"] for q in queries} == {"ventura", "monterey"}
    assert {q["lang"] for q in queries} == {"en", "es"}
    assert {"sentence_en", "sentence_es", "colloquial_es", "spanglish"} <= {
        q["kind"] for q in queries}


def test_the_held_out_set_meets_its_floors(app, monterey_app):
    report = evaluate({"ventura": _runner(app), "monterey": _runner(monterey_app)},
                      load_situations(HELD_OUT))
    print(format_report(report))
    assert report["fit_rate"] >= HELD_OUT_FIT_FLOOR
    assert report["ndcg_situations"] >= HELD_OUT_NDCG_FLOOR
