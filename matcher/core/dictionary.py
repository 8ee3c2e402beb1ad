"""Which words are real words of English or Spanish, so that spelling correction never
turns one into another ("saying" -> "paying", "beat" -> "eat", "cuñada" -> "cada").

Used by search and by crisis detection. The lists are bundled data
(``data/words-*.txt.gz``, built by scripts/build_wordlist.py
from public word lists; see data/SOURCES.md). The Spanish list holds mostly lemmas, so
a word also counts as known when its Snowball stem is a stem of a listed word ("hijos",
"golpeó"). Loaded once per process, on first use.
"""

from __future__ import annotations

import gzip
from functools import cache, lru_cache
from pathlib import Path

from whoosh.lang import stemmer_for_language

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("en", "es")


@cache
def _stemmer(lang: str):
    return lru_cache(maxsize=50_000)(stemmer_for_language(lang))


def stem_word(lang: str, word: str) -> str:
    """The Snowball stem of one folded word, as search indexes it."""
    return _stemmer(lang)(word)


@cache
def _entries(lang: str) -> frozenset[str]:
    with gzip.open(DATA / f"words-{lang}.txt.gz", "rt", encoding="utf-8") as f:
        return frozenset(line.rstrip("\n") for line in f if line.strip())


def is_word(word: str) -> bool:
    """True when the folded ``word`` is a word (or an inflection of one) in either language."""
    for lang in LANGS:
        entries = _entries(lang)
        if word in entries or "~" + stem_word(lang, word) in entries:
            return True
    return False
