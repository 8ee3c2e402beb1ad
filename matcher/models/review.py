"""The review queue: everything partners and the public send waits here for a county admin.

A ``Submission`` carries its proposed listing as a JSON ``payload`` (the shape
``matcher.partners.review`` defines). Nothing is written to the directory tables until an
admin approves, so an unreviewed submission can never leak onto public pages or
into the search index.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.accounts import User
from matcher.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow
from matcher.models.directory import Organization

SUBMISSION_KINDS = ("registration", "claim", "edit", "correction")
# draft: a partner is still filling the form; pending: waiting for a reviewer.
SUBMISSION_STATUSES = ("draft", "pending", "changes_requested", "approved", "rejected")


class Submission(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(f"kind IN {SUBMISSION_KINDS}", name="kind"),
        CheckConstraint(f"status IN {SUBMISSION_STATUSES}", name="status"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    submitter_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Public corrections have no account: where to send the decision, if anywhere.
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="SET NULL"), index=True
    )
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    submitter: Mapped[User | None] = relationship(foreign_keys=[submitter_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    organization: Mapped[Organization | None] = relationship()
    messages: Mapped[list[SubmissionMessage]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionMessage.created_at",
    )

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json or "{}")

    @payload.setter
    def payload(self, value: dict[str, Any]) -> None:
        self.payload_json = json.dumps(value, ensure_ascii=False, sort_keys=True)


class SubmissionMessage(Base):
    """A reviewer's decision note or a submitter's reply, mailed to the other side."""

    __tablename__ = "submission_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The decision this message came with: approved / changes_requested / rejected / note.
    decision: Mapped[str] = mapped_column(String(20), default="note")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


__all__ = [
    "SUBMISSION_KINDS",
    "SUBMISSION_STATUSES",
    "Submission",
    "SubmissionMessage",
]
