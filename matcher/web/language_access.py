"""Public page: which partners offer services in Indigenous languages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from matcher.directory import language_access, languages
from matcher.extensions import db
from matcher.web.i18n import current_locale

bp = Blueprint("languages", __name__)


@bp.get("/languages")
@bp.get("/languages/<code>")
def indigenous(code: str | None = None):
    if code is not None and code not in languages.INDIGENOUS:
        abort(404)
    found = language_access.indigenous_language_access(db.session, current_locale(), code)
    return render_template("languages/indigenous.html", found=found, code=code)
