"""What a search says besides its results: the crisis notice, what the query was
understood to say (removable chips), and, when nothing matched, where to turn instead.

All plain data for the API, the page and the CLI alike (``SearchResponse``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz, process

from matcher import situations
from matcher.directory import geo
from matcher.search.query import ParsedQuery
from matcher.search.request import SearchRequest
from matcher.search.snapshot import Snapshot

CountyLines = Mapping[str, Sequence[Mapping[str, Any]]] | None
NEAREST = 4
MIN_SIMILARITY = 62
HOURS_ES = {"24/7": "24 horas, todos los días"}


def _line(line: situations.Line, locale: str) -> dict[str, Any]:
    spanish = locale == "es"
    return {
        "name": line.name_es if spanish else line.name_en,
        "phone": line.phone,
        "text": line.text,
        "hours": HOURS_ES.get(line.hours, line.hours) if spanish else line.hours,
        "languages": [code for code in line.languages if code != "interpreters"],
        "interpreters": "interpreters" in line.languages,
        "unconfirmed": line.unconfirmed,
        "scope": line.scope,
    }


def crisis_notice(kind: str | None, locale: str, county_lines: CountyLines) -> dict | None:
    """``{"kind", "message", "lines": [...]}`` for a crisis the query describes, else None."""
    if kind is None:
        return None
    return {
        "kind": kind,
        "message": situations.message(kind, locale),
        "lines": [_line(line, locale) for line in situations.lines_for(kind, county_lines)],
    }


def help_line(locale: str, county_lines: CountyLines) -> dict[str, Any]:
    """The county's general help line (settings kind ``help``), else 211."""
    county = list((county_lines or {}).get("help", ()))
    if county:
        return _line(situations.lines_for("homeless_tonight", {"homeless_tonight": county})[0],
                     locale)
    national = [ln for ln in situations.lines_for("homeless_tonight") if ln.phone == "211"]
    return _line(national[0], locale) if national else {"name": "211", "phone": "211"}


def understood_dict(
    parsed: ParsedQuery, request: SearchRequest, place: geo.Place | None
) -> dict[str, Any]:
    """The chips: each need, the age and the place the search used, with the ``drop``
    value that removes it; plus the crisis kind and the words searched as keywords."""
    understood = parsed.understood
    chips = [
        {"kind": "need", "key": n.key, "label": n.label(request.locale), "drop": f"need:{n.key}"}
        for n in understood.needs
    ]
    if understood.age is not None:
        chips.append({"kind": "age", "value": understood.age, "drop": "age"})
    if place is not None and request.near is None:
        chips.append({"kind": "place", "label": place.label, "drop": "place"})
    return {
        "needs": [
            {"key": n.key, "label": n.label(request.locale), "source": n.source}
            for n in understood.needs
        ],
        "age": understood.age,
        "crisis": understood.crisis,
        "keywords": list(parsed.words),
        "chips": chips,
        "dropped": sorted(request.drop),
    }


def nearest_categories(
    snap: Snapshot, parsed: ParsedQuery, locale: str, county_lines: CountyLines
) -> dict[str, Any]:
    """When nothing matched: categories near what was asked (the needs the query named,
    else taxonomy labels closest to its words) and the county's help line."""
    position = 1 if locale == "es" else 0
    found: list[str] = []
    for need in parsed.understood.needs:
        for term, weight in need.terms:
            if weight >= 1.0 and term in snap.labels and term not in found:
                found.append(term)
    if len(found) < NEAREST and parsed.words:
        choices = {term: labels[position] for term, labels in snap.labels.items()}
        for _label, _score, term in process.extract(
            " ".join(parsed.words), choices, scorer=fuzz.WRatio,
            score_cutoff=MIN_SIMILARITY, limit=NEAREST * 2,
        ):
            if term not in found:
                found.append(term)
    live = [t for t in found if len(snap.lookups.by_cat.get(t, ())) > 0][:NEAREST]
    return {
        "categories": [{"id": t, "name": snap.labels[t][position]} for t in live],
        "help_line": help_line(locale, county_lines),
    }
