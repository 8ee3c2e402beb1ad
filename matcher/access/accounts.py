"""Accounts: users, passwords (argon2), login backoff and single-use signed links.

Signed links (email verification, password reset, invitation, "still accurate")
are itsdangerous tokens with a salt per purpose, so a token made for one purpose
is worthless for another, and an age limit checked on reading. Each token
carries a random nonce; using it stores the nonce in ``used_token``, so the same
link fails the second time. Reset links also carry a fingerprint of the current
password hash: any password change kills every older reset link.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.core import audit
from matcher.models import ROLES, SCHOOL_ROLES, Organization, School, UsedToken, User
from matcher.models.base import utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# Failures allowed before the account starts to wait; the wait doubles from there.
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)

TOKEN_MAX_AGE = {
    "verify-email": timedelta(days=3),
    "reset-password": timedelta(hours=2),
    "invitation": timedelta(days=7),
    "still-accurate": timedelta(days=30),
}

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A request the account rules refuse; ``code`` selects the message shown to people."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class TokenError(ValueError):
    """A signed link that is invalid, expired or already used (``code``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email and len(email) <= 320


MAX_NAME_LENGTH = 200


def check_name(name: str) -> str:
    """The name as stored; a longer one is refused, never silently cut."""
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise AccountError("name_too_long")
    return name.strip()


def signup_errors(email: str, name: str, password: str, password_confirm: str) -> dict[str, str]:
    """Every problem of a sign-up form at once (field -> code), so one answer lists them all."""
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "required"
    elif not valid_email(normalize_email(email)):
        errors["email"] = "invalid_email"
    if not name.strip():
        errors["name"] = "required"
    elif len(name.strip()) > MAX_NAME_LENGTH:
        errors["name"] = "name_too_long"
    if not password:
        errors["password"] = "required"  # noqa: S105 (an error code)
    else:
        try:
            check_password_rules(password)
        except AccountError as error:
            errors["password"] = error.code
    if password and password != password_confirm:
        errors["password_confirm"] = "passwords_differ"  # noqa: S105 (an error code)
    return errors


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_too_long")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalize_email(email))).first()


def _set_memberships(
    session: Session, user: User, school_ids: Iterable[str], org_ids: Iterable[str]
) -> None:
    school_ids, org_ids = list(school_ids), list(org_ids)
    schools = list(session.scalars(select(School).where(School.id.in_(school_ids))))
    orgs = list(session.scalars(select(Organization).where(Organization.id.in_(org_ids))))
    if len(schools) != len(set(school_ids)) or len(orgs) != len(set(org_ids)):
        raise AccountError("unknown_membership")
    if user.role in SCHOOL_ROLES and not schools:
        raise AccountError("school_required")
    user.schools = schools if user.role in SCHOOL_ROLES else []
    user.organizations = orgs if user.role == "partner" else []


def access_snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps about a user's access (never the password hash)."""
    return {
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "schools": sorted(s.id for s in user.schools),
        "organizations": sorted(o.id for o in user.organizations),
    }


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    locale: str = "en",
    school_ids: Iterable[str] = (),
    org_ids: Iterable[str] = (),
    verified: bool = False,
    actor: User | str | None = None,
) -> User:
    """Create a user; without a password the user must accept an invitation first."""
    email = normalize_email(email)
    if not valid_email(email):
        raise AccountError("invalid_email")
    if role not in ROLES:
        raise AccountError("invalid_role")
    if find_user(session, email) is not None:
        raise AccountError("email_taken")
    if password is not None:
        check_password_rules(password)
    user = User(
        email=email,
        name=check_name(name),
        role=role,
        locale=locale if locale in ("en", "es") else "en",
        password_hash=hash_password(password) if password is not None else None,
        email_verified_at=utcnow() if verified else None,
        invited_by_id=actor.id if isinstance(actor, User) else None,
        session_version=1,
        failed_logins=0,
        active=True,
    )
    session.add(user)
    _set_memberships(session, user, school_ids, org_ids)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent registration with the same email
        raise AccountError("email_taken") from error
    audit.record(session, actor or user, "user.create", user, None, access_snapshot(user))
    return user


def update_access(
    session: Session,
    user: User,
    *,
    role: str,
    school_ids: Iterable[str],
    org_ids: Iterable[str],
    active: bool,
    actor: User,
) -> None:
    """Change a user's role and memberships; deactivating also ends their sessions."""
    if role not in ROLES:
        raise AccountError("invalid_role")
    before = access_snapshot(user)
    user.role = role
    _set_memberships(session, user, school_ids, org_ids)
    if user.active and not active:
        user.session_version += 1
    user.active = active
    audit.record(session, actor, "user.access", user, before, access_snapshot(user))


