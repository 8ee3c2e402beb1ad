"""A search request from string parameters (query string or CLI options), validated:
a bad value is a ``SearchError`` whose message is fit for users (HTTP 400)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matcher.core.text import clip
from matcher.directory import county as counties
from matcher.directory import county_areas
from matcher.search.analysis import LANGUAGES

DEFAULT_RADIUS_MI = 10.0
MAX_RADIUS_MI = 200.0
MAX_PER_PAGE = 50
MAX_PAGE = 1000
SORTS = ("relevance", "distance")


class SearchError(ValueError):
    """A bad search parameter; ``str(error)`` is a message fit for users (HTTP 400)."""


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    locale: str = "en"
    near: str | None = None
    radius_mi: float = DEFAULT_RADIUS_MI
    radius_given: bool = False  # the user chose the radius: never widen it
    category: str | None = None
    language: str | None = None
    county: str | None = None  # a region's county ("Monterey"): listings in or serving it
    open: str | None = None
    free: bool = False
    age: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    # Chips of what the query was understood to say that the user removed:
    # "need:<key>", "age", "place", "crisis".
    drop: frozenset[str] = frozenset()
    now: datetime | None = None


def _int(
    params: Mapping[str, Any], key: str, default: int | None, low: int, high: int
) -> int | None:
    raw = params.get(key)
    if raw is None:
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SearchError(f"{key} must be a whole number, not '{clip(str(raw), 20)}'.") from None
    if not low <= value <= high:
        raise SearchError(f"{key} must be between {low} and {high}.")
    return value


FLAGS = {"true": True, "1": True, "false": False, "0": False}  # as the OpenAPI document says


def _flag(params: Mapping[str, Any], key: str) -> bool:
    """Absent is false; a present value must be one of FLAGS (an empty one is refused)."""
    raw = params.get(key)
    if raw is None:
        return False
    value = FLAGS.get(str(raw).strip().lower())
    if value is None:
        raise SearchError(f"{key} must be true or false.")
    return value


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    value = str(value).strip() if value is not None else ""
    return value or None


@dataclass(frozen=True)
class SearchContext:
    """What the serving host knows that a request does not: the county's crisis and help
    lines (``kind -> [line dict]``, national defaults fill the rest) and the key that
    keeps rare query words unreadable (None: query words are not counted)."""

    county_lines: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
    term_key: bytes | None = None
    # In a region: each county's own lines, used when the search names that county
    # (its filter, or a place in it); ``county_lines`` otherwise.
    lines_by_county: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]] | None = None

    @classmethod
    def for_region(cls, term_key: bytes | None = None) -> SearchContext:
        """The context of the counties this process serves (``matcher.directory.county``)."""
        served = counties.region()
        return cls(
            county_lines=counties.region_lines(served),
            term_key=term_key,
            lines_by_county={s.short_name: counties.county_lines(s) for s in served},
        )

    def lines_for(self, county: str | None) -> Mapping[str, Sequence[Mapping[str, Any]]] | None:
        if county and self.lines_by_county and county in self.lines_by_county:
            return self.lines_by_county[county]
        return self.county_lines


_CHIP = re.compile(r"^(need:[a-z0-9_:-][a-z0-9_: -]{0,80}|age|place|crisis)$")
MAX_DROPPED = 12


def _drop(params: Mapping[str, Any]) -> frozenset[str]:
    """``drop=need:dental,age``: the understood chips to leave out; unknown ones are refused."""
    getlist = getattr(params, "getlist", None)
    raw = getlist("drop") if getlist else params.get("drop")
    values = raw if isinstance(raw, list | tuple) else [raw] if raw else []
    chips = [c.strip() for v in values for c in str(v).split(",") if c.strip()]
    if len(chips) > MAX_DROPPED or not all(_CHIP.match(c) for c in chips):
        raise SearchError("drop must list chips such as need:dental, age or place.")
    return frozenset(chips)


def _county(params: Mapping[str, Any]) -> str | None:
    value = _text(params, "county")
    if value is None:
        return None
    try:
        return county_areas.county_name(value)
    except county_areas.UnknownCounty as error:
        raise SearchError(str(error)) from None


def request_from_params(params: Mapping[str, Any], locale: str = "en") -> SearchRequest:
    """A ``SearchRequest`` from string parameters (query string or CLI options)."""
    radius_raw = params.get("radius_mi")
    radius = DEFAULT_RADIUS_MI
    if radius_raw is not None:
        try:
            radius = float(str(radius_raw).strip())
        except ValueError:
            raise SearchError(
                f"radius_mi must be a number of miles, not '{clip(str(radius_raw), 20)}'."
            ) from None
        if not 0 < radius <= MAX_RADIUS_MI or radius != radius:
            raise SearchError(f"radius_mi must be more than 0 and at most {MAX_RADIUS_MI:.0f}.")
    sort = _text(params, "sort") or "relevance"
    if sort not in SORTS:
        raise SearchError("sort must be 'relevance' or 'distance'.")
    lang = params.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise SearchError(f"lang must be one of {', '.join(LANGUAGES)}.")
    return SearchRequest(
        q=str(params.get("q") or ""),
        locale=lang or locale,
        near=_text(params, "near"),
        radius_mi=radius,
        radius_given=radius_raw is not None and bool(str(radius_raw).strip()),
        category=_text(params, "category"),
        language=_text(params, "language"),
        county=_county(params),
        open=_text(params, "open"),
        free=_flag(params, "free"),
        age=_int(params, "age", None, 0, 120),
        sort=sort,
        drop=_drop(params),
        page=_int(params, "page", 1, 1, MAX_PAGE) or 1,
        per_page=_int(params, "per_page", 10, 1, MAX_PER_PAGE) or 10,
    )
