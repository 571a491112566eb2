"""Carers: invitations by email, acceptance, changing and revoking a carer's access.

Each public function is one transaction (``@service``) with its audit event. Emails carry a
notice and a link, never health information. An invitation's link carries a random token; only
its SHA-256 is stored; it is single-use and lasts ``INVITATION_DAYS``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.audit.events import EventType
from portal.audit.services import record
from portal.circles.models import CarerGrant, CarerInvitation, InvitationKind, Scope
from portal.circles.policy import live_grant
from portal.clock import as_utc, today, utcnow
from portal.mail import public_url, queue_email
from portal.unit_of_work import service

INVITATION_DAYS = 7
INVITATION_TARGET = "carer_invitation"
GRANT_TARGET = "carer_grant"


class CarerError(ValueError):
    """``kind``: self | already_has_access | invalid | used | expired | wrong_account |
    not_found | no_scopes | past_end."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_by_email(session: Session, email: str) -> Any:
    from portal.accounts.models import User

    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _user_model() -> Any:
    from portal.accounts.models import User

    return User


def _check_terms(scopes: Iterable[str], ends_on: date | None) -> list[str]:
    chosen: list[str] = [s.value for s in Scope if s.value in set(scopes)]
    if not chosen:
        raise CarerError("no_scopes")
    if ends_on is not None and ends_on < today():
        raise CarerError("past_end")
    return chosen


