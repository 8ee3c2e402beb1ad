"""Build ``matcher/core/data/words-{en,es}.txt.gz``: the words of English and Spanish
that spelling correction must never "correct" (see matcher/core/dictionary.py).

Sources (installed only to run this script, never at run time):

* ``wamerican`` (/usr/share/dict/american-english, SCOWL-derived) and ``wspanish``
  (/usr/share/dict/spanish, public domain): spelling dictionaries, mostly lemmas;
* the bundled frequency lists of the ``wordfreq`` package (pip), for the inflected forms
  people actually write ("quiero", "hizo", "descompuso", "gatito") that a lemma list and
  Snowball stems miss. A frequency list also holds common misspellings, so a word is
  taken only when it is frequent enough (``MIN_ZIPF``) and is not a rarer sound-alike or
  one-edit neighbour of a much more frequent word ("nesecito" next to "necesito",
  "kiero" next to "quiero").

Each output line is a folded word, then the Snowball stems of the dictionary words
(lines starting with ``~``), so inflected forms of listed lemmas count as known. Run:

    apt-get install -y wamerican wspanish && pip install wordfreq==3.1.1 \
        && .venv/bin/python scripts/build_wordlist.py
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from matcher.core.dictionary import stem_word
from matcher.core.text import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "matcher" / "core" / "data"
SOURCES = {"en": Path("/usr/share/dict/american-english"), "es": Path("/usr/share/dict/spanish")}
MIN_ZIPF = 2.5  # about one word in 3 million
SURE_ZIPF = 3.5  # frequent enough to be a word whatever its neighbours
MISSPELLING_GAP = 1.5  # a neighbour this much more frequent (x30) makes a word a typo
_SOUNDS = (("ll", "y"), ("qu", "k"), ("c", "k"), ("z", "s"), ("v", "b"), ("h", ""), ("rr", "r"))
_WORD = re.compile(r"[a-z]+")


def _sound(word: str) -> str:
    """A Spanish/English sound-alike key: 'kiero' ~ 'quiero', 'aseguransa' ~ 'aseguranza'."""
    for a, b in _SOUNDS:
        word = word.replace(a, b)
    return word


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


def frequent_words(lang: str) -> set[str]:
    """Folded words of ``lang``'s wordfreq list at ``MIN_ZIPF`` or more, typos left out."""
    from wordfreq import iter_wordlist, zipf_frequency

    zipf: dict[str, float] = {}
    for raw in iter_wordlist(lang):
        z = zipf_frequency(raw, lang)
        if z < MIN_ZIPF - MISSPELLING_GAP:
            break
        word = fold(raw)
        if _WORD.fullmatch(word) and len(word) >= 2:
            zipf[word] = max(z, zipf.get(word, 0.0))
    by_key: dict[str, float] = {}
    for word, z in zipf.items():
        for key in _deletes(word) | {"~" + _sound(word)}:
            by_key[key] = max(by_key.get(key, 0.0), z)
    kept = set()
    for word, z in zipf.items():
        if z < MIN_ZIPF:
            continue
        if z < SURE_ZIPF:
            near = max(
                (by_key.get(k, 0.0) for k in _deletes(word) | {"~" + _sound(word)}), default=0.0
            )
            if near >= z + MISSPELLING_GAP:
                continue
        kept.add(word)
    return kept


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, source in SOURCES.items():
        words = set()
        for line in source.read_text(encoding="utf-8", errors="ignore").splitlines():
            word = fold(line.strip().split("'")[0])
            if word.isalpha() and len(word) >= 2:
                words.add(word)
        stems = {"~" + stem_word(lang, w) for w in words}
        frequent = frequent_words(lang) - words
        lines = sorted(words | frequent) + sorted(stems)
        with gzip.open(OUT / f"words-{lang}.txt.gz", "wt", encoding="utf-8", compresslevel=9) as f:
            f.write("\n".join(lines) + "\n")
        print(f"{lang}: {len(words)} dictionary words, {len(frequent)} more in use, "
              f"{len(stems)} stems")


if __name__ == "__main__":
    main()
