"""Export the published directory as HSDS 3.0: a tabular data package or nested JSON.

Output is deterministic (rows sorted by id, fixed formatting, the official descriptor
plus any extension fields the data carries), so exporting, importing into an empty
database and exporting again gives identical files, and an imported package comes back
as it was given (README, "Round trips"). Unpublished organizations and their records are
left out. Spanish text and Enlace's flags travel as attributes (see ``facts``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from matcher.hsds import extras, facts, mapping, schema, values
from matcher.hsds.mapping import Row
from matcher.hsds.nesting import nest
from matcher.models import (
    Attribute,
    Contact,
    Location,
    Metadata,
    Organization,
    OrganizationTranslation,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)


def published_services(session: Session) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .join(Organization)
            .where(Organization.published.is_(True))
            .order_by(Service.id)
        )
    )


def is_derived(obj: Any, field: str = "id") -> bool:
    """Did Enlace make this value (not the source)? A derived taxonomy holds the terms of
    a package that named no taxonomy for them; it is not exported."""
    derived = (getattr(obj, "hsds_extra", None) or {}).get(extras.DERIVED, {})
    return field in derived and derived[field] == getattr(obj, field)


def facts_in_use(session: Session) -> bool:
    """Do any records carry Enlace facts (flags or translations)? Only then is the facts
    taxonomy part of an export."""
    return bool(
        session.scalar(select(exists().select_from(ServiceTranslation)))
        or session.scalar(select(exists().select_from(OrganizationTranslation)))
        or session.scalar(
            select(
                exists().where(
                    Service.accepting_referrals.is_not(None) | Service.id_required.is_not(None)
                )
            )
        )
    )


PREFETCH_LIMIT = 20_000


class Related:
    """The ``get`` for ``nesting.nest``: relations, stored attributes and metadata, and
    Enlace's derived rows (facts, taxonomy links, the cost summary)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_id: dict[type, dict[str, list[Any]] | None] = {}

    def __call__(self, obj: Any, table: str, key: str) -> Any:
        if key == "attributes":
            return self.attributes(obj, table)
        if key == "metadata":
            return [] if isinstance(obj, dict) else self._linked(Metadata, "resource_id", obj.id)
        if table == "attribute" and key == "taxonomy_term":
            term_id = obj["taxonomy_term_id"] if isinstance(obj, dict) else obj.taxonomy_term_id
            if term_id in facts.TERMS_BY_ID:
                return next(t for t in facts.term_rows() if t["id"] == term_id)
            return self.session.get(TaxonomyTerm, term_id)
        if table == "taxonomy_term" and key == "taxonomy_detail":
            if isinstance(obj, dict):
                return facts.TAXONOMY if obj["taxonomy_id"] == facts.TAXONOMY["id"] else None
            return None if is_derived(obj, "taxonomy_id") else obj.taxonomy
        if table == "service" and key == "cost_options":
            return cost_options(obj)
        if isinstance(obj, dict):
            return None
        value = getattr(obj, key, None)
        return sorted(value, key=lambda o: o.id) if isinstance(value, list) else value

    def _linked(self, model: type, field: str, id_: str) -> list[Any]:
        """Stored attributes or metadata naming ``id_``: all read at once while there are
        few, one query per record beyond ``PREFETCH_LIMIT`` rows."""
        if model not in self._by_id:
            rows = self.session.scalar(select(func.count()).select_from(model)) or 0
            self._by_id[model] = {} if rows <= PREFETCH_LIMIT else None
            if rows and rows <= PREFETCH_LIMIT:
                for obj in self.session.scalars(select(model).order_by(model.id)):
                    self._by_id[model].setdefault(getattr(obj, field), []).append(obj)
        grouped = self._by_id[model]
        if grouped is not None:
            return grouped.get(id_, [])
        column = getattr(model, field)
        return list(self.session.scalars(select(model).where(column == id_).order_by(model.id)))

    def attributes(self, obj: Any, table: str) -> list[Any]:
        if isinstance(obj, dict):
            return []
        stored = self._linked(Attribute, "link_id", obj.id)
        if table == "service":
            stored = [a for a in stored if a.taxonomy_term_id in {t.id for t in obj.taxonomy_terms}]
            covered = {a.taxonomy_term_id for a in stored}
            derived = facts.service_attributes(obj, covered) + facts.ancestor_attributes(obj)
        elif table == "organization":
            derived = facts.organization_attributes(obj)
        else:
            derived = []
        return sorted([*stored, *derived], key=lambda r: r["id"] if isinstance(r, dict) else r.id)


