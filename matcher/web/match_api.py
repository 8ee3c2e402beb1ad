"""``POST /api/v1/match`` and ``flask match``: one family profile in, ranked matches out.

The API needs a signed-in coordinator, liaison or admin; session use must send the CSRF
token in the ``X-CSRFToken`` header (Flask-WTF checks it on every POST). Reasons come back
in the request's language (``?lang=es`` or Accept-Language).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from matcher.directory import county as counties
from matcher.extensions import db
from matcher.matching import engine as matching
from matcher.matching.profile import MATCH_REQUEST
from matcher.web.errors import bad_request, json_body
from matcher.web.i18n import current_locale
from matcher.web.match_view import result_json

bp = Blueprint("match_api", __name__)
BODY = Draft202012Validator(MATCH_REQUEST)

def profile_error_message(error: matching.ProfileError) -> str:
    """A user-facing message for bad match input."""
    messages = {
        ("barriers", "required"): _("Choose at least one barrier."),
        ("barriers", "too_many"): _("Too many barriers in one match."),
        ("language", "unknown"): _("We don't know the language '%(value)s'.", value=error.detail),
        ("near", "unknown"): error.detail,
        ("age", "invalid"): _("Age must be a whole number of years between 0 and 120."),
        ("no_documents", "invalid"): _("no_documents must be true or false."),
    }
    return messages.get((error.field, error.code), _("The request could not be understood."))


def run_match(data: dict[str, Any]) -> matching.MatchResult:
    """Parse input and match; raises a 400 with a clear message on bad input."""
    try:
        profile = matching.parse_profile(
            data.get("barriers"),
            data.get("language"),
            data.get("near"),
            data.get("age"),
            no_documents=data.get("no_documents", False),
        )
        return matching.match_family(
            db.session, profile, county_lines=counties.lines_of()
        )
    except matching.ProfileError as error:
        raise bad_request(profile_error_message(error)) from error
    except matching.UnknownBarrier as error:
        raise bad_request(_("Unknown barrier code: %(codes)s", codes=str(error))) from error


def _reason(error: ValidationError) -> str:
    """Why one value breaks the published body schema, in the user's language."""
    if error.validator == "required":
        return _("is required")
    if error.validator in ("minimum", "maximum"):
        schema = error.schema if isinstance(error.schema, dict) else {}
        return _("must be between %(low)s and %(high)s", low=schema.get("minimum"),
                 high=schema.get("maximum"))
    if error.validator in ("maxLength", "maxItems"):
        return _("is too long")
    if error.validator in ("minLength", "minItems"):
        return _("must not be empty")
    return _("has the wrong type")


def check_body(data: Any) -> dict[str, Any]:
    """The body as a dict that fits MATCH_REQUEST, or a 400 naming the field and reason."""
    if not isinstance(data, dict):
        raise bad_request(_("Send a JSON object with a list of barrier codes."))
    error = min(BODY.iter_errors(data), key=lambda e: [str(p) for p in e.path], default=None)
    if error is None:
        return data
    path = list(error.path)
    if error.validator == "required":
        path = [next(iter(set(MATCH_REQUEST["required"]) - set(data)))]
    field = str(path[0]) if path else ""
    reason = _reason(error)
    raise bad_request(_("%(field)s %(reason)s.", field=field, reason=reason), field=field,
                      reason=reason)


@bp.post("/api/v1/match")
def match():
    data = check_body(json_body())
    return result_json(run_match(data), current_locale())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
