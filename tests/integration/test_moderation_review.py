"""Moderators see exactly what a change does, then publish it or reject it with a reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from portal.authz import Role
from portal.directory.models import Location, Service, TaxonomyTerm
from portal.moderation.models import RevisionStatus, ServiceRevision
from portal.moderation.policies import today
from portal.moderation.snapshot import empty_snapshot, snapshot
from tests.helpers.factories import (
    make_locality,
    make_organisation,
    make_revision,
    make_service,
    make_user,
)
from tests.helpers.pages import check_page


def _setup(session, **changes):
    organisation = make_organisation(session, "Torbay Friends (test)")
    editor = make_user(session, Role.EDITOR, organisations=[organisation],
                       email="eddie@example.test", name="Eddie Editor")
    service = make_service(session, organisation, name="Tea and Chat",
                           last_checked_on=date(2025, 3, 1))
    revision = make_revision(session, service, author=editor, **changes)
    moderator = make_user(session, Role.MODERATOR, name="Mo Moderator")
    return editor, service, revision, moderator


def _diff_rows(html: str) -> list[str]:
    """The field labels of the "What this changes" table."""
    table = html.split("What this changes", 1)[1].split("</table>", 1)[0]
    return [cell.split("</th>")[0].strip()
            for cell in table.split('<th scope="row" class="nhsuk-table__header">')[1:]]


def test_queue_lists_waiting_changes_oldest_first(client, session):
    _editor, _service, revision, moderator = _setup(session, name="Tea and Chat Plus")
    newer = make_revision(session, make_service(session, name="Lunch Club"))
    client.sign_in_as(moderator)
    page = client.page("/moderation/")
    assert page.h1 == ["Changes waiting for review"]
    assert page.text.index("Tea and Chat") < page.text.index("Lunch Club")
    assert f"/moderation/revisions/{revision.id}" in page.links
    assert f"/moderation/revisions/{newer.id}" in page.links


def test_review_shows_exactly_the_changed_fields(client, session):
    _editor, _service, revision, moderator = _setup(
        session, name="Tea, Chat and Cake",
        phones=[{"number": "01803 960000", "description": "Bookings"}])
    client.sign_in_as(moderator)
    response = client.get(f"/moderation/revisions/{revision.id}")
    page = check_page(response)
    assert page.h1 == ["Review a change to Tea and Chat"]
    assert _diff_rows(response.get_data(as_text=True)) == ["Name", "Phone numbers"]
    assert "Before" in page.text and "After" in page.text
    assert "Tea, Chat and Cake" in page.text and "01803 960000 (Bookings)" in page.text


def test_publish_applies_the_change_and_bumps_version(client, session, smtp_sink):
    _editor, service, revision, moderator = _setup(
        session, name="Tea, Chat and Cake", minimum_age=18,
        schedules=[{"days": ["TU", "TH"], "opens_at": "10:00", "closes_at": "12:00",
                    "by_appointment": False, "description": None}],
        venue={"name": "Church Hall", "address_1": "1 Fictional Road", "city": "Torquay",
               "postcode": "TQ1 1AA", "confidential": False, "accessibility": "Step-free"})
    client.sign_in_as(moderator)
    url = f"/moderation/revisions/{revision.id}"
    response = client.submit(url, {"decision": "publish", "expected_version": "1", "reason": ""})
    assert response.status_code == 302 and response.location == "/moderation/"
    session.refresh(service)
    session.refresh(revision)
    assert service.name == "Tea, Chat and Cake" and service.minimum_age == 18
    assert service.version == 2
    assert service.last_checked_on == today()
    assert [s.byday for s in service.schedules] == ["TU,TH"]
    [venue] = service.locations
    assert (venue.name, venue.postcode, venue.accessibility) == (
        "Church Hall", "TQ1 1AA", [{"description": "Step-free"}])
    assert revision.status is RevisionStatus.PUBLISHED
    assert revision.decided_by_id == moderator.id and revision.decided_at is not None
    assert "The change has been published." in client.page("/moderation/").text
    [mail] = smtp_sink.messages
    assert mail["To"] == "eddie@example.test"
    assert mail["Subject"] == "Your change to a listing has been published"
    assert "Tea, Chat and Cake" in mail.get_content()


def test_publish_keeps_a_baseline_so_history_starts_with_the_imported_listing(client, session):
    _editor, _service, revision, moderator = _setup(session, name="Tea, Chat and Cake")
    client.sign_in_as(moderator)
    client.submit(f"/moderation/revisions/{revision.id}",
                  {"decision": "publish", "expected_version": "1"})
    published = session.scalars(select(ServiceRevision).where(
        ServiceRevision.status == RevisionStatus.PUBLISHED).order_by(ServiceRevision.id)).all()
    assert [r.data["name"] for r in published] == ["Tea, Chat and Cake", "Tea and Chat"]
    assert published[1].author_id is None


def test_publish_of_a_new_listing_creates_the_service(client, session):
    organisation = make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[organisation])
    locality = make_locality(session, slug="paignton")
    term = TaxonomyTerm(name="Befriending (test)")
    session.add(term)
    session.flush()
    data = {**empty_snapshot(), "name": "Walk and Talk", "description": "A gentle walk.",
            "localities": ["paignton"], "terms": [term.id], "languages": ["en", "pl"],
            "attendance": ["in-person", "telephone"], "is_free": False,
            "fees_description": "£2 a walk",
            "venue": {"name": None, "address_1": "2 Fictional Road", "city": None,
                      "postcode": "TQ4 5AA", "confidential": True, "accessibility": None}}
    revision = ServiceRevision(organisation_id=organisation.id, author_id=editor.id, data=data)
    session.add(revision)
    session.flush()
    moderator = make_user(session, Role.MODERATOR)
    client.sign_in_as(moderator)
    page = client.page(f"/moderation/revisions/{revision.id}")
    assert page.h1 == ["Review a new listing: Walk and Talk"]
    client.submit(f"/moderation/revisions/{revision.id}", {"decision": "publish",
                                                            "expected_version": ""})
    session.refresh(revision)
    service = session.get(Service, revision.service_id)
    assert service is not None and service.published and service.organisation_id == organisation.id
    assert service.localities == [locality] and service.terms == [term]
    assert [lang["code"] for lang in service.languages] == ["en", "pl"]
    assert (service.in_person, service.telephone, service.online) == (True, True, False)
    assert not service.is_free and service.cost_options[0].amount_description == "£2 a walk"
    [venue] = session.scalars(select(Location)).all()
    assert venue.confidential and venue.postcode == "TQ4 5AA"
    assert snapshot(service) == {**data, "terms": [term.id]}


def test_reject_needs_a_reason(client, session):
    _editor, _service, revision, moderator = _setup(session, name="Changed")
    client.sign_in_as(moderator)
    response = client.submit(f"/moderation/revisions/{revision.id}",
                             {"decision": "reject", "expected_version": "1", "reason": "  "})
    page = check_page(response)
    assert page.error_summary == ["Enter the reason for rejecting the change"]
    assert page.title.startswith("Error:")
    session.refresh(revision)
    assert revision.status is RevisionStatus.PENDING


def test_reject_emails_the_editor_who_sees_the_reason(client, session, smtp_sink):
    editor, service, revision, moderator = _setup(session, name="Tea and Chat!!!")
    client.sign_in_as(moderator)
    response = client.submit(f"/moderation/revisions/{revision.id}", {
        "decision": "reject", "expected_version": "1",
        "reason": "Please keep the name as it is on your signs."})
    assert response.status_code == 302
    session.refresh(revision)
    assert revision.status is RevisionStatus.REJECTED
    assert revision.decision_reason == "Please keep the name as it is on your signs."
    session.refresh(service)
    assert service.name == "Tea and Chat" and service.version == 1
    [mail] = smtp_sink.messages
    assert mail["To"] == "eddie@example.test"
    assert mail["Subject"] == "Your change to a listing was not published"
    body = mail.get_content()
    assert f"/editor/revisions/{revision.id}" in body
    assert "Please keep the name" not in body  # the reason is read on the portal
    client.sign_in_as(editor)
    page = client.page("/editor/")
    assert "Reason: Please keep the name as it is on your signs." in page.text
    page = client.page(f"/editor/revisions/{revision.id}")
    assert "Please keep the name as it is on your signs." in page.text


def test_stale_publish_shows_the_moderator_a_conflict(client, session):
    _editor, service, revision, moderator = _setup(session, name="Renamed")
    client.sign_in_as(moderator)
    url = f"/moderation/revisions/{revision.id}"
    token = client.csrf_token(url)
    # Someone else publishes a change to the listing while the moderator is reading.
    session.execute(update(Service).where(Service.id == service.id)
                    .values(version=Service.version + 1, name="Changed meanwhile"))
    response = client.post(url, data={"csrf_token": token, "decision": "publish",
                                      "expected_version": "1", "reason": "Looks good"})
    assert response.status_code == 409
    page = check_page(response)
    assert page.h1 == ["This listing changed while you were reviewing it"]
    assert page.form_with("expected_version").fields["expected_version"] == "2"
    assert "Looks good" in response.get_data(as_text=True)
    session.refresh(revision)
    assert revision.status is RevisionStatus.PENDING
    session.refresh(service)
    assert service.name == "Changed meanwhile"
    # Publishing again, knowingly, from the refreshed page works.
    response = client.post(url, data={"csrf_token": token, "decision": "publish",
                                      "expected_version": "2"})
    assert response.status_code == 302
    session.refresh(service)
    assert service.name == "Renamed" and service.version == 3


def test_revision_based_on_an_old_version_is_flagged(client, session):
    _editor, service, revision, moderator = _setup(session, name="Renamed")
    session.execute(update(Service).where(Service.id == service.id)
                    .values(version=Service.version + 1))
    client.sign_in_as(moderator)
    assert "Listing changed since this was written" in client.page("/moderation/").text
    page = client.page(f"/moderation/revisions/{revision.id}")
    assert "The listing has changed since this was written" in page.text


def test_decided_revision_cannot_be_decided_again(client, session):
    _editor, _service, revision, moderator = _setup(session, name="Renamed")
    client.sign_in_as(moderator)
    url = f"/moderation/revisions/{revision.id}"
    token = client.csrf_token(url)
    client.post(url, data={"csrf_token": token, "decision": "publish", "expected_version": "1"})
    response = client.post(url, data={"csrf_token": token, "decision": "reject",
                                      "expected_version": "2", "reason": "No"})
    assert response.status_code == 302 and response.location == url
    page = client.page(url)
    assert "This change has already been decided." in page.text
    assert "Your decision" not in page.text
    session.refresh(revision)
    assert revision.status is RevisionStatus.PUBLISHED
