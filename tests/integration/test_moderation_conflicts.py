"""Two people editing one listing: the second gets a conflict to resolve, never an overwrite."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.authz import Role
from portal.directory.models import Service
from portal.moderation.models import RevisionStatus, ServiceRevision
from portal.moderation.snapshot import snapshot
from tests.helpers.factories import make_organisation, make_service, make_user, service_form_data
from tests.helpers.pages import check_page


def _two_editors(session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    ann = make_user(session, Role.EDITOR, organisations=[organisation], name="Ann Editor",
                    email="ann@example.test")
    bob = make_user(session, Role.EDITOR, organisations=[organisation], name="Bob Editor",
                    email="bob@example.test")
    service = make_service(session, organisation, name="Tea and Chat")
    return ann, bob, service


def _revisions(session):
    session.expire_all()
    return list(session.scalars(select(ServiceRevision).order_by(ServiceRevision.id)))


def _send(client, user, service, replaces=None, base_version=1, **changes):
    client.sign_in_as(user)
    data = service_form_data({**snapshot(service), **changes}, base_version=base_version,
                             replaces=replaces)
    return client.submit(f"/editor/services/{service.id}/edit", data)


def test_second_editor_gets_a_conflict_page_keeping_what_they_typed(client, session, smtp_sink):
    ann, bob, service = _two_editors(session)
    _send(client, ann, service, name="Ann's name")
    response = _send(client, bob, service, name="Bob's name", description="Words from Bob")
    assert response.status_code == 409
    page = check_page(response)
    assert page.h1 == ["Someone else has changed this listing"]
    assert page.title.startswith("Someone else has changed this listing \N{EN DASH} ")
    assert "Another editor sent a change to this listing" in page.text
    assert "Their version" in page.text and "Your version" in page.text
    assert "Ann's name" in page.text
    form = page.form_with("name")
    assert form.fields["name"] == "Bob's name"
    assert "Words from Bob" in response.get_data(as_text=True)
    [ann_revision] = _revisions(session)
    assert form.fields["replaces"] == str(ann_revision.id)
    assert form.fields["base_version"] == "1"
    assert smtp_sink.messages == []


def test_keep_mine_supersedes_the_other_change_and_tells_its_author(client, session, smtp_sink):
    ann, bob, service = _two_editors(session)
    _send(client, ann, service, name="Ann's name")
    [ann_revision] = _revisions(session)
    _send(client, bob, service, name="Bob's name")  # conflict
    response = _send(client, bob, service, replaces=ann_revision.id, name="Bob's name")
    assert response.status_code == 302
    first, second = _revisions(session)
    assert first.status is RevisionStatus.SUPERSEDED and first.decided_by_id == bob.id
    assert second.status is RevisionStatus.PENDING and second.data["name"] == "Bob's name"
    [mail] = smtp_sink.messages
    assert mail["To"] == "ann@example.test"
    assert mail["Subject"] == "Your change to a listing has been replaced"
    assert f"/editor/revisions/{first.id}" in mail.get_content()


def test_start_again_from_their_version_builds_on_it(client, session, smtp_sink):
    ann, bob, service = _two_editors(session)
    _send(client, ann, service, name="Ann's name")
    [ann_revision] = _revisions(session)
    page = check_page(_send(client, bob, service, name="Bob's name"))
    link = f"/editor/services/{service.id}/edit?start={ann_revision.id}"
    assert link in page.links
    page = client.page(link)
    form = page.form_with("name")
    assert form.fields["name"] == "Ann's name"
    assert form.fields["replaces"] == str(ann_revision.id)
    assert "You are starting from the change that is waiting for review." in page.text
    data = {**ann_revision.data, "description": "Bob adds to Ann's change"}
    response = client.submit(f"/editor/services/{service.id}/edit",
                             service_form_data(data, base_version=1, replaces=ann_revision.id))
    assert response.status_code == 302
    first, second = _revisions(session)
    assert first.status is RevisionStatus.SUPERSEDED
    assert second.data["name"] == "Ann's name"
    assert second.data["description"] == "Bob adds to Ann's change"


def test_a_newer_change_than_the_one_seen_is_another_conflict(client, session):
    ann, bob, service = _two_editors(session)
    carol = make_user(session, Role.EDITOR, organisations=[service.organisation])
    _send(client, ann, service, name="Ann's name")
    [ann_revision] = _revisions(session)
    _send(client, carol, service, replaces=ann_revision.id, name="Carol's name")
    response = _send(client, bob, service, replaces=ann_revision.id, name="Bob's name")
    assert response.status_code == 409
    assert "Carol's name" in check_page(response).text


def test_editing_after_a_publish_is_a_conflict_with_the_published_version(client, session):
    ann, _bob, service = _two_editors(session)
    session.execute(update(Service).where(Service.id == service.id)
                    .values(version=2, name="Published meanwhile"))
    session.expire_all()
    response = _send(client, ann, service, base_version=1, name="Ann's name")
    assert response.status_code == 409
    page = check_page(response)
    assert "This listing was changed and published while you were working on it." in page.text
    assert "Published version" in page.text and "Published meanwhile" in page.text
    assert page.form_with("name").fields["base_version"] == "2"
    assert f"/editor/services/{service.id}/edit?start=current" in page.links
    # Sending again from the conflict page keeps Ann's version.
    response = _send(client, ann, service, base_version=2, name="Ann's name")
    assert response.status_code == 302
    [revision] = _revisions(session)
    assert revision.base_version == 2 and revision.data["name"] == "Ann's name"


def test_start_again_from_the_published_version(client, session):
    ann, _bob, service = _two_editors(session)
    _send(client, ann, service, name="Ann's draft")
    page = client.page(f"/editor/services/{service.id}/edit?start=current")
    assert page.form_with("name").fields["name"] == "Tea and Chat"


def test_edit_page_warns_that_another_change_is_waiting(client, session):
    ann, bob, service = _two_editors(session)
    _send(client, ann, service, name="Ann's name")
    client.sign_in_as(bob)
    page = client.page(f"/editor/services/{service.id}/edit")
    assert "Another change to this listing is waiting for review." in page.text
    assert page.form_with("name").fields["name"] == "Tea and Chat"
