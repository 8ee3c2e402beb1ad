"""Needs records: create, update, list, match, purge and count them (no Flask).

A needs record holds only what matching and de-identified reporting need (domain.md §5):
a random family key, the school, grade band, languages, place, barriers. Every view and
change writes an audit event; audit rows never copy the identifiable values (notes,
district reference, ZIP, age), only whether they changed, so a purge leaves nothing behind.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from matcher.core import audit
from matcher.directory import geo, languages
from matcher.families.rows import DemandData, GapRow, NeedRow, ReferralRow
from matcher.models import (
    GRADE_BANDS,
    Barrier,
    MatchGap,
    NeedsBarrier,
    NeedsRecord,
    Referral,
    ReferralEvent,
    School,
    User,
)
from matcher.models.needs import MAX_NOTES

DISTRICT_REFERENCE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ZIP = re.compile(r"^\d{5}$")
MAX_AGE = 120
SENT_OR_LATER = frozenset(
    {"sent", "accepted", "in_progress", "completed", "declined", "unable_to_contact"}
)
ACCEPTED_OR_LATER = frozenset({"accepted", "in_progress", "completed"})
# The statuses whose first date the reports read: made (sent), accepted, completed.
REPORTED_STATUSES = frozenset({"sent"}) | ACCEPTED_OR_LATER
CLOSED_WITHOUT_COMPLETION = frozenset({"unable_to_contact", "withdrawn"})


class NeedsError(ValueError):
    """Invalid input: ``errors`` lists (field, reason) pairs for the form to show."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(", ".join(f"{f}: {r}" for f, r in errors))
        self.errors = errors


@dataclass(frozen=True)
class NeedsInput:
    """Validated form values; nothing else can reach a needs record."""

    school_id: str
    barriers: list[str]
    grade_band: str
    age: int | None
    languages: list[str]
    home_zip: str | None
    near_school: bool
    district_reference: str | None
    notes: str | None
    no_documents: bool = False


def new_family_key() -> str:
    """'F-' + 8 random base32 characters: unguessable, and says nothing about the family."""
    return "F-" + base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def user_school_ids(user: User) -> set[str]:
    return {school.id for school in user.schools}


