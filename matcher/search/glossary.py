"""Word-level English <-> Spanish translation of queries, offline, from ``glossary.tsv``.

The taxonomy's bilingual labels and aliases carry most cross-language matching, but
only for the words they use. A family liaison's everyday words ("abrigos", "nietos",
"lentes") reach listings written only in the other language through this glossary.
Entries are keyed by stem in their own language, so "abrigo" and "abrigos" both find
"coat"; a query word is looked up both ways because its language is unknown.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from matcher.core.text import words
from matcher.search.analysis import LANGUAGES, analyzed

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")
OTHER = {"es": "en", "en": "es"}


@cache
def _entries(path: Path = GLOSSARY_FILE) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(Spanish words, English words) per line, folded."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            spanish, english = line.split("\t")
        except ValueError:
            message = f"{path.name} line {number}: expected two tab-separated columns"
            raise ValueError(message) from None
        entries.append(
            (
                tuple(w for s in spanish.split("|") for w in words(s)),
                tuple(w for s in english.split("|") for w in words(s)),
            )
        )
    return tuple(entries)


@cache
def _by_stem() -> dict[str, dict[str, frozenset[str]]]:
    """lang -> stem of a word in that language -> stems of its translations."""
    table: dict[str, dict[str, set[str]]] = {lang: {} for lang in LANGUAGES}
    for spanish, english in _entries():
        sides = {"es": spanish, "en": english}
        for lang in LANGUAGES:
            targets = {s for w in sides[OTHER[lang]] for s in analyzed(OTHER[lang], w)}
            for word in sides[lang]:
                for stem in analyzed(lang, word):
                    table[lang].setdefault(stem, set()).update(targets)
    return {lang: {k: frozenset(v) for k, v in t.items()} for lang, t in table.items()}


def translations(word: str) -> list[tuple[str, str]]:
    """(language, stem) pairs the folded query ``word`` translates to, in a fixed order."""
    found: dict[tuple[str, str], None] = {}
    for lang in LANGUAGES:
        for stem in analyzed(lang, word):
            for target in sorted(_by_stem()[lang].get(stem, ())):
                found[(OTHER[lang], target)] = None
    return list(found)


def known_words() -> set[str]:
    """Every glossary word: spelling correction must not turn one into another word."""
    return {w for spanish, english in _entries() for w in (*spanish, *english)}
