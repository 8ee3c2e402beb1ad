"""Who is asking and for which host: links in mail come only from ENLACE_BASE_URL,
untrusted Host headers are refused, rate limits are shared across workers through Redis
and keyed on the client address that a trusted proxy forwarded (issue 18, findings 1, 4)."""

from __future__ import annotations

import re
import runpy
import uuid

import pytest
import redis

from matcher import create_app
from matcher.config import (
    SHARED_RATELIMIT_STORAGE,
    ConfigError,
    check_production,
    load_config,
    ratelimit_storage,
    trusted_hosts,
)
from matcher.core import mail
from matcher.extensions import limiter
from matcher.web.auth import LOGIN_LIMIT
from tests.fixtures_accounts import login

BASE = "https://enlace.example.org/portal"
LINK = re.compile(r"https?://[^\s/]+(/\S*)?")
STRONG_SECRET = "x" * 64


def _links(app) -> list[str]:
    entries = mail.read_outbox(mail.outbox_dir(app.config, app.instance_path))
    return [m.group(0) for entry in entries for m in LINK.finditer(entry.body)]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ENLACE_BASE_URL": BASE, "ENLACE_TRUSTED_HOSTS": ["localhost", "lb"]}


def test_every_mailed_link_is_built_on_the_base_url_whatever_the_host(
    app, client, runner, session, partner_user, admin_user, school
):
    client.post("/password/forgot", data={"email": partner_user.email}, headers={"Host": "lb"})
    joined = client.post(
        "/partners/join",
        data={"email": "new@example.org", "name": "N", "password": "p" * 12,
              "password_confirm": "p" * 12},
        headers={"Host": "lb:8080"},
    )
    assert joined.status_code == 302, joined.get_data(as_text=True)
    admin = app.test_client()
    login(admin, admin_user)
    admin.post(
        "/admin/users/invite",
        data={"email": "l@example.org", "role": "liaison", "school_ids": [school.id]},
    )
    assert "Sent 1 reminder(s)" in runner.invoke(args=["send-verification-reminders"]).output
    links = _links(app)
    paths = {"/password/reset/", "/verify/", "/invitations/", "/listings/still-accurate/"}
    assert all(any(f"{BASE}{p}" in link for link in links) for p in paths), links
    assert all(link.startswith(BASE + "/") for link in links), links


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "enlace.example.org.evil"])
def test_a_request_for_an_untrusted_host_is_refused_and_mails_nothing(
    app, client, partner_user, host
):
    response = client.post(
        "/password/forgot", data={"email": partner_user.email}, headers={"Host": host}
    )
    assert response.status_code == 400
    assert _links(app) == []
    assert client.get("/", headers={"Host": host}).status_code == 400
    assert client.get("/", headers={"Host": "enlace.example.org"}).status_code == 200


def test_trusted_hosts_default_to_loopback_in_development_and_the_base_url_in_production():
    assert trusted_hosts({"ENLACE_BASE_URL": "http://localhost:5000"}) == ["localhost", "127.0.0.1"]
    production = {"ENLACE_ENV": "production", "ENLACE_BASE_URL": "https://enlace.vcoe.org"}
    assert trusted_hosts(production) == ["enlace.vcoe.org"]
    assert trusted_hosts({**production, "ENLACE_TRUSTED_HOSTS": ["10.0.0.5"]}) == [
        "10.0.0.5",
        "enlace.vcoe.org",
    ]


def test_production_refuses_to_start_without_a_public_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("ENLACE_ENV", "production")
    monkeypatch.setenv("ENLACE_SECRET_KEY", STRONG_SECRET)
    monkeypatch.delenv("ENLACE_BASE_URL", raising=False)
    config = {**load_config(tmp_path), "SQLALCHEMY_DATABASE_URI": "postgresql://u@db/e"}
    with pytest.raises(ConfigError, match="ENLACE_BASE_URL"):
        check_production(config)
    with pytest.raises(ConfigError, match="ENLACE_BASE_URL"):
        check_production({**config, "ENLACE_BASE_URL": "enlace.vcoe.org"})
    check_production({**config, "ENLACE_BASE_URL": "https://enlace.vcoe.org"})


