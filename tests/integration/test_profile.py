"""The personal-details pages: a person's own, and an administrator's view of someone's."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.profile.models import PersonalDetails
from tests.helpers.factories import make_user
from tests.helpers.pages import check_page

FILLED = {
    "nhs_number": "943 476 5919", "dob_day": "9", "dob_month": "11", "dob_year": "1948",
    "phone": "01803 555 010", "address_line_1": "2 Harbour View", "address_line_2": "",
    "town": "Brixham", "postcode": "tq5 8aa",
}


def test_details_page_with_nothing_given_says_so(client, session):
    client.sign_in_as(make_user(session))
    page = client.page("/account/details")
    assert page.h1 == ["Your personal details"]
    assert "You have not given any personal details yet." in page.text
    assert "/account/details/edit" in page.links


def test_person_saves_their_details_and_sees_them_formatted(app, client, session):
    person = make_user(session)
    client.sign_in_as(person)
    response = client.submit("/account/details/edit", FILLED)
    assert response.status_code == 302 and response.location == "/account/details"
    page = client.page("/account/details")
    assert "Your details have been saved." in page.text
    for shown in ("943 476 5919", "9 November 1948", "01803 555 010", "2 Harbour View",
                  "Brixham", "TQ5 8AA"):
        assert shown in page.text
    with app.app_context():
        details = session.scalar(select(PersonalDetails).where(
            PersonalDetails.user_id == person.id))
        assert (details.nhs_number, details.postcode) == ("9434765919", "TQ5 8AA")


def test_edit_form_is_filled_with_the_saved_details(client, session):
    client.sign_in_as(make_user(session))
    client.submit("/account/details/edit", FILLED)
    fields = client.page("/account/details/edit").form_with("nhs_number").fields
    assert (fields["nhs_number"], fields["dob_day"], fields["dob_year"], fields["postcode"]) == (
        "943 476 5919", "9", "1948", "TQ5 8AA")


def test_bad_details_show_the_error_summary_and_keep_what_was_typed(app, client, session):
    person = make_user(session)
    client.sign_in_as(person)
    typed = {**FILLED, "nhs_number": "943 476 5918", "dob_day": "30", "dob_month": "2"}
    page = check_page(client.submit("/account/details/edit", typed))
    assert page.title.startswith("Error:")
    assert page.error_summary == ["Enter a valid NHS number", "Date of birth must be a real date"]
    assert page.error_summary_links == ["#nhs_number", "#dob_day"]
    fields = page.form_with("nhs_number").fields
    assert (fields["nhs_number"], fields["dob_day"], fields["town"]) == (
        "943 476 5918", "30", "Brixham")
    with app.app_context():
        assert session.scalar(select(PersonalDetails)) is None


def _views(session):
    return session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "record_viewed")).all()


def test_admin_opening_details_is_first_asked_why_and_a_get_never_shows_them(client, session):
    person = make_user(session, name="Rita Resident")
    client.sign_in_as(person)
    client.submit("/account/details/edit", FILLED)
    client.sign_in_as(make_user(session, Role.ADMIN))
    page = client.page(f"/admin/users/{person.id}/details")
    assert page.h1 == ["Why do you need to see these details?"]
    assert "Rita Resident" in page.text and "943 476 5919" not in page.text
    assert "The person asked for help with their account" in page.text
    assert "purpose" in page.form_with("purpose").fields
    # Asking a GET for the details with a reason in the address does not show them either.
    page = client.page(f"/admin/users/{person.id}/details?purpose=account_help")
    assert "943 476 5919" not in page.text
    assert _views(session) == []


def test_admin_gives_a_reason_sees_the_details_and_one_access_is_recorded_with_it(
        client, session):
    person = make_user(session, name="Rita Resident")
    client.sign_in_as(person)
    client.submit("/account/details/edit", FILLED)
    admin = make_user(session, Role.ADMIN, name="Ada Admin")
    client.sign_in_as(admin)
    page = check_page(client.submit(f"/admin/users/{person.id}/details",
                                    {"purpose": "correction", "note": "Postcode  looks wrong"}))
    assert page.h1 == ["Personal details"]
    assert "943 476 5919" in page.text and "Rita Resident" in page.text
    assert "Your reason: Correcting a mistake in the person's details" in page.text
    assert [(e.actor_id, e.subject_id, e.reason, e.target_type, e.details)
            for e in _views(session)] == [
        (admin.id, person.id, "admin", "personal_details",
         {"viewer_roles": ["admin"], "purpose": "correction", "note": "Postcode looks wrong"})]


def test_admin_without_a_reason_sees_an_error_and_no_details(client, session):
    person = make_user(session)
    client.sign_in_as(person)
    client.submit("/account/details/edit", FILLED)
    client.sign_in_as(make_user(session, Role.ADMIN))
    page = check_page(client.submit(f"/admin/users/{person.id}/details", {"note": "just looking"}))
    assert page.title.startswith("Error:")
    assert page.error_summary == ["Select why you need to see these details"]
    assert page.error_summary_links == ["#purpose-0"]
    assert "just looking" in page.text  # what was typed is kept in the box
    assert "943 476 5919" not in page.text
    page = check_page(client.submit(f"/admin/users/{person.id}/details", {"purpose": "other"}))
    assert page.error_summary == ["Say why you need to see these details"]
    page = check_page(client.submit(f"/admin/users/{person.id}/details",
                                    {"purpose": "made_up", "note": "x" * 201}))
    assert page.error_summary == ["Not a valid choice.",
                                  "Your reason must be 200 characters or fewer"]
    assert "943 476 5919" not in page.text
    assert _views(session) == []


def test_the_reason_shows_on_the_persons_activity_page_and_the_audit_log(client, session):
    person = make_user(session)
    client.sign_in_as(make_user(session, Role.ADMIN, name="Ada Admin"))
    client.submit(f"/admin/users/{person.id}/details",
                  {"purpose": "other", "note": "Checking a complaint you made"})
    page = client.page(f"/admin/audit?subject={person.id}&event_type=record_viewed")
    assert "The person asked" not in page.text
    assert "Another reason (say what it is)" in page.text
    assert "Checking a complaint you made" in page.text
    client.sign_in_as(person)
    page = client.page("/account/activity")
    assert "Reason given: Another reason (say what it is)" in page.text
    assert "Checking a complaint you made" in page.text


def test_only_admins_may_open_someones_details(client, session):
    person = make_user(session)
    for role in (Role.RESIDENT, Role.CARE_WORKER, Role.MODERATOR):
        client.sign_in_as(make_user(session, role))
        assert client.get(f"/admin/users/{person.id}/details").status_code == 403
    assert session.scalar(select(AuditEvent)) is None


def test_details_of_an_unknown_account_are_a_404(client, session):
    client.sign_in_as(make_user(session, Role.ADMIN))
    assert client.get("/admin/users/999999/details").status_code == 404
