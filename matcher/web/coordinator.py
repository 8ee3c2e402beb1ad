"""Coordinator and liaison pages: needs records, matches, consent, referrals, handouts.

Views are thin: parse the form, call ``matcher.families.needs`` / ``matcher.families.referrals`` /
``matcher.families.handout``, render. A record or referral of a school the user does not work
for answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matcher.db import transaction
from matcher.directory import county as counties
from matcher.directory import languages, taxonomy
from matcher.extensions import db
from matcher.families import handout, needs, referrals
from matcher.families.matches import match_record
from matcher.models import CONSENT_GIVERS, CONTACT_METHODS, GRADE_BANDS, NeedsRecord, Referral
from matcher.web.i18n import current_locale
from matcher.web.match_view import matches_map, result_json
from matcher.web.phones import phone_labels
from matcher.web.search import crisis_in_words

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


ERROR_MESSAGES = {
    "required": _l("This is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "unknown_school": _l("Choose one of your schools."),
    "unknown_barrier": _l("Choose barriers from the list."),
    "invalid_age": _l("Enter an age in years, as a number."),
    "unknown_language": _l("Choose languages from the list."),
    "invalid_zip": _l("Enter a 5-digit ZIP code."),
    "unknown_zip": _l("We do not know that ZIP code."),
    "invalid_reference": _l("Use only letters, digits, dots, dashes and underscores."),
    "unknown_service": _l("One of the chosen services is not available any more."),
    "not_allowed": _l("That status change is not allowed."),
    "unknown_status": _l("Choose a status from the list."),
    "minor_mental_health_only": _l(
        "A minor 12 or older may consent alone only to mental-health counseling."
    ),
    "unknown_organization": _l("This referral has no receiving organization."),
}


def error_messages(errors: list[tuple[str, str]]) -> dict[str, str]:
    """(field, reason) pairs -> {field: message}; shared with the partner pages."""
    return {field: str(ERROR_MESSAGES.get(reason, reason)) for field, reason in errors}


def labels() -> dict:
    """Words for the codes stored on records and referrals; templates only look them up."""
    return {
        "grade_labels": {
            "TK-2": _("TK to 2nd grade"),
            "3-5": _("3rd to 5th grade"),
            "6-8": _("6th to 8th grade"),
            "9-12": _("9th to 12th grade"),
            "adult_other": _("Adult or other"),
        },
        "referral_status_labels": {
            "draft": _("Draft"),
            "sent": _("Sent"),
            "accepted": _("Accepted"),
            "in_progress": _("In progress"),
            "completed": _("Completed"),
            "declined": _("Declined"),
            "unable_to_contact": _("Unable to contact"),
            "withdrawn": _("Withdrawn"),
        },
        "contact_labels": {
            "phone": _("Phone call"),
            "text": _("Text message"),
            "email": _("Email"),
            "in_person": _("In person"),
        },
        "giver_labels": {
            "parent_guardian": _("Parent or guardian"),
            "eligible_student": _("Eligible student (18 or older)"),
            "minor_12_plus_mental_health": _("Student 12 or older, for mental-health counseling"),
        },
        "cost_labels": {
            "free": _("Free"),
            "sliding_scale": _("Sliding scale"),
            "fee": _("Fee"),
        },
        "field_labels": {
            "family_key": _("Family key"),
            "barrier": _("Barrier"),
            "language": _("Family languages"),
            "contact": _("The contact method the family chose"),
        },
    }


@bp.context_processor
def inject_labels() -> dict:
    return labels()


def barrier_names() -> dict[str, str]:
    locale = current_locale()
    return {b.code: b.name(locale) for b in taxonomy.barriers(db.session)}


def _language_choices() -> list[tuple[str, str]]:
    locale = current_locale()
    return sorted(
        ((code, languages.name(code, locale)) for code in languages.LANGUAGES),
        key=lambda item: (
            item[0] not in ("en", "es"),
            item[0] not in languages.INDIGENOUS,
            item[1],
        ),
    )


def _barrier_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(domain label, [(code, name here, name in the other language)]) in catalogue order."""
    locale = current_locale()
    other = "en" if locale == "es" else "es"
    domains = {
        "family": _("Family"),
        "health": _("Health"),
        "social_emotional": _("Social and emotional"),
        "academic": _("School and learning"),
    }
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for barrier in taxonomy.barriers(db.session):
        groups.setdefault(barrier.domain, []).append(
            (barrier.code, barrier.name(locale), barrier.name(other))
        )
    return [(domains.get(d, d), items) for d, items in groups.items()]


def _record_or_404(record_id: str) -> NeedsRecord:
    record = needs.get_record(db.session, current_user, record_id)
    if record is None:
        abort(404)
    return record


def _referral_or_404(referral_id: str) -> Referral:
    referral = referrals.get_for_staff(db.session, current_user, referral_id)
    if referral is None:
        abort(404)
    return referral