def add_organization(session: Session, user: User, org: Organization, actor: User) -> None:
    """Let a partner manage one more organization (an approved claim)."""
    if org in user.organizations:
        return
    before = access_snapshot(user)
    user.organizations.append(org)
    audit.record(session, actor, "user.access", user, before, access_snapshot(user))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    # 'ok', 'invalid' (unknown email or wrong password), 'locked', 'inactive', 'no_password'
    outcome: str
    retry_after: timedelta | None = None


def _lock_for(failures: int) -> timedelta | None:
    if failures < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCK * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def authenticate(
    session: Session, email: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a password with per-account backoff; the caller commits the session."""
    now = now or utcnow()
    user = find_user(session, email)
    if user is None or user.password_hash is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return LoginResult(None, "invalid")
    locked_until = _aware(user.locked_until)
    if locked_until and locked_until > now:
        return LoginResult(None, "locked", locked_until - now)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        lock = _lock_for(user.failed_logins)
        user.locked_until = now + lock if lock else None
        return LoginResult(None, "locked" if lock else "invalid", lock)
    if not user.active:
        return LoginResult(None, "inactive")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginResult(user, "ok")


def set_password(session: Session, user: User, password: str, actor: User | str | None) -> None:
    """Set a new password and end every existing session of the user."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor or user, "user.password", user, None, {"sessions_ended": True})


def change_password(session: Session, user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError) as error:
        raise AccountError("wrong_password") from error
    set_password(session, user, new, user)


def mark_verified(session: Session, user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(session, user, "user.verify_email", user, None, {"email": user.email})


def password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_token(secret_key: str, purpose: str, data: dict[str, Any]) -> str:
    """A signed, timestamped link token for ``purpose`` carrying ``data`` and a nonce."""
    if purpose not in TOKEN_MAX_AGE:
        raise ValueError(purpose)
    serializer = URLSafeTimedSerializer(secret_key, salt=f"enlace-{purpose}")
    return serializer.dumps({**data, "n": secrets.token_urlsafe(16)})


def read_token(
    session: Session, secret_key: str, purpose: str, token: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """Check signature, age and single use, without using the token up."""
    serializer = URLSafeTimedSerializer(secret_key, salt=f"enlace-{purpose}")
    max_age = int(TOKEN_MAX_AGE[purpose].total_seconds())
    try:
        if now is None:
            data = serializer.loads(token, max_age=max_age)
        else:
            data, signed_at = serializer.loads(token, return_timestamp=True)
            if now - signed_at > TOKEN_MAX_AGE[purpose]:
                raise TokenError("expired")
    except SignatureExpired as error:
        raise TokenError("expired") from error
    except BadSignature as error:
        raise TokenError("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise TokenError("invalid")
    if session.get(UsedToken, data["n"][:64]) is not None:
        raise TokenError("used")
    return data


def use_token(session: Session, purpose: str, data: dict[str, Any]) -> None:
    """Spend a token read by ``read_token``; a concurrent second use fails at commit."""
    session.add(UsedToken(nonce=data["n"][:64], purpose=purpose))
    try:
        session.flush()
    except IntegrityError as error:
        raise TokenError("used") from error


def user_for_token(session: Session, data: dict[str, Any]) -> User:
    user = session.get(User, str(data.get("u", "")))
    if user is None:
        raise TokenError("invalid")
    return user


def reset_token(secret_key: str, user: User) -> str:
    return make_token(secret_key, "reset-password", {"u": user.id, "f": password_fingerprint(user)})


def reset_password(session: Session, secret_key: str, token: str, password: str) -> User:
    """Use a reset link: set the password, verify the email (the link proved it)."""
    data = read_token(session, secret_key, "reset-password", token)
    user = user_for_token(session, data)
    if data.get("f") != password_fingerprint(user):
        raise TokenError("used")
    set_password(session, user, password, user)
    mark_verified(session, user)
    use_token(session, "reset-password", data)
    return user


def accept_invitation(
    session: Session, secret_key: str, token: str, password: str, name: str
) -> User:
    data = read_token(session, secret_key, "invitation", token)
    user = user_for_token(session, data)
    if user.password_hash is not None:
        raise TokenError("used")
    if name.strip():
        user.name = check_name(name)
    set_password(session, user, password, user)
    mark_verified(session, user)
    use_token(session, "invitation", data)
    return user


def verify_email(session: Session, secret_key: str, token: str) -> User:
    data = read_token(session, secret_key, "verify-email", token)
    user = user_for_token(session, data)
    mark_verified(session, user)
    use_token(session, "verify-email", data)
    return user
