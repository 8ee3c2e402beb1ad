"""Mail to people in their language: one locale when known, both English and Spanish if not.

Links in mail come from ``external_url``: the configured ENLACE_BASE_URL, never the
request's Host header (a forged Host would otherwise put an attacker's address in front
of a valid reset token).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from matcher.core import mail
from matcher.web.i18n import LOCALES

Builder = Callable[[], tuple[str, str]]  # returns (subject, body) in the forced locale


def external_url(endpoint: str, **values: str) -> str:
    """An absolute link for mail, built on ENLACE_BASE_URL (scheme, host and path prefix)."""
    base = urlsplit(current_app.config["ENLACE_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def deliver(to: str, locale: str | None, build: Builder) -> None:
    """Render ``build`` in the recipient's locale (or every locale) and send it."""
    locales = [locale] if locale in LOCALES else list(LOCALES)
    parts = []
    for code in locales:
        with force_locale(code):
            parts.append(build())
    message = mail.Mail(
        to=to,
        subject=" / ".join(subject for subject, _ in parts),
        body="\n\n----------\n\n".join(body for _, body in parts),
        language=", ".join(locales),
    )
    backend = mail.backend_from_config(current_app.config, current_app.instance_path)
    mail.send(backend, message, current_app.config["ENLACE_MAIL_FROM"])
