"""HSDS values: typed from CSV text or JSON, and written back in their original spelling.

``parse`` turns a CSV cell or JSON value into a typed value (str, int, float, date, time,
datetime) and ``to_text`` / ``to_json`` write one back in a canonical form. Where the
source spelled a number, date or time differently from that form ("35.00", 35.0,
"10:00", "2023-03-15T10:30:45.123Z"), ``original_form`` keeps the source's spelling and
``Original`` gives it back on export, as long as the stored value is still the one parsed
from it (``same_value``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

_HEX = "[0-9a-fA-F]"
UUID_RE = re.compile(rf"^{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}$")
TYPED = ("number", "date", "time", "datetime")
# JSON-schema enumerations that Enlace's database also enforces.
ENUMS = {
    ("service", "status"): ("active", "inactive", "defunct", "temporarily closed"),
    ("location", "location_type"): ("physical", "postal", "virtual"),
    ("address", "address_type"): ("physical", "postal", "virtual"),
    ("schedule", "freq"): ("WEEKLY", "MONTHLY"),
    ("schedule", "wkst"): ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
}


def parse(table: str, spec: dict[str, Any], raw: Any) -> Any:
    """A CSV cell or JSON value as a typed value; raises ValueError with the reason."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    kind, fmt = spec["type"], spec.get("format")
    if isinstance(raw, bool | dict | list):
        raise ValueError(f"expected a {kind}, got {type(raw).__name__}")
    if kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a number, got {raw!r}")
        return int(value) if value.is_integer() else value
    text = str(raw) if kind == "string" else str(raw).strip()
    try:
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "time":
            return time.fromisoformat(text).replace(tzinfo=None)
        if kind == "datetime":
            value = datetime.fromisoformat(text)
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 {kind}, got {raw!r}") from None
    if fmt == "uuid" and not UUID_RE.match(text):
        raise ValueError(f"expected a UUID, got {raw!r}")
    allowed = ENUMS.get((table, spec["name"]))
    if allowed and text not in allowed:
        raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
    return text


@dataclass(frozen=True)
class Original:
    """A value as the source wrote it: a CSV cell, or any JSON value (extension fields)."""

    raw: Any
    kind: str = "any"  # the HSDS type of the field ("any": an extension field)


def _number(value: float | int) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def to_text(value: Any) -> str:
    """A value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, Original):
        return value.raw if isinstance(value.raw, str) else json.dumps(value.raw)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(_number(value))
    return str(value)


def to_json(value: Any) -> Any:
    """A value as JSON: dates and times as ISO text, whole numbers without ``.0``."""
    if isinstance(value, Original):
        if value.kind == "number" and isinstance(value.raw, str):
            try:
                return json.loads(value.raw.strip())
            except ValueError:
                return value.raw
        return value.raw
    if isinstance(value, (date, time)):
        return to_text(value)
    if isinstance(value, float):
        return _number(value)
    return value


def iso_datetime(value: datetime) -> str:
    """UTC with a ``Z``: naive values (SQLite) are already UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def original_form(spec: dict[str, Any], raw: Any, value: Any) -> Any:
    """``raw`` when writing ``value`` back canonically would spell it differently, else None."""
    if value is None:
        return None
    if spec["type"] not in TYPED:  # text given as a JSON number is given back as one
        return raw if not isinstance(raw, str) else None
    if isinstance(raw, str):
        return raw if to_text(value) != raw else None
    return raw if json.dumps(raw) != json.dumps(to_json(value)) else None


def same_value(table: str, spec: dict[str, Any], raw: Any, current: Any) -> bool:
    """Is ``current`` (as stored) still the value parsed from ``raw``?"""
    try:
        parsed = parse(table, spec, raw)
    except ValueError:
        return False
    if isinstance(parsed, datetime) and isinstance(current, datetime):
        return _utc(parsed) == _utc(current)
    if isinstance(parsed, int | float) and isinstance(current, int | float):
        return float(parsed) == float(current)
    return parsed == current


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
