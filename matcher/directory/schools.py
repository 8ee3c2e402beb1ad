"""Schools and districts of a county from the state's public schools file.

The California Department of Education publishes every public school in one
tab-separated file (``pubschls.txt``, https://www.cde.ca.gov/ds/si/ds/pubschls.asp).
Columns are found by header name, so a file with extra or reordered columns still reads;
``No Data`` means missing. Schools are keyed by their 14-digit CDS code, so importing the
same file twice changes nothing. A school the file lists as closed or merged is marked
inactive and never deleted: needs and referrals may point at it.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.core.text import fold
from matcher.core.upsert import ChangeCounts, stable_id, upsert
from matcher.directory import county as counties
from matcher.directory import county_areas, geo
from matcher.models import District, School

REQUIRED_COLUMNS = (
    "CDSCode",
    "StatusType",
    "County",
    "District",
    "School",
    "Street",
    "City",
    "Zip",
    "GSserved",
    "Latitude",
    "Longitude",
)
MISSING = "No Data"
ACTIVE = "Active"


class SchoolImportError(ValueError):
    """The file or the county is wrong; nothing was imported."""


@dataclass
class SchoolImportResult:
    county: str
    schools: Counter = field(default_factory=Counter)  # added / updated / unchanged
    districts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason -> rows
    without_point: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.schools["added"]
            + self.schools["updated"]
            + self.districts["added"]
            + self.districts["updated"]
        )

    def lines(self) -> list[str]:
        def counts(c: Counter) -> str:
            return ", ".join(f"{c[k]} {k}" for k in ("added", "updated", "unchanged"))

        out = [
            f"{self.county} County schools: {counts(self.schools)}, "
            f"{sum(self.skipped.values())} skipped",
            f"{self.county} County districts: {counts(self.districts)}",
        ]
        out += [f"  skipped {n}: {reason}" for reason, n in sorted(self.skipped.items())]
        if self.without_point:
            out.append(f"  {self.without_point} schools have no location (no point, no ZIP)")
        return out


def county_name(text: str) -> str:
    """The county's short name ("Monterey"); SchoolImportError when it is not a county."""
    try:
        return county_areas.county_name(text)
    except county_areas.UnknownCounty as error:
        raise SchoolImportError(str(error)) from None


def _value(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    return "" if value == MISSING else value


def read_rows(path: Path) -> list[dict[str, str]]:
    """The file's rows as dicts by header name; raises SchoolImportError on a wrong header."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SchoolImportError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older CDE extracts
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SchoolImportError(
            f"{path} is not a CDE public schools file (tab-separated, with a header row): "
            f"missing columns {', '.join(missing)}."
        )
    reader.fieldnames = header
    return list(reader)


def _point(row: dict[str, str], postal_code: str) -> tuple[float, float, str] | None:
    try:
        lat, lon = float(_value(row, "Latitude")), float(_value(row, "Longitude"))
        if 32 <= lat <= 42.1 and -124.5 <= lon <= -114:  # inside California's box
            return lat, lon, "source"
    except ValueError:
        pass
    return geo.approximate_point(postal_code)


def _district(
    session: Session, code: str, name: str, county: str, result: SchoolImportResult
) -> District:
    counts = ChangeCounts()
    district = upsert(
        session,
        District,
        stable_id("district", "cds", code),
        {"key": f"cds:{code}", "name": name, "county": county},
        counts,
    )
    outcome = next(iter(counts.counts["district"]))
    result.districts[{"created": "added"}.get(outcome, outcome)] += 1
    return district


def import_schools(session: Session, path: Path, county_text: str) -> SchoolImportResult:
    """Import one county's schools and districts; the caller commits (all or nothing)."""
    county = county_name(county_text)
    rows = read_rows(path)
    mine = [
        r for r in rows if counties.short_name(_value(r, "County")).casefold() == county.casefold()
    ]
    result = SchoolImportResult(county)
    others = len(rows) - len(mine)
    if others:
        result.skipped["in another county"] = others
    if not mine:
        raise SchoolImportError(f"{path} has no rows for {county} County; nothing was imported.")
    districts: dict[str, District] = {}
    school_rows = []
    for row in mine:
        cds = _value(row, "CDSCode")
        if not (len(cds) == 14 and cds.isdigit()):
            result.skipped["no valid 14-digit CDSCode"] += 1
            continue
        if cds[7:] == "0000000" or not _value(row, "School"):
            if cds[:7] not in districts:
                districts[cds[:7]] = _district(
                    session, cds[:7], _value(row, "District"), county, result
                )
            continue
        school_rows.append((cds, row))
    session.flush()
    for cds, row in school_rows:
        status = _value(row, "StatusType")
        school_id = stable_id("school", "cds", cds)
        existing = session.get(School, school_id)
        if status != ACTIVE:
            if existing is None:
                result.skipped[f"{status.lower() or 'no status'}, not in the directory"] += 1
            elif existing.active:
                existing.active = False
                result.schools["updated"] += 1
            else:
                result.schools["unchanged"] += 1
            continue
        district_name = _value(row, "District")
        if cds[:7] not in districts:
            if not district_name:
                result.skipped["no district"] += 1
                continue
            districts[cds[:7]] = _district(session, cds[:7], district_name, county, result)
        postal_code = _value(row, "Zip")[:5]
        point = _point(row, postal_code)
        if point is None:
            result.without_point += 1
        counts = ChangeCounts()
        upsert(
            session,
            School,
            school_id,
            {
                "key": cds,
                "name": _value(row, "School"),
                "district_id": districts[cds[:7]].id,
                "address_1": _value(row, "Street") or None,
                "city": _value(row, "City"),
                "postal_code": postal_code,
                "latitude": point[0] if point else None,
                "longitude": point[1] if point else None,
                "coordinates_source": point[2] if point else None,
                "county": county,
                "grades": _value(row, "GSserved") or None,
                "active": True,
            },
            counts,
        )
        outcome = next(iter(counts.counts["school"]))
        result.schools[{"created": "added"}.get(outcome, outcome)] += 1
    session.flush()
    return result


# --- finding a school by what an operator knows (create-user --school) ------------------


class SchoolNotFound(LookupError):
    """No school, or more than one, answers to the reference; the message says which."""


def _columns() -> list:
    columns = [School.id, School.key]
    cds = getattr(School, "cds_code", None)
    if cds is not None:
        columns.append(cds)
    return columns


def find_school(session: Session, ref: str) -> School:
    """The one school whose id, key, CDS code or name (accents and case ignored) is ``ref``."""
    ref = (ref or "").strip()
    if not ref:
        raise SchoolNotFound("a school name, CDS code or id is required")
    for column in _columns():
        found = session.scalars(select(School).where(column == ref)).first()
        if found is not None:
            return found
    wanted = fold(ref)
    named = [s for s in list_schools(session) if fold(s.name) == wanted]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        places = ", ".join(f"{s.name} ({s.city}, key {s.key})" for s in named)
        raise SchoolNotFound(f"several schools are named {ref!r}: {places}; give the key")
    raise SchoolNotFound(f"no school {ref!r} (flask --app wsgi list-schools shows them)")


def list_schools(session: Session) -> list[School]:
    """Every school with its district, by district then name."""
    schools = session.scalars(select(School).options(selectinload(School.district)))
    return sorted(schools, key=lambda s: (s.district.name if s.district else "", s.name))
