"""Best-effort conversion of older directory formats to HSDS 3.0 tables.

Two formats are read: an HSDS 1.1 tabular data package (``datapackage.json`` with
version 1.x and tables such as ``physical_addresses``) and Ohana API CSV (Code for
America, 2014-15: ``organizations.csv``, ``locations.csv``, ``services.csv``... and no
descriptor). Both become the same typed tables the 3.0 reader produces, so the one
loader writes them with the same checks, transaction and idempotence.

What changes on the way (README, "Older formats"): integer ids become stable UUIDs;
weekday names or numbers (1 = Monday) become ``byday``; free-text times ("3pm") are
read when they can be; language names get ISO codes (``languages.code_for``);
comma-separated cells (languages, service areas, taxonomy ids) become rows; Ohana
services, which belong to one location, get that location's organization and a
service_at_location. Holiday schedules, payments, accessibility, funding, programs,
keywords and audience are dropped (the tables are reported as skipped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from matcher.core.upsert import stable_id
from matcher.directory import languages
from matcher.directory.taxonomy import OPEN_ELIGIBILITY
from matcher.hsds import HSDSError
from matcher.hsds.package import Source, SourceRow, Tables, csv_records, type_row
from matcher.hsds.values import UUID_RE

HSDS3, HSDS11, OHANA = "HSDS 3.0", "HSDS 1.1", "Ohana API CSV"
OHANA_FILES = ("organizations.csv", "locations.csv", "services.csv")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    name: code
    for code, names in zip(
        WEEKDAYS,
        (("monday", "mon"), ("tuesday", "tue"), ("wednesday", "wed"), ("thursday", "thu"),
         ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")),
        strict=True,
    )
    for name in names
}  # fmt: skip
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p")
# HSDS 1.1 tables Enlace has no place for: reported as skipped under the 3.0 name.
DROPPED_11 = {
    "programs.csv": "program",
    "funding.csv": "funding",
    "accessibility_for_disabilities.csv": "accessibility",
    "metadata.csv": "metadata",
    "meta_table_descriptions.csv": "meta_table_description",
    "holiday_schedules.csv": "holiday_schedule",
    "payments_accepted.csv": "payment_accepted",
}


def detect(path: Path) -> str:
    """Which format a package is: from its descriptor's version and tables, or Ohana's files."""
    if path.suffix.lower() == ".json" or path.is_file():
        return HSDS3
    descriptor = path / "datapackage.json"
    if descriptor.is_file():
        try:
            data = json.loads(descriptor.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return HSDS3  # the 3.0 reader reports the problem precisely
        names = {r.get("name") for r in data.get("resources", []) if isinstance(r, dict)}
        if str(data.get("version", "")).startswith("1") or "physical_addresses" in names:
            return HSDS11
        return HSDS3
    if _ohana_folder(path) is not None:
        return OHANA
    return HSDS3


def _ohana_folder(path: Path) -> Path | None:
    for folder in sorted([path, *(p for p in path.rglob("*") if p.is_dir())]):
        if all((folder / name).is_file() for name in OHANA_FILES):
            return folder
    return None


# -- shared helpers -------------------------------------------------------------------


class Builder:
    """Collects raw 3.0 rows per table and types them with the 3.0 rules."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.tables: Tables = {}

    def id(self, table: str, raw: str | None) -> str | None:
        """A UUID as is; any other id as a stable UUID derived from it."""
        if not raw:
            return None
        return raw if UUID_RE.match(raw) else stable_id(self.prefix, table, raw)

    def add(self, table: str, file: str, row: int | str, values: dict[str, Any]) -> None:
        where = SourceRow(file, row, {})
        self.tables.setdefault(table, []).append(type_row(table, values, where, complete=True))

    def skip(self, table: str, file: str, count: int) -> None:
        """Rows of a table Enlace does not store (the loader reports them as skipped)."""
        rows = self.tables.setdefault(table, [])
        rows.extend(SourceRow(file, n, {"id": f"{file}:{n}"}, skipped=True) for n in range(count))


def read_csv(source: Source, name: str) -> list[dict[str, str]]:
    _header, records = csv_records(source.read_text(name), name)
    return [{k.strip(): v.strip() for k, v in row.items() if k} for _line, row in records]


def split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(",") if part.strip()]