# Loader options that read a record's nested form in a few queries (one per relation).
def _phones(relation: Any) -> Any:
    return selectinload(relation).selectinload(Phone.languages)


def _contacts(relation: Any) -> Any:
    return selectinload(relation).selectinload(Contact.phones).selectinload(Phone.languages)


LOCATION_LOADS = (
    selectinload(Location.addresses),
    selectinload(Location.languages),
    selectinload(Location.schedules),
    selectinload(Location.accessibility),
    _phones(Location.phones),
    _contacts(Location.contacts),
)
ORGANIZATION_LOADS = (
    _phones(Organization.phones),
    _contacts(Organization.contacts),
    selectinload(Organization.translations),
    selectinload(Organization.funding),
    selectinload(Organization.programs),
    selectinload(Organization.organization_identifiers),
    selectinload(Organization.locations).options(*LOCATION_LOADS),
)
SAL_LOADS = (
    _contacts(ServiceAtLocation.contacts),
    _phones(ServiceAtLocation.phones),
    selectinload(ServiceAtLocation.schedules),
    selectinload(ServiceAtLocation.location).options(*LOCATION_LOADS),
)
SERVICE_OWN_LOADS = (  # all but the organization
    selectinload(Service.program),
    _phones(Service.phones),
    _contacts(Service.contacts),
    selectinload(Service.schedules),
    selectinload(Service.service_areas),
    selectinload(Service.languages),
    selectinload(Service.funding),
    selectinload(Service.cost_options),
    selectinload(Service.required_documents),
    selectinload(Service.taxonomy_terms).selectinload(TaxonomyTerm.taxonomy),
    selectinload(Service.taxonomy_terms).selectinload(TaxonomyTerm.parent),
    selectinload(Service.service_at_locations).options(*SAL_LOADS),
)
SERVICE_LOADS = (
    selectinload(Service.organization).options(*ORGANIZATION_LOADS),
    *SERVICE_OWN_LOADS,
)


def cost_options(service: Service) -> list[Any]:
    """The service's cost options, and Enlace's cost summary when they do not imply it."""
    options = sorted(service.cost_options, key=lambda c: c.id)
    implied = facts.derive_cost([{"amount": c.amount} for c in options])
    summary = facts.cost_option(service) if service.cost != implied else None
    return options + ([summary] if summary else [])


def service_json(session: Session, service: Service, get: Related | None = None) -> dict[str, Any]:
    """A fully nested HSDS service object."""
    return nest(service, "service", get or Related(session))


def location_json(session: Session, location_id: str) -> dict[str, Any] | None:
    """A fully nested location (the official ``location.json`` form), or None."""
    location = session.get(Location, location_id)
    return nest(location, "location", Related(session)) if location else None


# -- tables ---------------------------------------------------------------------------

# Tables in an order where every record comes after the records it names.
ORDER = ("organization", "program", "service", "location", "service_at_location", "contact",
         "phone", "schedule", "language", "funding", "accessibility", "organization_identifier",
         "address", "service_area", "required_document", "meta_table_description",
         "metadata", "attribute")  # fmt: skip


def _visible(table: str, obj: Any, hidden: set[str]) -> bool:
    """Is a record free of unpublished organizations? Records naming only hidden ones
    are hidden; an unlinked record (or one naming a record Enlace lacks) is not."""
    if table == "organization":
        return obj.published
    if table == "location" and obj.organization_id is None and obj.service_at_locations:
        return any(sal.service_id not in hidden for sal in obj.service_at_locations)
    refs = [getattr(obj, f) for f in mapping.TABLES[table].references]
    refs = [r for r in refs if r is not None]
    return not refs or any(r not in hidden for r in refs)


