"""Sign-in, sign-out, password reset, email verification, invitations and role checks.

Views are thin: they read the form, call ``matcher.access.accounts`` and render. Role
checks are not here: ``matcher.web.gate`` enforces the access policy on every request.
The membership helpers ``current_user_school_ids()`` / ``current_user_org_ids()`` are
for the data-level narrowing that views still do.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from matcher.access import accounts
from matcher.db import transaction
from matcher.extensions import db, limiter, login_manager
from matcher.models import User
from matcher.web.errors import render_error
from matcher.web.notify import deliver, external_url
from matcher.web.public import _safe_next

bp = Blueprint("auth", __name__)

LOGIN_LIMIT = "10/minute;50/hour"
MAIL_LIMIT = "5/minute;20/hour"

ACCOUNT_MESSAGES = {
    "invalid_email": _l("Enter a valid email address."),
    "invalid_role": _l("Choose a valid role."),
    "email_taken": _l("An account with that email already exists. Try signing in."),
    "password_too_short": _l("Use a password of at least 10 characters."),
    "password_too_long": _l("That password is too long."),
    "wrong_password": _l("Your current password is not correct."),
    "unknown_membership": _l("One of the schools or organizations does not exist."),
    "school_required": _l("Choose at least one school for a coordinator or liaison."),
    "passwords_differ": _l("The two passwords are not the same."),
    "required": _l("This is required."),
    "name_too_long": _l("That name is too long: use at most 200 characters."),
}
TOKEN_MESSAGES = {
    "invalid": _l("This link is not valid. Check that you copied all of it."),
    "expired": _l("This link has expired. Ask for a new one."),
    "used": _l("This link has already been used. Ask for a new one if you need it."),
}


# --- access helpers used by every blueprint -------------------------------------------


def load_user(user_id: str) -> User | None:
    """Session ids are 'uuid:session_version': a bumped version ends old sessions."""
    uid, _sep, version = user_id.partition(":")
    user = db.session.get(User, uid)
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def current_user_school_ids() -> set[str]:
    if not current_user.is_authenticated:
        return set()
    return {school.id for school in current_user.schools}


def current_user_org_ids() -> set[str]:
    if not current_user.is_authenticated:
        return set()
    return {org.id for org in current_user.organizations}


def nav_links() -> list[tuple[str, str]]:
    """(label, url) pairs for the header, by role; templates only loop over them."""
    if not current_user.is_authenticated:
        return [(_("Log in"), url_for("auth.login"))]
    links = []
    if current_user.role == "admin":
        links.append((_("Admin"), url_for("admin.dashboard")))
    if current_user.role == "partner":
        links.append((_("My listings"), url_for("partner.dashboard")))
    links.append((_("Account"), url_for("auth.account")))
    return links


def role_labels() -> dict[str, str]:
    return {
        "admin": _("County admin"),
        "coordinator": _("School coordinator"),
        "liaison": _("Family liaison"),
        "partner": _("Partner organization"),
    }


def account_error(error: accounts.AccountError) -> str:
    return str(ACCOUNT_MESSAGES.get(error.code, _("That did not work. Check the form.")))


def token_error(error: accounts.TokenError):
    return render_error(400, str(TOKEN_MESSAGES[error.code]))


def secret_key() -> str:
    return current_app.config["SECRET_KEY"]


# --- mail -----------------------------------------------------------------------------


def send_verification(user: User) -> None:
    token = accounts.make_token(secret_key(), "verify-email", {"u": user.id})
    link = external_url("auth.verify_email", token=token)

    def build() -> tuple[str, str]:
        return _("Confirm your email for Enlace"), _(
            "Hello %(name)s,\n\nOpen this link to confirm your email address:\n%(link)s\n\n"
            "The link works once and expires in 3 days. If you did not create an Enlace "
            "account, ignore this message.",
            name=user.name or user.email,
            link=link,
        )

    deliver(user.email, user.locale, build)


def send_password_reset(user: User) -> None:
    link = external_url(
        "auth.reset_password", token=accounts.reset_token(secret_key(), user)
    )

    def build() -> tuple[str, str]:
        return _("Reset your Enlace password"), _(
            "Hello %(name)s,\n\nOpen this link to choose a new password:\n%(link)s\n\n"
            "The link works once and expires in 2 hours. If you did not ask for it, "
            "ignore this message: your password has not changed.",
            name=user.name or user.email,
            link=link,
        )

    deliver(user.email, user.locale, build)


def send_invitation(user: User, inviter: User) -> None:
    token = accounts.make_token(secret_key(), "invitation", {"u": user.id})
    link = external_url("auth.accept_invitation", token=token)

    def build() -> tuple[str, str]:
        return _("You are invited to Enlace"), _(
            "Hello,\n\n%(inviter)s invited you to Enlace. Open this link to choose your "
            "password:\n%(link)s\n\nThe link works once and expires in 7 days.",
            inviter=inviter.name or inviter.email,
            link=link,
        )

    deliver(user.email, user.locale, build)


# --- views ----------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    # Only a "next" that was asked for (by the login_required redirect) is kept.
    next_url = _safe_next(request.values["next"]) if request.values.get("next") else None
    if current_user.is_authenticated:  # to switch accounts, sign out first
        return redirect(next_url or home_for(current_user))
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, email="")
    email = request.form.get("email", "")
    with transaction() as session:
        result = accounts.authenticate(session, email, request.form.get("password", ""))
    if result.outcome == "ok" and result.user is not None:
        login_user(result.user, remember=bool(request.form.get("remember")))
        return redirect(next_url or home_for(result.user))
    if result.outcome == "locked" and result.retry_after:
        wait = format_timedelta(result.retry_after, threshold=1, add_direction=False)
        message = _("Too many failed attempts. Try again in %(wait)s.", wait=wait)
    else:
        message = _("That email and password do not match an active account.")
    flash(message, "error")
    return render_template("auth/login.html", next_url=next_url, email=email), 401


HOME_ENDPOINTS = {
    "admin": "admin.dashboard",
    "partner": "partner.dashboard",
    "coordinator": "coordinator.index",
    "liaison": "coordinator.index",
}


def home_for(user: User) -> str:
    """Each role lands on its own page after signing in."""
    return url_for(HOME_ENDPOINTS.get(user.role, "public.home"))


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def forgot_password():
    if request.method == "POST":
        user = accounts.find_user(db.session, request.form.get("email", ""))
        if user is not None and user.active:
            send_password_reset(user)
        # Same answer either way: the form must not reveal who has an account.
        flash(_("If that email has an account, we sent it a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html")


def _new_password() -> str:
    password = request.form.get("password", "")
    if password != request.form.get("password_confirm", ""):
        raise accounts.AccountError("passwords_differ")
    return password


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        accounts.read_token(db.session, secret_key(), "reset-password", token)
        if request.method == "GET":
            return render_template("auth/reset.html", token=token)
        with transaction() as session:
            user = accounts.reset_password(session, secret_key(), token, _new_password())
    except accounts.TokenError as error:
        return token_error(error)
    except accounts.AccountError as error:
        flash(account_error(error), "error")
        return render_template("auth/reset.html", token=token), 400
    login_user(user)
    flash(_("Your password is changed. Every other session has been signed out."), "info")
    return redirect(home_for(user))


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        with transaction() as session:
            user = accounts.verify_email(session, secret_key(), token)
    except accounts.TokenError as error:
        return token_error(error)
    flash(_("Thank you: your email is confirmed."), "info")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(home_for(user))
    return redirect(url_for("auth.login"))


@bp.post("/verify/resend")
@limiter.limit(MAIL_LIMIT)
def resend_verification():
    if not current_user.is_verified:
        send_verification(current_user)
    flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(home_for(current_user))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def accept_invitation(token: str):
    try:
        data = accounts.read_token(db.session, secret_key(), "invitation", token)
        invited = accounts.user_for_token(db.session, data)
        if request.method == "GET":
            return render_template("auth/invitation.html", token=token, invited=invited)
        with transaction() as session:
            user = accounts.accept_invitation(
                session, secret_key(), token, _new_password(), request.form.get("name", "")
            )
    except accounts.TokenError as error:
        return token_error(error)
    except accounts.AccountError as error:
        flash(account_error(error), "error")
        return render_template("auth/invitation.html", token=token, invited=invited), 400
    login_user(user)
    flash(_("Welcome to Enlace. Your account is ready."), "info")
    return redirect(home_for(user))


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def account():
    if request.method == "POST":
        try:
            with transaction() as session:
                user = session.get(User, current_user.id)
                accounts.change_password(
                    session, user, request.form.get("current_password", ""), _new_password()
                )
        except accounts.AccountError as error:
            flash(account_error(error), "error")
            return render_template("auth/account.html"), 400
        login_user(user)  # this session continues with the new session version
        flash(_("Your password is changed. Every other session has been signed out."), "info")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html")


def init_app(app: Flask) -> None:
    """Wire Flask-Login and the CSRF error page; called from ``create_app``."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError):
        return render_error(
            400,
            _(
                "This form is missing its security token or the token has expired. "
                "Reload the page and send the form again."
            ),
        )

    @app.context_processor
    def inject_nav() -> dict:
        return {
            "account_links": nav_links(),
            "signed_in": current_user.is_authenticated,
            "role_labels": role_labels(),
            "kind_labels": {
                "registration": _("New organization"),
                "claim": _("Claim"),
                "edit": _("Partner edit"),
                "correction": _("Public correction"),
            },
            "status_labels": {
                "draft": _("Draft, not sent"),
                "pending": _("Waiting for review"),
                "changes_requested": _("Changes requested"),
                "approved": _("Approved"),
                "rejected": _("Not approved"),
            },
        }
