"""Partner self-registration, claims and public corrections: forms in, submissions out.

Registration is account-first: a partner creates an account and confirms the
email (``matcher.access.accounts``) before the organization form opens, so nothing from
an unconfirmed address ever reaches reviewers. The multi-step form keeps its
data in a draft ``Submission`` owned by the partner (no JavaScript, no large
session cookie); "send for review" turns the draft into a pending submission.

Form parsing returns plain dicts in the payload shape of ``matcher.partners.review`` plus
error codes per field; the web layer turns codes into translated messages.
Everything typed is stored as typed (stripped and length-limited): escaping is
the templates' job, so hostile HTML stays inert text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.core import audit
from matcher.core.text import fold, words
from matcher.directory import county as counties
from matcher.directory import geo, languages
from matcher.models import (
    COST_KINDS,
    WEEKDAYS,
    Organization,
    Service,
    Submission,
    TaxonomyTerm,
    User,
)
from matcher.models.base import utcnow
from matcher.partners.review import GRADES, organization_form

SHORT = 300
LONG = 4000
MAX_SERVICES = 20
DUPLICATE_SCORE = 80
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ORG_SUFFIXES = {"inc", "llc", "corp", "corporation", "the", "of", "county", "co"}


class FormData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


Errors = dict[str, str]


# Column sizes of the directory tables the values end up in; longer text is refused.
FIELD_LIMITS = {
    "phone": 50,
    "referral_phone": 50,
    "city": 100,
    "postal_code": 10,
    "name": 300,
    "name_es": 300,
    "address_1": 300,
    "referral_name": 200,
    "contact_name": 200,
    "service_area": 200,
    "email": 320,
    "referral_email": 320,
    "contact_email": 320,
    "website": 500,
}


# What the form pages put in ``maxlength``: the same limits the server enforces.
FORM_LIMITS = {
    **FIELD_LIMITS,
    **dict.fromkeys(("description", "description_es", "eligibility", "documents"), LONG),
    "min_age": 3,
    "max_age": 3,
}


def _text(form: FormData, name: str, limit: int = SHORT) -> str:
    return (form.get(name) or "").strip()[: limit + 1]


def _check_lengths(data: dict[str, Any], errors: Errors) -> None:
    for field, value in data.items():
        limit = FIELD_LIMITS.get(field, LONG)
        if isinstance(value, str) and len(value) > limit:
            errors.setdefault(field, "too_long")
            data[field] = value[:limit]


def _check_email(value: str, field: str, errors: Errors) -> None:
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        errors[field] = "invalid_email"


def _check_website(value: str, field: str, errors: Errors) -> None:
    if value and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        errors[field] = "invalid_url"


def _check_place(data: dict[str, Any], errors: Errors) -> None:
    if not data["city"] and not data["postal_code"]:
        errors["city"] = "required"
        return
    if data["postal_code"] and not geo.is_zip(data["postal_code"]):
        errors["postal_code"] = "invalid_zip"
    elif data["postal_code"]:
        try:
            geo.resolve_zip(data["postal_code"])
        except geo.PlaceError:
            errors["postal_code"] = "unknown_zip"


def parse_organization(form: FormData) -> tuple[dict[str, Any], Errors]:
    data = {field: _text(form, field) for field in ("name", "website", "email", "phone")}
    data |= {f: _text(form, f, LONG) for f in ("description", "description_es")}
    data |= {f: _text(form, f) for f in ("address_1", "city", "postal_code")}
    errors: Errors = {}
    if not data["name"]:
        errors["name"] = "required"
    if not (data["email"] or data["phone"]):
        errors["phone"] = "phone_or_email"
    _check_email(data["email"], "email", errors)
    _check_website(data["website"], "website", errors)
    _check_place(data, errors)
    _check_lengths(data, errors)
    return data, errors


def _int(value: str, field: str, errors: Errors) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) > 120:
        errors[field] = "invalid_age"
        return None
    return int(value)


def _hours(form: FormData, errors: Errors) -> dict[str, str]:
    hours = {}
    for day in WEEKDAYS:
        opens, closes = _text(form, f"opens_{day}", 5), _text(form, f"closes_{day}", 5)
        if not opens and not closes:
            continue
        if not (_TIME_RE.match(opens) and _TIME_RE.match(closes)):
            errors[f"hours_{day}"] = "invalid_hours"
            continue
        hours[day] = f"{opens}-{closes}"
    return hours


def parse_service(
    session: Session, form: FormData, organization: dict[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """A service from the form; categories must be real taxonomy term ids."""
    errors: Errors = {}
    data: dict[str, Any] = {f: _text(form, f) for f in ("name", "name_es")}
    data |= {f: _text(form, f, LONG) for f in ("description", "description_es", "eligibility")}
    if not (data["name"] or data["name_es"]):
        errors["name"] = "required"
    data["name"] = data["name"] or data["name_es"]
    if not (data["description"] or data["description_es"]):
        errors["description"] = "required"
    wanted = {v for v in form.getlist("categories") if isinstance(v, str)}
    known = set(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.id.in_(wanted))))
    data["categories"] = sorted(known)
    if not known or known != wanted:
        errors["categories"] = "choose_category"
    codes = sorted({c for c in form.getlist("languages") if languages.is_known(c)})
    data["languages"] = codes
    if not codes:
        errors["languages"] = "choose_language"
    through = {c for c in form.getlist("interpreted") if languages.is_known(c)}
    data["interpreted"] = sorted(through - set(codes))  # staff who speak it win
    data["location"] = "virtual" if form.get("location") == "virtual" else "address"
    place = {f: _text(form, f) for f in ("address_1", "city", "postal_code")}
    if data["location"] == "address" and not (place["city"] or place["postal_code"]):
        place = {f: organization.get(f, "") for f in place}  # "same as the organization"
    data |= place if data["location"] == "address" else dict.fromkeys(place, "")
    if data["location"] == "address":
        _check_place(data, errors)
    area = _text(form, "service_area")
    if area and area != "county":
        found = geo.lookup_place_name(area)
        area = found.city or area if found else area
        if found is None:
            errors["service_area"] = "unknown_place"
    if data["location"] == "virtual" and not area:
        errors["service_area"] = "required"
    data["service_area"] = area
    data["hours"] = _hours(form, errors)
    data["min_age"] = _int(_text(form, "min_age", 3), "min_age", errors)
    data["max_age"] = _int(_text(form, "max_age", 3), "max_age", errors)
    if None not in (data["min_age"], data["max_age"]) and data["min_age"] > data["max_age"]:
        errors["max_age"] = "age_order"
    grades = [_text(form, "grade_min", 2), _text(form, "grade_max", 2)]
    if any(g and g not in GRADES for g in grades) or (
        all(grades) and (GRADES.index(grades[0]) > GRADES.index(grades[1]))
    ):
        errors["grade_max"] = "grade_order"
        grades = ["", ""]
    data["grade_min"], data["grade_max"] = grades if all(grades) else ("", "")
    data["id_required"] = (
        form.get("id_required") if form.get("id_required") in ("yes", "no") else ""
    )
    if not data["id_required"]:
        errors["id_required"] = "choose_one"
    docs = _text(form, "documents", LONG)[:LONG]
    data["documents"] = [line.strip() for line in docs.splitlines() if line.strip()][:20]
    data["cost"] = form.get("cost") if form.get("cost") in COST_KINDS else ""
    if not data["cost"]:
        errors["cost"] = "choose_one"
    referrals = form.get("accepting_referrals")
    data["accepting_referrals"] = referrals if referrals in ("yes", "no") else ""
    if not data["accepting_referrals"]:
        errors["accepting_referrals"] = "choose_one"
    data |= {f: _text(form, f) for f in ("referral_name", "referral_email", "referral_phone")}
    data |= {f: _text(form, f) for f in ("phone", "website", "email")}
    _check_email(data["referral_email"], "referral_email", errors)
    _check_email(data["email"], "email", errors)
    _check_website(data["website"], "website", errors)
    _check_lengths(data, errors)
    return data, errors


# --- duplicates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    organization: Organization
    score: int
    reasons: list[str]  # 'name', 'phone', 'address'


def _name_key(name: str) -> str:
    # The served counties' own names are filler too ("of Monterey County").
    filler = _ORG_SUFFIXES | {w for s in counties.region() for w in words(s.short_name)}
    return " ".join(w for w in words(name) if w not in filler)


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-10:]


def find_duplicates(session: Session, data: dict[str, Any], limit: int = 5) -> list[Duplicate]:
    """Published organizations that look like the one being registered.

    Names are compared after folding and dropping filler words ("Inc.", "of Monterey
    County": the served counties' names) with rapidfuzz's token_set_ratio, so "Food Share
    Inc." matches "FOOD SHARE of Monterey County"; an identical phone or street address also counts.
    """
    key = _name_key(data.get("name", ""))
    phone = _digits(data.get("phone", ""))
    street = fold(data.get("address_1", "")).strip()
    found = []
    orgs = session.scalars(select(Organization).where(Organization.published.is_(True)))
    for org in orgs:
        live = organization_form(org)
        reasons = []
        score = int(fuzz.token_set_ratio(key, _name_key(org.name))) if key else 0
        if score >= DUPLICATE_SCORE:
            reasons.append("name")
        if phone and len(phone) == 10 and phone == _digits(live["phone"]):
            reasons.append("phone")
        if street and street == fold(live["address_1"]).strip():
            reasons.append("address")
        if reasons:
            found.append(Duplicate(org, max(score, 100 if len(reasons) > 1 else score), reasons))
    found.sort(key=lambda d: (-len(d.reasons), -d.score, d.organization.name))
    return found[:limit]


# --- submissions --------------------------------------------------------------------------


def own_submission(session: Session, user: User, submission_id: str) -> Submission | None:
    """The user's own submission, or None: other people's ids look like missing ones."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.submitter_id != user.id:
        return None
    return submission


def start_registration(session: Session, user: User, organization: dict[str, Any]) -> Submission:
    submission = _from_user(user, "registration", "draft")
    submission.payload = {"organization": organization, "services": []}
    session.add(submission)
    session.flush()
    return submission


def _from_user(user: User, kind: str, status: str, **fields) -> Submission:
    """A submission made by a signed-in partner: replies go to their account's address."""
    return Submission(
        kind=kind,
        status=status,
        submitter_id=user.id,
        contact_email=user.email,
        contact_name=user.name,
        locale=user.locale,
        **fields,
    )


def start_edit(session: Session, user: User, org: Organization) -> Submission:
    """A draft edit of an organization the partner manages (the caller checked that)."""
    submission = _from_user(user, "edit", "draft", organization_id=org.id)
    submission.payload = {"services": []}
    session.add(submission)
    session.flush()
    return submission


def set_organization(submission: Submission, data: dict[str, Any]) -> None:
    payload = submission.payload
    payload["organization"] = data
    submission.payload = payload


def add_service(submission: Submission, data: dict[str, Any], service_id: str | None) -> None:
    """Add (or replace, for an edit of a live service) one service in the draft."""
    payload = submission.payload
    services = [
        s for s in payload.get("services", []) if not service_id or s.get("id") != service_id
    ]
    if len(services) >= MAX_SERVICES:
        raise ValueError("too_many_services")
    services.append({**data, "id": service_id} if service_id else data)
    payload["services"] = services
    submission.payload = payload


def remove_service(submission: Submission, index: int) -> None:
    payload = submission.payload
    if 0 <= index < len(payload.get("services", [])):
        payload["services"].pop(index)
    submission.payload = payload


def submit(session: Session, submission: Submission, user: User) -> None:
    """Send a draft (or a returned submission) to the review queue."""
    if submission.status not in ("draft", "changes_requested"):
        raise ValueError("not_a_draft")
    submission.status = "pending"
    submission.submitted_at = utcnow()
    audit.record(
        session,
        user,
        f"submission.{submission.kind}",
        submission,
        None,
        {"status": "pending", "organization_id": submission.organization_id},
    )


def claim(session: Session, user: User, org: Organization, message: str) -> Submission:
    submission = _from_user(user, "claim", "pending", organization_id=org.id, submitted_at=utcnow())
    submission.payload = {"message": message.strip()[:LONG]}
    session.add(submission)
    session.flush()
    audit.record(session, user, "submission.claim", submission, None, {"organization_id": org.id})
    return submission


CORRECTION_FIELDS = ("phone", "website", "email")


def suggest_correction(
    session: Session, service: Service, form: FormData, locale: str
) -> tuple[Submission | None, Errors]:
    """A public "suggest a correction": free text plus optional new contact details."""
    message = _text(form, "message", LONG)
    errors: Errors = {}
    if not message:
        errors["message"] = "required"
    changes = {f: _text(form, f) for f in CORRECTION_FIELDS if _text(form, f)}
    _check_email(changes.get("email", ""), "email", errors)
    _check_website(changes.get("website", ""), "website", errors)
    contact = _text(form, "contact_email")
    _check_email(contact, "contact_email", errors)
    name = _text(form, "contact_name")
    _check_lengths(
        {**changes, "contact_email": contact, "contact_name": name, "message": message}, errors
    )
    if errors:
        return None, errors
    submission = Submission(
        kind="correction",
        status="pending",
        contact_email=contact or None,
        contact_name=name or None,
        locale=locale,
        organization_id=service.organization_id,
        service_id=service.id,
        submitted_at=utcnow(),
    )
    submission.payload = {"message": message, "services": [{"id": service.id, **changes}]}
    session.add(submission)
    session.flush()
    audit.record(
        session, None, "submission.correction", submission, None, {"service_id": service.id}
    )
    return submission, {}


def user_submissions(session: Session, user: User) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.submitter_id == user.id)
            .order_by(Submission.created_at.desc())
        )
    )


