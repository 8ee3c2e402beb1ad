"""Harm told without a plain harm verb: euphemisms, threats, coercion and neglect.

Families and school staff often name the act sideways: "le hace cosas" / "did things to
her" (sexual abuse), "dragged me by my hair", "me agarró del cuello", "put a gun to my
head", "said he'll have me deported", "says we can stay if my sister sleeps with him",
"made me do stuff I didn't want to", "asking for pics of her body", "the parents are gone
for days". Each rule reads the roles through ``harm_frame`` (crisis_harm.py) where a
person does something to someone, so the kind still follows from who does it to whom.
"""

from __future__ import annotations

from matcher.situations.crisis_harm import NEG, harm_frame
from matcher.situations.sentence import Sent

_REPORTED = {"said", "says", "told", "tells", "dijo", "dice", "decia", "threatened",
             "threatens", "amenazo", "amenaza", "texted", "texts", "wrote", "escribio",
             "manda", "mando", "mensajes", "messages", "yelled", "grito"}
_FIND_OUT = {"see", "sees", "finds", "find", "knows", "know", "hears", "vea", "ve", "entere",
             "sepa", "descubra", "gets", "llegue", "checks"}


def hyperbole(s: Sent, i: int) -> bool:
    """'my mom is gonna kill me when she sees my grades': no threat was made."""
    said = any(s.word(k) in _REPORTED for k in range(max(0, i - 8), i))
    later = any(s.word(k) in {"when", "cuando", "if", "si", "once"} and any(
        s.word(m) in _FIND_OUT for m in range(k + 1, min(s.n, k + 4)))
        for k in range(i + 1, min(s.n, i + 5)))
    return later and not said


def _kill_threat(s: Sent, i: int, hits) -> None:
    """A named person's intent or threat to kill someone else: 'su esposo le manda mensajes
    que la va a matar', 'threatened to kill the kids', 'said he'd kill me if I leave'."""
    if s.near(i, "kill_block", 1, 3) or s.near(i, "self_en", 1, 2) or hyperbole(s, i):
        return
    w = s.word(i)
    if w.endswith(("se", "ndose")) or s.word(i - 1) == "se":
        return  # reflexive: crisis_self decides
    threat = s.near(i, "intent", -4, -1) or any(s.word(k) in _REPORTED
                                                for k in range(max(0, i - 6), i))
    if threat:
        harm_frame(s, i, hits, needs_agent=True)


def _grabbed(s: Sent, i: int, hits) -> None:
    """'me agarró del cuello', 'grabbed me by the throat', 'dragged me by my hair' (harm);
    'keeps grabbing my butt', 'me agarró las nalgas' (sexual touching)."""
    if s.near(i, "sexual_obj", 1, 3):
        harm_frame(s, i, hits, sexual=True)
    elif ("grab" in s.t[i].cs and s.near(i, "grab_part", 1, 4)) or (
            "drag" in s.t[i].cs and (s.near(i, "body_part", 1, 5) or s.near(i, "floor", 1, 4))):
        harm_frame(s, i, hits)


def _things_done(s: Sent, i: int, hits) -> None:
    """'su padrastro le hace cosas en la noche', 'did things to my daughter': 'things' done
    to a person is how sexual abuse is told; 'le hace cosas ricas' is cooking."""
    j = s.find(i, "thing_euph", 1, 2)
    if j is None or not (s.has(j + 1, "thing_next") or j + 1 >= s.n):
        return
    if s.word(j + 1) in {"to", "a", "al"} and (s.person(j + 2) or s.person(j + 3)
                                               or s.word(j + 2) in {"me", "her", "him", "mi"}):
        harm_frame(s, j + 1, hits, sexual=True)  # the victim follows "to" / "a"
    elif s.clitic_before(i):
        harm_frame(s, i, hits, sexual=True)


def _weapon(s: Sent, i: int, hits) -> None:
    """'put a gun to my head', 'me apuntó con la pistola', 'held a knife to her throat'."""
    p = s.find(i, "point", -4, -1)
    if p is None or not (s.near(i, "head", 1, 4) or s.word(p - 1) == "me"):
        return
    kind = s.agent_before(p)[0]
    if kind == "partner" or (kind in (None, "pron") and s.anywhere("partner")):
        hits("domestic_violence", s.span(p - 1, i + 3))
    elif kind == "caregiver" and s.anywhere("child"):
        hits("child_abuse", s.span(p - 1, i + 3))


