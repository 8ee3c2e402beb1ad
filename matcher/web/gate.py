"""The access gate: every request is checked against ``matcher.access.policy.POLICY``.

The policy is the declaration *and* the enforcement: a route without a line in it is
refused (and logged), so a new route cannot be public by accident. Views no longer
repeat role checks; they only narrow by data (a coordinator's own schools, a partner's
own organizations), which is the domain's business.
"""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_babel import gettext as _
from flask_login import current_user

from matcher.access.policy import POLICY, PUBLIC
from matcher.extensions import login_manager
from matcher.web.errors import render_error, wants_json

log = logging.getLogger(__name__)


def enforce_policy():
    """``before_request``: None lets the request through; anything else is the refusal."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the router answers 404/405 itself
        return None
    allowed = POLICY.get(endpoint)
    if allowed is None:
        log.error("refused %s %s: endpoint %s has no line in the access policy",
                  request.method, request.path, endpoint)
        return render_error(403)
    if allowed is PUBLIC or allowed >= PUBLIC:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            return render_error(401, _("Sign in with an account that may use this."))
        return login_manager.unauthorized()
    if current_user.role not in allowed:
        return render_error(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)
