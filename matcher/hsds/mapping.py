"""One field mapping between HSDS 3.0 rows and Enlace's models, used both ways.

Most HSDS fields live in a model column of the same name. The few places where
Enlace stores something differently are named here, each with its pair of
conversions (see README, "HSDS mapping"):

* ``service.last_modified`` <-> ``Service.updated_at``; ``assured_date`` <->
  ``last_verified_at`` (a date at midnight UTC);
* ``language.note`` carries ``Language.interpreter`` as a fixed leading phrase;
* ``service_area.name`` carries ``ServiceArea.kind`` (``"Monterey County"`` is a
  county, a ZIP code is a postal code, a known place is a city, else text);
* ``phone.extension`` is a number in HSDS and text in Enlace.

Values in rows are typed (str, float, int, date, time, datetime or None); ``parse``
turns CSV text or JSON values into them and ``to_text`` / ``to_json`` turn them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Integer, String

from matcher.directory import geo
from matcher.hsds import schema
from matcher.models import (
    Address,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

Row = dict[str, Any]
_HEX = "[0-9a-fA-F]"
UUID_RE = re.compile(rf"^{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}$")
INTERPRETER_NOTE = "Offered through an interpreter"
COUNTY_SUFFIX = " County"
# HSDS requires address_1; Enlace knows only the city and ZIP for some locations.
NO_STREET = "Street address not listed"
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")


@dataclass(frozen=True)
class Table:
    """An HSDS table Enlace stores: its model and the columns that differ in name."""

    name: str
    model: type
    renamed: dict[str, str] = field(default_factory=dict)  # hsds field -> model attribute
    special: tuple[str, ...] = ()  # converted by a hook below
    references: tuple[str, ...] = ()  # *_id fields that name another record

    def columns(self) -> dict[str, str]:
        """HSDS field -> model attribute for every plainly mapped field."""
        model_cols = set(self.model.__table__.c.keys())  # type: ignore[attr-defined]
        out = {}
        for name in field_names(self.name):
            attr = self.renamed.get(name, name)
            if name not in self.special and attr in model_cols and attr != "id":
                out[name] = attr
        return out


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("taxonomy", Taxonomy),
        Table("taxonomy_term", TaxonomyTerm, references=("parent_id", "taxonomy_id")),
        Table("organization", Organization),
        Table("location", Location, references=("organization_id",)),
        Table("address", Address, special=("address_1",), references=("location_id",)),
        Table(
            "service",
            Service,
            renamed={"last_modified": "updated_at", "assured_date": "last_verified_at"},
            special=("assured_date", "last_modified"),
            references=("organization_id",),
        ),
        Table("service_at_location", ServiceAtLocation, references=("service_id", "location_id")),
        Table("contact", Contact, references=("organization_id", "service_id")),
        Table(
            "phone",
            Phone,
            special=("extension",),
            references=("organization_id", "service_id", "location_id", "contact_id"),
        ),
        Table(
            "schedule", Schedule, special=("timezone",), references=("service_id", "location_id")
        ),
        Table("language", Language, special=("note",), references=("service_id", "location_id")),
        Table("service_area", ServiceArea, special=("name",), references=("service_id",)),
        Table("cost_option", CostOption, references=("service_id",)),
        Table("required_document", RequiredDocument, references=("service_id",)),
    )
}
# HSDS tables Enlace does not keep (their rows are reported as skipped on import).
NOT_STORED = (
    "program",
    "funding",
    "accessibility",
    "metadata",
    "meta_table_description",
    "organization_identifier",
)
# JSON-schema enumerations that Enlace's database also enforces.
ENUMS = {
    ("service", "status"): ("active", "inactive", "defunct", "temporarily closed"),
    ("location", "location_type"): ("physical", "postal", "virtual"),
    ("address", "address_type"): ("physical", "postal", "virtual"),
    ("schedule", "freq"): ("WEEKLY", "MONTHLY"),
    ("schedule", "wkst"): ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
}


def descriptor_fields(table: str) -> list[dict[str, Any]]:
    return schema.resources()[table]["schema"]["fields"]


def field_names(table: str) -> list[str]:
    return [f["name"] for f in descriptor_fields(table)]


def required_fields(table: str) -> list[str]:
    return [f["name"] for f in descriptor_fields(table) if f.get("constraints", {}).get("required")]


# -- values ---------------------------------------------------------------------------


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


def to_text(value: Any) -> str:
    """A typed value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def to_json(value: Any) -> Any:
    if isinstance(value, (date, time)):
        return to_text(value)
    return value


