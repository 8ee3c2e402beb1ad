"""Mail to people in their language: one locale when known, both English and Spanish if not."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale

from matcher.core import mail
from matcher.web.i18n import LOCALES

Builder = Callable[[], tuple[str, str]]  # returns (subject, body) in the forced locale


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
