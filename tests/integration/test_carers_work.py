"""Care workers assign carer referrals and record contact attempts: through the services,
audited, and only on referrals the access policy lets them work on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.events import AccessReason
from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.carers.models import ContactAttempt, ReferralStatus
from portal.circles.policy import decide_referral, referrals_query
from tests.helpers.factories import make_carer_referral, make_locality, make_team, make_user
from tests.helpers.pages import check_page


@pytest.fixture
def world(app, session):  # type: ignore[no-untyped-def]
    torquay, devonport = make_locality(session, "torquay"), make_locality(session, "devonport")
    team, other_team = make_team(session, [torquay]), make_team(session, [devonport])
    carer = make_user(session, Role.CARER, name="Jane Evans")
    with app.app_context():  # answers are encrypted with the app's keys
        referral = make_carer_referral(session, team=team)
        triage = make_carer_referral(session, team=team)
        triage.team_id = None  # type: ignore[attr-defined]
        referral.carer_id = carer.id  # type: ignore[attr-defined]
        session.flush()
    return {
        "team": team, "referral": referral, "triage": triage, "carer": carer,
        "worker": make_user(session, Role.CARE_WORKER, name="Wendy Worker", teams=[team]),
        "colleague": make_user(session, Role.CARE_WORKER, name="Colin Colleague", teams=[team]),
        "outsider": make_user(session, Role.CARE_WORKER, name="Olga Other", teams=[other_team]),
    }


def url(referral, part: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/carers/queue/{referral.id}" + (f"/{part}" if part else "")


def now(session, referral):  # type: ignore[no-untyped-def]
    """The referral's columns as the database has them now (not its encrypted answers)."""
    from portal.carers.models import CarerReferral

    return session.execute(select(
        CarerReferral.status, CarerReferral.assigned_to_id, CarerReferral.assigned_at,
        CarerReferral.first_contact_at).where(CarerReferral.id == referral.id)).one()


def events(session, kind: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)
                                .order_by(AuditEvent.id)))


def test_the_policy_decides_who_may_work_on_a_referral(session, world):
    referral, triage = world["referral"], world["triage"]
    for name, expected in [("worker", AccessReason.CARE_TEAM), ("colleague", AccessReason.CARE_TEAM),
                           ("outsider", None), ("carer", AccessReason.OWNER)]:
        assert decide_referral(session, actor=world[name], referral=referral).reason is expected
    # The triage queue is every care worker's; the carer of another referral sees nothing.
    assert decide_referral(session, actor=world["outsider"], referral=triage).reason \
        is AccessReason.CARE_TEAM
    assert not decide_referral(session, actor=world["carer"], referral=triage)
    assert not decide_referral(session, actor=make_user(session, Role.RESIDENT), referral=referral)
    listed = set(session.scalars(referrals_query(world["outsider"]).with_only_columns(
        referrals_query(world["outsider"]).selected_columns[0].table.c.id)))
    assert listed == {triage.id}


def test_a_worker_assigns_a_referral_to_a_colleague(client, another_client, session, world):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    html = client.get(url(referral)).get_data(as_text=True)
    assert f'<option value="{world["worker"].id}" selected>Wendy Worker</option>' in html
    response = client.submit(url(referral, "assign"), {"assignee": str(world["colleague"].id)},
                             form_url=url(referral))
    assert response.status_code == 302 and response.location == url(referral)
    page = client.page(response.location)
    assert "Assigned to Colin Colleague." in page.text
    row = now(session, referral)
    assert row.assigned_to_id == world["colleague"].id and row.assigned_at is not None
    [event] = events(session, "carer_referral_assigned")
    assert (event.actor_id, event.reason, event.details) == (
        world["worker"].id, "care_team", {"assignee": world["colleague"].id})
    # The colleague finds it under "Assigned to me"; "Not assigned" leaves it out.
    another_client.sign_in_as(world["colleague"])
    mine = another_client.page("/carers/queue?assigned=me").text
    assert referral.reference in mine and world["triage"].reference not in mine
    assert referral.reference not in another_client.page("/carers/queue?assigned=nobody").text
    assert referral.reference in another_client.page("/carers/queue?assigned=junk").text
    # Back to nobody.
    response = another_client.submit(url(referral, "assign"), {"assignee": ""},
                                     form_url=url(referral))
    assert "Nobody is assigned now." in another_client.page(response.location).text
    row = now(session, referral)
    assert row.assigned_to_id is None and row.assigned_at is None


