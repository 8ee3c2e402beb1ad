"""A typed sentence as the crisis rules read it: tokens with their word families and roles.

Each token keeps the word as typed (folded), its spelling-corrected form and its concept
families (data/concepts.tsv). Structure the data cannot say is added here: ages ("my 13
year old", "de 6 años", "tiene 9") mark a child, Spanish diminutives of child words
("sobrinito", "chamaquita") are children too, and ``Sent`` answers the questions every
rule asks: who did it (agent), to whom (victim), and in which window.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.core.text import words
from matcher.situations.lexicon import concepts
from matcher.situations.spelling import correct
from matcher.situations.verbs import clitic_of


@dataclass(frozen=True)
class Tok:
    word: str  # as typed (folded)
    norm: str  # spelling-corrected, possessive stripped
    cs: frozenset[str]
    possessive: bool


_YEARS = {"year", "years", "yr", "yrs", "yo", "ano", "anos", "anitos", "grade", "grader"}
_DIMINUTIVE = (("itos", "os"), ("itas", "as"), ("ito", "o"), ("ita", "a"), ("cito", ""),
               ("cita", ""))


def _age_at(ws: list[str], i: int) -> int | None:
    """The age a number at ``i`` gives ('13 year old', 'de 6 años', '7yo'), or None."""
    w = ws[i]
    digits = w.rstrip("yo") if w.endswith("yo") else w
    if not digits.isdigit() or len(digits) > 2:
        return None
    nxt = ws[i + 1] if i + 1 < len(ws) else ""
    if w.endswith("yo") or nxt in _YEARS or (nxt in {"th", "st", "nd", "rd"}):
        return int(digits)
    return None


def _child_concepts(word: str, age: int | None) -> set[str]:
    if age is not None and age < 18:
        return {"child", "young_child"} if age <= 12 else {"child"}
    lex = concepts()
    for end, base in _DIMINUTIVE:
        if word.endswith(end) and len(word) > len(end) + 2:
            stem = word[: -len(end)]
            for cand in (stem + base, stem + "o", stem + "a"):
                found = lex.of(cand) & {"child", "young_child"}
                if found:
                    return set(found) | {"young_child"}
    return set()


# Families of things and people a plural reaches ("palizas", "cachetadas", "moretes"):
# a verb family never does ("matas" is "you kill" and "bushes", never a plural of "mata").
_PLURAL_OK = frozenset({
    "blow", "injury", "substance", "toxic", "drug_use", "means", "outside", "child",
    "young_child", "cut_mark", "sexual_obj", "body_part", "body_selfharm", "strong_body",
    "adult_rel", "caregiver", "partner", "abuser", "stranger", "pet", "beyond", "leisure",
    "topic_block", "od_metaphor", "kill_block", "die_block", "cut_block", "harm_block",
    "child_block", "accident", "workplace_person", "medical", "other_kid", "weapon",
})


def _plural_base(lex, word: str) -> frozenset[str]:
    """Noun families of the singular of an unknown plural ('cuerizas' -> blow); any family
    of an English verb whose -es was typed -s ('touchs', 'punchs')."""
    if len(word) < 5 or not word.endswith("s"):
        return frozenset()
    if word.endswith(("chs", "shs", "xs")):
        return lex.of(word[:-1])
    for base in (word[:-1], word[:-2] if word.endswith("es") else ""):
        found = lex.of(base) & _PLURAL_OK if base else frozenset()
        if found:
            return found
    return frozenset()


def _drop_compounds(ws: list[str], i: int, cs: frozenset[str]) -> frozenset[str]:
    """A word whose family a fixed neighbour cancels: 'high school' is not drug use."""
    lex = concepts()
    nxt = ws[i + 1] if i + 1 < len(ws) else ""
    if nxt and "compound_next" in lex.of(nxt) and cs & {"drug_use", "od_weak"}:
        return cs - {"drug_use", "od_weak"}
    return cs


def tokenize(text: str) -> list[Tok]:
    lex = concepts()
    ws = words(text)
    out = []
    for i, w in enumerate(ws):
        poss = w.endswith("'s") and len(w) > 3
        base = w[:-2] if poss else w
        norm = correct(base)
        cs = lex.of(norm) or _plural_base(lex, norm)
        cs = _drop_compounds(ws, i, cs) if cs else cs
        extra = _child_concepts(norm, _age_at(ws, i)) if "child" not in cs else set()
        if w.isdigit() and i + 1 < len(ws) and ws[i + 1] in {"grader", "graders"}:
            extra = {"child", "young_child"}
        if i and ws[i - 1] in {"baby", "babys", "baby's"} and "parent_fig" in cs:
            cs = frozenset({"partner", "abuser"})  # "my baby daddy": a partner, not a parent
        out.append(Tok(w, norm, cs | extra if extra else cs, poss))
    return out


# How far before a verb its doer may be named: "my mom's boyfriend keeps coming into my
# room at night and touching me" (nine words); the nearest person still wins.
AGENT_REACH = 12
PERSON = ("child", "partner", "caregiver", "workplace_person", "adult_rel", "other_kid")
_DET = {"the", "a", "an", "my", "his", "their", "our", "your", "mi", "mis", "su", "sus", "tu",
        "tus", "el", "la", "los", "las", "un", "una", "al", "del", "this", "that", "own",
        "esa", "ese", "esta", "este", "nuestro", "nuestra", "poor", "pobre", "older"}
_AUX = {"esta", "estaba", "estan", "estaban", "estuvo", "volvio", "vuelve", "vuelven",
        "volvieron", "va", "van", "iba", "iban", "quiere", "quiso", "quieren", "empezo",
        "empieza", "empezaron", "sigue", "siguen", "anda", "andaba", "andan", "a", "de",
        "acaba", "ha", "han", "habia", "suele", "suelen", "puede", "trato", "intento",
        "bien", "muy", "siempre", "ya", "no", "nunca", "todavia", "tambien", "luego"}
OBJ_CLITIC = {"lo", "la", "le", "los", "las", "les"}
_MANNER = {"bien", "muy", "feo", "duro", "fuerte", "really", "so", "tan", "always", "siempre"}
_SUBJECT_PRON = {"he", "she", "they", "ella", "ellos", "someone", "somebody", "alguien"}
_CLAUSE = {"when", "and", "while", "because", "after", "before", "at", "in", "on", "every",
           "again", "if", "so", "until", "with", "whenever", "then", "but", "or", "since"}
_OWNER = {"my": "me", "mi": "me", "mis": "me", "our": "me", "her": "pron", "his": "pron",
          "their": "pron"}
SELF = {"myself", "herself", "himself", "themselves", "themself", "yourself", "ourselves"}


class Sent:
    """Token list with window and role look-ups; every rule reads through this."""

    def __init__(self, toks: list[Tok]):
        self.t = toks
        self.n = len(toks)
        self._all = frozenset().union(*(tk.cs for tk in toks))  # rules ask "anywhere?" often

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
        return c in self._all

    def word(self, i: int) -> str:
        return self.t[i].norm if 0 <= i < self.n else ""

    def span(self, a: int, b: int) -> str:
        a, b = max(0, min(a, b)), min(self.n - 1, max(a, b))
        return " ".join(tk.word for tk in self.t[a:b + 1])

    def person(self, i: int) -> str | None:
        """Which kind of person token ``i`` names, if any (first of PERSON that fits)."""
        if not 0 <= i < self.n:
            return None
        cs = self.t[i].cs
        return next((p for p in PERSON if p in cs), None)

    # ------------------------------------------------------------------ roles
    def clitic_before(self, i: int) -> tuple[str, int] | None:
        """Spanish object clitic of the verb at ``i``, across auxiliaries: 'me volvió a
        pegar', 'la está tocando'; or glued to it: 'pegarle', 'golpeándola'."""
        glued = clitic_of(self.t[i].norm)
        if glued:
            return glued, i
        for j in range(i - 1, max(-1, i - 5), -1):
            w = self.word(j)
            if w in OBJ_CLITIC or w in {"me", "te", "se", "nos"}:
                return w, j
            if w not in _AUX and not w.endswith(("ando", "iendo")):
                return None
        return None

    def object_after(self, i: int, reach: int = 4) -> tuple[str, int] | None:
        """('me'|'self'|'pron'|person kind|'thing', index) of what follows the verb."""
        prep = False
        for j in range(i + 1, min(self.n, i + reach + 1)):
            w = self.word(j)
            if w in {"me", "us"}:
                return "me", j
            if w in SELF:
                return "self", j
            if w in {"him", "them"}:
                return "pron", j
            kind = self.person(j)
            if kind:
                return kind, j
            if w == "her" and not (self.person(j + 1) or (
                    self.person(j + 2) and self.word(j + 1) not in _CLAUSE)):
                return "pron", j  # "touches her when mom is at work"; not "her little son"
            if w == "mi" and prep and not (self.person(j + 1) or self.person(j + 2)):
                return "me", j  # "le pega a mí"
            if w in _OWNER and self.has(j + 1, "body_part") and not self.person(j + 1):
                return _OWNER[w], j  # "grabbed my hair", "dragged her by the arm"
            if w in {"a", "al"}:
                prep = True
            elif w not in _DET and w not in _MANNER and w != "her":
                return "thing", j
        return None

    def doubled_before(self, j: int) -> tuple[str, int] | None:
        """'a mi sobrino lo golpean': the person a clitic at ``j`` doubles, before it."""
        for k in range(j - 1, max(-1, j - 6), -1):
            kind = self.person(k)
            if kind and any(self.word(m) in {"a", "al"} for m in range(max(0, k - 3), k)):
                return kind, k
        return None

    def _possessor_of(self, j: int, stop: int) -> int | None:
        """'my daughter's boyfriend' (before j) or 'el novio de mi hija' (after j)."""
        for k in range(j - 1, max(-1, j - 3), -1):
            if self.t[k].possessive:
                return next((m for m in range(k, max(-1, k - 4), -1) if self.person(m)), None)
        for k in range(j + 1, min(stop, j + 3)):
            if self.word(k) in {"de", "del"}:
                return next((m for m in range(k + 1, min(stop, k + 4)) if self.person(m)), None)
        return None

    def agent_before(self, i: int) -> tuple[str | None, int | None, int | None]:
        """(kind, index, possessor index) of who does the verb at ``i``: the nearest person
        before it; 'my daughter's boyfriend' / 'el novio de mi hija' name a possessor."""
        for j in range(i - 1, max(-1, i - AGENT_REACH - 1), -1):
            if self.word(j) in _SUBJECT_PRON:
                return "pron", j, None
            kind = self.person(j)
            if kind is None or self.t[j].possessive:
                continue
            k = j - 1
            while k >= 0 and self.word(k) in _DET and self.word(k) not in {"a", "al", "del"}:
                k -= 1
            if self.word(k) == "al" or (self.word(k) == "a" and k < j - 1):
                continue  # an object ("a mi sobrino lo golpean")
            if self.word(k) in {"de", "del"}:  # j is a possessor: the head precedes "de"
                head = next((m for m in range(k - 1, max(-1, k - 4), -1) if self.person(m)),
                            None)
                if head is not None:
                    return self.person(head), head, j
            return kind, j, self._possessor_of(j, i)
        return None, None, None

    def referent(self, before: int, skip: set[int],
                 prefer: str | None = None) -> tuple[str | None, int | None]:
        """The person a pronoun refers to: the nearest person before ``before`` (the
        nearest of kind ``prefer`` when there is one: a parent's 'him' is the child)."""
        if prefer:
            for j in range(before - 1, -1, -1):
                if j not in skip and self.person(j) == prefer:
                    return prefer, j
        for j in range(before - 1, -1, -1):
            if j in skip:
                continue
            kind = self.person(j)
            if kind:
                return kind, j
        return None, None
