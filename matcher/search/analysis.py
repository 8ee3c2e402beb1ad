"""Text analysis: one analyzer per language, plus an unstemmed folding analyzer.

English and Spanish text each go through their own stemmer. Accents are folded
*before* stemming in both languages: families type "consejeria" as often as
"consejería", and Snowball's Spanish rules stem the two differently ("consej" /
"consejeri"), so the stemmer must see the same folded word at index and query
time. The folding analyzer keeps whole words: it feeds the spelling vocabulary
and the organization, language and city fields.
"""

from __future__ import annotations

from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from matcher.text import fold

WORD_PATTERN = r"[^\W_]+(?:'[^\W_]+)?"
LANGUAGES = ("en", "es")


@cache
def stopwords(lang: str) -> frozenset[str]:
    """Stop words of ``lang``, in both accented and folded form."""
    words = stopwords_for_language("english" if lang == "en" else "spanish")
    return frozenset(words) | frozenset(fold(w) for w in words)


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


def stems(text: str) -> set[str]:
    """Every English and Spanish stem of ``text``: to match query words in snippets."""
    found: set[str] = set()
    for lang in LANGUAGES:
        found.update(terms(language_analyzer(lang), text))
    return found