# --- taxonomy picker ----------------------------------------------------------------------


@dataclass(frozen=True)
class TermChoice:
    id: str
    label: str
    group: str


def term_choices(session: Session, locale: str) -> list[tuple[str, list[TermChoice]]]:
    """Every term grouped under its top-level term: the no-JavaScript category list."""
    terms = list(session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.code)))
    by_id = {t.id: t for t in terms}

    def top(term: TaxonomyTerm) -> TaxonomyTerm:
        while term.parent_id and term.parent_id in by_id:
            term = by_id[term.parent_id]
        return term

    groups: dict[str, list[TermChoice]] = {}
    for term in terms:
        group = top(term).label(locale)
        groups.setdefault(group, []).append(TermChoice(term.id, term.label(locale), group))
    return sorted(groups.items())


def search_terms(session: Session, query: str, locale: str, limit: int = 15) -> list[TermChoice]:
    """Terms whose English or Spanish name or aliases contain the folded query words."""
    query_words = words(query)[:6]
    if not query_words:
        return []
    found = []
    for _group, choices in term_choices(session, locale):
        for choice in choices:
            term = session.get(TaxonomyTerm, choice.id)
            haystack = fold(
                " ".join([term.name, term.name_es or "", *term.aliases_en, *term.aliases_es])
            )
            if all(w in haystack for w in query_words):
                starts = fold(choice.label).startswith(query_words[0])
                found.append((not starts, len(choice.label), choice))
    found.sort(key=lambda item: (item[0], item[1], item[2].label))
    return [choice for *_rest, choice in found[:limit]]
