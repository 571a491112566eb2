"""'Who has looked at my records' and the administrators' search of the audit log."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.events import AccessReason, EventType, RecordType
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.authz import Role
from tests.helpers.factories import make_user
from tests.helpers.pages import check_page

FORM = "/account/details/edit"


def _searches(session):
    return session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "audit_searched").order_by(AuditEvent.id)).all()


def test_activity_page_with_no_accesses_says_nobody_looked(client, session):
    client.sign_in_as(make_user(session))
    page = client.page("/account/activity")
    assert page.h1 == ["Who has looked at your records"]
    assert "Nobody else has looked at your records." in page.text


def test_activity_page_shows_who_looked_their_role_and_why_but_not_what_they_saw(
        client, session):
    person = make_user(session)
    client.sign_in_as(person)
    client.submit("/account/details/edit", {"town": "Dawlish", "address_line_1": "3 Strand"})
    admin = make_user(session, Role.ADMIN, name="Ada Admin")
    client.sign_in_as(admin)
    client.submit(f"/admin/users/{person.id}/details", {"purpose": "account_help"})
    client.sign_in_as(person)
    page = client.page("/account/activity")
    assert "Ada Admin" in page.text and "Administrator" in page.text
    assert "Looked at your personal details" in page.text
    assert "Administrator managing accounts" in page.text
    assert "Dawlish" not in page.text
    # The person's own change is not an access by someone else.
    assert "Changed your personal details" not in page.text


def test_activity_page_shows_only_the_signed_in_persons_records(client, session):
    person, other, admin = make_user(session), make_user(session), make_user(session, Role.ADMIN)
    record(session, EventType.RECORD_VIEWED, actor_id=admin.id, subject_id=other.id,
           target_type=RecordType.PERSONAL_DETAILS, reason=AccessReason.ADMIN,
           viewer_roles=["admin"])
    client.sign_in_as(person)
    assert "Nobody else has looked at your records." in client.page("/account/activity").text


def test_activity_of_a_deleted_viewer_still_shows_without_their_name(client, session):
    person = make_user(session)
    record(session, EventType.RECORD_VIEWED, actor_id=987654, subject_id=person.id,
           target_type=RecordType.PERSONAL_DETAILS, reason=AccessReason.CARE_TEAM,
           viewer_roles=["care_worker"])
    client.sign_in_as(person)
    page = client.page("/account/activity")
    assert "Unknown person" in page.text and "Care worker" in page.text
    assert "Member of your care team" in page.text


def test_admin_search_lists_entries_and_is_itself_recorded(client, session):
    admin = make_user(session, Role.ADMIN)
    person = make_user(session)
    record(session, EventType.SIGN_IN, actor_id=person.id, subject_id=person.id)
    client.sign_in_as(admin)
    page = client.page("/admin/audit")
    assert page.h1 == ["Search the audit log"]
    assert "Signed in" in page.text
    (search,) = _searches(session)
    assert (search.actor_id, search.reason, search.details["results"]) == (admin.id, "admin", 1)


def test_admin_search_by_email_redirects_to_account_numbers_only(client, session):
    admin = make_user(session, Role.ADMIN)
    person = make_user(session, email="pat@example.test")
    record(session, EventType.SIGN_IN, actor_id=person.id, subject_id=person.id)
    record(session, EventType.SIGN_OUT, actor_id=admin.id, subject_id=admin.id)
    client.sign_in_as(admin)
    response = client.submit("/admin/audit", {"subject": "Pat@Example.test",
                                              "event_type": "sign_in",
                                              "date_from": "2000-01-01"})
    assert response.status_code == 302
    assert response.location == (f"/admin/audit?subject={person.id}&event_type=sign_in"
                                 "&date_from=2000-01-01")
    page = client.page(response.location)
    assert "1 matching entry, newest first" in page.text
    search = _searches(session)[-1]
    assert search.subject_id == person.id
    assert search.details["filters"] == {"actor_id": None, "subject_id": person.id,
                                         "event_type": "sign_in", "date_from": "2000-01-01",
                                         "date_to": None}


def test_admin_search_with_an_unknown_email_or_bad_dates_shows_errors(client, session):
    client.sign_in_as(make_user(session, Role.ADMIN))
    # (the token comes from another page: opening /admin/audit is itself a search)
    page = check_page(client.submit("/admin/audit", form_url=FORM, data={
        "actor": "nobody@example.test", "date_from": "2026-05-01", "date_to": "2026-04-01"}))
    assert page.error_summary == ["Enter an account number or the email address of an account",
                                  "The end date must be the same as or after the start date"]
    assert page.error_summary_links == ["#actor", "#date_to"]
    page = check_page(client.submit("/admin/audit", form_url=FORM, data={"date_from": "31/02/2026"}))
    assert page.error_summary == ["Enter a real date, like 2026-03-27"]
    assert page.form_with("date_from").fields["date_from"] == "31/02/2026"
    page = check_page(client.submit("/admin/audit", form_url=FORM, data={"date_from": "2026-05-01",
                                                     "date_to": "2026-04-01"}))
    assert page.error_summary == ["The end date must be the same as or after the start date"]
    assert _searches(session) == []


def test_a_person_sees_when_an_admin_searched_their_activity(client, session):
    person = make_user(session)
    client.sign_in_as(make_user(session, Role.ADMIN, name="Ada Admin"))
    client.get(f"/admin/audit?subject={person.id}")
    client.sign_in_as(person)
    page = client.page("/account/activity")
    assert "Searched the record of activity on your account" in page.text


def test_admin_search_ignores_malformed_url_filters(client, session):
    client.sign_in_as(make_user(session, Role.ADMIN))
    response = client.get("/admin/audit?actor=99999999999999999999&event_type=bogus"
                          "&date_from=never&page=-3")
    assert response.status_code == 200
    assert _searches(session)[-1].details["filters"]["actor_id"] is None


def test_only_admins_may_search_the_audit_log(client, session):
    for role in set(Role) - {Role.ADMIN}:
        client.sign_in_as(make_user(session, role))
        assert client.get("/admin/audit").status_code == 403
    assert _searches(session) == []
