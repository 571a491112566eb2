"""Editors change their own organisations' listings; every change waits for a moderator."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.authz import Role
from portal.directory.models import Service
from portal.moderation.models import RevisionStatus, ServiceRevision
from portal.moderation.snapshot import empty_snapshot, snapshot
from tests.helpers.factories import (
    make_locality,
    make_organisation,
    make_service,
    make_user,
    service_form_data,
)
from tests.helpers.pages import check_page


def _editor(session, organisation=None):
    organisation = organisation or make_organisation(session, "Torbay Friends (test)")
    return make_user(session, Role.EDITOR, organisations=[organisation]), organisation


def _revisions(session):
    session.expire_all()
    return list(session.scalars(select(ServiceRevision).order_by(ServiceRevision.id)))


def test_editor_home_lists_own_listings_only(client, session):
    editor, organisation = _editor(session)
    make_service(session, organisation, name="Tea and Chat Torquay")
    make_service(session, name="Someone Else's Lunch Club")
    client.sign_in_as(editor)
    page = client.page("/editor/")
    assert page.h1 == ["Your listings"]
    assert "Tea and Chat Torquay" in page.text
    assert "Someone Else's Lunch Club" not in page.text
    assert "Add a listing for Torbay Friends (test)" in page.text


def test_editor_of_another_organisation_gets_404_everywhere(client, session):
    editor, _organisation = _editor(session)
    other = make_service(session, name="Not yours")
    client.sign_in_as(editor)
    assert client.get(f"/editor/services/{other.id}/edit").status_code == 404
    assert client.get(f"/editor/services/{other.id}/history").status_code == 404
    token = client.csrf_token("/editor/")
    response = client.post(f"/editor/services/{other.id}/edit",
                           data={"csrf_token": token, **service_form_data(snapshot(other))})
    assert response.status_code == 404
    assert client.post(f"/editor/services/{other.id}/confirm",
                       data={"csrf_token": token}).status_code == 404
    assert client.get(f"/editor/services/new?organisation={other.organisation_id}").status_code == 404
    assert _revisions(session) == []


def test_edit_creates_pending_revision_and_leaves_listing_alone(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    page = client.page(f"/editor/services/{service.id}/edit")
    assert page.h1 == ["Change Tea and Chat"]
    assert page.form_with("name").fields["base_version"] == "1"
    data = {**snapshot(service), "name": "Tea, Chat and Cake"}
    response = client.submit(f"/editor/services/{service.id}/edit",
                             service_form_data(data, base_version=1, note="New name"))
    [revision] = _revisions(session)
    assert response.status_code == 302
    assert response.location == f"/editor/revisions/{revision.id}"
    assert revision.status is RevisionStatus.PENDING
    assert revision.service_id == service.id and revision.author_id == editor.id
    assert revision.base_version == 1 and revision.note == "New name"
    assert revision.data["name"] == "Tea, Chat and Cake"
    session.refresh(service)
    assert service.name == "Tea and Chat" and service.version == 1
    page = client.page(response.location)
    assert "Your change has been sent for review." in page.text
    assert "Waiting for review" in page.text


def test_editing_again_updates_own_waiting_revision(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    client.submit(url, service_form_data({**snapshot(service), "name": "First try"}, base_version=1))
    page = client.page(url)
    assert page.form_with("name").fields["name"] == "First try"
    client.submit(url, service_form_data({**snapshot(service), "name": "Second try"},
                                         base_version=1))
    [revision] = _revisions(session)
    assert revision.data["name"] == "Second try"


def test_new_listing_is_a_pending_revision_without_a_service(client, session):
    editor, organisation = _editor(session)
    locality = make_locality(session, slug="torquay")
    client.sign_in_as(editor)
    page = client.page(f"/editor/services/new?organisation={organisation.id}")
    assert page.h1 == ["Add a listing for Torbay Friends (test)"]
    data = {**empty_snapshot(), "name": "Walk and Talk", "description": "A gentle walk.",
            "localities": [locality.slug],
            "schedules": [{"days": ["SA"], "opens_at": "10:00", "closes_at": "11:30",
                           "by_appointment": False, "description": None}]}
    response = client.submit(f"/editor/services/new?organisation={organisation.id}",
                             service_form_data(data))
    assert response.status_code == 302
    [revision] = _revisions(session)
    assert revision.service_id is None and revision.organisation_id == organisation.id
    assert revision.data["localities"] == ["torquay"]
    assert revision.data["schedules"][0]["days"] == ["SA"]
    assert session.scalars(select(Service)).all() == []
    assert "Walk and Talk" in client.page("/editor/").text


def test_new_listing_draft_can_be_changed_by_its_author(client, session):
    editor, organisation = _editor(session)
    client.sign_in_as(editor)
    data = {**empty_snapshot(), "name": "Walk and Talk", "description": "A gentle walk."}
    client.submit(f"/editor/services/new?organisation={organisation.id}", service_form_data(data))
    [revision] = _revisions(session)
    response = client.submit(f"/editor/revisions/{revision.id}/edit",
                             service_form_data({**data, "name": "Walk, Talk and Tea"}))
    assert response.status_code == 302
    session.refresh(revision)
    assert revision.data["name"] == "Walk, Talk and Tea"
    colleague, _ = _editor(session, organisation)
    client.sign_in_as(colleague)
    assert client.get(f"/editor/revisions/{revision.id}/edit").status_code == 404
    assert client.get(f"/editor/revisions/{revision.id}").status_code == 200


def test_editor_with_one_organisation_may_leave_out_the_organisation(client, session):
    editor, _organisation = _editor(session)
    client.sign_in_as(editor)
    assert client.get("/editor/services/new").status_code == 200
    two = make_user(session, Role.EDITOR,
                    organisations=[make_organisation(session), make_organisation(session)])
    client.sign_in_as(two)
    assert client.get("/editor/services/new").status_code == 404


def test_confirm_still_correct_marks_listing_checked_today(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Old Listing", last_checked_on=None)
    client.sign_in_as(editor)
    assert "May be out of date" in client.page("/editor/").text
    response = client.submit(f"/editor/services/{service.id}/confirm", {}, form_url="/editor/")
    assert response.status_code == 302
    session.refresh(service)
    from portal.moderation.policies import today

    assert service.last_checked_on == today()
    page = client.page("/editor/")
    assert "Thank you. Old Listing is marked as checked today." in page.text
    assert "May be out of date" not in page.text


def test_confirm_moves_waiting_revisions_on_with_the_listing(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, last_checked_on=date(2025, 1, 6))
    client.sign_in_as(editor)
    client.submit(f"/editor/services/{service.id}/edit",
                  service_form_data({**snapshot(service), "name": "Renamed"}, base_version=1))
    client.submit(f"/editor/services/{service.id}/confirm", {}, form_url="/editor/")
    session.refresh(service)
    [revision] = _revisions(session)
    assert service.version == 2 and revision.base_version == 2


def test_rejected_change_shows_reason_on_editor_home(client, session):
    editor, organisation = _editor(session)
    service = make_service(session, organisation, name="Tea and Chat")
    revision = ServiceRevision(service_id=service.id, organisation_id=organisation.id,
                               author_id=editor.id, base_version=1, data=snapshot(service),
                               status=RevisionStatus.REJECTED,
                               decision_reason="Please add the <b>opening times</b>.")
    session.add(revision)
    session.flush()
    client.sign_in_as(editor)
    response = client.get("/editor/")
    page = check_page(response)
    assert "Not published" in page.text
    assert "Reason: Please add the <b>opening times</b>." in page.text
    assert "&lt;b&gt;opening times&lt;/b&gt;" in response.get_data(as_text=True)


def test_categories_are_grouped_and_narrower_terms_kept(client, session):
    from portal.directory.models import TaxonomyTerm

    editor, organisation = _editor(session)
    food = TaxonomyTerm(name="Food")
    session.add(food)
    session.flush()
    banks = TaxonomyTerm(name="Food banks", parent_id=food.id)
    session.add(banks)
    service = make_service(session, organisation, terms=[banks])
    client.sign_in_as(editor)
    response = client.get(f"/editor/services/{service.id}/edit")
    html = response.get_data(as_text=True)
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Food</legend>' in html
    assert f'id="terms-1" name="terms" type="checkbox" value="{banks.id}" checked' in html
    assert "Food (general)" in check_page(response).text
    client.submit(f"/editor/services/{service.id}/edit",
                  service_form_data({**snapshot(service), "name": "Renamed"}, base_version=1))
    [revision] = _revisions(session)
    assert revision.data["terms"] == [banks.id]
