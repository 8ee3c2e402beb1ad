"""``/admin/vocabulary``: the words families search with that Enlace does not know yet
(counts only, never a term seen by fewer than 11 searches), searches that found nothing,
and the phrases staff mapped to categories or to a crisis kind."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matcher.db import transaction
from matcher.extensions import db
from matcher.reports import demand
from matcher.search import curation

bp = Blueprint("curation", __name__, url_prefix="/admin/vocabulary")


def _crisis_labels() -> dict[str, str]:
    return {
        "suicide": _("Suicide or self-harm"),
        "child_abuse": _("Child abuse"),
        "domestic_violence": _("Domestic violence"),
        "sexual_assault": _("Sexual assault"),
        "homeless_tonight": _("Homeless tonight"),
        "overdose": _("Overdose or poisoning"),
    }


@bp.get("/")
def index():
    empty = [
        row for row in demand.empty_searches(db.session) if row.count >= curation.MIN_READABLE
    ]
    return render_template(
        "admin/vocabulary.html",
        terms=curation.readable_terms(db.session),
        empty_searches=empty,
        mappings=curation.mappings(db.session),
        crisis_labels=_crisis_labels(),
        minimum=curation.MIN_READABLE,
        phrase=request.args.get("phrase", "")[:120],
    )


@bp.post("/mappings")
def add_mapping():
    form = request.form
    codes = form.get("term_codes", "").replace(",", " ").split()
    try:
        with transaction() as session:
            curation.add_mapping(
                session, current_user, form.get("phrase", ""), form.get("lang", "any"),
                codes, form.get("crisis") or None,
            )
    except curation.CurationError as error:
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
        return redirect(url_for("curation.index", phrase=form.get("phrase", "")[:120]))
    flash(_("Saved. Search on every host uses it within a second."), "info")
    return redirect(url_for("curation.index"))


@bp.post("/mappings/<mapping_id>/delete")
def delete_mapping(mapping_id: str):
    try:
        with transaction() as session:
            curation.delete_mapping(session, current_user, mapping_id)
    except curation.CurationError:
        flash(_("That mapping no longer exists."), "error")
    else:
        flash(_("Mapping removed."), "info")
    return redirect(url_for("curation.index"))