def _deport_threat(s: Sent, i: int, hits) -> None:
    """A partner using immigration as a threat: 'he'll have me deported', 'me va a echar
    la migra', 'says he'll call ICE on me'."""
    if not partner_context(s):
        return
    if s.anywhere("workplace_person") or _negated_near(s, i):
        return
    if s.near(i, "threaten_act", -5, -1) and s.near(i, "victim_me", -5, 3):
        hits("domestic_violence", s.span(i - 4, i))


_LEAVE = {"leave", "leaving", "dejo", "deje", "separo", "divorce", "divorcio", "voy"}


def partner_context(s: Sent) -> bool:
    """A partner is named, or implied by 'if I leave (him)' / 'si lo dejo' / 'si me voy'."""
    return s.anywhere("partner") or any(
        tk.norm in {"if", "si"} and any(s.word(k) in _LEAVE for k in range(j + 1, min(s.n, j + 4)))
        for j, tk in enumerate(s.t))


def _negated_near(s: Sent, i: int) -> bool:
    return any(s.word(k) in NEG for k in range(max(0, i - 5), i))


def _quid_pro_quo(s: Sent, i: int, hits) -> None:
    """Sex demanded for rent, a job, papers or silence: 'we can stay if my sister sleeps
    with him', 'if I don't have sex with him he'll call immigration', 'me obligó a
    acostarme con él para no perder el cuarto', 'forced to sleep with men for money'."""
    tk = s.t[i]
    sleep_with = "sleep_with" in tk.cs and s.word(i + 1) in {"with", "con"} and (
        s.person(i + 2) or s.word(i + 2) in {"him", "her", "them", "el", "ella", "men",
                                              "hombres", "ellos"})
    if not (sleep_with or "sex_word" in tk.cs):
        return
    forced = s.near(i, "coerce", -4, -1)
    priced = s.near(i, "condition", -6, -1) and (
        s.anywhere("leverage") or s.anywhere("workplace_person") or s.anywhere("payment"))
    if forced or priced or (sleep_with and s.near(i, "payment", 1, 5)):
        hits("child_abuse" if s.anywhere("young_child") else "sexual_assault",
             s.span(i - 3, i + 2))


def _coerced_things(s: Sent, i: int, hits) -> None:
    """'he made me do stuff I didn't want to', 'me obligó a hacer cosas que no quería'."""
    j = s.find(i, "thing_euph", 1, 5)
    sexual = s.near(j, "sexual", -6, 6) if j is not None else False
    if j is None or s.anywhere("workplace_person") or (
            not sexual and (s.anywhere("parent_fig") or s.anywhere("chores"))) or not (
            s.near(j, "sexual", -6, 6) or (s.near(j, "want", 1, 6) and s.near(j, "neg", 1, 5))):
        return
    hits("child_abuse" if s.anywhere("young_child") else "sexual_assault", s.span(i, j + 3))


def _asked_for_pictures(s: Sent, i: int, hits) -> None:
    """'asking for pics of her body', 'que le mandara fotos sin ropa' (exploitation; of a
    child: child abuse)."""
    body = s.find(i, "body", 1, 4)
    naked = any(s.word(k) in {"ropa", "clothes", "clothing"} and s.word(k - 1) in {
        "sin", "without", "no"} for k in range(i + 1, min(s.n, i + 4)))
    if (body is None and not naked) or s.anywhere("medical"):
        return
    if not any("show" in s.t[k].cs for k in range(max(0, i - 7), i)):
        return
    child = s.anywhere("child") or s.anywhere("child_speaker")
    hits("child_abuse" if child else "sexual_assault", s.span(i - 3, i + 3))


