"""Serving: production refuses unsafe settings, every response carries a request id and
security headers, /readyz reports the database and index, and a database outage is a 503."""

import json
import logging

import pytest
from sqlalchemy.exc import OperationalError

from matcher import create_app
from matcher.config import ConfigError, check_production
from matcher.web.observability import JsonFormatter, request_id_from

STRONG_SECRET = "x" * 64


def _production(**overrides) -> dict:
    config = {
        "ENLACE_ENV": "production",
        "SECRET_KEY": STRONG_SECRET,
        "DEBUG": False,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@db/enlace",
        "ENLACE_ALLOW_SQLITE": False,
        "ENLACE_BASE_URL": "https://enlace.example.org",
    }
    config.update(overrides)
    return config


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": "changeme"}, "ENLACE_SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": "short-but-real"}, "shorter than 32"),
        ({"DEBUG": True}, "debug mode is on"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/enlace.db"}, "the database is SQLite"),
    ],
)
def test_production_refuses_a_weak_secret_debug_or_sqlite(overrides, complaint):
    with pytest.raises(ConfigError, match=complaint):
        check_production(_production(**overrides))


def test_production_accepts_postgres_or_explicitly_allowed_sqlite():
    check_production(_production())
    check_production(
        _production(SQLALCHEMY_DATABASE_URI="sqlite:////srv/e.db", ENLACE_ALLOW_SQLITE=True)
    )
    check_production(_production(ENLACE_ENV="development", SECRET_KEY="dev", DEBUG=True))


def test_create_app_refuses_production_with_the_test_secret(app_config):
    with pytest.raises(ConfigError, match="refusing to start with ENLACE_ENV=production"):
        create_app({**app_config, "ENLACE_ENV": "production"})


def test_a_sane_incoming_request_id_is_echoed_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a:42"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'evil"{}' + "x" * 200})
    assert len(replaced.headers["X-Request-ID"]) == 32
    assert replaced.headers["X-Request-ID"].isalnum()
    fresh = client.get("/healthz")
    assert fresh.headers["X-Request-ID"] != replaced.headers["X-Request-ID"]
    assert request_id_from("a b") != "a b"


def test_log_lines_are_json_with_the_request_id_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "matcher.x", "levelname": "WARNING", "msg": "index %s", "args": ("gone",)}
    )
    record.request_id = "r-1"
    record.services = 3
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "index gone"
    assert entry["request_id"] == "r-1"
    assert entry["services"] == 3
    assert entry["level"] == "WARNING"


def test_every_response_has_a_strict_csp_and_security_headers(client):
    for path in ("/", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers


def test_production_adds_hsts_and_secure_cookies(app_config):
    app = create_app(
        {
            **app_config,
            "ENLACE_ENV": "production",
            "SECRET_KEY": STRONG_SECRET,
            "ENLACE_ALLOW_SQLITE": True,
            "ENLACE_BASE_URL": "https://enlace.example.org",
            "SESSION_COOKIE_SECURE": True,
        }
    )
    response = app.test_client().get("/healthz", base_url="https://enlace.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_HTTPONLY"]


def test_readyz_waits_for_the_search_index_then_reports_ready(client, runner):
    unbuilt = client.get("/readyz")
    assert unbuilt.status_code == 503
    assert unbuilt.get_json()["search_index"] == "unusable"
    result = runner.invoke(args=["index-sync"])
    assert result.output.startswith("rebuilt: 0 changes, 142 services")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "search_index": "ok", "status": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from matcher.operations import index_sync

    monkeypatch.setattr(index_sync, "database_ok", lambda _session: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def _database_down(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_a_database_outage_is_a_friendly_503_page_and_json(client, monkeypatch, caplog):
    from matcher.directory import listings

    monkeypatch.setattr(listings, "get_public_service", _database_down)
    # Alembic's fileConfig (run in-process by the template build) disables loggers.
    monkeypatch.setattr(logging.getLogger("matcher"), "disabled", False)
    with caplog.at_level(logging.WARNING):
        page = client.get("/services/anything")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "The service is busy or restarting" in page.get_data(as_text=True)
    assert "connection refused" not in page.get_data(as_text=True)
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    api = client.get("/services/anything", headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.get_json()["error"]["status"] == 503
