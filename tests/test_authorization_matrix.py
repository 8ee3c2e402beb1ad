"""Every route, called as anonymous, partner, liaison, coordinator and admin, answers as
matcher/access_policy.py declares; a route without a declared policy fails the build."""

import uuid

import pytest
from sqlalchemy import select

from matcher.access.policy import POLICY
from matcher.models import School, Service
from matcher.operations import index_sync
from tests.fixtures_accounts import login

CALLERS = ["anonymous", "partner", "liaison", "coordinator", "admin"]
DENIED_ANONYMOUS = {401, 403, 404}
DENIED_SIGNED_IN = {403, 404}


def _endpoints(app) -> dict[str, list]:
    rules: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule)
    return rules


def test_every_route_has_a_declared_access_policy(app):
    missing = sorted(set(_endpoints(app)) - set(POLICY))
    assert missing == [], f"add these endpoints to matcher/access_policy.py: {missing}"


def test_the_policy_names_no_endpoint_that_no_longer_exists(app):
    assert sorted(set(POLICY) - set(_endpoints(app))) == []


def _arguments(session, rule, partner_org) -> dict:
    """Seeded ids where a page needs one to exist (the partner's own organization, so a
    data check does not pass for a role check), random values elsewhere."""
    seeded = {
        "organization_id": partner_org.id,
        "service_id": session.scalars(select(Service.id).order_by("id")).first(),
        "school_key": session.scalars(select(School.key).order_by("key")).first(),
        "locale": "es",
        "filename": "enlace.css",
        "index": 0,
    }
    return {
        name: seeded.get(name, str(uuid.uuid4()) if name != "key" else "barriers")
        for name in rule.arguments
    }


def _is_login_redirect(response) -> bool:
    """Flask-Login's "sign in first" redirect (it carries ``next``; a form that sends
    you on to the login page after success, like password reset, does not)."""
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and "/login" in location and "next=" in location


def _violation(caller: str, allowed: bool, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if allowed:
        # APIs refuse with a JSON 401; an HTML 401 is a page's own answer (wrong password).
        api_refused = status == 401 and response.is_json
        if status == 403 or api_refused or _is_login_redirect(response):
            return f"allowed caller was refused ({status})"
        return None
    if caller == "anonymous":
        location = response.headers.get("Location", "")
        if status in DENIED_ANONYMOUS or (status == 302 and "/login" in location):
            return None
    elif status in DENIED_SIGNED_IN:
        return None
    return f"should be refused, got {status}"


@pytest.fixture
def callers(session, admin_user, coordinator_user, liaison_user, partner_user) -> dict:
    return {
        "anonymous": None,
        "partner": partner_user,
        "liaison": liaison_user,
        "coordinator": coordinator_user,
        "admin": admin_user,
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_every_route_answers_each_caller_as_the_policy_says(
    app, session, callers, partner_org, caller
):
    index_sync.sync(session, app.config["ENLACE_INDEX_DIR"])  # so /readyz is ready
    client = app.test_client()
    user = callers[caller]
    if user is not None:
        login(client, user)
    checked, problems = 0, []
    # Sign-out last: it would end the session the other calls rely on.
    endpoints = sorted(_endpoints(app).items(), key=lambda item: item[0] == "auth.logout")
    for endpoint, rules in endpoints:
        if endpoint not in POLICY:
            continue  # reported by test_every_route_has_a_declared_access_policy
        allowed = caller in POLICY[endpoint]
        for rule in rules:
            path = rule.build(_arguments(session, rule, partner_org), append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={}, follow_redirects=False)
                checked += 1
                problem = _violation(caller, allowed, response)
                if problem:
                    problems.append(f"{method} {path} ({endpoint}) as {caller}: {problem}")
    assert checked >= len(POLICY)
    assert problems == [], "\n".join(problems)
