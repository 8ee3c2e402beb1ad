"""Harm done by someone else: child abuse, domestic violence, sexual assault.

One frame for every harm verb: who does it (agent), to whom (victim), read from word
order, English objects, Spanish clitics (also across auxiliaries and doubled: "a mi
sobrino lo golpean"), possessors ("my daughter's boyfriend", "el novio de mi hermana")
and the person a pronoun refers to. The kind follows from the roles, not from phrases:
a child hurt by any adult is ``child_abuse``; the speaker or a partner hurt by a partner
(teen dating too) is ``domestic_violence``; the speaker hurt by a parent figure is a child
speaking (``child_abuse``); a child hurting a peer, a ball hit, "beat me at chess" are not
crises. Sexual acts add ``sexual_assault`` (``child_abuse`` when the victim is a child).
"""

from __future__ import annotations

from matcher.situations.sentence import OBJ_CLITIC, Sent

_WEAK = {"hurt", "hurts", "hurting", "harm", "harms", "lastima", "lastimo", "lastiman",
         "quema", "quemo", "burn", "burns", "burned", "burnt", "bite", "bites", "bit",
         "empuja", "empujo", "push", "pushes", "pushed", "pushing"}


def _victim(s: Sent, i: int) -> tuple[str | None, int | None]:
    """(kind, index): 'me', 'self', 'pron', a person kind, 'thing' or None."""
    cl = s.clitic_before(i)
    if cl is None:
        return s.object_after(i) or (None, None)
    word, j = cl
    if word in {"me", "nos"}:
        return "me", j
    if word == "se":
        return ("self", j) if j == i else (None, None)
    if word in OBJ_CLITIC:
        return s.doubled_before(j) or _doubled_after(s, i) or ("pron", j)
    return None, None


def _subject_after(s: Sent, i: int) -> tuple[str | None, int | None, int | None]:
    """'a la niña la golpea su padrastro': a Spanish subject after the verb."""
    for k in range(i + 1, min(s.n, i + 4)):
        if s.word(k) in {"a", "al"}:
            return None, None, None
        if s.person(k):
            return s.person(k), k, None
    return None, None, None


_INDEFINITE = {"a", "an", "some", "un", "una", "algun", "alguna", "random"}
NEG = {"no", "not", "doesnt", "doesn't", "dont", "don't", "never", "nunca", "didnt", "didn't",
        "wont", "won't", "jamas", "isnt", "isn't"}


def _negated(s: Sent, i: int) -> bool:
    """'he doesn't hit me', 'no me pega', 'nunca le ha pegado'."""
    cl = s.clitic_before(i)
    start = cl[1] if cl and cl[1] < i else i
    return any(s.word(k) in NEG for k in range(max(0, start - 2), start))


def _doubled_after(s: Sent, i: int) -> tuple[str, int] | None:
    """'le quemó la mano a mi hijo', 'le pegan bien feo a la chamaquita': the person a
    dative clitic doubles, after the verb."""
    for k in range(i + 1, min(s.n, i + 7)):
        if s.word(k) in {"a", "al"}:
            for m in range(k + 1, min(s.n, k + 4)):
                if s.person(m):
                    return s.person(m), m
                if s.word(m) not in {"mi", "mis", "su", "sus", "la", "las", "los", "el", "tu"}:
                    break
    return None


def _role(s: Sent, kind: str | None, j: int | None, poss: int | None) -> str | None:
    """What the agent is: partner, coparent, parent, adult, child, work or None."""
    if kind is None or j is None:
        return None if kind is None else "adult"
    if kind == "partner":
        if poss is not None and s.has(poss, "parent_fig"):
            return "parent"  # "el novio de mi mamá": a child is speaking
        return "partner"
    if kind == "caregiver":
        if s.has(j, "parent_fig") and poss is not None and s.has(poss, "child"):
            return "coparent"  # "el papá de mis hijos", "my kids' dad"
        return "parent" if s.has(j, "parent_fig") else "adult"
    if kind in ("child", "other_kid"):
        return "child"
    if kind == "workplace_person":
        return "work"
    return "adult"


