"""A copy of everything held about a person, and deleting their account."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.accounts.models import User, UserSession
from portal.audit.models import AuditEvent
from portal.audit.services import verify_chain
from portal.authz import Role
from portal.privacy import registry
from portal.profile.models import PersonalDetails
from tests.helpers.factories import PASSWORD, make_organisation, make_user
from tests.helpers.pages import check_page

DETAILS = {"nhs_number": "9434765919", "dob_day": "1", "dob_month": "2", "dob_year": "1960",
           "phone": "07700 900982", "address_line_1": "4 Quay Road", "town": "Teignmouth",
           "postcode": "TQ14 8AA"}


def _events(session, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)).all()


def test_data_page_links_to_both_copies_and_to_deletion(client, session):
    client.sign_in_as(make_user(session))
    page = client.page("/account/data")
    assert page.h1 == ["Your data"]
    assert {"/account/data/summary", "/account/data.json", "/account/delete"} <= set(page.links)


def test_json_copy_holds_everything_and_is_a_private_download(client, session):
    org = make_organisation(session, name="Seaside Friends")
    person = make_user(session, Role.RESIDENT, Role.EDITOR, email="sam@example.test",
                       name="Sam Smith", organisations=[org])
    client.sign_in_as(person)
    client.submit("/account/details/edit", {**DETAILS, "nhs_number": "943 476 5919"})
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-portal-data.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert set(data) >= {"account", "personal_details", "audit_events", "exported_at"}
    assert (data["account"]["email"], data["account"]["display_name"]) == (
        "sam@example.test", "Sam Smith")
    assert data["account"]["roles"] == ["editor", "resident"]
    assert data["account"]["organisations"] == [{"slug": org.slug, "name": "Seaside Friends"}]
    assert data["personal_details"]["nhs_number"] == "9434765919"
    assert data["personal_details"]["date_of_birth"] == "1960-02-01"
    assert [e["event_type"] for e in data["audit_events"]] == ["record_changed", "data_exported"]
    (exported,) = _events(session, "data_exported")
    assert (exported.actor_id, exported.subject_id, exported.details) == (
        person.id, person.id, {"format": "json"})


def test_readable_copy_shows_details_and_activity(client, session):
    person = make_user(session, name="Sam Smith")
    client.sign_in_as(person)
    client.submit("/account/details/edit", DETAILS)
    page = client.page("/account/data/summary")
    assert page.h1 == ["Everything we hold about you"]
    for shown in ("Sam Smith", "943 476 5919", "1 February 1960", "Teignmouth",
                  "Changed a record"):
        assert shown in page.text
    # Reading your own data on screen is not a download: nothing is recorded.
    assert "Downloaded their data" not in page.text
    assert _events(session, "data_exported") == []


def test_only_the_download_is_recorded_as_downloaded_data(client, session):
    person = make_user(session)
    client.sign_in_as(person)
    client.get("/account/data/summary")
    assert client.get("/account/data.json").status_code == 200
    page = client.page("/account/data/summary")
    assert page.text.count("Downloaded their data") == 1
    assert [e.details for e in _events(session, "data_exported")] == [{"format": "json"}]


def test_a_registered_exporter_adds_its_part_to_the_copy(client, session):
    registry.register_exporter("test_part", lambda _session, user: {"owner": user.id})
    try:
        person = make_user(session)
        client.sign_in_as(person)
        data = json.loads(client.get("/account/data.json").get_data(as_text=True))
        assert data["test_part"] == {"owner": person.id}
    finally:
        registry._exporters.pop("test_part")


def test_delete_page_asks_for_confirmation_and_password(client, session):
    person = make_user(session)
    client.sign_in_as(person)
    page = check_page(client.submit("/account/delete", {}))
    assert page.error_summary == [
        "Confirm that you understand deleting your account cannot be undone",
        "Enter your password"]
    assert page.error_summary_links == ["#confirm", "#password"]
    page = check_page(client.submit("/account/delete", {"confirm": "y",
                                                        "password": "not my password"}))
    assert page.error_summary == ["The password you entered is not correct"]
    session.refresh(person)
    assert person.is_active and _events(session, "account_deleted") == []


def test_deleting_an_account_erases_details_anonymises_and_signs_out(app, client, session):
    org = make_organisation(session)
    person = make_user(session, Role.RESIDENT, Role.EDITOR, email="del@example.test",
                       organisations=[org])
    client.sign_in_as(person)
    client.submit("/account/details/edit", DETAILS)
    admin = make_user(session, Role.ADMIN)
    client.sign_in_as(admin)
    client.submit(f"/admin/users/{person.id}/details", {"purpose": "account_help"})
    client.sign_in_as(person)

    response = client.submit("/account/delete", {"confirm": "y", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/account/deleted"
    page = client.page("/account/deleted")
    assert page.h1 == ["Your account has been deleted"]
    assert "NHS records retention rules ask us to keep it for 8 years" in page.text

    session.expire_all()
    account = session.get(User, person.id)
    assert account.display_name == "Deleted account" and not account.is_active
    assert account.email.startswith("deleted-") and account.email.endswith("@deleted.invalid")
    assert account.roles == frozenset() and account.organisations == []
    assert session.scalar(select(PersonalDetails)) is None
    assert session.scalars(select(UserSession).where(UserSession.user_id == person.id)).all() == []
    (deleted,) = _events(session, "account_deleted")
    erased = deleted.details["erased"]
    assert {"credentials", "personal_details", "account"} <= set(erased)
    assert erased[0] == "credentials" and erased[-1] == "account"  # account row last
    # The log keeps who looked, still verifies, and names nobody.
    assert len(_events(session, "record_viewed")) == 1
    assert verify_chain(session).intact
    # Signed out: the next page asks to sign in.
    assert client.get("/account/").status_code == 302


def test_the_only_administrator_cannot_delete_their_account(client, session):
    admin = make_user(session, Role.ADMIN)
    client.sign_in_as(admin)
    page = check_page(client.submit("/account/delete", {"confirm": "y", "password": PASSWORD}))
    assert page.error_summary == ["You cannot delete the only administrator account. "
                                  "Give another person the administrator role first."]
    session.refresh(admin)
    assert admin.is_active
