"""Text normalisation shared by search, matching and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[0-9a-z]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Consejería' -> 'consejeria', 'Niño' -> 'nino'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens of ``text`` (letters and digits only)."""
    return _WORD_RE.findall(fold(text))


def clip(text: str | None, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters on a word boundary, with an ellipsis."""
    if not text or len(text) <= limit:
        return text or ""
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;: ") + "…"
