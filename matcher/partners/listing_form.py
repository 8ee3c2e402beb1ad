"""A listing as a plain dict and back: what partners edit, what a submission carries, and
how an approved payload is written into the live organization and service rows.

The review queue (``matcher.partners.review``) diffs these dicts and applies them only on
approval; registration (``matcher.partners.registration``) builds them from forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.directory import geo, languages
from matcher.models import (
    Address,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

ORG_FIELDS = (
    "name",
    "description",
    "description_es",
    "website",
    "email",
    "phone",
    "address_1",
    "city",
    "postal_code",
)
SERVICE_FIELDS = (
    "name",
    "name_es",
    "description",
    "description_es",
    "categories",
    "languages",
    "interpreted",
    "location",
    "address_1",
    "city",
    "postal_code",
    "service_area",
    "hours",
    "min_age",
    "max_age",
    "grade_min",
    "grade_max",
    "eligibility",
    "id_required",
    "documents",
    "cost",
    "accepting_referrals",
    "referral_name",
    "referral_email",
    "referral_phone",
    "phone",
    "website",
    "email",
)
GRADES = ("PK", "TK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
DECISIONS = ("approved", "changes_requested", "rejected")
REFERRAL_CONTACT = "Referrals"
# Grades have no HSDS column: they lead the eligibility text in a fixed, parseable form.
_GRADES_EN = re.compile(r"^Grades (\w+)[–-](\w+)\.\s*")
_GRADES_ES = re.compile(r"^Grados (\w+)[–-](\w+)\.\s*")


class ReviewError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- live listing <-> plain dict --------------------------------------------------------


def _first_address(locations: Iterable[Location]) -> tuple[Location | None, Address | None]:
    for location in locations:
        if location.location_type != "virtual":
            return location, location.physical_address
    return None, None


def organization_form(org: Organization) -> dict[str, Any]:
    """The live organization in payload form, for diffs and prefilled edit forms."""
    _location, address = _first_address(org.locations)
    es = org.translation("es")
    return {
        "name": org.name,
        "description": org.description or "",
        "description_es": (es.description if es else None) or "",
        "website": org.website or "",
        "email": org.email or "",
        "phone": org.phones[0].number if org.phones else "",
        "address_1": (address.address_1 if address else None) or "",
        "city": address.city if address else "",
        "postal_code": address.postal_code if address else "",
    }


def _split_grades(text: str | None, pattern: re.Pattern) -> tuple[str, str, str]:
    found = pattern.match(text or "")
    if not found:
        return "", "", text or ""
    return found.group(1), found.group(2), (text or "")[found.end() :]


def service_form(service: Service) -> dict[str, Any]:
    """The live service in payload form."""
    es = service.translation("es")
    _location, address = _first_address(service.locations)
    grade_min, grade_max, eligibility = _split_grades(service.eligibility_description, _GRADES_EN)
    area = service.service_areas[0] if service.service_areas else None
    referral = next((c for c in service.contacts if c.title == REFERRAL_CONTACT), None)
    return {
        "name": service.name,
        "name_es": (es.name if es else None) or "",
        "description": service.description or "",
        "description_es": (es.description if es else None) or "",
        "categories": sorted(t.id for t in service.taxonomy_terms),
        "languages": sorted(set(service.language_codes) - set(service.interpreted_codes)),
        "interpreted": sorted(service.interpreted_codes),
        "location": "address" if address else "virtual",
        "address_1": (address.address_1 if address else None) or "",
        "city": address.city if address else "",
        "postal_code": address.postal_code if address else "",
        "service_area": ("county" if area.kind == "county" else area.name or "") if area else "",
        "hours": {
            day: f"{s.opens_at:%H:%M}-{s.closes_at:%H:%M}"
            for s in service.schedules
            if s.opens_at and s.closes_at
            for day in s.days
        },
        "min_age": service.minimum_age,
        "max_age": service.maximum_age,
        "grade_min": grade_min,
        "grade_max": grade_max,
        "eligibility": eligibility,
        "id_required": {None: "", True: "yes", False: "no"}[service.id_required],
        "documents": [d.document for d in service.required_documents],
        "cost": service.cost or "",
        "accepting_referrals": {None: "", True: "yes", False: "no"}[service.accepting_referrals],
        "referral_name": (referral.name if referral else None) or "",
        "referral_email": (referral.email if referral else None) or "",
        "referral_phone": referral.phones[0].number if referral and referral.phones else "",
        "phone": service.phones[0].number if service.phones else "",
        "website": service.url or "",
        "email": service.email or "",
    }


def _place_point(city: str, postal_code: str) -> tuple[float, float, str] | None:
    """Offline coordinates: the ZIP centroid, else the city's point (both approximate)."""
    for text, source in ((postal_code, "zip_centroid"), (city, "city")):
        if text:
            try:
                place = geo.resolve_place(text)
            except geo.PlaceError:
                continue
            return place.latitude, place.longitude, source
    return None


def _location(owner: Organization, data: dict[str, Any], name: str | None) -> Location:
    location = Location(organization=owner, location_type="physical", name=name)
    point = _place_point(data.get("city", ""), data.get("postal_code", ""))
    if point:
        location.latitude, location.longitude, location.coordinates_source = point
    location.addresses.append(
        Address(
            address_1=data.get("address_1") or None,
            city=data.get("city") or "",
            postal_code=data.get("postal_code") or "",
            state_province="CA",
            address_type="physical",
        )
    )
    return location


