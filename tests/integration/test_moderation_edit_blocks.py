"""The listing editor shows the phone and opening-time blocks in use, adds one more with
"Add another" (a plain submit button: no JavaScript), and previews the public listing before
anything is sent; nothing typed is lost either way."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.moderation.models import ServiceRevision
from portal.moderation.snapshot import snapshot
from tests.helpers.factories import make_organisation, make_service, make_user, service_form_data
from tests.helpers.pages import check_page


def _editor(session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    return make_user(session, Role.EDITOR, organisations=[organisation]), organisation


def _blocks(html: str, which: str) -> list[str]:
    return re.findall(rf'id="({which}-\d+)-block"', html)


def _revisions(session):
    session.expire_all()
    return list(session.scalars(select(ServiceRevision)))


def _phones_only(data: dict[str, object], count: int) -> dict[str, object]:
    """What a browser sends for a form showing ``count`` phone blocks and one opening time."""
    return {key: value for key, value in data.items()
            if not (key.startswith("phones-") and int(key.split("-")[1]) >= count)
            and not (key.startswith("schedules-") and int(key.split("-")[1]) >= 1)}


def test_the_form_shows_only_the_blocks_in_use(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    response = client.get(f"/editor/services/{service.id}/edit")
    html = response.get_data(as_text=True)
    check_page(response)
    assert _blocks(html, "phones") == [f"phones-{i}" for i in range(len(service.phones) or 1)]
    assert _blocks(html, "schedules") == [f"schedules-{i}"
                                          for i in range(len(service.schedules) or 1)]
    assert 'name="add" value="phones"' in html
    assert 'name="add" value="schedules"' in html


def test_add_another_shows_one_more_block_and_keeps_what_was_typed(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    data = _phones_only(service_form_data({**snapshot(service), "name": "Tea, Chat & Cake"},
                                          base_version=1), 1)
    data["phones-0-number"] = "01803 555123"
    data["schedules-0-days"] = ["SA"]
    data["schedules-0-opens_at"] = "10am"
    response = client.submit(url, {**data, "add": "phones"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = check_page(response)
    assert _blocks(html, "phones") == ["phones-0", "phones-1"]
    assert _blocks(html, "schedules") == ["schedules-0"]
    fields = page.form_with("name").fields
    assert fields["name"] == "Tea, Chat & Cake"
    assert fields["phones-0-number"] == "01803 555123"
    assert fields["phones-1-number"] == ""
    assert fields["schedules-0-opens_at"] == "10am"
    assert 'value="SA" checked' in html
    assert page.error_summary == []  # an unfinished form is not judged yet
    assert _revisions(session) == []

    # Opening times too, and the new block's button says where the page opens.
    more = client.submit(url, {**data, "add": "schedules"})
    assert _blocks(more.get_data(as_text=True), "schedules") == ["schedules-0", "schedules-1"]
    assert f'formaction="{url}#schedules-2-block"' in more.get_data(as_text=True)


def test_no_more_blocks_than_a_listing_can_have(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    data = _phones_only(service_form_data(snapshot(service), base_version=1), 3)
    response = client.submit(f"/editor/services/{service.id}/edit", {**data, "add": "phones"})
    html = response.get_data(as_text=True)
    assert _blocks(html, "phones") == ["phones-0", "phones-1", "phones-2"]
    assert 'name="add" value="phones"' not in html
    assert 'name="add" value="schedules"' in html


def test_an_added_block_is_sent_with_the_rest(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    data = _phones_only(service_form_data(snapshot(service), base_version=1), 2)
    data["phones-0-number"], data["phones-1-number"] = "01803 555123", "07700 900123"
    data["phones-1-description"] = "Text messages"
    response = client.submit(f"/editor/services/{service.id}/edit", data)
    assert response.status_code == 302
    [revision] = _revisions(session)
    assert revision.data["phones"] == [
        {"number": "01803 555123", "description": None},
        {"number": "07700 900123", "description": "Text messages"}]


@time_machine.travel("2026-11-23 12:00:00+00:00", tick=False)
def test_preview_shows_the_listing_as_the_public_would_and_sends_nothing(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    data = _phones_only(service_form_data({**snapshot(service), "name": "Saturday Tea Club"},
                                          base_version=1), 1)
    data.update({"phones-0-number": "01803 555123", "schedules-0-kind": "monthly",
                 "schedules-0-days": ["SA"], "schedules-0-weeks": ["1"],
                 "schedules-0-opens_at": "10am", "schedules-0-closes_at": "12 noon",
                 "is_free": "no", "fees_description": "£2 for tea and cake"})
    response = client.submit(f"/editor/services/{service.id}/edit", {**data, "preview": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = check_page(response)
    assert "Preview: how the listing will look" in page.text
    preview = html[html.index('id="preview"'):html.index("</section>", html.index('id="preview"'))]
    text = " ".join(re.sub(r"<[^>]+>", " ", preview).split())
    assert "Saturday Tea Club" in text
    assert "First Saturday of the month" in text
    assert "Next: Saturday 5 December, 10am to 12 noon" in text
    assert "£2 for tea and cake" in text
    assert 'href="tel:01803555123"' in preview
    assert page.h1 == ["Change Tea and Chat"]
    assert page.form_with("name").fields["name"] == "Saturday Tea Club"
    assert page.form_with("name").fields["schedules-0-opens_at"] == "10:00"
    assert _revisions(session) == []


def test_preview_of_an_invalid_form_shows_the_errors_instead(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    data = _phones_only(service_form_data({**snapshot(service), "name": ""}, base_version=1), 1)
    data["schedules-0-opens_at"] = "25 o'clock"
    response = client.submit(f"/editor/services/{service.id}/edit", {**data, "preview": "1"})
    assert response.status_code == 200
    page = check_page(response)
    assert page.error_summary[0] == "Enter the name of the service"
    assert any("opening time for opening times 1" in message for message in page.error_summary)
    assert 'id="preview"' not in response.get_data(as_text=True)
    assert page.form_with("name").fields["schedules-0-opens_at"] == "25 o'clock"
    assert _revisions(session) == []


def test_a_new_listing_can_be_previewed_too(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    url = f"/editor/services/new?organisation={organisation.id}"
    page = client.page(url)
    data = {key: value for key, value in page.form_with("name").fields.items()
            if key not in ("csrf_token", "add", "preview") and value != ""}
    data.update({"name": "Walking Football", "description": "Slower football for over 50s.",
                 "status": "active", "attendance": ["in-person"], "is_free": "yes"})
    response = client.submit(url, {**data, "preview": "1"})
    assert response.status_code == 200
    page = check_page(response)
    assert page.error_summary == []
    html = response.get_data(as_text=True)
    preview = html[html.index('id="preview"'):html.index("</section>", html.index('id="preview"'))]
    assert "Walking Football" in preview and "Torbay Friends (test)" in preview
    assert _revisions(session) == []


def test_the_error_summary_follows_the_order_of_the_form(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    data = _phones_only(service_form_data({**snapshot(service), "name": ""}, base_version=1), 2)
    data.update({"email": "not an email", "minimum_age": "old", "is_free": "no",
                 "fees_description": "", "venue-address_1": "1 High Street",
                 "venue-postcode": "nowhere", "phones-1-number": "12",
                 "schedules-0-opens_at": "25 o'clock", "schedules-0-days": ["MO"]})
    response = client.submit(f"/editor/services/{service.id}/edit", data)
    page = check_page(response)
    targets = [link.lstrip("#") for link in page.error_summary_links]
    assert len(targets) >= 6
    assert targets == sorted(targets, key=page.ids.index)
