"""Error pages and JSON errors: every failure gets a clear message, never a stack trace."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# Endpoints whose query is a family's own words, which the search engine cleans itself.
FREE_TEXT_ENDPOINTS = frozenset({"search.page", "search.api"})


def json_body() -> Any:
    """The request's JSON, or None when it is not JSON (nested too deep counts as not JSON)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again."),
        503: _("The service is busy or restarting. Please try again shortly."),
    }


def render_error(status: int, message: str | None = None, details: dict | None = None):
    message = message or _messages().get(status, _messages()[500])
    if wants_json():
        return {"error": {"status": status, "message": message, **(details or {})}}, status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        custom = error.description if getattr(error, "enlace_message", False) else None
        body, status = render_error(
            error.code or 500, custom, getattr(error, "enlace_details", None)
        )
        # Keep what the error says about the protocol: Allow on a 405 (RFC 9110), etc.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, status, headers

    @app.before_request
    def refuse_nul_characters():
        """No form field, query or path holds a NUL (PostgreSQL refuses it in text), except
        a search: a family's words always get an answer, and the engine drops the NUL."""
        values = [*(request.view_args or {}).values()]
        values += [v for _k, v in request.form.items(multi=True)]
        if request.endpoint not in FREE_TEXT_ENDPOINTS:
            values += [v for _k, v in request.args.items(multi=True)]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            return render_error(400, _("The request contains a NUL character."))
        return None

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)


def bad_request(message: str, **details: str) -> HTTPException:
    """A 400 whose message is shown to the user as given (``details``: extra JSON fields,
    e.g. the ``field`` at fault and the ``reason``)."""
    from werkzeug.exceptions import BadRequest

    error = BadRequest(message)
    error.enlace_message = True  # type: ignore[attr-defined]
    error.enlace_details = details  # type: ignore[attr-defined]
    return error
