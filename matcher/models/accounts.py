"""People who sign in: county admins, school staff and partner organizations.

Roles are deliberately few and fixed (``ROLES``): an admin sees everything; a
coordinator or family liaison works for one or more schools (``user_school``);
a partner manages one or more organizations (``user_organization``). Access
checks read these memberships, never a user-supplied id.

``session_version`` is part of the id Flask-Login stores in the session cookie:
bumping it (on a password change or reset) ends every other session at once.
``failed_logins`` and ``locked_until`` slow password guessing per account, which
an IP rate limit alone cannot do against a distributed attack.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow
from matcher.models.directory import Organization
from matcher.models.schools import School

ROLES = ("admin", "coordinator", "liaison", "partner")
SCHOOL_ROLES = ("coordinator", "liaison")

user_school = Table(
    "user_school",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)

user_organization = Table(
    "user_organization",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)


class User(UUIDPrimaryKey, Timestamps, Base):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coordinator', 'liaison', 'partner')", name="role"),
    )

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    # None until an invited user chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    invited_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    schools: Mapped[list[School]] = relationship(secondary=user_school, order_by="School.name")
    organizations: Mapped[list[Organization]] = relationship(
        secondary=user_organization, order_by="Organization.name"
    )

    # Flask-Login protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class UsedToken(Base):
    """The nonce of every signed link already used: a used link fails the second time."""

    __tablename__ = "used_token"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["ROLES", "SCHOOL_ROLES", "UsedToken", "User", "user_organization", "user_school"]
