"""What a search query says beyond its keywords: the family's needs, facts and any crisis.

``matcher.situations`` reads the sentence (crisis kinds, needs from the reviewed lexicon,
the child's age); staff mappings from the curation loop add phrases of their own. This
module turns that into what search scores: taxonomy concepts with weights, the words
still searched as keywords (filler dropped from sentences, so "my teenager keeps saying"
does not dilute the ranking), the words spelling correction must leave alone, and the
chips the page shows ("Showing services for: Dental care · age 9"), each removable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from matcher import situations
from matcher.core.text import words
from matcher.directory.taxonomy import term_id
from matcher.search.analysis import stopwords
from matcher.search.curation import StaffPhrase
from matcher.situations.lexicon import filler, need_groups
from matcher.situations.understand import CRISIS_NEED

# A sentence (this many words, or this many that are not filler) searches only its
# meaningful words; a shorter query keeps every word, as keyword search always did
# ("abuelos que crían a sus nietos" is still a keyword query).
SENTENCE_WORDS = 7
SENTENCE_CONTENT_WORDS = 4
AGE_WORDS = {"year", "years", "old", "yr", "yrs", "yo", "ano", "anos", "anitos", "meses",
             "months", "month", "mes", "edad", "age", "aged"}


ELDER_WORDS = frozenset({
    "grandma", "grandpa", "grandmother", "grandfather", "granny", "senior", "seniors",
    "elderly", "elder", "abuela", "abuelo", "abuelita", "abuelito", "abuelos", "anciano",
    "anciana", "ancianos", "viejita", "viejito", "mayores", "jubilado", "jubilada",
})
OLD_AGE = 55


def _old_age(folded: list[str]) -> bool:
    """'my dad is 70', 'tiene 82 años': a number of years past ``OLD_AGE``."""
    return any(
        w.isdigit() and OLD_AGE <= int(w) <= 120 and nxt in AGE_WORDS
        for w, nxt in zip(folded, [*folded[1:], ""], strict=True)
    )


@dataclass(frozen=True)
class NeedChip:
    """One need the query names, as the page and the API show it."""

    key: str
    label_en: str
    label_es: str
    terms: tuple[tuple[str, float], ...]  # (taxonomy term id, weight)
    weight: float
    source: str = "lexicon"  # or "staff"
    words: tuple[str, ...] = ()  # how listings name the need ("dentist", "dentista")

    def label(self, locale: str) -> str:
        return self.label_es if locale == "es" else self.label_en


@dataclass(frozen=True)
class Understood:
    crisis: str | None = None
    crisis_evidence: tuple[str, ...] = ()
    needs: tuple[NeedChip, ...] = ()
    age: int | None = None
    age_group: str | None = None
    elder: bool = False  # an older adult is named ("mi abuelita", "my dad is 70")
    ages: tuple[int, ...] = ()  # several children's ages ("my 5 and 10 year olds")
    keywords: tuple[str, ...] = ()  # folded words to search as keywords, in order
    protected: frozenset[str] = field(default_factory=frozenset)  # never spell-corrected
    dropped: frozenset[str] = field(default_factory=frozenset)
    # typed word -> the lexicon word it was read as ("dentsit" -> "dentist"): searched
    # and shown corrected ("Did you mean"), never kept as an unknown word
    corrections: Mapping[str, str] = field(default_factory=dict)

    sentence: bool = False  # a sentence that names a need or a crisis

    @property
    def is_sentence_query(self) -> bool:
        return self.sentence


def _staff_matches(folded: list[str], staff: Iterable[StaffPhrase], locale: str):
    for phrase in staff:
        if phrase.lang not in ("any", locale) or not phrase.words:
            continue
        n = len(phrase.words)
        for i in range(len(folded) - n + 1):
            if tuple(folded[i : i + n]) == phrase.words:
                yield phrase, range(i, i + n)
                break


@lru_cache(maxsize=4096)
def _read(text: str) -> situations.Understanding:
    """Phrases of both languages, whatever the page's: a parent types Spanish, English
    or both on either page ("necesito help con la renta")."""
    return situations.understand(text)


def understand_query(
    text: str,
    locale: str,
    staff: tuple[StaffPhrase, ...] = (),
    drop: frozenset[str] = frozenset(),
    code_ids: Mapping[str, tuple[str, ...]] | None = None,
) -> Understood:
    """Read ``text``; ``drop`` names chips the user removed ("need:dental", "age")."""
    folded = words(text)
    if not folded:
        return Understood()
    read = _read(text)
    needs: list[NeedChip] = []
    groups = need_groups()
    for need in read.needs:
        chip = NeedChip(
            need.key, need.label_en, need.label_es,
            tuple((t, w) for code, w in need.terms.items() for t in ids_of(code, code_ids)),
            need.weight, words=groups[need.key].words if need.key in groups else (),
        )
        needs.append(chip)
    crisis = read.crisis.kind if read.crisis else None
    evidence = read.crisis.evidence if read.crisis else ()
    staff_words: set[int] = set()
    for phrase, span in _staff_matches(folded, staff, locale):
        staff_words.update(span)
        label = " ".join(phrase.words)
        if phrase.term_ids:
            needs.append(NeedChip(f"staff:{label}", label, label,
                                  tuple((t, 1.0) for t in phrase.term_ids), 0.9, "staff"))
        if phrase.crisis and crisis is None:
            crisis, evidence = phrase.crisis, (label,)
    kept = {f"need:{n.key}" for n in needs} - drop
    needs = [n for n in needs if f"need:{n.key}" in kept]
    if "crisis" in drop:
        crisis, evidence = None, ()
    age = read.facts.get("age") if "age" not in drop else None
    removed = {n.key for n in read.needs if f"need:{n.key}" in drop}
    span_words = {w for n in read.needs if n.key not in removed for s in n.spans for w in words(s)}
    dropped_words = {w for n in read.needs if n.key in removed for s in n.spans for w in words(s)}
    evidence_words = {w for e in evidence for w in words(e)}
    meaningful = set(read.remaining) | span_words | evidence_words
    meaningful |= {folded[i] for i in staff_words}
    meaningful -= dropped_words
    distinct = set(folded)
    function_words = filler() | stopwords("en") | stopwords("es")
    long = (len(distinct) >= SENTENCE_WORDS
            or len(distinct - function_words) >= SENTENCE_CONTENT_WORDS)
    sentence = bool(needs or crisis) and long
    if long:  # a sentence, whether or not it names a known need: its content words
        keywords = [w for w in folded if w in meaningful]
    elif needs or crisis:  # a short query naming a need: only its filler goes
        keywords = [w for w in folded if w in meaningful or w not in filler()]
    else:
        keywords = folded
    keywords = [w for w in keywords if w not in dropped_words]
    if age is not None or read.facts.get("ages"):
        keywords = [w for w in keywords if not (w.isdigit() or w in AGE_WORDS)]
    return Understood(
        crisis=crisis,
        crisis_evidence=tuple(evidence),
        needs=tuple(needs),
        age=age,
        age_group=read.facts.get("age_group"),
        elder=bool(distinct & ELDER_WORDS) or _old_age(folded),
        ages=tuple(read.facts.get("ages", ())) if "age" not in drop else (),
        keywords=tuple(dict.fromkeys(keywords)),
        protected=frozenset(span_words | evidence_words),
        dropped=frozenset(drop),
        corrections={w: c for w, c in read.corrections.items() if w not in dropped_words},
        sentence=sentence,
    )


def ids_of(code: str, code_ids: Mapping[str, tuple[str, ...]] | None) -> tuple[str, ...]:
    """The index's term ids for a taxonomy code (the seeded id when the index has none)."""
    return (code_ids or {}).get(code) or (term_id(code),)


def crisis_terms(
    kind: str, code_ids: Mapping[str, tuple[str, ...]] | None, main: bool = True
) -> tuple[str, ...]:
    """Taxonomy term ids of the services for a crisis kind: its need group's main terms,
    or all of them (``main=False``, for a directory that has none of the main ones)."""
    group = need_groups()[CRISIS_NEED[kind]]
    return tuple(t for code, w in group.terms.items()
                 if w >= 1.0 or not main for t in ids_of(code, code_ids))
