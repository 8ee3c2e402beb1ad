"""County admin pages: dashboard, users and invitations, review queue, freshness, audit log."""

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
from flask_login import current_user
from sqlalchemy import select

from matcher.access import accounts
from matcher.core import audit
from matcher.db import transaction
from matcher.extensions import db
from matcher.models import ROLES, Organization, School, Submission, User
from matcher.partners import freshness, review
from matcher.web.auth import account_error, send_invitation
from matcher.web.listing_diffs import display_diffs
from matcher.web.notify import deliver, external_url

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def dashboard():
    return render_template(
        "admin/dashboard.html",
        pending=review.pending_counts(db.session),
        stale_count=len(freshness.stale_services(db.session)),
    )


def _choices() -> dict:
    session = db.session
    return {
        "roles": ROLES,
        "schools": list(session.scalars(select(School).order_by(School.name))),
        "organizations": list(session.scalars(select(Organization).order_by(Organization.name))),
    }


@bp.get("/users")
def users():
    people = list(db.session.scalars(select(User).order_by(User.role, User.email)))
    return render_template("admin/users.html", users=people, **_choices())


@bp.post("/users/invite")
def invite():
    form = request.form
    try:
        with transaction() as session:
            user = accounts.create_user(
                session,
                email=form.get("email", ""),
                role=form.get("role", ""),
                name=form.get("name", ""),
                locale=form.get("locale", "en"),
                school_ids=form.getlist("school_ids"),
                org_ids=form.getlist("org_ids"),
                actor=session.get(User, current_user.id),
            )
            send_invitation(user, current_user)
    except accounts.AccountError as error:
        flash(account_error(error), "error")
        return redirect(url_for("admin.users"))
    flash(_("Invitation sent to %(email)s.", email=user.email), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<user_id>", methods=["GET", "POST"])
def user_access(user_id: str):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        form = request.form
        try:
            with transaction() as session:
                accounts.update_access(
                    session,
                    user,
                    role=form.get("role", ""),
                    school_ids=form.getlist("school_ids"),
                    org_ids=form.getlist("org_ids"),
                    active=form.get("active") == "1",
                    actor=session.get(User, current_user.id),
                )
        except accounts.AccountError as error:
            flash(account_error(error), "error")
        else:
            flash(_("Access updated for %(email)s.", email=user.email), "info")
        return redirect(url_for("admin.user_access", user_id=user.id))
    return render_template("admin/user.html", user=user, **_choices())


@bp.get("/audit")
def audit_log():
    kind = request.args.get("type") or None
    events = audit.recent_events(db.session, entity_type=kind)
    return render_template("admin/audit.html", events=events, kind=kind)


REVIEW_MESSAGES = {
    "invalid_decision": _l("Choose approve, request changes or reject."),
    "not_pending": _l("This submission was already decided."),
    "message_required": _l("Write a message to the submitter when you do not approve."),
    "nothing_to_apply": _l("This submission has nothing that can be applied."),
    "service_not_in_organization": _l(
        "A service in this submission belongs to another organization."
    ),
}


@bp.get("/reviews")
def reviews():
    status = request.args.get("status", "pending")
    return render_template(
        "admin/reviews.html", submissions=review.queue(db.session, status), status=status
    )


def _submission(submission_id: str) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/reviews/<submission_id>")
def review_detail(submission_id: str):
    submission = _submission(submission_id)
    return render_template(
        "admin/review.html",
        submission=submission,
        diffs=display_diffs(review.diff(db.session, submission)),
    )


@bp.post("/reviews/<submission_id>")
def decide(submission_id: str):
    submission = _submission(submission_id)
    decision, message = request.form.get("decision", ""), request.form.get("message", "")
    try:
        with transaction() as session:
            touched = review.decide(
                session, submission, session.get(User, current_user.id), decision, message
            )
    except review.ReviewError as error:
        flash(str(REVIEW_MESSAGES[error.code]), "error")
        return redirect(url_for("admin.review_detail", submission_id=submission.id))
    review.refresh_search_index(current_app.config["ENLACE_INDEX_DIR"], db.session, touched)
    _mail_decision(submission, decision, message)
    flash(_("Decision saved and sent to the submitter."), "info")
    return redirect(url_for("admin.reviews"))


def _mail_decision(submission: Submission, decision: str, message: str) -> None:
    to = submission.submitter.email if submission.submitter else submission.contact_email
    if not to:
        return
    locale = submission.submitter.locale if submission.submitter else None
    name = submission.organization.name if submission.organization else ""
    name = name or submission.payload.get("organization", {}).get("name", "")
    link = external_url("partner.summary", submission_id=submission.id)

    def build() -> tuple[str, str]:
        headline = {
            "approved": _("Approved: your listing change for %(name)s", name=name),
            "changes_requested": _("Changes requested: %(name)s", name=name),
            "rejected": _("Not approved: %(name)s", name=name),
        }[decision]
        body = _("County staff reviewed what you sent to Enlace.") + "\n\n" + headline
        if message.strip():
            body += "\n\n" + _("Message from the reviewer:") + "\n" + message.strip()
        if submission.submitter:
            body += "\n\n" + _("See it here: %(link)s", link=link)
        return headline, body

    deliver(to, locale, build)


@bp.get("/freshness")
def stale_listings():
    return render_template("admin/freshness.html", services=freshness.stale_services(db.session))


@bp.post("/organizations/<organization_id>/published")
def set_published(organization_id: str):
    org = db.session.get(Organization, organization_id)
    if org is None:
        abort(404)
    published = request.form.get("published") == "1"
    with transaction() as session:
        touched = freshness.set_published(
            session, org, published, session.get(User, current_user.id)
        )
    review.refresh_search_index(current_app.config["ENLACE_INDEX_DIR"], db.session, touched)
    if published:
        flash(_("%(name)s is public again.", name=org.name), "info")
    else:
        flash(_("%(name)s is no longer public.", name=org.name), "info")
    return redirect(request.referrer or url_for("admin.stale_listings"))
