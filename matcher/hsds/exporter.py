"""Export the published directory as HSDS 3.0: a tabular data package or nested JSON.

Output is deterministic (rows sorted by id, fixed formatting, the official
descriptor), so exporting, importing into an empty database and exporting again
gives identical files. Unpublished organizations and their records are left out.
Spanish text and Enlace's flags travel as attributes (see ``facts``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.hsds import facts, mapping, schema
from matcher.hsds.mapping import Row
from matcher.hsds.nesting import Getter, nest
from matcher.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    Taxonomy,
    TaxonomyTerm,
)

LOCATION_FULL: dict[str, Any] = {"addresses": {}, "phones": {}, "languages": {}, "schedules": {}}
SERVICE_FULL: dict[str, Any] = {
    "organization": {"phones": {}, "attributes": {}},
    "phones": {},
    "schedules": {},
    "service_areas": {},
    "service_at_locations": {"location": LOCATION_FULL},
    "languages": {},
    "cost_options": {},
    "required_documents": {},
    "contacts": {"phones": {}},
    "attributes": {"taxonomy_term": {"taxonomy_detail": {}}},
}


def published_services(session: Session) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .join(Organization)
            .where(Organization.published.is_(True))
            .order_by(Service.id)
        )
    )


def term_row(term: TaxonomyTerm) -> Row:
    row = mapping.hsds_row("taxonomy_term", term)
    row["taxonomy"] = term.taxonomy.name if term.taxonomy else None
    row["description"] = row["description"] or term.name  # required by HSDS
    return row


def related_in(session: Session) -> Getter:
    """The ``get`` for ``nesting.nest``: relations plus Enlace's derived rows."""

    def related(obj: Any, table: str, key: str) -> Any:
        if isinstance(obj, dict):  # a derived row: attribute -> term -> taxonomy
            if table == "attribute" and key == "taxonomy_term":
                term_id = obj["taxonomy_term_id"]
                if term_id in facts.TERMS_BY_ID:
                    return next(t for t in facts.term_rows() if t["id"] == term_id)
                return term_row(session.get(TaxonomyTerm, term_id))
            if table == "taxonomy_term" and key == "taxonomy_detail":
                if obj["taxonomy_id"] == facts.TAXONOMY["id"]:
                    return facts.TAXONOMY
                found = session.get(Taxonomy, obj["taxonomy_id"] or "")
                return taxonomy_row(found) if found else None
            return None
        if table == "service" and key == "attributes":
            rows = facts.service_attributes(obj) + facts.ancestor_attributes(obj)
            return sorted(rows, key=lambda r: r["id"])
        if table == "organization" and key == "attributes":
            return facts.organization_attributes(obj)
        if table == "service" and key == "cost_options":
            return cost_options(obj)
        value = getattr(obj, key)
        return sorted(value, key=lambda o: o.id) if isinstance(value, list) else value

    return related


def cost_options(service: Service) -> list[Any]:
    summary = facts.cost_option(service)
    return sorted(service.cost_options, key=lambda c: c.id) + ([summary] if summary else [])


def taxonomy_row(taxonomy: Taxonomy) -> Row:
    row = mapping.hsds_row("taxonomy", taxonomy)
    row["description"] = row["description"] or taxonomy.name  # required by HSDS
    return row


def service_json(session: Session, service: Service) -> dict[str, Any]:
    """A fully nested HSDS service object."""
    out = nest(service, "service", SERVICE_FULL, related_in(session))
    out["organization"]["description"] = _org_row(service.organization)["description"]
    return out


