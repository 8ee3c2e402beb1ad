"""Text analysis: one analyzer per language, plus an unstemmed folding analyzer.

English and Spanish text each go through their own stemmer. Accents are folded
*before* stemming in both languages: families type "consejeria" as often as
"consejería", and Snowball's Spanish rules stem the two differently ("consej" /
"consejeri"), so the stemmer must see the same folded word at index and query
time. The folding analyzer keeps whole words: it feeds the spelling vocabulary
and the organization, language and city fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

from matcher.core.text import fold

WORD_PATTERN = r"[^\W_]+(?:'[^\W_]+)?"
LANGUAGES = ("en", "es")


# Snowball's stop lists include words that carry the meaning of a service search:
# "after school", "out of school", "sin hogar" (homeless), "sin seguro" (uninsured),
# "antes de nacer". They are kept.
MEANINGFUL = {
    "en": frozenset(["after", "before", "during", "out", "over", "under", "against", "off"]),
    "es": frozenset(["sin", "antes", "durante", "contra"]),
}


@cache
def stopwords(lang: str) -> frozenset[str]:
    """Stop words of ``lang``, in both accented and folded form."""
    words = stopwords_for_language("english" if lang == "en" else "spanish")
    return (frozenset(words) | frozenset(fold(w) for w in words)) - MEANINGFUL[lang]


@cache
def language_analyzer(lang: str) -> Analyzer:
    """Tokenize, lower-case, drop stop words, stem and fold accents for ``lang``."""
    tokenizer = RegexTokenizer(WORD_PATTERN) | LowercaseFilter()
    stop = StopFilter(stoplist=stopwords(lang), minsize=1)
    folding = CharsetFilter(accent_map)
    return tokenizer | folding | stop | StemFilter(lang=lang, cachesize=50000)


@cache
def folding_analyzer() -> Analyzer:
    """Whole words, lower-cased and accent-folded: 'Clínica' -> 'clinica'."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def terms(analyzer: Analyzer, text: str) -> list[str]:
    """The index terms ``analyzer`` makes of ``text``."""
    return [token.text for token in analyzer(text)]


_WORDS = re.compile(WORD_PATTERN)


@cache
def _stemmer(lang: str) -> Callable[[str], str]:
    return lru_cache(maxsize=50_000)(stemmer_for_language(lang))


@lru_cache(maxsize=20_000)
def analyzed(kind: str, text: str) -> tuple[str, ...]:
    """The terms ``language_analyzer(kind)`` ('en', 'es') or ``folding_analyzer()``
    ('fold') make of ``text``, for indexing.

    The same steps without Whoosh's generator-per-filter chain, which took most of a
    full rebuild (a test checks that both agree), and cached: a rebuild meets the same
    names, category labels, aliases, cities and language names over and over.
    """
    folded = [word.lower().translate(accent_map) for word in _WORDS.findall(text)]
    if kind == "fold":
        return tuple(folded)
    stop, stem = stopwords(kind), _stemmer(kind)
    return tuple(stem(word) for word in folded if word and word not in stop)


# Short function words that are frequent in one language and absent from the other.
_MARKERS = {
    "en": frozenset(
        [
            "the",
            "and",
            "for",
            "with",
            "of",
            "to",
            "is",
            "are",
            "you",
            "your",
            "who",
            "this",
            "that",
            "from",
            "or",
            "at",
            "on",
            "by",
            "an",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "del",
            "y",
            "para",
            "con",
            "que",
            "por",
            "una",
            "un",
            "es",
            "su",
            "sus",
            "en",
            "se",
            "al",
            "o",
        ]
    ),
}


def guess_language(text: str) -> str | None:
    """'en' or 'es' when a text's function words clearly say so, else None.

    Reliable on a sentence or more (listing descriptions); a two-word name has too
    few function words and gets None, so it is indexed both ways.
    """
    counts = {lang: 0 for lang in LANGUAGES}
    # ASCII text folds to its lower case: skip the Unicode pass (most English listings).
    for word in (text.lower() if text.isascii() else fold(text)).split():
        for lang, markers in _MARKERS.items():
            counts[lang] += word.strip(".,;:()\"'") in markers
    en, es = counts["en"], counts["es"]
    if en + es < 3:
        return None
    if en >= 3 * es:
        return "en"
    if es >= 3 * en:
        return "es"
    return None


@lru_cache(maxsize=50_000)
def stems(text: str) -> frozenset[str]:
    """Every English and Spanish stem of ``text``: to match query words in snippets."""
    found: set[str] = set()
    for lang in LANGUAGES:
        found.update(terms(language_analyzer(lang), text))
    return frozenset(found)
