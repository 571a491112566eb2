"""Changes to accounts. Each function is one transaction's worth of work."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
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
    """The active user with these credentials, or None. Same work for unknown emails."""
    user = find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    return user


def set_roles(session: Session, *, user: User, roles: Iterable[Role], by: User) -> None:
    wanted = set(roles)
    if user.id == by.id and Role.ADMIN not in wanted:
        raise AccountError("cannot_remove_own_admin")
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - user.roles)
    ]
    session.flush()


def end_all_sessions(session: Session, *, user: User) -> None:
    user.session_generation = user.session_generation + 1
    session.flush()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
