"""Judged family profiles over two directories (the Ventura sample and synthetic Monterey):
the first three results of each barrier are services that meet it for that family, and a
barrier nobody can serve is reported, never padded with a weak candidate.

Acceptable services were judged from the listings before any engine run
(``tests/data/match_profiles*.json``); the measures are ``bench/match_eval.py``'s.
"""

from __future__ import annotations

import pytest

from bench.match_eval import evaluate, format_report, load_profiles
from tests.county_support import monterey_app  # noqa: F401 (a fixture)

PRECISION_FLOOR = 0.90  # acceptable among the first three / min(3, acceptable)
HIT_FLOOR = 0.95  # an acceptable service among the first three, servable barriers
UNACCEPTABLE_CEILING = 0.10  # unacceptable services among the first three, per barrier


def test_the_judged_sets_cover_both_directories_with_gaps_and_distractors():
    profiles = load_profiles()
    assert len(profiles) >= 60
    assert {p.directory for p in profiles} == {"ventura", "monterey"}
    unservable = [(p.id, c) for p in profiles for c, ids in p.acceptable.items() if not ids]
    assert len(unservable) >= 10
    assert any(p.no_documents for p in profiles)


@pytest.fixture
def monterey_session(monterey_app):  # noqa: F811
    from matcher.extensions import db

    with monterey_app.app_context():
        yield db.session


def test_matching_meets_its_floors_on_both_directories(session, monterey_session):
    profiles = load_profiles()
    report = evaluate({"ventura": session, "monterey": monterey_session}, profiles)
    print(format_report(report, len(profiles)))
    print("\n".join(report.misses))
    assert report.normalised_precision >= PRECISION_FLOOR
    assert report.hit_rate >= HIT_FLOOR
    assert report.unacceptable_per_barrier <= UNACCEPTABLE_CEILING
    assert report.reported == report.unservable
