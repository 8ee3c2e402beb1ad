"""Crisis awareness: does what a parent said mean someone may be in danger now?

Rules combine concept families from data/concepts.tsv within small token windows, in any
word order where the language allows it, with negative contexts ("matar hormigas", "a
dead battery", "me muero de hambre"). Crisis phrases of data/phrases.tsv also count.
Erring matters both ways: a missed crisis is the worse error, so ambiguous but plausible
wordings fire (see docs/crisis-lines.md, "Judgement calls").

Urgency order when several kinds fire (most urgent first) -- life at risk in minutes,
then violence by someone who may be present, then a night without shelter:
overdose, suicide, domestic_violence, child_abuse, sexual_assault, homeless_tonight.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.core.text import words
from matcher.situations.lexicon import CRISIS_KINDS, concepts
from matcher.situations.phrasematch import crisis_phrase_hits
from matcher.situations.spelling import correct

URGENCY = CRISIS_KINDS  # documented order, most urgent first


@dataclass(frozen=True)
class Crisis:
    kind: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Tok:
    word: str  # as typed (folded)
    norm: str  # spelling-corrected, possessive stripped
    cs: frozenset[str]
    possessive: bool


def tokenize(text: str) -> list[Tok]:
    lex = concepts()
    out = []
    for w in words(text):
        poss = w.endswith("'s") and len(w) > 3
        base = w[:-2] if poss else w
        norm = correct(base)
        out.append(Tok(w, norm, lex.of(norm), poss))
    return out


class _Sent:
    """Token list with window look-ups; every rule reads through this."""

    def __init__(self, toks: list[Tok]):
        self.t = toks
        self.n = len(toks)

    def has(self, i: int, c: str) -> bool:
        return 0 <= i < self.n and c in self.t[i].cs

    def find(self, i: int, c: str, lo: int, hi: int) -> int | None:
        """First index in [i+lo, i+hi] (excluding i) carrying concept ``c``."""
        for j in range(max(0, i + lo), min(self.n, i + hi + 1)):
            if j != i and c in self.t[j].cs:
                return j
        return None

    def near(self, i: int, c: str, lo: int, hi: int) -> bool:
        return self.find(i, c, lo, hi) is not None

    def anywhere(self, c: str) -> bool:
        return any(c in tk.cs for tk in self.t)

    def word(self, i: int) -> str:
        return self.t[i].norm if 0 <= i < self.n else ""

    def span(self, a: int, b: int) -> str:
        a, b = max(0, min(a, b)), min(self.n - 1, max(a, b))
        return " ".join(tk.word for tk in self.t[a:b + 1])


def _suicide(s: _Sent, hits):
    for i, tk in enumerate(s.t):
        cs = tk.cs
        if "suicide" in cs:
            hits("suicide", s.span(i, i))
        if "die" in cs and s.near(i, "want", -5, -1):
            nxt = s.word(i + 1)
            literal = not s.has(i + 1, "die_idiom_next") or (nxt == "to" and s.word(i - 1) == "to")
            # past forms ("I wish dad hadn't died") speak of someone else's death
            past = tk.norm in _DIE_PAST and s.word(i - 1) not in {"had", "hubiera", "haber"}
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
            if (j is not None and (s.word(j) != "it" or s.word(j + 1) == "all")
                    and not s.has(j + 1, "life_not")):
                hits("suicide", s.span(i, j))
        if "cut" in cs and not s.near(i, "cut_block", -3, 3):
            refl = s.near(i, "self_en", 1, 2) or (
                s.near(i, "refl_es", -3, -1) and tk.norm not in {"corto", "quemo"})
            strong = s.near(i, "strong_body", 1, 4)
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
        if "disappear" in cs and (s.near(i, "want", -2, -1) or tk.norm.endswith(("me", "se"))):
            hits("suicide", s.span(i - 3, i))


def _method(s: _Sent, i: int, hits) -> None:
    """'shoot himself', 'se quiere aventar de un puente', 'ahorcarse'."""
    w = s.word(i)
    if s.near(i, "self_en", 1, 2):
        hits("suicide", s.span(i, i + 1))
    elif w in {"jump", "jumping"} and s.near(i, "fall_place", 1, 4) and s.near(i, "want", -4, -1):
        hits("suicide", s.span(i - 2, i + 3))
    else:
        clitic = w.endswith(("se", "me")) and len(w) > 6
        se_before = any(s.word(j) == "se" for j in range(max(0, i - 4), i))
        wish = s.near(i, "want", -4, -1) or s.near(i, "intent", -4, -1)
        lethal = "lethal" in s.t[i].cs
        falls = s.near(i, "fall_place", 1, 5)
        if (clitic or se_before) and (falls or (lethal and (wish or clitic))):
            hits("suicide", s.span(i - 3, i + 2))


_DIE_PAST = {"died", "murio", "death", "muerte", "deceased"}
_CLITIC_CUT = {"cortarse", "cortandose", "cortarme"}


def _spanish_kill(s: _Sent, i: int, hits) -> None:
    """'se quiere matar' / 'me quiero matar' (suicide) vs 'me quiere matar' (threat)."""
    w = s.word(i)
    if w in {"kill", "kills"} and s.word(i + 1) in {"me", "us"} and s.near(i, "intent", -4, -1):
        hits("domestic_violence", s.span(i - 2, i + 1))
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
                    hits("domestic_violence", s.span(j, i))
                    return


def _clitic_form(s: _Sent, i: int, hits) -> None:
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


def _overdose(s: _Sent, hits):
    for i, tk in enumerate(s.t):
        cs = tk.cs
        if "od" in cs:
            hits("overdose", s.span(i, i))
        if "take" in cs:
            a = s.find(i, "amount", 1, 4)
            b = s.find(i, "substance", 1, 6)
            if b is not None and s.word(b + 1) == "de" and s.word(b + 2) == "mas":
                hits("overdose", s.span(i, b + 2))  # "tomó pastillas de más"
            if a is not None and b is not None and a < b and not any(
                    s.word(k) in {"every", "cada", "daily", "diario", "day", "dia"}
                    for k in range(i, min(s.n, b + 3))):
                hits("overdose", s.span(i, b))
        if "swallow" in cs:
            b = s.find(i, "substance", 1, 4)
            if b is not None:
                hits("overdose", s.span(i, b))
        if "unresponsive" in cs and s.near(i, "neg", -3, -1) and s.near(i, "drug_use", -8, 8):
            hits("overdose", s.span(i - 1, i))
        if tk.norm == "paso" and s.word(i + 1) == "de" and (
                s.has(i + 2, "drug_use") or s.has(i + 2, "substance")
                or s.word(i + 2) in {"copas", "alcohol", "tragos"}):
            hits("overdose", s.span(i, i + 2))


_BEING = {"estamos", "are", "were"}


def _homeless(s: _Sent, hits):
    now = s.anywhere("time_now")
    later = s.anywhere("time_future")
    soon_ok = now or not later
    for i, tk in enumerate(s.t):
        cs = tk.cs
        noplace = False
        if tk.norm == "nowhere" or (tk.norm == "sin" and s.word(i + 1) == "techo"):
            noplace = True
        elif "noplace_neg" in cs:
            j = s.find(i, "place", 1, 3)
            if j is not None:
                nxt = s.find(j, "to_sleep", 1, 2)
                to_go = nxt is not None and s.word(nxt + 1) not in {"for", "para", "a"}
                a_place = s.word(j) in {"lugar", "techo", "roof"} and s.near(j, "to_sleep", 1, 3)
                noplace = to_go or a_place
        if "homeless" in cs and now:
            noplace = True
        if tk.norm == "sin" and s.word(i + 1) in {"casa", "hogar", "vivienda"} and now:
            noplace = True
        if noplace and soon_ok:
            hits("homeless_tonight", s.span(i, i + 3))
        if "sleep_now" in cs:
            j = s.find(i, "outside", 1, 3)
            if j is not None:
                if tk.norm in _BEING and not s.has(j, "street"):
                    continue
                gerund_outdoors = tk.norm.endswith(("ing", "ndo")) and not s.has(j, "car")
                if "we" in cs or s.near(i, "we", -3, -1) or now or gerund_outdoors:
                    hits("homeless_tonight", s.span(i, j))
        if "evict" in cs and soon_ok and not s.near(i, "evict", -2, -1):
            obj = tk.norm in {"evicted", "eviction", "lockout", "desalojaron", "desalojo"} or (
                s.word(i - 1) in {"nos", "me"} or s.near(i, "we", -4, -1)
                or s.word(i + 1) in {"us", "me"})
            job = s.near(i, "workplace", 1, 3) or s.near(i, "notice", -3, 2)
            if obj and not job and (now or (s.anywhere("noplace_neg") and s.anywhere("place"))):
                hits("homeless_tonight", s.span(i - 2, i + 1))


def _subject_child(s: _Sent, i: int) -> bool:
    """A child named right before the verb is its subject ('my son hits ...')."""
    for j in (i - 1, i - 2):
        if s.has(j, "child") and not s.t[j].possessive and s.word(j - 1) not in {"a", "al"}:
            return True
    return False


def _violence(s: _Sent, hits):
    for i, tk in enumerate(s.t):
        cs = tk.cs
        harm = "harm3" in cs
        touch = "touch" in cs
        if (harm or touch) and not s.near(i, "child_block", -3, 5) and s.word(i - 1) != "se":
            j = s.find(i, "child", 1, 5)
            if j is not None and not _subject_child(s, i) and not s.has(j, "other_kid") and not (
                    s.near(i, "other_kid", 1, j - i)):
                hits("child_abuse", s.span(i, j))
            elif harm and s.near(i, "partner", -5, -1) and (
                    s.word(i + 1) in _OBJ_PRON or s.word(i - 1) in _CLITIC_OBJ):
                hits("domestic_violence", s.span(i - 3, i + 1))  # dating violence too
            elif (s.word(i + 1) in _OBJ_PRON and s.near(i, "child", -6, -1)
                  and not _subject_child(s, i)):
                hits("child_abuse", s.span(i - 3, i + 1))
            elif s.word(i - 1) in _CLITIC_OBJ and any(
                    s.has(k, "child") and s.word(k - 1) in {"a", "al"}
                    for k in range(max(0, i - 5), i)):
                hits("child_abuse", s.span(i - 4, i))
        kicked_out = "out" in (s.word(i + 1), s.word(i + 2))
        if (harm and s.word(i - 1) not in {"se", "it"} and not kicked_out
                and not s.near(i, "harm_block", -3, 3)):
            victim = (s.word(i - 1) == "me"
                      or (s.word(i - 2) == "me" and s.word(i - 1) in {"lo", "la"})
                      or s.word(i + 1) in {"me", "us"}
                      or (s.word(i + 1) == "a" and s.word(i + 2) in {"mi", "nosotros"}))
            vague = tk.norm in {"hurt", "hurts"} and not (
                s.near(i, "abuser", -4, -1) or {"he", "she"} & {s.word(i - 1), s.word(i - 2)})
            if victim and not vague and not s.near(i, "child", 1, 4):
                hits("domestic_violence", s.span(i - 2, i + 1))
        if "fear" in cs and s.near(i, "abuser", 1, 6):
            hits("domestic_violence", s.span(i, i + 3))
        if "dv_phrase" in cs and (
                s.near(i, "domestic", -2, 2)
                or s.near(i, "abuser", -4, 4)):
            hits("domestic_violence", s.span(i - 1, i + 1))
        if "injury" in cs and s.near(i, "child", -6, 6) and not s.near(i, "child_block", -4, 6):
            hits("child_abuse", s.span(i - 2, i + 2))
        if "feed" in cs and s.near(i, "neg", -3, -1) and (
                s.near(i, "child", -6, 6) or s.word(i + 1) in {"them", "los", "les"}
                or s.word(i - 1) in {"les", "los"}):
            hits("child_abuse", s.span(i - 2, i + 1))
        if "lock" in cs:
            j = s.find(i, "child", 1, 4)
            if j is not None and not s.t[j].possessive:
                hits("child_abuse", s.span(i, j))
        if (tk.norm in {"sexual", "sexuales", "sexualmente", "sexually"}
                and s.near(i, "child", -6, 6) and s.near(i, "adult_rel", -6, -1)):
            hits("child_abuse", s.span(i - 3, i + 3))
        if "leave" in cs and s.near(i, "neglect", 1, 4) and s.near(i, "child", -4, 8):
            without_food = s.word(i + 1) != "sin" or s.word(i + 2) in {"comer", "comida", "food"}
            if without_food:
                hits("child_abuse", s.span(i, i + 2))
        if "rape" in cs and not s.near(i, "rape_block", 1, 3):
            hits("sexual_assault", s.span(i - 1, i))
            if s.near(i, "young_child", -5, 5):
                hits("child_abuse", s.span(i - 2, i + 3))
        if "sexual" in cs and s.word(i) not in {"permiso"} and s.near(i, "assault", -4, 4):
            hits("sexual_assault", s.span(i - 2, i + 2))
            if s.near(i, "young_child", -6, 6):
                hits("child_abuse", s.span(i - 2, i + 3))
        if ("blow" in cs and s.near(i, "gave", -3, -1) and not s.near(i, "child_block", -4, 4)
                and not s.near(i, "harm_block", -4, 4)):
            if s.near(i, "child", -6, 6):
                hits("child_abuse", s.span(i - 3, i + 3))
            elif s.near(i, "victim_me", -4, -1) or s.word(i + 1) in {"me", "us"}:
                hits("domestic_violence", s.span(i - 3, i))
        if "born" in cs and s.near(i, "neg", -3, -1) and s.near(i, "want", -6, -1):
            hits("suicide", s.span(i - 4, i))
        if touch and _touched_me(s, i):
            hits("sexual_assault", s.span(i - 3, i + 1))
            if s.anywhere("child_speaker"):
                hits("child_abuse", s.span(i - 3, i + 1))
        if tk.norm in {"forced", "forzo"} and s.word(i + 1) in {"himself", "herself", "se"}:
            hits("sexual_assault", s.span(i, i + 3))
        if tk.norm == "permiso" and s.word(i - 1) == "sin" and s.near(i, "assault", -4, -1):
            hits("sexual_assault", s.span(i - 3, i))


_CLITIC_OBJ = {"le", "les", "lo", "la", "los", "las"}


def _touched_me(s: _Sent, i: int) -> bool:
    """'mi padrastro me toca', 'my dad touches me': an adult touching the speaker."""
    me = s.word(i - 1) == "me" or s.word(i + 1) == "me"
    return me and s.near(i, "adult_rel", -5, -1) and s.word(i + 1) not in {"a", "the", "el"}


_OBJ_PRON = {"him", "her", "them", "lo", "la", "los", "las", "le", "les"}


# Negative contexts that veto a crisis phrase of the lexicon, per kind.
_PHRASE_VETO = {
    "suicide": ("die_block", "kill_block", "cut_block"),
    "sexual_assault": ("rape_block",),
    "domestic_violence": ("harm_block",),
    "child_abuse": ("child_block",),
}


def detect_crises(text: str) -> list[Crisis]:
    """Every crisis kind the text suggests, most urgent first, with evidence spans."""
    return detect_in_tokens(tokenize(text)) if text else []


def detect_in_tokens(toks: list[Tok]) -> list[Crisis]:
    """detect_crises on an already tokenised text (understand() shares its tokens)."""
    s = _Sent(toks)
    found: dict[str, list[str]] = {}

    def hits(kind: str, evidence: str) -> None:
        ev = found.setdefault(kind, [])
        if evidence and evidence not in ev:
            ev.append(evidence)

    _suicide(s, hits)
    _overdose(s, hits)
    _homeless(s, hits)
    _violence(s, hits)
    for kind, first, last, ev in crisis_phrase_hits(s.t):
        # a phrase hit is vetoed by negative context ("me violaron mis derechos")
        blocks = _PHRASE_VETO.get(kind, ())
        if not any(c in blocks for k in range(max(0, first - 2), min(s.n, last + 4))
                   for c in s.t[k].cs):
            hits(kind, ev)
    return [Crisis(k, tuple(found[k])) for k in URGENCY if k in found]


def detect_crisis(text: str) -> Crisis | None:
    """The most urgent crisis the text suggests, or None."""
    found = detect_crises(text)
    return found[0] if found else None
