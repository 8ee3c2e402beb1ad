"""Enlace: partner-resource matching for California community schools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from matcher.config import PROJECT_ROOT, load_config, normalize_database_url


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``config`` overrides values read from the environment."""
    instance_path = Path((config or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "matcher" / "static"),
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    from matcher import cli, errors, i18n
    from matcher.db import configure_sqlite
    from matcher.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(lambda _user_id: None)  # no accounts yet
    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from matcher.web import public

    app.register_blueprint(public.bp)
    return app
