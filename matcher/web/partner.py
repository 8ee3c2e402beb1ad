"""Partner pages: sign up, confirm the email, register or claim an organization, edit it.

Every step is a plain server-rendered form (works on a phone without JavaScript);
drafts live in the partner's own ``Submission`` rows. A partner only ever sees
their own submissions and the organizations they manage: any other id answers
404 (submissions) or 403 (organizations), never the data.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from matcher.access import accounts
from matcher.db import transaction
from matcher.directory import languages, listings
from matcher.extensions import db, limiter
from matcher.models import WEEKDAYS, Organization, Service, Submission, User
from matcher.partners import freshness, registration, review
from matcher.web.auth import (
    MAIL_LIMIT,
    account_error,
    current_user_org_ids,
    send_verification,
    token_error,
)
from matcher.web.errors import bad_request
from matcher.web.i18n import LOCALES, current_locale
from matcher.web.listing_diffs import display_diffs, weekday_names
from matcher.web.notify import deliver, external_url

bp = Blueprint("partner", __name__, url_prefix="/partners")
api = Blueprint("partner_api", __name__, url_prefix="/api/v1")

HONEYPOT = "website_url"  # hidden from people by CSS; bots fill it in
ORG_CONTEXT = {"limits": registration.FORM_LIMITS}

FIELD_MESSAGES = {
    "required": _l("This is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "invalid_email": _l("Enter a valid email address."),
    "invalid_url": _l("Enter a web address that starts with http:// or https://."),
    "invalid_zip": _l("Enter a 5-digit ZIP code."),
    "unknown_zip": _l("We do not know that ZIP code."),
    "phone_or_email": _l("Give a phone number or an email."),
    "invalid_age": _l("Enter an age in years, as a number."),
    "age_order": _l("The oldest age must not be less than the youngest."),
    "grade_order": _l("Choose a first grade that comes before the last grade."),
    "invalid_hours": _l("Use hours like 09:00 and 17:30."),
    "choose_category": _l("Choose at least one category from the list."),
    "choose_language": _l("Choose at least one language."),
    "choose_one": _l("Choose one answer."),
    "unknown_place": _l("We do not know that place. Try a city or town of the county."),
}


def _messages(errors: dict[str, str]) -> dict[str, str]:
    return {field: str(FIELD_MESSAGES.get(code, code)) for field, code in errors.items()}


def _verified_partner() -> User:
    """The signed-in partner, who must have confirmed the email before registering."""
    if not current_user.is_verified:
        flash(_("Confirm your email first: open the link we sent you."), "error")
        abort(redirect(url_for("partner.dashboard")))
    return db.session.get(User, current_user.id)


def _own_draft(submission_id: str) -> Submission:
    submission = registration.own_submission(db.session, current_user, submission_id)
    if submission is None:
        abort(404)
    return submission


def _editable_draft(submission_id: str) -> Submission:
    submission = _own_draft(submission_id)
    if submission.status not in ("draft", "changes_requested"):
        abort(409)
    return submission


def _managed_org(organization_id: str) -> Organization:
    org = db.session.get(Organization, organization_id)
    if org is None:
        abort(404)
    if org.id not in current_user_org_ids():
        abort(403)
    return org


def _service_context(values: dict, errors: dict[str, str]) -> dict:
    locale = current_locale()
    return {
        "values": values,
        "errors": _messages(errors),
        "term_groups": registration.term_choices(db.session, locale),
        "language_choices": sorted(
            ((code, languages.name(code, locale)) for code in languages.LANGUAGES),
            key=lambda item: (
                item[0] not in ("en", "es"),
                item[0] not in languages.INDIGENOUS,
                item[1],
            ),
        ),
        "weekdays": list(zip(WEEKDAYS, weekday_names(), strict=True)),
        "grades": review.GRADES,
        "limits": registration.FORM_LIMITS,
    }


@bp.get("/")
def dashboard():
    submissions = registration.user_submissions(db.session, current_user)
    return render_template(
        "partner/dashboard.html",
        organizations=current_user.organizations,
        submissions=submissions,
    )


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def join():
    """Step 1 of registration: a partner account, confirmed by email before anything else."""
    form = request.form
    if request.method == "GET":
        return render_template("partner/join.html", form={}, errors={})
    if form.get(HONEYPOT):
        # Answer like a success so bots learn nothing; store and send nothing.
        return redirect(url_for("partner.check_email"))
    fields = {f: form.get(f, "") for f in ("email", "name", "password", "password_confirm")}
    errors = accounts.signup_errors(**fields)
    if not errors:
        try:
            with transaction() as session:
                user = accounts.create_user(
                    session,
                    email=fields["email"],
                    role="partner",
                    name=fields["name"],
                    password=fields["password"],
                    locale=current_locale(),
                    actor="self-registration",
                )
        except accounts.AccountError as error:
            errors = {"email": error.code}
    if errors:
        messages = {field: account_error(accounts.AccountError(code)) for field, code in
                    errors.items()}
        return render_template("partner/join.html", form=form, errors=messages), 400
    send_verification(user)
    login_user(user)
    return redirect(url_for("partner.check_email"))


@bp.get("/check-email")
def check_email():
    return render_template("partner/check_email.html")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def register_organization():
    """Step 2: the organization; similar listings are offered to claim instead."""
    user = _verified_partner()
    if request.method == "GET":
        return render_template(
            "partner/organization.html", values={}, errors={}, action=None, **ORG_CONTEXT
        )
    if request.form.get(HONEYPOT):
        return redirect(url_for("partner.dashboard"))
    data, errors = registration.parse_organization(request.form)
    if errors:
        return render_template(
            "partner/organization.html",
            values=data,
            errors=_messages(errors),
            action=None,
            **ORG_CONTEXT,
        ), 400
    with transaction() as session:
        submission = registration.start_registration(session, user, data)
    if registration.find_duplicates(db.session, data):
        return redirect(url_for("partner.duplicates", submission_id=submission.id))
    return redirect(url_for("partner.new_service", submission_id=submission.id))


@bp.get("/submissions/<submission_id>/similar")
def duplicates(submission_id: str):
    submission = _editable_draft(submission_id)
    found = registration.find_duplicates(db.session, submission.payload.get("organization", {}))
    return render_template("partner/duplicates.html", submission=submission, duplicates=found)


@bp.route("/submissions/<submission_id>/organization", methods=["GET", "POST"])
def edit_organization_step(submission_id: str):
    submission = _editable_draft(submission_id)
    values = submission.payload.get("organization") or (
        review.organization_form(submission.organization) if submission.organization else {}
    )
    if request.method == "GET":
        return render_template(
            "partner/organization.html", values=values, errors={}, action=submission, **ORG_CONTEXT
        )
    data, errors = registration.parse_organization(request.form)
    if errors:
        return render_template(
            "partner/organization.html",
            values=data,
            errors=_messages(errors),
            action=submission,
            **ORG_CONTEXT,
        ), 400
    with transaction():
        registration.set_organization(submission, data)
    return redirect(url_for("partner.summary", submission_id=submission.id))


@bp.route("/submissions/<submission_id>/services/new", methods=["GET", "POST"])
def new_service(submission_id: str):
    """Step 3: one service at a time; "add another" returns here."""
    return _service_step(_editable_draft(submission_id), None)


@bp.route("/submissions/<submission_id>/services/<service_id>", methods=["GET", "POST"])
def edit_service(submission_id: str, service_id: str):
    submission = _editable_draft(submission_id)
    service = db.session.get(Service, service_id)
    if service is None or service.organization_id != submission.organization_id:
        abort(404)
    return _service_step(submission, service)


def _service_step(submission: Submission, service: Service | None):
    org_values = submission.payload.get("organization") or (
        review.organization_form(submission.organization) if submission.organization else {}
    )
    if request.method == "GET":
        # Most partners take school referrals: "yes" is preselected for a new service.
        new = {"location": "address", "accepting_referrals": "yes"}
        values = review.service_form(service) if service else new
        drafted = next(
            (
                s
                for s in submission.payload.get("services", [])
                if service and s.get("id") == service.id
            ),
            None,
        )
        return render_template(
            "partner/service.html",
            submission=submission,
            service=service,
            **_service_context(drafted or values, {}),
        )
    data, errors = registration.parse_service(db.session, request.form, org_values)
    if errors:
        return render_template(
            "partner/service.html",
            submission=submission,
            service=service,
            **_service_context({**data, "categories": request.form.getlist("categories")}, errors),
        ), 400
    with transaction():
        registration.add_service(submission, data, service.id if service else None)
    if request.form.get("next") == "another":
        return redirect(url_for("partner.new_service", submission_id=submission.id))
    return redirect(url_for("partner.summary", submission_id=submission.id))


@bp.post("/submissions/<submission_id>/services/<int:index>/remove")
def remove_service(submission_id: str, index: int):
    submission = _editable_draft(submission_id)
    with transaction():
        registration.remove_service(submission, index)
    return redirect(url_for("partner.summary", submission_id=submission.id))


@bp.get("/submissions/<submission_id>")
def summary(submission_id: str):
    """Step 4: check everything, then send it for review."""
    submission = _own_draft(submission_id)
    return render_template(
        "partner/summary.html",
        submission=submission,
        diffs=display_diffs(review.diff(db.session, submission)),
    )


@bp.post("/submissions/<submission_id>/submit")
def submit(submission_id: str):
    submission = _editable_draft(submission_id)
    if submission.kind == "registration" and not submission.payload.get("services"):
        flash(_("Add at least one service before sending."), "error")
        return redirect(url_for("partner.new_service", submission_id=submission.id))
    with transaction() as session:
        registration.submit(session, submission, session.get(User, current_user.id))
    flash(_("Thank you. County staff will review it; we will email you the decision."), "info")
    return redirect(url_for("partner.dashboard"))


@bp.post("/organizations/<organization_id>/claim")
@limiter.limit(MAIL_LIMIT)
def claim(organization_id: str):
    user = _verified_partner()
    org = db.session.get(Organization, organization_id)
    if org is None or not org.published:
        abort(404)
    with transaction() as session:
        registration.claim(session, user, org, request.form.get("message", ""))
    flash(_("Your request to manage %(name)s is waiting for county review.", name=org.name), "info")
    return redirect(url_for("partner.dashboard"))


@bp.post("/organizations/<organization_id>/edit")
def start_edit(organization_id: str):
    org = _managed_org(organization_id)
    with transaction() as session:
        submission = registration.start_edit(session, session.get(User, current_user.id), org)
    return redirect(url_for("partner.summary", submission_id=submission.id))


@api.get("/taxonomy/terms")
@limiter.limit("120/minute")
def taxonomy_terms():
    """Category search-as-you-type (English or Spanish names and aliases, accents folded)."""
    query = (request.args.get("q") or "")[:100]
    locale = request.args.get("lang")
    if locale is not None and locale not in LOCALES:
        raise bad_request(_("We don't know the language '%(value)s'.", value=locale[:20]))
    choices = registration.search_terms(db.session, query, locale or current_locale())
    return {"terms": [{"id": c.id, "label": c.label, "group": c.group} for c in choices]}


# --- public forms: corrections and "still accurate" (no account needed) ----------------

forms = Blueprint("listing_forms", __name__)


@forms.route("/services/<service_id>/correction", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"])
def suggest_correction(service_id: str):
    service = listings.get_public_service(db.session, service_id)
    if service is None:
        abort(404)
    if request.method == "GET":
        return render_template("partner/correction.html", service=service, values={}, errors={})
    if request.form.get(HONEYPOT):
        return redirect(url_for("public.service", service_id=service.id))
    with transaction() as session:
        submission, errors = registration.suggest_correction(
            session, service, request.form, current_locale()
        )
    if submission is None:
        return render_template(
            "partner/correction.html",
            service=service,
            values=request.form,
            errors=_messages(errors),
        ), 400
    flash(_("Thank you. County staff will check your correction."), "info")
    return redirect(url_for("public.service", service_id=service.id))


@forms.route("/listings/still-accurate/<token>", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def still_accurate(token: str):
    key = current_app.config["SECRET_KEY"]
    try:
        if request.method == "GET":
            _user, org, _data = freshness.read_confirmation(db.session, key, token)
            return render_template("partner/still_accurate.html", org=org, token=token)
        with transaction() as session:
            org = freshness.confirm_still_accurate(session, key, token)
    except accounts.TokenError as error:
        return token_error(error)
    flash(_("Thank you: %(name)s is marked as verified today.", name=org.name), "info")
    return redirect(url_for("public.organization", organization_id=org.id))


def send_reminder(reminder: freshness.Reminder) -> None:
    confirm = external_url("listing_forms.still_accurate", token=reminder.token)
    edit = external_url("partner.dashboard")
    names = "\n".join(f"- {s.name}" for s in reminder.services)

    def build() -> tuple[str, str]:
        return _(
            "Is your Enlace listing still accurate? %(name)s", name=reminder.organization.name
        ), _(
            "Hello %(person)s,\n\nFamilies rely on your listing for %(name)s. These services "
            "have not been checked for a while:\n%(services)s\n\nIf everything is still "
            "right, open this link and press the button (one click):\n%(confirm)s\n\n"
            "If something changed, sign in and propose changes:\n%(edit)s",
            person=reminder.user.name or reminder.user.email,
            name=reminder.organization.name,
            services=names,
            confirm=confirm,
            edit=edit,
        )

    deliver(reminder.user.email, reminder.user.locale, build)