def _same_address(address: Address | None, data: dict[str, Any]) -> bool:
    return address is not None and (
        (address.address_1 or "", address.city, address.postal_code)
        == (data.get("address_1", ""), data.get("city", ""), data.get("postal_code", ""))
    )


def apply_organization(org: Organization, data: dict[str, Any]) -> None:
    if "name" in data:
        org.name = data["name"]
    for field in ("description", "website", "email"):
        if field in data:
            setattr(org, field, data[field] or None)
    if "description_es" in data:
        org.set_translation("es", description=data["description_es"])
    if "phone" in data:
        org.phones = [Phone(number=data["phone"])] if data["phone"] else []
    if {"address_1", "city", "postal_code"} & data.keys():
        merged = {**organization_form(org), **data}
        _location_row, address = _first_address(org.locations)
        if not _same_address(address, merged) and merged["city"]:
            if _location_row is not None:
                org.locations.remove(_location_row)
            org.locations.append(_location(org, merged, org.name))


def _schedules(hours: dict[str, str]) -> list[Schedule]:
    rows = []
    for day, window in sorted(hours.items()):
        opens, closes = window.split("-")
        rows.append(
            Schedule(
                freq="WEEKLY",
                byday=day,
                opens_at=time.fromisoformat(opens),
                closes_at=time.fromisoformat(closes),
            )
        )
    return rows


def _eligibility(data: dict[str, Any], pattern_text: str) -> str | None:
    grades = ""
    if data.get("grade_min") and data.get("grade_max"):
        grades = f"{pattern_text} {data['grade_min']}–{data['grade_max']}."
    return " ".join(p for p in (grades, data.get("eligibility") or "") if p) or None


def apply_service(session: Session, service: Service, data: dict[str, Any]) -> None:
    """Write the fields present in ``data`` into ``service``."""
    simple = {"description": "description", "website": "url", "email": "email"}
    for field, column in simple.items():
        if field in data:
            setattr(service, column, data[field] or None)
    if data.get("name"):
        service.name = data["name"]
    if "name_es" in data or "description_es" in data:
        current = service_form(service) if service.id else {}
        service.set_translation(
            "es",
            name=data.get("name_es", current.get("name_es")),
            description=data.get("description_es", current.get("description_es")),
        )
    if "categories" in data:
        ids = list(data["categories"])
        service.taxonomy_terms = list(
            session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.id.in_(ids)))
        )
    if "languages" in data or "interpreted" in data:
        # Both together: a form sends both, and an older payload only "languages".
        current = service_form(service) if service.id else {}
        spoken = list(data.get("languages", current.get("languages", [])))
        through = [
            c for c in data.get("interpreted", current.get("interpreted", [])) if c not in spoken
        ]
        service.languages = [
            Language(code=code, name=languages.name(code, "en"), interpreter=code in through)
            for code in [*spoken, *through]
        ]
    if "location" in data:
        _apply_location(service, data)
    if "service_area" in data:
        area = data["service_area"]
        if area == "county":
            service.service_areas = [ServiceArea(kind="county", name=geo.HOME_COUNTY)]
        elif area:
            service.service_areas = [ServiceArea(kind="city", name=area)]
        else:
            service.service_areas = []
    if "hours" in data:
        service.schedules = _schedules(data["hours"])
    if "min_age" in data:
        service.minimum_age = data["min_age"]
    if "max_age" in data:
        service.maximum_age = data["max_age"]
    if {"grade_min", "grade_max", "eligibility"} & data.keys():
        merged = {**(service_form(service) if service.id else {}), **data}
        service.eligibility_description = _eligibility(merged, "Grades")
        es_grades = _eligibility({**merged, "eligibility": ""}, "Grados")
        row = service.translation("es")
        _g1, _g2, es_rest = _split_grades(row.eligibility_description if row else None, _GRADES_ES)
        es_text = " ".join(p for p in (es_grades or "", es_rest) if p) or None
        service.set_translation("es", eligibility_description=es_text)
    if "id_required" in data:
        service.id_required = {"yes": True, "no": False}.get(data["id_required"])
    if "documents" in data:
        service.required_documents = [RequiredDocument(document=d) for d in data["documents"]]
    if "cost" in data:
        service.cost = data["cost"] or None
    if "accepting_referrals" in data:
        service.accepting_referrals = {"yes": True, "no": False}.get(data["accepting_referrals"])
    if {"referral_name", "referral_email", "referral_phone"} & data.keys():
        _apply_referral_contact(service, data)
    if "phone" in data:
        service.phones = [Phone(number=data["phone"])] if data["phone"] else []


def _apply_location(service: Service, data: dict[str, Any]) -> None:
    _old, address = _first_address(service.locations)
    if data["location"] == "virtual":
        service.service_at_locations = []
        return
    if _same_address(address, data):
        return
    org = service.organization
    _org_location, org_address = _first_address(org.locations)
    location = (
        _org_location if _same_address(org_address, data) else _location(org, data, service.name)
    )
    service.service_at_locations = [ServiceAtLocation(location=location)]


def _apply_referral_contact(service: Service, data: dict[str, Any]) -> None:
    merged = {**(service_form(service) if service.id else {}), **data}
    service.contacts = [c for c in service.contacts if c.title != REFERRAL_CONTACT]
    if merged.get("referral_name") or merged.get("referral_email") or merged.get("referral_phone"):
        contact = Contact(
            title=REFERRAL_CONTACT,
            name=merged.get("referral_name") or None,
            email=merged.get("referral_email") or None,
        )
        if merged.get("referral_phone"):
            contact.phones.append(Phone(number=merged["referral_phone"]))
        service.contacts.append(contact)
