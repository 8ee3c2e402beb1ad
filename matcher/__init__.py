"""Enlace: partner-resource matching for California community schools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from matcher.config import PROJECT_ROOT, check_production, load_config, normalize_database_url


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
    check_production(app.config)

    from matcher import commands
    from matcher.db import configure_postgres, configure_sqlite
    from matcher.extensions import csrf, db, limiter, login_manager, migrate
    from matcher.web import errors, i18n

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgres(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from matcher.web import gate

    gate.init_app(app)
    i18n.init_app(app)
    from matcher.web import county

    county.init_app(app)
    errors.init_app(app)
    commands.init_app(app)
    from matcher.web import observability, phones, proxies, security

    observability.init_app(app)
    security.init_app(app)
    proxies.init_app(app)
    phones.init_app(app)

    from matcher.web import public

    app.register_blueprint(public.bp)
    from matcher.web import language_access

    app.register_blueprint(language_access.bp)
    from matcher.web import ops

    app.register_blueprint(ops.bp)
    from matcher.web import admin, auth, partner

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(partner.bp)
    app.register_blueprint(partner.api)
    app.register_blueprint(partner.forms)
    app.register_blueprint(admin.bp)
    from matcher.web import curation

    app.register_blueprint(curation.bp)
    from matcher.web import reports

    app.register_blueprint(reports.bp)
    from matcher.web import match_api

    match_api.init_app(app)
    from matcher.web import search

    search.init_app(app)
    from matcher.web import hsds_api

    hsds_api.init_app(app)
    from matcher.web import coordinator, partner_referrals

    coordinator.init_app(app)
    app.register_blueprint(partner_referrals.bp)
    return app
