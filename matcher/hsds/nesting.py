"""Nested HSDS JSON <-> flat tables: which arrays and objects nest in which record.

One table of relations drives both directions: ``flatten`` turns a service (or a
list or Page of them, an organization, a location...) into table rows for the loader,
and ``nest`` turns database objects into the nested form for export and the API.

Reading, a record nested in another is linked to it (a phone in a service's ``phones``
gets that ``service_id``), and a record remembers which of its arrays it gave: only
those replace what is stored (``SourceRow.given``); an array left out changes nothing.

Writing follows the official examples: a full record nests every relation except the
ones leading back to a record it is already inside, a list item nests only its single
relations (a service's organization and program), empty arrays are left out, and the
``*_id`` fields that the nesting itself expresses are not repeated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from matcher.hsds import HSDSError, mapping, schema, values
from matcher.hsds.package import SourceRow, Tables, type_row

_WITH_ATTRIBUTES = ("organization", "service", "location", "service_at_location", "phone",
                    "contact", "program", "schedule", "language", "address", "service_area",
                    "cost_option", "required_document", "funding", "accessibility",
                    "organization_identifier", "meta_table_description")  # fmt: skip
_ORGANIZATION_ONLY = {"alternate_name", "email", "website", "tax_status", "tax_id",
                      "year_incorporated", "legal_status", "logo", "parent_organization_id",
                      "funding", "contacts", "phones", "locations", "programs",
                      "organization_identifiers", "services"}  # fmt: skip
# parent table -> [(key, child table, field on the child naming the parent)]
CHILDREN: dict[str, list[tuple[str, str, str]]] = {
    "service": [
        ("phones", "phone", "service_id"),
        ("schedules", "schedule", "service_id"),
        ("service_areas", "service_area", "service_id"),
        ("service_at_locations", "service_at_location", "service_id"),
        ("languages", "language", "service_id"),
        ("funding", "funding", "service_id"),
        ("cost_options", "cost_option", "service_id"),
        ("required_documents", "required_document", "service_id"),
        ("contacts", "contact", "service_id"),
    ],
    "organization": [
        ("funding", "funding", "organization_id"),
        ("contacts", "contact", "organization_id"),
        ("phones", "phone", "organization_id"),
        ("locations", "location", "organization_id"),
        ("programs", "program", "organization_id"),
        ("organization_identifiers", "organization_identifier", "organization_id"),
        ("services", "service", "organization_id"),
    ],
    "location": [
        ("languages", "language", "location_id"),
        ("addresses", "address", "location_id"),
        ("contacts", "contact", "location_id"),
        ("accessibility", "accessibility", "location_id"),
        ("phones", "phone", "location_id"),
        ("schedules", "schedule", "location_id"),
    ],
    "service_at_location": [
        ("contacts", "contact", "service_at_location_id"),
        ("phones", "phone", "service_at_location_id"),
        ("schedules", "schedule", "service_at_location_id"),
    ],
    "phone": [("languages", "language", "phone_id")],
    "contact": [("phones", "phone", "contact_id")],
}
for _table in _WITH_ATTRIBUTES:
    CHILDREN.setdefault(_table, []).append(("attributes", "attribute", "link_id"))
for _table in (*_WITH_ATTRIBUTES, "attribute", "taxonomy", "taxonomy_term"):
    CHILDREN.setdefault(_table, []).append(("metadata", "metadata", "resource_id"))
# parent table -> [(key, child table, field on the parent naming the child)]
SINGLE: dict[str, list[tuple[str, str, str]]] = {
    "service": [
        ("organization", "organization", "organization_id"),
        ("program", "program", "program_id"),
    ],
    "service_at_location": [
        ("location", "location", "location_id"),
        ("service", "service", "service_id"),
    ],
    "attribute": [("taxonomy_term", "taxonomy_term", "taxonomy_term_id")],
    "taxonomy_term": [("taxonomy_detail", "taxonomy", "taxonomy_id")],
}
# Fields that name the record an object is nested in: left out when it is nested.
PARENT_LINKS = {
    child: {link for rels in CHILDREN.values() for _k, c, link in rels if c == child}
    for child in {c for rels in CHILDREN.values() for _k, c, _l in rels}
}


def read_json(path: Path, text: str) -> Tables:
    """Tables from HSDS JSON: a record (service, organization, location, service at
    location, taxonomy, term), a list or a Page of them, or the examples' tabular JSON."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise HSDSError(
            f"invalid JSON ({error.msg}, column {error.colno})", path.name, error.lineno
        ) from None
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]
    if isinstance(data, dict) and data and all(str(k).endswith(".csv") for k in data):
        return _read_tabular_json(path.name, data)
    items = data if isinstance(data, list) else [data]
    tables = _Tables()
    for n, item in enumerate(items):
        where = f"/{n}" if isinstance(data, list) else ""
        if not isinstance(item, dict):
            raise HSDSError("expected a JSON object", path.name, where or "/")
        _flatten(item, _entity(item, path.name, where), path.name, where, tables, None)
    return dict(tables)


class _Tables(dict):
    """Tables being read, with each record's row found by id (a record nested twice is
    one row: the two must agree, and what each gives adds up)."""

    def __init__(self) -> None:
        super().__init__()
        self.index: dict[tuple[str, Any], SourceRow] = {}

    def add(self, table: str, row: SourceRow) -> SourceRow:
        """The row that holds the record (``row``, or the one it was merged into)."""
        rows = self.setdefault(table, [])
        existing = self.index.get((table, row.values.get("id")))
        if existing is None:
            rows.append(row)
            self.index[(table, row.values.get("id"))] = row
            return row
        for name, value in row.values.items():
            if value is not None and existing.values.get(name) not in (None, value):
                raise row.error(f"duplicate id {row.values['id']} with different values", name)
            if value is not None or name not in existing.values:
                existing.values[name] = value
        existing.extra.update({k: v for k, v in row.extra.items() if v is not None})
        existing.forms.update(row.forms)
        if existing.given is not None and row.given is not None:
            existing.given |= row.given
        return existing


