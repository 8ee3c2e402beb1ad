"""Needs and assets reports: county (admins), per school (its coordinators and liaisons).

Partners see none of it. Every table can be downloaded as CSV; the CSV holds the
same suppressed cells as the page.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from matcher.directory import county as counties
from matcher.extensions import db
from matcher.models import School
from matcher.reports import build, supply
from matcher.web.auth import current_user_school_ids
from matcher.web.errors import bad_request
from matcher.web.i18n import current_locale

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Spreadsheet programs run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _radius() -> float:
    raw = request.args.get("radius")
    if not raw:
        return supply.DEFAULT_RADIUS_MILES
    try:
        radius = float(raw)
    except ValueError:
        radius = -1.0
    if not 0 < radius <= supply.MAX_RADIUS_MILES:
        raise bad_request(_("The distance must be a number of miles from 1 to %(max)d.", max=60))
    return radius


def _school_or_403(school_key: str) -> School:
    school = db.session.scalars(select(School).where(School.key == school_key)).first()
    if school is None:
        abort(404)
    if current_user.role != "admin" and school.id not in current_user_school_ids():
        abort(403)
    return school


def _region_county() -> str | None:
    """``?county=Monterey``: one county of the region; none (the whole region) by default."""
    raw = (request.args.get("county") or "").strip()
    if not raw:
        return None
    settings = counties.find(raw)
    if settings is None:
        raise bad_request(_("This installation does not serve %(county)s.", county=raw[:60]))
    return settings.short_name


def _county() -> build.Report:
    return build.county_report(
        db.session, _, current_locale(), _radius(), county=_region_county()
    )


def _school(school_key: str) -> build.Report:
    school = _school_or_403(school_key)
    return build.school_report(db.session, school, _, current_locale(), _radius())


def csv_response(table: build.Table, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["'" + c if c.startswith(_FORMULA_START) else c for c in row])
    return Response(
        "\ufeff" + out.getvalue(),  # BOM: Excel then reads accents correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


@bp.get("/")
def index():
    if current_user.role == "admin":
        schools = list(db.session.scalars(select(School).order_by(School.name)))
    else:
        schools = list(current_user.schools)
    region = counties.region()
    by_county = [(s.short_name, counties.in_sentence(s, current_locale())) for s in region]
    return render_template(
        "reports/index.html", schools=schools, region=by_county if len(region) > 1 else []
    )


@bp.get("/county")
def county():
    return render_template("reports/report.html", report=_county(), school=None)


@bp.get("/county/<key>.csv")
def county_csv(key: str):
    table = _county().table(key)
    if table is None:
        abort(404)
    return csv_response(table, f"county-{key}")


@bp.get("/schools/<school_key>")
def school(school_key: str):
    return render_template(
        "reports/report.html", report=_school(school_key), school=_school_or_403(school_key)
    )


@bp.get("/schools/<school_key>/<key>.csv")
def school_csv(school_key: str, key: str):
    table = _school(school_key).table(key)
    if table is None:
        abort(404)
    return csv_response(table, f"{school_key}-{key}")
