"""Phone labels in the reader's language, one per kind of line
(``matcher.directory.public_text.phone_kind``): listings' own descriptions are
free English text and may be notes for staff, so they are never shown as labels."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _


def phone_labels() -> dict[str, str]:
    """Kind -> label in the current locale ("other": no label beyond "Phone")."""
    return {
        "main": _("Main line"),
        "member": _("Member line"),
        "hotline": _("Hotline"),
        "info_211": _("2-1-1 information line"),
        "crisis": _("Crisis line (call or text 988)"),
        "child_abuse": _("Child abuse hotline"),
        "domestic_violence": _("Domestic violence hotline"),
        "text": _("Text line"),
        "tty": _("TTY (for deaf or hard-of-hearing callers)"),
        "fax": _("Fax"),
        "other": "",
    }


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_phone_labels() -> dict:
        return {"phone_labels": phone_labels()}
