"""Configuration from ``ENLACE_*`` environment variables (documented in README)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a configuration Enlace can safely run with."""


# Keys copied from examples or tests: a production process must never sign cookies with them.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "dev", "development", "secret", "test-secret-key", "k"}
)
MIN_PRODUCTION_SECRET_LENGTH = 32


def _secret_key(instance_path: Path, env: str) -> str:
    """Return ENLACE_SECRET_KEY, or a key generated once and kept in ``instance/``."""
    key = os.environ.get("ENLACE_SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("ENLACE_SECRET_KEY must be set when ENLACE_ENV=production")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalize_database_url(url: str) -> str:
    """Use the pinned psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


DEVELOPMENT_BASE_URL = "http://localhost:5000"
# Hosts a development process answers besides its base URL's: the loopback names.
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")
SHARED_RATELIMIT_STORAGE = "redis://127.0.0.1:6379/0"


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def ratelimit_storage(environ: os._Environ | dict) -> str:
    """The limiter store: as configured, else Redis as soon as more than one worker runs.

    Process memory is per worker: five workers would allow five times each limit.
    """
    configured = environ.get("ENLACE_RATELIMIT_STORAGE_URI")
    if configured:
        return configured
    return SHARED_RATELIMIT_STORAGE if int(environ.get("ENLACE_WORKERS") or 1) > 1 else "memory://"


def base_url_host(base_url: str | None) -> str | None:
    """The host name of an http(s) base URL, or None when it is not one."""
    parts = urlsplit(base_url or "")
    return parts.hostname if parts.scheme in ("http", "https") and parts.hostname else None


def trusted_hosts(config: dict) -> list[str]:
    """Hosts requests may name: ENLACE_TRUSTED_HOSTS, else the base URL's host (and, in
    development, loopback). Anything else is refused before a view runs."""
    hosts = list(config.get("ENLACE_TRUSTED_HOSTS") or [])
    if not hosts and config.get("ENLACE_ENV") != "production":
        hosts = list(DEVELOPMENT_HOSTS)
    base_host = base_url_host(config.get("ENLACE_BASE_URL"))
    if base_host and base_host not in hosts:
        hosts.append(base_host)
    return hosts


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ.get("ENLACE_ENV", "development")
    database_url = os.environ.get("ENLACE_DATABASE_URL", f"sqlite:///{instance_path / 'enlace.db'}")
    return {
        "ENLACE_ENV": env,
        "ENLACE_ALLOW_SQLITE": os.environ.get("ENLACE_ALLOW_SQLITE") == "1",
        "SECRET_KEY": _secret_key(instance_path, env),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ENLACE_INDEX_DIR": os.environ.get("ENLACE_INDEX_DIR", str(PROJECT_ROOT / "indexes")),
        # County settings TOML file(s), comma-separated for a region; the first is the home
        # county. Empty: the shipped sample county (matcher/directory/county.py).
        "ENLACE_COUNTY_SETTINGS": os.environ.get("ENLACE_COUNTY_SETTINGS", ""),
        "RATELIMIT_STORAGE_URI": ratelimit_storage(os.environ),
        "RATELIMIT_KEY_PREFIX": os.environ.get("ENLACE_RATELIMIT_KEY_PREFIX", "enlace"),
        # Redis away for a moment: limit per process rather than fail every request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "ENLACE_WORKERS": int(os.environ.get("ENLACE_WORKERS") or 1),
        "ENLACE_TRUSTED_HOSTS": _list(os.environ.get("ENLACE_TRUSTED_HOSTS")),
        "ENLACE_PROXY_COUNT": int(os.environ.get("ENLACE_PROXY_COUNT") or 0),
        "ENLACE_FORWARDED_ALLOW_IPS": _list(
            os.environ.get("ENLACE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
        ),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "America/Los_Angeles",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "matcher" / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # Accounts and mail (matcher/accounts.py, matcher/mail.py).
        "SESSION_COOKIE_NAME": "enlace_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # Every link in an e-mail is built from it, never from the request's Host.
        "ENLACE_BASE_URL": os.environ.get(
            "ENLACE_BASE_URL", None if env == "production" else DEVELOPMENT_BASE_URL
        ),
        "ENLACE_MAIL_BACKEND": os.environ.get("ENLACE_MAIL_BACKEND", "file"),
        "ENLACE_MAIL_OUTBOX": os.environ.get("ENLACE_MAIL_OUTBOX"),
        "ENLACE_MAIL_FROM": os.environ.get("ENLACE_MAIL_FROM", "Enlace <no-reply@enlace.local>"),
        "ENLACE_SMTP_HOST": os.environ.get("ENLACE_SMTP_HOST", "localhost"),
        "ENLACE_SMTP_PORT": int(os.environ.get("ENLACE_SMTP_PORT", "587")),
        "ENLACE_SMTP_USERNAME": os.environ.get("ENLACE_SMTP_USERNAME"),
        "ENLACE_SMTP_PASSWORD": os.environ.get("ENLACE_SMTP_PASSWORD"),
        "ENLACE_SMTP_STARTTLS": os.environ.get("ENLACE_SMTP_STARTTLS", "1") == "1",
        "ENLACE_REMINDER_AFTER_DAYS": int(os.environ.get("ENLACE_REMINDER_AFTER_DAYS", "182")),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }


def check_production(config: dict) -> None:
    """Refuse to serve production with a weak secret, the debugger on, SQLite, no public
    base URL, or per-process rate limits under several workers.

    Called after every override is applied, so no code path starts an unsafe
    production process; SQLite is allowed only by an explicit ENLACE_ALLOW_SQLITE=1.
    """
    if config.get("ENLACE_ENV") != "production":
        return
    problems = []
    secret = str(config.get("SECRET_KEY") or "")
    if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        problems.append(
            f"ENLACE_SECRET_KEY is a placeholder or shorter than {MIN_PRODUCTION_SECRET_LENGTH}"
            " characters (generate one: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if config.get("DEBUG"):
        problems.append("debug mode is on (unset FLASK_DEBUG)")
    database_url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if database_url.startswith("sqlite") and not config.get("ENLACE_ALLOW_SQLITE"):
        problems.append(
            "the database is SQLite (set ENLACE_DATABASE_URL to PostgreSQL,"
            " or ENLACE_ALLOW_SQLITE=1 for a single-host install)"
        )
    if not base_url_host(config.get("ENLACE_BASE_URL")):
        problems.append(
            "ENLACE_BASE_URL is not set to the public address (e.g. https://enlace.example.org):"
            " links in e-mails are built from it"
        )
    workers = int(config.get("ENLACE_WORKERS") or 1)
    if workers > 1 and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append(
            f"rate limits are kept in process memory with {workers} workers"
            " (set ENLACE_RATELIMIT_STORAGE_URI to redis://...)"
        )
    if problems:
        raise ConfigError("refusing to start with ENLACE_ENV=production: " + "; ".join(problems))
