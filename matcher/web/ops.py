"""Operations endpoints: readiness for the load balancer, and the database-down page."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from matcher.extensions import db
from matcher.operations import index_sync
from matcher.web.errors import render_error

bp = Blueprint("ops", __name__)


@bp.get("/readyz")
def readyz():
    """Readiness: route traffic here only if the database answers and search can be served."""
    report = index_sync.readiness(db.session, current_app.config["ENLACE_INDEX_DIR"])
    return report, 200 if report["status"] == "ok" else 503


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
@bp.app_errorhandler(PoolTimeoutError)
def database_unavailable(error: Exception):
    """The database is down or restarting: answer at once with a friendly 503, not a 500.

    The pool pre-pings connections, so the next request after recovery reconnects
    without an app restart.
    """
    current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:200])
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.invalidate()
    body, status = render_error(503)
    return body, status, {"Retry-After": "5"}