_AGAINST = {"against", "contra", "into", "onto", "en"}


def _blocked(s: Sent, i: int, sexual: bool = False) -> bool:
    """An object or idiom next to the verb ('hit the ball', 'pegar en la pared'), unless
    someone is thrown against it ('me estrelló contra la pared'); a boss touching someone
    sexually is not blocked the way 'my boss hits me with extra shifts' is."""
    for j in range(max(0, i - 3), min(s.n, i + 4)):
        if j != i and s.has(j, "harm_block") and not any(
                s.word(k) in _AGAINST for k in range(max(i + 1, j - 2), j)) and not (
                sexual and s.has(j, "workplace_person")):
            return True
    return s.word(i) in {"hit", "hits", "hitting"} and "up" in (s.word(i + 1), s.word(i + 2))


def _children_among_themselves(s: Sent, a: int | None) -> bool:
    """'the kids were fighting over the remote and he hit her': a pronoun whose nearest
    person is a group of children, with no adult named anywhere."""
    if a is None or s.word(a) not in {"he", "she", "they", "el", "ella", "ellos"}:
        return False
    kind, j = s.referent(a, set())
    adults = any(s.person(k) in ("partner", "caregiver", "adult_rel", "workplace_person")
                 for k in range(s.n))
    return j is not None and not adults and (kind == "other_kid" or (
        kind == "child" and s.word(j).endswith("s")))


def _thrown_thing(s: Sent, i: int) -> bool:
    """'me tiró la pelota' (a ball thrown to me), not 'me aventó contra la pared'."""
    return any(s.has(j, "harm_block") and not any(
        s.word(k) in _AGAINST for k in range(max(i + 1, j - 2), j))
        for j in range(i + 1, min(s.n, i + 5)))


_PLURAL_3 = ("an", "en", "aron", "ieron", "aban", "ian")
_CONSENT = {"permiso", "consent", "consentimiento", "permission", "consentir"}


def _without_consent(s: Sent, i: int) -> bool:
    """'sin mi permiso', 'without my consent' after a touching verb."""
    return any(s.word(k) in {"sin", "without"} and any(
        s.word(m) in _CONSENT for m in range(k + 1, min(s.n, k + 3)))
        for k in range(i + 1, min(s.n, i + 6)))


def agent_role(s: Sent, i: int) -> str | None:
    """What the doer of the verb at ``i`` is to the family (see ``_role``)."""
    return _role(s, *s.agent_before(i))


