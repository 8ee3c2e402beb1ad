"""The needs lexicon as data: its syntax, its coverage of every barrier in both languages,
how families describe needs (symptoms, colloquial Spanish, Spanglish), and precision.

Phrasings here are written to check the language, not taken from the judged sets.
"""

from __future__ import annotations

import pytest

from matcher.situations import understand
from matcher.situations.lexicon import _patterns, barriers, need_groups, phrases


def _keys(text: str) -> list[str]:
    return [n.key for n in understand(text).needs]


def test_alternatives_and_any_order_expand_to_plain_word_sequences():
    assert _patterns("la troca|carro se descompuso") == [
        ("la", "troca", "se", "descompuso"), ("la", "carro", "se", "descompuso")]
    assert set(_patterns("~ cortaron luz|agua")) == {
        ("cortaron", "luz"), ("cortaron", "agua"), ("luz", "cortaron"), ("agua", "cortaron")}
    assert _patterns("lost medi-cal|insurance") == [("lost", "medi", "cal"), ("lost", "insurance")]


def test_every_barrier_is_described_in_both_languages():
    groups = need_groups()
    for code in barriers():
        keys = {k for k, g in groups.items() if g.barrier == code}
        langs = {p.lang for p in phrases() if p.need in keys}
        assert {"en", "es"} <= langs | ({"en", "es"} if "any" in langs else set()), code


def test_every_need_group_with_terms_names_itself_in_words_of_both_languages():
    for key, group in need_groups().items():
        if group.terms:
            assert len(group.words) >= 2, key


@pytest.mark.parametrize(("text", "need"), [
    # symptoms and situations, not category names
    ("my son's tooth is killing him", "dental"),
    ("se le picó una muela al niño", "dental"),
    ("they cut off our lights yesterday", "utilities"),
    ("ya nos cortaron el agua", "utilities"),
    ("no tenemos papeles", "immigration_legal"),
    ("my kid can't read yet and she's in third grade", "academic_support"),
    ("my daughter keeps coughing and has a fever", "primary_care"),
    ("he squints at the board", "vision"),
    ("we sleep in the van", "homelessness"),
    ("vivimos arrimados con mi cuñada", "homelessness"),
    ("the landlord won't fix the leak", "unsafe_housing"),
    ("ocupo raite pa la clínica", "transportation"),
    ("no tengo cómo llevar a los niños a la escuela", "transportation"),
    ("necesito pañales", "basic_goods"),
    ("no tenemos internet en la casa", "digital_access"),
    ("alguien que me cuide a la niña", "childcare"),
    ("me quedé sin jale", "employment_income"),
    ("how do I sign up for calfresh", "benefits_enrollment"),
    ("perdimos el medical", "health_coverage"),
    ("le subió el azúcar a mi esposo", "chronic_illness"),
    ("salió embarazada mi hija", "pregnant_parenting"),
    ("mi chavo anda bien achicopalado", "mental_health"),
    ("se murió su abuelito y no deja de llorar", "grief_trauma"),
    ("my husband drinks every day", "substance_use"),
    ("lo suspendieron otra vez", "behavior_engagement"),
    ("se burlan de él en la escuela", "bullying_discrimination"),
    ("my ex keeps stalking me", "domestic_violence"),
    ("the neighbor leaves her kids home alone", "abuse_neglect"),
    ("raising my grandkids", "foster_kinship"),
    ("quiero terminar la prepa", "adult_education"),
    ("taller para padres", "parent_support"),
    ("mi suegra solo habla triqui", "interpretation"),
    ("summer camp for my kids", "extended_learning"),
    ("my 2 year old isn't talking yet", "disability_special_ed"),
    ("my son is skipping school", "chronic_absenteeism"),
])
def test_families_own_words_name_the_need(text, need):
    assert need in _keys(text)


@pytest.mark.parametrize(("text", "not_need"), [
    ("ice cream social at school", "immigration_legal"),
    ("pet food for my cat", "food_insecurity"),
    ("volunteer at the food pantry", "food_insecurity"),
    ("encontré un perrito en la calle", "homelessness"),
    ("la luz del sol", "utilities"),
    ("el seguro social de mi esposo", "health_coverage"),
])
def test_a_shared_word_is_not_a_need(text, not_need):
    assert not_need not in _keys(text)


def test_a_phrase_naming_its_own_terms_counts_the_rest_of_its_group_half():
    need = next(n for n in understand("necesito pañales").needs if n.key == "basic_goods")
    group = need_groups()["basic_goods"]
    assert need.terms["1157"] == 1.0  # diapers and formula
    assert need.terms["1160"] == group.terms["1160"] / 2  # school clothes
