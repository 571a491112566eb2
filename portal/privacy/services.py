"""A person's data-protection rights: a copy of everything held about them, and erasure.

Each area registers an exporter and an eraser (see ``portal/privacy/registry.py``); this
module registers the account's own. Exporting and deleting are each one transaction with
their audit entry.

What deletion keeps, and why: the account row stays, anonymised (a random unusable email
address, the name "Deleted account", no password, no roles, memberships or second factor), so
that the audit log's numbers still point at something that says "deleted" rather than at a
hole; and the audit log itself, which holds numbers, never content, and which NHS records
retention asks us to keep for 8 years to show who accessed records (docs/security.md).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import RecoveryCode, User, UserRole, UserSession
from portal.accounts.passwords import verify_password
from portal.audit.events import AccessReason, EventType, RecordType
from portal.audit.services import record
from portal.authz import Role
from portal.db import utcnow
from portal.privacy.registry import erasers, exporters, register_eraser, register_exporter
from portal.unit_of_work import service

DELETED_NAME = "Deleted account"
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # .invalid never resolves (RFC 2606)
# Not an argon2 hash, so no password ever matches it.
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105  # nosec B105: a marker, not a secret
RETENTION_YEARS = 8
# Columns of the account row that survive anonymisation (everything else nullable is cleared).
KEPT_ACCOUNT_COLUMNS = {"id", "email", "display_name", "password_hash", "is_active",
                        "created_at", "updated_at"}


class PrivacyError(ValueError):
    """A request that cannot be carried out, with a reason code."""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_account(session: Session, user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "locale": user.locale,
        "created_at": _iso(user.created_at),
        "last_signed_in_at": _iso(getattr(user, "last_signed_in_at", None)),
        "email_verified_at": _iso(getattr(user, "email_verified_at", None)),
        "two_factor_authentication": bool(getattr(user, "mfa_enabled", False)),
        "roles": sorted(role.value for role in user.roles),
        "organisations": [{"slug": o.slug, "name": o.name} for o in user.organisations],
        "care_teams": [{"slug": t.slug, "name": t.name} for t in user.teams],
    }


def erase_credentials(session: Session, user: User) -> None:
    """Sessions (ending every one, everywhere) and second-factor recovery codes."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


register_exporter("account", export_account)
register_eraser("credentials", erase_credentials)


@service
def export_everything(session: Session, /, *, user: User, fmt: str, by: User) -> dict[str, Any]:
    """Everything the portal holds about ``user``, for ``user`` only; the export is audited."""
    if by.id != user.id:
        raise PrivacyError("not_owner")
    record(session, EventType.DATA_EXPORTED, actor_id=by.id, subject_id=user.id,
           target_type=RecordType.ACCOUNT, target_id=user.id, reason=AccessReason.OWNER,
           format=fmt)
    return collect_everything(session, user=user, by=by)


def collect_everything(session: Session, /, *, user: User, by: User) -> dict[str, Any]:
    """What ``export_everything`` gives, read for ``user``'s own summary page: reading your own
    data on screen is not a download, so nothing is recorded (``DATA_EXPORTED`` is only for
    the file people take away)."""
    if by.id != user.id:
        raise PrivacyError("not_owner")
    data: dict[str, Any] = {"exported_at": utcnow().isoformat(), "format_version": 1}
    for name, exporter in exporters().items():
        data[name] = exporter(session, user)
    return data


def _is_only_admin(session: Session, user: User) -> bool:
    if Role.ADMIN not in user.roles:
        return False
    others = session.scalar(
        select(func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.id != user.id, User.is_active.is_(True)))
    return not others


def _anonymise(user: User) -> None:
    user.email = f"deleted-{secrets.token_hex(16)}@{DELETED_EMAIL_DOMAIN}"
    user.display_name = DELETED_NAME
    user.password_hash = UNUSABLE_PASSWORD
    user.is_active = False
    for column in User.__table__.columns:
        if column.name not in KEPT_ACCOUNT_COLUMNS and column.nullable:
            setattr(user, column.key, None)
    if hasattr(user, "session_generation"):
        user.session_generation = user.session_generation + 1
    user.role_rows = []
    user.organisations = []
    user.teams = []


@service
def delete_account(session: Session, /, *, user: User, password: str, by: User) -> list[str]:
    """Erase the person's data and anonymise their account. Returns the parts erased."""
    if by.id != user.id:
        raise PrivacyError("not_owner")
    if not verify_password(user.password_hash, password):
        raise PrivacyError("wrong_password")
    if _is_only_admin(session, user):
        raise PrivacyError("only_admin")
    erased = []
    for name, eraser in erasers().items():
        eraser(session, user)
        erased.append(name)
    _anonymise(user)
    session.flush()
    erased.append("account")
    record(session, EventType.ACCOUNT_DELETED, actor_id=user.id, subject_id=user.id,
           target_type=RecordType.ACCOUNT, target_id=user.id, reason=AccessReason.OWNER,
           erased=erased)
    return erased