def iso_datetime(value: datetime) -> str:
    """UTC with a ``Z``: naive values (SQLite) are already UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def check_column(table: Table, attr: str, value: Any) -> Any:
    """Fit a value to its column (whole numbers, text length), or raise ValueError."""
    column = table.model.__table__.c[attr]  # type: ignore[attr-defined]
    if isinstance(column.type, Integer) and value is not None and not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(column.type, String) and isinstance(value, int | float):
        value = str(value)
    length = getattr(column.type, "length", None)
    if length and isinstance(value, str) and len(value) > length:
        raise ValueError(f"longer than {length} characters")
    return value


# -- special fields -------------------------------------------------------------------


def language_note(lang: Language) -> str | None:
    if not lang.interpreter:
        return lang.note
    return f"{INTERPRETER_NOTE}. {lang.note}" if lang.note else INTERPRETER_NOTE


def parse_language_note(note: str | None) -> tuple[bool, str | None]:
    if note and note.startswith(INTERPRETER_NOTE):
        rest = note[len(INTERPRETER_NOTE) :].lstrip(". ").strip()
        return True, rest or None
    return False, note


def area_name(area: ServiceArea) -> str | None:
    if area.kind == "county" and area.name:
        return area.name + COUNTY_SUFFIX
    return area.name


def parse_area_name(name: str | None) -> tuple[str, str | None]:
    """(kind, name) for an HSDS service area name."""
    if not name:
        return "text", None
    text = name.strip()
    if text.endswith(COUNTY_SUFFIX) and len(text) < 60:
        return "county", text.removesuffix(COUNTY_SUFFIX)
    if _ZIP_RE.match(text):
        return "postal_code", text
    if len(text) <= 100 and geo.lookup_place_name(text, fuzzy=False):
        return "city", text
    return "text", text


def _extension(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date_of(value: datetime | None) -> date | None:
    return value.date() if value else None


def _midnight(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day, tzinfo=UTC) if value else None


# Export side: model object -> values of the special fields.
EXPORT_HOOKS: dict[str, Callable[[Any], Row]] = {
    "service": lambda s: {
        "assured_date": _date_of(s.last_verified_at),
        "last_modified": s.updated_at,
    },
    "phone": lambda p: {"extension": _extension(p.extension)},
    "language": lambda lang: {"note": language_note(lang)},
    "service_area": lambda a: {"name": area_name(a)},
    "schedule": lambda _s: {"timezone": None},
    "address": lambda a: {"address_1": a.address_1 or NO_STREET},
}


def _import_language(row: Row) -> Row:
    interpreter, note = parse_language_note(row.get("note"))
    return {"interpreter": interpreter, "note": note}


def _import_area(row: Row) -> Row:
    kind, name = parse_area_name(row.get("name"))
    return {"kind": kind, "name": name}


# Import side: row -> model values of the special fields.
IMPORT_HOOKS: dict[str, Callable[[Row], Row]] = {
    "service": lambda r: {
        "last_verified_at": _midnight(r.get("assured_date")),
        **({"updated_at": r["last_modified"]} if r.get("last_modified") else {}),
    },
    "phone": lambda r: {"extension": None if r.get("extension") is None else str(r["extension"])},
    "language": _import_language,
    "service_area": _import_area,
    "schedule": lambda _r: {},
    "address": lambda r: {
        "address_1": None if r.get("address_1") == NO_STREET else r.get("address_1")
    },
}


def hsds_row(table: str, obj: Any) -> Row:
    """Every descriptor field of ``table`` for one model object (None where unknown)."""
    spec = TABLES[table]
    row: Row = dict.fromkeys(field_names(table))
    row["id"] = obj.id
    for name, attr in spec.columns().items():
        row[name] = getattr(obj, attr)
    if table in EXPORT_HOOKS:
        row.update(EXPORT_HOOKS[table](obj))
    return row


def model_values(table: str, row: Row) -> Row:
    """Model attribute values for one typed row; raises (field, ValueError)."""
    spec = TABLES[table]
    values: Row = {}
    for name, attr in spec.columns().items():
        values[attr] = row.get(name)
    if table in IMPORT_HOOKS:
        values.update(IMPORT_HOOKS[table](row))
    return values
