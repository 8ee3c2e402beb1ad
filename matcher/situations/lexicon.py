"""Reviewed situation data (``data/*.tsv``), loaded and validated once.

Everything a family liaison's sentence is understood with lives in data files so that a
reviewer can change vocabulary without touching code: concept word families for the
crisis rules, phrases that name needs, need groups with bilingual labels, filler words.
A bad line fails loudly with its file and line number, never silently.
"""

from __future__ import annotations

import csv
import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from matcher.core.text import fold, words
from matcher.directory.taxonomy import BARRIERS_FILE, TERMS_FILE
from matcher.situations.verbs import conjugate

DATA = Path(__file__).resolve().parent / "data"

CRISIS_KINDS = (
    "overdose",
    "suicide",
    "domestic_violence",
    "child_abuse",
    "sexual_assault",
    "homeless_tonight",
)
LANGS = ("en", "es", "any")
NOT_A_NEED = "-"  # the need of a look-alike phrase: its words name no need


class LexiconError(ValueError):
    """A data line that cannot be used; the message names the file and line."""


def _rows(path: Path):
    """(line number, dict) for each non-blank, non-comment TSV row under its header."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(n, ln) for n, ln in enumerate(fh, start=1)
                 if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise LexiconError(f"{path.name}: empty file")
    header = lines[0][1].rstrip("\n").split("\t")
    for n, ln in lines[1:]:
        cells = ln.rstrip("\n").split("\t")
        if len(cells) > len(header):
            raise LexiconError(f"{path.name}:{n}: {len(cells)} columns, header has {len(header)}")
        cells += [""] * (len(header) - len(cells))
        yield n, dict(zip(header, (c.strip() for c in cells), strict=True))


@functools.cache
def taxonomy_codes() -> frozenset[str]:
    with TERMS_FILE.open(encoding="utf-8", newline="") as fh:
        return frozenset(r["code"] for r in csv.DictReader(fh))


@functools.cache
def barriers() -> dict[str, dict]:
    """Barrier rows of the reference barriers file by code."""
    with BARRIERS_FILE.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def parse_terms(cell: str, where: str) -> dict[str, float]:
    """'1184|1206:0.5' -> {'1184': 1.0, '1206': 0.5}; unknown codes are an error."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in cell.split("|"))):
        code, _, weight = part.partition(":")
        if code not in taxonomy_codes():
            raise LexiconError(f"{where}: unknown taxonomy code {code!r}")
        try:
            out[code] = float(weight) if weight else 1.0
        except ValueError:
            raise LexiconError(f"{where}: bad weight in {part!r}") from None
    return out


# --------------------------------------------------------------------------- concepts
@dataclass(frozen=True)
class Concepts:
    """Word -> concept names, plus prefix families (``suicid*``)."""

    exact: dict[str, frozenset[str]]
    prefixes: tuple[tuple[str, str], ...]  # (prefix, concept)
    _seen: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def of(self, word: str) -> frozenset[str]:
        seen = self._seen.get(word)
        if seen is not None:
            return seen
        found = self.exact.get(word, frozenset())
        extra = {c for p, c in self.prefixes if word.startswith(p)}
        found = found | extra if extra else found
        if len(self._seen) < 65536:  # bounded: typed words are unbounded
            self._seen[word] = found
        return found


@functools.cache
def concepts() -> Concepts:
    path = DATA / "concepts.tsv"
    exact: dict[str, set[str]] = {}
    prefixes: list[tuple[str, str]] = []
    for n, row in _rows(path):
        name, lang = row["concept"], row["lang"]
        if not name:
            raise LexiconError(f"{path.name}:{n}: concept name missing")
        if lang not in LANGS:
            raise LexiconError(f"{path.name}:{n}: unknown lang {lang!r}")
        for w in filter(None, (fold(x.strip()) for x in row["words"].split("|"))):
            if w.endswith("*"):
                prefixes.append((w[:-1], name))
            elif "~" in w:  # a Spanish verb family: every form (verbs.conjugate)
                try:
                    forms = conjugate(w)
                except ValueError as exc:
                    raise LexiconError(f"{path.name}:{n}: {exc}") from None
                for form in forms:
                    exact.setdefault(form, set()).add(name)
            else:
                exact.setdefault(w, set()).add(name)
    return Concepts({w: frozenset(c) for w, c in exact.items()}, tuple(prefixes))


# --------------------------------------------------------------------------- needs
@dataclass(frozen=True)
class NeedGroup:
    key: str
    label_en: str
    label_es: str
    terms: dict[str, float]
    barrier: str | None
    words: tuple[str, ...] = ()  # how listings name the need, searched as text too


