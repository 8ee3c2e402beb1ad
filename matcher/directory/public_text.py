"""What families may read of a listing: internal verification notes removed, phones
labelled by kind so each label can be shown in the family's language.

Compiled directories carry notes for the people who keep them ("purpose not stated in
source, verify", "(per source)"). They are for staff: public pages, handouts and text
messages show the listing without them. Phone descriptions are free English text, so
a phone is shown with the label of its kind (main line, 24-hour hotline, TTY...),
translated by the interface, never with the English text in a Spanish handout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from matcher.core.text import fold

_MARKER = (
    r"verify|unverified|compiler|"
    r"(?:per|according to|from|in|listed in|not in) (?:the |our |a |an )?(?:\w+ )?sources?|"
    r"not (?:stated|given|confirmed|specified)"
)
_INTERNAL = re.compile(rf"\b(?:{_MARKER})\b", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)")
_SOURCE_PHRASE = re.compile(r",?\s*\b(?:per source|according to the source)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


def public_text(text: str | None) -> str | None:
    """``text`` without internal notes: parentheticals and sentences about sources or
    verification are dropped, "per source" is struck; None when nothing is left."""
    if not text:
        return text
    cleaned = _PARENTHETICAL.sub(
        lambda m: "" if _INTERNAL.search(m.group(1)) else m.group(0), text
    )
    cleaned = _SOURCE_PHRASE.sub("", cleaned)
    kept = [s for s in _SENTENCE_END.split(cleaned.strip()) if s and not _INTERNAL.search(s)]
    result = " ".join(kept).strip()
    result = re.sub(r"\s+([.,;])", r"\1", result).rstrip(";, ")
    return result or None


# Kinds in the order they are recognised: the first whose words appear wins.
PHONE_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tty", ("tty", "tdd")),
    ("fax", ("fax",)),
    ("child_abuse", ("child abuse",)),
    ("domestic_violence", ("domestic violence",)),
    ("crisis", ("988", "crisis", "suicide")),
    ("text", ("text your", "text only")),
    ("info_211", ("211",)),
    ("hotline", ("hotline",)),
    ("member", ("member",)),
    ("main", ("main", "office", "general")),
)
# Lines for one emergency only: never offered as "the number" of another service.
SINGLE_PURPOSE = frozenset({"tty", "fax", "child_abuse", "domestic_violence", "crisis", "text"})


def phone_kind(description: str | None) -> str:
    """The kind of a phone from its description; ``other`` when no kind is named."""
    folded = fold(public_text(description) or "")
    for kind, words in PHONE_KINDS:
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in words):
            return kind
    return "other"


def round_the_clock(description: str | None) -> bool:
    return bool(re.search(r"24\s*/\s*7|24[- ]hour", description or "", re.IGNORECASE))


def first_general_phone(phones: Sequence[tuple[str, str]]) -> str | None:
    """The number to give for a service: the first that is not a single-purpose line."""
    for number, kind in phones:
        if kind not in SINGLE_PURPOSE:
            return number
    return phones[0][0] if phones else None
