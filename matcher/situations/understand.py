"""Sentence understanding: what a parent said -> crisis, needs, facts, leftover words.

Needs come from the reviewed phrases of data/phrases.tsv (matched before filler words are
dropped, so "no place to go" keeps its meaning); labels come from data/needs.tsv. Facts
are the few things search can use directly: the child's age or age group, who the need
is for, and when it is needed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from matcher.situations.crisis import Crisis, Tok, detect_in_tokens, tokenize
from matcher.situations.lexicon import filler, need_groups
from matcher.situations.phrasematch import match_all

SPECIFIC_SHARE = 0.5  # the rest of a need group, when a phrase names its own terms

# A crisis found by the rules also names the need group that serves it.
CRISIS_NEED = {
    "suicide": "mental_health_crisis",
    "overdose": "overdose_poisoning",
    "domestic_violence": "domestic_violence",
    "child_abuse": "abuse_neglect",
    "sexual_assault": "sexual_violence",
    "homeless_tonight": "homelessness",
}


@dataclass(frozen=True)
class Need:
    key: str
    label_en: str
    label_es: str
    terms: dict[str, float]
    barrier: str | None
    span: str  # the longest phrase found for the need, as typed
    weight: float
    spans: tuple[str, ...] = ()  # every phrase found for it ("3 day notice", "pay rent")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Understanding:
    text: str
    crisis: Crisis | None
    crises: tuple[Crisis, ...]
    needs: tuple[Need, ...]
    facts: dict = field(default_factory=dict)
    remaining: tuple[str, ...] = ()
    # words typed with a typo that a need or crisis phrase read as another ("dentsit")
    corrections: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "crisis": self.crisis.to_dict() if self.crisis else None,
            "crises": [c.to_dict() for c in self.crises],
            "needs": [n.to_dict() for n in self.needs],
            "facts": dict(self.facts),
            "remaining": list(self.remaining),
            "corrections": dict(self.corrections),
        }


def understand(text: str, lang: str | None = None) -> Understanding:
    """Read one sentence as a family liaison would. ``lang`` ('en'/'es') narrows phrases."""
    toks = tokenize(text or "")
    crises = tuple(detect_in_tokens(toks))
    used: set[int] = set()
    by_need: dict[str, list[tuple]] = {}
    blocked: set[int] = set()
    for phrase, idx in match_all(toks, lang if lang in ("en", "es") else None):
        if phrase.block:  # "pet food", "shelter for my dog": not a need; words stay
            if not (used - blocked).intersection(idx):  # look-alikes may overlap
                used.update(idx)
                blocked.update(idx)
            continue
        if not phrase.need or used.intersection(idx):
            continue
        used.update(idx)
        by_need.setdefault(phrase.need, []).append((phrase, idx))
    phrase_words = used - blocked
    groups = need_groups()
    needs: list[Need] = []
    for key, found in by_need.items():
        g = groups[key]
        # A phrase that names its own terms ("bus pass", "pañales") says which part of
        # the need is meant: the rest of the group then counts half.
        specific = all(phrase.terms for phrase, _ in found)
        terms = {code: w * (SPECIFIC_SHARE if specific else 1.0) for code, w in g.terms.items()}
        for phrase, _ in found:
            for code, w in phrase.terms.items():
                terms[code] = max(w, terms.get(code, 0.0))
        spans = tuple(" ".join(toks[k].word for k in range(i[0], i[-1] + 1)) for _, i in found)
        span = max(zip(found, spans, strict=True), key=lambda fs: len(fs[0][1]))[1]
        weight = min(1.0, max(_weight(len(i)) for _, i in found) + 0.1 * (len(found) - 1))
        needs.append(Need(key, g.label_en, g.label_es, terms, found[0][0].barrier or g.barrier,
                          span, round(weight, 2), spans))
    for c in crises:
        key = CRISIS_NEED[c.kind]
        if key not in by_need:
            g = groups[key]
            evidence = c.evidence[0] if c.evidence else ""
            needs.insert(0, Need(key, g.label_en, g.label_es, dict(g.terms), g.barrier,
                                 evidence, 0.9, (evidence,)))
    used -= blocked  # a look-alike's words are still searched as keywords
    facts, fact_idx = _facts(toks)
    used |= fact_idx
    evidence = {w for c in crises for ev in c.evidence for w in ev.split()}
    evidence_idx = {i for i, tk in enumerate(toks) if tk.word in evidence}
    used |= evidence_idx
    corrections = {
        toks[i].word: toks[i].norm for i in sorted(phrase_words | evidence_idx)
        if toks[i].norm != toks[i].word and not toks[i].possessive and "*" not in toks[i].norm
    }
    stop = filler()
    remaining = []
    for i, tk in enumerate(toks):
        if i in used or tk.word in stop or tk.norm in stop or tk.word.isdigit():
            continue
        if tk.word not in remaining:
            remaining.append(tk.word)
    needs.sort(key=lambda n: -n.weight)
    return Understanding(text or "", crises[0] if crises else None, crises, tuple(needs),
                         facts, tuple(remaining), corrections)


def _weight(n_words: int) -> float:
    return {1: 0.6, 2: 0.8}.get(n_words, 0.95)


_NUM = {w: n for n, ws in enumerate([
    "zero cero", "one uno una un", "two dos", "three tres", "four cuatro", "five cinco",
    "six seis", "seven siete", "eight ocho", "nine nueve", "ten diez", "eleven once",
    "twelve doce", "thirteen trece", "fourteen catorce", "fifteen quince",
    "sixteen dieciseis", "seventeen diecisiete", "eighteen dieciocho"]) for w in ws.split()}
_YEARS = {"year", "years", "yr", "yrs", "yo", "ano", "anos", "anitos", "y/o"}
_INFANT = {"baby", "bebe", "bebes", "bebito", "bebita", "newborn", "infant", "recien"}
_TEEN = {"teen", "teens", "teenager", "teenagers", "adolescente", "adolescentes",
         "chavo", "chava", "chavos", "prepa", "highschool"}
_CHILD = {"son", "daughter", "kid", "kids", "child", "children", "boy", "girl", "toddler", "olds",
          "hijo", "hija", "hijos", "hijas", "nino", "nina", "ninos", "ninas", "chamaco",
          "chamaca", "chamacos", "morro", "morra", "morrito", "cipote", "cipota", "bicho",
          "bicha", "patojo", "escuincle", "chiquito", "chiquita", "nene", "nena", "student",
          "alumno", "alumna", "grandson", "granddaughter", "nieto", "nieta"}
_FAMILY = {"we", "us", "our", "nosotros", "estamos", "tenemos", "familia", "family",
           "vivimos", "dormimos", "somos"}
_PARENT = {"i", "me", "my", "yo", "mi", "im", "estoy", "tengo", "ocupo", "necesito"}
_MONTHS = {"meses", "months", "mes", "month"}
_AGE_BEFORE = {"tiene", "age", "aged", "edad", "turned", "cumplio", "is", "es"}
_TONIGHT = ("esta noche", "hoy en la noche", "hoy por la noche", "en la noche de hoy")
_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
         "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"}


_GLUED_AGE = re.compile(r"(\d{1,2})(?:yo|yr|yrs|years?|anos|y)$")  # "7yo", "14yrs"


def _age_number(tok: Tok) -> int | None:
    if tok.word.isdecimal() and len(tok.word) <= 2:  # not '²': int() refuses it
        return int(tok.word)
    return _NUM.get(tok.word)


def _parent_of_my(w: list[str], j: int) -> bool:
    """'el papá de mis hijos' / 'the father of my kids' names an adult, not the child."""
    return j >= 3 and w[j - 2] in {"de", "of"} and w[j - 1] in {"mis", "my"} and w[j - 3] in {
        "papa", "padre", "mama", "madre", "father", "mother", "dad", "mom"}


_AND = {"and", "y", "e", "&"}


def _ages_before(toks: list[Tok], i: int) -> dict[int, int]:
    """Ages listed before the one at ``i`` ("5 and 10 years"): token index -> age."""
    found: dict[int, int] = {}
    j = i - 1
    while j >= 0:
        if toks[j].word in _AND:
            j -= 1
            continue
        age = _age_number(toks[j]) if toks[j].word.isdigit() else None
        if age is None or age > 25:
            break
        found[j] = age
        j -= 1
    return found


def _facts(toks: list[Tok]) -> tuple[dict, set[int]]:
    facts: dict = {}
    used: set[int] = set()
    w = [t.word for t in toks]
    n = len(w)
    for i in range(n):
        glued = _GLUED_AGE.match(w[i])
        if glued and "age" not in facts and int(glued.group(1)) <= 25:
            facts["age"] = int(glued.group(1))
            used.add(i)
            continue
        age = _age_number(toks[i])
        if age is None or "age" in facts:
            continue
        nxt = w[i + 1] if i + 1 < n else ""
        prev = w[i - 1] if i else ""
        said_age = prev in _AGE_BEFORE and toks[i].word.isdigit()
        if nxt in _YEARS or nxt in _MONTHS or said_age:
            if nxt in _MONTHS:
                facts["age"] = 0
            elif age <= 25:
                facts["age"] = age
            else:
                continue
            used.update(k for k in (i, i + 1, i + 2)
                        if k < n and (k == i or w[k] in _YEARS or w[k] in _MONTHS | {"old"}))
            others = _ages_before(toks, i)
            if others:  # "my 5 and 10 year olds", "de 5, 9 y 14 años": no one age
                facts["ages"] = sorted({*others.values(), facts.pop("age")})
                used.update(others)
    words = {x for j, x in enumerate(w) if not _parent_of_my(w, j)}
    if "age" in facts:
        a = facts["age"]
        facts["age_group"] = ("infant" if a < 2 else "child" if a < 13
                              else "teen" if a < 20 else "adult")
    elif words & _INFANT:
        facts["age_group"] = "infant"
    elif words & _TEEN:
        facts["age_group"] = "teen"
    if facts.get("age_group") == "teen" or words & _TEEN:
        facts["who"] = "teen"
    elif facts.get("age_group") in ("infant", "child") or words & _CHILD:
        facts["who"] = "child"
    elif words & _FAMILY:
        facts["who"] = "family"
    elif words & _PARENT:
        facts["who"] = "parent"
    text = " ".join(w)
    if "tonight" in words or any(p in text for p in _TONIGHT):
        facts["when"] = "tonight"
    elif words & {"today", "hoy", "ahorita", "now", "ahora"}:
        facts["when"] = "today"
    elif "tomorrow" in words or ("manana" in words and "la manana" not in text):
        facts["when"] = "tomorrow"
    elif "this week" in text or "esta semana" in text or words & _DAYS:
        facts["when"] = "this_week"
    return facts, used
