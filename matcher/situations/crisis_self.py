"""Harm to oneself: suicide (with self-harm and warning signs) and overdose or poisoning.

Suicide: a wish to die or not to live in any person and tense the language allows
("wishes she was dead", "dice que mejor se muere", "se quiere matar" vs the threat "me
quiere matar"), self-injury with a reflexive or a body part ("has been cutting her
arms"), the warning signs and euphemisms of crisis_signs.py, and teen slang ("kms",
"unalive"). Overdose: an overdose word, taking or swallowing a lot of a substance or
someone else's medicine, or the signs of one now (not breathing, blue lips, won't wake,
found on the floor) with a substance or drug use; metaphors ("an overdose of homework"),
pets and medicine carried to the pharmacy do not count.
"""

from __future__ import annotations

from matcher.situations.crisis_acts import hyperbole
from matcher.situations.crisis_harm import agent_role
from matcher.situations.crisis_signs import DIE_PAST, euphemism, in_front_of, warning_signs
from matcher.situations.sentence import Sent


def _suicide(s: Sent, hits):
    for i, tk in enumerate(s.t):
        cs = tk.cs
        if "suicide" in cs:
            hits("suicide", s.span(i, i))
        if "die" in cs and s.word(i - 1) in {"about", "en"} and s.near(i, "think", -3, -2) \
                and not s.near(i, "die_block", -3, 3) and tk.norm not in DIE_PAST:
            hits("suicide", s.span(i - 2, i))  # "thinks about dying", "piensa en morirse"
        if "die" in cs and s.near(i, "want", -5, -1):
            nxt = s.word(i + 1)
            literal = not s.has(i + 1, "die_idiom_next") or (nxt == "to" and s.word(i - 1) == "to")
            # past forms ("I wish dad hadn't died") speak of someone else's death
            past = tk.norm in DIE_PAST and s.word(i - 1) not in {"had", "hubiera", "haber"}
            if literal and not past and not s.near(i, "die_block", -3, 3):
                hits("suicide", s.span(i - 3, i))
        if "kill" in cs and not s.near(i, "kill_block", 1, 3):
            if s.near(i, "self_en", 1, 3):
                hits("suicide", s.span(i, i + 1))
            _spanish_kill(s, i, hits)
        if "kill_self_clitic" in cs:
            _clitic_form(s, i, hits)
        if ("live" in cs and s.near(i, "want", -3, -1) and s.near(i, "neg", -4, -1)
                and not s.near(i, "live_block", 1, 2)):
            hits("suicide", s.span(i - 3, i))
        if "end_life" in cs:
            j = s.find(i, "life", 1, 3)
            end_it = j is not None and s.word(j) == "it" and (s.word(j + 1) == "all" or (
                s.word(j + 1) in {"", "tonight", "today", "now"} and s.near(i, "intent", -4, -1)))
            if (j is not None and (s.word(j) != "it" or end_it)
                    and not s.has(j + 1, "life_not")):
                hits("suicide", s.span(i, j))
        if tk.norm in {"cutting", "cortando"} and s.word(i + 1) in _NO_OBJECT and not (
                s.anywhere("accident") or s.near(i, "cut_block", -4, 3)):
            hits("suicide", s.span(i - 2, i + 1))  # "my teen is cutting again"
        if "cut_mark" in cs and s.near(i, "body_selfharm", 1, 4) and not s.anywhere("accident"):
            hits("suicide", s.span(i, i + 3))  # "cortadas en los brazos"
        if "cut" in cs and not s.near(i, "cut_block", -3, 3) and not _by_other(s, i) and not (
                s.anywhere("accident")):
            refl = s.near(i, "self_en", 1, 2) or (
                s.near(i, "refl_es", -3, -1) and tk.norm not in {"corto", "quemo"})
            strong = s.near(i, "strong_body", 1, 5)
            weak = s.near(i, "body_selfharm", 1, 4)
            past_refl = tk.norm in {"corto", "quemo"} and s.near(i, "refl_es", -2, -1)
            if (refl or strong or tk.norm in _CLITIC_CUT
                    or (weak and s.near(i, "refl_es", -3, -1))
                    or (past_refl and (s.near(i, "deliberate", 1, 4) or weak))):
                hits("suicide", s.span(i - 2, i + 1))
        if "hurt" in cs:
            if tk.norm == "self" or s.word(i - 1) == "self":
                hits("suicide", s.span(i - 1, i))
            elif s.near(i, "self_en", 1, 2) and (
                    tk.norm in {"hurts", "hurting", "harming", "harms"}
                    or s.near(i, "deliberate", 2, 5) or s.near(i, "intent", -3, -1)):
                hits("suicide", s.span(i, i + 1))
            elif s.near(i, "refl_es", -2, -1) and (
                    s.near(i, "deliberate", 1, 4) or s.near(i, "want", -3, -1)):
                hits("suicide", s.span(i - 1, i + 2))
            elif tk.norm in {"lastimarse", "lastimarme", "lastimandose"} and (
                    s.near(i, "want", -3, -1) or s.near(i, "intent", -3, -1)):
                hits("suicide", s.span(i - 1, i))
        if tk.norm == "self" and s.word(i + 1).startswith("harm"):
            hits("suicide", s.span(i, i + 1))
        if "method" in cs:
            _method(s, i, hits)
        if ("method" in cs or "throw" in cs or tk.norm in {"step", "walk", "run"}) and (
                in_front_of(s, i)):
            hits("suicide", s.span(i - 2, i + 4))
        if "disappear" in cs and (s.near(i, "want", -3, -1) or tk.norm.endswith(("me", "se"))) and (
                not _disappear_from(s, i)):
            hits("suicide", s.span(i - 3, i))
        if "cut" in cs and _cuts_own_body(s, i):
            hits("suicide", s.span(i - 2, i + 3))
        euphemism(s, i, hits)


