"""The access policy's decision table: who may do what to a person's records, and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.audit.events import AccessReason
from portal.authz import Role
from portal.circles.models import Purpose, Scope
from portal.circles.policy import Access, decide, people_cared_for, people_served, visible_person_ids
from portal.clock import today
from tests.helpers.factories import (
    make_consent,
    make_grant,
    make_locality,
    make_team,
    make_user,
    serve,
)


@pytest.fixture
def circle(session):
    torquay, plymouth = make_locality(session), make_locality(session)
    team, other_team = make_team(session, [torquay]), make_team(session, [plymouth])
    tom = serve(session, make_user(session, Role.RESIDENT, name="Tom Evans"), torquay)
    return {
        "tom": tom,
        "jane": make_user(session, Role.CARER, name="Jane Evans"),
        "worker": make_user(session, Role.CARE_WORKER, teams=[team]),
        "other_worker": make_user(session, Role.CARE_WORKER, teams=[other_team]),
        "stranger": make_user(session, Role.RESIDENT),
        "admin": make_user(session, Role.ADMIN),
    }


def _reason(session, actor, person, access):
    return decide(session, actor=actor, person=person, access=access).reason


def test_the_owner_does_everything_but_write_team_notes(session, circle):
    tom = circle["tom"]
    for access in Access:
        expected = None if access in (Access.PLAN_NOTE, Access.RECOMMEND) else AccessReason.OWNER
        assert _reason(session, tom, tom, access) == expected, access


@pytest.mark.parametrize(("scope", "allowed"), [
    (Scope.PLAN_VIEW, {Access.PLAN_READ}),
    (Scope.PLAN_EDIT, {Access.PLAN_READ, Access.PLAN_WRITE}),
    (Scope.MESSAGES, {Access.MESSAGES}),
    (Scope.REFERRALS, {Access.REFERRALS}),
    (Scope.DETAILS_VIEW, {Access.DETAILS_READ}),
])
def test_a_carer_may_do_exactly_what_their_scope_allows(session, circle, scope, allowed):
    make_grant(session, circle["tom"], circle["jane"], scope)
    for access in Access:
        expected = AccessReason.PROXY if access in allowed else None
        assert _reason(session, circle["jane"], circle["tom"], access) == expected, access


def test_a_revoked_or_ended_grant_allows_nothing(session, circle):
    grant = make_grant(session, circle["tom"], circle["jane"], *Scope)
    assert _reason(session, circle["jane"], circle["tom"], Access.PLAN_READ) is AccessReason.PROXY
    grant.ends_on = today() - timedelta(days=1)
    session.flush()
    assert _reason(session, circle["jane"], circle["tom"], Access.PLAN_READ) is None
    grant.ends_on = today()  # the last day still counts
    session.flush()
    assert _reason(session, circle["jane"], circle["tom"], Access.PLAN_READ) is AccessReason.PROXY
    make_grant(session, circle["tom"], circle["stranger"], *Scope, revoked=True)
    assert _reason(session, circle["stranger"], circle["tom"], Access.PLAN_READ) is None


def test_the_serving_team_needs_the_persons_consent_for_each_purpose(session, circle):
    tom, worker = circle["tom"], circle["worker"]
    assert _reason(session, worker, tom, Access.PLAN_READ) is None
    [consent] = make_consent(session, tom, Purpose.PLAN)
    assert _reason(session, worker, tom, Access.PLAN_READ) is AccessReason.CARE_TEAM
    assert _reason(session, worker, tom, Access.PLAN_NOTE) is AccessReason.CARE_TEAM
    assert _reason(session, worker, tom, Access.RECOMMEND) is AccessReason.CARE_TEAM
    assert _reason(session, worker, tom, Access.MESSAGES) is None
    assert _reason(session, worker, tom, Access.PLAN_WRITE) is None  # never the person's words
    assert _reason(session, circle["other_worker"], tom, Access.PLAN_READ) is None
    consent.withdrawn_at, consent.withdrawn_by_id = consent.given_at, tom.id
    session.flush()
    assert _reason(session, worker, tom, Access.PLAN_READ) is None


def test_strangers_and_admins(session, circle):
    tom = circle["tom"]
    for access in Access:
        assert _reason(session, circle["stranger"], tom, access) is None
    assert _reason(session, circle["admin"], tom, Access.DETAILS_READ) is AccessReason.ADMIN
    assert _reason(session, circle["admin"], tom, Access.PLAN_READ) is None


def test_a_worker_who_is_also_the_carer_is_judged_by_the_grant_first(session, circle):
    tom, worker = circle["tom"], circle["worker"]
    make_consent(session, tom, Purpose.PLAN)
    make_grant(session, tom, worker, Scope.PLAN_EDIT, relationship="son")
    assert _reason(session, worker, tom, Access.PLAN_READ) is AccessReason.PROXY
    assert _reason(session, worker, tom, Access.PLAN_NOTE) is AccessReason.CARE_TEAM


def test_lists_agree_with_decide(session, circle):
    tom, jane, worker = circle["tom"], circle["jane"], circle["worker"]
    make_grant(session, tom, jane, Scope.MESSAGES)
    make_consent(session, tom, Purpose.MESSAGING)
    assert [g.person_id for g in people_cared_for(session, jane)] == [tom.id]
    assert [p.id for p in people_served(session, worker, name="tom")] == [tom.id]
    assert people_served(session, worker, [Purpose.PLAN]) == []
    assert people_served(session, circle["other_worker"]) == []
    for actor in circle.values():
        for access in Access:
            listed = visible_person_ids(session, actor, access)
            assert (tom.id in listed) == decide(session, actor=actor, person=tom,
                                                access=access).allowed, (actor, access)
