"""What a parsed query scores, and how a sentence's needs and words combine.

Each query word is a clause of alternatives (its English and Spanish stems, its folded
form, its glossary translations at ``TRANSLATION_WEIGHT``); the taxonomy concepts its
words name are clauses too (``matcher.search.postings.Collection.score``: per clause the
best alternative plus a little of the others; clauses add up). A need that query
understanding found ("my kid has a cavity": dental care) scores the terms of its group
on the terms a listing is tagged with. In a sentence the needs are the signal: they
choose the listings, and its other words weigh ``SENTENCE_WORD_WEIGHT`` and only order
them, so filler and side details never outrank what the family asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.search import glossary
from matcher.search.analysis import LANGUAGES, folding_analyzer, language_analyzer, terms
from matcher.search.postings import TIEBREAK, Alternatives, Collection
from matcher.search.query import ParsedQuery
from matcher.search.snapshot import Snapshot
from matcher.search.understanding import OLD_AGE, Understood

EXPANSION_BOOST = 3.0
NEED_BOOST = 3.0  # a need the sentence names counts like a category it names
SENTENCE_WORD_WEIGHT = 0.25
WORDS_ALONE = 0.5  # in a sentence, a listing that meets no need needs this share of the
# best listing's word score, and two of the words, to be found at all
TRANSLATION_WEIGHT = 0.7  # a glossary translation counts less than the word as typed
NEED_WORD_WEIGHT = 0.15  # a need's own words, against its terms' NEED_BOOST


@dataclass(frozen=True)
class QueryTerms:
    """What a parsed query scores: clauses that add up, each a set of alternatives of
    which the best counts (``matcher.search.postings.Collection.score``).

    A word's alternatives are its English and Spanish stems and its folded form; a
    concept's are the taxonomy terms it names, weighted by how much of the query
    names them. Field weights (name x3, category x2) are in the indexed text itself,
    see ``matcher.search.index.build_document``.
    """

    clauses: tuple[Alternatives, ...]
    words: tuple[str, ...] = ()  # the query word of each of the first clauses
    # Each need the sentence names: (taxonomy term id, weight) pairs, matched against
    # the terms a listing is tagged with, not the terms above them (the taxonomy files
    # utility help and home repairs under "Help Pay for Housing": not the rent need).
    needs: tuple[tuple[tuple[str, float], ...], ...] = ()
    # Each need's own words as listings write them ("dentist", "dentista"), searched as
    # text: the need still finds listings a directory tagged with no term of it.
    need_words: tuple[Alternatives, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clauses or self.needs or self.need_words)

    def need_scores(self, snap: Snapshot) -> np.ndarray:
        """Per document, each need's best term weight plus a little of its others."""
        total = np.zeros(snap.size, dtype=np.float64)
        for need in self.needs:
            best = np.zeros(snap.size, dtype=np.float64)
            summed = np.zeros(snap.size, dtype=np.float64)
            for term, weight in dict.fromkeys(need):
                docs = snap.lookups.by_term.get(term)
                if docs is not None and len(docs):
                    summed[docs] += weight
                    best[docs] = np.maximum(best[docs], weight)
            total += best + TIEBREAK * (summed - best)
        return total

    def need_masks(self, snap: Snapshot) -> list[np.ndarray]:
        """For each need, the documents tagged with one of its terms."""
        masks = []
        for need in self.needs:
            mask = np.zeros(snap.size, dtype=bool)
            for term, _weight in need:
                docs = snap.lookups.by_term.get(term)
                if docs is not None:
                    mask[docs] = True
            masks.append(mask)
        return masks

    def unmatched_words(self, collection: Collection, matched: np.ndarray) -> list[str]:
        """The query words no matched document contains (nothing listed mentions "ropa")."""
        return [
            word
            for word, clause in zip(self.words, self.clauses, strict=False)
            if not collection.matches_any(clause, matched)
        ]


def _word(word: str, weight: float) -> Alternatives:
    """A query word's alternatives: its stems in each language, its folded form and its
    glossary translations (these at ``TRANSLATION_WEIGHT``)."""
    alternatives = [
        (f"text_{lang}", stem, weight)
        for lang in LANGUAGES
        for stem in terms(language_analyzer(lang), word)
    ]
    alternatives += [("misc", folded, weight) for folded in terms(folding_analyzer(), word)]
    direct = {(fieldname, stem) for fieldname, stem, _w in alternatives}
    alternatives += [
        (f"text_{lang}", stem, weight * TRANSLATION_WEIGHT)
        for lang, stem in glossary.translations(word)
        if (f"text_{lang}", stem) not in direct
    ]
    return tuple(alternatives)


