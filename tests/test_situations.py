"""Situations: crisis awareness, the reviewed lexicon, sentence understanding, lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.situations import (
    CRISIS_KINDS,
    LexiconError,
    detect_crises,
    detect_crisis,
    lexicon,
    lines_for,
    message,
    understand,
)
from matcher.situations.spelling import correct

DATA = Path(__file__).parent / "data"
JUDGED = json.loads((DATA / "crisis_phrasings.json").read_text("utf-8"))
HELD = json.loads((DATA / "crisis_heldout.json").read_text("utf-8"))
SITUATIONS = json.loads((DATA / "situation_judgments.json").read_text("utf-8"))["queries"]
SITUATION_CRISES = [(q["q"], q["crisis"]) for q in SITUATIONS if q["crisis"]]


@pytest.mark.parametrize("text,kind", JUDGED["crisis"], ids=[t for t, _ in JUDGED["crisis"]])
def test_every_judged_crisis_phrasing_gets_its_kind(text, kind):
    found = detect_crisis(text)
    assert found is not None and found.kind == kind, detect_crises(text)
    assert found.evidence


def test_look_alike_controls_raise_at_most_one_false_alarm():
    alarms = [(t, detect_crises(t)) for t in JUDGED["controls"] if detect_crises(t)]
    assert len(alarms) <= 1, alarms


@pytest.mark.parametrize("text,kind", SITUATION_CRISES, ids=[t for t, _ in SITUATION_CRISES])
def test_every_crisis_of_the_judged_situation_set_gets_its_kind(text, kind):
    found = detect_crisis(text)
    assert found is not None and found.kind == kind, detect_crises(text)


def test_the_judged_situation_set_raises_at_most_one_false_alarm():
    """Every query judged not a crisis (controls and need sentences) over both directories.
    The one allowed today is a family 'living in the car' asking for showers, which the
    detector reads as a night without shelter on purpose (docs/crisis-lines.md)."""
    alarms = [(q["q"], [c.kind for c in detect_crises(q["q"])])
              for q in SITUATIONS if not q["crisis"] and detect_crises(q["q"])]
    assert len(alarms) <= 1, alarms


def _held_score(part):
    right = sum(1 for t, k in part["crisis"] if (c := detect_crisis(t)) and c.kind == k)
    alarms = sum(1 for t in part["controls"] if detect_crises(t))
    return right, alarms


def test_held_out_sets_keep_their_measured_figures():
    """Floors at the figures measured and reported in docs/crisis-lines.md, so a change
    that loses classes of expression fails; the sets are never edited to pass."""
    assert len(HELD["crisis"]) >= 120 and len(HELD["controls"]) >= 60
    assert {k for _, k in HELD["crisis"]} == set(CRISIS_KINDS)
    right, alarms = _held_score(HELD)
    assert right >= 126 and alarms <= 1, (right, alarms)
    right, alarms = _held_score(HELD["second"])
    assert right >= 48 and alarms <= 1, (right, alarms)


ROUND2 = json.loads((DATA / "crisis_heldout_round2.json").read_text("utf-8"))


def test_round_two_held_out_set_keeps_its_figures():
    """Written before the round-2 changes (first untouched score 112/174, 4/92 false
    alarms); floors at the figures reported in docs/crisis-lines.md after fixing the
    classes its misses showed."""
    assert len(ROUND2["crisis"]) >= 150 and len(ROUND2["controls"]) >= 80
    assert {k for _, k in ROUND2["crisis"]} == set(CRISIS_KINDS)
    right, alarms = _held_score(ROUND2)
    assert right >= 172 and alarms <= 1, (right, alarms)
    final = ROUND2["final"]  # written after the last change, scored once: 50/71, 4/36
    assert len(final["crisis"]) >= 60 and len(final["controls"]) >= 30
    right, alarms = _held_score(final)
    assert right >= 50 and alarms <= 4, (right, alarms)


@pytest.mark.parametrize("text,kind", [
    # euphemisms of death, with a wish
    ("dice que ya se quiere ir con Dios", "suicide"),
    ("she doesn't want to be here anymore", "suicide"),
    ("solo quiero dormir para siempre", "suicide"),
    ("he hopes he doesn't wake up tomorrow", "suicide"),
    ("she looked up how many pills it takes to die", "suicide"),
    ("he wants to step in front of a truck", "suicide"),
    ("she keeps cutting her thighs", "suicide"),
    ("se anda cuteando los brazos", "suicide"),  # Spanglish verb
    # sexual abuse told as "things", coerced sex for rent, a job or papers
    ("el padrastro le hace cosas a la niña", "child_abuse"),
    ("the landlord said we can stay if she sleeps with him", "sexual_assault"),
    ("a man keeps grabbing my butt at work", "sexual_assault"),
    # violence without a plain harm verb
    ("mi marido me agarró del pelo y me arrastró", "domestic_violence"),
    ("my boyfriend put a knife to my throat", "domestic_violence"),
    ("he says he'll get me deported if i leave", "domestic_violence"),
    ("su esposo le dijo que la va a matar", "domestic_violence"),
    ("mi novio me dejó moretones", "domestic_violence"),
    ("le dieron una pela al niño a cinturonazos", "child_abuse"),  # plural and "a golpes"
    # staff reports in the third person, travel and the past
    ("a family has been sleeping in their van", "homeless_tonight"),
    ("somos homeless desde el lunes", "homeless_tonight"),
    ("nos sacaron y estamos en la calle", "homeless_tonight"),
    # someone else's medicine, Spanglish overdose, regional words
    ("my son took his grandpa's heart pills", "overdose"),
    ("se overdoseó anoche", "overdose"),
    ("estaba bien bolo y no reacciona", "overdose"),
])
def test_classes_told_sideways(text, kind):
    found = detect_crisis(text)
    assert found is not None and found.kind == kind, detect_crises(text)


@pytest.mark.parametrize("text", [
    "my son wants to go to heaven someday", "mi hija quiere ir a la iglesia con Dios",
    "he doesn't want to be here at this school", "no quiere despertar temprano",
    "how to dye your hair", "she cuts her nails", "le hace cosas ricas de comer",
    "my mom makes me do chores I don't want to", "my son sleeps with his teddy bear",
    "grabbed my hand to cross the street", "mi esposo puso la pistola en la caja fuerte",
    "my boss threatened to call immigration on me",
    "my mom is gonna kill me when she sees my grades",
    "the kids were fighting and he hit her with a pillow", "nos sacaron una foto hoy",
    "me echaron la culpa hoy", "we slept in the car on our trip to Fresno",
    "the kids learned about overdoses in health class",
    "she took her grandma's pills to the pharmacy",
    "my son has a high fever", "mi hija tiene la cara morada de tanto llorar",
    "the teen sleeps at the bus station in the movie",
])
def test_look_alikes_of_the_sideways_classes_raise_nothing(text):
    assert detect_crises(text) == [], detect_crises(text)


def test_judged_set_is_large_and_covers_every_kind_in_both_languages():
    kinds = {k for _, k in JUDGED["crisis"]}
    assert kinds == set(CRISIS_KINDS)
    assert len(JUDGED["crisis"]) >= 70 and len(JUDGED["controls"]) >= 35
    assert len(JUDGED["held_out"]["crisis"]) >= 20 and len(JUDGED["held_out"]["controls"]) >= 10


def test_held_out_phrasings_score_reported_not_tuned():
    """The held-out part is never tuned on; it must stay well above chance."""
    held = JUDGED["held_out"]
    right = sum(1 for t, k in held["crisis"] if (c := detect_crisis(t)) and c.kind == k)
    alarms = sum(1 for t in held["controls"] if detect_crises(t))
    assert right >= 16 and alarms <= 2, (right, alarms)


def test_several_kinds_come_most_urgent_first():
    found = detect_crises("mi esposo me pega y ahora se tomo todas las pastillas")
    kinds = [c.kind for c in found]
    assert kinds[0] == "overdose" and "domestic_violence" in kinds
    assert detect_crisis("mi esposo me pega y ahora se tomo todas las pastillas").kind == "overdose"


@pytest.mark.parametrize("text,kinds", [
    # a child hurt by a caregiver is child abuse even when burns or cuts are named
    ("a 2nd grader told me her mom burns her with cigarettes", ["child_abuse"]),
    ("su mamá le quema las manos con la plancha y le corta los brazos", ["child_abuse"]),
    # someone unresponsive now comes before the wish to die
    ("she took all her pills because she wanted to die and now she won't wake up",
     ["overdose", "suicide"]),
    # a plan for later is suicide, not yet an overdose
    ("dice que se va a tomar todas sus pastillas", ["suicide"]),
    # a child hurt and the speaker hurt: the child first
    ("mi esposo me pega y también le pega a mi hijo", ["child_abuse", "domestic_violence"]),
])
def test_urgency_order_when_several_kinds_fire(text, kinds):
    assert [c.kind for c in detect_crises(text)] == kinds


@pytest.mark.parametrize("text,kind", [
    ("a mi sobrino lo golpean con el cable", "child_abuse"),  # doubled object before
    ("le pegan a la chamaquita de al lado", "child_abuse"),  # doubled object after
    ("a la niña la golpea su padrastro", "child_abuse"),  # subject after the verb
    ("el padrastro de mi hija la está tocando", "child_abuse"),  # clitic across 'está'
    ("el señor me volvió a pegar", "domestic_violence"),  # clitic across 'volvió a'
    ("my daughter's boyfriend slapped her", "domestic_violence"),  # teen dating violence
    ("my sister's boyfriend slapped my nephew", "child_abuse"),  # the victim is the child
    ("el boyfriend de mi mom me pega", "child_abuse"),  # a child speaking
    ("el papá de mis hijos me pegó", "domestic_violence"),  # the children's father
    ("my baby daddy punched me", "domestic_violence"),
])
def test_roles_decide_the_kind(text, kind):
    assert detect_crisis(text).kind == kind, detect_crises(text)


@pytest.mark.parametrize("text", [
    "my husband doesn't hit me but he yells", "mi esposo no me pega",  # negation
    "my boss hits me with extra shifts", "a man hit me with his cart at the store",
    "my toddler bites me", "mi hijo le pegó a otro niño",  # children, not abuse
    "the kids were playing tag and he pushed her", "the coach pushes them too hard",
    "the doctor touched my son's belly", "le toca a mi hija lavar los platos",
    "overdose of homework", "una sobredosis de tarea", "mi perro se comió unas pastillas",
    "the dog ran away from home", "we're camping and sleeping in a tent",
    "she gave away her old clothes", "we bought a water gun", "hoy me toca a mí",
])
def test_look_alikes_of_every_class_raise_nothing(text):
    assert detect_crises(text) == [], detect_crises(text)


def test_spanish_verb_families_cover_every_form():
    from matcher.situations.verbs import clitic_of, conjugate

    forms = conjugate("golpear")
    assert {"golpeo", "golpea", "golpearon", "golpeaba", "golpeando", "golpearla",
            "golpee", "golpeara", "golpeado"} <= forms
    assert {"pegue", "peguen"} <= conjugate("pegar")  # -gar keeps its sound: pegué
    assert {"toque", "toquen"} <= conjugate("tocar")
    assert {"avienta", "aviento", "aventamos"} <= conjugate("aventar~ie")
    assert {"persigue", "persigo", "persiguiendo", "persigamos"} <= conjugate("perseguir~i")
    assert clitic_of("pegandole") == "le" and clitic_of("cartel") is None
    with pytest.raises(ValueError):
        conjugate("golpe")
    assert detect_crisis("mi novio me golpeaba").kind == "domestic_violence"
    assert detect_crisis("mi ex me estaba persiguiendo").kind == "domestic_violence"


def test_empty_and_plain_category_text_raise_no_crisis():
    assert detect_crisis("") is None
    assert detect_crisis("food pantry") is None
    assert detect_crisis("despensa") is None


def test_threat_to_kill_me_is_violence_but_wanting_to_kill_myself_is_suicide():
    assert detect_crisis("me quiere matar").kind == "domestic_violence"
    assert detect_crisis("me quiero matar").kind == "suicide"


def test_spelling_tolerates_one_edit_on_long_crisis_words_only():
    assert correct("pastilas") == "pastillas"
    assert correct("suerte") == "suerte"  # a real word one edit from "muerte"
    assert correct("mata") == "mata"
    assert correct("dye") == "dye"  # short words are never corrected


def test_shipped_lexicon_loads_cleanly():
    assert len(lexicon.phrases()) > 300
    assert lexicon.need_groups()
    assert lexicon.filler()


def test_lexicon_covers_every_barrier_in_english_and_spanish():
    covered = {lang: set() for lang in ("en", "es")}
    for p in lexicon.phrases():
        if p.barrier and p.lang in covered:
            covered[p.lang].add(p.barrier)
    for code in lexicon.barriers():
        assert code in covered["en"], f"no English phrase for barrier {code}"
        assert code in covered["es"], f"no Spanish phrase for barrier {code}"


def test_bad_lexicon_line_is_an_error_naming_file_and_line(tmp_path, monkeypatch):
    for name in ("concepts.tsv", "needs.tsv", "filler.txt", "near_words.txt"):
        (tmp_path / name).write_text((lexicon.DATA / name).read_text("utf-8"), "utf-8")
    (tmp_path / "phrases.tsv").write_text(
        "lang\tphrase\tneed\tterms\tbarrier\tcrisis\tnote\n"
        "en\tfood\tfood_insecurity\t\t\t\t\n"
        "en\tteeth\tdental\t9999\t\t\t\n", "utf-8")
    monkeypatch.setattr(lexicon, "DATA", tmp_path)
    lexicon.phrases.cache_clear()
    try:
        with pytest.raises(LexiconError, match=r"phrases.tsv:3: unknown taxonomy code '9999'"):
            lexicon.phrases()
        (tmp_path / "phrases.tsv").write_text(
            "lang\tphrase\tneed\tterms\tbarrier\tcrisis\tnote\n"
            "en\tteeth\tdental\t\t\tpanic\t\n", "utf-8")
        with pytest.raises(LexiconError, match=r"phrases.tsv:2: unknown crisis kind"):
            lexicon.phrases()
    finally:
        monkeypatch.undo()
        lexicon.phrases.cache_clear()


def _keys(u):
    return [n.key for n in u.needs]


def test_sentence_with_two_needs_and_an_age():
    u = understand("my 9 year old has toothaches and we lost our Medi-Cal")
    assert set(_keys(u)) >= {"dental", "health_coverage"}
    assert u.facts["age"] == 9 and u.facts["who"] == "child"
    assert u.crisis is None
    dental = next(n for n in u.needs if n.key == "dental")
    assert dental.label_es and dental.terms and dental.barrier == "dental" and dental.span


@pytest.mark.parametrize("text,need", [
    ("ocupo lonche para mis niños", "food_insecurity"),
    ("necesito chamba", "employment_income"),
    ("necesito help con la renta", "housing_cost"),
    ("my hijo no tiene seguro", "health_coverage"),
    ("se descompuso la troca", "transportation"),
    ("tengo miedo de la migra", "immigration_legal"),
    ("no me alcanza para los biles de la luz", "utilities"),
])
def test_everyday_spanish_and_spanglish_give_the_need(text, need):
    assert need in _keys(understand(text))


def test_spanish_age_and_teen_facts():
    u = understand("mi hijo de 14 años tiene ansiedad")
    assert u.facts["age"] == 14 and u.facts["age_group"] == "teen"
    assert understand("my teenager is depressed").facts["age_group"] == "teen"
    assert understand("mi bebe necesita pañales").facts["age_group"] == "infant"
    assert understand("a 5-year-old needs glasses").facts["age"] == 5


def test_homelessness_phrase_is_matched_before_filler_and_day_is_noted():
    u = understand("the motel kicks us out friday and we have no place to go")
    assert "homelessness" in _keys(u)
    assert u.facts["when"] == "this_week"
    assert u.crisis is None  # Friday is not tonight


def test_crisis_in_a_sentence_also_names_its_need():
    u = understand("we are sleeping in the car tonight")
    assert u.crisis.kind == "homeless_tonight" and u.facts["when"] == "tonight"
    assert "homelessness" in _keys(u)


def test_remaining_keeps_unconsumed_words_without_filler():
    u = understand("necesito un abogado por favor")
    assert u.remaining == ("abogado",)


def test_understanding_is_json_ready():
    d = understand("el papá de mis hijos me golpeó anoche").to_dict()
    json.dumps(d)
    assert d["crisis"]["kind"] == "domestic_violence"
    fields = {"key", "label_en", "label_es", "terms", "barrier", "span", "weight"}
    assert fields <= set(d["needs"][0])


@pytest.mark.parametrize("kind", CRISIS_KINDS)
def test_every_kind_has_a_phoned_line_and_a_bilingual_message(kind):
    lines = lines_for(kind)
    assert any(ln.phone for ln in lines if ln.id != "911")
    assert lines[-1].phone == "911"
    assert all(ln.source and ln.checked for ln in lines)
    assert "911" in message(kind, "en") and "911" in message(kind, "es")
    assert message(kind, "es") != message(kind, "en")


def test_county_lines_come_before_national_defaults():
    county = {"domestic_violence": [{"name_en": "Interface 24-hour line (sample)",
                                     "phone": "000-000-0000", "source": "county settings"}]}
    lines = lines_for("domestic_violence", county)
    assert lines[0].scope == "county" and lines[0].name_en.startswith("Interface")
    assert lines[1].id == "ndvh"


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        lines_for("flood")


def test_glued_ages_and_parent_of_my_children_are_read_right():
    assert understand("I need a dentist for my 7yo").facts["age"] == 7
    assert understand("el papá de mis hijos me golpeó").facts.get("who") != "child"


def test_lang_narrows_phrases_to_that_language():
    assert "food_insecurity" in _keys(understand("lonche", lang="es"))
    assert "food_insecurity" not in _keys(understand("lonche", lang="en"))


def test_spanish_sound_alike_spelling_is_tolerated():
    assert correct("pastiyas") == "pastillas"
    assert detect_crisis("quiere suisidarce").kind == "suicide"


def test_need_words_tolerate_one_edit_but_real_words_stay():
    assert "health_coverage" in _keys(understand("necesito aseguransa para mi hijo"))
    assert "housing_cost" not in _keys(understand("tengo una venta de garage"))
