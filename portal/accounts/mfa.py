"""The second factor: TOTP (authenticator apps) with QR enrolment, and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import RecoveryCode, User
from portal.audit.events import EventType
from portal.audit.services import record
from portal.db import utcnow

ISSUER = "Your Health and Care Portal"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as an SVG data URI (allowed by the CSP's img-src data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def matching_timestep(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step a 6-digit code belongs to (this one or either neighbour), or None."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int((now if now is not None else time.time()) // STEP_SECONDS)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def verify(user: User, code: str, now: float | None = None) -> bool:
    """Check a code against the enrolled secret; each code works once."""
    if not user.mfa_secret:
        return False
    step = matching_timestep(user.mfa_secret, code, now)
    if step is None or (user.mfa_last_timestep is not None and step <= user.mfa_last_timestep):
        return False
    user.mfa_last_timestep = step
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(session: Session, *, user: User) -> list[str]:
    """Replace the person's recovery codes; returns the new ones (shown once)."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    session.flush()
    return codes


def use_recovery_code(session: Session, *, user: User, code: str) -> bool:
    row = session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    session.flush()
    remaining = session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    record(session, EventType.RECOVERY_CODE_USED, actor_id=user.id, subject_id=user.id,
           remaining=remaining)
    return True


def enable(session: Session, *, user: User, secret: str, code: str) -> list[str] | None:
    """Turn on the second factor if the code matches the new secret; returns recovery codes."""
    step = matching_timestep(secret, code)
    if step is None:
        return None
    user.mfa_secret = secret
    user.mfa_last_timestep = step
    user.mfa_enabled_at = utcnow()
    record(session, EventType.MFA_ENABLED, actor_id=user.id, subject_id=user.id, method="totp")
    return new_recovery_codes(session, user=user)