def _entity(item: dict[str, Any], file: str, where: str) -> str:
    """Which HSDS record a top-level JSON object is, from its distinctive keys."""
    keys = set(item)
    if "status" in keys:
        return "service"
    if keys & {"service", "location"} or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if "location_type" in keys:
        return "location"
    if keys & {"taxonomy_detail", "parent_id", "term_uri", "code"}:
        return "taxonomy_term"
    if "id" in keys and "name" in keys:
        if keys & {"version", "uri"} and not keys & _ORGANIZATION_ONLY:
            return "taxonomy"
        return "organization"
    raise HSDSError("not an HSDS record (service, organization, location...)", file, where or "/")


def _read_tabular_json(file: str, data: dict[str, Any]) -> Tables:
    """The examples' "tabular JSON": rows keyed by the CSV file name they belong to."""
    by_path = {r["path"]: name for name, r in schema.resources().items()}
    tables = _Tables()
    for path, rows in data.items():
        table = by_path.get(path)
        if table is None or not isinstance(rows, list):
            continue
        tables.setdefault(table, [])
        for n, raw in enumerate(rows):
            if not isinstance(raw, dict):
                raise HSDSError("expected a JSON object", file, f"/{path}/{n}")
            where = SourceRow(file, f"/{path}/{n}", {}, required=_required(table))
            type_row(table, raw, where, required=where.required)
            if where.values.get("id") is None:
                raise where.error("a value is required", "id")
            tables.add(table, where)
    return dict(tables)


@cache
def _required(table: str) -> tuple[str, ...]:
    """Fields the JSON schema requires that Enlace cannot store a record without. Others
    it requires (a metadata entry's ``field_name``...) are taken as they come, even null:
    published data has such gaps, and refusing the whole file for them would lose more."""
    spec = mapping.TABLES[table]
    columns = spec.model.__table__.c  # type: ignore[attr-defined]
    needed = {n for n, attr in spec.columns().items() if not columns[attr].nullable}
    return tuple(n for n in schema.schema(table).get("required", ()) if n == "id" or n in needed)


def _flatten(
    obj: Any, table: str, file: str, where: str, tables: _Tables, parent: tuple[str, str] | None
) -> str:
    """Add ``obj`` (nested in ``parent``: (link field, parent id)) and what it nests."""
    if not isinstance(obj, dict):
        raise HSDSError("expected a JSON object", file, where or "/")
    children = {key: (child, link) for key, child, link in CHILDREN.get(table, [])}
    singles = {key: (child, link) for key, child, link in SINGLE.get(table, [])}
    raw = {k: v for k, v in obj.items() if k not in children and k not in singles}
    if parent is not None and raw.get(parent[0]) is None:
        raw[parent[0]] = parent[1]
    for key, (_child, link) in singles.items():
        if isinstance(obj.get(key), dict) and raw.get(link) is None:
            raw[link] = obj[key].get("id")
    new = SourceRow(file, where or "/", {}, required=_required(table), given=set())
    type_row(table, raw, new, required=new.required)
    if new.values.get("id") is None:
        raise new.error("a value is required", "id")
    row = tables.add(table, new)
    id_ = row.values["id"]
    for key, (child, _link) in singles.items():
        if isinstance(obj.get(key), dict):
            owner = None
            if child == "program" and row.values.get("organization_id"):
                # A program nested in a service belongs to the service's organization.
                owner = ("organization_id", row.values["organization_id"])
            _flatten(obj[key], child, file, f"{where}/{key}", tables, owner)
    for key, (child, link) in children.items():
        if key not in obj:
            continue
        items = obj[key] if obj[key] is not None else []
        if not isinstance(items, list):
            raise HSDSError("expected a JSON array", file, f"{where}/{key}", key)
        assert row.given is not None
        row.given.add((child, link))
        tables.setdefault(child, [])
        for n, item in enumerate(items):
            _flatten(item, child, file, f"{where}/{key}/{n}", tables, (link, id_))
    return id_


# -- writing --------------------------------------------------------------------------

Getter = Callable[[Any, str, str], list[Any] | Any | None]


def nest(
    obj: Any, table: str, get: Getter, *, full: bool = True, inside: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A JSON object for ``obj`` with its relations (all of them when ``full``, else only
    single ones), never going back into a table it is ``inside``. ``get(obj, table, key)``
    returns the related objects (or ready-made row dicts)."""
    row = mapping.exchange_row(table, obj)
    drop = set(PARENT_LINKS.get(table, ())) if inside else set()
    out: dict[str, Any] = {}
    path = (*inside, table)
    relations = [(k, c, link, True) for k, c, link in SINGLE.get(table, [])]
    if full:
        relations += [(k, c, link, False) for k, c, link in CHILDREN.get(table, [])]
    for key, child, link, single in relations:
        if child in path:
            continue
        value = get(obj, table, key)
        if single and value is not None:
            drop.add(link)
            out[key] = nest(value, child, get, full=full, inside=path)
        elif not single and value:
            out[key] = [nest(v, child, get, full=full, inside=path) for v in value]
    fields = {k: values.to_json(v) for k, v in row.items() if v is not None and k not in drop}
    return {**fields, **out}
