"""Load the sample directories shipped in ``seed_data/samples/<county>/``: organizations,
services, locations, districts and schools, labelled as unverified sample data.

Each sample directory has a ``county.toml`` (its county settings), ``directory.json``,
``districts.csv`` and ``schools.csv``. Every record gets a UUID derived from its key in the
sample files, so loading twice changes nothing and editing a file updates records in
place. Reference data (taxonomy, barriers) is ``matcher.directory.reference``; it must be
loaded first.
"""

from __future__ import annotations

import csv
import json
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from matcher.config import PROJECT_ROOT
from matcher.core.upsert import ChangeCounts, stable_id, sync_children, sync_links, upsert
from matcher.directory import county, geo, languages
from matcher.directory.taxonomy import term_id
from matcher.models import (
    Address,
    District,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    School,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

SAMPLE_DIRS = county.sample_dirs()
# The first (today the only) shipped sample: the demo ``scripts/run.sh`` serves.
SEED_DIR = SAMPLE_DIRS[0] if SAMPLE_DIRS else PROJECT_ROOT / "seed_data" / "samples"
DIRECTORY_FILE = SEED_DIR / "directory.json"
DISTRICTS_FILE = SEED_DIR / "districts.csv"
SCHOOLS_FILE = SEED_DIR / "schools.csv"

SAMPLE_SOURCE = (
    "Sample data compiled from public sources (see README, Data sources); "
    "not verified by the organization."
)


def load_samples(session: Session, counts: ChangeCounts | None = None) -> ChangeCounts:
    """Load every shipped sample directory; reference data must be there. Caller commits."""
    counts = counts if counts is not None else ChangeCounts()
    for directory in SAMPLE_DIRS:
        settings = county.load_settings(directory / county.SETTINGS_FILE_NAME)
        load_directory(session, counts, directory / "directory.json", settings.short_name)
        load_schools(
            session,
            counts,
            directory / "districts.csv",
            directory / "schools.csv",
            settings.short_name,
        )
    session.flush()
    return counts


def _phones(owner_key: str, phones: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            stable_id(owner_key, "phone", p["number"]),
            {"number": p["number"], "description": p.get("description"), "type": p.get("type")},
        )
        for p in phones
    ]


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _location(session: Session, org_key: str, spec: dict[str, Any], counts: ChangeCounts):
    key = f"{org_key}/{spec['key']}"
    point = None
    if spec.get("latitude") is not None and spec.get("longitude") is not None:
        point = (spec["latitude"], spec["longitude"], "source")
    elif spec.get("location_type", "physical") == "physical":
        point = geo.approximate_point(spec.get("postal_code"), spec["city"])
    location = upsert(
        session,
        Location,
        stable_id("location", key),
        {
            "organization_id": stable_id("organization", org_key),
            "location_type": spec.get("location_type", "physical"),
            "name": spec.get("name"),
            "description": spec.get("description"),
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
            "coordinates_source": point[2] if point else None,
        },
        counts,
    )
    sync_children(
        location.addresses,
        Address,
        [
            (
                stable_id("location", key, "address"),
                {
                    "address_1": spec.get("address_1"),
                    "address_2": spec.get("address_2"),
                    "city": spec["city"],
                    "state_province": "CA",
                    "postal_code": spec.get("postal_code") or "",
                    "country": "US",
                    "address_type": "physical",
                },
            )
        ]
        if spec.get("city")
        else [],
        counts,
    )
    return location


def _service_areas(
    key: str, area: dict[str, Any] | None, county_name: str
) -> list[tuple[str, dict[str, Any]]]:
    if not area:
        return []
    if area["kind"] == "countywide":
        return [(stable_id(key, "area", "county"), {"kind": "county", "name": county_name})]
    if area["kind"] == "cities":
        return [
            (stable_id(key, "area", city), {"kind": "city", "name": city})
            for city in area["cities"]
        ]
    return [
        (stable_id(key, "area", "text"), {"kind": "text", "description": area.get("description")})
    ]