def harm_frame(s: Sent, i: int, hits, sexual: bool = False, needs_agent: bool = False) -> None:
    """Decide the kind for the harm (or sexual-touch) verb at ``i`` from its roles.
    ``needs_agent``: only a named person's act counts (a threat to kill: 'this homework
    is killing me' has no one doing it)."""
    if _blocked(s, i, sexual) or s.near(i, "child_block", -3, 5) or _negated(s, i):
        return
    if "push" in s.t[i].cs and s.near(i, "figurative", 1, 5):
        return  # "pushes the kids too hard", "pushed him to study"
    if "grab" in s.t[i].cs and s.near(i, "body_part", 1, 5) and not (
            s.near(i, "grab_part", 1, 5) or s.near(i, "sexual_obj", 1, 5)):
        return  # "grabbed my hand", "la agarró de la mano para cruzar"
    vkind, v = _victim(s, i)
    if vkind in (None, "thing", "self") or v is None:
        return
    akind, a, poss = s.agent_before(min(i, v))
    if v < i and akind is None:  # "a mi hermana su esposo la golpea": doer after the victim
        akind, a, poss = s.agent_before(i)
        if a is not None and a <= v:
            akind, a, poss = None, None, None
    if akind is None and s.clitic_before(i):
        akind, a, poss = _subject_after(s, i)
    role = _role(s, akind, a, poss)
    if (needs_agent and role is None) or _children_among_themselves(s, a):
        return
    by_pronoun = vkind == "pron"
    if role == "adult" and s.has(a, "medical") and not _sexual_content(s, i, -8, 8):
        return  # "the doctor touched my son's belly"
    if by_pronoun:
        skip = {x for x in (a, poss if role == "parent" else None) if x is not None}
        prefer = "child" if role in ("parent", "coparent", "adult") else None
        vkind, v = s.referent(min(i, v), skip, prefer)
        if vkind is None or v is None:
            # "his grandma whips him": no one named before; a parent figure's "him"
            # is a child, a partner's "her" is the partner; "lo golpean en su casa, dice
            # el alumno": an impersonal plural with a child named after
            impersonal = role is None and s.word(i).endswith(_PLURAL_3) and s.anywhere("child")
            if role in ("parent", "coparent") or akind == "caregiver" or impersonal:
                hits("child_abuse", s.span(a if a is not None else i, i + 1))
            elif role == "partner" and not sexual:
                hits("domestic_violence", s.span(a if a is not None else i, i + 1))
            return
    ev = s.span(min(x for x in (a, i, v) if x is not None), max(i, v))
    if vkind == "other_kid" and role == "partner" and not s.has(v, "young_child"):
        hits("domestic_violence", ev)  # "a mi hermana su esposo la golpea"
        return
    if vkind in ("child", "other_kid"):
        if vkind == "other_kid" or s.near(v, "other_kid", -2, -1) or role == "child":
            return  # children fighting children: behaviour, not abuse
        own = a is not None and s.word(a - 1) in {"my", "mi", "our", "nuestro"}
        dating = role == "partner" and not s.has(v, "young_child") and (
            poss == v or (poss is None and by_pronoun and not own))
        hits("domestic_violence" if dating and not sexual else "child_abuse", ev)
        return
    if vkind == "me":
        stranger = a is not None and role == "adult" and (
            s.word(a - 1) in _INDEFINITE or s.has(a, "stranger"))
        if s.word(v + 1) == "at" or s.word(i + 1) == "up" or (
                role == "child" and s.has(a, "young_child")) or (stranger and not sexual):
            return  # "beat me at chess", "hit me up", "my toddler bites me", a stranger
        if role == "parent":
            hits("sexual_assault" if sexual and childhood_past(s) else "child_abuse", ev)
        elif sexual:
            if role in ("adult", "work") or (akind == "pron" and s.anywhere("adult_rel")) or (
                    role is None and (s.has(i, "grope") or _without_consent(s, i))):
                hits("sexual_assault", ev)  # "me manosearon", "me tocaron sin mi permiso"
        elif role == "work" or (role is None and s.word(i) in _WEAK):
            return  # a labour matter; "it hurts me", "me lastima el zapato"
        else:
            hits("domestic_violence", ev)
        return
    if (vkind in ("partner", "caregiver") and role in ("partner", "parent", "coparent")
            and not sexual):
        hits("domestic_violence", ev)  # "mi papá le pega a mi mamá"


_YOUNG = {"little", "young", "kid", "child", "small", "nina", "nino", "chiquita", "chiquito",
          "pequena", "pequeno", "chica", "chico", "morrita", "morrito", "cipota", "cipote"}


def childhood_past(s: Sent) -> bool:
    """'when I was little', 'cuando era niña': an adult telling of abuse in childhood (a
    sexual assault line, not a child-abuse report about a child now)."""
    return any(tk.norm in {"was", "era"} and s.word(k - 1) in {"i", "yo", "when", "cuando"}
               and s.word(k + 1) in _YOUNG | {"a", "una", "un"} and (
                   s.word(k + 1) in _YOUNG or s.word(k + 2) in _YOUNG)
               for k, tk in enumerate(s.t))


