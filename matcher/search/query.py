"""Query understanding, with no I/O: words, typo correction, places, taxonomy expansion.

Any input is accepted: the text is cut to ``MAX_QUERY_CHARS``, reduced to folded
word tokens (so quotes, ``AND OR *`` and emoji are just ignored), and never
handed to a query-syntax parser.

* Typos: a word missing from the index vocabulary is replaced by the closest
  vocabulary word (optimal string alignment distance 1 for words of up to 5
  letters, else 2; ties go to the word more listings use), and the corrected
  query is offered as "Did you mean". A correction that is only another form
  of the same word ("hijo" for "hijos") is not made: both search alike.
* Places: a trailing place ("comida en salinas") becomes the location when none
  was given (``matcher.directory.place_query``).
* Cross-language: a query whose stems contain every stem of a taxonomy label or
  alias, in English or Spanish, is expanded to that term, so "despensa" finds
  listings tagged Food Pantry even when they are written only in English.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from rapidfuzz import process
from rapidfuzz.distance import OSA

from matcher.core import dictionary
from matcher.core.text import fold, words
from matcher.directory import geo
from matcher.directory.geo import _STRONG_PREPOSITIONS, _WEAK_PREPOSITIONS
from matcher.directory.place_query import find_place_in_query
from matcher.models import WEEKDAYS
from matcher.search.analysis import LANGUAGES, language_analyzer, stopwords, terms
from matcher.search.curation import StaffPhrase
from matcher.search.understanding import Understood, understand_query

MAX_QUERY_CHARS = 500
MAX_WORDS = 12
MIN_CORRECTABLE = 4
MAX_COMPLETED = 4  # a real word this short may be completed by spelling correction
MAX_EXPANSIONS = 8
PLACE_PREPOSITIONS = frozenset(_STRONG_PREPOSITIONS)  # "in Edison" means the town


@dataclass(frozen=True)
class Vocabulary:
    """Folded index words with the number of listings using each."""

    freq: Mapping[str, int]
    by_length: Mapping[int, tuple[str, ...]]

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> Vocabulary:
        by_length: dict[int, list[str]] = {}
        for word in counts:
            by_length.setdefault(len(word), []).append(word)
        return cls(dict(counts), {n: tuple(ws) for n, ws in by_length.items()})

    def __contains__(self, word: str) -> bool:
        return word in self.freq

    def correct(self, word: str) -> str | None:
        """The closest known word, or None when nothing is close enough."""
        cutoff = 1 if len(word) <= 5 else 2
        best: tuple[int, int, str] | None = None
        for size in range(len(word) - cutoff, len(word) + cutoff + 1):
            choices = self.by_length.get(size)
            if not choices:
                continue
            for match, dist, _i in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=cutoff, limit=5
            ):
                rank = (int(dist), -self.freq.get(match, 0), match)
                if best is None or rank < best:
                    best = rank
        return best[2] if best else None


@dataclass(frozen=True)
class TaxonomyPhrase:
    """A taxonomy label or alias as stems of its language: 'despensa' -> ('despens',)."""

    term_id: str
    lang: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    vocabulary: Vocabulary
    phrases: tuple[TaxonomyPhrase, ...]
    parents: Mapping[str, str | None] = field(default_factory=dict)  # term id -> parent id
    # Words of needs and services (taxonomy labels and aliases, the glossary, language
    # names): the only query words a search log may keep, so no name is ever stored.
    need_words: frozenset[str] = frozenset()
    # Taxonomy code -> the ids of its terms (an imported taxonomy may repeat a code).
    code_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors(self, term_id: str) -> set[str]:
        found: set[str] = set()
        parent = self.parents.get(term_id)
        while parent and parent not in found:
            found.add(parent)
            parent = self.parents.get(parent)
        return found


@dataclass(frozen=True)
class Expansion:
    """A taxonomy term the query names: ``share`` of the query's stems its best label
    or alias covers; ``stems`` are that label's, so expansions with the same stems
    are one concept (the taxonomy repeats "Food Benefits" under three parents)."""

    term_id: str
    share: float
    stems: frozenset[str]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]
    suggestion: str | None = None
    place: geo.Place | None = None
    expansions: tuple[Expansion, ...] = ()
    understood: Understood = field(default_factory=Understood)

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.expansions


_TYPED_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def as_typed(text: str, word: str) -> str:
    """``word`` (folded) as the user wrote it in ``text``: 'ninos' -> 'niños'."""
    for token in _TYPED_WORD.findall(text):
        if words(token) == [word]:
            return token
    return word


def _is_stop_word(word: str) -> bool:
    """Stop words of either language are dropped from the search: never "correct" one."""
    return word in stopwords("en") or word in stopwords("es")


def _same_stem(word: str, other: str) -> bool:
    """True when the two words search alike in English or Spanish ("hijo", "hijos"):
    replacing one by the other would change nothing but the wording shown back."""
    for lang in LANGUAGES:
        stems = terms(language_analyzer(lang), word)
        if stems and stems == terms(language_analyzer(lang), other):
            return True
    return False


def _correct(
    text: str,
    vocabulary: Vocabulary,
    protected: frozenset[str] = frozenset(),
    fixes: Mapping[str, str] | None = None,
) -> tuple[str, bool]:
    """The text with unknown words replaced by known ones; True when anything changed.

    ``fixes`` are the typos query understanding already read as lexicon words
    ("dentsit" -> "dentist"): they are replaced first. Otherwise a word is left as typed
    when it is a real word of English or Spanish (bundled word lists with their
    inflections, not only the index vocabulary: "saying" is never "paying", "quiero"
    never "numero"), when the situations lexicon recognised it, or when its correction
    is only another form of it.
    """
    changed = False
    out = []
    for token in text.split():
        parts = words(token)
        if len(parts) != 1:
            out.append(token)
            continue
        word = parts[0]
        if fixes and word in fixes:
            changed = True
            out.append(fixes[word])
            continue
        if (
            len(word) >= MIN_CORRECTABLE
            and not word.isdigit()
            and word not in vocabulary
            and word not in protected
            and not _is_stop_word(word)
        ):
            fixed = vocabulary.correct(word)
            # A real word is never swapped for another; a short one may be completed
            # ("lgbt" -> "lgbtq"), a longer one is a word of its own ("cheque", "chequeo").
            if fixed and dictionary.is_word(word) and not (
                fixed.startswith(word) and len(word) <= MAX_COMPLETED
            ):
                fixed = None
            if fixed and fixed != word and not _same_stem(word, fixed):
                changed = True
                out.append(fixed)
                continue
        out.append(token)
    return " ".join(out), changed


def _expansions(query_words: tuple[str, ...], lexicon: Lexicon) -> tuple[Expansion, ...]:
    """The taxonomy terms whose label or alias the query contains, best share first.

    When both a term and one of its ancestors match ("despensa de comida": Food
    Pantry and Food), only the more specific term is kept.
    """
    stems = {lang: set(terms(language_analyzer(lang), " ".join(query_words))) for lang in LANGUAGES}
    content = max(len(stems["en"]), len(stems["es"]), 1)
    found: dict[str, Expansion] = {}
    for phrase in lexicon.phrases:
        if set(phrase.stems) <= stems[phrase.lang]:
            share = min(len(phrase.stems) / content, 1.0)
            if phrase.term_id not in found or share > found[phrase.term_id].share:
                found[phrase.term_id] = Expansion(phrase.term_id, share, frozenset(phrase.stems))
    broader = {a for term_id in found for a in lexicon.ancestors(term_id)}
    kept = [e for t, e in found.items() if t not in broader]
    return tuple(sorted(kept, key=lambda e: (-e.share, e.term_id))[:MAX_EXPANSIONS])


def _place_meant(original: str, rest: str) -> bool:
    """False when the words taken as a place are words of a need the sentence names and
    no preposition introduced them ("Edison sent a final notice": the utility, not the
    town of Edison); "en Soledad", "in Edison" stay places."""
    taken = Counter(words(original)) - Counter(words(rest))
    if not taken or any(w in PLACE_PREPOSITIONS for w in taken):
        return True
    return not set(taken) - _WEAK_PREPOSITIONS <= understand_query(original, "en").protected


def _keyword_text(original: str, understood: Understood) -> str:
    """The typed tokens whose words still search as keywords (all of a short query)."""
    keep = set(understood.keywords)
    return " ".join(t for t in original.split() if any(w in keep for w in words(t)))


def parse(
    text: str | None,
    lexicon: Lexicon,
    *,
    find_place: bool = True,
    locale: str = "en",
    staff: tuple[StaffPhrase, ...] = (),
    drop: frozenset[str] = frozenset(),
) -> ParsedQuery:
    """Understand a free-text query; never raises on any string."""
    original = " ".join((text or "")[:MAX_QUERY_CHARS].split())
    look_for_place = find_place and "place" not in drop
    # The place first, on the words as typed: "en Soledad" needs its "en", which
    # sentence understanding would drop as filler.
    place, searched = find_place_in_query(original) if look_for_place else (None, original)
    if place is not None and not _place_meant(original, searched):
        place, searched = None, original
    understood = understand_query(searched, locale, staff, drop, lexicon.code_ids)
    keyword_text = _keyword_text(searched, understood)
    fixes = understood.corrections
    corrected, changed = _correct(keyword_text, lexicon.vocabulary, understood.protected, fixes)
    remaining = corrected
    if place is None and look_for_place and corrected:  # a place typed with a typo
        place, remaining = find_place_in_query(corrected)
        if place is not None and not _place_meant(corrected, remaining):
            place, remaining = None, corrected
    # Stop words of either language carry no meaning here ("for", "de", "para", "or").
    query_words = tuple(w for w in words(remaining) if not _is_stop_word(w))[:MAX_WORDS]
    return ParsedQuery(
        text=original,
        words=query_words,
        suggestion=_correct(original, lexicon.vocabulary, understood.protected, fixes)[0]
        if changed
        else None,
        place=place,
        expansions=_expansions(query_words, lexicon) if query_words else (),
        understood=understood,
    )


# --- "open" filter -------------------------------------------------------------------

_DAY_NAMES = {
    **{code.lower(): code for code in WEEKDAYS},
    **dict(
        zip(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            WEEKDAYS,
            strict=True,
        )
    ),
    **dict(
        zip(
            ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"),
            WEEKDAYS,
            strict=True,
        )
    ),
    **dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), WEEKDAYS, strict=True)),
}
_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


@dataclass(frozen=True)
class OpenSpec:
    """When a service must be open: at a day and time, on a day, evenings or weekends."""

    kind: str  # 'at', 'day', 'evenings', 'weekends'
    day: str | None = None
    moment: time | None = None


def _parse_time(text: str) -> time | None:
    match = _TIME_RE.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    elif match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_open(text: str, now: datetime) -> OpenSpec:
    """'now', 'evenings', 'weekends', a day ('saturday', 'sábado', 'SA') with an optional
    time ('saturday 10:00', 'sa@2pm'). Raises ValueError with a message for users."""
    key = fold(text).strip().replace("@", " ")
    if key in ("now", "ahora", "open now", "abierto ahora"):
        return OpenSpec("at", WEEKDAYS[now.weekday()], now.time().replace(second=0, microsecond=0))
    if key in ("evening", "evenings", "noche", "noches", "tarde", "tardes"):
        return OpenSpec("evenings")
    if key in ("weekend", "weekends", "fin de semana", "fines de semana"):
        return OpenSpec("weekends")
    parts = key.split(None, 1)
    day = _DAY_NAMES.get(parts[0].rstrip("s")) or _DAY_NAMES.get(parts[0]) if parts else None
    if day is None:
        raise ValueError(
            "open must be 'now', 'evenings', 'weekends' or a day such as 'saturday 10:00'."
        )
    if len(parts) == 1:
        return OpenSpec("day", day)
    moment = _parse_time(parts[1])
    if moment is None:
        raise ValueError(f"'{parts[1]}' is not a time of day such as 10:00 or 6pm.")
    return OpenSpec("at", day, moment)