def validate(session: Session, user: User, form: Mapping[str, Any]) -> NeedsInput:
    """Check a submitted form; raises NeedsError with every problem at once."""
    errors: list[tuple[str, str]] = []
    schools = user_school_ids(user)
    school_id = str(form.get("school_id") or "")
    if not school_id and len(schools) == 1:
        school_id = next(iter(schools))
    if school_id not in schools:
        errors.append(("school_id", "unknown_school"))
    codes = list(dict.fromkeys(str(c) for c in form.get("barriers") or [] if c))
    if not codes:
        errors.append(("barriers", "required"))
    elif len(set(session.scalars(select(Barrier.code).where(Barrier.code.in_(codes))))) != len(
        codes
    ):
        errors.append(("barriers", "unknown_barrier"))
    grade_band = str(form.get("grade_band") or "")
    if grade_band not in GRADE_BANDS:
        errors.append(("grade_band", "required"))
    age = None
    raw_age = str(form.get("age") or "").strip()
    if raw_age:
        if re.fullmatch(r"[0-9]{1,3}", raw_age) and int(raw_age) <= MAX_AGE:
            age = int(raw_age)
        else:
            errors.append(("age", "invalid_age"))
    family_languages = list(dict.fromkeys(str(c) for c in form.get("languages") or [] if c))
    if not family_languages:
        errors.append(("languages", "required"))
    elif not all(languages.is_known(c) for c in family_languages):
        errors.append(("languages", "unknown_language"))
    near_school = bool(form.get("near_school"))
    home_zip = str(form.get("home_zip") or "").strip() or None
    if home_zip and not near_school:
        if not ZIP.match(home_zip):
            errors.append(("home_zip", "invalid_zip"))
        else:
            try:
                geo.resolve_zip(home_zip)
            except geo.PlaceError:
                errors.append(("home_zip", "unknown_zip"))
    if near_school:
        home_zip = None
    reference = str(form.get("district_reference") or "").strip() or None
    if reference and not DISTRICT_REFERENCE.match(reference):
        errors.append(("district_reference", "invalid_reference"))
    notes = str(form.get("notes") or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors.append(("notes", "too_long"))
    if errors:
        raise NeedsError(errors)
    return NeedsInput(
        school_id,
        codes,
        grade_band,
        age,
        family_languages,
        home_zip,
        near_school,
        reference,
        notes,
        no_documents=bool(form.get("no_documents")),
    )


def audit_view(record: NeedsRecord) -> dict[str, Any]:
    """What an audit row may hold about a record: no notes, reference, ZIP or age values."""
    return {
        "school_id": record.school_id,
        "grade_band": record.grade_band,
        "languages": record.languages,
        "barriers": sorted(record.barrier_codes),
        "near_school": record.near_school,
        "has_home_zip": record.home_zip is not None,
        "has_age": record.age is not None,
        "has_district_reference": record.district_reference is not None,
        "has_notes": record.notes is not None,
    }


def _apply(record: NeedsRecord, data: NeedsInput) -> None:
    record.school_id = data.school_id
    record.grade_band = data.grade_band
    record.age = data.age
    record.languages = data.languages
    record.home_zip = data.home_zip
    record.near_school = data.near_school
    record.district_reference = data.district_reference
    record.notes = data.notes
    record.no_documents = data.no_documents
    kept = [b for b in record.barriers if b.barrier_code in data.barriers]
    have = {b.barrier_code for b in kept}
    record.barriers = kept + [NeedsBarrier(barrier_code=c) for c in data.barriers if c not in have]


def create_record(session: Session, user: User, form: Mapping[str, Any]) -> NeedsRecord:
    data = validate(session, user, form)
    record = NeedsRecord(family_key=new_family_key(), created_by_id=user.id)
    _apply(record, data)
    session.add(record)
    session.flush()
    audit.record(session, user, "needs.create", record, None, audit_view(record))
    return record


def update_record(
    session: Session, user: User, record: NeedsRecord, form: Mapping[str, Any]
) -> NeedsRecord:
    data = validate(session, user, form)
    before = audit_view(record)
    _apply(record, data)
    session.flush()
    audit.record(session, user, "needs.update", record, before, audit_view(record))
    return record


def get_record(session: Session, user: User, record_id: str) -> NeedsRecord | None:
    """The record if it belongs to one of the user's schools (else None: the caller 404s).

    Opening it is audited.
    """
    record = session.get(NeedsRecord, record_id)
    if record is None or record.school_id not in user_school_ids(user):
        return None
    audit.record(session, user, "needs.view", record)
    return record


def list_records(session: Session, user: User) -> list[NeedsRecord]:
    """Records of the user's schools, newest first; the listing itself is audited."""
    schools = sorted(user_school_ids(user))
    records = list(
        session.scalars(
            select(NeedsRecord)
            .where(NeedsRecord.school_id.in_(schools), NeedsRecord.purged_at.is_(None))
            .options(selectinload(NeedsRecord.barriers), selectinload(NeedsRecord.school))
            .order_by(NeedsRecord.created_at.desc())
        )
    )
    summary = {"schools": schools, "count": len(records)}
    audit.record(session, user, "needs.list", ("needs_record", "*"), None, summary)
    return records


# --------------------------------------------------------------------------- retention


@dataclass(frozen=True)
class PurgeCounts:
    records: int
    referrals: int
    events: int


def purge_before(session: Session, before: date, actor: User | str = "system") -> PurgeCounts:
    """Clear identifiable values of records created before ``before`` (domain.md §5: purge
    after the school year + 1); barrier codes, dates, statuses, school and language stay."""
    cutoff = datetime.combine(before, datetime.min.time(), tzinfo=UTC)
    records = list(
        session.scalars(
            select(NeedsRecord).where(
                NeedsRecord.created_at < cutoff, NeedsRecord.purged_at.is_(None)
            )
        )
    )
    ids = [r.id for r in records]
    for record in records:
        record.family_key = f"purged-{record.id}"
        record.district_reference = None
        record.notes = None
        record.home_zip = None
        record.age = None
        record.no_documents = False
        record.purged_at = datetime.now(UTC)
    referral_ids = list(
        session.scalars(select(Referral.id).where(Referral.needs_record_id.in_(ids)))
    )
    if referral_ids:
        session.execute(
            update(Referral)
            .where(Referral.id.in_(referral_ids))
            .values(contact_value=None, note=None),
            execution_options={"synchronize_session": "fetch"},
        )
    events = 0
    if referral_ids:
        events = session.execute(
            update(ReferralEvent)
            .where(ReferralEvent.referral_id.in_(referral_ids), ReferralEvent.note.is_not(None))
            .values(note=None),
            execution_options={"synchronize_session": "fetch"},
        ).rowcount
    counts = PurgeCounts(len(records), len(referral_ids), events or 0)
    audit.record(
        session,
        actor,
        "needs.purge",
        ("needs_record", "*"),
        None,
        {"before": before, **counts.__dict__},
    )
    return counts


# --------------------------------------------------------------------------- reports


def _day(moment: datetime) -> date:
    return moment.date()


def report_rows(session: Session, school_ids: Sequence[str] | None = None) -> DemandData:
    """De-identified rows for the reports: no key, note or contact leaves this function.

    Core column queries, no ORM objects: a county report reads thousands of records,
    referrals and events, and identifiable columns are never even read.
    """
    record, referral, event = (m.__table__ for m in (NeedsRecord, Referral, ReferralEvent))

    def scoped(statement, school_column=record.c.school_id):
        return statement if school_ids is None else statement.where(school_column.in_(school_ids))

    codes: dict[str, list[str]] = {}
    barrier = NeedsBarrier.__table__.c
    for record_id, code in session.execute(
        scoped(select(barrier.needs_record_id, barrier.barrier_code).join(record))
    ):
        codes.setdefault(record_id, []).append(code)
    columns = (record.c.id, record.c.school_id, School.__table__.c.district_id)
    columns += (record.c.created_at, record.c.grade_band, record.c.languages_json)
    needs = [
        NeedRow(
            school_id,
            district_id,
            _day(created),
            band,
            (json.loads(spoken) or ["en"])[0],
            frozenset(codes.get(record_id, ())),
        )
        for record_id, school_id, district_id, created, band, spoken in session.execute(
            scoped(select(*columns).join(School.__table__))
        )
    ]
    sent = scoped(
        select(referral.c.id, record.c.school_id, referral.c.barrier_code, referral.c.status)
        .add_columns(referral.c.created_at)
        .join(record)
        .where(referral.c.status != "draft")
    )
    # First day each referral reached the statuses the counts use (events in id order).
    reached: dict[str, dict[str, date]] = {}
    for referral_id, to_status, at in session.execute(
        select(event.c.referral_id, event.c.to_status, event.c.at)
        .where(
            event.c.referral_id.in_(select(sent.subquery().c.id)),
            event.c.to_status.in_(REPORTED_STATUSES),
        )
        .order_by(event.c.id)
    ):
        reached.setdefault(referral_id, {}).setdefault(to_status, _day(at))
    referrals = [
        _referral_row(school_id, code, status, _day(created), reached.get(referral_id, {}))
        for referral_id, school_id, code, status, created in session.execute(sent)
    ]
    gap = MatchGap.__table__.c
    gaps = [
        GapRow(*row)
        for row in session.execute(
            scoped(select(gap.school_id, gap.barrier_code, gap.language), gap.school_id)
        )
    ]
    return DemandData(needs, referrals, gaps)


def _referral_row(
    school_id: str, barrier: str, status: str, created: date, reached: dict[str, date]
) -> ReferralRow:
    """Made = first sent; completed = when the completion event happened (days to completion)."""
    return ReferralRow(
        school_id=school_id,
        barrier=barrier,
        made=reached.get("sent", created),
        accepted=bool(ACCEPTED_OR_LATER & reached.keys()),
        declined=status == "declined",
        completed=reached.get("completed") if status == "completed" else None,
        closed=status in CLOSED_WITHOUT_COMPLETION,
    )