_NOT_SEXUAL = {"permiso", "consent", "consentimiento", "relaciones"}


def _sexual_content(s: Sent, i: int, lo: int = -6, hi: int = 6) -> bool:
    """Sexual words near ``i`` ('permiso', 'consent' alone, 'las partes de la planta' are
    not sexual content)."""
    return any(((s.has(j, "sexual") and s.word(j) not in _NOT_SEXUAL) or s.has(j, "sexual_obj"))
               and not (s.word(j) in {"partes", "parts"} and s.word(j + 1) in {"de", "of"})
               for j in range(max(0, i + lo), min(s.n, i + hi + 1)) if j != i)


def _sexual_context(s: Sent, i: int, lo: int = -6, hi: int = 6) -> bool:
    return s.near(i, "sexual", lo, hi) or s.near(i, "sexual_obj", lo, hi)


def _child_victim(s: Sent) -> bool:
    return s.anywhere("child") or s.anywhere("child_speaker")


def detect_harm(s: Sent, hits) -> None:
    """Every harm-by-another rule: role frames, then the signs that need no verb."""
    for i, tk in enumerate(s.t):
        cs = tk.cs
        kicked_out = "out" in (s.word(i + 1), s.word(i + 2))
        if "harm3" in cs and not kicked_out and s.word(i - 1) != "it":
            harm_frame(s, i, hits, sexual=_sexual_content(s, i, 1, 2))
        if "touch" in cs and not (s.word(i - 1) in {"le", "les"}
                                  and s.agent_before(i)[0] is None):
            harm_frame(s, i, hits, sexual=True)  # "le toca" alone: it is his turn
        at_me = any(s.has(j, "at_me") and s.word(j - 1) in {"at", "a"}
                    for j in range(i + 1, min(s.n, i + 6)))
        if "throw" in cs and (s.word(i - 1) in {"me", "nos"} or at_me) and not _thrown_thing(
                s, i):
            agent = s.agent_before(i)[0]
            if agent in ("partner", "pron") or (agent is None and s.anywhere("partner")):
                hits("domestic_violence", s.span(i - 2, i + 2))
        if "fear" in cs:
            j = s.find(i, "abuser", 1, 6)
            if j is not None and s.word(j + 1) not in {"se", "himself", "herself"}:
                hits("domestic_violence", s.span(i, j))
        if "dv_phrase" in cs and (s.near(i, "domestic", -2, 2) or s.near(i, "abuser", -4, 4)) \
                and not s.near(i, "topic_block", -4, 4) and not _negated(s, i):
            hits("domestic_violence", s.span(i - 1, i + 1))
        showing_up = tk.norm in {"showing", "shows", "showed", "show"} and s.word(i + 1) == "up"
        if showing_up and s.anywhere("partner") and s.near(i, "keeps", -5, -1) and s.word(
                i + 2) in {"at", "", "uninvited", "everywhere", "outside", "drunk"}:
            hits("domestic_violence", s.span(i - 2, i + 1))
        if "stalk" in cs and (s.anywhere("partner") or s.near(i, "victim_me", -3, 3)) and not (
                s.anywhere("workplace_person") or s.anywhere("child")):
            hits("domestic_violence", s.span(i - 2, i + 1))
        if "threat" in cs and (s.anywhere("partner") or s.near(i, "victim_me", -3, 3)) and not (
                s.anywhere("workplace_person") or s.near(i, "child", -4, 4)
                or s.near(i, "evict", 1, 4)):
            hits("domestic_violence", s.span(i - 2, i + 1))
        if "control" in cs and s.anywhere("partner") and (
                s.near(i, "control_obj", 1, 5) or s.word(i - 1) == "me") and (
                tk.norm not in {"let", "deja", "dejo"} or s.near(i, "neg", -3, -1)):
            hits("domestic_violence", s.span(i - 2, i + 3))
        if "injury" in cs or ("bruise_color" in cs and _bruised_part(s, i)):
            _injury(s, i, hits)
        if "feed" in cs and s.near(i, "neg", -3, -1) and (
                s.near(i, "child", -6, 6) or s.word(i + 1) in {"them", "los", "les"}
                or s.word(i - 1) in {"les", "los"}):
            hits("child_abuse", s.span(i - 2, i + 1))
        tied = "tie" in cs and s.near(i, "tie_to", 1, 5)
        if ("lock" in cs or tied) and not s.near(i, "lock_block", 1, 4):
            harm_frame(s, i, hits)
            j = s.find(i, "child", 1, 4)
            if j is not None and not s.t[j].possessive:
                hits("child_abuse", s.span(i, j))
            elif "me" in (s.word(i - 1), s.word(i + 1)) and s.anywhere("partner"):
                hits("domestic_violence", s.span(i - 2, i + 1))
        if "leave" in cs and _left_without_care(s, i):
            hits("child_abuse", s.span(i, i + 2))
        if "blow" in cs and (s.near(i, "gave", -3, -1) or s.word(i - 1) == "a") and not s.near(
                i, "child_block", -4, 4) and not s.near(i, "harm_block", -4, 4):
            if s.near(i, "child", -6, 6):
                hits("child_abuse", s.span(i - 3, i + 3))
            elif s.near(i, "victim_me", -4, -1) or s.word(i + 1) in {"me", "us"}:
                hits("domestic_violence", s.span(i - 3, i))
        _sexual(s, i, hits)