@service
def invite(session: Session, /, *, person: Any, email: str, relationship: str,
           scopes: Iterable[str], ends_on: date | None, by: Any) -> tuple[CarerInvitation, str]:
    """The person invites a carer by email; returns the invitation and its one-time token."""
    email = email.strip().lower()
    if by.id != person.id:
        raise CarerError("not_found")
    if email == person.email.lower():
        raise CarerError("self")
    chosen = _check_terms(scopes, ends_on)
    existing = _user_by_email(session, email)
    if existing is not None and live_grant(session, carer_id=existing.id,
                                           person_id=person.id) is not None:
        raise CarerError("already_has_access")
    # A new invitation to the same address replaces any still waiting.
    session.execute(update(CarerInvitation).where(
        CarerInvitation.person_id == person.id, CarerInvitation.email == email,
        CarerInvitation.kind == InvitationKind.INVITE, CarerInvitation.accepted_at.is_(None),
        CarerInvitation.declined_at.is_(None), CarerInvitation.cancelled_at.is_(None))
        .values(cancelled_at=utcnow()))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = CarerInvitation(
        kind=InvitationKind.INVITE, person_id=person.id, email=email,
        relationship=relationship.strip(), scopes=chosen, ends_on=ends_on,
        token_hash=token_hash(token), created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(invitation)
    session.flush()
    record(session, EventType.CARER_INVITED, actor_id=by.id, subject_id=person.id,
           target_type=INVITATION_TARGET, target_id=invitation.id, scopes=chosen,
           ends_on=ends_on.isoformat() if ends_on else None)
    queue_email(session, to=email,
                subject=_("%(name)s has invited you to help them on the care portal",
                          name=person.display_name),
                template="carer_invitation", name=person.display_name,
                link=public_url("circles.invitation", token=token),
                days=INVITATION_DAYS)
    return invitation, token


def find_invitation(session: Session, token: str) -> CarerInvitation | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(select(CarerInvitation).where(
        CarerInvitation.token_hash == token_hash(token)))


def invitation_problem(invitation: CarerInvitation | None) -> str | None:
    """Why an invitation cannot be accepted (before looking at who is signed in)."""
    if invitation is None:
        return "invalid"
    if invitation.accepted_at or invitation.declined_at or invitation.cancelled_at:
        return "used"
    if as_utc(invitation.expires_at) <= utcnow():
        return "expired"
    return None


@service
def accept(session: Session, /, *, token: str, by: Any) -> CarerGrant:
    """The invited carer accepts with their own account: one grant, however many presses."""
    invitation = find_invitation(session, token)
    problem = invitation_problem(invitation)
    if problem is not None or invitation is None:
        raise CarerError(problem or "invalid")
    if by.id == invitation.person_id:
        raise CarerError("self")
    if by.email.lower() != invitation.email.lower():
        raise CarerError("wrong_account")
    if by.email_verified_at is None:
        # The link went to this address, so following it confirms the address.
        by.email_verified_at = utcnow()
    # Claim the invitation atomically: of two acceptances at once, only one changes the row.
    claimed = session.execute(update(CarerInvitation).where(
        CarerInvitation.id == invitation.id, CarerInvitation.accepted_at.is_(None),
        CarerInvitation.cancelled_at.is_(None), CarerInvitation.declined_at.is_(None))
        .values(accepted_at=utcnow(), carer_id=by.id)
        .execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise CarerError("used")
    if live_grant(session, carer_id=by.id, person_id=invitation.person_id) is not None:
        raise CarerError("already_has_access")
    grant = CarerGrant(person_id=invitation.person_id, carer_id=by.id,
                       relationship=invitation.relationship, scopes=list(invitation.scopes),
                       ends_on=invitation.ends_on, starts_at=utcnow(),
                       created_by_id=invitation.person_id)
    session.add(grant)
    session.flush()
    session.execute(update(CarerInvitation).where(CarerInvitation.id == invitation.id)
                    .values(grant_id=grant.id).execution_options(synchronize_session=False))
    record(session, EventType.CARER_ACCEPTED, actor_id=by.id, subject_id=invitation.person_id,
           target_type=GRANT_TARGET, target_id=grant.id, scopes=list(grant.scopes))
    person = session.get(_user_model(), invitation.person_id)
    if person is not None:
        queue_email(session, to=person.email,
                    subject=_("%(name)s can now help you on the care portal",
                              name=by.display_name),
                    template="carer_accepted", name=by.display_name,
                    link=public_url("circles.access"))
    return grant


def _own_grant(session: Session, person: Any, grant_id: int, by: Any) -> CarerGrant:
    grant = session.get(CarerGrant, grant_id, populate_existing=True)
    if grant is None or grant.person_id != person.id or by.id != person.id:
        raise CarerError("not_found")
    return grant


@service
def revoke(session: Session, /, *, person: Any, grant_id: int, by: Any) -> CarerGrant:
    """End a carer's access at once; the carer's next request is refused."""
    grant = _own_grant(session, person, grant_id, by)
    if grant.revoked_at is not None:
        raise CarerError("used")
    grant.revoked_at, grant.revoked_by_id = utcnow(), by.id
    session.flush()
    record(session, EventType.CARER_REVOKED, actor_id=by.id, subject_id=person.id,
           target_type=GRANT_TARGET, target_id=grant.id)
    carer = session.get(_user_model(), grant.carer_id)
    if carer is not None:
        queue_email(session, to=carer.email,
                    subject=_("Your access for %(name)s has ended", name=person.display_name),
                    template="carer_revoked", name=person.display_name)
    queue_email(session, to=person.email,
                subject=_("You have ended someone's access to your records"),
                template="carer_revoked_person",
                name=carer.display_name if carer is not None else "",
                link=public_url("circles.access"))
    return grant


@service
def change(session: Session, /, *, person: Any, grant_id: int, scopes: Iterable[str],
           ends_on: date | None, by: Any) -> CarerGrant:
    """Change what a carer may do and until when (optimistic locking keeps a revocation)."""
    grant = _own_grant(session, person, grant_id, by)
    if grant.revoked_at is not None:
        raise CarerError("used")
    chosen = _check_terms(scopes, ends_on)
    if (chosen, ends_on) == (list(grant.scopes), grant.ends_on):
        return grant
    grant.scopes, grant.ends_on = chosen, ends_on
    session.flush()
    record(session, EventType.CARER_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=GRANT_TARGET, target_id=grant.id, scopes=chosen,
           ends_on=ends_on.isoformat() if ends_on else None)
    carer = session.get(_user_model(), grant.carer_id)
    if carer is not None:
        queue_email(session, to=carer.email,
                    subject=_("What you can do for %(name)s has changed",
                              name=person.display_name),
                    template="carer_changed", name=person.display_name,
                    link=public_url("circles.cared_for"))
    return grant


def grants_of(session: Session, person: Any) -> list[CarerGrant]:
    """The person's carers' grants that have not been revoked, newest first."""
    return list(session.scalars(select(CarerGrant).where(
        CarerGrant.person_id == person.id, CarerGrant.revoked_at.is_(None))
        .order_by(CarerGrant.id.desc())))


@service
def arrange(session: Session, /, *, person: Any, carer_email: str, relationship: str,
            scopes: Iterable[str], ends_on: date | None, reason: str, by: Any
            ) -> CarerGrant | None:
    """A care worker of a team serving the person records access arranged on the person's
    behalf (for example a best-interests decision), with the reason. The person and the carer
    are told by email. Returns None, writing nothing, when the address has no account or is the
    person's own: the worker is told the same either way, so no answer reveals an account."""
    from portal.circles.policy import worker_team_for

    if worker_team_for(session, by, person) is None:
        raise CarerError("not_found")
    chosen = _check_terms(scopes, ends_on)
    carer = _user_by_email(session, carer_email.strip())
    # An account whose address was never confirmed may have been opened by someone else in
    # that address's name: it is treated as no account at all.
    if (carer is None or carer.id == person.id or not carer.is_active
            or carer.email_verified_at is None):
        return None
    if carer.id == by.id:
        raise CarerError("self")
    if live_grant(session, carer_id=carer.id, person_id=person.id) is not None:
        raise CarerError("already_has_access")
    grant = CarerGrant(person_id=person.id, carer_id=carer.id, relationship=relationship.strip(),
                       scopes=chosen, ends_on=ends_on, starts_at=utcnow(), created_by_id=by.id,
                       arranged_reason=reason.strip())
    session.add(grant)
    session.flush()
    record(session, EventType.CARER_ARRANGED, actor_id=by.id, subject_id=person.id,
           target_type=GRANT_TARGET, target_id=grant.id, scopes=chosen,
           ends_on=ends_on.isoformat() if ends_on else None)
    queue_email(session, to=person.email,
                subject=_("Your care team has arranged for someone to help you"),
                template="carer_arranged", name=carer.display_name,
                link=public_url("circles.access"))
    queue_email(session, to=carer.email,
                subject=_("You can now help %(name)s on the care portal",
                          name=person.display_name),
                template="carer_changed", name=person.display_name,
                link=public_url("circles.cared_for"))
    return grant


@service
def ask(session: Session, /, *, person_email: str, relationship: str, scopes: Iterable[str],
        by: Any) -> CarerInvitation | None:
    """A carer asks someone for access. Returns None, writing nothing, when the address has no
    account (or is the carer's own, or access exists): the carer is told the same either way.

    The carer must have confirmed their own address first: the person is asked by the name and
    address of the asker, and an unconfirmed account may be someone else using that address."""
    if by.email_verified_at is None:
        raise CarerError("unverified")
    chosen = _check_terms(scopes, None)
    person = _user_by_email(session, person_email.strip())
    if person is None or person.id == by.id or not person.is_active or live_grant(
            session, carer_id=by.id, person_id=person.id) is not None:
        return None
    now = utcnow()
    request = CarerInvitation(
        kind=InvitationKind.REQUEST, person_id=person.id, email=by.email.lower(), carer_id=by.id,
        relationship=relationship.strip(), scopes=chosen, created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(request)
    session.flush()
    record(session, EventType.CARER_REQUESTED, actor_id=by.id, subject_id=person.id,
           target_type=INVITATION_TARGET, target_id=request.id, scopes=chosen)
    queue_email(session, to=person.email,
                subject=_("%(name)s has asked to help you on the care portal",
                          name=by.display_name),
                template="carer_requested", name=by.display_name,
                link=public_url("circles.access"))
    return request


def requests_for(session: Session, person: Any) -> list[CarerInvitation]:
    """Carers' requests waiting for the person's answer (not expired), oldest first."""
    return list(session.scalars(select(CarerInvitation).where(
        CarerInvitation.person_id == person.id, CarerInvitation.kind == InvitationKind.REQUEST,
        CarerInvitation.accepted_at.is_(None), CarerInvitation.declined_at.is_(None),
        CarerInvitation.cancelled_at.is_(None), CarerInvitation.expires_at > utcnow())
        .order_by(CarerInvitation.id)))


@service
def answer(session: Session, /, *, person: Any, request_id: int, approve: bool, by: Any
           ) -> CarerGrant | None:
    """The person approves (a grant with the scopes asked for) or declines a carer's request."""
    request = session.get(CarerInvitation, request_id)
    if (request is None or request.kind != InvitationKind.REQUEST or by.id != person.id
            or request.person_id != person.id or request.carer_id is None):
        raise CarerError("not_found")
    problem = invitation_problem(request)
    if problem is not None:
        raise CarerError(problem)
    column = "accepted_at" if approve else "declined_at"
    claimed = session.execute(update(CarerInvitation).where(
        CarerInvitation.id == request.id, CarerInvitation.accepted_at.is_(None),
        CarerInvitation.declined_at.is_(None), CarerInvitation.cancelled_at.is_(None))
        .values({column: utcnow()}).execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise CarerError("used")
    carer = session.get(_user_model(), request.carer_id)
    grant = None
    if approve:
        if live_grant(session, carer_id=request.carer_id, person_id=person.id) is not None:
            raise CarerError("already_has_access")
        grant = CarerGrant(person_id=person.id, carer_id=request.carer_id,
                           relationship=request.relationship, scopes=list(request.scopes),
                           starts_at=utcnow(), created_by_id=person.id)
        session.add(grant)
        session.flush()
        session.execute(update(CarerInvitation).where(CarerInvitation.id == request.id)
                        .values(grant_id=grant.id).execution_options(synchronize_session=False))
    record(session, EventType.CARER_REQUEST_ANSWERED, actor_id=by.id, subject_id=person.id,
           target_type=INVITATION_TARGET, target_id=request.id, approved=approve)
    if carer is not None:
        queue_email(session, to=carer.email,
                    subject=_("%(name)s has answered your request", name=person.display_name),
                    template="carer_answered", name=person.display_name, approved=approve,
                    link=public_url("circles.cared_for"))
    return grant