def _form_values() -> dict:
    form = request.form
    return {
        **form.to_dict(),
        "barriers": form.getlist("barriers"),
        "languages": form.getlist("languages"),
    }


def _record_values(record: NeedsRecord) -> dict:
    return {
        "school_id": record.school_id,
        "barriers": record.barrier_codes,
        "grade_band": record.grade_band,
        "age": "" if record.age is None else str(record.age),
        "languages": record.languages,
        "home_zip": record.home_zip or "",
        "near_school": record.near_school,
        "district_reference": record.district_reference or "",
        "notes": record.notes or "",
        "no_documents": record.no_documents,
    }


def _render_form(values: dict, errors: dict[str, str], record: NeedsRecord | None, status=200):
    return (
        render_template(
            "coordinator/record_form.html",
            values=values,
            errors=errors,
            record=record,
            schools=current_user.schools,
            grade_bands=GRADE_BANDS,
            barrier_groups=_barrier_groups(),
            language_choices=_language_choices(),
        ),
        status,
    )


@bp.get("/")
def index():
    with transaction() as session:
        records = needs.list_records(session, current_user)
        return render_template(
            "coordinator/index.html", records=records, barrier_names=barrier_names()
        )


@bp.route("/records/new", methods=["GET", "POST"])
def new_record():
    if request.method == "GET":
        return _render_form({"languages": [], "barriers": []}, {}, None)
    values = _form_values()
    try:
        with transaction() as session:
            record = needs.create_record(session, current_user, values)
    except needs.NeedsError as error:
        return _render_form(values, error_messages(error.errors), None, 400)
    flash(_("Needs record %(key)s saved.", key=record.family_key), "info")
    return redirect(url_for("coordinator.matches", record_id=record.id))


@bp.route("/records/<record_id>/edit", methods=["GET", "POST"])
def edit_record(record_id: str):
    with transaction():
        record = _record_or_404(record_id)
    if request.method == "GET":
        return _render_form(_record_values(record), {}, record)
    values = _form_values()
    try:
        with transaction() as session:
            needs.update_record(session, current_user, record, values)
    except needs.NeedsError as error:
        return _render_form(values, error_messages(error.errors), record, 400)
    flash(_("Needs record %(key)s saved.", key=record.family_key), "info")
    return redirect(url_for("coordinator.record", record_id=record.id))


@bp.get("/records/<record_id>")
def record(record_id: str):
    with transaction():
        found = _record_or_404(record_id)
        return render_template(
            "coordinator/record.html",
            record=found,
            **crisis_in_words(
                found.notes, current_locale(), found.school.county if found.school else None
            ),
            barrier_names=barrier_names(),
            language_name=languages.name,
            locale=current_locale(),
        )


@bp.get("/records/<record_id>/matches")
def matches(record_id: str):
    with transaction() as session:
        found = _record_or_404(record_id)
        school_county = found.school.county if found.school else None
        result = match_record(session, current_user, found, counties.lines_of(school_county))
        results_map, numbers = matches_map(result, school_county)
        return render_template(
            "coordinator/matches.html",
            record=found,
            **crisis_in_words(found.notes, current_locale(), school_county),
            result=result_json(result, current_locale(), gaps_recorded=True),
            results_map_data=results_map,
            map_numbers=numbers,
            barrier_names=barrier_names(),
        )


@bp.post("/records/<record_id>/referrals")
def create_referrals(record_id: str):
    choices = [
        tuple(value.split("|", 1))
        for value in request.form.getlist("choice")
        if value.count("|") == 1
    ]
    try:
        with transaction() as session:
            found = _record_or_404(record_id)
            made = referrals.create_referrals(
                session, current_user, found, choices, request.form.get("note")
            )
    except referrals.ReferralError as error:
        flash(" ".join(error_messages(error.errors).values()), "error")
        return redirect(url_for("coordinator.matches", record_id=record_id))
    flash(_("%(count)d referrals created.", count=len(made)), "info")
    return redirect(url_for("coordinator.record", record_id=record_id))


@bp.get("/referrals/<referral_id>")
def referral(referral_id: str):
    with transaction() as session:
        found = _referral_or_404(referral_id)
        return _render_referral(found, {}, session)


def _render_referral(found: Referral, errors: dict[str, str], session, status: int = 200):
    locale = current_locale()
    return (
        render_template(
            "coordinator/referral.html",
            referral=found,
            barrier_names=barrier_names(),
            allowed=referrals.allowed_statuses(session, current_user, found),
            consent=referrals.active_consent(session, found.needs_record_id, found.organization_id),
            partner_sees=referrals.partner_visible(session, found),
            organization_name=referrals.organization_name(found.organization, locale),
            service_name=found.service.text("name", locale).value if found.service else "",
            errors=errors,
        ),
        status,
    )