def _injury(s: Sent, i: int, hits) -> None:
    """Marks on a child ('belt marks on his back', 'bruises shaped like fingers on his
    arms', far from the child's name when they sit on his body), or on the speaker by a
    partner ('mi novio me dejó el ojo morado'). A fall or a game explains marks."""
    tk = s.t[i]
    explained = s.anywhere("mishap")  # a fall explains a bruise, never a burn
    if s.near(i, "child_block", -6, 6):
        return
    on_body = any(s.word(k) in {"his", "her", "their", "su", "sus"} and s.has(k + 1, "body_part")
                  for k in range(i + 1, min(s.n, i + 7)))
    child = s.near(i, "child", -8, 8) or (on_body and s.anywhere("child"))
    if child and (tk.norm not in {"burn", "quemadura"} or s.anywhere("caregiver")) and not (
            explained and tk.norm not in _BURNS):
        hits("child_abuse", s.span(i - 2, i + 2))
    elif not child and not explained and s.anywhere("partner") and (
            s.near(i, "victim_me", -5, -1) or s.word(i - 1) in {"i", "tengo"}):
        hits("domestic_violence", s.span(i - 4, i))


_BURNS = {"burn", "burns", "quemaduras", "quemadura", "cigarro", "cigarette", "cigarettes",
          "cigarros"}


def _bruised_part(s: Sent, i: int) -> bool:
    """'el ojo morado', 'a black eye', 'la espalda morada' (not 'dyed her hair purple',
    'la cara morada de tanto llorar')."""
    j = s.find(i, "body_part", -2, 2)
    return j is not None and s.word(j) not in {"hair", "pelo", "cabello"} and not s.near(
        i, "color_cause", 1, 5)


def _left_without_care(s: Sent, i: int) -> bool:
    """'deja a sus hijos solos', 'they leave him locked in', 'los deja amarrados': a child
    (named or the person a pronoun stands for) left alone, locked, tied or unfed."""
    if not (s.near(i, "neglect", 1, 4) or s.near(i, "lock", 1, 3)):
        return False
    if s.word(i + 1) == "sin" and s.word(i + 2) not in {"comer", "comida", "food"}:
        return False
    if s.near(i, "child", -4, 8):
        return True
    pron = next((k for k in (i - 1, i + 1) if s.word(k) in {"him", "her", "them", "lo", "la",
                                                             "los", "las"}), None)
    return pron is not None and s.referent(min(i, pron), set())[0] == "child"


