"""The bilingual taxonomy and the barrier catalogue are complete and consistent."""

import csv
from pathlib import Path

from sqlalchemy import select

from matcher.directory import taxonomy
from matcher.models import Barrier, TaxonomyTerm

SHARED_BARRIERS = Path(__file__).resolve().parents[2] / "shared" / "docs" / "barriers.csv"


def test_every_term_has_a_spanish_label_and_aliases_in_both_languages(session):
    terms = session.scalars(select(TaxonomyTerm)).all()
    assert len(terms) >= 291
    for term in terms:
        assert term.name_es, term.code
        assert len(term.aliases_en) >= 2, term.code
        assert len(term.aliases_es) >= 2, term.code


def test_open_eligibility_top_level_has_the_eleven_categories(session):
    names = [t.name for t in taxonomy.top_level_terms(session)]
    assert names == [
        "Emergency",
        "Food",
        "Housing",
        "Goods",
        "Transit",
        "Health",
        "Money",
        "Care",
        "Education",
        "Work",
        "Legal",
    ]


def test_local_extension_terms_exist_where_open_eligibility_has_none(session):
    for code in ("enl-internet-access", "enl-eyeglasses", "enl-indigenous-interpretation"):
        term = session.get(TaxonomyTerm, taxonomy.term_id(code))
        assert term is not None and term.parent_id is not None, code


def test_every_barrier_maps_only_to_existing_terms(session):
    barriers = taxonomy.barriers(session)
    assert len(barriers) == 36
    for row in taxonomy.read_barriers():
        for code in filter(None, row["term_codes"].split("|")):
            assert session.get(TaxonomyTerm, taxonomy.term_id(code)) is not None, code
    food = session.get(Barrier, "food_insecurity")
    assert "Food Pantry" in {t.name for t in food.terms}
    assert food.name("es") == "Inseguridad alimentaria"
    assert session.get(Barrier, "chronic_absenteeism").terms == []


def test_barrier_codes_are_those_of_the_shared_catalogue(session):
    ours = [b.code for b in taxonomy.barriers(session)]
    if SHARED_BARRIERS.exists():
        with SHARED_BARRIERS.open(encoding="utf-8") as handle:
            assert ours == [row["code"] for row in csv.DictReader(handle)]
    assert ours[0] == "food_insecurity" and ours[-1] == "chronic_absenteeism"


def test_urgent_barriers_are_flagged(session):
    assert session.get(Barrier, "mental_health_crisis").urgent == "crisis"
    assert session.get(Barrier, "abuse_neglect").urgent == "mandated_report"


def test_descendants_include_the_whole_subtree(session):
    food = taxonomy.find_term(session, "Food")
    ids = taxonomy.descendant_ids(session, [food.id])
    names = {session.get(TaxonomyTerm, i).name for i in ids}
    assert {"Food", "Food Pantry", "Food Benefits"} <= names
    assert "Dental Care" not in names


def test_terms_are_found_by_code_ohana_code_or_name(session):
    assert taxonomy.find_term(session, "1130").name == "Food Pantry"
    assert taxonomy.find_term(session, "102-04").name == "Food Pantry"
    assert taxonomy.find_term(session, "food pantry").code == "1130"
