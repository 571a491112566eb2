"""A person's personal details seen by their circle: a carer given "see my personal details",
and the serving team when the person shares their details with it. Each look is audited and
shown to the person; nobody else gets in (the grant sweep tries every state)."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from tests.helpers.factories import (
    make_consent,
    make_grant,
    make_locality,
    make_team,
    make_user,
    serve,
)
from tests.helpers.pages import check_page
from tests.integration.test_profile import FILLED


def _person_with_details(client, session):
    home = make_locality(session)
    team = make_team(session, [home])
    person = serve(session, make_user(session, name="Tom Evans"), home)
    client.sign_in_as(person)
    assert client.submit("/account/details/edit", FILLED).status_code == 302
    session.refresh(person)
    serve(session, person, home)  # the postcode is outside the test localities
    return person, team


def _views(session, person):
    return session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "record_viewed", AuditEvent.subject_id == person.id)).all()


def test_a_carer_given_the_scope_sees_the_details_and_the_person_sees_that_they_looked(
        client, session):
    person, _team = _person_with_details(client, session)
    jane = make_user(session, Role.CARER, name="Jane Evans")
    make_grant(session, person, jane, "details:view")
    client.sign_in_as(jane)
    cared_for = client.page("/carers")
    assert f"/people/{person.id}/details" in cared_for.links
    page = check_page(client.get(f"/people/{person.id}/details"))
    assert page.h1 == ["Personal details"]
    for shown in ("943 476 5919", "2 Harbour View", "01803 555 010"):
        assert shown in page.text
    assert "Tom Evans lets you see their personal details." in page.text
    [view] = _views(session, person)
    assert (view.actor_id, view.reason) == (jane.id, "proxy")
    client.sign_in_as(person)
    assert "Jane Evans" in client.page("/account/activity").text


def test_a_carer_without_the_scope_is_refused_and_nothing_is_recorded(client, session):
    person, _team = _person_with_details(client, session)
    jane = make_user(session, Role.CARER)
    make_grant(session, person, jane, "plan:view", "messages:send")
    client.sign_in_as(jane)
    assert f"/people/{person.id}/details" not in client.page("/carers").links
    assert client.get(f"/people/{person.id}/details").status_code == 404
    assert _views(session, person) == []


def test_the_serving_team_sees_the_details_only_while_the_person_shares_them(client, session):
    person, team = _person_with_details(client, session)
    worker = make_user(session, Role.CARE_WORKER, name="Cal Careworker", teams=[team])
    make_consent(session, person, "plan")
    client.sign_in_as(worker)
    listed = client.page("/team")
    assert f"/plans/{person.id}" in listed.links
    assert f"/people/{person.id}/details" not in listed.links
    assert client.get(f"/people/{person.id}/details").status_code == 404
    make_consent(session, person, "personal_details")
    assert f"/people/{person.id}/details" in client.page("/team").links
    page = client.page(f"/people/{person.id}/details")
    assert "Tom Evans shares their personal details with your team." in page.text
    assert "943 476 5919" in page.text
    [view] = _views(session, person)
    assert (view.actor_id, view.reason) == (worker.id, "care_team")


def test_an_administrator_outside_the_circle_is_sent_nowhere_here(client, session):
    # Administrators give a reason on their own page; this page never shows them anything.
    person, _team = _person_with_details(client, session)
    client.sign_in_as(make_user(session, Role.ADMIN))
    assert client.get(f"/people/{person.id}/details").status_code == 404
    assert _views(session, person) == []


def test_the_person_opening_the_link_goes_to_their_own_page(client, session):
    person, _team = _person_with_details(client, session)
    response = client.get(f"/people/{person.id}/details")
    assert response.status_code == 302 and response.location == "/account/details"
