"""Care circles demo data: idempotent (running it twice changes nothing).

Rose Resident lives in Torquay, shares everything with the Torquay team and lets Cara Carer
(her daughter) see her plan and message her team. Pat Plymouth lives in Devonport and has
no consents and no carers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam
from portal.circles.models import CarerGrant, LocalitySource, Purpose, Scope, TeamConsent
from portal.circles.services import CONSENT_WORDING
from portal.clock import utcnow
from portal.places.models import Locality

if TYPE_CHECKING:
    from portal.demo import DemoAccount

SECOND_RESIDENT = ("plymouth@demo.portal.test", "Pat Plymouth")

TEAM_CONTACTS = {
    # Opening times come from portal/messaging/data/teams.json (the ones the reply promise
    # counts in); the text here is a note shown under them.
    "torquay-care-team": ("01803 000 100", "torquay.team@demo.portal.test",
                          "Phone lines are busiest before 10am."),
    "devonport-care-team": ("01752 000 200", "devonport.team@demo.portal.test", None),
}


def load_demo(session: Session) -> list[DemoAccount]:
    from portal.accounts import services as accounts
    from portal.authz import Role
    from portal.demo import DemoAccount, read_people

    password = read_people().password

    for team in session.scalars(select(CareTeam).where(CareTeam.slug.in_(TEAM_CONTACTS))):
        team.phone, team.email, team.hours = TEAM_CONTACTS[team.slug]
    places = {row.slug: row for row in session.scalars(select(Locality))}
    rose = accounts.find_by_email(session, "resident@demo.portal.test")
    cara = accounts.find_by_email(session, "carer@demo.portal.test")
    if rose is not None and rose.locality_id is None and "torquay" in places:
        rose.locality_id, rose.locality_source = places["torquay"].id, LocalitySource.CHOSEN
    if rose is not None:  # every purpose, whichever part of the demo gave her locality first
        given = set(session.scalars(select(TeamConsent.purpose).where(
            TeamConsent.person_id == rose.id, TeamConsent.withdrawn_at.is_(None))))
        for purpose in Purpose:
            if purpose not in given:
                session.add(TeamConsent(person_id=rose.id, purpose=purpose,
                                        wording=str(CONSENT_WORDING[purpose]),
                                        given_at=utcnow(), given_by_id=rose.id))
    if rose is not None and cara is not None and session.scalar(select(CarerGrant).where(
            CarerGrant.person_id == rose.id, CarerGrant.carer_id == cara.id)) is None:
        session.add(CarerGrant(person_id=rose.id, carer_id=cara.id, relationship="daughter",
                               scopes=[Scope.PLAN_VIEW.value, Scope.MESSAGES.value],
                               created_by_id=rose.id))
    if rose is None:  # another demo folder (not the portal's own people): no second resident
        session.flush()
        return []
    email, name = SECOND_RESIDENT
    pat = accounts.find_by_email(session, email)
    if pat is None:
        pat = accounts.create_user(session, email=email, password=password,
                                   display_name=name, roles=[Role.RESIDENT])
        pat.email_verified_at = utcnow()
        if "devonport" in places:
            pat.locality_id, pat.locality_source = places["devonport"].id, LocalitySource.CHOSEN
    session.flush()
    return [DemoAccount(Role.RESIDENT.value, email, password)]
