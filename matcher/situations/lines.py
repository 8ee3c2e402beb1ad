"""Crisis lines: county lines first (from county settings), then national defaults.

National defaults live in data/lines.tsv with the public page each number was checked
against and the date; a line that could not be confirmed is marked ``unconfirmed`` and
never shown as fact. What to say now (``message``) is data/messages.tsv, bilingual,
written for a family liaison reading it to a parent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from matcher.situations.lexicon import CRISIS_KINDS, DATA, LexiconError, _rows


@dataclass(frozen=True)
class Line:
    id: str
    name_en: str
    name_es: str
    phone: str
    text: str
    hours: str
    languages: tuple[str, ...]
    kinds: tuple[str, ...]
    source: str
    checked: str
    unconfirmed: bool = False
    scope: str = "national"  # or "county"
    note: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["languages"], d["kinds"] = list(self.languages), list(self.kinds)
        return d


def _split(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split("|") if v.strip())
    return tuple(value or ())


@functools.cache
def national_lines() -> tuple[Line, ...]:
    path = DATA / "lines.tsv"
    out = []
    for n, row in _rows(path):
        where = f"{path.name}:{n}"
        kinds = _split(row["kinds"])
        bad = [k for k in kinds if k not in CRISIS_KINDS]
        if bad or not kinds:
            raise LexiconError(f"{where}: unknown crisis kinds {bad}")
        if row["status"] not in ("confirmed", "unconfirmed"):
            raise LexiconError(f"{where}: status must be confirmed or unconfirmed")
        if not row["source"] or not row["checked"]:
            raise LexiconError(f"{where}: every line needs its source and date checked")
        out.append(Line(row["id"], row["name_en"], row["name_es"], row["phone"], row["text"],
                        row["hours"], _split(row["languages"]), kinds, row["source"],
                        row["checked"], row["status"] == "unconfirmed", "national",
                        row.get("note", "")))
    return tuple(out)


def _county_line(kind: str, d: Mapping) -> Line:
    return Line(
        id=str(d.get("id") or d.get("name_en") or "county"),
        name_en=str(d.get("name_en") or d.get("name") or ""),
        name_es=str(d.get("name_es") or d.get("name_en") or d.get("name") or ""),
        phone=str(d.get("phone") or ""), text=str(d.get("text") or ""),
        hours=str(d.get("hours") or ""), languages=_split(d.get("languages")),
        kinds=_split(d.get("kinds")) or (kind,), source=str(d.get("source") or ""),
        checked=str(d.get("checked") or ""), unconfirmed=bool(d.get("unconfirmed", False)),
        scope="county", note=str(d.get("note") or ""))


def lines_for(kind: str, county_lines: Mapping[str, Sequence[Mapping]] | None = None) -> list[Line]:
    """Lines for a crisis kind: county lines for it first, then national defaults.

    ``county_lines`` maps kind -> list of dicts with Line's field names (missing fields are
    blank). 911 is always included, last, because ``message`` names it first.
    """
    if kind not in CRISIS_KINDS:
        raise ValueError(f"unknown crisis kind {kind!r}")
    out = [_county_line(kind, d) for d in (county_lines or {}).get(kind, ())]
    # The line made for this kind first (988 for suicide, SAMHSA for substance use after it).
    nationals = sorted(
        (ln for ln in national_lines() if kind in ln.kinds), key=lambda ln: ln.kinds.index(kind)
    )
    out += [ln for ln in nationals if ln.id != "911"] + [ln for ln in nationals if ln.id == "911"]
    return out


@functools.cache
def _messages() -> dict[tuple[str, str], str]:
    path = DATA / "messages.tsv"
    out = {}
    for n, row in _rows(path):
        if row["kind"] not in CRISIS_KINDS or row["lang"] not in ("en", "es"):
            raise LexiconError(f"{path.name}:{n}: unknown kind or lang")
        out[(row["kind"], row["lang"])] = row["text"]
    return out


def message(kind: str, lang: str = "en") -> str:
    """What to do now, short and calm, in English or Spanish (other langs -> English)."""
    if kind not in CRISIS_KINDS:
        raise ValueError(f"unknown crisis kind {kind!r}")
    return _messages()[(kind, "es" if lang and lang.startswith("es") else "en")]
