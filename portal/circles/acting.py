"""Acting for someone: whose records this request is about, and how to say who did it.

A carer chooses whom they act for; the choice is kept in the Flask session and checked again
with ``decide`` on every request (a revoked or expired grant ends it at once). Other areas ask
``subject_person(access)`` for "the person whose records this request is about" and use
``acting_label`` to show "Jane Evans (daughter) for Tom Evans".
"""

from __future__ import annotations

from typing import Any

from flask import g, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from portal.circles.models import CarerGrant
from portal.circles.policy import Access, Decision, decide, live_grant

SESSION_KEY = "acting_for"


def choose(person_id: int | None) -> None:
    """Remember whom the signed-in carer acts for (None: themselves)."""
    if person_id is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = int(person_id)


def acting_grant(db_session: Session) -> CarerGrant | None:
    """The live grant of the person the carer chose, read fresh once per request."""
    if "acting_grant" in g:
        found: CarerGrant | None = g.acting_grant
        return found
    grant = None
    person_id = session.get(SESSION_KEY)
    if person_id is not None and current_user.is_authenticated:
        grant = live_grant(db_session, carer_id=current_user.id, person_id=int(person_id))
        if grant is None:
            session.pop(SESSION_KEY, None)
    g.acting_grant = grant
    return grant


def acting_for(db_session: Session) -> Any:
    """The person the signed-in carer acts for now, or None."""
    from portal.accounts.models import User

    grant = acting_grant(db_session)
    return db_session.get(User, grant.person_id) if grant is not None else None


def subject_person(db_session: Session, access: Access) -> tuple[Any, Decision]:
    """The person whose records this request is about (the one acted for, or the user) and
    the policy's decision for ``access`` to them, read fresh."""
    person = acting_for(db_session) or current_user
    return person, decide(db_session, actor=current_user, person=person, access=access)


def acting_label(actor_name: str, relationship: str | None, person_name: str) -> str:
    """ "Jane Evans (daughter) for Tom Evans" """
    if relationship:
        return _("%(actor)s (%(relationship)s) for %(person)s", actor=actor_name,
                 relationship=relationship, person=person_name)
    return _("%(actor)s for %(person)s", actor=actor_name, person=person_name)
