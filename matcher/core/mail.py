"""Outgoing mail without the internet: an outbox folder by default, SMTP when configured.

``ENLACE_MAIL_BACKEND`` chooses the backend: ``file`` (default) writes each
message as an ``.eml`` file into ``instance/outbox/`` where a person or a test
can read it; ``smtp`` sends through ``ENLACE_SMTP_HOST``. Message text is built
by the caller in the recipient's language (or both languages when unknown).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    language: str = "en"  # 'en', 'es' or 'en, es' (Content-Language)


class MailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="enlace.local")
    message["Content-Language"] = mail.language
    message.set_content(mail.body)
    return message


class FileOutbox:
    """Write each message to ``<directory>/<timestamp>-<n>.eml``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        n = len(list(self.directory.glob(f"{stamp}-*.eml")))
        (self.directory / f"{stamp}-{n}.eml").write_bytes(message.as_bytes(policy=policy.SMTP))


class SMTPBackend:
    def __init__(
        self, host: str, port: int, username: str | None, password: str | None, starttls: bool
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def outbox_dir(config: Mapping[str, Any], instance_path: str | Path) -> Path:
    return Path(config.get("ENLACE_MAIL_OUTBOX") or Path(instance_path) / "outbox")


def backend_from_config(config: Mapping[str, Any], instance_path: str | Path) -> MailBackend:
    if config.get("ENLACE_MAIL_BACKEND", "file") == "smtp":
        return SMTPBackend(
            config["ENLACE_SMTP_HOST"],
            int(config.get("ENLACE_SMTP_PORT", 587)),
            config.get("ENLACE_SMTP_USERNAME"),
            config.get("ENLACE_SMTP_PASSWORD"),
            bool(config.get("ENLACE_SMTP_STARTTLS", True)),
        )
    return FileOutbox(outbox_dir(config, instance_path))


def send(backend: MailBackend, mail: Mail, sender: str) -> None:
    backend.send(build_message(mail, sender))


@dataclass(frozen=True)
class OutboxEntry:
    path: Path
    to: str
    subject: str
    date: str
    body: str


def read_outbox(directory: Path) -> list[OutboxEntry]:
    """Messages in the outbox, oldest first."""
    entries = []
    for path in sorted(Path(directory).glob("*.eml")):
        with path.open("rb") as handle:
            message = BytesParser(policy=policy.default).parse(handle)
        body = message.get_body(preferencelist=("plain",))
        entries.append(
            OutboxEntry(
                path=path,
                to=str(message["To"]),
                subject=str(message["Subject"]),
                date=str(message["Date"]),
                body=body.get_content() if body else "",
            )
        )
    return entries