_ATTEMPT = {"tried", "tries", "trying", "attempted", "intento", "intentaba", "trato"}


def attempted(s: Sent, i: int) -> bool:
    """'tried to overdose on purpose': the attempt happened (an overdose, not a plan)."""
    return any(s.word(k) in _ATTEMPT for k in range(max(0, i - 3), i))


def _disappear_from(s: Sent, i: int) -> bool:
    """'disappear from social media for a while', 'desaparecer un rato': a break, not death
    ('desaparecer de este mundo' is still a wish to die)."""
    nxt = s.word(i + 1)
    if nxt in {"for", "un", "por"} or s.near(i, "someday", 1, 4):
        return True
    return nxt in {"from", "de", "del"} and not s.near(i, "world", 1, 4)


_PROGRESSIVE = {"cuts", "burns", "slices", "carves", "cortando", "quemando", "rayando"}


def _cuts_own_body(s: Sent, i: int) -> bool:
    """'she has been cutting her arms', 'he cuts his wrists' (not 'cut his finger making
    dinner', 'cut her arm on the fence' once, nor 'her mom cuts her arms')."""
    w = s.word(i)
    habitual = w.endswith("ing") or w in _PROGRESSIVE or s.near(i, "deliberate", 1, 6)
    own = any(s.word(k) in {"her", "his", "my", "their", "sus", "su"}
              and s.has(k + 1, "body_selfharm") for k in range(i + 1, min(s.n, i + 3)))
    return habitual and own and not (s.near(i, "cut_block", -3, 4) or s.anywhere("accident")
                                     or _by_other(s, i))


def _method(s: Sent, i: int, hits) -> None:
    """'shoot himself', 'se quiere aventar de un puente', 'ahorcarse', 'darse un tiro'."""
    w = s.word(i)
    if w in {"tiro", "balazo", "plomazo"} and any(
            s.word(k) in {"se", "me"} or s.word(k).endswith(("rse", "rme"))
            for k in range(max(0, i - 5), i)) and s.near(i, "give_self", -4, -1):
        hits("suicide", s.span(i - 4, i))
        return
    if s.near(i, "self_en", 1, 2):
        hits("suicide", s.span(i, i + 1))
    elif w in {"jump", "jumping"} and s.near(i, "fall_place", 1, 6) and (
            s.near(i, "want", -4, -1) or s.near(i, "intent", -4, -1)) and (
            s.near(i, "front", 1, 2) or s.near(i, "fall_place", 1, 4)):
        hits("suicide", s.span(i - 2, i + 3))  # "jump off the bridge", "in front of a train"
    else:
        clitic = w.endswith(("se", "me")) and len(w) > 6
        se_before = any(s.word(j) == "se" for j in range(max(0, i - 4), i))
        wish = s.near(i, "want", -4, -1) or s.near(i, "intent", -4, -1)
        lethal = "lethal" in s.t[i].cs
        falls = s.near(i, "fall_place", 1, 5) or (s.word(i + 1) in {"a", "al"} and s.near(
            i, "traffic", 2, 4))
        if (clitic or se_before) and (falls or (lethal and (wish or clitic))):
            hits("suicide", s.span(i - 3, i + 2))


_CLITIC_CUT = {"cortarse", "cortandose", "cortarme"}


