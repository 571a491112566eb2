"""Changes to accounts. Each function is one transaction's worth of work."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.audit.events import EventType
from portal.audit.services import record
from portal.authz.permissions import Role
from portal.db import utcnow
from portal.directory.models import Organisation


class AccountError(ValueError):
    """A change to an account that cannot be made, with a reason a person can read."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    roles: Iterable[Role] = (Role.RESIDENT,),
    organisations: Iterable[Organisation] = (),
    teams: Iterable[CareTeam] = (),
) -> User:
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise AccountError("email_taken")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    user.organisations = list(organisations)
    user.teams = list(teams)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Same work for unknown emails.

    A failure is audited (with the account's id when the email is known, never the email).
    """
    user = find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        cause = "inactive" if ok and user is not None else "bad_credentials"
        record(session, EventType.SIGN_IN_FAILED, actor_id=None,
               subject_id=user.id if user else None, cause=cause)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    return user


def set_roles(session: Session, *, user: User, roles: Iterable[Role], by: User) -> None:
    wanted = set(roles)
    if user.id == by.id and Role.ADMIN not in wanted:
        raise AccountError("cannot_remove_own_admin")
    before = user.roles
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - user.roles)
    ]
    session.flush()
    if wanted != before:
        record(session, EventType.ROLES_CHANGED, actor_id=by.id, subject_id=user.id,
               added=sorted(r.value for r in wanted - before),
               removed=sorted(r.value for r in before - wanted))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def change_password(session: Session, *, user: User, current: str, new: str,
                    keep_token: str | None) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    _set_password(session, user=user, password=new, keep_token=keep_token)
    record(session, EventType.PASSWORD_CHANGED, actor_id=user.id, subject_id=user.id)


def reset_password(session: Session, *, user: User, new: str) -> None:
    _set_password(session, user=user, password=new, keep_token=None)
    record(session, EventType.PASSWORD_RESET, actor_id=None, subject_id=user.id)


def _set_password(session: Session, *, user: User, password: str, keep_token: str | None) -> None:
    from portal.accounts import sessions

    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    sessions.revoke_all(session, user=user, keep_token=keep_token)
    session.flush()
    record(session, EventType.SESSIONS_REVOKED, actor_id=user.id, subject_id=user.id,
           cause="password_changed")


def change_email(session: Session, *, user: User, current: str, new_email: str) -> str:
    """Change the address (unverified until the link is followed); returns the old one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    new_email = normalise_email(new_email)
    existing = find_by_email(session, new_email)
    if existing is not None and existing.id != user.id:
        raise AccountError("email_taken")
    old = user.email
    user.email = new_email
    user.email_verified_at = None
    session.flush()
    record(session, EventType.EMAIL_CHANGED, actor_id=user.id, subject_id=user.id,
           verified=False)
    return old


def mark_email_verified(session: Session, *, user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(session, EventType.EMAIL_VERIFIED, actor_id=None, subject_id=user.id)
    session.flush()


def set_active(session: Session, *, user: User, active: bool, by: User) -> None:
    from portal.accounts import sessions

    if user.id == by.id and not active:
        raise AccountError("cannot_disable_self")
    changed = user.is_active != active
    user.is_active = active
    if not active:
        sessions.revoke_all(session, user=user)
    session.flush()
    if changed and not active:
        record(session, EventType.ACCOUNT_DISABLED, actor_id=by.id, subject_id=user.id)


def sign_out_everywhere(session: Session, *, user: User) -> None:
    """End every session of this person, on every device, and record it."""
    from portal.accounts import sessions

    sessions.revoke_all(session, user=user)
    record(session, EventType.SESSIONS_REVOKED, actor_id=user.id, subject_id=user.id,
           cause="sign_out_everywhere")
