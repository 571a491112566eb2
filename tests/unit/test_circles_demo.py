"""The care circles demo data: what the issue asks for, and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.authz import Role
from portal.circles.demo import load_demo
from portal.circles.models import CarerGrant, Scope, TeamConsent
from portal.circles.policy import Access, decide
from tests.helpers.factories import make_locality, make_team, make_user


def test_demo_circles_give_rose_a_team_and_a_carer_and_pat_nothing(session):
    torquay, devonport = make_locality(session, "torquay"), make_locality(session, "devonport")
    team = make_team(session, [torquay])
    team.slug = "torquay-care-team"
    rose = make_user(session, email="resident@demo.portal.test", name="Rose Resident")
    cara = make_user(session, Role.CARER, email="carer@demo.portal.test", name="Cara Carer")
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    for _ in range(2):
        load_demo(session)
    pat = session.scalars(select(User).where(User.email == "plymouth@demo.portal.test")).one()
    assert (rose.locality_id, pat.locality_id) == (torquay.id, devonport.id)
    assert team.phone and team.email and team.hours
    [grant] = session.scalars(select(CarerGrant)).all()
    assert (grant.person_id, grant.carer_id, grant.scope_set) == (
        rose.id, cara.id, {Scope.PLAN_VIEW, Scope.MESSAGES})
    assert session.scalar(select(func.count()).select_from(TeamConsent)) == 3
    assert decide(session, actor=worker, person=rose, access=Access.PLAN_READ)
    assert decide(session, actor=cara, person=rose, access=Access.MESSAGES)
    assert not decide(session, actor=cara, person=rose, access=Access.PLAN_WRITE)
    assert not decide(session, actor=worker, person=pat, access=Access.PLAN_READ)
