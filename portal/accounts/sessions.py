"""Server-side sessions: sign-out, password reset and disabling really end a session.

The cookie (Flask's signed session) holds a random token; the database keeps only its
SHA-256 and the times that decide whether it is still alive: idle limits of 15 minutes for
staff and 30 for others, and 12 hours in all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.accounts.models import User, UserSession
from portal.db import utcnow

STAFF_IDLE = timedelta(minutes=15)
CITIZEN_IDLE = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=30)


def idle_limit(user: User) -> timedelta:
    return STAFF_IDLE if user.is_staff else CITIZEN_IDLE


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def start(session: Session, *, user: User) -> str:
    """Open a session for the user; returns the token to keep in the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(token), user_id=user.id))
    session.flush()
    return token


def check(session: Session, *, user: User, token: str | None, now: datetime | None = None
          ) -> str | None:
    """None when the session is alive (and records activity); otherwise why it is not."""
    if not token:
        return "missing"
    record = session.get(UserSession, _digest(token))
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return "revoked"
    now = now or utcnow()
    if now - _aware(record.created_at) > ABSOLUTE_LIMIT:
        record.revoked_at = now
        return "expired"
    if now - _aware(record.last_seen_at) > idle_limit(user):
        record.revoked_at = now
        return "idle"
    if now - _aware(record.last_seen_at) > TOUCH_EVERY:
        record.last_seen_at = now
    return None


def extend(session: Session, *, token: str | None) -> None:
    if token and (record := session.get(UserSession, _digest(token))):
        record.last_seen_at = utcnow()


def revoke(session: Session, *, token: str | None) -> None:
    if token and (record := session.get(UserSession, _digest(token))):
        record.revoked_at = record.revoked_at or utcnow()


def revoke_all(session: Session, *, user: User, keep_token: str | None = None) -> None:
    """End every session of this person (optionally all but the current one)."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.revoked_at.is_(None))
    if keep_token:
        query = query.where(UserSession.id != _digest(keep_token))
    session.execute(query.values(revoked_at=utcnow()))
