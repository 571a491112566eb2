"""Version history: every published version, what it changed, and restoring an old one."""

from __future__ import annotations

from sqlalchemy import select

from portal.authz import Role
from portal.moderation.models import RevisionStatus, ServiceRevision
from tests.helpers.factories import (
    make_organisation,
    make_revision,
    make_service,
    make_user,
    service_form_data,
)
from tests.helpers.pages import check_page


def _published_twice(client, session):
    """A listing renamed twice through moderation: "Tea" -> "Tea and Chat" -> "Tea and Cake"."""
    organisation = make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[organisation], name="Eddie Editor")
    moderator = make_user(session, Role.MODERATOR)
    service = make_service(session, organisation, name="Tea")
    client.sign_in_as(moderator)
    for name in ("Tea and Chat", "Tea and Cake"):
        session.refresh(service)
        revision = make_revision(session, service, author=editor, name=name)
        response = client.submit(f"/moderation/revisions/{revision.id}",
                                 {"decision": "publish", "expected_version": str(service.version)})
        assert response.status_code == 302
    session.refresh(service)
    versions = session.scalars(select(ServiceRevision).where(
        ServiceRevision.status == RevisionStatus.PUBLISHED)
        .order_by(ServiceRevision.decided_at.desc())).all()
    return editor, moderator, service, versions


def test_history_lists_published_versions_newest_first(client, session):
    editor, _moderator, service, versions = _published_twice(client, session)
    assert [v.data["name"] for v in versions] == ["Tea and Cake", "Tea and Chat", "Tea"]
    client.sign_in_as(editor)
    page = client.page(f"/editor/services/{service.id}/history")
    assert page.h1 == ["History of Tea and Cake"]
    revision_links = [link for link in page.links if link.startswith("/editor/revisions/")]
    assert revision_links == [f"/editor/revisions/{v.id}" for v in versions]
    assert "Current" in page.text and "Eddie Editor" in page.text


def test_each_version_shows_what_it_changed_from_the_one_before(client, session):
    editor, _moderator, _service, versions = _published_twice(client, session)
    client.sign_in_as(editor)
    page = client.page(f"/editor/revisions/{versions[0].id}")
    assert "What this changes" in page.text
    changed = page.text.split("What this changes", 1)[1].split("Fields that stay the same", 1)[0]
    assert "Name" in changed and "Tea and Chat" in changed and "Tea and Cake" in changed
    assert "Description" not in changed


def test_editor_restores_an_old_version_through_the_form(client, session):
    editor, _moderator, service, versions = _published_twice(client, session)
    oldest = versions[-1]
    client.sign_in_as(editor)
    history = client.page(f"/editor/services/{service.id}/history")
    link = f"/editor/services/{service.id}/edit?start={oldest.id}"
    assert link in history.links
    page = client.page(link)
    assert "You are restoring the version published on" in page.text
    form = page.form_with("name")
    assert form.fields["name"] == "Tea" and form.fields["base_version"] == str(service.version)
    response = client.submit(f"/editor/services/{service.id}/edit",
                             service_form_data(oldest.data, base_version=service.version))
    assert response.status_code == 302
    pending = session.scalars(select(ServiceRevision).where(
        ServiceRevision.status == RevisionStatus.PENDING)).all()
    assert [r.data["name"] for r in pending] == ["Tea"]
    session.refresh(service)
    assert service.name == "Tea and Cake"


def test_moderator_restores_an_old_version_and_another_moderator_publishes_it(client, session):
    """The two-person rule covers restores: the moderator who restored cannot publish it."""
    _editor, moderator, service, versions = _published_twice(client, session)
    client.sign_in_as(moderator)
    page = client.page(f"/moderation/services/{service.id}/history")
    assert f"/moderation/revisions/{versions[1].id}/restore" in [f.action for f in page.forms]
    response = client.submit(f"/moderation/revisions/{versions[1].id}/restore", {},
                             form_url=f"/moderation/services/{service.id}/history")
    restored = session.scalars(select(ServiceRevision).where(
        ServiceRevision.status == RevisionStatus.PENDING)).one()
    assert response.location == f"/moderation/revisions/{restored.id}"
    assert restored.author_id == moderator.id and restored.data["name"] == "Tea and Chat"
    page = check_page(client.get(response.location))
    assert "A different moderator must check and publish it." in page.text
    assert "You made this change, so a different moderator must publish it." in page.text
    refused = client.post(response.location, data={
        "csrf_token": client.csrf_token(response.location), "decision": "publish",
        "expected_version": str(service.version)})
    assert refused.status_code == 200
    assert ("You made this change, so a different moderator must publish it."
            in refused.get_data(as_text=True))
    session.refresh(service)
    assert service.name == "Tea and Cake"
    client.sign_in_as(make_user(session, Role.MODERATOR, name="Second Moderator"))
    client.submit(response.location, {"decision": "publish",
                                      "expected_version": str(service.version)})
    session.refresh(service)
    assert service.name == "Tea and Chat"


def test_an_editor_who_is_also_a_moderator_cannot_publish_their_own_listing_change(
        client, session):
    organisation = make_organisation(session)
    both = make_user(session, Role.EDITOR, Role.MODERATOR, organisations=[organisation])
    service = make_service(session, organisation, name="Tea and Cake")
    revision = make_revision(session, service, author=both, name="Tea and Toast")
    client.sign_in_as(both)
    page = client.page(f"/moderation/revisions/{revision.id}")
    assert 'value="publish"' not in client.get(f"/moderation/revisions/{revision.id}").get_data(as_text=True)
    assert "You made this change, so a different moderator must publish it." in page.text
    refused = client.post(f"/moderation/revisions/{revision.id}", data={
        "csrf_token": client.csrf_token(f"/moderation/revisions/{revision.id}"),
        "decision": "publish", "expected_version": str(service.version)})
    assert refused.status_code == 200
    session.refresh(revision)
    assert revision.status is RevisionStatus.PENDING
    session.refresh(service)
    assert service.name == "Tea and Cake"


def test_editor_of_another_organisation_cannot_see_history(client, session):
    _editor, _moderator, service, versions = _published_twice(client, session)
    stranger = make_user(session, Role.EDITOR, organisations=[make_organisation(session)])
    client.sign_in_as(stranger)
    assert client.get(f"/editor/services/{service.id}/history").status_code == 404
    assert client.get(f"/editor/revisions/{versions[0].id}").status_code == 404
