"""Account fixtures for every test module (imported by ``tests/conftest.py``).

* ``make_user(session, role, schools=[...], orgs=[...], email=None, password=PASSWORD,
  name="", locale="en", verified=True)`` creates and commits a user through
  ``matcher.access.accounts.create_user`` (argon2 hash, audit row). ``schools`` and ``orgs``
  take model objects or ids; the email defaults to a unique ``<role>-N@example.org``.
* Fixtures ``admin_user``; ``coordinator_user`` and ``liaison_user`` (each bound to
  ``school``, the first seeded school by name); ``partner_user`` (bound to ``partner_org``,
  the first seeded organization by name). Also ``other_org``: a second seeded
  organization the partner does NOT manage.
* ``login(client, user, password=PASSWORD)`` signs in through the real login form
  (fetching a CSRF token first when CSRF is on) and asserts it worked;
  ``logout(client)`` signs out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import select

from matcher.access import accounts
from matcher.models import Organization, School, User

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _ids(items: Iterable[Any]) -> list[str]:
    return [item if isinstance(item, str) else item.id for item in items]


def make_user(
    session,
    role: str,
    schools: Iterable[Any] = (),
    orgs: Iterable[Any] = (),
    email: str | None = None,
    password: str | None = PASSWORD,
    name: str = "",
    locale: str = "en",
    verified: bool = True,
) -> User:
    user = accounts.create_user(
        session,
        email=email or f"{role}-{next(_serial)}@example.org",
        role=role,
        name=name or f"Test {role}",
        password=password,
        locale=locale,
        school_ids=_ids(schools),
        org_ids=_ids(orgs),
        verified=verified,
        actor="test",
    )
    session.commit()
    return user


def csrf_token_from(html: str) -> str:
    found = _CSRF_RE.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(client, user: User, password: str = PASSWORD):
    page = client.get("/login")
    data = {"email": user.email, "password": password}
    found = _CSRF_RE.search(page.get_data(as_text=True))
    if found:
        data["csrf_token"] = found.group(1)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def signed_in(app, user: User):
    """A new test client of ``app`` logged in as ``user`` (a second person in a test)."""
    client = app.test_client()
    login(client, user)
    return client


def logout(client) -> None:
    page = client.get("/account")
    found = _CSRF_RE.search(page.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": found.group(1)} if found else {})


@pytest.fixture
def school(session) -> School:
    return session.scalars(select(School).order_by(School.name)).first()


@pytest.fixture
def partner_org(session) -> Organization:
    return session.scalars(
        select(Organization).where(Organization.published.is_(True)).order_by(Organization.name)
    ).first()


@pytest.fixture
def other_org(session, partner_org) -> Organization:
    return session.scalars(
        select(Organization)
        .where(Organization.published.is_(True), Organization.id != partner_org.id)
        .order_by(Organization.name)
    ).first()


@pytest.fixture
def admin_user(session) -> User:
    return make_user(session, "admin", email="admin@example.org", name="Ana Admin")


@pytest.fixture
def coordinator_user(session, school) -> User:
    return make_user(session, "coordinator", schools=[school], email="coordinator@example.org")


@pytest.fixture
def liaison_user(session, school) -> User:
    return make_user(session, "liaison", schools=[school], email="liaison@example.org")


@pytest.fixture
def partner_user(session, partner_org) -> User:
    return make_user(session, "partner", orgs=[partner_org], email="partner@example.org")


__all__ = [
    "PASSWORD",
    "admin_user",
    "coordinator_user",
    "csrf_token_from",
    "liaison_user",
    "login",
    "logout",
    "make_user",
    "other_org",
    "partner_org",
    "partner_user",
    "school",
    "signed_in",
]
