"""Signed, expiring tokens for emailed links (password reset, email verification).

A reset token carries a fingerprint of the current password hash, so it stops working as
soon as the password changes: it is single-use without a table of used tokens.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.accounts.models import User

RESET_MAX_AGE = 30 * 60
VERIFY_MAX_AGE = 7 * 24 * 3600
CHANGE_MAX_AGE = 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def _fingerprint(user: User) -> str:
    return _hash_fingerprint(user.password_hash)


def _hash_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return reset_token_of(user.id, user.password_hash)


def reset_token_of(user_id: int, password_hash: str) -> str:
    """The reset token of the account with this id and current password hash."""
    return _serializer("password-reset").dumps([user_id, _hash_fingerprint(password_hash)])


def dummy_reset_token() -> str:
    """A token of the same shape for nobody (account id 0 never exists): making it costs what
    making a real one does, for requests about addresses that have no account."""
    return reset_token_of(0, "$argon2id$nobody")


def user_id_from_reset_token(token: str, load_user) -> User | None:  # type: ignore[no-untyped-def]
    try:
        user_id, fingerprint = _serializer("password-reset").loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    user = load_user(user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or _fingerprint(user) != fingerprint:
        return None
    return user  # type: ignore[no-any-return]


def verification_token(user: User) -> str:
    return _serializer("verify-email").dumps([user.id, user.email])


def user_from_verification_token(token: str, load_user) -> User | None:  # type: ignore[no-untyped-def]
    try:
        user_id, email = _serializer("verify-email").loads(token, max_age=VERIFY_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    user = load_user(user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.email == email else None


def email_change_token(user: User, new_email: str) -> str:
    """For the link sent to a new address: it stops working once the address has changed."""
    return _serializer("change-email").dumps([user.id, user.email, new_email])


def email_change_from_token(token: str, load_user) -> tuple[User, str] | None:  # type: ignore[no-untyped-def]
    try:
        user_id, email, new_email = _serializer("change-email").loads(
            token, max_age=CHANGE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    user = load_user(user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or user.email != email or not isinstance(new_email, str):
        return None
    return user, new_email
