"""Which referrals a care worker may see, and a carer's own."""

from __future__ import annotations

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User, team_locality
from portal.carers.models import CarerReferral, ReferralStatus


def _visible(worker: User) -> Select[CarerReferral]:
    """Referrals of the worker's teams, of their teams' localities, and the triage queue."""
    team_ids = [team.id for team in worker.teams]
    localities = select(team_locality.c.locality_id).where(team_locality.c.team_id.in_(team_ids))
    return select(CarerReferral).where(or_(
        CarerReferral.team_id.is_(None), CarerReferral.team_id.in_(team_ids),
        CarerReferral.locality_id.in_(localities)))


def queue(session: Session, worker: User) -> list[CarerReferral]:
    """Open referrals first, urgent ones at the top, then oldest first; completed ones last."""
    if not worker.teams:
        return []
    done = CarerReferral.status == ReferralStatus.COMPLETED
    return list(session.scalars(_visible(worker).order_by(
        case((done, 1), else_=0), CarerReferral.urgent.desc(), CarerReferral.created_at, CarerReferral.id)))


def visible_referral(session: Session, worker: User, referral_id: int) -> CarerReferral | None:
    if not worker.teams:
        return None
    return session.scalar(_visible(worker).where(CarerReferral.id == referral_id))


def referrals_of(session: Session, carer: User) -> list[CarerReferral]:
    return list(session.scalars(select(CarerReferral).where(CarerReferral.carer_id == carer.id)
                                .order_by(CarerReferral.created_at.desc())))
