"""Carers: invitation by email, acceptance (signed in or after registering), bad links,
changing and revoking access, acting for someone, and "who can see my records"."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.circles.models import CarerGrant, CarerInvitation
from portal.clock import today, utcnow
from tests.helpers.factories import make_grant, make_user

INVITE = {"email": "jane@example.com", "relationship": "daughter",
          "scopes": ["plan:view", "messages:send"], "ends_on": ""}


def _invite(client, person, smtp_sink, **changes):
    client.sign_in_as(person)
    smtp_sink.clear()
    response = client.submit("/account/carers/invite", {**INVITE, **changes})
    assert response.status_code == 302
    [mail] = [m for m in smtp_sink.messages if m["To"] == changes.get("email", INVITE["email"])]
    return re.search(r"http://127.0.0.1:5000(/carers/invitation/\S+)", mail.get_content()).group(1)


def _events(session, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)).all()


def test_invitation_email_has_a_link_and_no_health_information(client, session, smtp_sink):
    tom = make_user(session, name="Tom Evans")
    link = _invite(client, tom, smtp_sink)
    [mail] = smtp_sink.messages
    assert mail["Subject"] == "Tom Evans has invited you to help them on the care portal"
    body = mail.get_content()
    assert link in body and "plan" not in body.lower() and "message" not in body.lower()
    [invitation] = session.scalars(select(CarerInvitation)).all()
    token = link.rsplit("/", 1)[1]
    assert token not in (invitation.token_hash or "")
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [event] = _events(session, "carer_invited")
    assert (event.actor_id, event.subject_id, event.details["scopes"]) == (
        tom.id, tom.id, ["plan:view", "messages:send"])


def test_accepting_an_invitation_confirms_the_address_it_was_sent_to(client, session,
                                                                    smtp_sink):
    tom = make_user(session)
    jane = make_user(session, email="jane@example.com", verified=False)
    link = _invite(client, tom, smtp_sink)
    client.sign_in_as(jane)
    response = client.submit(link + "/accept", {}, form_url=link)
    assert response.status_code == 302
    session.refresh(jane)
    assert jane.email_verified_at is not None
    assert session.scalars(select(CarerGrant)).one().carer_id == jane.id


def test_carer_with_an_account_accepts_and_both_are_told(client, session, smtp_sink):
    tom = make_user(session, name="Tom Evans")
    jane = make_user(session, name="Jane Evans", email="jane@example.com")
    link = _invite(client, tom, smtp_sink)
    client.sign_in_as(jane)
    page = client.page(link)
    assert "Tom Evans has invited you to help them on the care portal." in page.text
    assert "See my plan" in page.text and "Message my care team for me" in page.text
    smtp_sink.clear()
    response = client.submit(link + "/accept", {}, form_url=link)
    assert response.status_code == 302 and response.location == "/carers"
    [grant] = session.scalars(select(CarerGrant)).all()
    assert (grant.person_id, grant.carer_id, grant.relationship, grant.scopes) == (
        tom.id, jane.id, "daughter", ["plan:view", "messages:send"])
    assert [m["To"] for m in smtp_sink.messages] == [tom.email]
    assert "Tom Evans" in client.page("/carers").text
    # The link is single use.
    client.submit(link + "/accept", {}, form_url="/carers")
    assert "This invitation has already been used or withdrawn." in client.page(link).text
    assert len(session.scalars(select(CarerGrant)).all()) == 1


def test_carer_registers_then_accepts_with_the_same_link(client, session, smtp_sink):
    tom = make_user(session, name="Tom Evans")
    link = _invite(client, tom, smtp_sink)
    client.post("/account/sign-out", data={"csrf_token": client.csrf_token("/")})
    page = client.page(link)
    assert "To accept, sign in or create an account" in page.text
    register = f"/account/register?next={link}"
    assert register in page.links
    smtp_sink.clear()
    response = client.submit(register, {
        "display_name": "Jane Evans", "email": "jane@example.com",
        "password": "a calm seaside morning", "confirm_password": "a calm seaside morning"})
    assert response.status_code == 302
    [mail] = smtp_sink.messages
    verify = re.search(r"http://127.0.0.1:5000(/account/verify/\S+)", mail.get_content()).group(1)
    confirmed = client.get(verify)
    assert confirmed.location == f"/account/sign-in?next={link}"
    signed_in = client.submit(confirmed.location, {"email": "jane@example.com",
                                                   "password": "a calm seaside morning"})
    assert signed_in.location == link
    client.submit(link + "/accept", {}, form_url=link)
    jane = session.scalars(select(User).where(User.email == "jane@example.com")).one()
    [grant] = session.scalars(select(CarerGrant)).all()
    assert (grant.person_id, grant.carer_id) == (tom.id, jane.id)


def test_inviting_yourself_is_refused_and_what_was_typed_is_kept(client, session, smtp_sink):
    tom = make_user(session, email="tom@example.com")
    client.sign_in_as(tom)
    response = client.submit("/account/carers/invite", {**INVITE, "email": "Tom@Example.com"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "You cannot invite yourself." in text and 'value="daughter"' in text
    assert session.scalars(select(CarerInvitation)).all() == []


def test_inviting_someone_who_already_has_access_is_refused(client, session):
    tom = make_user(session)
    jane = make_user(session, email="jane@example.com")
    make_grant(session, tom, jane, "plan:view")
    client.sign_in_as(tom)
    response = client.submit("/account/carers/invite", INVITE)
    assert "This person can already help you." in response.get_data(as_text=True)


def test_accepting_an_invitation_meant_for_another_email_is_refused(client, session,
                                                                    smtp_sink):
    tom = make_user(session)
    link = _invite(client, tom, smtp_sink)
    client.sign_in_as(make_user(session, email="someone@example.com"))
    client.submit(link + "/accept", {}, form_url=link)
    assert "This invitation was sent to a different email address." in client.page(link).text
    assert session.scalars(select(CarerGrant)).all() == []


def test_an_expired_link_is_refused(client, session, smtp_sink):
    tom = make_user(session)
    make_user(session, email="jane@example.com")
    link = _invite(client, tom, smtp_sink)
    jane = session.scalars(select(User).where(User.email == "jane@example.com")).one()
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        client.sign_in_as(jane)
        assert "This invitation has expired." in client.page(link).text
        client.submit(link + "/accept", {}, form_url="/")
    assert session.scalars(select(CarerGrant)).all() == []


def test_a_made_up_link_says_it_is_not_valid(client, session):
    assert "This invitation link is not valid." in client.page(
        "/carers/invitation/not-a-token").text


def test_revoking_ends_access_on_the_next_request_and_tells_both(client, session, smtp_sink):
    tom = make_user(session, name="Tom Evans")
    jane = make_user(session, name="Jane Evans")
    grant = make_grant(session, tom, jane, "plan:view")
    client.sign_in_as(jane)
    client.submit("/carers/act", {"person": str(tom.id)}, form_url="/carers")
    assert "Acting for Tom Evans" in client.page("/carers").text
    other = client.application.test_client()
    other.sign_in_as(tom)
    page = other.page("/account/access")
    assert "Jane Evans (daughter)" in page.text and "See my plan" in page.text
    smtp_sink.clear()
    response = other.submit(f"/account/carers/{grant.id}/revoke", {}, form_url="/account/access")
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted([tom.email, jane.email])
    assert "Acting for Tom Evans" not in client.page("/carers").text
    assert "Nobody has given you access to help them yet." in client.page("/carers").text
    [event] = _events(session, "carer_revoked")
    assert (event.actor_id, event.subject_id) == (tom.id, tom.id)


def test_changing_scopes_and_end_date(client, session, smtp_sink):
    tom = make_user(session)
    jane = make_user(session)
    grant = make_grant(session, tom, jane, "plan:view")
    client.sign_in_as(tom)
    last = today() + timedelta(days=7)
    response = client.submit(f"/account/carers/{grant.id}", {
        "scopes": ["details:view"], "ends_on": last.isoformat()})
    assert response.status_code == 302
    session.refresh(grant)
    assert (grant.scopes, grant.ends_on) == (["details:view"], last)
    response = client.submit(f"/account/carers/{grant.id}", {"ends_on": ""})
    assert "Choose at least one thing they may do" in response.get_data(as_text=True)


def test_someone_elses_grant_cannot_be_changed_or_revoked(client, session):
    grant = make_grant(session, make_user(session), make_user(session), "plan:view")
    client.sign_in_as(make_user(session))
    assert client.get(f"/account/carers/{grant.id}").status_code == 404
    token = client.csrf_token("/")
    assert client.post(f"/account/carers/{grant.id}/revoke",
                       data={"csrf_token": token}).status_code == 404
    session.refresh(grant)
    assert grant.revoked_at is None


def test_acting_for_someone_without_a_grant_is_refused(client, session):
    tom = make_user(session)
    client.sign_in_as(make_user(session))
    client.submit("/carers/act", {"person": str(tom.id)}, form_url="/carers")
    assert "You cannot act for this person." in client.page("/carers").text


def _served_worker(session):
    from tests.helpers.factories import make_locality, make_team, serve

    locality = make_locality(session)
    team = make_team(session, [locality])
    tom = serve(session, make_user(session, name="Tom Evans"), locality)
    return tom, make_user(session, Role.CARE_WORKER, teams=[team])


ARRANGE = {"email": "jane@example.com", "relationship": "daughter", "scopes": ["plan:view"],
           "ends_on": "", "reason": "Best-interests decision under the Mental Capacity Act."}


def test_care_worker_records_arranged_access_and_the_person_is_told(client, session,
                                                                     smtp_sink):
    tom, worker = _served_worker(session)
    jane = make_user(session, name="Jane Evans", email="jane@example.com")
    client.sign_in_as(worker)
    smtp_sink.clear()
    response = client.submit(f"/team/people/{tom.id}/arrange-carer", ARRANGE)
    assert response.status_code == 302
    [grant] = session.scalars(select(CarerGrant)).all()
    assert (grant.person_id, grant.carer_id, grant.created_by_id, grant.arranged_reason) == (
        tom.id, jane.id, worker.id, ARRANGE["reason"])
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted([tom.email, jane.email])
    assert all("Mental Capacity" not in m.get_content() for m in smtp_sink.messages)
    [event] = _events(session, "carer_arranged")
    assert (event.actor_id, event.subject_id) == (worker.id, tom.id)
    client.sign_in_as(tom)
    assert "Arranged by your care team: Best-interests decision" in client.page(
        "/account/access").text


def test_arranged_access_to_an_unknown_email_says_the_same_and_writes_nothing(client, session):
    tom, worker = _served_worker(session)
    client.sign_in_as(worker)
    response = client.submit(f"/team/people/{tom.id}/arrange-carer",
                             {**ARRANGE, "email": "nobody@example.com"})
    assert response.status_code == 302
    assert "If that email address belongs to a portal account" in client.page("/team").text
    assert session.scalars(select(CarerGrant)).all() == []


def test_arranged_access_to_an_unconfirmed_account_is_refused_like_no_account(client, session,
                                                                             smtp_sink):
    # Someone may have opened an account in Jane's address without being able to read its
    # mail: until the address is confirmed, it is no account for arranging access.
    tom, worker = _served_worker(session)
    make_user(session, email="jane@example.com", verified=False)
    client.sign_in_as(worker)
    smtp_sink.clear()
    response = client.submit(f"/team/people/{tom.id}/arrange-carer", ARRANGE)
    assert response.status_code == 302
    assert "If that email address belongs to a portal account" in client.page("/team").text
    assert session.scalars(select(CarerGrant)).all() == []
    assert smtp_sink.messages == []


def test_a_worker_of_another_team_cannot_arrange_access(client, session):
    tom, _worker = _served_worker(session)
    client.sign_in_as(make_user(session, Role.CARE_WORKER))
    assert client.get(f"/team/people/{tom.id}/arrange-carer").status_code == 404


ASK = {"email": "tom@example.com", "relationship": "son", "scopes": ["plan:view"]}


def test_carer_asks_and_the_person_approves(client, session, smtp_sink):
    tom = make_user(session, name="Tom Evans", email="tom@example.com")
    jane = make_user(session, name="Jane Evans")
    client.sign_in_as(jane)
    smtp_sink.clear()
    response = client.submit("/carers/ask", ASK)
    assert response.status_code == 302
    assert [m["To"] for m in smtp_sink.messages] == ["tom@example.com"]
    client.sign_in_as(tom)
    page = client.page("/account/access")
    assert "Asking to help you" in page.text and "Jane Evans (son)" in page.text
    [request] = session.scalars(select(CarerInvitation)).all()
    response = client.submit(f"/account/carers/requests/{request.id}", {"answer": "approve"},
                             form_url="/account/access")
    assert response.status_code == 302
    [grant] = session.scalars(select(CarerGrant)).all()
    assert (grant.person_id, grant.carer_id, grant.scopes) == (tom.id, jane.id, ["plan:view"])
    # Answering twice does not make a second grant.
    client.submit(f"/account/carers/requests/{request.id}", {"answer": "approve"},
                  form_url="/account/access")
    assert len(session.scalars(select(CarerGrant)).all()) == 1


def test_the_person_declines_and_nothing_is_granted(client, session):
    tom = make_user(session, email="tom@example.com")
    client.sign_in_as(make_user(session))
    client.submit("/carers/ask", ASK)
    client.sign_in_as(tom)
    [request] = session.scalars(select(CarerInvitation)).all()
    client.submit(f"/account/carers/requests/{request.id}", {"answer": "decline"},
                  form_url="/account/access")
    session.refresh(request)
    assert request.declined_at is not None
    assert session.scalars(select(CarerGrant)).all() == []


def test_asking_an_unknown_address_says_the_same_and_writes_nothing(client, session, smtp_sink):
    client.sign_in_as(make_user(session))
    smtp_sink.clear()
    response = client.submit("/carers/ask", {**ASK, "email": "nobody@example.com"})
    assert response.status_code == 302
    assert "If that email address belongs to a portal account, we have asked its owner." in (
        client.page("/carers").text)
    assert session.scalars(select(CarerInvitation)).all() == []
    assert smtp_sink.messages == []


def test_an_unconfirmed_account_cannot_ask_and_what_was_typed_stays(client, session,
                                                                   smtp_sink):
    make_user(session, email="tom@example.com")
    client.sign_in_as(make_user(session, verified=False))
    assert "Confirm your email address first" in client.page("/carers/ask").text
    smtp_sink.clear()
    response = client.submit("/carers/ask", ASK)
    assert response.status_code == 200
    assert "Confirm your email address before you ask" in response.text
    assert 'value="tom@example.com"' in response.text and 'value="son"' in response.text
    assert session.scalars(select(CarerInvitation)).all() == []
    assert smtp_sink.messages == []


def test_someone_else_cannot_answer_a_request(client, session):
    tom = make_user(session, email="tom@example.com")
    client.sign_in_as(make_user(session))
    client.submit("/carers/ask", ASK)
    [request] = session.scalars(select(CarerInvitation)).all()
    client.sign_in_as(make_user(session))
    token = client.csrf_token("/")
    assert client.post(f"/account/carers/requests/{request.id}",
                       data={"csrf_token": token, "answer": "approve"}).status_code == 404
    assert session.scalars(select(CarerGrant)).all() == []
    assert tom.id == request.person_id