def weekday(value: str) -> str | None:
    """``BYDAY`` code for "Monday", "mon" or a number (1 = Monday ... 7 = Sunday)."""
    text = value.strip().lower()
    if text.isdigit() and 1 <= int(text) <= 7:
        return WEEKDAYS[int(text) - 1]
    return DAY_NAMES.get(text)


def clock(value: str) -> str | None:
    """An ISO time for "08:00", "4:00 PM" or "3pm", else None."""
    text = value.strip().upper()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time().isoformat()
        except ValueError:
            continue
    return None


def number(value: str | None) -> str | None:
    """Digits only (HSDS numbers such as a phone extension), else None."""
    text = (value or "").strip()
    return text if text.isdigit() else None


def schedule_row(
    b: Builder, file: str, n: int, raw: dict[str, str], refs: dict[str, str | None]
) -> None:
    """A weekly schedule; a day or time that cannot be read is kept as its description."""
    day = weekday(raw.get("weekday", ""))
    opens, closes = clock(raw.get("opens_at", "")), clock(raw.get("closes_at", ""))
    readable = day and (opens or not raw.get("opens_at")) and (closes or not raw.get("closes_at"))
    text = f"{raw.get('weekday', '')} {raw.get('opens_at', '')}-{raw.get('closes_at', '')}"
    b.add("schedule", file, n, {
        "id": b.id("schedule", raw.get("id")), **refs, "freq": "WEEKLY", "byday": day,
        "opens_at": opens, "closes_at": closes,
        "description": None if readable else text.strip(),
    })  # fmt: skip


def language_rows(
    b: Builder, file: str, n: int, names: list[str], owner: str, owner_id: str | None,
    row_id: str | None = None,
) -> None:  # fmt: skip
    for name in names:
        b.add("language", file, n, {
            "id": b.id("language", row_id)
            or stable_id(b.prefix, "language", owner, owner_id or "", name),
            f"{owner}_id": owner_id, "name": name, "code": languages.code_for(name),
        })  # fmt: skip


# -- HSDS 1.1 -------------------------------------------------------------------------


