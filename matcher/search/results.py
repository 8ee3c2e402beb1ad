"""What a search answers: the result cards (name, organization, languages, categories,
a snippet with the matched words marked, today's hours) and the facets."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any

import numpy as np

from matcher.core.text import unique_by
from matcher.directory import hours, languages
from matcher.search.analysis import stems
from matcher.search.index import Snapshot
from matcher.search.snapshot import StoredSchedule

SNIPPET_CHARS = 220


@dataclass
class SearchResult:
    id: str
    name: str
    organization: dict[str, str]
    score: float
    distance_mi: float | None
    languages: list[dict[str, Any]]  # code, name, interpreter (offered only through one)
    taxonomy_terms: list[dict[str, str | None]]
    snippet: str  # HTML: escaped text with <mark> around matched words
    hours_today: str
    text_locale: str  # the locale name and snippet are written in (English when untranslated)
    # [lat, lon] of the location nearest the searched place (the first one without a place);
    # None for a service with no location, such as a phone line.
    point: list[float] | None = None


@dataclass
class SearchResponse:
    total: int
    page: int
    per_page: int
    suggestion: str | None
    location: dict[str, Any] | None
    facets: dict[str, list[dict[str, Any]]]
    results: list[SearchResult] = field(default_factory=list)
    # Query words that no result mentions, as typed: the results match the rest.
    unmatched_words: list[str] = field(default_factory=list)
    # A crisis the query describes: what to do now and the lines to call (None otherwise).
    crisis: dict[str, Any] | None = None
    # What the query was understood to say: needs, age, place, as removable chips.
    understood: dict[str, Any] = field(default_factory=dict)
    # When nothing matched: the nearest categories and the county's help line.
    nearest: dict[str, Any] | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)



def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _schedules(attrs: dict[str, Any]) -> list[StoredSchedule]:
    return [
        StoredSchedule(
            days=list(days),
            opens_at=_time(opens),
            closes_at=_time(closes),
            description=description,
        )
        for days, opens, closes, description in attrs["schedules"]
    ]


_WORD_RE = re.compile(r"[^\W_]+")


def snippet(text: str, query_stems: set[str], limit: int = SNIPPET_CHARS) -> str:
    """HTML: a window of ``text`` around the first matched word, matches in <mark>."""
    if not text:
        return ""
    found = [m for m in _WORD_RE.finditer(text) if query_stems & stems(m.group())]
    start = 0
    if found and found[0].end() > limit - 40:
        start = text.rfind(" ", 0, max(found[0].start() - 60, 0)) + 1
    end = len(text) if len(text) - start <= limit else text.rfind(" ", start, start + limit)
    end = end if end > start else min(len(text), start + limit)
    out, cursor = ["…" if start else ""], start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        out += [
            html.escape(text[cursor : match.start()]),
            f"<mark>{html.escape(match.group())}</mark>",
        ]
        cursor = match.end()
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)


def _written_in(attrs: dict[str, Any], locale: str) -> bool:
    """Whether the listing's name and description (if any) exist in ``locale``."""
    description = attrs["description"]
    return bool(attrs["name"].get(locale)) and bool(
        description.get(locale) or not description.get("en")
    )


def _result(
    attrs: dict[str, Any],
    score: float,
    distance: float | None,
    locale: str,
    snap: Snapshot,
    query_stems: set[str],
    now: datetime,
    near: tuple[float, float] | None = None,
) -> SearchResult:
    def local(values: dict[str, str]) -> str:
        return values.get(locale) or values.get("en") or ""

    return SearchResult(
        id=attrs["id"],
        name=local(attrs["name"]),
        organization={"id": attrs["org_id"], "name": local(attrs["org_name"])},
        score=round(score, 4),
        distance_mi=round(distance, 1) if distance is not None else None,
        languages=[
            {
                "code": c,
                "name": languages.name(c, locale),
                "interpreter": c in attrs.get("interpreted", ()),  # older indexes lack it
            }
            for c in attrs["langs"]
        ],
        taxonomy_terms=unique_by(  # each category once: a term and its copy share a label
            (
                {"id": tid, "code": code, "label": es if locale == "es" else en}
                for tid, code, en, es in attrs["terms"]
            ),
            lambda term: (term["label"] or "").casefold(),
        ),
        snippet=snippet(local(attrs["description"]), query_stems),
        hours_today=hours.todays_hours(_schedules(attrs), locale, now),
        text_locale=locale if _written_in(attrs, locale) else "en",
        point=_nearest_point(attrs["points"], near),
    )


def _nearest_point(
    points: list[tuple[float, float]], near: tuple[float, float] | None
) -> list[float] | None:
    if not points:
        return None
    if near is None:
        return list(points[0])
    x_factor = np.cos(np.radians(near[0]))
    return list(
        min(points, key=lambda p: (p[0] - near[0]) ** 2 + ((p[1] - near[1]) * x_factor) ** 2)
    )


def _facets(snap: Snapshot, matched: np.ndarray, locale: str) -> dict[str, list[dict[str, Any]]]:
    counts = {
        key: n
        for key, docs in snap.lookups.facet_docs.items()
        if (n := int(np.count_nonzero(matched[docs])))
    }
    cats = {key[2:]: n for key, n in counts.items() if key.startswith("c:")}
    langs = {key[2:]: n for key, n in counts.items() if key.startswith("l:")}
    position = 1 if locale == "es" else 0
    category = [
        {"id": tid, "label": snap.labels.get(tid, (tid, tid))[position], "count": n}
        for tid, n in cats.items()
    ]
    language = [
        {"code": c, "label": languages.name(c, locale), "count": n} for c, n in langs.items()
    ]
    category.sort(key=lambda f: (-f["count"], f["label"]))
    language.sort(key=lambda f: (-f["count"], f["label"]))
    return {"category": category, "language": language, "county": _county_facet(snap, matched)}


def _county_facet(snap: Snapshot, matched: np.ndarray) -> list[dict[str, Any]]:
    """Per county with listings of its own: the matched listings in or serving it (state
    and nationwide ones count in every county), what the ``county`` filter returns."""
    wide = np.zeros(len(matched), dtype=bool)
    wide[snap.lookups.wide] = True
    wide &= matched
    found = []
    for name, docs in snap.lookups.by_county.items():
        own = matched[docs]
        if not own.any():
            continue
        served = wide.copy()
        served[docs[own]] = True
        found.append({"name": name, "count": int(np.count_nonzero(served))})
    return sorted(found, key=lambda f: (-f["count"], f["name"]))
