"""Interface language: English or Spanish, chosen by a remembered switch or the browser."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request
from flask_babel import get_locale

from matcher.extensions import babel

LOCALES = ("en", "es")
LANGUAGE_COOKIE = "enlace_lang"
COOKIE_MAX_AGE = timedelta(days=365)


def select_locale() -> str:
    """The ``lang`` query parameter, else the switch cookie, else Accept-Language."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LOCALES:
            return candidate
    return request.accept_languages.best_match(LOCALES) or "en"


def current_locale() -> str:
    """The active interface locale as a plain string ('en' or 'es')."""
    locale = get_locale()
    return locale.language if locale else "en"


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older; return the .mo paths.

    Compiling at start-up keeps binary files out of git and the catalogs in step
    with the ``.po`` files reviewers edit.
    """
    compiled = []
    for po_path in translations_dir.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        compiled.append(mo_path)
    return compiled


def init_app(app: Flask) -> None:
    compile_catalogs(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_locale() -> dict:
        return {"current_locale": current_locale(), "locales": LOCALES}

    @app.after_request
    def vary_on_language(response):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response


def remember_locale(response, locale: str):
    """Set the switch cookie on ``response``."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=int(COOKIE_MAX_AGE.total_seconds()),
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
    return response