def tables(session: Session) -> dict[str, list[Row]]:
    """Every exported row, per HSDS table, sorted by id."""
    services = published_services(session)
    orgs = sorted({s.organization for s in services}, key=lambda o: o.id)
    org_ids = {o.id for o in orgs}
    service_ids = {s.id for s in services}
    locations = [
        loc
        for loc in session.scalars(select(Location).order_by(Location.id))
        if loc.organization_id in org_ids
        or any(sal.service_id in service_ids for sal in loc.service_at_locations)
    ]
    location_ids = {loc.id for loc in locations}

    def owned(model: type, *refs: str) -> list[Any]:
        rows = session.scalars(select(model).order_by(model.id))  # type: ignore[attr-defined]
        owners = {
            "organization_id": org_ids,
            "service_id": service_ids,
            "location_id": location_ids,
        }
        return [r for r in rows if any(getattr(r, ref) in owners[ref] for ref in refs)]

    contacts = owned(Contact, "organization_id", "service_id")
    contact_ids = {c.id for c in contacts}
    phones = [
        p
        for p in session.scalars(select(Phone).order_by(Phone.id))
        if p.organization_id in org_ids
        or p.service_id in service_ids
        or p.location_id in location_ids
        or p.contact_id in contact_ids
    ]
    out: dict[str, list[Row]] = {
        "organization": [_org_row(o) for o in orgs],
        "service": [mapping.hsds_row("service", s) for s in services],
        "location": [mapping.hsds_row("location", loc) for loc in locations],
        "address": [mapping.hsds_row("address", a) for loc in locations for a in loc.addresses],
        "service_at_location": [
            mapping.hsds_row("service_at_location", sal)
            for s in services
            for sal in s.service_at_locations
        ],
        "contact": [mapping.hsds_row("contact", c) for c in contacts],
        "phone": [mapping.hsds_row("phone", p) for p in phones],
        "schedule": [
            mapping.hsds_row("schedule", x) for x in owned(Schedule, "service_id", "location_id")
        ],
        "language": [
            mapping.hsds_row("language", x) for x in owned(Language, "service_id", "location_id")
        ],
        "service_area": [
            mapping.hsds_row("service_area", a) for s in services for a in s.service_areas
        ],
        "cost_option": [
            r if isinstance(r, dict) else mapping.hsds_row("cost_option", r)
            for s in services
            for r in cost_options(s)
        ],
        "required_document": [
            mapping.hsds_row("required_document", d) for s in services for d in s.required_documents
        ],
        "taxonomy": [taxonomy_row(t) for t in session.scalars(select(Taxonomy))] + [facts.TAXONOMY],
        "taxonomy_term": [term_row(t) for t in session.scalars(select(TaxonomyTerm))]
        + facts.term_rows(),
        "attribute": [a for s in services for a in facts.service_attributes(s)]
        + [a for o in orgs for a in facts.organization_attributes(o)],
    }
    for name, rows in out.items():
        rows.sort(key=lambda r: r["id"])
        out[name] = [{**dict.fromkeys(mapping.field_names(name)), **r} for r in rows]
    return out


def _org_row(org: Organization) -> Row:
    row = mapping.hsds_row("organization", org)
    row["description"] = row["description"] or org.name  # required by HSDS
    return row


def csv_text(table: str, rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = mapping.field_names(table)
    writer.writerow(names)
    for row in rows:
        writer.writerow([mapping.to_text(row.get(n)) for n in names])
    return buffer.getvalue()


def write_csv_package(session: Session, out: Path) -> list[Path]:
    """A folder with the official ``datapackage.json`` and one CSV per HSDS table."""
    out.mkdir(parents=True, exist_ok=True)
    data = tables(session)
    written = [out / "datapackage.json"]
    written[0].write_text(json.dumps(schema.datapackage(), indent=2, ensure_ascii=False) + "\n")
    for name, resource in schema.resources().items():
        path = out / resource["path"]
        path.write_text(csv_text(name, data.get(name, [])), encoding="utf-8")
        written.append(path)
    return written


def iter_services_json(session: Session) -> Iterator[dict[str, Any]]:
    for service in published_services(session):
        yield service_json(session, service)


def write_json(session: Session, out: Path) -> int:
    """A JSON list of fully nested services; returns how many."""
    services = list(iter_services_json(session))
    out.write_text(json.dumps(services, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return len(services)
