"""Text normalisation shared by search, matching and duplicate detection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")

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


def unique_by(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """``items`` in order, keeping the first of those with the same ``key``."""
    seen: set[Hashable] = set()
    kept = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            kept.append(item)
    return kept
