"""A person's personal details: reading (audited when someone else reads), changing, export
and erasure. Each function is one transaction's worth of work; the caller commits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.audit.events import AccessReason, EventType, RecordType, ViewPurpose
from portal.audit.services import record
from portal.circles.services import follow_postcode
from portal.privacy.registry import register_eraser, register_exporter
from portal.profile.models import DETAIL_FIELDS, PersonalDetails
from portal.profile.policies import can_edit_personal_details, can_view_personal_details
from portal.unit_of_work import service

NHS_NUMBER_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class NotAllowed(PermissionError):
    """The person acting may not do this to this record."""


def nhs_number_digits(text: str | None) -> str | None:
    """'943 476 5919' or '943-476-5919' -> '9434765919'; None if not 10 digits."""
    compact = re.sub(r"[\s-]", "", text or "")
    return compact if re.fullmatch(r"[0-9]{10}", compact) else None


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], NHS_NUMBER_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def format_nhs_number(digits: str | None) -> str:
    """'9434765919' -> '943 476 5919'."""
    if not digits:
        return ""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def _roles(user: Any) -> list[str]:
    return sorted(role.value for role in user.roles)


def details_of(session: Session, person: Any) -> PersonalDetails | None:
    return session.scalar(select(PersonalDetails).where(PersonalDetails.user_id == person.id))


MAX_PURPOSE_NOTE = 200


class PurposeNeeded(NotAllowed):
    """An administrator must say why before opening a person's details."""


@service
def view_details(session: Session, /, *, person: Any, by: Any,
                 purpose: ViewPurpose | None = None, note: str | None = None
                 ) -> PersonalDetails | None:
    """Someone's details for ``by``; anyone but the owner leaves exactly one audit entry.

    An administrator (access reason ADMIN) must give ``purpose`` (and, for OTHER, a ``note``):
    both are kept in the audit entry, which the person sees on their activity page.
    """
    reason = can_view_personal_details(session, by, person)
    if reason is None:
        raise NotAllowed("may not view these personal details")
    note = (note or "").strip()[:MAX_PURPOSE_NOTE] or None
    if reason is AccessReason.ADMIN and (
            purpose is None or (purpose is ViewPurpose.OTHER and not note)):
        raise PurposeNeeded("an administrator must say why they open these details")
    details = details_of(session, person)
    if reason is not AccessReason.OWNER:
        why: dict[str, Any] = {}
        if purpose is not None:
            why["purpose"] = purpose.value
        if note:
            why["note"] = note
        record(session, EventType.RECORD_VIEWED, actor_id=by.id, subject_id=person.id,
               target_type=RecordType.PERSONAL_DETAILS,
               target_id=details.id if details else None, reason=reason,
               viewer_roles=_roles(by), **why)
    return details


@service
def update_details(session: Session, /, *, person: Any, values: dict[str, Any], by: Any
                   ) -> list[str]:
    """Save the person's own details; returns the names of the fields that changed."""
    if not can_edit_personal_details(session, by, person):
        raise NotAllowed("may not change these personal details")
    details = details_of(session, person)
    changed = [name for name in DETAIL_FIELDS
               if (getattr(details, name) if details else None) != (values.get(name) or None)]
    if not changed:
        return []
    if details is None:
        details = PersonalDetails(user_id=person.id)
        session.add(details)
    for name in changed:
        setattr(details, name, values.get(name) or None)
    session.flush()
    if changed:
        record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
               target_type=RecordType.PERSONAL_DETAILS, target_id=details.id,
               reason=AccessReason.OWNER, viewer_roles=_roles(by), fields=changed)
    if "postcode" in changed:
        follow_postcode(session, person=person, postcode=details.postcode, by=by)
    return changed


def export_details(session: Session, user: Any) -> dict[str, Any] | None:
    details = details_of(session, user)
    if details is None:
        return None
    exported: dict[str, Any] = details.values()
    if details.date_of_birth is not None:
        exported["date_of_birth"] = details.date_of_birth.isoformat()
    exported["updated_at"] = details.updated_at.isoformat()
    return exported


def erase_details(session: Session, user: Any) -> None:
    session.execute(delete(PersonalDetails).where(PersonalDetails.user_id == user.id))


register_exporter("personal_details", export_details)
register_eraser("personal_details", erase_details)