def read_hsds11(path: Path) -> Tables:
    """An HSDS 1.1 data package as 3.0 tables."""
    source = Source(path)
    present = set(source.names())
    b = Builder("hsds-1.1")

    def rows(name: str) -> list[tuple[int, dict[str, str]]]:
        return list(enumerate(read_csv(source, name), start=2)) if name in present else []

    eligibility: dict[str, list[str]] = {}
    for _n, r in rows("eligibility.csv"):
        eligibility.setdefault(r["service_id"], []).append(r.get("eligibility", ""))
    for n, r in rows("organizations.csv"):
        b.add("organization", "organizations.csv", n, {
            **_pick(r, "name", "alternate_name", "email", "tax_status", "tax_id",
                    "year_incorporated", "legal_status"),
            "id": b.id("organization", r["id"]),
            "description": r.get("description") or r.get("name"),
            "website": r.get("url"),
        })  # fmt: skip
    for n, r in rows("locations.csv"):
        b.add("location", "locations.csv", n, {
            **_pick(r, "name", "alternate_name", "description", "transportation",
                    "latitude", "longitude"),
            "id": b.id("location", r["id"]), "location_type": "physical",
            "organization_id": b.id("organization", r.get("organization_id")),
        })  # fmt: skip
    for name, kind in (("physical_addresses.csv", "physical"), ("postal_addresses.csv", "postal")):
        for n, r in rows(name):
            b.add("address", name, n, {
                **_pick(r, "attention", "address_1", "address_2", "city", "region",
                        "state_province", "postal_code", "country"),
                "id": b.id("address", r["id"]), "address_type": kind,
                "location_id": b.id("location", r.get("location_id")),
            })  # fmt: skip
    for n, r in rows("services.csv"):
        b.add("service", "services.csv", n, {
            **_pick(r, "name", "alternate_name", "description", "url", "email", "status",
                    "interpretation_services", "application_process", "wait_time",
                    "accreditations", "licenses"),
            "id": b.id("service", r["id"]),
            "organization_id": b.id("organization", r.get("organization_id")),
            "fees_description": r.get("fees"),
            "eligibility_description": "; ".join(e for e in eligibility.get(r["id"], []) if e),
        })  # fmt: skip
    for n, r in rows("services_at_location.csv"):
        b.add("service_at_location", "services_at_location.csv", n, {
            "id": b.id("service_at_location", r["id"]), "description": r.get("description"),
            "service_id": b.id("service", r.get("service_id")),
            "location_id": b.id("location", r.get("location_id")),
        })  # fmt: skip
    for n, r in rows("contacts.csv"):
        b.add("contact", "contacts.csv", n, {
            **_pick(r, "name", "title", "department", "email"),
            "id": b.id("contact", r["id"]), **_refs(b, r, "organization", "service"),
        })  # fmt: skip
    for n, r in rows("phones.csv"):
        b.add("phone", "phones.csv", n, {
            **_pick(r, "number", "type", "description"),
            "id": b.id("phone", r["id"]), "extension": number(r.get("extension")),
            **_refs(b, r, "organization", "service", "location", "contact"),
        })  # fmt: skip
    for n, r in rows("regular_schedules.csv"):
        schedule_row(b, "regular_schedules.csv", n, r, _refs(b, r, "service", "location"))
    for n, r in rows("languages.csv"):
        owner = "service" if r.get("service_id") else "location"
        owner_id = b.id(owner, r.get(f"{owner}_id"))
        language_rows(b, "languages.csv", n, [r.get("language", "")], owner, owner_id, r["id"])
    for n, r in rows("service_areas.csv"):
        b.add("service_area", "service_areas.csv", n, {
            "id": b.id("service_area", r["id"]), "name": r.get("service_area"),
            "description": r.get("description"),
            "service_id": b.id("service", r.get("service_id")),
        })  # fmt: skip
    for n, r in rows("required_documents.csv"):
        b.add("required_document", "required_documents.csv", n, {
            "id": b.id("required_document", r["id"]), "document": r.get("document"),
            "service_id": b.id("service", r.get("service_id")),
        })  # fmt: skip
    for n, r in rows("taxonomy.csv"):
        b.add("taxonomy_term", "taxonomy.csv", n, {
            "id": b.id("taxonomy_term", r["id"]), "name": r["name"],
            "description": r["name"], "taxonomy": r.get("vocabulary") or None,
            "parent_id": b.id("taxonomy_term", r.get("parent_id")),
        })  # fmt: skip
    for n, r in rows("services_taxonomy.csv"):
        b.add("attribute", "services_taxonomy.csv", n, {
            "id": b.id("attribute", r["id"]), "link_entity": "service",
            "link_id": b.id("service", r.get("service_id")),
            "taxonomy_term_id": b.id("taxonomy_term", r.get("taxonomy_id")),
        })  # fmt: skip
    for name, table in DROPPED_11.items():
        b.skip(table, name, len(rows(name)))
    return b.tables


def _pick(row: dict[str, str], *names: str) -> dict[str, str | None]:
    return {name: row.get(name) or None for name in names}


def _refs(b: Builder, row: dict[str, str], *tables: str) -> dict[str, str | None]:
    return {f"{t}_id": b.id(t, row.get(f"{t}_id")) for t in tables}


# -- Ohana ----------------------------------------------------------------------------


