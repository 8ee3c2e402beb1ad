"""Partner pages for referrals: the consented referrals to the partner's organizations.

A referral without active consent, still a draft, or to another organization answers
404, exactly like one that does not exist. The page shows only the minimum fields
(``referrals.SHARED_FIELDS``) and lets the partner report what happened.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matcher.db import transaction
from matcher.directory import languages
from matcher.families import referrals
from matcher.web.coordinator import barrier_names, error_messages, labels
from matcher.web.i18n import current_locale

bp = Blueprint("partner_referrals", __name__, url_prefix="/partners/referrals")


@bp.context_processor
def inject_labels() -> dict:
    return {**labels(), "language_name": languages.name, "locale": current_locale()}


@bp.get("/")
def index():
    with transaction() as session:
        rows = referrals.list_for_partner(session, current_user, current_locale())
        return render_template(
            "partner_referrals/index.html", referrals=rows, barrier_names=barrier_names()
        )


def _detail(referral_id: str, errors: dict[str, str], status: int = 200):
    with transaction() as session:
        found = referrals.get_for_partner(session, current_user, referral_id)
        if found is None:
            abort(404)
        view = referrals.partner_view(session, current_user, found, current_locale())
        return (
            render_template(
                "partner_referrals/detail.html",
                referral=view,
                barrier_names=barrier_names(),
                errors=errors,
            ),
            status,
        )


@bp.get("/<referral_id>")
def detail(referral_id: str):
    return _detail(referral_id, {})


@bp.post("/<referral_id>/status")
def update_status(referral_id: str):
    try:
        with transaction() as session:
            found = referrals.get_for_partner(session, current_user, referral_id)
            if found is None:
                abort(404)
            referrals.change_status(
                session,
                current_user,
                found,
                request.form.get("status", ""),
                request.form.get("note"),
            )
    except referrals.ReferralError as error:
        return _detail(referral_id, error_messages(error.errors), 400)
    flash(_("Status updated."), "info")
    return redirect(url_for("partner_referrals.detail", referral_id=referral_id))
