"""Which team serves me, and what I share with it; a care worker's list of people served."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.circles.models import TeamConsent
from tests.helpers.factories import make_consent, make_locality, make_team, make_user, serve
from tests.integration.test_profile import FILLED


def _torquay(session):
    locality = make_locality(session, "torquay")
    team = make_team(session, [locality])
    team.phone, team.email, team.hours = ("01803 000 111", "team@example.test",
                                          "Lines are busiest before 10am")
    session.flush()
    return locality, team


def _events(session, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)
                           .order_by(AuditEvent.id)).all()


def test_postcode_in_a_served_area_sets_the_locality_and_shows_the_team(client, session):
    locality, team = _torquay(session)
    person = make_user(session)
    client.sign_in_as(person)
    client.submit("/account/details/edit", {**FILLED, "postcode": "tq1 1aa"})
    session.refresh(person)
    assert (person.locality_id, person.locality_source) == (locality.id, "postcode")
    page = client.page("/account/team")
    assert page.h1 == ["Your care team"]
    for shown in (team.name, "01803 000 111", "team@example.test",
                  "Lines are busiest before 10am"):
        assert shown in page.text
    [event] = _events(session, "locality_changed")
    assert (event.actor_id, event.subject_id, event.details) == (
        person.id, person.id, {"source": "postcode", "locality": "torquay"})


def test_postcode_outside_every_locality_says_not_served_and_points_to_the_directory(
        client, session):
    _torquay(session)
    person = make_user(session)
    client.sign_in_as(person)
    client.submit("/account/details/edit", {**FILLED, "postcode": "SW1A 1AA"})
    session.refresh(person)
    assert person.locality_id is None
    page = client.page("/account/team")
    assert "We do not know which area you live in yet." in page.text
    assert "/directory" in " ".join(page.links) or "/search" in " ".join(page.links)


def test_locality_chosen_by_hand_is_kept_and_not_served_area_is_said(client, session):
    _torquay(session)
    unserved = make_locality(session, "nowhere-served")
    person = make_user(session)
    client.sign_in_as(person)
    response = client.submit("/account/team/area", {"locality": str(unserved.id)},
                             form_url="/account/team")
    assert response.status_code == 302 and response.location == "/account/team"
    session.refresh(person)
    assert (person.locality_id, person.locality_source) == (unserved.id, "chosen")
    page = client.page("/account/team")
    assert "Your area has been saved." in page.text
    assert f"Your area, {unserved.name}, is not served by a care team on this portal yet." in (
        page.text)
    assert "You can still find local services and support in the directory." in page.text


def test_choosing_an_unknown_locality_shows_an_error_and_changes_nothing(client, session):
    person = make_user(session)
    client.sign_in_as(person)
    response = client.submit("/account/team/area", {"locality": "999999"},
                             form_url="/account/team")
    assert response.status_code == 200
    assert "Error:" in response.get_data(as_text=True)
    session.refresh(person)
    assert person.locality_id is None


def test_consent_records_the_wording_and_withdraw_keeps_the_history(client, session):
    locality, _team = _torquay(session)
    person = serve(session, make_user(session), locality)
    client.sign_in_as(person)
    page = client.page("/account/team")
    assert "I agree that the care team serving my area may see my care and support plan" in (
        page.text)
    response = client.submit("/account/team/consent", {"purpose": "plan"},
                             form_url="/account/team")
    assert response.status_code == 302
    [consent] = session.scalars(select(TeamConsent)).all()
    assert (consent.person_id, consent.purpose.value, consent.given_by_id) == (
        person.id, "plan", person.id)
    assert consent.wording.startswith("I agree that the care team serving my area may see my "
                                      "care and support plan")
    # Giving it twice records nothing new.
    client.submit("/account/team/consent", {"purpose": "plan"}, form_url="/account/team")
    assert len(session.scalars(select(TeamConsent)).all()) == 1
    response = client.submit(f"/account/team/consent/{consent.id}/withdraw", {},
                             form_url="/account/team")
    assert response.status_code == 302
    session.refresh(consent)
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == person.id
    page = client.page("/account/team")
    assert "You have stopped sharing this with your care team." in page.text
    assert "Your consent history" in page.text
    assert [(e.event_type, e.details) for e in _events(session, "consent_given")
            + _events(session, "consent_withdrawn")] == [
        ("consent_given", {"purpose": "plan"}), ("consent_withdrawn", {"purpose": "plan"})]


def test_consent_in_arabic_records_the_arabic_wording(client, session):
    locality, _team = _torquay(session)
    person = serve(session, make_user(session), locality)
    client.sign_in_as(person)
    client.get("/language/ar")
    client.submit("/account/team/consent", {"purpose": "messaging"}, form_url="/account/team")
    [consent] = session.scalars(select(TeamConsent)).all()
    assert not consent.wording.startswith("I agree")


def test_withdrawing_someone_elses_consent_changes_nothing(client, session):
    locality, _team = _torquay(session)
    other = serve(session, make_user(session), locality)
    [consent] = make_consent(session, other, "plan")
    client.sign_in_as(make_user(session))
    client.submit(f"/account/team/consent/{consent.id}/withdraw", {}, form_url="/account/team")
    page = client.page("/account/team")
    assert "That consent could not be found." in page.text
    session.refresh(consent)
    assert consent.withdrawn_at is None


def test_withdrawing_twice_says_so(client, session):
    locality, _team = _torquay(session)
    person = serve(session, make_user(session), locality)
    [consent] = make_consent(session, person, "plan")
    client.sign_in_as(person)
    client.submit(f"/account/team/consent/{consent.id}/withdraw", {}, form_url="/account/team")
    client.submit(f"/account/team/consent/{consent.id}/withdraw", {}, form_url="/account/team")
    assert "You have already stopped sharing this." in client.page("/account/team").text
    assert len(_events(session, "consent_withdrawn")) == 1


def test_team_page_lists_only_consenting_people_of_the_team_searchable_by_name(
        client, session):
    locality, team = _torquay(session)
    elsewhere = make_locality(session)
    make_team(session, [elsewhere])
    tom = serve(session, make_user(session, name="Tom Evans"), locality)
    make_consent(session, tom, "plan", "messaging")
    serve(session, make_user(session, name="Nora No-consent"), locality)
    far = serve(session, make_user(session, name="Fay Faraway"), elsewhere)
    make_consent(session, far, "plan")
    withdrawn = serve(session, make_user(session, name="Will Withdrawn"), locality)
    [gone] = make_consent(session, withdrawn, "plan")
    gone.withdrawn_at, gone.withdrawn_by_id = gone.given_at, withdrawn.id
    ann = serve(session, make_user(session, name="Ann Abbott"), locality)
    make_consent(session, ann, "personal_details")
    session.flush()
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[team]))
    page = client.page("/team")
    assert page.h1 == ["People your team serves"]
    for listed in ("Tom Evans", "Ann Abbott", "Their plan, since", "Messaging, since",
                   "Personal details, since"):
        assert listed in page.text
    for hidden in ("Nora No-consent", "Fay Faraway", "Will Withdrawn"):
        assert hidden not in page.text
    page = client.page("/team?name=evan")
    assert "Tom Evans" in page.text and "Ann Abbott" not in page.text
    assert "Nobody your team serves has a name like that." in client.page(
        "/team?name=zzz").text


def test_team_page_is_refused_to_residents(client, session):
    client.sign_in_as(make_user(session))
    assert client.get("/team").status_code == 403


def test_a_care_worker_who_is_also_the_persons_carer_is_judged_by_the_grant_first(
        client, session):
    """Their grant is what the person chose for them: while it covers a read, the read is a
    carer's (proxy); once revoked, only the team's consent lets them in; without it, nothing."""
    from portal.circles.models import CarerGrant
    from tests.helpers.factories import make_grant

    locality = make_locality(session)
    team = make_team(session, [locality])
    tom = serve(session, make_user(session, Role.RESIDENT, name="Tom Evans"), locality)
    jane = make_user(session, Role.CARE_WORKER, Role.CARER, name="Jane Evans", teams=[team])
    grant = make_grant(session, tom, jane, "plan:view")
    [consent] = make_consent(session, tom, "plan")
    client.sign_in_as(jane)

    def reasons():
        return [e.reason for e in _events(session, "record_viewed") if e.subject_id == tom.id]

    assert client.get(f"/plans/{tom.id}").status_code == 200
    assert reasons() == ["proxy"]
    client.sign_in_as(tom)
    assert client.submit(f"/account/carers/{grant.id}/revoke", {},
                         form_url="/account/access").status_code == 302
    session.expire_all()
    assert session.get(CarerGrant, grant.id).revoked_at is not None
    client.sign_in_as(jane)
    assert client.get(f"/plans/{tom.id}").status_code == 200
    assert reasons() == ["proxy", "care_team"]
    client.sign_in_as(tom)
    assert client.submit(f"/account/team/consent/{consent.id}/withdraw", {},
                         form_url="/account/team").status_code == 302
    client.sign_in_as(jane)
    assert client.get(f"/plans/{tom.id}").status_code == 404
    assert reasons() == ["proxy", "care_team"]


def test_the_team_page_shows_the_hours_the_reply_promise_counts_in(client, session):
    # One source for opening times: the team's entry in messaging/data/teams.json (the
    # teams here have none, so the default applies: Monday to Thursday 9 to 5, Friday to 4.30).
    locality, _team = _torquay(session)
    person = make_user(session)
    person.locality_id = locality.id
    session.flush()
    client.sign_in_as(person)
    page = client.page("/account/team")
    assert "Monday: 09:00 to 17:00" in page.text and "Friday: 09:00 to 16:30" in page.text
    assert "Saturday" not in page.text and "Closed on bank holidays." in page.text
    client.get("/language/pl")
    assert "piątek" in client.page("/account/team").text  # day names in the reader's language