@bp.post("/referrals/<referral_id>/status")
def update_status(referral_id: str):
    try:
        with transaction() as session:
            found = _referral_or_404(referral_id)
            referrals.change_status(
                session,
                current_user,
                found,
                request.form.get("status", ""),
                request.form.get("note"),
            )
    except referrals.ReferralError as error:
        with transaction() as session:
            found = _referral_or_404(referral_id)
            return _render_referral(found, error_messages(error.errors), session, 400)
    flash(_("Status updated."), "info")
    return redirect(url_for("coordinator.referral", referral_id=referral_id))


def _family_language(record: NeedsRecord) -> dict[str, str]:
    """A record's forms start in the family's language (its first one we can offer)."""
    return {"language": next((c for c in record.languages if languages.is_known(c)), "")}


@bp.route("/referrals/<referral_id>/consent", methods=["GET", "POST"])
def consent(referral_id: str):
    values = request.form.to_dict() if request.method == "POST" else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            with transaction() as session:
                found = _referral_or_404(referral_id)
                referrals.record_consent(session, current_user, found, values)
            flash(_("Consent recorded."), "info")
            return redirect(url_for("coordinator.referral", referral_id=referral_id))
        except referrals.ReferralError as error:
            errors = error_messages(error.errors)
    with transaction():
        found = _referral_or_404(referral_id)
        locale = current_locale()
        if values is None:
            values = _family_language(found.record)
        return (
            render_template(
                "coordinator/consent.html",
                referral=found,
                organization_name=referrals.organization_name(found.organization, locale),
                barrier_names=barrier_names(),
                values=values,
                errors=errors,
                givers=CONSENT_GIVERS,
                methods=CONTACT_METHODS,
                shared_fields=referrals.SHARED_FIELDS,
                language_choices=_language_choices(),
            ),
            400 if errors else 200,
        )


@bp.post("/consents/<consent_id>/revoke")
def revoke_consent(consent_id: str):
    with transaction() as session:
        found = _referral_or_404(request.form.get("referral_id", ""))
        consent = next((c for c in found.record.consents if c.id == consent_id), None)
        if consent is None:
            abort(404)
        referrals.revoke_consent(session, current_user, consent)
    flash(_("Consent revoked: the organization no longer sees this referral."), "info")
    return redirect(url_for("coordinator.referral", referral_id=found.id))


@bp.get("/follow-ups")
def follow_ups():
    with transaction() as session:
        due = referrals.follow_ups_due(session, current_user)
        return render_template(
            "coordinator/follow_ups.html", referrals=due, barrier_names=barrier_names()
        )


def _why_chosen(service: handout.HandoutService) -> str:
    """One line: the barriers the service was chosen for and what in it meets each."""
    parts = [
        _("%(need)s (%(help)s)", need=need, help=", ".join(kinds)) if kinds else need
        for need, kinds in service.chosen_for
    ]
    return _("Chosen for: %(needs)s", needs="; ".join(parts)) if parts else ""


def _columns(session, record: NeedsRecord) -> list[dict]:
    """One handout column per language, each rendered in its own locale."""
    chosen = handout.handout_referrals(record)
    columns = []
    for locale in handout.handout_locales(record, request.args.get("lang")):
        with force_locale(locale):
            services = handout.handout_services(session, chosen, locale)
            columns.append(
                {
                    "locale": locale,
                    "services": services,
                    "why": {s.id: _why_chosen(s) for s in services},
                    "labels": {**labels(), **_handout_words(), "phone_labels": phone_labels()},
                }
            )
    return columns


def _handout_words() -> dict:
    return {
        "title": _("Services for your family"),
        "bring": _("What to bring"),
        "no_id": _("No ID needed"),
        "hours": _("Hours"),
        "cost": _("Cost"),
        "phone": _("Phone"),
        "address": _("Address"),
        "note": _("Note from your school"),
        "none": _("No services chosen yet."),
        "call_first": _("Call before you go: hours and documents can change."),
        "english_only": _("Some details are available in English only."),
    }


@bp.get("/records/<record_id>/handout")
def handout_page(record_id: str):
    with transaction() as session:
        found = _record_or_404(record_id)
        columns = _columns(session, found)
        handout.record_print(
            session, current_user, found, "handout", [c["locale"] for c in columns]
        )
        return render_template("handout/handout.html", record=found, columns=columns)


@bp.get("/records/<record_id>/sms")
def sms(record_id: str):
    with transaction() as session:
        found = _record_or_404(record_id)
        locale = handout.handout_locales(found, request.args.get("lang"))[0]
        chosen = handout.handout_referrals(found)
        text = handout.sms_text(handout.handout_services(session, chosen, locale))
        handout.record_print(session, current_user, found, "sms", [locale])
        return render_template("handout/sms.html", record=found, text=text, limit=handout.SMS_LIMIT)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