def _schedules(key: str, specs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for n, spec in enumerate(specs):
        rows.append(
            (
                stable_id(key, "schedule", str(n)),
                {
                    "freq": "WEEKLY" if spec.get("byday") else None,
                    "byday": ",".join(spec.get("byday") or []) or None,
                    "opens_at": _time(spec.get("opens_at")),
                    "closes_at": _time(spec.get("closes_at")),
                    "description": spec.get("description"),
                    "notes": spec.get("notes"),
                },
            )
        )
    return rows


def _service(
    session: Session,
    org_key: str,
    spec: dict[str, Any],
    locations: dict[str, Location],
    counts: ChangeCounts,
    county_name: str,
) -> None:
    key = f"{org_key}/{spec['key']}"
    service = upsert(
        session,
        Service,
        stable_id("service", key),
        {
            "organization_id": stable_id("organization", org_key),
            "name": spec["name"],
            "description": spec.get("description"),
            "status": spec.get("status", "active"),
            "url": spec.get("url"),
            "email": spec.get("email"),
            "cost": spec.get("cost"),
            "fees_description": spec.get("fees_description"),
            "eligibility_description": spec.get("eligibility_description"),
            "application_process": spec.get("application_process"),
            "interpretation_services": spec.get("interpretation_services"),
            "minimum_age": spec.get("minimum_age"),
            "maximum_age": spec.get("maximum_age"),
            "accepting_referrals": spec.get("accepting_referrals"),
            "id_required": spec.get("id_required"),
            "notes": spec.get("notes"),
            "last_verified_at": None,
        },
        counts,
    )
    spanish = {
        field: spec.get(f"{field}_es")
        for field in Service.TRANSLATED_FIELDS
        if spec.get(f"{field}_es")
    }
    if spanish:
        before = service.translation("es")
        snapshot = {f: getattr(before, f) for f in Service.TRANSLATED_FIELDS} if before else None
        service.set_translation("es", **{f: spanish.get(f) for f in Service.TRANSLATED_FIELDS})
        after = {f: getattr(service.translation("es"), f) for f in Service.TRANSLATED_FIELDS}
        counts.add("service_translation", "unchanged" if snapshot == after else "updated")
    terms = []
    for code in spec.get("taxonomy_terms", []):
        term = session.get(TaxonomyTerm, term_id(code))
        if term is None:
            raise ValueError(f"service {key} uses unknown taxonomy term {code}")
        terms.append(term)
    sync_links(service.taxonomy_terms, terms, "service_taxonomy_term", counts)
    sync_children(
        service.languages,
        Language,
        [
            (
                stable_id(key, "language", lang["code"]),
                {
                    "code": lang["code"],
                    "name": languages.name(lang["code"], "en"),
                    "interpreter": bool(lang.get("interpreter", False)),
                },
            )
            for lang in spec.get("languages", [])
        ],
        counts,
    )
    sync_children(
        service.service_at_locations,
        ServiceAtLocation,
        [
            (stable_id(key, "at", loc_key), {"location": locations[loc_key]})
            for loc_key in spec.get("location_keys", [])
        ],
        counts,
    )
    sync_children(
        service.service_areas,
        ServiceArea,
        _service_areas(key, spec.get("service_area"), county_name),
        counts,
    )
    sync_children(service.schedules, Schedule, _schedules(key, spec.get("schedules", [])), counts)
    sync_children(service.phones, Phone, _phones(key, spec.get("phones", [])), counts)


def load_directory(
    session: Session,
    counts: ChangeCounts,
    path: Path = DIRECTORY_FILE,
    county_name: str | None = None,
) -> None:
    """One sample ``directory.json``; "countywide" areas name ``county_name``."""
    county_name = county_name or county.load_settings(path.parent / "county.toml").short_name
    data = json.loads(path.read_text(encoding="utf-8"))
    for org in data["organizations"]:
        org_key = org["key"]
        organization = upsert(
            session,
            Organization,
            stable_id("organization", org_key),
            {
                "name": org["name"],
                "alternate_name": org.get("alternate_name"),
                "description": org.get("description"),
                "website": org.get("website"),
                "email": org.get("email"),
                "source": SAMPLE_SOURCE,
                "notes": org.get("notes"),
                "last_verified_at": None,
                "published": True,
            },
            counts,
        )
        if org.get("description_es"):
            row = organization.translation("es")
            if row is None or row.description != org["description_es"]:
                organization.set_translation("es", description=org["description_es"])
        sync_children(organization.phones, Phone, _phones(org_key, org.get("phones", [])), counts)
        session.flush()
        locations = {
            spec["key"]: _location(session, org_key, spec, counts)
            for spec in org.get("locations", [])
        }
        session.flush()
        for spec in org.get("services", []):
            _service(session, org_key, spec, locations, counts, county_name)
        session.flush()


def _ccspp(value: str) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip().lower())


def load_schools(
    session: Session,
    counts: ChangeCounts,
    districts_path: Path = DISTRICTS_FILE,
    schools_path: Path = SCHOOLS_FILE,
    county_name: str | None = None,
) -> None:
    county_name = (
        county_name or county.load_settings(schools_path.parent / "county.toml").short_name
    )
    with districts_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            upsert(
                session,
                District,
                stable_id("district", row["key"]),
                {
                    "key": row["key"],
                    "name": row["name"],
                    "ccspp": _ccspp(row["ccspp"]),
                    "county": county_name,
                },
                counts,
            )
    session.flush()
    with schools_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    district_ids = {d.name: d.id for d in session.query(District)}
    district_keys = {d.key: d.id for d in session.query(District)}
    for row in rows:
        point = geo.approximate_point(row.get("postal_code"), row["city"])
        upsert(
            session,
            School,
            stable_id("school", row["key"]),
            {
                "key": row["key"],
                "name": row["name"],
                "district_id": district_ids.get(row["district"])
                or district_keys.get(row["district"]),
                "address_1": row.get("address_1") or None,
                "city": row["city"],
                "postal_code": row.get("postal_code") or "",
                "latitude": point[0] if point else None,
                "longitude": point[1] if point else None,
                "coordinates_source": point[2] if point else None,
                "ccspp": _ccspp(row.get("ccspp", "")),
                "notes": row.get("notes") or None,
                "county": county_name,
                "active": True,
            },
            counts,
        )
    session.flush()
