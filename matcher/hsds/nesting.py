"""Nested HSDS JSON <-> flat tables: which arrays and objects nest in which record.

One table of relations drives both directions: ``flatten`` turns a service (or a
list or Page of them, or an organization) into table rows for the loader, and
``nest`` turns database objects into the fully nested form for export and the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matcher.hsds import HSDSError, mapping, schema
from matcher.hsds.package import SourceRow, Tables, type_row

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
        ("attributes", "attribute", "link_id"),
    ],
    "organization": [
        ("funding", "funding", "organization_id"),
        ("contacts", "contact", "organization_id"),
        ("phones", "phone", "organization_id"),
        ("locations", "location", "organization_id"),
        ("programs", "program", "organization_id"),
        ("organization_identifiers", "organization_identifier", "organization_id"),
        ("attributes", "attribute", "link_id"),
        ("services", "service", "organization_id"),
    ],
    "location": [
        ("languages", "language", "location_id"),
        ("addresses", "address", "location_id"),
        ("contacts", "contact", "location_id"),
        ("accessibility", "accessibility", "location_id"),
        ("phones", "phone", "location_id"),
        ("schedules", "schedule", "location_id"),
        ("attributes", "attribute", "link_id"),
    ],
    "service_at_location": [
        ("contacts", "contact", "service_at_location_id"),
        ("phones", "phone", "service_at_location_id"),
        ("schedules", "schedule", "service_at_location_id"),
        ("attributes", "attribute", "link_id"),
    ],
    "phone": [("languages", "language", "phone_id"), ("attributes", "attribute", "link_id")],
    "contact": [("phones", "phone", "contact_id"), ("attributes", "attribute", "link_id")],
}
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


def read_json(path: Path, text: str) -> Tables:
    """Tables from HSDS JSON: a service, a list of services, a Page, or an organization."""
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
    tables: Tables = {}
    for n, item in enumerate(items):
        where = f"/{n}" if isinstance(data, list) else ""
        if not isinstance(item, dict):
            raise HSDSError("expected a JSON object", path.name, where or "/")
        _flatten(item, _entity(item, path.name, where), path.name, where, tables, None, None)
    return tables


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
    if (
        "id" in keys
        and "name" in keys
        and keys <= {"id", "name", "description", "uri", "version", "metadata"}
    ):
        return "taxonomy" if keys & {"version", "uri"} else "organization"
    if "id" in keys and "name" in keys:
        return "organization"
    raise HSDSError("not an HSDS record (service, organization, location...)", file, where or "/")


def _read_tabular_json(file: str, data: dict[str, Any]) -> Tables:
    """The examples' "tabular JSON": rows keyed by the CSV file name they belong to."""
    by_path = {r["path"]: name for name, r in schema.resources().items()}
    tables: Tables = {}
    for path, rows in data.items():
        table = by_path.get(path)
        if table is None or not isinstance(rows, list):
            continue
        for n, raw in enumerate(rows):
            if not isinstance(raw, dict):
                raise HSDSError("expected a JSON object", file, f"/{path}/{n}")
            _add(tables, table, type_row(table, raw, SourceRow(file, f"/{path}/{n}", {})))
    return tables


def _flatten(
    obj: Any, table: str, file: str, where: str, tables: Tables, fk: str | None, parent: Any
) -> str:
    if not isinstance(obj, dict):
        raise HSDSError("expected a JSON object", file, where or "/")
    if table in mapping.NOT_STORED:  # reported as skipped; not checked further
        tables.setdefault(table, []).append(SourceRow(file, where, {"id": obj.get("id")}))
        return str(obj.get("id"))
    raw = dict(obj)
    if fk and raw.get(fk) is None and parent is not None:
        raw[fk] = parent[0]
    if table == "attribute" and not raw.get("link_entity") and parent is not None:
        raw["link_entity"] = parent[1]
    for key, _child, link in SINGLE.get(table, []):
        if isinstance(obj.get(key), dict):
            raw.setdefault(link, None)
            raw[link] = raw[link] or obj[key].get("id")
    row = type_row(table, raw, SourceRow(file, where or "/", {}))
    _add(tables, table, row)
    for key, child, _link in SINGLE.get(table, []):
        if isinstance(obj.get(key), dict):
            _flatten(obj[key], child, file, f"{where}/{key}", tables, None, None)
    for key, child, link in CHILDREN.get(table, []):
        items = obj.get(key) or []
        if not isinstance(items, list):
            raise HSDSError("expected a JSON array", file, f"{where}/{key}", key)
        for n, item in enumerate(items):
            _flatten(
                item, child, file, f"{where}/{key}/{n}", tables, link, (row.values["id"], table)
            )
    return row.values["id"]


def _add(tables: Tables, table: str, row: SourceRow) -> None:
    """Keep one row per id: the same record nested twice must agree."""
    rows = tables.setdefault(table, [])
    for existing in rows:
        if existing.values["id"] != row.values["id"]:
            continue
        for name, value in row.values.items():
            if value is None:
                continue
            if existing.values.get(name) not in (None, value):
                raise row.error(f"duplicate id {row.values['id']} with different values", name)
            existing.values[name] = value
        return
    rows.append(row)


Getter = Callable[[Any, str, str], list[Any] | Any | None]


def nest(obj: Any, table: str, shape: dict[str, Any], get: Getter) -> dict[str, Any]:
    """A JSON object for ``obj``: its own fields plus the relations named in ``shape``.

    ``get(obj, table, key)`` returns the related objects (or ready-made row dicts).
    """
    row = obj if isinstance(obj, dict) else mapping.hsds_row(table, obj)
    out = {k: mapping.to_json(v) for k, v in row.items() if v is not None}
    relations = {key: child for key, child, _ in CHILDREN.get(table, []) + SINGLE.get(table, [])}
    for key, sub in shape.items():
        value = get(obj, table, key)
        if isinstance(value, list):
            out[key] = [nest(v, relations[key], sub, get) for v in value]
        elif value is not None:
            out[key] = nest(value, relations[key], sub, get)
    return out
