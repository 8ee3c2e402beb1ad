"""One-edit spelling tolerance for crisis and need vocabulary, never for real words.

"suisidar", "bruses", "pastilas" are what people type in a hurry; "suerte" (luck) is one
edit from "muerte" but is a real word and must stay itself. So a typed word is corrected
only when it is 5+ letters, unknown to the concept lexicon, not in the list of real
English/Spanish words that sit one edit from crisis vocabulary (data/near_words.txt,
derived from public word lists, see data/SOURCES.md), and exactly one edit from a
crisis word (substitution, insertion, deletion or swap of two neighbours).
"""

from __future__ import annotations

import functools

from matcher.core import dictionary
from matcher.situations.lexicon import DATA, concepts, phrases

MIN_LEN = 5
# Concepts whose words are context or negative evidence: typos there are not corrected.
_NOT_FUZZED = {
    "die_idiom_next", "live_block", "neg", "refl_es", "victim_me", "we", "place",
    "noplace_neg", "to_sleep", "amount", "first_es", "third_es", "life",
    # context words of the rules: a typo is never turned into one of them
    "traffic", "here_next", "thing_next", "condition", "question", "family3", "ask_place",
    "past_mark", "lives_with", "wherever", "can", "tie_to", "lock_block", "compound_next",
    "hope", "go_be", "forever", "wake_block", "someday", "chores", "learn", "fiction",
    "travel", "color_cause", "head", "point", "leverage", "threaten_act", "got", "escape",
    "infant", "front", "mishap", "do_verb", "thing_euph",
}


_PHON = (("ll", "y"), ("ce", "se"), ("ci", "si"), ("z", "s"), ("v", "b"), ("qu", "k"),
         ("c", "k"), ("rr", "r"), ("ss", "s"), ("ee", "e"), ("oo", "o"))


def phonetic(word: str) -> str:
    """Spanish sound-alike key: 'pastiyas' and 'pastillas', 'matarce' and 'matarse' agree."""
    w = word.replace("ch", "\x01").replace("h", "").replace("\x01", "ch")
    for a, b in _PHON:
        w = w.replace(a, b)
    return w


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance <= 1 (adjacent swaps count as one edit)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    return a in _deletes(b)


@functools.cache
def _index() -> tuple[dict[str, set[str]], frozenset[str], frozenset[str], dict[str, set[str]]]:
    lex = concepts()
    vocab = {w for w, cs in lex.exact.items()
             if len(w) >= MIN_LEN and not cs <= _NOT_FUZZED
             and not all(c.endswith("_block") for c in cs)}
    # words of the need phrases too ("aseguransa", "dentsta"), same real-word guard
    vocab |= {t for p in phrases() for t in p.pattern
              if len(t) >= MIN_LEN and t.isalpha() and t not in lex.exact}
    index: dict[str, set[str]] = {}
    for v in vocab:
        for key in _deletes(v) | {v}:
            index.setdefault(key, set()).add(v)
    real = set()
    path = DATA / "near_words.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            real.add(line.strip())
    prefixes = frozenset(p for p, _ in lex.prefixes if len(p) >= MIN_LEN)
    sounds: dict[str, set[str]] = {}
    for v in vocab:
        sounds.setdefault(phonetic(v), set()).add(v)
    return index, frozenset(real), prefixes, sounds


@functools.cache
def _phrase_words() -> frozenset[str]:
    return frozenset(t for p in phrases() for t in p.pattern if not t.startswith("@"))


@functools.lru_cache(maxsize=65536)
def correct(word: str) -> str:
    """The crisis word ``word`` was meant to be, or ``word`` itself."""
    if len(word) < MIN_LEN or "'" in word:
        return word
    lex = concepts()
    if word in lex.exact or lex.of(word) or word in _phrase_words():
        return word
    index, real, prefixes, sounds = _index()
    if word in real or dictionary.is_word(word):  # "subsidiado" is a word, not "suicidio"
        return word
    alike = sounds.get(phonetic(word), set())
    if len(alike) == 1:
        return next(iter(alike))
    found = set()
    for key in _deletes(word) | {word}:
        for v in index.get(key, ()):
            if within_one_edit(word, v):
                found.add(v)
    if len(found) == 1 or (found and frozenset.intersection(*(lex.of(v) for v in found))):
        return min(found)  # one word, or words of one family ("sexualy": sexual, sexually)
    if not found:
        for p in prefixes:  # suisidarse -> suicid*
            for k in (len(p) - 1, len(p), len(p) + 1):
                if within_one_edit(word[:k], p):
                    return p + word[k:]
    return word


def edit_index() -> dict[str, set[str]]:
    """One-deletion key -> crisis words (scripts/build_near_words.py uses it)."""
    return _index()[0]


def vocabulary() -> set[str]:
    """Crisis words that receive spelling tolerance (used to build near_words.txt)."""
    index, _, prefixes, _ = _index()
    return {v for vs in index.values() for v in vs} | {p + "*" for p in prefixes}