def test_a_referral_cannot_be_given_to_a_worker_of_another_team(client, session, world):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    response = client.submit(url(referral, "assign"), {"assignee": str(world["outsider"].id)},
                             form_url=url(referral))
    page = check_page(response)
    assert response.status_code == 400
    assert page.error_summary == ["Select someone from the list"]
    assert page.error_summary_links == ["#assignee"]
    assert now(session, referral).assigned_to_id is None
    assert events(session, "carer_referral_assigned") == []


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=True)
def test_contact_attempts_are_listed_and_reaching_the_carer_makes_contact(
        client, another_client, session, world):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    response = client.submit(url(referral, "contact"),
                             {"method": "phone", "outcome": "no_answer",
                              "contact_note": "Rang twice, no voicemail."},
                             form_url=url(referral))
    assert response.location == url(referral)
    page = client.page(url(referral))
    assert "7 December 2026: Phone call, No answer (Wendy Worker) \u2013 Rang twice, no voicemail." \
        in page.text
    row = now(session, referral)
    assert row.status is ReferralStatus.RECEIVED and row.first_contact_at is None

    response = client.submit(url(referral, "contact"), {"method": "phone", "outcome": "reached"},
                             form_url=url(referral))
    assert response.status_code == 302
    row = now(session, referral)
    assert row.status is ReferralStatus.CONTACT_MADE and row.first_contact_at is not None
    assert "The carer has been contacted." in client.page(url(referral)).text
    assert [e.details["outcome"] for e in events(session, "carer_referral_contact_recorded")] \
        == ["no_answer", "reached"]
    [change] = events(session, "carer_referral_status_changed")
    assert change.details == {"status": "contact_made", "noted": False}
    # The carer sees the new status, never the team's note.
    another_client.sign_in_as(world["carer"])
    mine = another_client.page("/account/carers-assessments").text
    assert "Contact made" in mine and "Rang twice" not in mine
    assert len(session.scalars(select(ContactAttempt.id)).all()) == 2


def test_a_contact_attempt_without_answers_keeps_the_note(client, session, world):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    response = client.submit(url(referral, "contact"), {"contact_note": "Kept this"},
                             form_url=url(referral))
    assert response.status_code == 400
    page = check_page(response)
    assert page.error_summary == ["Select how you tried to contact them",
                                  "Select what happened"]
    assert ">Kept this</textarea>" in response.get_data(as_text=True)
    assert session.scalars(select(ContactAttempt.id)).all() == []


@pytest.mark.parametrize("part", ["assign", "contact"])
def test_only_the_referrals_team_may_assign_or_record_contact(
        client, another_client, session, world, part):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    token = client.csrf_token(url(referral))
    data = {"csrf_token": token, "assignee": str(world["worker"].id), "method": "phone",
            "outcome": "reached"}
    another_client.sign_in_as(world["outsider"])
    other_token = another_client.csrf_token("/carers/queue")
    assert another_client.post(url(referral, part), data={**data, "csrf_token": other_token}
                               ).status_code == 404
    another_client.sign_in_as(make_user(session, Role.RESIDENT))
    assert another_client.post(url(referral, part), data={**data, "csrf_token": other_token}
                               ).status_code in (400, 403)
    row = now(session, referral)
    assert row.assigned_to_id is None and row.status is ReferralStatus.RECEIVED


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=True)
def test_the_history_names_who_changed_the_status_on_the_page_and_in_print(
        client, session, world):
    referral = world["referral"]
    client.sign_in_as(world["worker"])
    response = client.submit(url(referral, "status"),
                             {"status": "being_looked_at", "note": "Checking the GP."},
                             form_url=url(referral))
    assert response.location == url(referral)
    line = "7 December 2026: Being looked at (Wendy Worker) \u2013 Checking the GP."
    assert line in client.page(url(referral)).text
    assert line in client.page(url(referral, "print")).text


def test_the_print_view_shows_the_triage_note_in_the_readers_language(client, session, world):
    from portal.carers.services import NO_LOCALITY_NOTE

    triage = world["triage"]
    triage.triage_note = NO_LOCALITY_NOTE  # as carers.services.route keeps it: in English
    session.flush()
    client.sign_in_as(world["worker"])
    client.get("/language/pl")
    text = client.page(url(triage, "print")).text
    assert "Kod pocztowy nie należy do żadnego z naszych obszarów" in text
    assert NO_LOCALITY_NOTE not in text
