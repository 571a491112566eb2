"""Who may read a person's personal details, and why: the care circles' one access policy."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.audit.events import AccessReason
from portal.circles.policy import Access, decide


def can_view_personal_details(session: Session, viewer: Any, person: Any
                              ) -> AccessReason | None:
    """The reason ``viewer`` may read ``person``'s details, or None.

    ``decide(..., Access.DETAILS_READ)``: the person (owner), a carer with "see my personal
    details" (proxy), the serving team with the person's consent (care team), administrators.
    """
    return decide(session, actor=viewer, person=person, access=Access.DETAILS_READ).reason


def can_edit_personal_details(session: Session, viewer: Any, person: Any) -> bool:
    """Only the person edits their own details."""
    return can_view_personal_details(session, viewer, person) is AccessReason.OWNER
