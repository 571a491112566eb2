"""The one access policy for a person's records.

``decide(session, actor=..., person=..., access=...)`` answers "may this actor do this to this
person's record, and why": a ``Decision`` whose ``reason`` (owner, proxy, care team, admin) is
what the audit event records, or a refusal. Every area asks it, for detail pages and for lists
(``people_served``, ``people_cared_for`` and ``visible_person_ids`` give the same answers in
SQL, so a list never shows what a detail page would refuse). Object-level checks live here and
in services, never in templates.

The rules, in order:

* **owner**: a person does everything to their own records (but writes no team notes);
* **proxy**: a carer with a live grant (started, not past its last day, not revoked) whose
  scopes cover the access;
* **care team**: a care worker who is a member of a team serving the person's home locality,
  when the person has a live consent for the access's purpose;
* **admin**: administrators read personal details (to manage accounts), nothing else.

A carer who is also a member of the serving team is judged as a carer first: their own grant
is what the person chose for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from portal.audit.events import AccessReason
from portal.authz import Permission
from portal.circles.models import CarerGrant, Purpose, Scope, TeamConsent
from portal.clock import today, utcnow


class Access(StrEnum):
    """Things done to a person's records."""

    PLAN_READ = "plan_read"
    PLAN_WRITE = "plan_write"        # change the person's own words
    PLAN_NOTE = "plan_note"          # a professional's note or suggestion beside the plan
    MESSAGES = "messages"            # read and write messages with the care team
    REFERRALS = "referrals"          # make and follow referrals for the person
    DETAILS_READ = "details_read"    # personal details
    RECOMMEND = "recommend"          # recommend guidance or a service to the person


# Which carer scopes allow each access.
CARER_SCOPES: dict[Access, frozenset[Scope]] = {
    Access.PLAN_READ: frozenset({Scope.PLAN_VIEW, Scope.PLAN_EDIT}),
    Access.PLAN_WRITE: frozenset({Scope.PLAN_EDIT}),
    Access.MESSAGES: frozenset({Scope.MESSAGES}),
    Access.REFERRALS: frozenset({Scope.REFERRALS}),
    Access.DETAILS_READ: frozenset({Scope.DETAILS_VIEW}),
}

# Which consents let the serving team do each access.
TEAM_PURPOSES: dict[Access, frozenset[Purpose]] = {
    Access.PLAN_READ: frozenset({Purpose.PLAN}),
    Access.PLAN_NOTE: frozenset({Purpose.PLAN}),
    Access.MESSAGES: frozenset({Purpose.MESSAGING}),
    Access.DETAILS_READ: frozenset({Purpose.PERSONAL_DETAILS}),
    Access.RECOMMEND: frozenset(Purpose),  # any live consent: the person is in the team's list
}

OWNER_ACCESS = frozenset(Access) - {Access.PLAN_NOTE, Access.RECOMMEND}


@dataclass(frozen=True)
class Decision:
    reason: AccessReason | None
    grant: CarerGrant | None = None
    team_id: int | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is not None

    def __bool__(self) -> bool:
        return self.allowed


REFUSED = Decision(None)