def _parents_gone(s: Sent, i: int, hits) -> None:
    """'the parents are gone for days', 'sus papás se van por días y los dejan solos'."""
    if s.word(i - 1) in {"my", "mi", "mis", "our"} or not s.anywhere("child") or any(
            s.person(k) == "caregiver" and s.word(k - 1) in {"with", "con", "la", "el"}
            and k != i for k in range(s.n)):
        return  # my own parents, or someone else is caring for the children
    if not any(tk.norm in {"alone", "solos", "solitos", "solas", "nadie", "food", "comida",
                           "comer"} for tk in s.t):
        return
    gone = next((k for k in range(i + 1, min(s.n, i + 5))
                 if s.word(k) in {"gone", "away", "van", "fueron", "desaparecen", "salen"}),
                None)
    if gone is not None and any(s.word(k) in {"days", "dias", "nights", "noches", "week",
                                              "semana", "weekend"}
                                for k in range(gone + 1, min(s.n, gone + 5))):
        hits("child_abuse", s.span(i, gone + 3))


def _coercive_control(s: Sent, hits) -> None:
    """Two controlling acts by 'he/she' with no partner named ('he smashes my phone and
    won't let me see my family'): the pattern, not one act, marks partner abuse. A parent,
    a boss or a child named instead makes it something else."""
    acts = [i for i, tk in enumerate(s.t) if "control" in tk.cs and (
        s.near(i, "control_obj", 1, 5) or s.word(i - 1) == "me") and (
        tk.norm not in {"let", "deja", "dejo"} or s.near(i, "neg", -3, -1))]
    if len(acts) < 2 or not any(tk.norm in {"he", "she", "el", "ella"} for tk in s.t):
        return
    if any(s.anywhere(c) for c in ("parent_fig", "workplace_person", "child", "partner")):
        return  # a named partner is read by crisis_harm
    hits("domestic_violence", s.span(acts[0] - 1, acts[-1] + 3))


_INTRUDE = {"walks", "walked", "walking", "comes", "came", "coming", "barges", "sneaks",
            "mete", "metio", "entra", "entro", "asoma"}
_PRIVATE = {"shower", "bathroom", "regadera", "bano", "banando", "bathing", "changing",
            "cambiando", "vistiendo", "dressing"}


def _intrusion(s: Sent, i: int, hits) -> None:
    """A household man who walks in on a child in the shower or while she changes
    ('my daughter's stepdad walks in on her in the shower'): grooming without a sexual word.
    A parent's own 'comes into my room' is not enough."""
    if not any(s.word(k) in _PRIVATE for k in range(i + 1, min(s.n, i + 7))):
        return
    kind, a, _ = s.agent_before(i)
    if a is None or kind not in ("caregiver", "partner", "adult_rel"):
        return
    own_parent = s.word(a) in {"mom", "mother", "mama", "mami", "madre", "dad", "father",
                               "papa", "papi", "padre", "mommy", "daddy"}
    if not own_parent and (s.anywhere("child") or s.anywhere("child_speaker")):
        hits("child_abuse", s.span(a, i + 4))


def detect_acts(s: Sent, hits) -> None:
    _coercive_control(s, hits)
    for i, tk in enumerate(s.t):
        if tk.norm in _INTRUDE:
            _intrusion(s, i, hits)
        cs = tk.cs
        if "kill" in cs:
            _kill_threat(s, i, hits)
        if "grab" in cs or "drag" in cs:
            _grabbed(s, i, hits)
        if "break" in cs and any(s.has(k, "body_part") and s.word(k - 1) in {
                "my", "his", "her", "la", "el", "su", "mi", "the"} for k in range(i + 1, i + 3)):
            harm_frame(s, i, hits)  # "broke my arm", "me rompió la nariz"
        if "do_verb" in cs:
            _things_done(s, i, hits)
        if "weapon" in cs:
            _weapon(s, i, hits)
        if "deport" in cs:
            _deport_threat(s, i, hits)
        if "sleep_with" in cs or "sex_word" in cs:
            _quid_pro_quo(s, i, hits)
        if "coerce" in cs:
            _coerced_things(s, i, hits)
        if tk.norm in {"pics", "pictures", "photos", "fotos", "foto", "pic", "picture",
                       "selfies", "videos", "video"}:
            _asked_for_pictures(s, i, hits)
        if "parent_fig" in cs:
            _parents_gone(s, i, hits)
