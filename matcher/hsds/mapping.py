"""One field mapping between HSDS 3.0 rows and Enlace's models, used both ways.

Every HSDS table has a model, and most fields live in a column of the same name. The
few places where Enlace stores something differently are named here, each with its
pair of conversions (see README, "HSDS mapping"):

* ``service.last_modified`` <-> ``Service.updated_at``; ``assured_date`` <->
  ``last_verified_at`` (a date at midnight UTC);
* ``language.note`` carries ``Language.interpreter`` as a fixed leading phrase;
* ``service_area.name`` carries ``ServiceArea.kind`` (``"Monterey County"`` is a
  county, a ZIP code is a postal code, a known place is a city, else text);
* ``phone.extension`` is a number in HSDS and text in Enlace;
* ``schedule.timezone`` (a UTC offset) is ``Schedule.utc_offset``: Enlace's own
  ``Schedule.timezone`` is an IANA name for its opening-hours filter.

What a record carries beyond its columns lives in its ``hsds_extra`` (``extras``):
extension fields, original spellings, references to records Enlace does not have.
Rows hold typed values (``values.parse``); ``hsds_row`` builds one from a model
object and ``exchange_row`` adds what ``hsds_extra`` kept, ready for CSV or JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, String

from matcher.directory import geo
from matcher.hsds import extras, schema, values
from matcher.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Metadata,
    MetaTableDescription,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

Row = dict[str, Any]
ANY = "*"  # a reference to a record of any table (attribute.link_id, metadata.resource_id)
INTERPRETER_NOTE = "Offered through an interpreter"
COUNTY_SUFFIX = " County"
# HSDS requires address_1; Enlace knows only the city and ZIP for some locations.
NO_STREET = "Street address not listed"
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")


@dataclass(frozen=True)
class Table:
    """An HSDS table: its model, renamed and specially converted fields, its references."""

    name: str
    model: type
    renamed: dict[str, str] = field(default_factory=dict)  # hsds field -> model attribute
    special: tuple[str, ...] = ()  # converted by a hook below
    references: dict[str, str] = field(default_factory=dict)  # field -> table it names

    def columns(self) -> dict[str, str]:
        """HSDS field -> model attribute for every plainly mapped field."""
        return _columns(self.name)

    def columnless(self) -> tuple[str, ...]:
        """Core fields with no column of their own: kept in ``hsds_extra`` as given."""
        return _columnless(self.name)


@cache
def _columns(name: str) -> dict[str, str]:
    table = TABLES[name]
    model_cols = set(table.model.__table__.c.keys())  # type: ignore[attr-defined]
    out = {}
    for name in field_names(table.name):
        attr = table.renamed.get(name, name)
        if name not in table.special and attr in model_cols and attr != "id":
            out[name] = attr
    return out


@cache
def _columnless(name: str) -> tuple[str, ...]:
    table = TABLES[name]
    mapped = set(table.columns()) | set(table.special) | {"id"}
    return tuple(n for n in field_names(name) if n not in mapped)


def _refs(*names: str) -> dict[str, str]:
    return {f"{n}_id": n for n in names}


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("taxonomy", Taxonomy, special=("description",)),
        Table(
            "taxonomy_term",
            TaxonomyTerm,
            special=("description",),
            references={"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"},
        ),
        Table("organization", Organization, special=("description",)),
        Table("program", Program, references=_refs("organization")),
        Table("location", Location, references=_refs("organization")),
        Table(
            "service",
            Service,
            renamed={"last_modified": "updated_at", "assured_date": "last_verified_at"},
            special=("assured_date", "last_modified"),
            references=_refs("organization", "program"),
        ),
        Table("service_at_location", ServiceAtLocation, references=_refs("service", "location")),
        Table(
            "contact",
            Contact,
            references=_refs("organization", "service", "service_at_location", "location"),
        ),
        Table(
            "phone",
            Phone,
            special=("extension",),
            references=_refs(
                "location", "service", "organization", "contact", "service_at_location"
            ),
        ),
        Table(
            "schedule",
            Schedule,
            renamed={"timezone": "utc_offset"},
            references=_refs("service", "location", "service_at_location"),
        ),
        Table(
            "language",
            Language,
            special=("note",),
            references=_refs("service", "location", "phone"),
        ),
        Table("funding", Funding, references=_refs("organization", "service")),
        Table("accessibility", Accessibility, references=_refs("location")),
        Table("organization_identifier", OrganizationIdentifier, references=_refs("organization")),
        Table("address", Address, special=("address_1",), references=_refs("location")),
        Table("service_area", ServiceArea, special=("name",), references=_refs("service")),
        Table("cost_option", CostOption, references=_refs("service")),
        Table("required_document", RequiredDocument, references=_refs("service")),
        Table("meta_table_description", MetaTableDescription),
        Table("metadata", Metadata, references={"resource_id": ANY}),
        Table(
            "attribute",
            Attribute,
            references={"link_id": ANY, "taxonomy_term_id": "taxonomy_term"},
        ),
    )
}


def descriptor_fields(table: str) -> list[dict[str, Any]]:
    return schema.resources()[table]["schema"]["fields"]


def field_names(table: str) -> list[str]:
    return [f["name"] for f in descriptor_fields(table)]


@cache
def field_spec(table: str, name: str) -> dict[str, Any] | None:
    return next((f for f in descriptor_fields(table) if f["name"] == name), None)


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


def _extension(value: str | None) -> int | float | None:
    try:
        return values.parse("phone", {"name": "extension", "type": "number"}, value)
    except ValueError:
        return None


def _date_of(value: datetime | None) -> date | None:
    return value.date() if value else None


def _midnight(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day, tzinfo=UTC) if value else None


def _term_taxonomy(term: TaxonomyTerm) -> Row:
    return {
        "description": term.description or term.name,  # required by HSDS
        "taxonomy": term.taxonomy.name if term.taxonomy else None,
    }


# Export side: model object -> values of the special fields.
EXPORT_HOOKS: dict[str, Callable[[Any], Row]] = {
    "service": lambda s: {
        "assured_date": _date_of(s.last_verified_at),
        "last_modified": s.updated_at,
    },
    "phone": lambda p: {"extension": _extension(p.extension)},
    "language": lambda lang: {"note": language_note(lang)},
    "service_area": lambda a: {"name": area_name(a)},
    "address": lambda a: {"address_1": a.address_1 or NO_STREET},
    # HSDS requires a description: the name stands in when there is none.
    "organization": lambda o: {"description": o.description or o.name},
    "taxonomy": lambda t: {"description": t.description or t.name},
    "taxonomy_term": _term_taxonomy,
}


def _import_language(row: Row) -> Row:
    if "note" not in row:
        return {}
    interpreter, note = parse_language_note(row["note"])
    return {"interpreter": interpreter, "note": note}


def _import_area(row: Row) -> Row:
    if "name" not in row:
        return {}
    kind, name = parse_area_name(row["name"])
    return {"kind": kind, "name": name}


def _import_service(row: Row) -> Row:
    out: Row = {}
    if "assured_date" in row:
        out["last_verified_at"] = _midnight(row["assured_date"])
    if row.get("last_modified"):
        out["updated_at"] = row["last_modified"]
    return out


# Import side: the fields present in a row -> model values of the special fields.
IMPORT_HOOKS: dict[str, Callable[[Row], Row]] = {
    "service": _import_service,
    "phone": lambda r: (
        {"extension": None if r["extension"] is None else values.to_text(r["extension"])}
        if "extension" in r
        else {}
    ),
    "language": _import_language,
    "service_area": _import_area,
    "address": lambda r: (
        {"address_1": None if r["address_1"] == NO_STREET else r["address_1"]}
        if "address_1" in r
        else {}
    ),
    "organization": lambda r: {"description": r["description"]} if "description" in r else {},
    "taxonomy": lambda r: {"description": r["description"]} if "description" in r else {},
    "taxonomy_term": lambda r: {"description": r["description"]} if "description" in r else {},
}


def hsds_row(table: str, obj: Any) -> Row:
    """Every descriptor field of ``table`` for one model object, typed (None where unknown)."""
    spec = TABLES[table]
    row: Row = dict.fromkeys(field_names(table))
    row["id"] = obj.id
    for name, attr in spec.columns().items():
        row[name] = getattr(obj, attr)
    if table in EXPORT_HOOKS:
        row.update(EXPORT_HOOKS[table](obj))
    return row


def exchange_row(table: str, obj: Any) -> Row:
    """``hsds_row`` plus what ``hsds_extra`` kept: original spellings, extension fields."""
    if isinstance(obj, dict):  # a row Enlace derives (facts), already complete
        return {**dict.fromkeys(field_names(table)), **obj}
    row = hsds_row(table, obj)
    extra = getattr(obj, "hsds_extra", None) or {}
    for name, value in extra.get(extras.DERIVED, {}).items():
        if row.get(name) == value:
            row[name] = None
    for name, raw in extra.get(extras.KEPT, {}).items():
        if row.get(name) is None:
            row[name] = values.Original(raw, _kind(table, name))
    for name, raw in extra.get(extras.FORMS, {}).items():
        spec = field_spec(table, name)
        if spec and values.same_value(table, spec, raw, row.get(name)):
            row[name] = values.Original(raw, spec["type"])
    columnless = TABLES[table].columnless()
    for name, raw in extra.get(extras.FIELDS, {}).items():
        if name in columnless or row.get(name) is None:
            row[name] = values.Original(raw, _kind(table, name))
    return row


def _kind(table: str, name: str) -> str:
    spec = field_spec(table, name)
    return spec["type"] if spec else "any"


def model_values(table: str, row: Row) -> Row:
    """Model attribute values for the fields present in one typed row (absent: unchanged)."""
    spec = TABLES[table]
    out: Row = {attr: row[name] for name, attr in spec.columns().items() if name in row}
    if table in IMPORT_HOOKS:
        out.update(IMPORT_HOOKS[table](row))
    return out