def _signed_in(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _live_grants() -> Any:
    day = today()
    return and_(CarerGrant.revoked_at.is_(None), CarerGrant.starts_at <= utcnow(),
                or_(CarerGrant.ends_on.is_(None), CarerGrant.ends_on >= day))


def live_grant(session: Session, *, carer_id: int, person_id: int) -> CarerGrant | None:
    """The carer's live grant for this person (read fresh: a revocation counts at once)."""
    return session.scalar(
        select(CarerGrant).where(CarerGrant.carer_id == carer_id,
                                 CarerGrant.person_id == person_id, _live_grants())
        .order_by(CarerGrant.id.desc()).limit(1)
        .execution_options(populate_existing=True))


def live_purposes(session: Session, person_id: int) -> frozenset[Purpose]:
    rows = session.scalars(select(TeamConsent.purpose).where(
        TeamConsent.person_id == person_id, TeamConsent.withdrawn_at.is_(None)))
    return frozenset(Purpose(value) for value in rows)


def serving_team_ids(session: Session, person: Any) -> list[int]:
    """The care teams that serve the person's home locality."""
    from portal.accounts.models import team_locality

    locality_id = getattr(person, "locality_id", None)
    if locality_id is None:
        return []
    return list(session.scalars(select(team_locality.c.team_id)
                                .where(team_locality.c.locality_id == locality_id)
                                .order_by(team_locality.c.team_id)))


def worker_team_for(session: Session, actor: Any, person: Any) -> int | None:
    """The first team of this care worker's that serves the person, if any."""
    if not actor.has_permission(Permission.CARE_TEAM_WORK):
        return None
    mine = {team.id for team in actor.teams}
    return next((team_id for team_id in serving_team_ids(session, person) if team_id in mine),
                None)


def decide(session: Session, *, actor: Any, person: Any, access: Access) -> Decision:
    """May ``actor`` do ``access`` to ``person``'s records, and why. Reads fresh rows."""
    if not _signed_in(actor) or person is None or not getattr(person, "is_active", True):
        return REFUSED
    if actor.id == person.id:
        return Decision(AccessReason.OWNER) if access in OWNER_ACCESS else REFUSED
    scopes = CARER_SCOPES.get(access)
    grant = live_grant(session, carer_id=actor.id, person_id=person.id)
    if grant is not None and scopes and grant.scope_set & scopes:
        return Decision(AccessReason.PROXY, grant=grant)
    purposes = TEAM_PURPOSES.get(access)
    if purposes:
        team_id = worker_team_for(session, actor, person)
        if team_id is not None and live_purposes(session, person.id) & purposes:
            return Decision(AccessReason.CARE_TEAM, team_id=team_id)
    if access is Access.DETAILS_READ and actor.has_permission(Permission.ADMIN_USERS_MANAGE):
        return Decision(AccessReason.ADMIN)
    return REFUSED


# The same rules for lists -------------------------------------------------------------------


def people_cared_for(session: Session, carer: Any) -> list[CarerGrant]:
    """The carer's live grants, one per person, newest first."""
    grants = session.scalars(select(CarerGrant).where(CarerGrant.carer_id == carer.id,
                                                      _live_grants())
                             .order_by(CarerGrant.id.desc()))
    seen: set[int] = set()
    found = []
    for grant in grants:
        if grant.person_id not in seen:
            seen.add(grant.person_id)
            found.append(grant)
    return found


def served_people_query(worker: Any, purposes: Iterable[Purpose] | None = None
                        ) -> Select[Any]:
    """People served by the worker's teams who have a live consent (for one of ``purposes``,
    or any): a select of ``User`` rows, to filter, search and page further."""
    from portal.accounts.models import User, team_locality

    wanted = list(purposes) if purposes is not None else list(Purpose)
    team_ids = [team.id for team in worker.teams] if worker.has_permission(
        Permission.CARE_TEAM_WORK) else []
    localities = select(team_locality.c.locality_id).where(team_locality.c.team_id.in_(team_ids))
    consented = select(TeamConsent.person_id).where(TeamConsent.withdrawn_at.is_(None),
                                                    TeamConsent.purpose.in_(wanted))
    return (select(User).where(User.is_active.is_(True), User.id != worker.id,
                               User.locality_id.in_(localities), User.id.in_(consented))
            .order_by(User.display_name, User.id))


def people_served(session: Session, worker: Any, purposes: Iterable[Purpose] | None = None,
                  *, name: str | None = None, limit: int = 50, offset: int = 0) -> list[Any]:
    from portal.accounts.models import User

    query = served_people_query(worker, purposes)
    if name:
        pattern = "%" + name.strip().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(User.display_name.ilike(pattern, escape="\\"))
    return list(session.scalars(query.limit(limit).offset(offset)))


def visible_person_ids(session: Session, actor: Any, access: Access) -> set[int]:
    """Every person whose records ``actor`` may ``access``: the list form of ``decide``."""
    if not _signed_in(actor):
        return set()
    found: set[int] = {actor.id} if access in OWNER_ACCESS else set()
    scopes = CARER_SCOPES.get(access)
    if scopes:
        found |= {g.person_id for g in people_cared_for(session, actor) if g.scope_set & scopes}
    purposes = TEAM_PURPOSES.get(access)
    if purposes:
        found |= {u.id for u in session.scalars(served_people_query(actor, purposes))}
    if access is Access.DETAILS_READ and actor.has_permission(Permission.ADMIN_USERS_MANAGE):
        from portal.accounts.models import User

        found |= set(session.scalars(select(User.id).where(User.is_active.is_(True))))
    return found


# Carer's assessment requests ----------------------------------------------------------------
#
# A request is the carer's record. The carer who sent it signed in follows it (owner); care
# workers work on it when it is in one of their teams' queues, comes from a locality one of
# their teams serves, or waits in the triage queue (no team yet). Nobody else, whatever the
# reference number they know.


def _worker_team_ids(actor: Any) -> list[int]:
    if not actor.has_permission(Permission.CARE_TEAM_WORK):
        return []
    return [team.id for team in actor.teams]


def referrals_query(worker: Any) -> Select[Any]:
    """The requests a care worker may work on (the list form of ``decide_referral``)."""
    from sqlalchemy import false

    from portal.accounts.models import team_locality
    from portal.carers.models import CarerReferral

    team_ids = _worker_team_ids(worker) if _signed_in(worker) else []
    if not team_ids:
        return select(CarerReferral).where(false())
    localities = select(team_locality.c.locality_id).where(team_locality.c.team_id.in_(team_ids))
    return select(CarerReferral).where(or_(
        CarerReferral.team_id.is_(None), CarerReferral.team_id.in_(team_ids),
        CarerReferral.locality_id.in_(localities)))


def own_referrals_query(carer: Any) -> Select[Any]:
    """The requests a signed-in carer sent themself (the list form of ``decide_referral``'s
    OWNER rule): their status only, never the team's notes."""
    from sqlalchemy import false

    from portal.carers.models import CarerReferral

    if not _signed_in(carer):
        return select(CarerReferral).where(false())
    return select(CarerReferral).where(CarerReferral.carer_id == carer.id)


def decide_referral(session: Session, *, actor: Any, referral: Any) -> Decision:
    """May ``actor`` see ``referral`` and why: CARE_TEAM (work on it, with the team whose
    queue it is in), OWNER (the carer who sent it, signed in: its status only) or refused."""
    from portal.accounts.models import team_locality

    if not _signed_in(actor) or referral is None:
        return REFUSED
    team_ids = _worker_team_ids(actor)
    if team_ids:
        if referral.team_id is None or referral.team_id in team_ids:
            return Decision(AccessReason.CARE_TEAM, team_id=referral.team_id)
        if referral.locality_id is not None:
            serving = session.scalar(select(team_locality.c.team_id).where(
                team_locality.c.locality_id == referral.locality_id,
                team_locality.c.team_id.in_(team_ids)).order_by(team_locality.c.team_id).limit(1))
            if serving is not None:
                return Decision(AccessReason.CARE_TEAM, team_id=serving)
    if referral.carer_id is not None and referral.carer_id == actor.id:
        return Decision(AccessReason.OWNER)
    return REFUSED
