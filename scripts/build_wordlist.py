"""Build ``matcher/core/data/words-{en,es}.txt.gz``: the words of English and Spanish
that spelling correction must never "correct" (see matcher/core/dictionary.py).

Source word lists (Debian packages, installed only to run this script):
``wamerican`` (/usr/share/dict/american-english, SCOWL-derived) and ``wspanish``
(/usr/share/dict/spanish, public domain). Each output line is a folded word; the Spanish
file also lists the Snowball stems of its words, so inflected forms ("hijos", "golpeó")
count as known although the list holds mostly lemmas. Run:

    apt-get install -y wamerican wspanish && .venv/bin/python scripts/build_wordlist.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

from matcher.core.dictionary import stem_word
from matcher.core.text import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "matcher" / "core" / "data"
SOURCES = {"en": Path("/usr/share/dict/american-english"), "es": Path("/usr/share/dict/spanish")}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, source in SOURCES.items():
        words = set()
        for line in source.read_text(encoding="utf-8", errors="ignore").splitlines():
            word = fold(line.strip().split("'")[0])
            if word.isalpha() and len(word) >= 2:
                words.add(word)
        stems = {"~" + stem_word(lang, w) for w in words}
        lines = sorted(words) + sorted(stems)
        with gzip.open(OUT / f"words-{lang}.txt.gz", "wt", encoding="utf-8", compresslevel=9) as f:
            f.write("\n".join(lines) + "\n")
        print(f"{lang}: {len(words)} words, {len(stems)} stems")


if __name__ == "__main__":
    main()
