"""Bad input in the listing editor: a clear message, never a 500, and nothing typed is lost."""

from __future__ import annotations

from sqlalchemy import select

from portal.authz import Role
from portal.moderation.models import ServiceRevision
from portal.moderation.snapshot import empty_snapshot, snapshot
from tests.helpers.factories import (
    make_organisation,
    make_service,
    make_user,
    service_form_data,
)
from tests.helpers.pages import check_page

SCRIPT = "<script>alert('x')</script><b>bold</b>"


def _editor(session):
    organisation = make_organisation(session)
    return make_user(session, Role.EDITOR, organisations=[organisation]), organisation


def _new_url(organisation):
    return f"/editor/services/new?organisation={organisation.id}"


def _revisions(session):
    session.expire_all()
    return list(session.scalars(select(ServiceRevision).order_by(ServiceRevision.id)))


def _listing(**changes):
    return {**empty_snapshot(), "name": "Walk and Talk", "description": "A gentle walk.",
            **changes}


def test_html_and_scripts_are_stored_as_text_and_escaped_everywhere(client, session):
    editor, organisation = _editor(session)
    text_fields = {key: SCRIPT for key in ("name", "description", "eligibility_description")}
    data = _listing(
        **text_fields, is_free=False, fees_description=SCRIPT,
        phones=[{"number": "01803 960000", "description": SCRIPT}],
        schedules=[{"days": ["MO"], "opens_at": "09:00", "closes_at": "10:00",
                    "by_appointment": False, "description": SCRIPT}],
        venue={"name": SCRIPT, "address_1": SCRIPT, "city": SCRIPT, "postcode": "TQ1 1AA",
               "confidential": False, "accessibility": SCRIPT})
    client.sign_in_as(editor)
    response = client.submit(_new_url(organisation), service_form_data(data, note=SCRIPT))
    assert response.status_code == 302
    [revision] = _revisions(session)
    assert revision.data["name"] == SCRIPT and revision.note == SCRIPT
    assert revision.data["venue"]["accessibility"] == SCRIPT
    for url in (f"/editor/revisions/{revision.id}", "/editor/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;" in html
    client.sign_in_as(make_user(session, Role.MODERATOR))
    for url in (f"/moderation/revisions/{revision.id}", "/moderation/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_too_long_values_get_length_messages_and_are_kept(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = service_form_data(_listing(name="N" * 301, description="D" * 5001,
                                      eligibility_description="E" * 2001))
    data["venue-address_1"] = "A" * 301
    data["venue-postcode"] = "TQ1 1AA"
    data["phones-0-number"] = "01803 960000"
    data["phones-0-description"] = "P" * 201
    data["note"] = "x" * 1001
    response = client.submit(_new_url(organisation), data)
    page = check_page(response)
    assert page.error_summary == [
        "Name must be 300 characters or fewer",
        "Description must be 5,000 characters or fewer",
        "Who it is for must be 2,000 characters or fewer",
        "Address must be 300 characters or fewer",
        "What phone number 1 is for must be 200 characters or fewer",
        "Note must be 1,000 characters or fewer",
    ]
    assert page.title.startswith("Error: Add a listing for")
    html = response.get_data(as_text=True)
    for kept in ("N" * 301, "D" * 5001, "E" * 2001, "A" * 301, "P" * 201, "x" * 1001):
        assert kept in html
    assert _revisions(session) == []


def test_malformed_values_get_clear_messages(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = service_form_data(_listing(
        url="javascript://example.org/%0Aalert(1)", email="not-an-email", minimum_age="-3",
        maximum_age="two hundred", is_free=False, attendance=[]))
    data.update({
        "phones-1-number": "call us", "schedules-0-opens_at": "25:00",
        "schedules-0-closes_at": "09:00", "schedules-1-days": ["MO"],
        "schedules-1-opens_at": "17:00", "schedules-1-closes_at": "09:00",
        "schedules-2-description": "Sometimes", "venue-address_1": "1 Fictional Road",
        "venue-postcode": "NOT A POSTCODE",
    })
    page = check_page(client.submit(_new_url(organisation), data))
    assert page.error_summary == [
        "Enter a website address in the correct format, like https://www.example.org",
        "Enter an email address in the correct format, like name@example.com",
        "Minimum age must be a whole number, like 18",
        "Maximum age must be a whole number, like 65",
        "Select how people use the service",
        "Enter what it costs",
        "Enter a real postcode, like TQ1 1AA",
        "Enter phone number 2 in the correct format, like 01803 123456",
        "Select the days for opening times 1, or select by appointment only",
        "Enter the opening time for opening times 1 in the correct format, like 9:30am or 09:30",
        "The closing time for opening times 2 must be after the opening time",
        "Select the days for opening times 3, or select by appointment only",
    ]
    assert _revisions(session) == []


def test_unknown_choices_are_refused_with_a_message(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = service_form_data(_listing(terms=["no-such-term"], languages=["xx"],
                                      localities=["atlantis"], status="imaginary"))
    page = check_page(client.submit(_new_url(organisation), data))
    assert page.error_summary == [
        "Select whether the service is running",
        "Select options from the list",
        "Select options from the list",
        "Select options from the list",
    ]


def test_times_and_postcodes_are_normalised(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = service_form_data(_listing())
    data.update({"schedules-0-days": ["SA"], "schedules-0-opens_at": "9.30",
                 "schedules-0-closes_at": "1200", "venue-address_1": "1 Fictional Road",
                 "venue-postcode": " tq11aa ", "name": "  Walk   and Talk \x00 "})
    assert client.submit(_new_url(organisation), data).status_code == 302
    [revision] = _revisions(session)
    assert revision.data["name"] == "Walk and Talk"
    assert revision.data["schedules"][0]["opens_at"] == "09:30"
    assert revision.data["schedules"][0]["closes_at"] == "12:00"
    assert revision.data["venue"]["postcode"] == "TQ1 1AA"


def test_nul_and_control_characters_never_reach_the_database(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = service_form_data(_listing(description="Line one\x00\x07\r\nLine two"))
    assert client.submit(_new_url(organisation), data).status_code == 302
    [revision] = _revisions(session)
    assert revision.data["description"] == "Line one\nLine two"


def test_double_clicked_new_listing_makes_one_revision(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    token = client.csrf_token(_new_url(organisation))
    data = {"csrf_token": token, **service_form_data(_listing())}
    first = client.post(_new_url(organisation), data=data)
    second = client.post(_new_url(organisation), data=data)
    [revision] = _revisions(session)
    assert first.location == second.location == f"/editor/revisions/{revision.id}"


def test_double_clicked_edit_makes_one_revision(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation)
    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    token = client.csrf_token(url)
    data = {"csrf_token": token,
            **service_form_data({**snapshot(service), "name": "Renamed"}, base_version=1)}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302
    assert len(_revisions(session)) == 1


def test_tampered_version_is_a_conflict_not_an_error(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation)
    client.sign_in_as(editor)
    data = service_form_data(snapshot(service))
    data["base_version"] = "abc"
    response = client.submit(f"/editor/services/{service.id}/edit", data)
    assert response.status_code == 409
    assert _revisions(session) == []


def test_five_megabyte_post_gets_the_too_large_page(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation)
    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    data = service_form_data(snapshot(service), base_version=1)
    data["description"] = "x" * (5 * 1024 * 1024)
    response = client.submit(url, data)
    assert response.status_code == 413
    assert check_page(response).h1 == ["What you sent is too large"]
    assert _revisions(session) == []