def _spanish_kill(s: Sent, i: int, hits) -> None:
    """'se quiere matar' / 'me quiero matar' (suicide) vs 'me quiere matar' (threat)."""
    w = s.word(i)
    if hyperbole(s, i):
        return  # "my mom is gonna kill me when she sees my grades"
    threat = "child_abuse" if agent_role(s, i) == "parent" else "domestic_violence"
    if w in {"kill", "kills"} and s.word(i + 1) in {"me", "us"} and s.near(i, "intent", -4, -1):
        hits(threat, s.span(i - 2, i + 1))
        return
    for j in range(max(0, i - 4), i):
        if s.word(j) in {"se", "me", "te"}:
            between = range(j + 1, i)
            if s.word(j) == "se":
                reflexive_kill = w in {"mato", "mata"} and i == j + 1
                if any(s.has(k, "intent") for k in between) or reflexive_kill:
                    hits("suicide", s.span(j, i))
                    return
            elif s.word(j) == "te" and any(s.has(k, "intent") for k in between) and (
                    s.anywhere("abuser")):
                hits("domestic_violence", s.span(j, i))
                return
            elif s.word(j) == "me":
                if any(s.has(k, "first_es") for k in between):
                    hits("suicide", s.span(j, i))
                    return
                if any(s.has(k, "third_es") for k in between):
                    hits(threat, s.span(j, i))
                    return


def _clitic_form(s: Sent, i: int, hits) -> None:
    w = s.word(i)
    if w.startswith(("corta", "lastim")):
        return  # handled by the self-injury rules
    if w.startswith(("quitar",)):
        if (s.word(i + 1) in {"la", "su"} and s.word(i + 2) == "vida") or s.word(i + 1) == "vida":
            hits("suicide", s.span(i, i + 2))
        return
    if w.startswith("mori") and (s.has(i + 1, "die_idiom_next") or s.near(i, "die_block", 1, 3)):
        return  # "voy a morirme de hambre", "quiere morirse de risa"
    if w.endswith(("se", "ndose")):
        if w.startswith("mata") or s.near(i, "want", -4, -1) or s.near(i, "intent", -4, -1):
            hits("suicide", s.span(i - 2, i))
        return
    # -me forms: who is speaking decides suicide vs threat
    if s.near(i, "third_es", -4, -1) and w.startswith("mata"):
        hits("domestic_violence", s.span(i - 3, i))
    elif s.near(i, "want", -4, -1) or w.startswith("mata") or (
            s.near(i, "first_es", -4, -1) and not s.near(i, "fear", -6, -1)):
        hits("suicide", s.span(i - 3, i))


_NO_OBJECT = {"", "again", "and", "y", "otra", "de", "herself", "himself", "itself", "now",
              "ahorita", "a", "at", "in", "en", "when", "cuando", "on", "because", "porque"}


def _by_other(s: Sent, i: int) -> bool:
    """'her mom burns her': a person does it to someone else (crisis_harm decides)."""
    if s.near(i, "self_en", 1, 3) or s.word(i - 1) in {"se", "me"}:
        return False
    kind, _, _ = s.agent_before(i)
    obj = s.word(i + 1) in {"her", "him", "them", "le", "les", "lo", "la"} or s.word(i - 1) in {
        "le", "les", "lo", "la"}
    return kind not in (None, "pron") and obj


def _context(s: Sent) -> bool:
    """A substance, drug use, or 'took/se metió something' anywhere in the text."""
    if s.anywhere("substance") or s.anywhere("drug_use") or any(
            tk.norm in {"shot", "shoots", "shooting"} and s.word(i + 1) == "up"
            for i, tk in enumerate(s.t)):
        return True
    return any("ingest" in tk.cs and s.near(i, "something", 1, 2) for i, tk in enumerate(s.t))


def _signs(s: Sent) -> tuple[set[str], set[str]]:
    """Strong (not breathing, blue lips, won't wake, on the floor) and weak signs now."""
    strong, weak = set(), set()
    for i, tk in enumerate(s.t):
        cs = tk.cs
        purpose = any(s.word(k) in {"para", "to", "so"} for k in range(max(0, i - 3), i))
        if "unresponsive" in cs and not purpose and (
                s.near(i, "neg", -3, -1) or s.word(i - 1) == "barely"):
            strong.add(tk.norm[:4])
        if "od_sign" in cs:
            strong.add(tk.norm[:4])
        if tk.norm in {"tirado", "tirada", "lying", "laying"} and s.near(i, "floor", 1, 3):
            strong.add("floor")
        if "blue" in cs and s.near(i, "lips", -4, 4):
            strong.add("lips")
        if tk.norm == "passed" and s.word(i + 1) == "out":
            strong.add("passed")
        if tk.norm in {"floor", "piso", "suelo"} and s.near(i, "found", -5, -1):
            strong.add("floor")
        if "od_weak" in cs:
            weak.add(tk.norm)
    return strong, weak