def read_ohana(path: Path) -> Tables:
    """Ohana API sample CSVs as 3.0 tables."""
    folder = _ohana_folder(path)
    if folder is None:
        raise HSDSError("not an Ohana CSV folder (organizations, locations, services)", str(path))
    source = Source(folder)
    present = set(source.names())
    b = Builder("ohana")

    def rows(name: str) -> list[tuple[int, dict[str, str]]]:
        return list(enumerate(read_csv(source, name), start=2)) if name in present else []

    for n, r in rows("organizations.csv"):
        year = (r.get("date_incorporated") or "")[-4:]
        b.add("organization", "organizations.csv", n, {
            **_pick(r, "name", "alternate_name", "email", "legal_status", "tax_id",
                    "tax_status", "website"),
            "id": b.id("organization", r["id"]),
            "description": r.get("description") or r.get("name"),
            "year_incorporated": year if year.isdigit() else None,
        })  # fmt: skip
    org_of: dict[str, str | None] = {}
    for n, r in rows("locations.csv"):
        loc_id = b.id("location", r["id"])
        org_of[r["id"]] = b.id("organization", r.get("organization_id"))
        virtual = r.get("virtual", "").lower() == "true"
        b.add("location", "locations.csv", n, {
            **_pick(r, "name", "alternate_name", "transportation", "latitude", "longitude"),
            "id": loc_id, "organization_id": org_of[r["id"]],
            "location_type": "virtual" if virtual else "physical",
            "description": r.get("description") or r.get("short_desc") or None,
            "url": r.get("website") or None,
        })  # fmt: skip
        language_rows(b, "locations.csv", n, split(r.get("languages")), "location", loc_id)
    for name, kind in (("addresses.csv", "physical"), ("mail_addresses.csv", "postal")):
        for n, r in rows(name):
            b.add("address", name, n, {
                **_pick(r, "attention", "address_1", "address_2", "city", "state_province",
                        "postal_code", "country"),
                "id": b.id(f"address-{kind}", r["id"]), "address_type": kind,
                "location_id": b.id("location", r.get("location_id")),
            })  # fmt: skip
    _ohana_services(b, rows("services.csv"), org_of, rows("taxonomy.csv"))
    for n, r in rows("contacts.csv"):
        org = b.id("organization", r.get("organization_id")) or org_of.get(r.get("location_id"))
        b.add("contact", "contacts.csv", n, {
            **_pick(r, "name", "title", "email", "department"),
            "id": b.id("contact", r["id"]), "organization_id": org,
            "service_id": b.id("service", r.get("service_id")),
        })  # fmt: skip
    for n, r in rows("phones.csv"):
        b.add("phone", "phones.csv", n, {
            "id": b.id("phone", r["id"]), "number": r.get("number"),
            "extension": number(r.get("extension")), "type": r.get("number_type") or None,
            "description": r.get("department") or None,
            **_refs(b, r, "organization", "service", "location", "contact"),
        })  # fmt: skip
    for n, r in rows("regular_schedules.csv"):
        schedule_row(b, "regular_schedules.csv", n, r, _refs(b, r, "service", "location"))
    b.skip("holiday_schedule", "holiday_schedules.csv", len(rows("holiday_schedules.csv")))
    b.skip("program", "programs.csv", len(rows("programs.csv")))
    return b.tables


def _ohana_services(
    b: Builder,
    services: list[tuple[int, dict[str, str]]],
    org_of: dict[str, str | None],
    taxonomy: list[tuple[int, dict[str, str]]],
) -> None:
    """Services (each at one location), their areas, languages, documents and categories."""
    names = {r["taxonomy_id"]: r["name"] for _n, r in taxonomy}
    used: dict[str, str] = {}
    for n, r in services:
        sid = b.id("service", r["id"])
        b.add("service", "services.csv", n, {
            **_pick(r, "name", "alternate_name", "description", "email", "status",
                    "interpretation_services", "application_process", "wait_time"),
            "id": sid, "organization_id": org_of.get(r.get("location_id")),
            "url": r.get("website") or None, "fees_description": r.get("fees") or None,
            "eligibility_description": r.get("eligibility") or None,
        })  # fmt: skip
        if r.get("location_id"):
            b.add("service_at_location", "services.csv", n, {
                "id": stable_id("ohana", "service_at_location", r["id"]), "service_id": sid,
                "location_id": b.id("location", r["location_id"]),
            })  # fmt: skip
        for area in split(r.get("service_areas")):
            b.add("service_area", "services.csv", n, {
                "id": stable_id("ohana", "service_area", r["id"], area), "service_id": sid,
                "name": area,
            })  # fmt: skip
        language_rows(b, "services.csv", n, split(r.get("languages")), "service", sid)
        if r.get("required_documents"):
            b.add("required_document", "services.csv", n, {
                "id": stable_id("ohana", "required_document", r["id"]), "service_id": sid,
                "document": r["required_documents"],
            })  # fmt: skip
        for code in split(r.get("taxonomy_ids")):
            used[code] = b.id("taxonomy_term", code) or ""
            b.add("attribute", "services.csv", n, {
                "id": stable_id("ohana", "attribute", r["id"], code), "link_id": sid,
                "link_entity": "service", "taxonomy_term_id": used[code],
            })  # fmt: skip
    for code, term_id in sorted(used.items()):
        parent = code.rsplit("-", 1)[0] if "-" in code else None
        b.add("taxonomy_term", "taxonomy.csv", code, {
            "id": term_id, "code": code, "name": names.get(code, code),
            "description": names.get(code, code), "taxonomy": OPEN_ELIGIBILITY["name"],
            "parent_id": used.get(parent) if parent else None,
        })  # fmt: skip


READERS: dict[str, Callable[[Path], Tables]] = {HSDS11: read_hsds11, OHANA: read_ohana}
