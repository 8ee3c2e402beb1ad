"""Public pages: home, organization and service listings, language switch, health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import func, select, text

from matcher.directory import listings, taxonomy
from matcher.extensions import db
from matcher.models import Service, TaxonomyTerm, service_taxonomy_term
from matcher.web.i18n import LOCALES, current_locale, remember_locale

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    locale = current_locale()
    session = db.session
    counts = dict(
        session.execute(
            select(TaxonomyTerm.id, func.count(Service.id))
            .join(
                service_taxonomy_term, service_taxonomy_term.c.taxonomy_term_id == TaxonomyTerm.id
            )
            .join(Service, Service.id == service_taxonomy_term.c.service_id)
            .where(Service.status == "active")
            .group_by(TaxonomyTerm.id)
        ).all()
    )
    categories = []
    for term in taxonomy.top_level_terms(session):
        ids = taxonomy.descendant_ids(session, [term.id])
        total = sum(counts.get(i, 0) for i in ids)
        categories.append((term, term.label(locale), total))
    organizations = listings.list_public_organizations(session)
    return render_template(
        "public/home.html", categories=categories, organizations=organizations, locale=locale
    )


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    org = listings.get_public_organization(db.session, organization_id)
    if org is None:
        abort(404)
    locale = current_locale()
    services = [listings.service_view(s, locale) for s in org.services]
    return render_template(
        "public/organization.html",
        org=org,
        description=listings.public_localized(org.text("description", locale)),
        phones=listings.phone_views(org.phones),
        services=services,
    )


@bp.get("/services/<service_id>")
def service(service_id: str):
    found = listings.get_public_service(db.session, service_id)
    if found is None:
        abort(404)
    return render_template("public/service.html", s=listings.service_view(found, current_locale()))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: the switch must not become an open redirect."""
    if not target:
        return url_for("public.home")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return url_for("public.home")  # a header break, or "/\\evil" that browsers read as //
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("public.home")
    return target


@bp.get("/language/<locale>")
def set_language(locale: str):
    if locale not in LOCALES:
        abort(404)
    response = redirect(_safe_next(request.args.get("next")))
    return remember_locale(response, locale)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the static icon."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers and can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
