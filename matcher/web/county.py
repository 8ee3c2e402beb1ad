"""The served county in every page: its name and its help and crisis lines (footer).

Settings are read and checked once at start-up (``matcher.directory.county``); a wrong
settings file stops the app with a message naming the file and the field.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, appcontext_pushed

from matcher.directory import county, geo
from matcher.web.i18n import current_locale

# Footer order: the lines a family or a liaison most often needs first.
FOOTER_KINDS = ("suicide", "child_abuse", "domestic_violence", "help")


def footer_lines(settings: county.CountySettings, locale: str) -> list[dict[str, Any]]:
    """The county's own lines for the footer, one entry per line, in the reader's language."""
    shown: list[dict[str, Any]] = []
    seen: set[str] = set()
    for kind in FOOTER_KINDS:
        for line in settings.lines:
            if kind in line.kinds and line.phone not in seen:
                seen.add(line.phone)
                shown.append(
                    {
                        "kind": kind,
                        "name": line.name_es if locale == "es" else line.name_en,
                        "phone": line.phone,
                        "tel": "".join(c for c in line.phone if c.isdigit() or c == "+"),
                        # A Spanish page never shows the English instruction alone.
                        "text": (line.text_es if locale == "es" else line.text),
                        "hours": (line.hours_es or line.hours) if locale == "es" else line.hours,
                        "unconfirmed": line.unconfirmed,
                    }
                )
    return shown


def county_name(settings: county.CountySettings, locale: str) -> str:
    """The name to put inside a sentence: "Monterey County", "condado de Monterey"."""
    return county.in_sentence(settings, locale)


def home_county_name() -> str:
    """The home county's name in the reader's language ("Condado de Monterey")."""
    return county_name(county.home(), current_locale())


def init_app(app: Flask) -> None:
    paths = county.configure(app.config.get("ENLACE_COUNTY_SETTINGS"))

    def serve_this_apps_county(_sender: Flask, **_extra: Any) -> None:
        county.configure(paths)

    # Every request and command runs in an app context: each app serves its own county.
    appcontext_pushed.connect(serve_this_apps_county, app, weak=False)

    @app.context_processor
    def inject_county() -> dict:
        settings = county.home()
        locale = current_locale()
        return {
            "county_name": county_name(settings, locale),
            "county_region": [county_name(s, locale) for s in county.region()],
            "county_footer_lines": footer_lines(settings, locale),
            "county_example_place": geo.main_city(settings.short_name) or settings.short_name,
            "county_help_line": settings.help_line,
            "county_sample_data": settings.sample_data,
        }