def tables(session: Session) -> dict[str, list[Row]]:
    """Every exported row, per HSDS table, sorted by id (values typed, or ``Original``)."""
    hidden: set[str] = set()
    objects: dict[str, list[Any]] = {}
    for table in ORDER:
        model = mapping.TABLES[table].model
        objects[table] = []
        for obj in session.scalars(select(model).order_by(model.id)):  # type: ignore[attr-defined]
            if _visible(table, obj, hidden):
                objects[table].append(obj)
            else:
                hidden.add(obj.id)
    services = objects["service"]
    linked = {s.id: {t.id for t in s.taxonomy_terms} for s in services}
    objects["attribute"] = [  # a service's link to a term Enlace has since removed is gone
        a
        for a in objects["attribute"]
        if a.link_id not in linked or a.taxonomy_term_id in linked[a.link_id]
    ]
    covered: dict[str, set[str]] = {}
    for a in objects["attribute"]:
        covered.setdefault(a.link_id, set()).add(a.taxonomy_term_id)
    derived = [a for s in services for a in facts.service_attributes(s, covered.get(s.id, set()))]
    derived += [a for o in objects["organization"] for a in facts.organization_attributes(o)]
    objects["attribute"] += derived
    objects["cost_option"] = [c for s in services for c in cost_options(s)]
    taxonomies = [t for t in session.scalars(select(Taxonomy)) if not is_derived(t)]
    objects["taxonomy"] = taxonomies
    objects["taxonomy_term"] = list(session.scalars(select(TaxonomyTerm)))
    if any(a["taxonomy_term_id"] in facts.TERMS_BY_ID for a in derived):
        objects["taxonomy"].append(facts.TAXONOMY)
        objects["taxonomy_term"] += facts.term_rows()
    out = {}
    for table, objs in objects.items():
        rows = [mapping.exchange_row(table, o) for o in objs]
        out[table] = sorted(rows, key=lambda r: r["id"])
    return out


def extension_fields(table: str, rows: list[Row]) -> list[str]:
    """Fields of ``rows`` beyond the official descriptor's, in order of appearance."""
    core = set(mapping.field_names(table))
    return list(dict.fromkeys(k for row in rows for k in row if k not in core))


def csv_text(table: str, rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = mapping.field_names(table) + extension_fields(table, rows)
    writer.writerow(names)
    for row in rows:
        writer.writerow([values.to_text(row.get(n)) for n in names])
    return buffer.getvalue()


def descriptor(data: dict[str, list[Row]]) -> dict[str, Any]:
    """The official descriptor, with the extension fields the data carries added to the
    resources that have them (type ``any``: they are written as they came)."""
    out = json.loads(json.dumps(schema.datapackage()))
    for resource in out["resources"]:
        extra = extension_fields(resource["name"], data.get(resource["name"], []))
        resource["schema"]["fields"] += [{"name": name, "type": "any"} for name in extra]
    return out


def write_csv_package(session: Session, out: Path) -> list[Path]:
    """A folder with the official ``datapackage.json`` and one CSV per HSDS table."""
    out.mkdir(parents=True, exist_ok=True)
    data = tables(session)
    written = [out / "datapackage.json"]
    written[0].write_text(json.dumps(descriptor(data), indent=2, ensure_ascii=False) + "\n")
    for name, resource in schema.resources().items():
        path = out / resource["path"]
        path.write_text(csv_text(name, data.get(name, [])), encoding="utf-8")
        written.append(path)
    return written


def tabular_json(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The examples' tabular JSON: every table's rows under its CSV file name."""
    data = tables(session)
    return {
        resource["path"]: [
            {k: values.to_json(v) for k, v in row.items() if v is not None}
            for row in data.get(name, [])
        ]
        for name, resource in schema.resources().items()
    }


def iter_services_json(session: Session) -> Iterator[dict[str, Any]]:
    get = Related(session)
    for service in published_services(session):
        yield service_json(session, service, get)


def write_json(session: Session, out: Path) -> int:
    """A JSON list of fully nested services; returns how many."""
    services = list(iter_services_json(session))
    out.write_text(json.dumps(services, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return len(services)