@functools.cache
def need_groups() -> dict[str, NeedGroup]:
    path = DATA / "needs.tsv"
    out: dict[str, NeedGroup] = {}
    for n, row in _rows(path):
        where = f"{path.name}:{n}"
        key = row["key"]
        if not key or key in out:
            raise LexiconError(f"{where}: missing or duplicate key {key!r}")
        barrier = row.get("barrier") or None
        if barrier and barrier not in barriers():
            raise LexiconError(f"{where}: unknown barrier {barrier!r}")
        if not row["label_en"] or not row["label_es"]:
            raise LexiconError(f"{where}: both labels are required")
        listed = tuple(dict.fromkeys(w for w in words(row.get("words", "").replace("|", " "))))
        out[key] = NeedGroup(key, row["label_en"], row["label_es"],
                             parse_terms(row["terms"], where), barrier, listed)
    return out


@dataclass(frozen=True)
class Phrase:
    """One reviewed phrase: pattern tokens are words, ``pre*`` prefixes or ``@concept``."""

    lang: str
    pattern: tuple[str, ...]
    need: str | None
    terms: dict[str, float]
    barrier: str | None
    crisis: str | None
    where: str
    block: bool = False  # need "-": these words are not a need ("pet food", "ice cream")


@functools.cache
def phrases() -> tuple[Phrase, ...]:
    path = DATA / "phrases.tsv"
    groups = need_groups()
    known_concepts = {c for cs in concepts().exact.values() for c in cs} | {
        c for _, c in concepts().prefixes}
    out = []
    for n, row in _rows(path):
        where = f"{path.name}:{n}"
        if row["lang"] not in LANGS:
            raise LexiconError(f"{where}: unknown lang {row['lang']!r}")
        patterns = _patterns(row["phrase"])
        if not patterns or not all(patterns):
            raise LexiconError(f"{where}: empty phrase")
        for tok in {t for pattern in patterns for t in pattern}:
            if tok.startswith("@") and tok[1:] not in known_concepts:
                raise LexiconError(f"{where}: unknown concept {tok!r}")
        need = row.get("need") or None
        block = need == NOT_A_NEED
        if block:
            need = None
        if need and need not in groups:
            raise LexiconError(f"{where}: unknown need {need!r} (add it to needs.tsv)")
        barrier = row.get("barrier") or (groups[need].barrier if need else None)
        if barrier and barrier not in barriers():
            raise LexiconError(f"{where}: unknown barrier {barrier!r}")
        crisis = row.get("crisis") or None
        if crisis and crisis not in CRISIS_KINDS:
            raise LexiconError(f"{where}: unknown crisis kind {crisis!r}")
        if not need and not crisis and not block:
            raise LexiconError(f"{where}: a phrase needs a need, a crisis kind or '-'")
        if block and (crisis or row["terms"]):
            raise LexiconError(f"{where}: a '-' phrase names neither a crisis nor terms")
        terms = parse_terms(row["terms"], where)
        out += [Phrase(row["lang"], pattern, need, terms, barrier, crisis, where, block)
                for pattern in patterns]
    return tuple(out)


MAX_EXPANSIONS = 200


def _patterns(text: str) -> list[tuple[str, ...]]:
    """The word sequences a phrase stands for.

    ``a|b`` is one word of several ("troca|carro se descompuso"); a phrase starting with
    ``~`` matches its words in any order ("~ cortaron luz": "nos cortaron la luz", "la luz
    nos la cortaron"). Both are written once and expanded here, so matching stays a walk
    over plain word sequences.
    """
    text = text.strip()
    unordered = text.startswith("~")
    slots = [_alternatives(raw) for raw in text.lstrip("~").split()]
    slots = [s for s in slots if s]
    if not slots:
        return []
    orders = itertools.permutations(slots) if unordered else [slots]
    found = list(dict.fromkeys(
        tuple(t for part in combo for t in part)
        for order in orders for combo in itertools.product(*order)))
    if len(found) > MAX_EXPANSIONS:
        raise LexiconError(f"{text!r} stands for {len(found)} phrases; split it")
    return found


def _alternatives(raw: str) -> list[tuple[str, ...]]:
    """One slot: each alternative as its tokens ("medi-cal" is two words)."""
    out = []
    for alt in filter(None, raw.split("|")):
        if alt.startswith("@"):
            out.append((alt,))
        elif alt.endswith("*"):
            out.append(tuple(w + "*" for w in words(alt[:-1])))
        else:
            out.append(tuple(words(alt)))
    return [a for a in out if a]


@functools.cache
def filler() -> frozenset[str]:
    """Filler words of both languages (data/filler.txt), folded."""
    out = set()
    for line in (DATA / "filler.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.update(words(line))
    return frozenset(out)
