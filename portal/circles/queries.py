"""Reads for the care circles pages (no changes, no audit: only the person's own rows)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, team_locality
from portal.circles.models import TeamConsent
from portal.places.models import Locality


def serving_teams(session: Session, person: Any) -> list[CareTeam]:
    """The care teams serving the person's home locality (none when it is not set/served)."""
    if person.locality_id is None:
        return []
    return list(session.scalars(
        select(CareTeam).join(team_locality, team_locality.c.team_id == CareTeam.id)
        .where(team_locality.c.locality_id == person.locality_id).order_by(CareTeam.name)))


def localities(session: Session) -> list[Locality]:
    return list(session.scalars(select(Locality).order_by(Locality.name)))




def shared_by(session: Session, person_ids: list[int]) -> dict[int, list[TeamConsent]]:
    """Live consents of each person, oldest first (what each has shared and since when)."""
    found: dict[int, list[TeamConsent]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return found
    for consent in session.scalars(select(TeamConsent).where(
            TeamConsent.person_id.in_(person_ids), TeamConsent.withdrawn_at.is_(None))
            .order_by(TeamConsent.given_at, TeamConsent.id)):
        found[consent.person_id].append(consent)
    return found


def names(session: Session, user_ids: list[int]) -> dict[int, str]:
    from portal.accounts.models import User

    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}
