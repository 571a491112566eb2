"""Setting up care teams: which localities each serves and how people reach it.

A deployment creates its teams with ``flask --app wsgi teams set`` (and care workers with
``users create --team``). Opening times and the reply promise are the team's entry in
``portal/messaging/data/teams.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam
from portal.audit.events import EventType, ObjectType
from portal.audit.services import record
from portal.places.models import Locality
from portal.unit_of_work import service


class TeamError(ValueError):
    """A team that cannot be set up as asked (the message says why)."""


@service
def set_team(session: Session, /, *, slug: str, name: str | None = None,
             localities: Iterable[str] | None = None, phone: str | None = None,
             email: str | None = None, hours: str | None = None, by: Any = None
             ) -> tuple[CareTeam, list[str]]:
    """Create the team ``slug`` or change what is given (None leaves a field as it is; an
    empty string clears it). Returns the team and the names of the fields that changed."""
    slug = slug.strip().lower()
    if not slug:
        raise TeamError("A team needs a slug, for example torquay-care-team.")
    team = session.scalar(select(CareTeam).where(CareTeam.slug == slug))
    created = team is None
    if team is None:
        if not (name or "").strip():
            raise TeamError(f"There is no team {slug!r} yet: give its --name to create it.")
        team = CareTeam(slug=slug, name=name.strip() if name else "")
        session.add(team)
    changed: list[str] = []
    if name is not None and name.strip() and name.strip() != team.name:
        team.name = name.strip()
        changed.append("name")
    if localities is not None:
        wanted = sorted({value.strip().lower() for value in localities if value.strip()})
        rows = list(session.scalars(select(Locality).where(Locality.slug.in_(wanted))))
        unknown = sorted(set(wanted) - {row.slug for row in rows})
        if unknown:
            raise TeamError(f"No locality with the slug {', '.join(unknown)}.")
        if sorted(row.slug for row in team.localities) != wanted:
            team.localities = sorted(rows, key=lambda row: row.slug)
            changed.append("localities")
    for field, value in (("phone", phone), ("email", email), ("hours", hours)):
        if value is not None and (value.strip() or None) != getattr(team, field):
            setattr(team, field, value.strip() or None)
            changed.append(field)
    if created and "name" not in changed:
        changed.insert(0, "name")
    session.flush()
    if changed:
        record(session, EventType.CARE_TEAM_CHANGED, actor_id=getattr(by, "id", None),
               target_type=ObjectType.CARE_TEAM, target_id=team.id, fields=changed,
               created=created)
    return team, changed
