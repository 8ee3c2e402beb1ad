"""Accounts: argon2 passwords, login backoff and rate limit, CSRF, tokens, roles, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matcher.access import accounts
from matcher.core import mail
from matcher.models import AuditEvent, UsedToken, User
from matcher.models.base import utcnow
from tests.fixtures_accounts import PASSWORD, csrf_token_from, login, make_user

LINK_RE = r"http://localhost(?::\d+)?(/\S+)"


def outbox(app) -> list[mail.OutboxEntry]:
    return mail.read_outbox(mail.outbox_dir(app.config, app.instance_path))


def link_in(entry: mail.OutboxEntry) -> str:
    import re

    found = re.search(LINK_RE, entry.body)
    assert found, entry.body
    return found.group(1)


def test_stored_passwords_are_argon2id_hashes_never_the_password(session):
    user = make_user(session, "admin", password="a long enough password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash


def test_login_form_signs_in_with_the_right_password_and_refuses_a_wrong_one(client, admin_user):
    wrong = client.post("/login", data={"email": admin_user.email, "password": "nope nope nope"})
    assert wrong.status_code == 401
    assert "do not match an active account" in wrong.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    login(client, admin_user)
    assert "County admin" in client.get("/admin/").get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, admin_user):
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert unknown.status_code == 401
    assert "do not match an active account" in unknown.get_data(as_text=True)


def test_repeated_failed_logins_lock_the_account_with_doubling_waits(session):
    user = make_user(session, "partner")
    now = utcnow()
    outcomes = [
        accounts.authenticate(session, user.email, "wrong password", now).outcome
        for _ in range(accounts.FREE_ATTEMPTS)
    ]
    assert outcomes == ["invalid"] * (accounts.FREE_ATTEMPTS - 1) + ["locked"]
    # Even the right password is refused while the account waits.
    locked = accounts.authenticate(session, user.email, PASSWORD, now + timedelta(seconds=10))
    assert locked.outcome == "locked"
    assert locked.retry_after == timedelta(seconds=20)
    later = now + timedelta(seconds=31)
    again = accounts.authenticate(session, user.email, "wrong password", later)
    assert again.retry_after == timedelta(seconds=60)
    ok = accounts.authenticate(session, user.email, PASSWORD, later + timedelta(seconds=61))
    assert ok.outcome == "ok"
    assert user.failed_logins == 0 and user.locked_until is None


def test_the_login_page_says_how_long_a_locked_account_must_wait(client, session, admin_user):
    for _ in range(accounts.FREE_ATTEMPTS):
        response = client.post("/login", data={"email": admin_user.email, "password": "bad"})
    assert "Too many failed attempts. Try again in" in response.get_data(as_text=True)
    blocked = client.post("/login", data={"email": admin_user.email, "password": PASSWORD})
    assert blocked.status_code == 401
    session.expire_all()
    assert session.get(User, admin_user.id).failed_logins == accounts.FREE_ATTEMPTS


@pytest.fixture
def rate_limited(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"
    return app_config


def test_more_than_ten_login_posts_a_minute_from_one_address_get_429(rate_limited, client):
    statuses = [
        client.post("/login", data={"email": f"x{i}@example.org", "password": "x"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    limited = client.post("/login", data={"email": "y@example.org", "password": "x"})
    assert "Too many attempts" in limited.get_data(as_text=True)


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_a_post_without_csrf_token_is_rejected_and_one_with_the_token_passes(
    csrf_on, client, admin_user
):
    refused = client.post("/login", data={"email": admin_user.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "missing its security token" in refused.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    accepted = client.post(
        "/login", data={"email": admin_user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith("/admin/")


def test_changing_the_password_signs_out_every_other_session(app, session, partner_user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, partner_user)
    login(laptop, partner_user)
    changed = laptop.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "password": "a brand new password",
            "password_confirm": "a brand new password",
        },
    )
    assert changed.status_code == 302
    assert laptop.get("/partners/").status_code == 200  # the session that changed it stays
    assert phone.get("/partners/").status_code == 302  # the other one is signed out
    session.expire_all()
    assert session.get(User, partner_user.id).session_version == 2


def test_password_reset_link_from_the_outbox_works_once(app, client, session, partner_user):
    client.post("/password/forgot", data={"email": partner_user.email})
    [message] = outbox(app)
    assert message.to == partner_user.email
    path = link_in(message)
    new = {"password": "another good password", "password_confirm": "another good password"}
    assert client.post(path, data=new).status_code == 302
    reused = client.post(path, data=new)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    assert session.scalars(select(UsedToken)).one().purpose == "reset-password"


def test_forgot_password_does_not_reveal_whether_an_account_exists(app, client):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert outbox(app) == []


def test_tokens_expire_and_are_bound_to_their_purpose(session):
    user = make_user(session, "partner", verified=False)
    token = accounts.make_token("k", "verify-email", {"u": user.id})
    with pytest.raises(accounts.TokenError) as expired:
        accounts.read_token(session, "k", "verify-email", token, now=utcnow() + timedelta(days=4))
    assert expired.value.code == "expired"
    with pytest.raises(accounts.TokenError) as wrong_purpose:
        accounts.read_token(session, "k", "reset-password", token)
    assert wrong_purpose.value.code == "invalid"
    with pytest.raises(accounts.TokenError) as wrong_key:
        accounts.read_token(session, "other key", "verify-email", token)
    assert wrong_key.value.code == "invalid"


def test_a_reset_link_dies_when_the_password_changes_another_way(session):
    user = make_user(session, "partner")
    token = accounts.reset_token("k", user)
    accounts.set_password(session, user, "changed in between", user)
    with pytest.raises(accounts.TokenError) as error:
        accounts.reset_password(session, "k", token, "and a third password")
    assert error.value.code == "used"


def test_an_admin_invites_a_liaison_who_sets_a_password_from_the_emailed_link(
    app, client, session, admin_user, school
):
    login(client, admin_user)
    sent = client.post(
        "/admin/users/invite",
        data={
            "email": "Liaison.New@Example.org",
            "role": "liaison",
            "locale": "es",
            "school_ids": [school.id],
        },
    )
    assert sent.status_code == 302
    [message] = outbox(app)
    assert message.subject == "Tiene una invitación para Enlace"
    invited = session.scalars(select(User).where(User.email == "liaison.new@example.org")).one()
    assert invited.password_hash is None
    assert [s.id for s in invited.schools] == [school.id]
    guest = app.test_client()
    path = link_in(message)
    form = {
        "name": "Lia",
        "password": "liaison password 1",
        "password_confirm": "liaison password 1",
    }
    assert guest.post(path, data=form).status_code == 302
    assert guest.post(path, data=form).status_code == 400
    session.expire_all()
    assert session.get(User, invited.id).is_verified
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == invited.id)).all()
    assert {"user.create", "user.password", "user.verify_email"} <= {e.action for e in events}


def test_a_coordinator_cannot_reach_admin_pages(client, coordinator_user):
    login(client, coordinator_user)
    for path in ("/admin/", "/admin/users", "/admin/audit", "/admin/reviews"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You do not have access" in response.get_data(as_text=True)


def test_an_admin_changes_a_role_and_the_audit_log_shows_before_and_after(
    client, session, admin_user, partner_user, other_org
):
    login(client, admin_user)
    client.post(
        f"/admin/users/{partner_user.id}",
        data={"role": "partner", "org_ids": [other_org.id], "active": "1"},
    )
    session.expire_all()
    assert [o.id for o in session.get(User, partner_user.id).organizations] == [other_org.id]
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "user.access" in page
    assert other_org.id in page


def test_create_user_command_creates_an_admin_who_can_sign_in(runner, client, session):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "boss@example.org",
            "--role",
            "admin",
            "--password",
            "cli password 123",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org" in result.output
    user = session.scalars(select(User).where(User.email == "boss@example.org")).one()
    login(client, user, "cli password 123")


def test_outbox_command_lists_and_shows_messages(app, client, runner, partner_user):
    client.post("/password/forgot", data={"email": partner_user.email})
    listing = runner.invoke(args=["outbox"])
    assert "1 message(s)" in listing.output
    assert partner_user.email in listing.output
    shown = runner.invoke(args=["outbox", "--show", "1"])
    assert "/password/reset/" in shown.output
