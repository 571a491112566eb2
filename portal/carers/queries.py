"""Which referrals a care worker may see (through the access policy), and a carer's own."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User
from portal.audit.events import AccessReason
from portal.authz import Permission
from portal.carers.models import CarerReferral, ReferralStatus
from portal.circles.policy import decide_referral, own_referrals_query, referrals_query
from portal.clock import utcnow


class Assigned(StrEnum):
    """The queue's filter by assignee."""

    ANYONE = ""
    ME = "me"
    NOBODY = "nobody"


RECENTLY_DONE = timedelta(days=30)


def queue(session: Session, worker: User, assigned: Assigned = Assigned.ANYONE
          ) -> list[CarerReferral]:
    """Open referrals first, urgent ones at the top, then oldest first; then those completed
    in the last ``RECENTLY_DONE`` (older ones are in the CSV download, not the queue)."""
    query = referrals_query(worker)
    if assigned is Assigned.ME:
        query = query.where(CarerReferral.assigned_to_id == worker.id)
    elif assigned is Assigned.NOBODY:
        query = query.where(CarerReferral.assigned_to_id.is_(None))
    done = CarerReferral.status == ReferralStatus.COMPLETED
    query = query.where(or_(~done, CarerReferral.updated_at >= utcnow() - RECENTLY_DONE))
    return list(session.scalars(query.order_by(
        case((done, 1), else_=0), CarerReferral.urgent.desc(), CarerReferral.created_at,
        CarerReferral.id)))


def referrals_of(session: Session, carer: User) -> list[CarerReferral]:
    """The carer's own requests, newest first, as the access policy lists them."""
    return list(session.scalars(own_referrals_query(carer)
                                .order_by(CarerReferral.created_at.desc())))


def assignable(session: Session, referral: CarerReferral, worker: User) -> list[User]:
    """Care workers who may be given this referral: members of the worker's teams and of
    the referral's team who may work on it themselves, by name."""
    team_ids = {team.id for team in worker.teams}
    if referral.team_id is not None:
        team_ids.add(referral.team_id)
    members = session.scalars(select(User).join(User.teams).where(
        CareTeam.id.in_(team_ids), User.is_active.is_(True))
        .order_by(User.display_name, User.id)).unique()
    return [user for user in members if user.has_permission(Permission.CARE_TEAM_WORK)
            and decide_referral(session, actor=user, referral=referral).reason
            is AccessReason.CARE_TEAM]