def _overdose(s: Sent, hits):
    strong, weak = _signs(s)
    context = _context(s)
    if (strong and context) or len(strong) >= 2 or (weak and _ingested(s)):
        hits("overdose", " ".join(sorted(strong | weak)))
    for i, tk in enumerate(s.t):
        cs = tk.cs
        if "od" in cs and not (s.word(i + 1) in {"of", "de"} and s.has(i + 2, "od_metaphor")):
            wish = (s.near(i, "want", -3, -1) or s.near(i, "deliberate", 1, 4) or (
                s.near(i, "intent", -3, -1) and not s.anywhere("condition"))) and not (
                attempted(s, i))
            # "she's going to overdose on purpose tonight": a plan, not yet an overdose
            hits("suicide" if wish and not tk.norm.endswith(("ed", "ing", "sis")) else "overdose",
                 s.span(i - 2, i))
        intent = s.near(i, "intent", -3, -1)
        planned = intent or s.near(i, "pet", -4, -1) or s.anywhere("prescribed")
        if "take" in cs and not planned:
            a = s.find(i, "amount", 1, 4)
            if a is None:  # "took like 20 pills"
                a = next((k for k in range(i + 1, min(s.n, i + 4))
                          if s.word(k).isdigit() and int(s.word(k)) >= 5), None)
            b = s.find(i, "substance", 1, 6)
            if b is not None and s.word(b + 1) == "de" and s.word(b + 2) == "mas":
                hits("overdose", s.span(i, b + 2))  # "tomó pastillas de más"
            if a is not None and b is not None and a < b and not carried(s, b) and not any(
                    s.word(k) in {"every", "cada", "daily", "diario", "day", "dia"}
                    for k in range(i, min(s.n, b + 3))):
                hits("overdose", s.span(i, b))
        if ("take" in cs or "ingest" in cs) and not planned and s.near(i, "toxic", 1, 4):
            hits("overdose", s.span(i, i + 3))  # a household poison: any amount
        if ("take" in cs or "swallow" in cs) and not planned and _someone_elses(s, i):
            hits("overdose", s.span(i, i + 4))  # "se tomó las pastillas de la abuela"
        if tk.norm in {"got", "gets", "getting", "get"} and s.word(i + 1) == "into" and (
                s.near(i, "toxic", 2, 5) or (s.near(i, "substance", 2, 5)
                                              and s.anywhere("young_child"))):
            hits("overdose", s.span(i, i + 4))  # "my toddler got into the tide pods"
        if "swallow" in cs and not planned:
            b = s.find(i, "substance", 1, 6)
            if b is not None:
                hits("overdose", s.span(i, b))
        if tk.norm == "paso" and s.word(i + 1) == "de" and (
                s.has(i + 2, "drug_use") or s.has(i + 2, "substance")
                or s.word(i + 2) in {"copas", "alcohol", "tragos"}):
            hits("overdose", s.span(i, i + 2))
        if "take" in cs and intent and not s.near(i, "pet", -4, -1) and s.near(
                i, "amount", 1, 4) and s.near(i, "substance", 1, 6):
            hits("suicide", s.span(i - 2, i + 3))  # "se va a tomar todas sus pastillas"


def carried(s: Sent, b: int) -> bool:
    """'took her pills to the pharmacy', 'llevó las medicinas a la farmacia': carried."""
    return (s.word(b + 1) in {"to", "back"} and s.word(b + 2) in _TO_PLACE) or s.word(
        b + 1) == "al" or (s.word(b + 1) == "a" and s.word(b + 2) in {"la", "el", "su", "mi"})


_TO_PLACE = {"the", "a", "her", "his", "my", "their", "school", "work", "class", "grandma",
             "pharmacy", "cvs", "walgreens", "doctor", "clinic", "hospital", "to"}


def _someone_elses(s: Sent, i: int) -> bool:
    """Medicine of another person taken: 'las pastillas de la presión de la abuela', 'her
    grandma's pills' (not 'sus pastillas', 'his meds every morning')."""
    b = s.find(i, "substance", 1, 6)
    if b is None or s.anywhere("pet") or s.word(b) in {"alcohol", "drinks", "bebida"} or (
            carried(s, b)):
        return False
    owner_before = any(s.t[k].possessive and s.person(k) for k in range(i + 1, b))
    owner_after = any(s.word(k) in {"de", "del"} and any(
        s.person(m) for m in range(k + 1, min(s.n, k + 3))) for k in range(b + 1, min(s.n, b + 6)))
    return owner_before or owner_after


def _ingested(s: Sent) -> bool:
    """Something or a drug was taken ('se metió algo', 'smoked something', 'used')."""
    return s.anywhere("drug_use") or any(
        "ingest" in tk.cs and s.near(i, "something", 1, 2) and not s.near(i, "pet", -4, -1)
        for i, tk in enumerate(s.t))


def detect_self(s: Sent, hits) -> None:
    """Suicide (with warning signs) and overdose rules."""
    _suicide(s, hits)
    warning_signs(s, hits)
    _overdose(s, hits)