def query_terms(parsed: ParsedQuery) -> QueryTerms:
    clauses, searched = [], []
    # In a sentence the needs it names are the signal; its other words only break ties.
    own = SENTENCE_WORD_WEIGHT if parsed.understood.is_sentence_query else 1.0
    for word in parsed.words:
        alternatives = _word(word, own)
        if alternatives:
            clauses.append(alternatives)
            searched.append(word)
    # A category both named by the words and understood as a need counts once: as the
    # need in a sentence (the needs choose its listings), as the category otherwise.
    sentence = parsed.understood.is_sentence_query
    of_needs = {term for need in parsed.understood.needs for term, _w in need.terms}
    concepts: dict[frozenset[str], list[tuple[str, str, float]]] = {}
    for expansion in parsed.expansions:
        if sentence and expansion.term_id in of_needs:
            continue
        concepts.setdefault(expansion.stems, []).append(
            ("cats", expansion.term_id, own * EXPANSION_BOOST * expansion.share)
        )
    clauses += [tuple(members) for members in concepts.values()]
    named = {expansion.term_id for expansion in parsed.expansions}
    counted = [
        need for need in parsed.understood.needs
        if need.terms and (sentence or not any(term in named for term, _w in need.terms))
    ]
    needs = tuple(
        tuple((term, NEED_BOOST * weight * need.weight) for term, weight in need.terms)
        for need in counted
    )
    need_words = tuple(
        clause for need in counted if need.words
        if (clause := tuple(dict.fromkeys(
            alt for w in need.words for alt in _word(w, NEED_WORD_WEIGHT * need.weight))))
    )
    return QueryTerms(tuple(clauses), tuple(searched), needs, need_words)


# Ages a listing must reach for a family that names a baby or a teenager but gives no
# age (an age given is a filter), and for one that names no older adult.
GROUP_AGES = {"infant": (0.0, 2.0), "teen": (12.0, 19.0)}
AGE_MISFIT = 0.3  # a listing for other ages keeps this share of its score


def age_fit(snap: Snapshot, understood: Understood) -> np.ndarray | None:
    """Per document, 1 or ``AGE_MISFIT``: listings only for seniors when nobody older is
    named, only for toddlers when a teenager is, or for none of the children's ages,
    count less (soft: no one age was given)."""
    if understood.ages:  # several children: a listing for any of them fits
        low, high = float(min(understood.ages)), float(max(understood.ages))
    else:
        low, high = GROUP_AGES.get(understood.age_group or "", (0.0, 200.0))
    if not understood.elder:
        high = min(high, OLD_AGE - 1)
    with np.errstate(invalid="ignore"):  # NaN: no bound
        misfit = (snap.lookups.min_age > high) | (snap.lookups.max_age < low)
    return np.where(misfit, AGE_MISFIT, 1.0) if misfit.any() else None


def score(
    snap: Snapshot, query: QueryTerms, understood: Understood
) -> tuple[np.ndarray, np.ndarray]:
    """Every document's score, and the live documents that match.

    A sentence's needs choose its listings; only a listing its other words describe well
    ("a class for my food handler card") joins without meeting a need. Listings for ages
    the query does not name count less (``age_fit``).
    """
    sentence = understood.is_sentence_query
    by_terms = query.need_scores(snap)
    by_need_words = snap.collection.score(query.need_words)
    n_words = len(query.words)
    by_words, words_met = snap.collection.score_and_count(query.clauses[:n_words])
    by_words += snap.collection.score(query.clauses[n_words:])
    scores = by_words + by_terms + by_need_words
    matched = (scores > 0) & snap.live
    # The listings tagged for the needs, or (a directory that tags none of them) those
    # whose text names them.
    for_needs = by_terms > 0 if (by_terms > 0).any() else by_need_words > 0
    if sentence and for_needs.any():
        described = (by_words >= WORDS_ALONE * by_words.max()) & (words_met >= 2)
        matched &= for_needs | described
    if understood.age is None and (fit := age_fit(snap, understood)) is not None:
        scores = scores * fit
    return scores, matched
