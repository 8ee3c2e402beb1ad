"""A needs record's matches: the family's place, the match itself and the gaps it leaves.

No Flask. The match reads only what the record holds (barriers, languages, place, age and
the "no documents" preference); every barrier with no service that meets it for this
family becomes one ``MatchGap`` row for the gap report, however often the page is opened.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.core import audit
from matcher.directory import geo
from matcher.directory.service_areas import APPROXIMATE_SOURCES
from matcher.families.needs import SENT_OR_LATER
from matcher.matching import engine as matching
from matcher.matching.engine import CountyLines
from matcher.models import MatchGap, NeedsRecord, Referral, User

# Gaps worth recording: nobody lists the barrier, or services exist but none fits.
GAP_REASONS = frozenset({"no_service", "rules"})


def family_place(record: NeedsRecord) -> geo.Place | None:
    """The family's home ZIP, or the school itself when the family lives near it (with
    the county of the school's ZIP code, so county-wide services cover the family)."""
    if record.home_zip:
        try:
            return geo.resolve_zip(record.home_zip)
        except geo.PlaceError:
            return None
    school = record.school
    if record.near_school and school.latitude is not None and school.longitude is not None:
        point = geo.Point(school.latitude, school.longitude)
        area = _zip_place(school.postal_code) or _zip_place(
            (geo.nearest_zip(point) or ("",))[0]
        )
        return geo.Place(
            point=point,
            label=school.name,
            kind="latlon",
            city=school.city or (area.city if area else None),
            county=area.county if area else None,
            postal_code=school.postal_code or (area.postal_code if area else None),
        )
    return None


def _zip_place(code: str | None) -> geo.Place | None:
    try:
        return geo.resolve_zip(code) if code else None
    except geo.PlaceError:
        return None


def place_is_address(record: NeedsRecord) -> bool:
    """Is the family's place a real address? Only the school's own geocoded address is:
    a home ZIP is its centre, and so is a school placed at its ZIP or city."""
    school = record.school
    return (
        not record.home_zip
        and record.near_school
        and school.latitude is not None
        and school.coordinates_source not in APPROXIMATE_SOURCES
    )


def school_history(session: Session, school_id: str) -> dict[str, int]:
    """Organization id -> referrals this school has sent it (the matcher's school factor)."""
    rows = session.execute(
        select(Referral.organization_id, func.count())
        .join(NeedsRecord, Referral.needs_record_id == NeedsRecord.id)
        .where(
            NeedsRecord.school_id == school_id,
            Referral.organization_id.is_not(None),
            Referral.status.in_(SENT_OR_LATER),
        )
        .group_by(Referral.organization_id)
    )
    return {org_id: count for org_id, count in rows}


def match_record(
    session: Session, user: User, record: NeedsRecord, county_lines: CountyLines = None
) -> matching.MatchResult:
    """Match the record's family and note every barrier that found no acceptable service."""
    profile = matching.FamilyProfile(
        barriers=record.barrier_codes,
        languages=record.languages,
        near=family_place(record),
        age=record.age,
        school_id=record.school_id,
        no_documents=record.no_documents,
        exact_place=place_is_address(record),
    )
    result = matching.match_family(
        session,
        profile,
        school_history=school_history(session, record.school_id),
        county_lines=county_lines,
    )
    record_gaps(session, record, result)
    audit.record(session, user, "needs.match", record)
    return result


def record_gaps(session: Session, record: NeedsRecord, result: matching.MatchResult) -> int:
    """One MatchGap per record and unmatched barrier, however often the page is opened."""
    unmet = [
        b.code for b in result.barriers if b.no_match and b.no_match.reason in GAP_REASONS
    ]
    if not unmet:
        return 0
    known = set(
        session.scalars(select(MatchGap.barrier_code).where(MatchGap.needs_record_id == record.id))
    )
    language = record.languages[0] if record.languages else "en"
    added = [c for c in unmet if c not in known]
    session.add_all(
        MatchGap(
            school_id=record.school_id,
            needs_record_id=record.id,
            barrier_code=code,
            language=language,
        )
        for code in added
    )
    return len(added)
