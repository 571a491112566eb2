"""Who may read a person's personal details, and why."""

from __future__ import annotations

from typing import Any

from portal.audit.events import AccessReason
from portal.authz import Permission


def can_view_personal_details(viewer: Any, person: Any) -> AccessReason | None:
    """The reason ``viewer`` may read ``person``'s details, or None.

    The person themselves (owner) and administrators (admin). Care workers of a team serving
    the person's locality will be added when people have a locality; until then, nobody else.
    """
    if viewer is None or not getattr(viewer, "is_authenticated", False) or person is None:
        return None
    if viewer.id == person.id:
        return AccessReason.OWNER
    if viewer.has_permission(Permission.ADMIN_USERS_MANAGE):
        return AccessReason.ADMIN
    return None


def can_edit_personal_details(viewer: Any, person: Any) -> bool:
    """Only the person edits their own details."""
    return can_view_personal_details(viewer, person) is AccessReason.OWNER