def _sexual(s: Sent, i: int, hits) -> None:
    """Rape, forced or coerced sex, drug-facilitated assault, exploitation, grooming."""
    tk = s.t[i]
    cs = tk.cs
    young = s.anywhere("young_child")
    if "rape" in cs and not s.near(i, "rape_block", 1, 3) and (tk.norm != "viola" or (
            s.word(i - 1) in {"me", "te", "nos", "lo"} or (
                s.word(i - 1) == "la" and s.person(i - 2)))):  # not "toca la viola"
        hits("sexual_assault", s.span(i - 1, i))
        if young:
            hits("child_abuse", s.span(i - 2, i + 3))
    if "sexual" in cs and tk.norm != "permiso" and s.near(i, "assault", -4, 4):
        hits("sexual_assault", s.span(i - 2, i + 2))
        if s.near(i, "young_child", -6, 6):
            hits("child_abuse", s.span(i - 2, i + 3))
    if "assault" in cs and "touch" not in cs and any(
            s.word(k) in {"remember", "recuerda", "acuerda", "remembers"}
            and s.near(k, "neg", -3, -1) for k in range(i + 1, min(s.n, i + 10))):
        hits("sexual_assault", s.span(i - 2, i + 4))  # "assaulted ... doesn't remember"
    if tk.norm == "permiso" and s.word(i - 1) == "sin" and s.near(i, "assault", -4, -1):
        hits("sexual_assault", s.span(i - 3, i))
    if "coerce" in cs and not s.near(i, "rape_block", 1, 4) and (
            s.word(i + 1) in {"himself", "herself", "se"} or _sexual_context(s, i, 1, 5)):
        hits("sexual_assault", s.span(i, i + 3))
        if young:
            hits("child_abuse", s.span(i - 2, i + 3))
    if "exploit" in cs or ("sell" in cs and (s.near(i, "body", 1, 3) or s.near(
            i, "sex_word", 1, 5))):
        hits("sexual_assault", s.span(i - 1, i + 2))
    if "sex_word" in cs and s.near(i, "payment", 1, 5):
        hits("sexual_assault", s.span(i - 2, i + 4))
    spiked = tk.norm in {"put", "puso", "echaron", "echo", "slipped", "pusieron"} and s.near(
        i, "drink", 1, 5)
    if spiked or ("drugged" in cs and (s.near(i, "assault", -6, 8) or s.near(i, "woke", 1, 10)
                                       or _sexual_context(s, i, -6, 8))):
        hits("sexual_assault", s.span(i - 1, i + 3))
    if tk.norm in {"abusa", "abuso", "abusaron", "abusan", "abusaba", "abusado", "abusada",
                   "abusar"} and s.word(i + 1) == "de":
        k = i + 2
        while k + 1 < s.n and s.word(k) in {"mi", "su", "la", "las", "los", "el", "una"} and (
                s.person(k + 1) or s.word(k + 1) in {"mi", "su", "la", "las", "los", "el"}):
            k += 1
        if s.word(k) in {"mi", "ella", "el", "ellas", "nosotras"} or s.person(k):
            kind = "child_abuse" if s.has(k, "child") and not s.has(k, "workplace_person") \
                else "sexual_assault"
            hits(kind, s.span(i, k))
    exposed = tk.norm in {"exposed", "exposes", "exposing", "flashed", "exhibio", "exhibe"} and (
        s.word(i + 1) in {"himself", "herself", "me", "se"} or s.word(i - 1) in {"se", "me"})
    if ("show" in cs and _sexual_content(s, i, 1, 5)) or exposed:
        victim_child = s.near(i, "child", -8, 8) or s.anywhere("child_speaker")
        hits("child_abuse" if victim_child else "sexual_assault", s.span(i - 2, i + 4))
    if "secret" in cs and s.anywhere("gift") and _child_victim(s) and s.anywhere("adult_rel"):
        hits("child_abuse", s.span(i - 3, i + 1))
