"""Places inside a free-text query: 'comida en reedley' -> (Reedley, 'comida').

A query names a place only with a real place name (or a preposition and a place
name): never with a stop word or an abbreviation that is also a word ("to" is not
an abbreviation of a town, "la" is not Los Angeles).
"""

from __future__ import annotations

import re
from functools import cache

from whoosh.lang import stopwords_for_language

from matcher.core.text import fold, words
from matcher.directory.geo import (
    _STRONG_PREPOSITIONS,
    _WEAK_PREPOSITIONS,
    COMMON_WORDS_FILE,
    Place,
    PlaceError,
    _choose,
    _known_place,
    _place_names,
    resolve_zip,
)


@cache
def _stop_words() -> frozenset[str]:
    out: set[str] = set()
    for lang in ("english", "spanish"):
        out.update(fold(w) for w in stopwords_for_language(lang))
    return frozenset(out)


@cache
def _common_words() -> frozenset[str]:
    """Place-name words that are also ordinary English or Spanish words (bundled list)."""
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _query_kind(name_key: str) -> str:
    """How a place name may be taken from a query: 'never' (stop words, abbreviations),
    'after_preposition' (a name that is also an ordinary word) or 'anywhere'."""
    tokens = name_key.split()
    stop = _stop_words()
    content = [t for t in tokens if t not in stop]
    if not content or all(len(t) <= 2 for t in content) or len(name_key) <= 2:
        return "never"
    if len(content) == 1 and content[0] in _common_words() | stop:
        return "after_preposition"
    if len(content) == 1 and content[0].isalpha() and len(content[0]) <= 3:
        return "after_preposition"
    return "anywhere"


def find_place_in_query(query: str, home_county: str | None = None) -> tuple[Place | None, str]:
    """Find a place in a free-text query: 'comida en reedley' -> (Reedley, 'comida').

    Only exact (folded) California place names or 5-digit ZIP codes are taken, longest
    names first. A name that is also an ordinary word ("orange", "soledad", "mar") is
    taken only right after "in", "near", "en", "cerca de"...; stop words and
    abbreviations ("to", "la", "de") never are. A name that is not an ordinary word wins
    over one that is ("programa en el verano en Salinas" is in Salinas, not El Verano).
    Returns the place and the query without it (the whole query when it is only a
    place, so it is still searched as text).
    """
    tokens = query.split()
    folded = [" ".join(words(t)) for t in tokens]
    names = _place_names()

    def preposition_before(start: int) -> tuple[int, bool]:
        """(index where the place phrase starts, whether a strong preposition licenses it)."""
        if start > 0 and folded[start - 1] in _STRONG_PREPOSITIONS:
            return start - 1, True
        if start > 0 and folded[start - 1] in _WEAK_PREPOSITIONS:
            if start > 1 and folded[start - 2] == "cerca":
                return start - 2, True
            return start - 1, False
        return start, False

    word_like: tuple[Place, str] | None = None  # a name that is also an ordinary word
    for size in (4, 3, 2, 1):
        if len(tokens) < size:
            continue
        for start in range(len(tokens) - size, -1, -1):
            parts = folded[start : start + size]
            if not all(parts):
                continue
            candidate = " ".join(parts)
            place: Place | None = None
            rule = "anywhere"
            before, licensed = preposition_before(start)
            if candidate in names:
                rule = _query_kind(candidate)
                if rule == "never" or (rule == "after_preposition" and not licensed):
                    continue
                place = _known_place(_choose(names[candidate], home_county))
            elif size == 1 and re.fullmatch(r"\d{5}", candidate):
                try:
                    place = resolve_zip(candidate)
                except PlaceError:
                    place = None
            if place is None:
                continue
            rest = tokens[:before] + tokens[start + size :]
            found = (place, " ".join(rest) if rest else query)  # a lone place stays text too
            if rule == "anywhere":
                return found
            word_like = word_like or found
    return word_like or (None, query)