# --- rate limits: shared across workers, keyed on the forwarded address -----------------


def test_several_workers_share_limits_in_redis_and_production_refuses_memory(monkeypatch):
    assert ratelimit_storage({}) == "memory://"
    assert ratelimit_storage({"ENLACE_WORKERS": "3"}) == SHARED_RATELIMIT_STORAGE
    configured = {"ENLACE_WORKERS": "3", "ENLACE_RATELIMIT_STORAGE_URI": "redis://r"}
    assert ratelimit_storage(configured) == "redis://r"
    monkeypatch.delenv("ENLACE_RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("ENLACE_WORKERS", "4")
    gunicorn = runpy.run_path("gunicorn.conf.py")
    assert gunicorn["workers"] == 4
    assert ratelimit_storage(__import__("os").environ) == SHARED_RATELIMIT_STORAGE
    with pytest.raises(ConfigError, match="rate limits are kept in process memory"):
        check_production(
            {"ENLACE_ENV": "production", "SECRET_KEY": STRONG_SECRET,
             "SQLALCHEMY_DATABASE_URI": "postgresql://u@db/e", "ENLACE_BASE_URL": BASE,
             "ENLACE_WORKERS": 4, "RATELIMIT_STORAGE_URI": "memory://"}
        )


@pytest.fixture
def redis_prefix(monkeypatch):
    """A key prefix of this test only; its keys are deleted afterwards."""
    prefix = f"enlace-test-{uuid.uuid4().hex}"
    # The process-wide limiter keeps the prefix of the first app built in this process.
    monkeypatch.setattr(limiter, "_key_prefix", prefix)
    yield prefix
    client = redis.Redis.from_url(SHARED_RATELIMIT_STORAGE)
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _worker(app_config: dict, prefix: str, **extra):
    """One app as one gunicorn worker would build it, limits on, Redis as the store."""
    return create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": SHARED_RATELIMIT_STORAGE,
         "RATELIMIT_KEY_PREFIX": prefix, **extra}
    )


def _login_attempt(app, remote: str = "127.0.0.1", forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post(
        "/login", data={"email": "x@example.org", "password": "wrong"},
        headers=headers, environ_base={"REMOTE_ADDR": remote},
    ).status_code


def test_two_workers_share_one_login_limit_through_redis(app_config, redis_prefix):
    per_minute = int(LOGIN_LIMIT.split("/")[0])
    first, second = _worker(app_config, redis_prefix), _worker(app_config, redis_prefix)
    statuses = [_login_attempt(first if n % 2 else second) for n in range(per_minute)]
    assert 429 not in statuses
    assert _login_attempt(first) == 429 and _login_attempt(second) == 429


def test_the_forwarded_address_counts_only_from_a_trusted_proxy(app_config, redis_prefix):
    per_minute = int(LOGIN_LIMIT.split("/")[0])
    app = _worker(app_config, redis_prefix, ENLACE_PROXY_COUNT=1,
                  ENLACE_FORWARDED_ALLOW_IPS=["10.0.0.0/8"])
    for _ in range(per_minute):
        _login_attempt(app, "10.0.0.2", forwarded="203.0.113.7")
    # The attacker behind the load balancer is limited; another family is not.
    assert _login_attempt(app, "10.0.0.2", forwarded="203.0.113.7") == 429
    assert _login_attempt(app, "10.0.0.2", forwarded="198.51.100.4") == 401
    # Straight to the app, a forged header neither escapes the limit nor spends another's.
    for n in range(per_minute):
        _login_attempt(app, "192.0.2.9", forwarded=f"203.0.113.{n}")
    assert _login_attempt(app, "192.0.2.9", forwarded="198.51.100.77") == 429
    assert _login_attempt(app, "10.0.0.3", forwarded="198.51.100.5") == 401
