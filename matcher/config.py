"""Configuration from ``ENLACE_*`` environment variables (documented in README)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a configuration Enlace can safely run with."""


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


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ.get("ENLACE_ENV", "development")
    database_url = os.environ.get("ENLACE_DATABASE_URL", f"sqlite:///{instance_path / 'enlace.db'}")
    return {
        "ENLACE_ENV": env,
        "SECRET_KEY": _secret_key(instance_path, env),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ENLACE_INDEX_DIR": os.environ.get("ENLACE_INDEX_DIR", str(PROJECT_ROOT / "indexes")),
        "RATELIMIT_STORAGE_URI": os.environ.get("ENLACE_RATELIMIT_STORAGE_URI", "memory://"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "America/Los_Angeles",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "matcher" / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }
