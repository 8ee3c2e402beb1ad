"""How a submission's changes read to people: field names and values in the page's
language, for the partner's summary and the county's review page."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from matcher.directory import languages
from matcher.directory.hours import DAY_NAMES
from matcher.extensions import db
from matcher.models import WEEKDAYS, TaxonomyTerm
from matcher.partners import review
from matcher.web.county import home_county_name
from matcher.web.i18n import current_locale


def weekday_names() -> list[str]:
    return list(DAY_NAMES.get(current_locale(), DAY_NAMES["en"]))


def field_labels() -> dict[str, str]:
    """Names of payload fields as people read them (diffs, summaries)."""
    return {
        "name": _("Name"),
        "name_es": _("Name in Spanish"),
        "description": _("Description in English"),
        "description_es": _("Description in Spanish"),
        "website": _("Website"),
        "email": _("Email"),
        "phone": _("Phone"),
        "address_1": _("Street address"),
        "city": _("City"),
        "postal_code": _("ZIP code"),
        "categories": _("Categories"),
        "languages": _("Languages"),
        "interpreted": _("Through an interpreter"),
        "location": _("Where"),
        "service_area": _("Area served"),
        "hours": _("Hours"),
        "min_age": _("Youngest age"),
        "max_age": _("Oldest age"),
        "grade_min": _("First grade"),
        "grade_max": _("Last grade"),
        "eligibility": _("Who can get help, residency"),
        "id_required": _("ID or SSN required"),
        "documents": _("Documents needed"),
        "cost": _("Cost"),
        "accepting_referrals": _("Accepting referrals"),
        "referral_name": _("Referral contact name"),
        "referral_email": _("Referral contact email"),
        "referral_phone": _("Referral contact phone"),
        "message": _("Message"),
    }


def _display(field: str, value) -> str:
    """A payload value as text for people: labels for ids and codes."""
    locale = current_locale()
    if value in (None, "", [], {}):
        return "—"
    if field == "categories":
        terms = db.session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.id.in_(value)))
        return ", ".join(sorted(t.label(locale) for t in terms))
    if field in ("languages", "interpreted"):
        return ", ".join(languages.name(code, locale) for code in value)
    if field == "hours":
        names = dict(zip(WEEKDAYS, weekday_names(), strict=True))
        return "; ".join(f"{names[d]} {value[d]}" for d in WEEKDAYS if d in value)
    if field == "documents":
        return "; ".join(value)
    choices = {
        "yes": _("Yes"),
        "no": _("No"),
        "free": _("Free"),
        "sliding_scale": _("Sliding scale (based on income)"),
        "fee": _("Fee"),
        "virtual": _("Online, by phone or countywide"),
        "address": _("At an address"),
        "county": _("All of %(county)s", county=home_county_name()),
    }
    return str(choices.get(value, value)) if isinstance(value, str) else str(value)


def display_diffs(diffs: list[review.EntityDiff]) -> list[dict]:
    """Diff rows ready for a template: (label, before, after) per changed field."""
    labels = field_labels()
    return [
        {
            "kind": d.kind,
            "label": d.label,
            "entity_id": d.entity_id,
            "rows": [
                (
                    labels.get(c.field, c.field),
                    _display(c.field, c.before),
                    _display(c.field, c.after),
                )
                for c in d.changes
            ],
        }
        for d in diffs
    ]
